"""The fact detector reads its durations (seconds) and speeds (per second) at the clip's frame rate:
``read_motion(..., fps=rate)``; a rate not given is 30 frames/s, the rate the constants were tuned at."""
from __future__ import annotations

import inspect
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from actlm.explain import facts as F
from actlm.explain.facts import known_fps, read_motion
from actlm.explain.quality import MIN_FRAMES, min_frames
from experiments.gt_motion.suite import clean_sample_at, resample_frames

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def swings(data: np.ndarray, layout: str, fps: float | None = None) -> list[str]:
    return sorted(f.part for f in read_motion(data, layout, fps=fps).facts if f.motion == "swing")


def said(data: np.ndarray, layout: str, fps: float | None = None) -> set[tuple[str, str]]:
    return {(f.motion, f.part) for f in read_motion(data, layout, fps=fps).facts}


def test_at_30_fps_every_duration_is_the_frame_count_it_was_tuned_as():
    """Today's behaviour at 30 frames/s exactly: each duration turns back into the frame count (and
    each speed into the per-frame amount) the detector used before it knew of rates."""
    rate = F._Rate(30.0)
    durations = (F.SEEN_NEAR, F.RAISE_TOP_NEAR, F.ARM_HALF_SWING, F.WAVE_RAISED, F.ARM_RUN_GAP, F.HAND_SEEN_RUN,
                 F.BEND_HELD, F.LEAN_FRAMES, F.LEG_GLITCH_BRIDGE, F.LEG_GLITCH_EDGE, F.TURN_GAP, F.TURN_FRAMES,
                 F.SWING_AROUND, F.SWING_VERTICAL_AROUND)
    assert [rate.frames(s) for s in durations] == [6, 3, 30, 8, 7, 3, 3, 6, 5, 2, 2, 8, 2, 1]
    windows = (F.SMOOTHING, F.QUICK_SMOOTHING, F.MEDIAN_WINDOW, F.REACH_FACING_SMOOTHING, F.TURN_SMOOTHING)
    assert [rate.window(s) for s in windows] == [5, 3, 5, 7, 7]
    assert rate.per_frame(F.THRESHOLDS["swing"]) == 0.1 and rate.per_frame(F.SWING_RESTING) == 1e-3
    assert rate.per_frame(F.WALK_MOVING) == 0.004 and rate.per_frame(F.FACING_FLIP) == 45
    assert F._rate(None) == rate and min_frames(None) == min_frames(30.0) == MIN_FRAMES == 10


def test_no_frame_count_is_defaulted_at_30_fps():
    """A helper that counts frames takes the count (or the rate) from its caller: a default evaluated
    at import is 30 frames/s, and a caller that left it out would read a 15 or 60 fps clip at 30."""
    counted = {F._seen_near: "frames", F._body_hand_seen: "least", F._held: "width",
               F._readable_stretches: "gap", F._arm_run_reversals: "rate"}
    for function, count in counted.items():
        assert inspect.signature(function).parameters[count].default is inspect.Parameter.empty, function
    functions = [f for f in vars(F).values() if inspect.isfunction(f) and f.__module__ == F.__name__]
    defaulted = [(f.__name__, p.name) for f in functions for p in inspect.signature(f).parameters.values()
                 if isinstance(p.default, F._Rate)]
    assert not defaulted, defaulted


def test_durations_follow_the_rate_and_windows_stay_odd_and_at_least_three_frames():
    at15, at60 = F._Rate(15.0), F._Rate(60.0)
    assert (at15.frames(F.ARM_HALF_SWING), at60.frames(F.ARM_HALF_SWING)) == (15, 60)
    assert (at15.frames(F.SEEN_NEAR), at60.frames(F.SEEN_NEAR)) == (3, 12)
    assert (at15.window(F.SMOOTHING), at60.window(F.SMOOTHING)) == (3, 11)
    assert at15.window(F.QUICK_SMOOTHING) == 3          # 1.5 frames: no average of a per-frame jitter
    assert all(F._Rate(r).window(s) % 2 == 1 and F._Rate(r).window(s) >= 3
               for r in (5, 12.5, 15, 24, 25, 29.97, 30, 50, 60, 120) for s in (F.SMOOTHING, F.TURN_SMOOTHING))
    assert at60.per_frame(F.THRESHOLDS["swing"]) == pytest.approx(0.05)
    assert (min_frames(15), min_frames(60), min_frames(5)) == (5, 20, 5)


def test_a_rate_that_says_nothing_is_30_and_one_that_is_no_rate_is_refused():
    data = np.zeros((1, 20, 20, 3), np.float32)
    for bad in (0, -30, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="fps"):
            read_motion(data, "kinect-v1", fps=bad)
    assert [known_fps(v) for v in (0, 0.0, -1, float("nan"), None, "x", 25, 29.97)] == [None] * 6 + [25.0, 29.97]


@pytest.mark.parametrize("family,layout,index", [
    ("wave", "kinect-v1", 3), ("wave", "blazepose-33", 0), ("wave", "coco-17", 2), ("walk", "kinect-v2", 4),
    ("turn", "sbu-15", 6), ("squat", "blazepose-33", 0), ("hands_together", "utd-mhad", 7),
    ("raise", "body-13", 1), ("lean_back", "kinect-v2", 4)])
def test_a_generated_motion_filmed_at_15_or_60_fps_gives_the_facts_it_gives_at_30(family, layout, index):
    """The same performance and camera filmed at 15, 30 and 60 frames/s (experiments/gt_motion), the
    detector told the rate: the same motions of the same parts, the true ones among them."""
    at = {rate: clean_sample_at(family, layout, 40, index, rate) for rate in (15, 30, 60)}
    base = said(at[30].data, layout, 30)
    assert {m.motion for m in at[30].required} <= {motion for motion, _ in base}
    assert said(at[15].data, layout, 15) == base and said(at[60].data, layout, 60) == base


def _ucla(name: str) -> np.ndarray:
    import json
    path = DATA / "nw-ucla" / "all_sqe" / f"{name}.json"
    if not path.exists():
        pytest.skip(f"NW-UCLA data not found at {path.parent}")
    return np.asarray(json.loads(path.read_text())["skeletons"], dtype=np.float64)


def test_a_fast_arm_filmed_at_60_fps_is_a_swing_only_when_the_rate_is_told():
    """NW-UCLA a09_s01_e03_v02 (doffing: the right arm flung out of the sleeve) at 30 frames/s, and
    resampled to 60: a frame carries the arm half as far, under the per-frame threshold of 30 fps."""
    clip = _ucla("a09_s01_e03_v02")
    at60 = resample_frames(clip, 30, 60)[None]
    assert swings(clip[None], "kinect-v1") == ["right_arm"]
    assert swings(at60, "kinect-v1", 60) == ["right_arm"]
    assert swings(at60, "kinect-v1") == []                    # read as 30 fps: missed


def test_an_arm_filmed_at_15_fps_read_as_30_swings_falsely():
    """UTD-MHAD a12_s1_t1 keeping every second frame (15 frames/s): a frame carries the arm twice as
    far, over the per-frame threshold of 30 fps; told the rate, no swing, as at 30."""
    from actlm.data import utdmhad
    path = DATA / "utd-mhad" / "a12_s1_t1_skeleton.mat"
    if not path.exists():
        pytest.skip(f"UTD-MHAD data not found at {path.parent}")
    clip = utdmhad.read_sequence(path).data
    at15 = clip[:, ::2]
    assert swings(clip, "utd-mhad") == [] and swings(at15, "utd-mhad", 15) == []
    assert swings(at15, "utd-mhad") == ["right_arm"]           # read as 30 fps: a false swing


def test_sbu_kinect_capture_rate_reaches_the_detector(shared_data, tmp_path, monkeypatch):
    """SBU Kinect Interaction is 15 frames/s: a prepared SBU sample says so (Sample.fps, from the
    catalogue's one table), and the readers that take a prepared sample (the dataset describer)
    hand it to the detector."""
    from actlm.data import SkeletonSet, prepare
    from actlm.data.catalog import capture_fps
    from actlm.language.describers import dataset as describer

    raw = tmp_path / "raw"
    for rel in ("s01s02/01/001", "s01s02/03/001"):
        (raw / rel).mkdir(parents=True)
        (raw / rel / "skeleton_pos.txt").write_text((shared_data / "sbu-kinect" / rel / "skeleton_pos.txt").read_text())
    ds = SkeletonSet(prepare("sbu", raw=raw, out=tmp_path / "sbu").output)
    assert capture_fps("sbu") == capture_fps("sbu-kinect") == 15.0 and capture_fps("nw-ucla") == 30.0
    assert capture_fps("my-own-folder") is None
    told: list[float | None] = []
    original = F.read_motion

    def recording(*args, **kwargs):
        told.append(kwargs.get("fps"))
        return original(*args, **kwargs)

    monkeypatch.setattr(F, "read_motion", recording)
    for sample in ds:
        assert sample.fps == 15.0
        describer.facts_of(sample, ds.layout)
    assert told == [15.0, 15.0]


def test_a_videos_frame_rate_reaches_its_evidence(monkeypatch):
    """``actlm predict`` on a video: the evidence is measured at the video's rate (pose.fps); a
    container that tells no rate (0) is read at 30."""
    import actlm.pipeline as pipeline

    told: list[float | None] = []
    def gather(*args, **kwargs):
        told.append(kwargs.get("fps"))
        return SimpleNamespace(problems=[])          # evidence_for_video renames its problems' frames

    monkeypatch.setattr(pipeline, "gather_evidence", gather)
    for rate in (25.0, 0.0, 60):
        pipeline.evidence_for_video(None, None, np.zeros((1, 20, 17, 3)), "coco-17", ["a"], "clip.mp4", fps=rate)
    assert told == [25.0, None, 60.0]
