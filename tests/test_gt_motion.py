"""The ground-truth motion suite (experiments/gt_motion) generates what it says it does.

These test the generator, not the detector: constant bones, a raise to head height really puts
the wrist above the head, a walk's ankles travel the stated distance with planted steps, the
camera's pitch tilts the view, every layout renders in its sensor's conventions, and every
failure carries the truth of what failed. One test runs a small slice of the benchmark end to end.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.gt_motion import failures
from experiments.gt_motion.body import ADULT, CHILD, RIGID_BONES, skeleton
from experiments.gt_motion.camera import Camera, to_camera
from experiments.gt_motion.motions import Script, arm_raise, legs_sit, legs_walk
from experiments.gt_motion.suite import (FAMILIES, clean_sample, failure_sample, perform, suite_layouts)


def _joints(script: Script) -> dict[str, np.ndarray]:
    return skeleton(script.pose(), script.dims)


@pytest.mark.parametrize("family", FAMILIES)
def test_bones_keep_their_length(family):
    for body in (ADULT, CHILD):
        for seed in range(4):
            perf = perform(family, np.random.default_rng(seed), body)
            joints = skeleton(perf.pose, body)
            for a, b in RIGID_BONES:
                length = np.linalg.norm(joints[a] - joints[b], axis=1)
                assert length.std() < 1e-6, (family, seed, a, b)


def test_raise_to_head_height_puts_the_wrist_above_the_head():
    script = Script(90, ADULT, np.random.default_rng(1))
    arm_raise(script, "right", "head", comes_down=False)
    j = _joints(script)
    assert j["right_wrist"][-1, 1] > j["head"][-1, 1]
    assert j["right_wrist"][0, 1] < j["right_hip"][0, 1] + 0.1          # it started hanging
    assert j["left_wrist"][-1, 1] < j["left_hip"][-1, 1] + 0.1          # the other hand stayed down


def test_raise_to_shoulder_height_stops_at_the_shoulder():
    script = Script(90, ADULT, np.random.default_rng(2))
    arm_raise(script, "left", "shoulder", comes_down=True)
    j = _joints(script)
    top = int(np.argmax(j["left_wrist"][:, 1]))
    assert abs(j["left_wrist"][top, 1] - j["left_shoulder"][top, 1]) < 0.08
    assert [m.motion for m in script.required] == ["raise", "lower"]


@pytest.mark.parametrize("direction,distance", [("forward", 2.5), ("backward", 1.5), ("sideways_left", 1.2)])
def test_walk_ankles_travel_the_stated_distance_with_planted_steps(direction, distance):
    script = Script(240, ADULT, np.random.default_rng(3))
    legs_walk(script, direction, distance)
    j = _joints(script)
    walk = script.required[0]
    for side in ("left", "right"):
        ankle = j[f"{side}_ankle"]
        travel = np.linalg.norm(ankle[-1, [0, 2]] - ankle[0, [0, 2]])
        assert abs(travel - distance) < 0.03, (side, travel)
        speed = np.linalg.norm(np.diff(ankle[walk.start:walk.end + 1, [0, 2]], axis=0), axis=1)
        assert (speed < 1e-6).mean() > 0.3          # the foot is planted while the other swings
        assert ankle[:, 1].max() - ankle[0, 1] > 0.04   # and lifts when it steps
    assert walk.magnitude == distance


def test_sitting_down_moves_the_pelvis_but_not_the_feet():
    script = Script(90, ADULT, np.random.default_rng(4))
    legs_sit(script, down=True)
    j = _joints(script)
    assert j["hip_center"][0, 1] - j["hip_center"][-1, 1] > 0.3
    assert np.abs(j["left_ankle"][-1] - j["left_ankle"][0]).max() < 1e-9


def test_camera_pitch_tilts_the_vertical_by_the_pitch():
    for pitch in (-30.0, 0.0, 20.0):
        camera = Camera("front", 0.0, 3.0, 1.2, pitch, 0.0)
        a, b = to_camera(np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), camera, np.zeros(3), 0.0)
        v = b - a                    # looking down, the world's up leans towards the camera
        assert np.degrees(np.arctan2(-v[2], v[1])) == pytest.approx(pitch, abs=1e-6)


def test_every_layout_renders_in_its_sensors_convention():
    for layout in suite_layouts():
        sample = clean_sample("still", layout, 40, 0)
        assert np.isfinite(sample.data).all() and sample.data.shape[0] == 1
        assert sample.data.shape[-1] == (2 if layout in ("coco-17", "penn-13") else 3)


def test_the_truth_lies_inside_the_clip_at_either_frame_rate():
    rates = set()
    for family in FAMILIES:
        for index in range(6):
            sample = clean_sample(family, "kinect-v2", 40, index)
            frames = sample.data.shape[1]
            rates.add(sample.fps)
            assert all(0 <= m.start <= m.end <= frames - 1 for m in sample.required + sample.optional), sample.sample_id
    assert rates == {15.0, 30.0}


def test_a_person_facing_a_kinect_has_the_right_shoulder_at_larger_x():
    """NW-UCLA's and UTD-MHAD's Kinect x grows to the sensor's left (the person's right)."""
    from actlm.data.layouts import get_layout
    for seed in range(30):
        sample = clean_sample("still", "kinect-v1", seed, 0)
        if sample.camera.view != "front" or abs(sample.camera.roll) > 20:
            continue
        names = get_layout("kinect-v1").joints
        x = sample.data[0, 0, :, 0]
        assert x[names.index("right_shoulder")] > x[names.index("left_shoulder")]
        return
    pytest.fail("no front view among the seeds")


def test_sbu_samples_are_in_metres_like_the_importers_data():
    """Layout sbu-15 data is what actlm's SBU importer stores (the release's inverse applied:
    metres, y up, x and y in one unit), not the file's normalised values."""
    from actlm.data.layouts import get_layout
    names = get_layout("sbu-15").joints
    for index in range(4):
        sample = clean_sample("still", "sbu-15", 40, index)
        if sample.camera.view != "front" or abs(sample.camera.pitch) > 10 or abs(sample.camera.roll) > 10:
            continue
        first = sample.data[0, 0]
        tall = first[names.index("head"), 1] - np.mean([first[names.index(f), 1] for f in ("left_foot", "right_foot")])
        wide = abs(first[names.index("left_shoulder"), 0] - first[names.index("right_shoulder"), 0])
        assert 0.9 < tall < 1.9                 # head above the feet in metres (child 1.19 m, adult 1.70 m)
        assert 0.15 < wide / tall * 1.7 < 0.5   # shoulders ~0.35 m on an adult: x has y's unit
        return
    pytest.fail("no level front view among the samples")


def test_a_wave_is_required_only_when_the_hand_goes_to_and_fro():
    """A hand that gets through less than one side-to-side cycle before coming down did not wave
    (short clips with a slow lift): the wave is then optional, otherwise required."""
    short = long = 0
    for index in range(40):
        sample = clean_sample("wave", "kinect-v2", 40, index)
        for m in sample.required:
            if m.motion == "wave":
                assert m.magnitude >= 1.0
                long += 1
        short += any(m.motion == "wave" and m.magnitude < 1.0 for m in sample.optional)
    assert short and long


@pytest.mark.parametrize("kind", failures.FAILURE_KINDS)
def test_failures_carry_what_failed(kind):
    sample = failure_sample(kind, "kinect-v2", 40, 1)
    assert sample.failure.kind == kind and sample.failure.joints
    assert sample.clean is not None and (sample.required or sample.optional)      # a short wave is optional
    if kind == "short_clip":
        assert 1 <= sample.data.shape[1] <= 8
    elif kind == "nan_values":
        assert not np.isfinite(sample.data).all()
    else:
        assert not np.allclose(sample.data, sample.clean)


def test_benchmark_slice_end_to_end(tmp_path):
    from experiments import facts_benchmark as bench
    out = tmp_path / "facts_gt"
    bench.main(["--per-family", "1", "--per-failure", "1", "--out", str(out)])
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["per_motion"] and set(record["failures"]) == set(failures.FAILURE_KINDS)
    assert "| motion |" in out.with_suffix(".md").read_text()
