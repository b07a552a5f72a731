"""The episode format: the public ARM4R layout, zarr v2 single-chunk arrays, whole-or-nothing."""

import json
import shutil
from dataclasses import replace
from glob import glob

import cv2
import numpy as np
import pytest
import zarr

from arm4r_policy.collect import (
    MAX_STEPS,
    MIN_STEPS,
    EpisodeWriter,
    validate_episode,
    write_episode,
)
from arm4r_policy.collect.arrays import write_array
from arm4r_policy.errors import DatasetError
from tests.unit.collect.episodes import (
    IMAGE_SIZE,
    make_episode,
    make_frames,
    make_meta,
    tree,
)

EMBEDDING = np.linspace(-1.0, 1.0, 512, dtype=np.float32)


def test_episode_has_the_public_layout_and_validates(tmp_path):
    path = make_episode(tmp_path / "episode_000000", steps=40)
    names = {p.name for p in path.iterdir()}
    assert {"proprio.zarr", "action.zarr", "instruction.txt", "instruction.zarr", "images"} <= names
    assert (path / "instruction.txt").read_text() == "pick up the yellow cube"
    assert sorted(p.name for p in (path / "images").iterdir()) == [
        "exterior_image_1_left",
        "wrist_image_left",
    ]
    frames = sorted(p.name for p in (path / "images" / "wrist_image_left").iterdir())
    assert frames == [f"{step:05d}.jpg" for step in range(40)]
    info = validate_episode(path)
    assert info.num_steps == 40
    assert info.meta.to_json(40) == make_meta().to_json(40)


@pytest.mark.parametrize(("name", "shape"), [("proprio", (40, 7)), ("action", (40, 7))])
def test_state_arrays_are_single_chunk_float32_zarr_v2_arrays(tmp_path, name, shape):
    store = make_episode(tmp_path / "episode_000000", steps=40) / f"{name}.zarr"
    metadata = json.loads((store / ".zarray").read_text())
    assert metadata["zarr_format"] == 2
    assert metadata["dtype"] == "<f4"
    assert metadata["shape"] == list(shape) == metadata["chunks"]
    assert not (store / ".zgroup").exists()
    assert not (store / "zarr.json").exists()
    array = zarr.open_array(str(store), mode="r", zarr_format=2)
    assert array.shape == shape
    assert zarr.load(str(store)).dtype == np.float32


def test_action_is_the_next_state_and_the_last_action_repeats_the_last_state(tmp_path):
    path = make_episode(tmp_path / "episode_000000", steps=35)
    proprio, action = zarr.load(str(path / "proprio.zarr")), zarr.load(str(path / "action.zarr"))
    expected = np.stack([f.proprio for f in make_frames(35)]).astype(np.float32)
    np.testing.assert_array_equal(proprio, expected)
    np.testing.assert_array_equal(action[:-1], proprio[1:])
    np.testing.assert_array_equal(action[-1], proprio[-1])


def test_instruction_embedding_is_stored_as_a_512_float32_array(tmp_path):
    path = write_episode(tmp_path / "e", make_frames(30), make_meta(), EMBEDDING)
    stored = zarr.load(str(path / "instruction.zarr"))
    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, EMBEDDING)


def test_images_are_rgb_jpegs_that_round_trip_closely(tmp_path):
    width, height = IMAGE_SIZE
    ramp = np.linspace(0, 255, width)[None, :] * np.ones((height, 1))
    smooth = np.stack([ramp, np.full_like(ramp, 40), 255 - ramp], axis=-1).astype(np.uint8)
    frames = [replace(frame, images={"side": smooth, "ego": smooth}) for frame in make_frames(30)]
    path = write_episode(tmp_path / "e", frames, make_meta(), EMBEDDING)
    stored = cv2.imread(str(path / "images" / "exterior_image_1_left" / "00000.jpg"))
    stored = cv2.cvtColor(stored, cv2.COLOR_BGR2RGB)  # what PIL, the public reader, returns
    assert stored.shape == (height, width, 3)
    assert np.abs(stored.astype(int) - smooth).mean() < 2.0


def test_meta_records_cameras_rate_and_identity(tmp_path):
    path = make_episode(tmp_path / "e", seed=7, steps=31)
    meta = json.loads((path / "meta.json").read_text())
    assert meta["num_steps"] == 31
    assert meta["seed"] == 7
    assert meta["rate_hz"] == 15.0
    assert meta["image_size"] == list(IMAGE_SIZE)
    assert meta["cameras"]["exterior_image_1_left"]["camera"] == "side"
    assert np.asarray(meta["cameras"]["wrist_image_left"]["intrinsics"]).shape == (3, 3)
    assert np.asarray(meta["cameras"]["wrist_image_left"]["extrinsics"]).shape == (4, 4)
    identity = {"task", "variation", "instruction", "cell", "robot", "success", "format_version"}
    assert identity <= set(meta)


@pytest.mark.parametrize("steps", [MIN_STEPS, MAX_STEPS])
def test_lengths_at_the_public_readers_bounds_are_accepted(tmp_path, steps):
    assert validate_episode(make_episode(tmp_path / "e", steps=steps)).num_steps == steps


def test_an_episode_shorter_than_30_steps_is_refused_and_leaves_nothing(tmp_path):
    with pytest.raises(DatasetError, match=r"29 steps.*30 to 450"):
        make_episode(tmp_path / "e", steps=MIN_STEPS - 1)
    assert tree(tmp_path) == {}


def test_an_episode_longer_than_450_steps_is_refused_at_step_451_and_leaves_nothing(tmp_path):
    taken = []

    def frames():
        for frame in make_frames(MAX_STEPS + 10):
            taken.append(frame)
            yield frame

    with pytest.raises(DatasetError, match="more than 450 steps"):
        write_episode(tmp_path / "e", frames(), make_meta(), EMBEDDING)
    assert len(taken) == MAX_STEPS + 1
    assert tree(tmp_path) == {}


def test_a_writer_interrupted_inside_the_frame_iterator_leaves_nothing(tmp_path):
    def frames():
        yield from make_frames(40)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_episode(tmp_path / "episode_000000", frames(), make_meta(), EMBEDDING)
    assert tree(tmp_path) == {}


def test_a_writer_left_without_finish_leaves_nothing(tmp_path):
    with EpisodeWriter(tmp_path / "e", make_meta(), EMBEDDING) as writer:
        for frame in make_frames(40):
            writer.add(frame)
    assert tree(tmp_path) == {}


def test_frames_are_staged_in_a_hidden_sibling_until_the_episode_is_whole(tmp_path):
    with EpisodeWriter(tmp_path / "episode_000000", make_meta(), EMBEDDING) as writer:
        for frame in make_frames(30):
            writer.add(frame)
        (staging,) = tmp_path.iterdir()
        assert staging.name.startswith(".episode_000000")
        assert glob(f"{tmp_path}/**/*", recursive=True) == []  # hidden from the public reader
        writer.finish()
    assert [p.name for p in tmp_path.iterdir()] == ["episode_000000"]


def test_an_existing_episode_is_never_overwritten(tmp_path):
    path = make_episode(tmp_path / "e", seed=1, steps=30)
    before = tree(path)
    with pytest.raises(DatasetError, match="already exists"):
        make_episode(path, seed=2, steps=30)
    assert tree(path) == before


def test_a_frame_at_another_image_size_is_refused(tmp_path):
    frames = list(make_frames(30))
    frames[5].images["ego"] = np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(DatasetError, match=r"frame 5: images\['ego'\]"):
        write_episode(tmp_path / "e", frames, make_meta(), EMBEDDING)
    assert tree(tmp_path) == {}


def test_a_non_finite_state_is_refused(tmp_path):
    frames = list(make_frames(30))
    frames[3].proprio[2] = np.nan
    with pytest.raises(DatasetError, match="frame 3: proprio"):
        write_episode(tmp_path / "e", frames, make_meta(), EMBEDDING)


def _remove_frame(path):
    (path / "images" / "wrist_image_left" / "00017.jpg").unlink()


def _truncate_frame(path):
    frame = path / "images" / "exterior_image_1_left" / "00003.jpg"
    frame.write_bytes(frame.read_bytes()[:200])


def _resize_frame(path):
    frame = path / "images" / "exterior_image_1_left" / "00004.jpg"
    cv2.imwrite(str(frame), np.zeros((20, 20, 3), np.uint8))


def _shift_action(path):
    action = zarr.load(str(path / "action.zarr"))
    action[10, 0] += 0.01
    _replace_array(path / "action.zarr", action)


def _replace_array(store, values):
    shutil.rmtree(store)
    write_array(store, values)


def _store_proprio_as_zarr_v3(path):
    values = zarr.load(str(path / "proprio.zarr"))
    shutil.rmtree(path / "proprio.zarr")
    zarr.create_array(str(path / "proprio.zarr"), data=values, chunks=values.shape)


def _chunk_proprio(path):
    values = zarr.load(str(path / "proprio.zarr"))
    shutil.rmtree(path / "proprio.zarr")
    zarr.create_array(str(path / "proprio.zarr"), data=values, chunks=(8, 7), zarr_format=2)


def _drop_meta_field(path):
    meta = json.loads((path / "meta.json").read_text())
    del meta["seed"]
    (path / "meta.json").write_text(json.dumps(meta))


def _shorten_proprio(path):
    _replace_array(path / "proprio.zarr", zarr.load(str(path / "proprio.zarr"))[:-1])


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (_remove_frame, r"wrist_image_left: frames missing \['00017.jpg'\]"),
        (_truncate_frame, r"00003.jpg: not a complete JPEG"),
        (_resize_frame, r"00004.jpg: image of shape \(20, 20, 3\); expected \(24, 32, 3\)"),
        (_shift_action, r"action.zarr: action\[10\]"),
        (_store_proprio_as_zarr_v3, r"proprio.zarr: expected a zarr format 2 array"),
        (_chunk_proprio, r"proprio.zarr: chunks \(8, 7\)"),
        (_drop_meta_field, r"meta.json: field 'seed' is missing"),
        (_shorten_proprio, r"proprio.zarr: shape \(29, 7\); expected \(30, 7\)"),
    ],
)
def test_validation_names_the_file_and_field_of_a_corrupt_episode(tmp_path, corrupt, message):
    path = make_episode(tmp_path / "e", steps=30)
    corrupt(path)
    with pytest.raises(DatasetError, match=message):
        validate_episode(path)
