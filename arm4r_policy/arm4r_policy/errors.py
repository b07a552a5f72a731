"""The one exception root of the package; callers catch ``ARM4RError`` to catch ours alone."""


class ARM4RError(Exception):
    """Base of every error raised on purpose by arm4r_policy."""


class ConfigError(ARM4RError, ValueError):
    """A configuration field holds a value outside what it allows."""


class CheckpointError(ARM4RError):
    """A checkpoint directory is missing a file, is corrupt, or does not fit the model."""


class ObservationError(ARM4RError, ValueError):
    """An observation handed to the policy is malformed; the policy state is left unchanged."""


class CommandError(ARM4RError, ValueError):
    """A command to a robot or simulator is malformed, names an unknown part, or exceeds a limit."""


class PlanningError(ARM4RError):
    """A motion cannot be planned within the robot's limits; the message names what failed."""


class DatasetError(ARM4RError):
    """An episode or collection on disk is malformed, incomplete, or not ours to change."""


class CalibrationError(ARM4RError):
    """A calibration is refused: too few usable views, or errors above the accepted limits."""


class HardwareError(ARM4RError):
    """A device or robot controller refused, failed or vanished; the message names which."""
