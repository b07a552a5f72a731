import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import ARM4RConfig
from arm4r_training.train import resolve_run_config

RUN_FILE = """\
preset: tiny
model: {depth: 2, context: 32}
recipe:
  lr: 5e-4  # YAML 1.1 would read this as a string
  batch_size: 64
  betas: [0.9, 0.99]
"""


def write(tmp_path, text, name="run.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(("stage", "mode"), [(1, "points"), (2, "points"), (3, "control")])
def test_a_preset_takes_its_mode_from_the_stage(stage, mode):
    run = resolve_run_config("tiny", stage, {})
    assert run.model == ARM4RConfig.tiny(mode=mode)
    assert run.recipe_values == {}


def test_a_yaml_file_sets_model_fields_and_recipe_values_over_its_preset(tmp_path):
    source = write(tmp_path, RUN_FILE)
    run = resolve_run_config(source, 3, {"context": 8})
    assert run.model == ARM4RConfig.tiny(depth=2, context=8)  # the command line wins
    assert run.recipe_values == {"lr": 5e-4, "batch_size": 64, "betas": [0.9, 0.99]}


@pytest.mark.parametrize(("text", "named"), [
    ("model:\n  widht: 3\n", "widht"),
    ("recipe:\n  learning_rate: 0.1\n", "learning_rate"),
    ("optimizer: {}\n", "optimizer"),
    ("recipe:\n  stage: 2\n", "stage"),
])  # fmt: skip
def test_unknown_yaml_keys_are_refused_by_name(tmp_path, text, named):
    with pytest.raises(ConfigError, match=named):
        resolve_run_config(write(tmp_path, text), 3, {})


def test_a_yaml_mode_that_contradicts_the_stage_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="Stage 1"):
        resolve_run_config(write(tmp_path, "model:\n  mode: control\n"), 1, {})


@pytest.mark.parametrize("source", ["large", "missing.yaml"])
def test_an_unknown_config_source_is_refused_naming_the_option(source):
    with pytest.raises(ConfigError, match="--config"):
        resolve_run_config(source, 3, {})
