"""What runs beside the network: pose maths, chunk blending and the streaming policy (no ROS)."""

from arm4r_policy.runtime.ensemble import TemporalEnsembler
from arm4r_policy.runtime.policy import Policy, PolicyOptions, PolicyOutput
from arm4r_policy.runtime.streaming import StreamingARM4R

__all__ = ["Policy", "PolicyOptions", "PolicyOutput", "StreamingARM4R", "TemporalEnsembler"]
