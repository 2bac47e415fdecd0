"""The fact detector (actlm.explain.facts, .quality, .world) on the failure cases of issue 40,
each pinned on the real NW-UCLA sequence the audit found it on, plus bad input and the world
frame on transformed real skeletons."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from actlm.explain.evidence import Evidence
from actlm.explain.facts import Fact, _Rate, kinematic_facts, read_motion
from actlm.explain.text import template_explanation

UCLA = Path(__file__).resolve().parents[2] / "shared" / "data" / "nw-ucla" / "all_sqe"


def ucla(sample: str) -> np.ndarray:
    """One real NW-UCLA sequence as (M=1, T, 20, 3), metres."""
    path = UCLA / f"{sample}.json"
    if not path.exists():
        pytest.skip(f"NW-UCLA data not found at {UCLA}")
    return np.asarray(json.loads(path.read_text())["skeletons"], dtype=np.float32)[None]


def motions(reading) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = {}
    for f in reading.facts:
        out.setdefault(f.motion, []).append(f)
    return out


def kinds(reading) -> set[str]:
    return {p.kind for p in reading.problems}


# --- the audit's failure modes, on the sequences it found them on ------------------------------
def test_a_walk_is_not_read_as_sitting_down():
    reading = read_motion(ucla("a04_s04_e03_v03"), "kinect-v1")   # up from the first quarter's spine said "sits down"
    found = motions(reading)
    assert "sit_down" not in found and "squat" not in found
    assert "walk" in found and reading.unit == "m" and " m" in found["walk"][0].text


def test_no_forward_bend_at_an_upright_end():
    reading = read_motion(ucla("a05_s06_e03_v03"), "kinect-v1")   # sit down; said "bends forward 40 deg" at the end
    assert "sit_down" in motions(reading)
    for f in reading.facts:
        if f.motion in ("bend", "lean_back"):
            assert f.time < 0.67, f


def test_a_forward_bend_seen_from_behind_is_not_leaning_back():
    reading = read_motion(ucla("a01_s04_e01_v03"), "kinect-v1")   # pick up seen from behind, bent ~67 deg
    found = motions(reading)
    assert "lean_back" not in found and "bend" in found
    assert "turn" not in found                                      # the shoulder line collapses edge-on
    assert "collapsed_shoulders" in kinds(reading)


def test_one_hand_above_the_head_is_not_both():
    reading = read_motion(ucla("a12_s08_e01_v03"), "kinect-v1")
    texts = [f.text for f in reading.facts]
    assert not any("both hands above the head" in t for t in texts)
    assert "raises the right hand above the head" in texts
    assert not any("left hand above the head" in t for t in texts)


def test_a_short_walk_is_not_no_movement():
    reading = read_motion(ucla("a04_s09_e04_v03"), "kinect-v1")   # walks ~0.65 m; said "no movement"
    assert "walk" in motions(reading) and "still" not in motions(reading)
    assert "backward" not in motions(reading)["walk"][0].text     # Kinect mirrors a person walking away


def test_sitting_back_is_not_walking_backward():
    reading = read_motion(ucla("a05_s08_e01_v03"), "kinect-v1")   # the hips move back, the feet stay
    assert "walk" not in motions(reading)
    assert "sit_down" in motions(reading)


def test_a_dead_track_is_named_and_states_no_motion():
    reading = read_motion(ucla("a01_s01_e04_v03"), "kinect-v1")   # a pick up whose skeleton never moves
    assert "no_motion" in kinds(reading)
    assert all(f.motion == "still" for f in reading.facts)
    problem = next(p for p in reading.problems if p.kind == "no_motion")
    assert "dead track" in problem.text and "28 frames" in problem.text


def test_six_frames_are_too_short_to_read():
    data = ucla("a01_s10_e00_v03")
    reading = read_motion(data, "kinect-v1")
    assert reading.blocked and reading.facts == []
    assert reading.problems[0].kind == "too_short" and reading.problems[0].text.startswith("6 frames only")
    with pytest.raises(ValueError, match="6 frames only"):
        kinematic_facts(data, "kinect-v1")


def test_every_fact_peaks_inside_its_extent():
    for sample in ("a04_s04_e03_v03", "a05_s06_e03_v03", "a01_s04_e01_v03", "a12_s08_e01_v03", "a06_s01_e00_v01"):
        for f in read_motion(ucla(sample), "kinect-v1").facts:
            assert 0.0 <= f.start <= f.time <= f.end <= 1.0, (sample, f)


# --- bad input --------------------------------------------------------------------------------
def test_nan_and_inf_are_named_never_read():
    data = ucla("a12_s08_e01_v03").copy()
    data[0, 3:6, 7] = np.nan
    data[0, 9, 11] = np.inf
    reading = read_motion(data, "kinect-v1")
    nan = next(p for p in reading.problems if p.kind == "nan")
    assert nan.frames == (3, 9) and "NaN or infinite values in frames 3-9" in nan.text
    assert not any("nan" in f.text.lower() for f in reading.facts)
    everywhere = read_motion(np.full((1, 30, 20, 3), np.nan), "kinect-v1")
    assert everywhere.blocked and "NaN" in everywhere.problems[0].text


def test_a_single_frame_is_named():
    reading = read_motion(ucla("a12_s08_e01_v03")[:, :1], "kinect-v1")
    assert reading.blocked and reading.problems[0].kind == "single_frame"


def test_a_frozen_track_is_dead_from_the_frame_it_freezes():
    data = ucla("a04_s04_e03_v03").copy()
    data[0, 12:] = data[0, 11]
    reading = read_motion(data, "kinect-v1")
    dead = next(p for p in reading.problems if p.kind == "dead_track")
    assert "from frame 12" in dead.text
    assert all(f.end <= 12 / 20 + 1e-6 for f in reading.facts)        # nothing read from the dead frames


def test_a_jumping_hand_is_not_read_as_a_swing():
    data = ucla("a01_s04_e01_v03").copy()[:, :, :, :]
    calm = read_motion(data, "kinect-v1")
    data[0, 10, 11] += np.array([0.0, 0.9, 0.0], dtype=np.float32)   # the right hand spikes 0.9 m for one frame
    jumped = read_motion(data, "kinect-v1")
    assert "jumping_joint" in kinds(jumped)
    assert [f.text for f in jumped.facts if f.part.startswith("right")] == \
        [f.text for f in calm.facts if f.part.startswith("right")]


def test_low_visibility_joints_are_not_read():
    data = ucla("a12_s08_e01_v03")
    visibility = np.ones(data.shape[:3])
    visibility[0, :, 11] = 0.1                                          # the right hand unseen throughout
    reading = read_motion(data, "kinect-v1", visibility=visibility)
    assert "low_visibility" in kinds(reading)
    assert not any(f.part in ("right_hand", "right_arm", "both_hands") for f in reading.facts)


# --- the world frame ----------------------------------------------------------------------------
def _pitched(data: np.ndarray, degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    rot = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]], dtype=np.float32)
    return data @ rot.T


def test_up_comes_from_gravity_not_from_the_camera():
    walk = ucla("a04_s04_e03_v03")
    for pitch in (-25, 25):
        reading = read_motion(_pitched(walk, pitch), "kinect-v1")
        assert "walk" in motions(reading) and "sit_down" not in motions(reading) and "stand_up" not in motions(reading)


def test_distances_are_in_statures_without_metric_scale():
    walk = ucla("a04_s04_e03_v03")
    metres = read_motion(walk, "kinect-v1")
    scaled = read_motion(walk * 10, "kinect-v1")                   # decimetres: a 17-unit person
    assert metres.unit == "m" and scaled.unit == "stature"
    assert "statures" in motions(scaled)["walk"][0].text
    assert motions(scaled)["walk"][0].strength == pytest.approx(motions(metres)["walk"][0].strength, rel=0.02)


def test_2d_image_data_reads_y_down():
    data = ucla("a06_s01_e00_v01")                                  # stand up
    image = np.stack([data[..., 0] * 300 + 320, -data[..., 1] * 300 + 240], axis=-1)   # pixels, y down
    assert "stand_up" in motions(read_motion(data, "kinect-v1"))
    assert "stand_up" in motions(read_motion(image, "kinect-v1"))


# --- the words ------------------------------------------------------------------------------------
def test_the_template_says_the_problems_first():
    reading = read_motion(ucla("a01_s10_e00_v03"), "kinect-v1")
    ev = Evidence("a01_s10_e00_v03", "pick up with one hand", 0.8, "drop trash", 0.05, {"right_arm": 0.3},
                  ["right_arm"], (0.0, 0.5), reading.facts, [], problems=reading.problems)
    text = template_explanation(ev)
    assert text.startswith("Tracking: 6 frames only: too short to read motion")
    assert "No motion is stated." in text and "nan" not in text.lower()


# --- video: root motion recovered from the image -------------------------------------------------
def test_root_motion_is_recovered_from_the_hips_image_trajectory():
    from actlm.pose.root import add_root_motion

    t = 30
    world = np.zeros((t, 33, 3), np.float32)
    world[:, 11:13] = [[-0.2, 0.5, 0], [0.2, 0.5, 0]]                 # shoulders 0.5 m above the hip centre
    world[:, 23:25] = [[-0.1, 0, 0], [0.1, 0, 0]]
    image = np.zeros((t, 33, 2), np.float32)
    shift = np.linspace(0, 100, t)[:, None]                             # the hips slide 100 px to the right
    image[:, 11:13] = np.array([[300, 100], [340, 100]]) + np.stack([shift[:, 0], 0 * shift[:, 0]], 1)[:, None]
    image[:, 23:25] = np.array([[310, 200], [330, 200]]) + np.stack([shift[:, 0], 0 * shift[:, 0]], 1)[:, None]
    moved = add_root_motion(world, image, np.ones((t, 33), np.float32), (640, 480))
    assert moved[0, 23, 0] == pytest.approx(-0.1)
    assert moved[-1, 23, 0] - moved[0, 23, 0] == pytest.approx(0.5, rel=0.05)   # 100 px at 0.005 m/px
    assert np.allclose(moved[:, :, 1:], world[:, :, 1:], atol=1e-5)     # no vertical or depth motion


def test_a_video_skeleton_moves_through_the_room():
    """On a real clip (tai_chi.mp4, 30 frames): the hips move in the world landmarks once the
    root motion is added back (BlazePose alone pins them to the origin in every frame)."""
    video = UCLA.parents[1] / "videos" / "tai_chi.mp4"
    pytest.importorskip("mediapipe")
    if not video.exists():
        pytest.skip("shared videos not found")
    from itertools import islice

    from actlm.pose.backends import get_backend
    from actlm.pose.video import read_frames

    pose = get_backend("blazepose").estimate(islice(read_frames(video), 30), 30.0)
    hips = pose.world[0, :, 23:25].mean(axis=1)
    seen = pose.visibility[0].max(axis=1) > 0
    assert seen.sum() > 25
    assert np.ptp(hips[seen], axis=0).max() > 0.02                     # not pinned at the origin
    reading = read_motion(pose.world, "blazepose-33", visibility=pose.visibility)
    assert reading.unit == "m" and not reading.blocked


def test_left_and_right_swapped_by_the_tracker_are_named_and_not_read():
    data = ucla("a12_s08_e01_v03").copy()
    order = np.arange(20)
    for left, right in ((4, 8), (5, 9), (6, 10), (7, 11), (12, 16), (13, 17), (14, 18), (15, 19)):
        order[left], order[right] = right, left
    data[0, 6:11] = data[0, 6:11][:, order]                           # left/right labels swapped for 5 frames
    reading = read_motion(data, "kinect-v1")
    swapped = next(p for p in reading.problems if p.kind == "swapped_sides")
    assert swapped.frames == (6, 10)
    assert not any("left hand above the head" in f.text for f in reading.facts)


def test_evidence_refuses_nan_and_single_frame_input_with_a_clear_statement():
    from actlm.explain.errors import ExplainError
    from actlm.explain.evidence import gather_evidence

    data = ucla("a12_s08_e01_v03").copy()
    data[0, 4, 3] = np.nan
    with pytest.raises(ExplainError, match="NaN or infinite values in frame 4") as err:
        gather_evidence(None, None, data, "kinect-v1", ["a", "b"], "a12_s08_e01_v03")   # before any model runs
    assert "nan%" not in str(err.value)
    with pytest.raises(ExplainError, match="a single frame"):
        gather_evidence(None, None, data[:, :1], "kinect-v1", ["a", "b"], "one_frame")


# --- failures found by the generated ground truth (experiments/gt_motion, issue 40 item 1a) --------
def _generated(family: str, layout: str, index: int, failure: bool = False):
    from experiments.gt_motion.suite import clean_sample, failure_sample
    sample = (failure_sample if failure else clean_sample)(family, layout, 40, index)
    return sample, read_motion(sample.data, layout)


@pytest.mark.parametrize("layout,index", [("kinect-v1", 3), ("utd-mhad", 7), ("coco-17", 10), ("body-13", 1)])
def test_hands_tracked_at_guesses_behind_the_back_state_no_motion(layout, index):
    """Hands behind the back, tracked at wandering guesses: a guess further from the shoulder (or
    elbow) than an arm reaches makes the whole hand track unreadable, said as a problem."""
    sample, reading = _generated("hands_behind", layout, index, failure=True)
    assert "guessed_hand" in kinds(reading)
    assert not [f for f in reading.facts if "hand" in f.part or "arm" in f.part], reading.facts


@pytest.mark.parametrize("layout,index", [("kinect-v1", 67), ("utd-mhad", 63)])
def test_a_raise_is_not_also_a_swing(layout, index):
    """A brisk raise (of one arm or both) is a fast arm: it is called a raise, not a swing."""
    sample, reading = _generated("raise", layout, index)
    found = motions(reading)
    assert "raise" in found and "swing" not in found


def test_standing_still_states_the_largest_excursion_it_measured():
    for index in (0, 9, 23):
        sample, reading = _generated("still", "kinect-v2" if index == 0 else "body-13", index)
        (still,) = motions(reading)["still"]
        bound = float(still.text.split("about ")[1].split()[0])
        largest = max(reading.moved.values()) * (reading.stature if reading.unit == "m" else 1.0)
        assert bound >= round(largest, 2) - 1e-9, (still.text, reading.moved)


@pytest.mark.parametrize("index", [34, 90])
def test_walking_across_a_2d_image_is_not_sitting_down(index):
    """In an image a body walking away climbs the image and shrinks (its hips 'drop'); sitting
    down folds the legs against the torso, which walking does not."""
    sample, reading = _generated("walk", "coco-17", index)
    assert not {"sit_down", "stand_up"} & set(motions(reading))
    _, seated = _generated("sit_down", "coco-17", 2)
    assert "sit_down" in motions(seated)


def test_reversals_need_the_swing_not_one_big_step():
    from actlm.explain.facts import _reversals
    t = np.arange(60)
    wave = 0.05 * np.sin(2 * np.pi * t / 15)          # a smooth wave: ~7 reversals
    assert _reversals(wave, 0.03) >= 6
    assert _reversals(wave, 0.11) == 0                 # never swings that far
    rng = np.random.default_rng(0)
    assert _reversals(0.001 * rng.normal(size=60), 0.03) == 0


def test_reversals_count_the_first_half_swing():
    """A hand that starts waving mid-swing turns back at the end of that first half swing: out,
    back and out again is two turns (one to-and-fro), as the hand-check rule counts them."""
    from actlm.explain.facts import _reversals
    t = np.arange(24)
    assert _reversals(0.05 * np.sin(2 * np.pi * t / 16), 0.08) == 2
    assert _reversals(np.r_[np.zeros(5), np.linspace(0, 0.1, 10), np.full(5, 0.1)], 0.03) == 0   # a drift


def test_jitter_is_the_sensor_noise_not_the_motion():
    from actlm.explain.facts import _jitter
    rng = np.random.default_rng(1)
    t = np.arange(90)
    assert abs(_jitter(0.02 * rng.normal(size=90)) - 0.02) < 0.006
    assert _jitter(0.1 * np.sin(2 * np.pi * t / 15)) < 0.01                   # a 2 Hz wave at 30 frames/s


@pytest.mark.parametrize("family,layout,index", [("raise", "blazepose-33", 40), ("raise", "penn-13", 109),
                                                 ("raise", "utd-mhad", 79)])
def test_a_held_hand_whose_jitter_turns_back_is_not_a_wave(family, layout, index):
    """Turns of a held hand no larger than a few times its sensor jitter are no wave (seed 40:
    these were read as waves)."""
    sample, reading = _generated(family, layout, index)
    assert "wave" not in motions(reading)


@pytest.mark.parametrize("layout,index", [("utd-mhad", 47), ("kinect-v1", 203)])
def test_a_wave_while_turning_is_read_against_the_shoulders(layout, index):
    """A body turning by 120-150 degrees while waving carries the hand round with it; side to side
    is read against the shoulder line."""
    sample, reading = _generated("combo", layout, index)
    assert sample.sample_id.startswith("turn+wave")
    assert "wave" in motions(reading)


@pytest.mark.parametrize("family,layout,index", [("combo", "utd-mhad", 103), ("sit_down", "penn-13", 173),
                                                 ("stand_up", "coco-17", 114), ("sit_down", "coco-17", 66)])
def test_hands_of_a_seated_body_do_not_reach_down(family, layout, index):
    """Hands hanging beside a chair's seat are below the knees, and in an image hands resting on
    thighs that point at the camera look far below the hips: no reach down (seed 40: they were)."""
    sample, reading = _generated(family, layout, index)
    assert "reach_down" not in motions(reading)


@pytest.mark.parametrize("family,layout,index", [
    ("wave", "coco-17", 10),
    pytest.param("wave", "utd-mhad", 7, marks=pytest.mark.xfail(strict=True, reason=(
        "a known missed wave since side to side is read against the neck (facts_gt seed 40: wave 0.987 / 0.880 "
        "-> 0.982 / 0.884, seed 41 0.987 / 0.897 -> 0.996 / 0.905); strict: a fix shows as XPASS")))])
def test_a_smooth_wave_is_read(family, layout, index):
    sample, reading = _generated(family, layout, index)
    assert "wave" in motions(reading)


@pytest.mark.parametrize("layout,index", [
    ("kinect-v1", 59),
    # body-13 #9: a false wave from the shoulder line's axis until the neck anchor, then (s9-wave11) from
    # side-to-side bumps of the held hand's noise; its depth noise is larger than those bumps (WAVE_DEPTH)
    ("body-13", 9)])
def test_a_held_raised_hand_jittering_is_not_a_wave(layout, index):
    sample, reading = _generated("raise", layout, index)
    assert "raise" in motions(reading) and "wave" not in motions(reading)


@pytest.mark.parametrize("family,index", [("raise", 61), ("reach_forward", 21)])
def test_an_arm_moved_along_the_line_of_sight_in_2d_is_not_standing_still(family, index):
    sample, reading = _generated(family, "penn-13", index)
    assert "still" not in motions(reading)


@pytest.mark.parametrize("layout,index", [("coco-17", 74), ("coco-17", 146), ("coco-17", 162), ("coco-17", 210),
                                          ("penn-13", 101)])
def test_a_lean_back_along_the_line_of_sight_in_2d_is_not_standing_still(layout, index):
    """Leaning back 22-33 degrees seen from the front or back (facts_gt seed 40): no joint moves far in
    the image and the trunk shortens by under TRUNK_FORESHORTEN, but the head shifts against the
    hips and stays there; these were read as 'stays in place'."""
    sample, reading = _generated("lean_back", layout, index)
    assert sample.params["trunk_deg"] <= -20
    assert "still" not in motions(reading), reading.facts


@pytest.mark.parametrize("layout,index", [("penn-13", 21), ("coco-17", 98), ("penn-13", 61), ("penn-13", 189)])
def test_a_body_standing_still_in_2d_still_stays_in_place(layout, index):
    """Standing still with sway, seen in 2D: the generated samples whose head moves most against
    the hips in the image (the half-second mean spans 0.027-0.033 statures, as far as 6.7 times its
    jitter) keep 'stays in place'."""
    sample, reading = _generated("still", layout, index)
    assert "still" in motions(reading), reading.facts


@pytest.mark.parametrize("name", ["1002", "1033"])
def test_a_body_hopping_or_shifting_in_place_in_2d_stays_in_place(name):
    """Penn Action clips whose 'stays in place' the hand-check judged to hold (rounds 57 and 59):
    rope jumping, the head 0.04 statures against hips hopping 0.09 (1002), and a body whose head
    shifts 0.027 against its hips (1033)."""
    from experiments.facts_handcheck import Source, load, read_facts
    path = PENN / f"{name}.mat"
    if not path.exists():
        pytest.skip(f"Penn Action data not found at {PENN}")
    data, layout, visibility, guessed, _ = load(Source("penn-action", path, ""))     # as the hand-check read it
    facts, _ = read_facts(data, layout, visibility, guessed)
    assert "still" in [f.motion for f in facts], facts


@pytest.mark.parametrize("layout,index", [("utd-mhad", 23), ("utd-mhad", 47)])
def test_a_raise_passing_through_the_front_is_not_a_forward_reach(layout, index):
    sample, reading = _generated("raise", layout, index)
    assert "raise" in motions(reading) and "reach_forward" not in motions(reading)


UTD = Path(__file__).resolve().parents[2] / "shared" / "data" / "utd-mhad"


def utd(name: str) -> np.ndarray:
    from actlm.data import utdmhad
    path = UTD / f"{name}.mat"
    if not path.exists():
        pytest.skip(f"UTD-MHAD data not found at {UTD}")
    return utdmhad.read_sequence(path).data


@pytest.mark.parametrize("name", ["a25_s8_t1_skeleton", "a26_s1_t3_skeleton"])
def test_hands_going_down_with_the_body_do_not_reach_down(name):
    """Stand to sit and a lunge: the hanging hands go down with the pelvis (hand-check pattern f)."""
    reading = read_motion(utd(name), "utd-mhad")
    assert "reach_down" not in motions(reading)
    assert {"sit_down", "squat"} & set(motions(reading))


def test_a_kinect_v1_spine_line_leaning_back_when_standing_is_not_a_lean():
    """Kinect v1's hip-centre to shoulder-centre line leans back ~8 degrees in a standing person;
    donning, trunk at most ~10 degrees behind upright, was said to lean back by 20 (pattern b)."""
    reading = read_motion(ucla("a08_s02_e04_v03"), "kinect-v1")
    assert "lean_back" not in motions(reading)


PENN = Path(__file__).resolve().parents[2] / "shared" / "data" / "penn-action"


def penn(name: str) -> tuple[np.ndarray, np.ndarray]:
    import scipy.io as sio
    from actlm.data import penn as reader
    path = PENN / f"{name}.mat"
    if not path.exists():
        pytest.skip(f"Penn Action data not found at {PENN}")
    return reader.read_sequence(path).data, sio.loadmat(path, variable_names=["visibility"])["visibility"].astype(float)


@pytest.mark.parametrize("name", ["1400", "1604"])
def test_a_lying_body_neither_bends_nor_leans(name):
    """A push-up and a sit-up (2D): the trunk lies near the floor; a bend is a change from upright
    (hand-check pattern h: 'bends forward by 100 degrees')."""
    data, visibility = penn(name)
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert not [f for f in reading.facts if f.motion in ("bend", "lean_back") and f.strength > 70], reading.facts


@pytest.mark.parametrize("layout,index", [("sbu-15", 6), ("penn-13", 21)])
def test_a_track_lost_before_the_end_is_said_and_no_end_state_is_claimed(layout, index):
    """A squat whose track turns to zeros at its lowest point read as 'lowers the body and stays
    down': how the clip ends is not seen."""
    sample, reading = _generated("dead_track", layout, index, failure=True)
    assert "track_lost" in kinds(reading)
    assert not {"sit_down", "stand_up", "still"} & set(motions(reading))


def test_a_frozen_body_is_not_said_to_stand_still():
    sample, reading = _generated("frozen_joints", "kinect-v2", 20, failure=True)
    assert "dead_track" in kinds(reading) and "still" not in motions(reading)


@pytest.mark.parametrize("layout,index", [
    pytest.param("body-13", 17, marks=pytest.mark.xfail(strict=True, reason=(
        "the guess drifts up to shoulder height 0.20 statures behind the shoulders' plane, beside the body "
        "(nearer the camera than the shoulders, outside the torso's silhouette: not hidden), elbow 0.14 below "
        "the shoulder, never beyond reach, one frame dropped: the same geometry as NW-UCLA a11_s07_e00_v03's "
        "throw wind-up (-0.18 behind, elbow -0.13), whose raise is true; no rule of the skeleton tells them apart"))),
    pytest.param("penn-13", 29, marks=pytest.mark.xfail(strict=True, reason=(
        "2D: the guessed wrist sits on the elbow, then steps up 0.12 statures in one frame to the shoulder "
        "(0.04-0.08 from it) and stays; 17 of 61 frames dropped as jumps but never beyond reach; clean raises "
        "drop as many frames in their rise (kinect-v1 #171, penn-13 #69: 25 %), and a whole-track rule for hands "
        "jumping in 10 % of frames would drop a hand in 5 % of the clean samples"))),
    pytest.param("coco-17", 42, marks=pytest.mark.xfail(strict=True, reason=(
        "2D: the guessed wrist drifts up to shoulder height beside the other shoulder within reach (frames "
        "5-49), then is thrown beyond the forearm's reach for 30 frames, which the jump check drops (a "
        "stretched bone) so the guessed-hand check never sees them; counting such dropped frames (held "
        "beyond reach for 2+ consecutive frames) fixes it and costs nothing on the clean suite, but Penn "
        "Action's annotated hands do it in 420 of 4370 hands (even with the invisible joints left out; "
        "tennis serve raise recall 0.984 -> 0.909, clean and jerk 0.92 -> 0.864), NW-UCLA in 69 of 2933")))])
def test_a_guessed_hand_within_reach_is_not_raised(layout, index):
    """The two hands-behind cases facts_gt seed 40 still reads as raised (see the reasons)."""
    sample, reading = _generated("hands_behind", layout, index, failure=True)
    assert "raise" not in motions(reading), reading.facts


def test_a_reach_on_the_way_down_from_a_raise_frozen_at_its_top_is_that_raise():
    """Both arms raised above the head in front, the body frozen (dead) at the top for 12 frames:
    unread frames inside the raise do not end it, so the forward-stretched arms on the way down are
    the raise passing through, as in the clean clip (the frozen frames once split it off as a reach)."""
    sample, reading = _generated("frozen_joints", "blazepose-33", 0, failure=True)
    found = motions(reading)
    assert "dead_track" in kinds(reading)
    assert "reach_forward" not in found, reading.facts
    assert {f.part for f in found["raise"]} == {"right_hand", "left_hand"}


def test_extent_across_gaps_bridges_unread_frames_only_while_the_signal_stays_up():
    from actlm.explain.facts import _extent_across_gaps
    x = np.r_[np.zeros(5), np.ones(5), np.full(3, np.nan), np.ones(4), np.zeros(5)]
    assert _extent_across_gaps(x, 6, 0.5) == (5, 16)
    x[13:17] = 0.0                              # down after the gap: the extent ends before it
    assert _extent_across_gaps(x, 6, 0.5) == (5, 9)


def test_sitting_down_needs_the_hips_read_at_the_clip_end():
    """Seen edge-on, a tracker swaps left and right from frame 18 to the end of a squat: the hips
    are unread there, and the level read from the last frames seen (on the way down) is no end;
    facts_gt seed 40 said 'lowers the body ... and stays down'."""
    sample, reading = _generated("edge_on_shoulders", "coco-17", 42, failure=True)
    assert "swapped_sides" in kinds(reading)
    assert not {"sit_down", "stand_up"} & set(motions(reading)), reading.facts


def test_sides_swapped_for_a_person_seen_from_behind_are_said():
    """When the knees say the Kinect sees the person from behind, the sides named are the person's
    own, not the file's labels: said as a problem (a reader checking the file's joint names would
    otherwise find 'left' where the skeleton says right); not said when no side is named."""
    reading = read_motion(ucla("a11_s02_e03_v03"), "kinect-v1")        # a throw; the knees bend to the labelled back
    assert "mirrored_sides" in kinds(reading)
    assert any(f.part.startswith(("left", "right")) for f in reading.facts)
    facing = read_motion(ucla("a12_s08_e01_v03"), "kinect-v1")
    assert "mirrored_sides" not in kinds(facing)


def test_a_jump_problem_names_its_runs_not_the_read_frames_between_them():
    """NW-UCLA a01_s08_e00 (pick up with one hand): the left hand and wrist are flagged as jumping
    in frames 6-7 and 15-16 and read in 8-14 between; the problem said 'in frames 6-16 ... no motion
    is read from them there', while the hand's touch of the head and raise were read in 8-14
    (hand-check round 16: the detector contradicting its own flags)."""
    from actlm.explain.quality import _runs_words
    reading = read_motion(ucla("a01_s08_e00_v03"), "kinect-v1")
    jump = next(p for p in reading.problems if p.kind == "jumping_joint")
    assert "frames 6-7 and 15-16" in jump.text, jump.text
    assert _runs_words(np.array([4])) == "frame 4"
    assert _runs_words(np.array([1, 2, 5, 9, 10])) == "frames 1-2, 5 and 9-10"
    assert _runs_words(np.array([1, 3, 5, 7])) == "frames 1-7 (4 separate stretches)"


def test_nearly_straight_knees_slightly_behind_do_not_mirror_the_sides():
    """UTD-MHAD a2_s4_t3 (swipe right, the subject faces the sensor): its nearly straight knees
    (154-160 degrees, 6 frames) sit 0.01-0.05 m behind the labelled front, too little to tell front
    from back; it was read as a back view and the skeleton's right hand, which swipes (rises 0.87 m
    to 0.34 m over its shoulder), was named the left (hand-check round 16: 2 false facts). Keep the
    labels' sides; a back view with straight legs seen longer (NW-UCLA a09_s08_e01, doffing, 24
    frames, judged with the mirrored sides in round 7) stays mirrored."""
    reading = read_motion(utd("a2_s4_t3_skeleton"), "utd-mhad")
    assert "mirrored_sides" not in kinds(reading)
    parts = {f.part for f in reading.facts if f.motion in ("raise", "lower")}
    assert parts == {"right_hand"}, reading.facts
    assert "mirrored_sides" in kinds(read_motion(ucla("a09_s08_e01_v03"), "kinect-v1"))



def test_a_knee_placed_off_its_bones_is_no_mirror_evidence():
    """UTD-MHAD a11_s4_t1 (draw triangle, the subject faces the sensor): the right knee reads 154-156
    degrees for frames 0-14, 0.04 statures behind the labelled front, with its thigh 37% longer and
    its shank 16% shorter than over the rest of the clip, then jumps to its place, straight. Read as
    a back view, the drawing hand was named the left (hand-check round 24, 2 false facts: the judge's
    right hand rises 0.59 -> 1.46 m, the left stays 0.61-0.68). A nearly straight knee counts as
    evidence only where it sits on its bones; the round-7 back view with straight legs (NW-UCLA
    a09_s08_e01_v03) stays mirrored."""
    from actlm.explain.world import _knee_on_its_bones
    reading = read_motion(utd("a11_s4_t1_skeleton"), "utd-mhad")
    assert "mirrored_sides" not in kinds(reading)
    assert {f.part for f in reading.facts if f.motion in ("raise", "lower")} == {"right_hand"}, reading.facts
    assert "mirrored_sides" in kinds(read_motion(ucla("a09_s08_e01_v03"), "kinect-v1"))
    hip, ankle = np.zeros((3, 3)), np.array([[0.0, -0.5, 0.0]] * 3)
    knee = np.array([[0.0, -0.25, 0.01], [0.0, -0.25, 0.02], [0.0, -0.35, 0.02]])    # the last: thigh 40% long
    assert _knee_on_its_bones(hip, knee, ankle).tolist() == [True, True, False]


def test_knees_behind_in_a_crouch_whose_trunk_bends_towards_the_labelled_front_do_not_mirror():
    """In a deep crouch Kinect places a knee behind its hip-ankle line: NW-UCLA a01_s02_e01_v03 (pick
    up with one hand; the left knee 0.20-0.34 m behind) and UTD-MHAD a21_s1_t1 (pickup and throw; every
    UTD subject faces the sensor) were read as back views while the trunk bends 30-56 degrees towards
    the labelled front, the camera (hand-check round 19: 6 false side facts). People bend forward: the
    labels' sides are kept, so the hand that goes above the head is the skeleton's left in a01 and its
    right in a21. True back views, whose trunk bends towards the labelled back or not at all, stay
    mirrored (round 19: a02_s07_e01_v03, a12_s02_e03_v03)."""
    pick = read_motion(ucla("a01_s02_e01_v03"), "kinect-v1")
    assert "mirrored_sides" not in kinds(pick)
    assert {f.part for f in pick.facts if f.motion == "raise"} == {"left_hand"}, pick.facts
    throw = read_motion(utd("a21_s1_t1_skeleton"), "utd-mhad")
    assert "mirrored_sides" not in kinds(throw)
    assert {f.part for f in throw.facts if f.motion in ("raise", "reach_down")} == {"right_hand"}, throw.facts
    for back_view in ("a02_s07_e01_v03", "a12_s02_e03_v03"):
        assert "mirrored_sides" in kinds(read_motion(ucla(back_view), "kinect-v1")), back_view


def test_hands_working_ahead_of_the_labelled_front_keep_the_labels_sides():
    """UTD-MHAD a8_s4_t3 (draw x; every UTD subject faces the sensor) was read as a back view from 6
    bent-knee frames 0.05 statures behind the labelled front, and the drawing hand (the skeleton's
    right, 0.2-0.6 m nearer the sensor than the head) was named the left (hand-check round 29: 2 false
    facts). People work with their hands in front of the body: a hand held 0.2 m ahead of the shoulder
    line at shoulder height or above in 15 frames keeps the labels' sides (the skeleton's right hand
    raises). The hand-checked NW-UCLA back views hold a hand so in 0-6 frames and stay mirrored."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    from actlm.explain.world import _hands_work_in_labelled_front, world_frame
    kinect = get_layout("kinect-v1")
    draw = read_motion(utd("a8_s4_t3_skeleton"), "utd-mhad")
    assert "mirrored_sides" not in kinds(draw)
    assert {f.part for f in draw.facts if f.motion in ("raise", "lower")} == {"right_hand"}, draw.facts
    for back_view in ("a02_s02_e01_v01", "a02_s07_e01_v03", "a08_s07_e03_v03", "a12_s02_e03_v03"):
        world = world_frame(check_tracking(ucla(back_view)[0], kinect)[0], kinect)
        assert world.mirrored, back_view
        assert not _hands_work_in_labelled_front(world.coords, -world.facing, kinect), back_view


def test_a_back_view_whose_trunk_bends_to_the_labelled_back_is_mirrored():
    """NW-UCLA a01_s10_e03_v01 (pick up with one hand) is seen from behind: the person walks away from
    the sensor (hip 1.80 -> 3.33 m deep) and bends 34-39 degrees towards the skeleton's labelled back
    at the pick-up. Its knees lie 0.03 m behind the labelled front on average but only 70% agree, too
    few alone, so the skeleton's facing was kept and the walk read 'walks backward' (hand-check round
    31: false). Knees behind on average and a deep bend to the labelled back agree: a back view, the
    walk is forward; its squat and its bend (judged to hold) stay. A sit-down leaning back into its
    seat (a05_s04_e04_v01, 13 frames beyond 30 degrees back) keeps its labels: its bent knees lie ahead
    of the labelled front. The mirrored walk backward judged to hold in round 24 (a11_s01_e01_v01) stays."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    from actlm.explain.world import world_frame
    kinect = get_layout("kinect-v1")
    reading = read_motion(ucla("a01_s10_e03_v01"), "kinect-v1")
    found = motions(reading)
    assert found["walk"][0].text.startswith("walks forward"), found["walk"]
    assert "squat" in found and "bend" in found
    sitting = world_frame(check_tracking(ucla("a05_s04_e04_v01")[0], kinect)[0], kinect)
    assert not sitting.mirrored
    walking_back = read_motion(ucla("a11_s01_e01_v01"), "kinect-v1")
    assert motions(walking_back)["walk"][0].text.startswith("walks backward")


# --- the recurring false/ambiguous patterns of the hand-check rounds (seeds 40-42, issue 40) ------
def test_a_walk_direction_needs_a_steady_facing_and_a_clear_sector():
    """'walks forward' of a walk around whose body went sideways of its start facing, 'sideways to
    the right' of a short walk between two directions: the walk is said, its direction is not."""
    for name in ("a04_s04_e04_v03", "a03_s10_e01_v03"):
        (walk,) = motions(read_motion(ucla(name), "kinect-v1"))["walk"]
        assert not any(w in walk.text for w in ("forward", "backward", "sideways")), walk.text


def test_walk_direction_words():
    from actlm.explain.facts import _walk_direction
    facing = np.tile([[1.0, 0.0]], (20, 1))
    left = np.array([0.0, -1.0])                  # left of facing (1, 0), as the shoulder line gives it
    assert _walk_direction(np.array([1.0, 0.1]), facing, (0, 19)) == " forward"
    assert _walk_direction(left, facing, (0, 19)) == " sideways to the left"
    assert _walk_direction(np.array([1.0, -1.0]), facing, (0, 19)) == ""           # 45 degrees: no sector
    turning = facing.copy()
    turning[10:] = [0.0, 1.0]                      # turns 90 degrees on the way
    assert _walk_direction(np.array([1.0, 0.0]), turning, (0, 19)) == ""


def test_rising_needs_a_low_start_against_the_feet():
    """A short walk under a tilted 'up' lifts hips and feet alike: no 'rises from a low position'
    (pelvis 0.89 -> 0.94 m); a real stand-up from a chair is still read."""
    assert "stand_up" not in motions(read_motion(ucla("a03_s10_e01_v03"), "kinect-v1"))
    (stand,) = motions(read_motion(ucla("a06_s04_e00_v03"), "kinect-v1"))["stand_up"]
    assert 0.35 <= float(stand.text.split("about ")[1].split()[0]) <= 0.6


def test_a_hand_holding_a_bar_does_not_wave():
    data, visibility = penn("1169")                # a pull-up: the body moves, the hand does not
    assert "wave" not in motions(read_motion(data, "penn-13", visibility=visibility))


def test_a_hand_parked_above_its_shoulder_then_falling_is_no_swing():
    """Hand-check round 27, NW-UCLA a04_s05_e02_v01 (walk around): the left hand sits unmoving over
    its shoulder in frames 0-8 (a lost hand left where it was), then falls 1.47 -> 0.67 m: 'swings
    the left arm quickly' was judged ambiguous. A swing judged to hold (a11_s03_e03_v03, seed 47)
    stays."""
    assert "swing" not in motions(read_motion(ucla("a04_s05_e02_v01"), "kinect-v1"))
    swung = motions(read_motion(ucla("a11_s03_e03_v03"), "kinect-v1"))["swing"]
    assert [f.text for f in swung] == ["swings the right arm quickly"]


def test_two_hands_held_together_carried_side_to_side_are_no_wave():
    """Hand-check round 27, NW-UCLA a12_s04_e02_v01 (carry): both hands held together over the left
    shoulder (0.17-0.26 m apart) turn back against the neck twice, and 'waves the left hand' was
    judged ambiguous; a hand waved on its own, far from the other (a11_s03_e00_v03, judged holds in
    round 18, seed 57), still waves."""
    assert "wave" not in motions(read_motion(ucla("a12_s04_e02_v01"), "kinect-v1"))
    waved = motions(read_motion(ucla("a11_s03_e00_v03"), "kinect-v1"))["wave"]
    assert [f.text for f in waved] == ["waves the right hand from side to side"]


@pytest.mark.parametrize("name", ["0601", "1570"])
def test_a_2d_wave_is_read_where_the_arm_is_annotated_seen(name):
    """Hand-check rounds 21-22: Penn 0601 (bowl: the right wrist guessed still until frame 35, then
    one follow-through, x 143 -> 189 -> 152 px) and 1570 (sit-up: the right wrist guessed frozen in
    frames 15-87 while the lying body's shoulders move past it) were said to 'wave the right hand';
    with the product's flags of guessed joints the wave is read from seen frames only and is gone.
    Without the flags 0601's guesses still swing; 1570's hand, carried up and down by the sit-up 2.9
    times as far as across, is no wave in an image anyway (WAVE_UP_DOWN, round 31)."""
    from actlm.data import penn as reader
    _, flags = penn(name)                          # skips without the data
    sample = reader.read_sequence(PENN / f"{name}.mat")

    def waves(guessed):
        reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"), guessed=guessed)
        return [f.part for f in motions(reading).get("wave", [])]

    assert waves(None) == (["right_hand"] if name == "0601" else [])
    assert waves(flags == 0) == []


def _penn_texts(name: str, flagged: bool) -> list[str]:
    """The fact texts read from Penn Action clip ``name`` as the product reads it, with its flags of
    guessed joints (``Sample.guessed``) or without them."""
    from actlm.data import penn as reader
    penn(name)                                     # skips without the data
    sample = reader.read_sequence(PENN / f"{name}.mat")
    guessed = sample.guessed("penn-13") if flagged else None
    return [f.text for f in read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"),
                                        guessed=guessed).facts]


@pytest.mark.parametrize("name,unseen,seen", [
    # the right wrist hidden in frames 0-24, first seen at y 21 px (frame 25), its highest; the left
    # wrist seen at y 163 (frame 9), 62 (frame 15) and 21 (frame 24): a seen rise
    ("0622", "raises both hands", "raises the left hand"),
    # the right wrist hidden in frames 0-254, first seen at its highest; the left seen y 207 -> 29-31
    ("0718", "raises both hands above the head", "raises the left hand above the head"),
    # the right wrist hidden in frames 0-19 and first seen at its highest (y 110, frame 20)
    ("0481", "raises the right hand", None),
    # the left wrist's fall (frames 26-36) only in the guesses (hidden 16-45), its raise seen: low in
    # frames 13-14, high from frame 45
    ("0601", "lowers the left hand again", "raises the left hand to shoulder height"),
    # the left wrist hidden in frames 68-80, seen falling 0.14 statures before; the right seen falling
    ("2211", "lowers both hands again", "lowers the right hand again"),
    # the swing (frames 30-36) only in the guesses of a hidden right wrist
    ("0241", "swings the right arm quickly", None),
    # the lowest point (frame 52) inside the right wrist's hidden frames 50-68
    ("0060", "reaches down towards the floor with the right hand", None),
])
def test_a_2d_hand_fact_is_stated_only_where_seen_to_happen(name, unseen, seen):
    """Hand-check rounds 57-62 (ambiguous: the motion only in the annotator's guesses of a hidden
    wrist): with the product's flags of guessed joints a raise is stated only where the wrist is seen
    rising, a lowering only where seen falling, a swing only where seen swinging, a reach down only
    where its lowest point is seen; a raise seen on the same clip is still stated."""
    assert unseen in _penn_texts(name, flagged=False)      # without the flags the guesses decide
    flagged = _penn_texts(name, flagged=True)
    assert unseen not in flagged, flagged
    if seen is not None:
        assert seen in flagged, flagged


def test_the_unseen_rise_is_in_the_annotation():
    """The premise of the test above read from the annotation itself (the .mat file's per-frame
    visibility and pixel rows, not the detector): Penn 0622's right wrist (column 6) is first seen at
    frame 25, at its highest seen row; its left wrist (column 5) is seen 100 px lower before."""
    import scipy.io as sio
    penn("0622")
    mat = sio.loadmat(PENN / "0622.mat", variable_names=["visibility", "y"])
    seen, y = mat["visibility"].astype(bool), mat["y"].astype(float)
    right = np.flatnonzero(seen[:, 6])
    assert right[0] == 25 and y[25, 6] <= y[right, 6].min() + 5
    left = np.flatnonzero(seen[:, 5])
    assert y[left[left < 25], 5].max() - y[24, 5] > 100


def test_a_knock_going_to_and_fro_in_depth_is_no_wave():
    """Hand-check round 21: UTD-MHAD a19_s1_t1 (knock) 'waves the right hand from side to side': the
    hand goes 0.18 m to and fro towards the door, swaying 0.08 m sideways with it (one real lateral
    reversal); a wave of the same subject (a3_s1_t1) is still read."""
    assert "wave" not in motions(read_motion(utd("a19_s1_t1_skeleton"), "utd-mhad"))
    waves = motions(read_motion(utd("a3_s1_t1_skeleton"), "utd-mhad")).get("wave", [])
    assert [f.part for f in waves] == ["right_hand"]


@pytest.mark.parametrize("name", ["a3_s7_t2_skeleton", "a3_s8_t3_skeleton"])
def test_small_repeated_swings_of_a_raised_hand_are_a_wave(name):
    """UTD-MHAD waves missed until WAVE_SHARE_SMALL: a3_s7_t2 flaps the hand 3-6 cm from a still wrist
    (raw hand turn-backs at frames 17-27, the wrist's none), a3_s8_t3 swings it 8-15 cm four times after
    sweeping it 30 cm across on the way up (the sweep set the range, the swings fell under 0.45 of it);
    both 0.15-0.18 m over the shoulder, going in depth 0.52 and 0.20 times as far as across."""
    waves = motions(read_motion(utd(name), "utd-mhad")).get("wave", [])
    assert [f.part for f in waves] == ["right_hand"]


@pytest.mark.parametrize("name", ["a19_s4_t3_skeleton", "a27_s5_t3_skeleton"])
def test_small_swings_going_in_depth_too_are_no_wave(name, monkeypatch):
    """A knock (a19_s4_t3: 7-9 cm across, 0.93 times that in depth) and a squat's arm held forward
    drifting (a27_s5_t3, left hand: 1.12) turn back three times by WAVE_SHARE_SMALL of their range:
    only the depth guard (WAVE_DEPTH_SMALL) keeps them from waving."""
    import actlm.explain.facts as facts
    assert "wave" not in motions(read_motion(utd(name), "utd-mhad"))
    monkeypatch.setattr(facts, "WAVE_DEPTH_SMALL", facts.WAVE_DEPTH)
    assert "wave" in motions(read_motion(utd(name), "utd-mhad"))


@pytest.mark.parametrize("name", ["a4_s7_t1_skeleton", "a4_s8_t1_skeleton", "a9_s7_t1_skeleton", "a9_s8_t1_skeleton"])
def test_clap_and_circle_of_the_small_wavers_are_no_wave(name):
    """Subjects 7 and 8, whose small waves are read (see above), clapping and drawing a circle: no wave."""
    assert "wave" not in motions(read_motion(utd(name), "utd-mhad"))


def test_a_bend_is_a_held_peak_not_one_frame():
    from actlm.explain.facts import BEND_HELD, TUNED_FPS, _held, frames
    width = frames(BEND_HELD, TUNED_FPS)                    # 3 frames at 30 fps
    assert np.isnan(_held(np.array([1.0, 2.0, 3.0, 80.0]), width)[-1])
    assert _held(np.array([10.0, 50.0, 52.0, 51.0, 10.0]), width)[1] == 50.0
    data, visibility = penn("2150")                # a serve: 80 degrees at the last frame, 52 at most
    bends = motions(read_motion(data, "penn-13", visibility=visibility)).get("bend", [])
    assert all(f.strength < 60 for f in bends), bends


def test_a_2d_bend_is_read_from_frames_that_show_the_trunk():
    """Penn 0700 (hand-check round 11, ambiguous): a bowler entering the frame was 'bent forward to
    about 70 degrees from vertical' at frame 0, where both shoulders and both hips are flagged hidden
    (the annotator's guess); where seen (frames 14-42) the trunk is 29-55 degrees from image up. With
    the flags the bend is read where a shoulder and a hip are seen. Penn 0095 (round 14, holds: 81
    degrees from the seen left shoulder to the left hip, the right side hidden) keeps its 80."""
    from actlm.data import penn as reader
    _, flags = penn("0700")                        # skips without the data
    bowler = reader.read_sequence(PENN / "0700.mat")

    def bends(sample, guessed):
        reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"), guessed=guessed)
        return motions(reading).get("bend", [])

    before, after = bends(bowler, None), bends(bowler, flags == 0)
    assert [f.text for f in before] == ["bends the upper body forward to about 70 degrees from vertical"]
    assert [f.text for f in after] == ["bends the upper body forward to about 50 degrees from vertical"]
    frame = round(after[0].time * (bowler.data.shape[1] - 1))
    shoulders, hips = flags[frame, [1, 2]], flags[frame, [7, 8]]
    assert shoulders.any() and hips.any(), (frame, shoulders, hips)
    pitcher = reader.read_sequence(PENN / "0095.mat")
    _, flags = penn("0095")
    assert [f.text for f in bends(pitcher, flags == 0)] == ["bends the upper body forward by about 80 degrees"]


def test_a_2d_sit_down_must_stay_down_in_the_hips_the_annotation_shows():
    """Penn 0106 (baseball pitch, hand-check round 29, false): 'lowers the body by about 0.13 statures
    and stays down', read with the right hip the annotator marks hidden from frame 57 (frozen at
    157-160 px): the hips' last frames then sat 0.41 of the way back up from the stride's low point,
    the seen hips 0.88 (back within 0.02-0.07 statures of the start). The seen hips must stay down
    too: no sit-down, the bend stays. Penn 0142 (round 43, holds: a stride whose seen hips stay 0.14
    statures down to the end) keeps its sit-down."""
    from actlm.data import penn as reader
    _, flags = penn("0106")                        # skips without the data
    pitch = reader.read_sequence(PENN / "0106.mat")
    reading = read_motion(pitch.data, "penn-13", visibility=pitch.visibility("penn-13"), guessed=flags == 0)
    assert "sit_down" not in motions(reading), reading.facts
    assert "bend" in motions(reading)
    unflagged = read_motion(pitch.data, "penn-13", visibility=pitch.visibility("penn-13"))
    assert "sit_down" in motions(unflagged)        # the guessed hip is what said it
    _, flags = penn("0142")
    stride = reader.read_sequence(PENN / "0142.mat")
    assert (flags[:, [7, 8]] == 0).any()           # some hip frames are guessed there too
    reading = read_motion(stride.data, "penn-13", visibility=stride.visibility("penn-13"), guessed=flags == 0)
    assert "sit_down" in motions(reading), reading.facts


def test_a_2d_lean_back_is_read_from_the_frames_that_show_the_trunk_as_the_bend_is():
    """Penn 0706 (clean and jerk, hand-check round 24, false): 'leans the upper body back by about 40
    degrees' at t=0.28, where both shoulders are flagged hidden (the left one's guess 66 px behind the
    seen right one); the judge's seen right shoulder-to-hip line leans back 11-15 degrees at most, and
    the clip's big angle is the forward bend over the bar, 60-67 degrees at frames 0-20. The lean reads
    the trunk by the bend's rule (:func:`_seen_trunk_2d`): no lean, the bend over the bar is said."""
    from actlm.data import penn as reader
    _, flags = penn("0706")                        # skips without the data
    sample = reader.read_sequence(PENN / "0706.mat")
    reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"), guessed=flags == 0)
    facts = motions(reading)
    assert "lean_back" not in facts, facts
    (bend,) = facts["bend"]
    assert bend.text == "bends the upper body forward by about 60 degrees"
    assert round(bend.time * (sample.data.shape[1] - 1)) <= 20, bend.time


def test_guessed_flags_leave_3d_bends_alone():
    """Only a 2D bend reads the flags of guessed joints: a 3D clip's facts do not change."""
    data = ucla("a08_s02_e04_v03")
    every = np.ones(data.shape[:3], bool)
    assert [f.text for f in read_motion(data, "kinect-v1", guessed=every).facts] == \
        [f.text for f in read_motion(data, "kinect-v1").facts]


def test_no_movement_never_understates_a_part():
    """A strumming hand moves ~0.115 statures: 'stays in place: no part moves more than 0.04' was
    said, and 'the hands within about 0.10'."""
    data, visibility = penn("1928")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "still" not in motions(reading)
    for p in reading.problems:
        if p.kind == "no_motion":
            assert float(p.text.split("the hands within about ")[1].split()[0]) >= 0.115
    for index in (0, 23):
        sample, reading = _generated("still", "kinect-v2" if index == 0 else "body-13", index)
        for still in motions(reading).get("still", []):          # the bound said covers sway and noise
            assert float(still.text.split("about ")[1].split()[0]) >= 0.05


@pytest.mark.parametrize("name", ["a08_s07_e00_v03", "a01_s03_e04_v03"])
def test_a_brief_swing_or_an_edge_on_shoulder_line_is_no_turn(name):
    """Donning: the shoulders swing ~90 degrees and back (net 6); a crouch seen edge-on throughout."""
    assert "turn" not in motions(read_motion(ucla(name), "kinect-v1"))


def test_a_turn_that_lasts_is_read():
    sample, reading = _generated("turn", "kinect-v1", 0)
    assert "turn" in motions(reading)


def test_a_hand_jumping_in_one_frame_is_no_swing():
    from actlm.explain.facts import _plausible_swing
    rel = np.zeros((20, 3))
    rel[10:, 0] = 0.4                              # one frame's jump
    assert not _plausible_swing(rel, 9)
    smooth = np.zeros((20, 3))
    smooth[:, 0] = np.clip((np.arange(20) - 7) * 0.08, 0, 0.4)
    assert _plausible_swing(smooth, 9)
    assert "swing" not in motions(read_motion(ucla("a02_s10_e02_v03"), "kinect-v1"))
    data, visibility = penn("2056")                # the wrist seen in half the frames
    assert "swing" not in motions(read_motion(data, "penn-13", visibility=visibility))


def test_raise_heights_need_a_margin_and_visible_shoulders():
    for name, wrong in (("a14_s2_t1_skeleton", "left hand above the head"), ("a7_s4_t1_skeleton", "left hand to shoulder")):
        texts = [f.text for f in read_motion(utd(name), "utd-mhad").facts]
        assert not any(wrong in t for t in texts), texts
    data, visibility = penn("1636")                # a sit-up: the shoulders are not visible
    texts = [f.text for f in read_motion(data, "penn-13", visibility=visibility).facts]
    assert not any("shoulder height" in t for t in texts), texts


def test_no_sitting_simile_for_a_body_bent_far_forward():
    data, visibility = penn("0502")                # a bowler's low follow-through
    sits = motions(read_motion(data, "penn-13", visibility=visibility)).get("sit_down", [])
    assert sits and not any("as when sitting down" in f.text for f in sits)
    (seated,) = motions(read_motion(ucla("a05_s07_e02_v03"), "kinect-v1"))["sit_down"]
    assert "as when sitting down" in seated.text


def test_a_hand_on_the_lap_is_not_stretched_forward():
    reading = read_motion(ucla("a05_s08_e04_v03"), "kinect-v1")     # seated, the hand on the thigh
    assert not [f for f in reading.facts if f.motion == "reach_forward" and f.part == "right_arm"]


# --- hand-check round 4 (seed 43) ------------------------------------------------------------
def test_no_bend_direction_through_a_collapsed_shoulder_line():
    """A pick-up seen from behind, its shoulder line edge-on over the bend's peak: read 'leans back
    by about 30 degrees'; the bent knees tell the front, and it was a forward bend."""
    reading = read_motion(ucla("a01_s08_e03_v03"), "kinect-v1")
    assert "lean_back" not in motions(reading)
    assert all("forward" in f.text or "back" not in f.text for f in motions(reading).get("bend", []))


def test_knees_tell_the_front_only_when_they_bend():
    from actlm.explain.facts import _Body, _knee_forward
    t = 4
    hip = np.tile([0.0, 0.5, 0.0], (t, 1))
    ankle = np.tile([0.0, 0.0, 0.0], (t, 1))
    bent_knee = np.tile([0.0, 0.25, 0.15], (t, 1))         # ahead along h2
    body = _Body.__new__(_Body)
    body.hip_joint = {"left": hip, "right": hip}
    body.ankle = {"left": ankle, "right": ankle}
    body.knee = {"left": bent_knee, "right": bent_knee}
    assert np.allclose(_knee_forward(body, slice(0, t)), [0.0, 1.0])
    straight = np.tile([0.0, 0.25, 0.01], (t, 1))
    body.knee = {"left": straight, "right": straight}
    assert np.isnan(_knee_forward(body, slice(0, t))).all()


@pytest.mark.parametrize("sample", [
    # hand-check seed 43: the hand's drop against the pelvis reads 0.062 statures, just over REACH_PELVIS,
    # while the hand stays 0.05 m above the knees (fixed in round 12: such a hand must reach the knees)
    "a01_s08_e03_v03",
    pytest.param("a05_s07_e00_v03", marks=pytest.mark.xfail(strict=True, reason=(
        "a known false fact (explanations re-read at 2b99414): the crouched pick-up rule reads a hanging arm while "
        "sitting down with the trunk 40-54 deg forward (hand 0.25 m above the floor, 2.5 cm under the knees, 0.05 m "
        "drop against its shoulder) because the person stands up again; strict: a fix shows as XPASS")))])
def test_a_hand_going_down_with_the_body_does_not_reach_down(sample):
    """The hand drops only with the body (not against its shoulder) and stays near the knees."""
    reading = read_motion(ucla(sample), "kinect-v1")
    assert "reach_down" not in motions(reading), reading.facts


def test_a_hand_near_the_floor_reaches_down():
    assert "reach_down" in motions(read_motion(ucla("a02_s04_e04_v03"), "kinect-v1"))


def test_a_lunge_is_not_a_walk():
    """Only the left foot steps out and back; the hidden back foot's reading jumps up above its knee."""
    reading = read_motion(utd("a26_s8_t3_skeleton"), "utd-mhad")
    assert "walk" not in motions(reading)
    assert "walk" in motions(read_motion(ucla("a04_s09_e04_v03"), "kinect-v1"))


@pytest.mark.parametrize("name", ["a13_s7_t2_skeleton"])
def test_hands_a_boxing_guard_apart_are_not_together(name):
    """A boxing guard whose hands come 0.17 m apart (the hand-check's rule: within 0.15 m)."""
    assert "hands_together" not in motions(read_motion(utd(name), "utd-mhad"))
    assert "hands_together" not in motions(read_motion(ucla("a08_s04_e01_v03"), "kinect-v1"))   # 0.16 m
    assert "hands_together" in motions(read_motion(utd("a6_s7_t2_skeleton"), "utd-mhad"))        # a clap


def test_no_sitting_simile_for_a_body_still_going_down_as_the_clip_ends():
    data, visibility = penn("0231")                # a batter's follow-through
    sits = motions(read_motion(data, "penn-13", visibility=visibility)).get("sit_down", [])
    assert not any("as when sitting down" in f.text for f in sits)


def test_a_push_up_does_not_bend_the_knees():
    data, visibility = penn("1547")                # the body horizontal, the arms do it
    assert "squat" not in motions(read_motion(data, "penn-13", visibility=visibility))


# --- hand-check round 5 (seed 44) and the generated truth's 2D lean back ---------------------------
@pytest.mark.parametrize("index", [3, 11])
def test_a_lean_back_seen_in_2d_is_not_staying_in_place(index):
    """Seen from the front a lean back barely moves a joint in the image but shortens the trunk:
    no 'stays in place' then (it was said on such samples of the generated truth)."""
    sample, reading = _generated("lean_back", "coco-17", index)
    assert "still" not in motions(reading), reading.facts


def test_hands_never_seen_bound_no_does_not_move_problem():
    """Penn 0365 (bench press): both wrists are never visible, so 'the hands within about 0.10'
    would bound nothing; the elbow presses. No 'no motion' problem is stated."""
    data, visibility = penn("0365")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "no_motion" not in kinds(reading), reading.problems


def test_a_pelvis_reading_that_rises_under_a_steady_head_is_no_standing_up():
    """a12_s02_e01_v03 (carry): the hip joint's reading rises 0.14 while the head rises 0.05 and
    the legs stay straight: not 'rises from a low position to standing'."""
    assert "stand_up" not in motions(read_motion(ucla("a12_s02_e01_v03"), "kinect-v1"))


@pytest.mark.parametrize("layout,index", [("kinect-v2", 84), ("body-13", 1)])
def test_a_held_lean_back_does_not_tilt_up_towards_it(layout, index):
    """Leaning back 20-35 degrees shortens the feet-to-head line by only ~3-8 %, so the leaning
    frames counted as 'standing tall' and tilted up towards the lean: it read ~10 degrees short
    and was missed (generated truth: lean_back recall 0.59). Up now comes from the tall frames in
    which the trunk lines up with straight legs."""
    from actlm.data.layouts import get_layout
    from actlm.explain.world import _up_3d
    sample, reading = _generated("lean_back", layout, index)
    true = next(t.magnitude for t in sample.required if t.motion == "lean_back")
    leans = motions(reading).get("lean_back", [])
    assert leans, [f.text for f in reading.facts]
    stated = int(leans[0].text.split("about ")[1].split(" degrees")[0])
    assert abs(stated - true) <= 10
    # the camera's true up in the sensor's coordinates (Kinect: x to the sensor's left)
    _, right, up, look = sample.camera.axes(np.zeros(3), 0.0)
    vertical = np.array([-right[1], up[1], look[1]])
    read = _up_3d(sample.data[0].astype(float), get_layout(layout))
    assert np.degrees(np.arccos(np.clip(read @ vertical, -1, 1))) < 5


def _standing_kinect_v1(frames: int = 60, seed: int = 0) -> np.ndarray:
    """A person standing still in front of a Kinect v1 (T, 20, 3), metres, with 5 mm sensor noise."""
    from actlm.data.layouts import get_layout
    at = {"head": (0, 1.60), "shoulder_center": (0, 1.40), "spine": (0, 1.02), "hip_center": (0, 0.95),
          "left_shoulder": (-0.18, 1.38), "left_elbow": (-0.22, 1.10), "left_wrist": (-0.24, 0.85),
          "left_hand": (-0.25, 0.78), "left_hip": (-0.09, 0.90), "left_knee": (-0.10, 0.48),
          "left_ankle": (-0.10, 0.08), "left_foot": (-0.10, 0.03)}
    at.update({k.replace("left", "right"): (-x, y) for k, (x, y) in at.items() if k.startswith("left")})
    pose = np.array([[*at[name], 3.0] for name in get_layout("kinect-v1").joints])
    return pose[None] + np.random.default_rng(seed).normal(0, 0.005, (frames, 20, 3))


def test_hips_tracked_too_high_for_several_frames_are_masked_and_named():
    """Kinect v1 lifts the hip joints 0.1-0.2 m for several frames while the head stays (hand-check
    round 6: a false squat and a false lean back on a08_s09_e02_v03): the legs would be longer
    than when standing, which bones do not allow. The pelvis is not read there, nor a knee whose
    bone broke; nothing else is lost."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    layout = get_layout("kinect-v1")
    j = {name: i for i, name in enumerate(layout.joints)}
    x = _standing_kinect_v1()
    pelvis = [j[n] for n in ("hip_center", "spine", "left_hip", "right_hip")]
    x[20:25, pelvis, 1] += 0.15                     # the hips jump up for frames 20-24 ...
    x[20:25, j["left_knee"], 1] += 0.08             # ... one knee pulled up with them (its shin stretches 20 %)
    _, tracking = check_tracking(x, layout)
    problem = next(p for p in tracking.problems if p.kind == "risen_hips")
    assert problem.frames == (19, 25) and "5 frames" in problem.text and "hip center" in problem.text
    assert not tracking.valid[19:26, pelvis].any() and tracking.valid[:19, pelvis].all() and tracking.valid[26:, pelvis].all()
    assert not tracking.valid[20:25, j["left_knee"]].any() and tracking.valid[:, j["right_knee"]].all()
    others = [i for i in range(20) if i not in pelvis and i != j["left_knee"]]
    assert tracking.valid[:, others].all()
    reading = read_motion(x[None].astype(np.float32), "kinect-v1")
    assert not {"squat", "lean_back", "bend", "stand_up", "sit_down"} & set(motions(reading))


def test_hips_drifting_into_the_risen_fault_are_masked_with_it():
    """NW-UCLA a08_s02_e01_v03 (donning; hand-check round 15): the tracker lifts the pelvis over
    frames 19-25 (0.63 -> 0.77 statures while the head stays), but the risen-hips thresholds hold
    on both legs only from frame 24; the frames drifting in (one leg beyond them, the other longer
    than standing) were read as a squat's standing level: 'lowers the body by about 0.24 m', where
    the pelvis goes down 0.06-0.08 m with the knees flat. They are masked with the run."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    layout = get_layout("kinect-v1")
    pelvis = layout.joints.index("hip_center")
    _, tracking = check_tracking(ucla("a08_s02_e01_v03")[0], layout)
    assert not tracking.valid[20:26, pelvis].any() and tracking.valid[:18, pelvis].all()
    assert "squat" not in motions(read_motion(ucla("a08_s02_e01_v03"), "kinect-v1"))


def test_a_bend_whose_shoulder_line_turns_round_has_no_direction():
    """NW-UCLA a03_s04_e01_v03 (drop trash; hand-check round 15): the body faces +h2 while upright;
    bending down to the bin, its shoulder line's facing turns round by ~90 degrees (frame 29) and
    collapses edge-on, and the 40 degree forward bend was read against it as 'leans the upper body
    back by about 40 degrees'. A front at the peak that far from the upright facing does not tell
    forward from back: the bend is said without a direction."""
    facts = motions(read_motion(ucla("a03_s04_e01_v03"), "kinect-v1"))
    assert "lean_back" not in facts
    assert [f.text for f in facts["bend"]] == ["bends the upper body by about 40 degrees"]


def test_a_hanging_hand_carried_down_by_a_bend_above_the_knees_does_not_reach_down():
    """NW-UCLA a03_s04_e01_v03 (drop trash; hand-check round 15): bending 40 degrees, the left hand
    drops 0.10 statures against the pelvis but only 0.01 against its shoulder, and ends 0.075 m
    above the knees: 'reaches down towards the floor with the left hand' was false (reaching down
    means getting below the knees by reaching)."""
    assert "reach_down" not in motions(read_motion(ucla("a03_s04_e01_v03"), "kinect-v1"))


@pytest.mark.parametrize("name", ["a27_s1_t1_skeleton", "a26_s1_t3_skeleton", "a24_s6_t4_skeleton"])
def test_a_real_squat_lunge_or_rise_is_no_tracking_fault(name):
    """A squat, a lunge and a sit-to-stand move the hips a lot, but never further from the ankles
    than standing while the head stays: no 'risen_hips' problem, and the motion is read."""
    reading = read_motion(utd(name), "utd-mhad")
    assert "risen_hips" not in kinds(reading)
    assert {"squat", "stand_up"} & set(motions(reading))


@pytest.mark.parametrize("name", ["a05_s02_e02_v03", "a06_s07_e05_v03", "a01_s08_e02_v03"])
def test_sitting_standing_and_picking_up_are_no_tracking_fault(name):
    """Kinect v1's thighs and spine line shorten when a person sits or crouches (0.55 -> 0.35 m):
    lengths against the median would call the standing frames stretched; against standing they
    are not."""
    reading = read_motion(ucla(name), "kinect-v1")
    assert "risen_hips" not in kinds(reading)
    assert {"sit_down", "stand_up", "squat"} & set(motions(reading))


# --- walking in 2D images (issue 40: walk recall was 0 in coco-17 / penn-13) ----------------------
@pytest.mark.parametrize("layout,index", [("coco-17", 226), ("penn-13", 197), ("coco-17", 82)])
def test_a_walk_across_a_2d_image_is_read_without_a_direction(layout, index):
    """Walks seen from the side or (sideways) from the front travel across the image in steps:
    said, with no direction (one view cannot tell forward from backward)."""
    sample, reading = _generated("walk", layout, index)
    (walk,) = motions(reading)["walk"]
    assert not any(w in walk.text for w in ("forward", "backward", "sideways", " left", " right")), walk.text


@pytest.mark.parametrize("family,index", [("turn", 146), ("turn", 2), ("squat", 10), ("sit_down", 2)])
def test_feet_staying_in_a_2d_image_take_no_walk(family, index):
    """Stepping round on the spot moves the feet apart and back, not the same way: no walk."""
    _, reading = _generated(family, "coco-17", index)
    assert "walk" not in motions(reading), reading.facts


def test_image_steps_need_one_foot_standing():
    """Alternating steps: one foot moves while the other stands. Both feet sliding together (a
    camera panning, a jump) take no step."""
    from actlm.explain.facts import _body, _image_steps
    from actlm.data.layouts import get_layout
    layout = get_layout("coco-17")
    t = np.arange(60)
    w = np.zeros((60, 17, 3))
    w[:, :, 1] = np.linspace(1.0, 0.0, 17)[None]              # a standing body, head to feet
    left_moves = (t // 10) % 2 == 0                           # the ankles step in turn, 0.2 a step
    w[:, 15, 0] = 0.02 * np.cumsum(left_moves)
    w[:, 16, 0] = 0.02 * np.cumsum(~left_moves)
    body = _body(w, layout)
    steps = _image_steps(body, np.array([1.0, 0.0]))
    assert len(steps) >= 3 and all(a[2] != b[2] for a, b in zip(steps, steps[1:]))
    w[:, 16, 0] = w[:, 15, 0]                                 # both feet together
    assert _image_steps(_body(w, layout), np.array([1.0, 0.0])) == []


def test_a_pitchers_stride_and_follow_through_are_no_walk():
    """Penn 0003 (baseball pitch): the front foot strides, the back foot comes through: two steps,
    both feet end ~0.8 body heights further on, but no walk."""
    data, visibility = penn("0003")
    assert "walk" not in motions(read_motion(data, "penn-13", visibility=visibility))


def test_feet_on_the_image_top_edge_do_not_turn_a_2d_body_upside_down():
    """Penn 1156 (pull-up): the ankles, out of the frame, are annotated at the image's top edge
    (y ~ 1 px); up read from the head against the feet turned the body upside down, and the body
    rising to the bar read as 'bends the knees and lowers the body' (a squat)."""
    data, visibility = penn("1156")
    reading = read_motion(data, "penn-13")
    assert "squat" not in motions(reading), reading.facts
    from actlm.data.layouts import get_layout
    from actlm.explain.world import world_frame
    assert world_frame(data[0].astype(float), get_layout("penn-13")).up[1] < 0     # image y points down


def test_a_parts_span_is_its_two_furthest_places_not_its_box():
    """A still part's jitter fills its box in every direction; the 'no movement' bound speaks of
    the two furthest places (seed 40: a still BlazePose body's box diagonal put it over 0.3)."""
    from actlm.explain.facts import _diameter
    corners = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert np.isclose(_diameter(corners), np.sqrt(2))                 # the box's diagonal is sqrt(3)
    rng = np.random.default_rng(2)
    cloud = rng.normal(size=(600, 3))
    far = max(np.linalg.norm(cloud - p, axis=1).max() for p in cloud)
    assert np.isclose(_diameter(cloud), far)
    sample, reading = _generated("still", "blazepose-33", 168)
    assert motions(reading).keys() == {"still"}


def test_a_knock_to_and_fro_in_depth_is_not_a_wave():
    """Hand-check seed 45: the raised hand of a knock goes 0.10 <-> 0.55 m in front of the shoulder five
    times with no 5 cm reversal across the body; side to side is read along the shoulder line."""
    facts = read_motion(utd("a19_s6_t3_skeleton"), "utd-mhad").facts
    assert "wave" not in {f.motion for f in facts}
    assert "reach_forward" in {f.motion for f in facts}


def test_the_diameter_is_the_largest_pairwise_distance():
    """Read off the convex hull's corners; the same as comparing every pair, flat or collinear too."""
    from actlm.explain.facts import _diameter
    rng = np.random.default_rng(3)

    def every_pair(x):
        return float(np.linalg.norm(x[:, None] - x[None], axis=-1).max())

    cloud = rng.normal(size=(700, 3))
    image = np.c_[rng.normal(size=(300, 2)), np.zeros(300)]              # a 2D image's zero depth
    line = np.c_[np.linspace(0, 1, 40), 2 * np.linspace(0, 1, 40), np.zeros(40)]
    for x in (cloud, image, line, cloud[:3]):
        assert _diameter(x) == pytest.approx(every_pair(x))
    assert _diameter(np.zeros((5, 3))) == 0.0


# --- branch s7-walk: walks on NW-UCLA's stationary classes (experiments/results/facts_real_walk_review.md) ---
@pytest.mark.parametrize("name", ["a11_s05_e03_v02", "a09_s05_e04_v01", "a08_s10_e04_v03"])
def test_real_walks_in_stationary_classes_are_stated(name):
    """The review measured these as walking (own step count on the floor, checked by plot): a throw's
    1.9 m run-up in 5+ alternating steps, a 1 m walk while doffing (5 steps), 0.9 m while donning
    (5+ steps). facts_real's raw false rate counts them against the class; they are true."""
    assert "walk" in motions(read_motion(ucla(name), "kinect-v1"))


def test_a_noisy_ankle_while_donning_is_not_a_walk_around():
    """Was a known false walk (tracking noise: pelvis within 0.39 m, the left ankle's reading jumps
    0.3-0.5 m back and forth); the trunk's length leaves 0.5-1.6 times its median in 48 frames,
    which are not read (quality._not_one_body), and the walk is gone."""
    reading = read_motion(ucla("a08_s04_e04_v01"), "kinect-v1")
    assert "walk" not in motions(reading) and "not_one_body" in kinds(reading)
# --- s7-raise: the head's height at a raise's top -------------------------------------------
def test_a_head_hidden_at_the_hands_top_is_not_replaced_by_the_clips_median_head():
    """Penn 1993 (tennis forehand, hand-check round 7): the head is hidden in the frames where the
    left wrist peaks, level with the head seen just before and after; the clip's median head
    (0.71 statures, lower) made it 'raises the left hand above the head'."""
    data, visibility = penn("1993")
    reading = read_motion(data, "penn-13", visibility=visibility)
    raises = [f for f in reading.facts if f.motion == "raise"]
    assert raises and not [f for f in raises if "above the head" in f.text], raises


def test_seen_near_takes_the_nearest_seen_frame_and_nothing_further():
    from actlm.explain.facts import _seen_near
    x = np.array([1.0, np.nan, np.nan, np.nan, 5.0, np.nan])
    assert _seen_near(x, 2, frames=2) == 1.0          # frame 0 and frame 4 are both 2 away: the earlier
    assert _seen_near(x, 3, frames=2) == 5.0
    assert _seen_near(x, 3, frames=0) != _seen_near(x, 3, frames=0)   # NaN: nothing seen at frame 3
# --- branch s7-reach: reaching forward (a steady facing; 2D in profile) and down (a crouched pick-up) ---
@pytest.mark.parametrize("index", [43, 115])
def test_an_arm_raised_half_sideways_is_no_reach_through_a_jittering_facing(index):
    """Kinect v1 raises to shoulder height 51-52 degrees out from the front (facts_gt seed 40: stated as
    reaches, 0.35 m < the truth's 0.35 m forward): the per-frame facing jitters by 10-20 degrees and the
    frame swinging towards the hand made it 'forward'; the facing is now averaged over 7 frames."""
    sample, reading = _generated("raise", "kinect-v1", index)
    assert "raise" in motions(reading) and "reach_forward" not in motions(reading)


@pytest.mark.parametrize("layout,index,side", [("penn-13", 13, "right"), ("coco-17", 58, "left"),
                                               ("penn-13", 125, "left")])
def test_a_reach_seen_in_profile_is_read_from_an_image(layout, index, side):
    """A straight arm held forward seen from the side (within 15 degrees): full image length, across."""
    sample, reading = _generated("reach_forward", layout, index)
    assert sample.camera.view == "side"
    assert [f.part for f in motions(reading)["reach_forward"]] == [f"{side}_arm"]


def test_an_arm_raised_sideways_seen_from_the_front_is_no_reach_in_an_image():
    """From the front a sideways raise looks like a reach seen in profile, but across a wide shoulder line."""
    from experiments.gt_motion.suite import clean_sample
    said, sideways = 0, 0
    for index in range(2, 240, 8):                    # the suite's coco-17 raises (seed 40)
        sample = clean_sample("raise", "coco-17", 40, index)
        azimuth = max(v["azimuth_deg"] for k, v in sample.params.items() if k.startswith("raise"))
        if sample.camera.view == "front" and azimuth >= 70:
            sideways += 1
            said += "reach_forward" in motions(read_motion(sample.data, "coco-17"))
    assert sideways >= 3 and said == 0


def test_a_punch_whose_fast_end_the_tracker_drops_is_still_a_reach():
    """UTD-MHAD boxing a13_s2_t1: the left punch's peak is cut by an unread frame; held through the gap."""
    assert "reach_forward" in motions(read_motion(utd("a13_s2_t1_skeleton"), "utd-mhad"))


@pytest.mark.parametrize("sample", ["a01_s07_e00_v01", "a02_s10_e02_v02"])
def test_a_pick_up_from_a_crouch_reaches_down(sample):
    """The hand goes down with the crouching body to the knees (0.2 statures above the floor), the
    trunk bends 27-42 degrees, and the body stands up again: the hand hardly drops against the
    pelvis (0.02-0.03 statures), which the reach by the arm alone wants."""
    assert "reach_down" in motions(read_motion(ucla(sample), "kinect-v1"))


def test_a_reach_down_does_not_start_from_single_frames_between_jumps():
    """NW-UCLA a05_s08_e02_v01 (sit down): the left hand reads 0.94 m only in frames 0 and 2, the jump
    check flagging frames 1 and 3-4 around them, then rests at 0.44-0.48 m from frame 5 at the seated
    knees while the trunk sits back: a 0.5-m drop read from that spike was said 'reaches down towards
    the floor with the left hand' (hand-check round 31: false). The reach's start level is read where
    the hand is seen in runs; the forward bend at the start (judged to hold) stays, and so do the
    pick-ups from a crouch and the reach judged in round 7 (a02_s03_e04_v03)."""
    found = motions(read_motion(ucla("a05_s08_e02_v01"), "kinect-v1"))
    assert "reach_down" not in found
    assert [f.text for f in found["bend"]] == ["bends the upper body forward by about 40 degrees"]
    assert "reach_down" in motions(read_motion(ucla("a02_s03_e04_v03"), "kinect-v1"))


def test_a_body_sitting_down_bent_forward_does_not_reach_down():
    """NW-UCLA sit down a05_s01_e00_v01: the hands go down to the knees with the body, the trunk bends
    24 degrees, but the hips stay down (seated): no pick-up."""
    assert "reach_down" not in motions(read_motion(ucla("a05_s01_e00_v01"), "kinect-v1"))
# --- branch s7-trunk: lean back and squat ---------------------------------------------------------
@pytest.mark.parametrize("layout,index", [("sbu-15", 110), ("sbu-15", 214)])
def test_a_held_lean_back_is_read_from_the_standing_trunk(layout, index):
    """Leans of 21-22 degrees (generated truth, seed 40) read 13-15 against 'up', which the held
    lean tilts back towards itself; measured from the trunk's own standing direction they are read."""
    sample, reading = _generated("lean_back", layout, index)
    true = next(t.magnitude for t in sample.required if t.motion == "lean_back")
    (lean,) = motions(reading)["lean_back"]
    assert abs(int(lean.text.split("about ")[1].split(" degrees")[0]) - true) <= 10
    assert "bend" not in motions(reading)


@pytest.mark.parametrize("layout,index", [("coco-17", 106), ("penn-13", 77)])
def test_a_lean_back_seen_in_profile_in_2d_is_read(layout, index):
    """In profile the image shows the whole lean; the nose (COCO) or the knees (Penn) tell the front.
    It was said 'bends the upper body by about 30 degrees' (a false bend) and no lean."""
    sample, reading = _generated("lean_back", layout, index)
    assert sample.camera.view == "side"
    assert "lean_back" in motions(reading) and "bend" not in motions(reading), reading.facts


def test_the_image_front_comes_from_the_nose_or_the_knees():
    from actlm.data.layouts import get_layout
    from actlm.explain.facts import _Body, _image_front
    from actlm.explain.world import World
    layout, t = get_layout("coco-17"), 20
    coords = np.zeros((t, layout.num_joints, 3))
    nose, ears = layout.joints.index("nose"), [layout.joints.index(e) for e in ("left_ear", "right_ear")]
    coords[:, nose, 0] = 0.05                                   # the nose ~8 cm along h1 from the ears
    world = World(np.array([0.0, 1.0, 0.0]), 1.0, "stature", 2, coords, np.full((t, 2), np.nan),
                  np.zeros(t), np.eye(3), np.zeros(3))
    body = _Body.__new__(_Body)
    hip, ankle = np.tile([0.0, 0.5, 0.0], (t, 1)), np.zeros((t, 3))
    straight = np.tile([0.0, 0.25, 0.0], (t, 1))
    body.hip_joint, body.ankle, body.knee = {"left": hip, "right": hip}, {"left": ankle, "right": ankle}, \
        {"left": straight, "right": straight}
    assert _image_front(body, world, layout) == 1.0             # the face alone
    coords[:, nose, 0] = 0.0
    assert _image_front(body, world, layout) == 0.0             # seen from the front: nothing tells it
    ahead = np.tile([-0.02, 0.25, 0.0], (t, 1))                 # knees ~3 cm against h1
    body.knee = {"left": ahead, "right": ahead}
    assert _image_front(body, world, layout) == -1.0            # the knees alone
    coords[:, nose, 0] = 0.05
    assert _image_front(body, world, layout) == 0.0             # face and knees disagree: no front
    for e in ears:
        coords[:, e, 0] = np.nan
    assert _image_front(body, world, None) == -1.0              # no layout: the knees


@pytest.mark.parametrize("layout,index", [("utd-mhad", 39), ("kinect-v1", 91)])
def test_hips_dipping_in_a_long_stride_are_no_squat(layout, index):
    """Generated walks (seed 40) whose pelvis drops 0.14-0.19 m where the feet are far apart: the
    hips travel with the walk while they are down, a squat's stay over planted feet."""
    sample, reading = _generated("walk", layout, index)
    assert "walk" in motions(reading) and "squat" not in motions(reading), reading.facts


@pytest.mark.parametrize("name", ["1684", "1701"])
def test_a_squat_is_read_from_the_knees_when_the_stature_is_misread(name):
    """Penn Action squats whose unseen shoulders are annotated at the image corner (as
    facts_real_benchmark reads them: no visibility): the spine reaches the corner, the stature reads
    5-7 times too large and the hips' drop 0.04 statures; the knees go from straight to 50-75
    degrees and back, and the hips drop 0.3 leg lengths."""
    data, _ = penn(name)
    assert "squat" in motions(read_motion(data, "penn-13"))


@pytest.mark.parametrize("name", ["1410", "1475"])
def test_a_push_up_with_its_legs_along_the_floor_is_no_squat(name):
    """Penn Action push-ups (read without visibility): the trunk and the legs lie beyond 70 degrees
    from up; the hips' height above the feet in a misread stature (1.6-2.4) said nothing."""
    data, _ = penn(name)
    assert "squat" not in motions(read_motion(data, "penn-13"))
# --- s7-arms: a child standing still, a brisk raise is no swing, a turn in an image is no 'still' ----
@pytest.mark.parametrize("layout,index", [("blazepose-33", 88), ("kinect-v1", 123), ("kinect-v1", 195)])
def test_a_child_standing_still_stays_in_place(layout, index):
    """Seed 40: children (1.2 m) standing still with the same few cm of sway and sensor jitter as an
    adult; in statures that passed STILL (0.06): metric data's bounds are in metres."""
    sample, reading = _generated("still", layout, index)
    assert sample.body == "child"
    assert motions(reading).keys() == {"still"}


@pytest.mark.parametrize("layout,index", [("blazepose-33", 48), ("kinect-v1", 99)])
def test_a_brisk_raise_at_15_frames_a_second_is_not_a_swing(layout, index):
    """Seed 40: a straight arm raised in 0.6 s moves ~0.12 statures a frame at 15 frames/s, straight up."""
    sample, reading = _generated("raise", layout, index)
    assert sample.fps == 15
    assert "raise" in motions(reading) and "swing" not in motions(reading)


def test_the_real_wave_class_is_read_and_a_knock_is_not():
    """UTD-MHAD a3 (wave): the subjects' waves of 1-3 to-and-fros are read; a knock (to and fro in
    depth) and boxing punches are not waves."""
    waves = [n for n in ("a3_s1_t1", "a3_s4_t1", "a3_s6_t4") if "wave" in motions(read_motion(utd(n + "_skeleton"), "utd-mhad"))]
    assert len(waves) == 3
    assert "wave" not in motions(read_motion(utd("a19_s6_t3_skeleton"), "utd-mhad"))


def test_a_body_turning_in_an_image_does_not_stay_in_place():
    """Seed 40: a turn on the spot seen in 2D moves no joint far up, down or across, but the image
    shoulder line shortens and lengthens (0.11 statures; standing still: at most ~0.04)."""
    sample, reading = _generated("turn", "coco-17", 34)
    assert "still" not in motions(reading)


def test_a_sit_up_whose_shoulders_are_hidden_is_no_squat():
    """Penn 1608 (hand-check round 7): the shoulders are invisible through the sit-up, so the trunk
    tilt is unreadable and the lying check was skipped: 'bends the knees and lowers the body'. The
    legs lie along the floor (hips to ankles ~88 deg from up): lying, no squat."""
    data, visibility = penn("1608")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "squat" not in motions(reading), reading.facts


def test_a_body_whose_head_and_trunk_are_never_seen_gets_no_size():
    """Penn 0352 (bench press, hand-check round 8): head and shoulders marked invisible throughout,
    so nothing gave the body's size and a 'stature' of 1e-6 said 'lowers the body by about 825000.0
    statures'. Now the reading is refused and says why."""
    data, visibility = penn("0352")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert reading.blocked and not reading.facts
    assert "no_scale" in [p.kind for p in reading.problems]


def test_stature_without_head_or_spine_is_unknown():
    from actlm.explain.world import _stature
    assert np.isnan(_stature(np.full(5, np.nan), 0.0))
    assert _stature(np.full(5, np.nan), 0.5) > 0          # the spine alone still gives a size


# --- s8-trunk9: trunk facts in 2D profiles (the clip's front, the legs' line), a lean's standing start ---
@pytest.mark.parametrize("name", ["1618", "1476", "1572"])
def test_a_trunk_lying_back_from_legs_along_the_floor_is_no_forward_bend(name):
    """Penn 1618 (sit-up, hand-check round 8): lying back down, the trunk is 50-68 degrees from up on
    the side away from the knees (hips 0.01-0.08 statures high, legs along the floor); 'bends the
    upper body forward by about 60 degrees' was said (beyond 45 degrees any bend was taken as
    forward). Penn 1476 (push-up): trunk 50 degrees from up in line with the legs: 'bends forward 50'.
    Penn 1572 (sit-up, round 16): lying on the back with the right ankle frozen all clip, one leg
    seen along the floor is enough: 'bends forward by about 60' at t=0 was said."""
    data, visibility = penn(name)
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert not [f for f in reading.facts if f.motion in ("bend", "lean_back")], reading.facts


def test_a_sit_up_reclining_away_from_its_raised_knees_is_no_forward_bend():
    """Penn 1585 (sit-up, hand-check round 24, false): lying back down after the sit-up's top, the
    trunk is 59 degrees from up on the side away from the knees and feet (mid-shoulder 39 px beyond
    the mid-hip); the hips read 0.34-0.36 statures up and one knee is raised, so no leg lies along the
    floor: 'bends the upper body forward to about 60 degrees from vertical' was said. Both thighs
    point across the image, away from the trunk: a recline, no bend. A pitcher's follow-through (Penn
    0095, round 14, holds: 81 degrees forward, the back leg kicked up, the other knee unread) keeps
    its bend."""
    from actlm.data import penn as reader
    for name, bend in (("1585", []), ("0095", ["bends the upper body forward by about 80 degrees"])):
        _, flags = penn(name)                      # skips without the data
        sample = reader.read_sequence(PENN / f"{name}.mat")
        reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"), guessed=flags == 0)
        assert [f.text for f in reading.facts if f.motion in ("bend", "lean_back")] == bend, (name, reading.facts)


def test_straightening_up_from_a_golf_address_is_no_lean_back():
    """Penn 0874 (golf swing, round 8): the trunk goes from 35 degrees forward of up at the address to
    8-16 at the finish, never back of the legs' line; read against the address posture (the standing
    start) that was 'leans back by about 30 degrees'."""
    data, visibility = penn("0874")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "lean_back" not in motions(reading), reading.facts


def test_a_lean_is_read_from_the_standing_start_before_the_bend():
    """UTD-MHAD a21_s6_t4 (pick up and throw, round 8): the bend to pick up sets in at frame 7 of 91,
    inside the first 15 % of frames that gave the standing direction, which tilted it forward by ~7
    degrees: a trunk at most ~12 degrees back of upright was said to lean back by 20."""
    reading = read_motion(utd("a21_s6_t4_skeleton"), "utd-mhad")
    assert "lean_back" not in motions(reading), reading.facts
    assert "bend" in motions(reading)                      # the pick-up's bend itself is still read


def test_a_bend_setting_in_inside_the_start_window_is_not_the_standing_reference():
    """UTD-MHAD a21_s2_t4 (pick up and throw, hand-check round 30): the bend sets in at frame 4 of
    the 10-frame start window, whose median tilted the reference ~10 degrees forward: a trunk 9.8
    degrees back of upright was said to 'lean back by about 20'. The pick-up's bend stays; NW-UCLA
    a08_s05_e00_v01's lean back (-16..-22 degrees held over frames 13-28, judged to hold) stays."""
    reading = read_motion(utd("a21_s2_t4_skeleton"), "utd-mhad")
    assert "lean_back" not in motions(reading), reading.facts
    assert "bend" in motions(reading)
    assert "lean_back" in motions(read_motion(ucla("a08_s05_e00_v01"), "kinect-v1"))


def test_a_straight_legged_start_is_standing_though_the_hips_rise_later():
    """NW-UCLA a09_s08_e03_v01 (doffing, hand-check round 31): the hips start 0.051 statures below
    their highest (a hip centre pulled up while the arms go over the head), the knees straight
    (161-176 degrees). Taken as no standing start, the lean's reference came from the frames whose
    trunk lines up best with the legs, a forward bend 9 degrees ahead of the start: a trunk at most
    12.8 degrees back of its upright was said to 'lean back by about 20'. The raise judged to hold
    stays, and so does NW-UCLA a08_s05_e00_v01's lean back (judged to hold)."""
    reading = read_motion(ucla("a09_s08_e03_v01"), "kinect-v1")
    assert "lean_back" not in motions(reading), reading.facts
    assert "raises the right hand above the head" in [f.text for f in reading.facts]
    assert "lean_back" in motions(read_motion(ucla("a08_s05_e00_v01"), "kinect-v1"))


@pytest.mark.parametrize("name", ["0628", "0610"])
def test_a_bend_from_a_posture_that_is_never_upright_names_its_reference(name):
    """Penn bowlers (round 8): their most upright frames are ~20 degrees forward of up, so the trunk's
    ~50 degrees from up is ~30 from their own upright: the words say 'from vertical'."""
    data, visibility = penn(name)
    bends = motions(read_motion(data, "penn-13", visibility=visibility)).get("bend", [])
    assert bends and all("from vertical" in f.text for f in bends), bends


def test_a_bend_whose_references_agree_keeps_its_words():
    """A Kinect v1 forward bend from a straight standing start: no reference named."""
    bends = motions(read_motion(ucla("a02_s04_e04_v03"), "kinect-v1")).get("bend", [])
    assert bends and not any("vertical" in f.text for f in bends), bends


def test_the_standing_start_ends_where_the_trunk_starts_to_move():
    from actlm.explain.facts import _trunk_start_direction
    angles = np.radians([0.0, 1.0, 0.0, 1.0, 10.0, 20.0, 30.0, 40.0])     # a bend from the 5th frame on
    unit = np.stack([np.sin(angles), np.cos(angles), np.zeros_like(angles)], axis=1)
    start = _trunk_start_direction(unit, np.arange(len(unit)))
    assert np.degrees(np.arccos(start[1])) < 1.0
# --- s8-arms9 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["0715", "1618"])
def test_a_hand_held_beside_the_head_while_a_shoulder_flickers_is_no_wave(name):
    """Penn 0715 (clean and jerk: both hands hold the bar overhead) and 1618 (sit-up, hands behind
    the head), hand-check round 8: the wrist stays 0.10-0.22 statures beside the head without
    turning back, but with one shoulder hidden now and then the neck (the shoulders' midpoint) jumped
    half a shoulder width, and the hand read against it swung side to side."""
    data, visibility = penn(name)
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "wave" not in motions(reading), reading.facts
    assert "raise" in motions(reading)                 # the real raises are still read


def test_a_neck_made_of_the_shoulders_is_read_only_where_both_are_seen():
    import types
    from actlm.explain.facts import _arm_side_reference
    left, right = np.zeros((20, 3)), np.zeros((20, 3))
    left[:, 0], right[:, 0] = 0.1, -0.1
    right[6] = np.nan
    neck = np.nanmean(np.stack([left, right]), axis=0)      # the seen shoulder where one is hidden
    body = types.SimpleNamespace(shoulder={"left": left, "right": right}, neck=neck, rate=_Rate())
    reference = _arm_side_reference(body)
    assert np.isnan(reference[6]).all() and np.allclose(reference[np.arange(20) != 6], 0.0)
    kinect = types.SimpleNamespace(shoulder={"left": left, "right": right}, neck=neck + [0.0, 0.03, 0.0], rate=_Rate())
    assert _arm_side_reference(kinect) is kinect.neck       # a neck joint of its own is kept


def test_a_hand_snapping_to_a_guess_during_a_crouch_is_no_raise():
    """NW-UCLA a01_s04_e01_v03 (pick up with one hand, seen from behind), hand-check round 8: the
    skeleton's right arm jumps 0.35 m up (and 0.3 m in depth) in one frame to a guess 0.75 m in
    front of the crouching body, and 'raises the left hand to shoulder height' was read from it, with up
    25.7 degrees off the floor's normal (the clip has no straight standing frame). Up from the legs
    (6.1 off): no raise; the crouch (judged to hold, 0.61 m down) is still read."""
    reading = read_motion(ucla("a01_s04_e01_v03"), "kinect-v1")
    assert "raise" not in motions(reading), reading.facts
    (squat,) = motions(reading)["squat"]
    assert abs(float(squat.text.split("about ")[1].split(" m")[0]) - 0.61) <= 0.15, squat.text


def test_two_hands_moving_together_are_not_waving():
    """A bar held in both hands drifts side to side with the lift (Penn 0715): the hands' gap
    stays; a hand waved alone (or two waved mirrored) changes it."""
    import types
    from actlm.explain.facts import _arm_not_with_other_hand
    t = np.arange(40)
    sweep = np.zeros((40, 3))
    sweep[:, 0] = 0.05 * np.sin(t / 3)
    still = np.zeros((40, 3))
    ok, axis = np.ones(40, bool), np.array([1.0, 0.0])
    bar = types.SimpleNamespace(raw_hand={"left": sweep + [0.3, 0, 0], "right": sweep - [0.3, 0, 0]}, rate=_Rate())
    alone = types.SimpleNamespace(raw_hand={"left": sweep + [0.3, 0, 0], "right": still}, rate=_Rate())
    assert not _arm_not_with_other_hand(bar, "left", ok, axis, None, 0.1)
    assert _arm_not_with_other_hand(alone, "left", ok, axis, None, 0.1)


# --- s8-reach10 ---
@pytest.mark.parametrize("name", ["a26_s7_t1_skeleton", "a26_s7_t2_skeleton", "a26_s7_t3_skeleton",
                                  "a26_s7_t4_skeleton"])
def test_a_hand_carried_down_by_a_lunge_does_not_reach_down(name):
    """UTD-MHAD subject 7's lunges (hand-check round 9, a26_s7_t3): the hanging hand gets to ~0.2 m
    above the floor only with the body: its drop below the shoulder stays 0.50-0.51 m, the trunk
    upright. The lunge itself is still read."""
    reading = read_motion(utd(name), "utd-mhad")
    found = motions(reading)
    assert "reach_down" not in found, found["reach_down"]
    assert "squat" in found


@pytest.mark.parametrize("sample", ["a02_s04_e03_v01", "a02_s09_e03_v03", "a02_s07_e05_v01"])
def test_a_pick_up_from_a_squat_still_reaches_down(sample):
    """NW-UCLA two-handed pick-ups with the trunk upright: the hand goes forward of the shoulder to
    the floor, or drops against the shoulder: a reach, not a hand carried by the body."""
    assert "reach_down" in motions(read_motion(ucla(sample), "kinect-v1"))


def test_a_pelvis_dragged_by_a_jumping_leg_is_no_squat():
    """NW-UCLA a08_s03_e04_v03 (donning; hand-check round 9): the pelvis reads 0.13 m high while the
    (flagged) right leg jumps, and 'lowers the body by about 0.21 m' was measured from it; the real
    dip is 0.07 m. The raises are still read."""
    reading = read_motion(ucla("a08_s03_e04_v03"), "kinect-v1")
    found = motions(reading)
    assert "jumping_joint" in kinds(reading)
    assert "squat" not in found, found["squat"]
    assert "raise" in found


def test_the_leg_glitch_mask_keeps_a_clean_clip_whole():
    """No leg joint dropped: the pelvis height is read in every frame (a real UTD squat)."""
    from actlm.data.layouts import get_layout
    from actlm.explain.facts import _body
    from actlm.explain.world import world_frame
    from actlm.explain.quality import check_tracking
    x, _ = check_tracking(utd("a27_s1_t1_skeleton")[0], get_layout("utd-mhad"))
    world = world_frame(x, get_layout("utd-mhad"))
    body = _body(world.coords, get_layout("utd-mhad"), world.mirrored)
    assert not body.leg_glitch.any()
    assert body.leg_glitch is body.leg_glitch            # computed once per body
    assert "squat" in motions(read_motion(utd("a27_s1_t1_skeleton"), "utd-mhad"))


def test_hands_together_for_one_frame_are_not_brought_together():
    """NW-UCLA a12_s04_e01_v03 (carry; hand-check round 9): the hands stay 0.22-0.35 m apart, one raw
    frame reads 0.14 m and the smoothed positions' gap dipped to 0.10 m as the hands passed each
    other's height; the gap must be held."""
    reading = read_motion(ucla("a12_s04_e01_v03"), "kinect-v1")
    found = motions(reading)
    assert "hands_together" not in found, found["hands_together"]
    assert "raise" in found


@pytest.mark.parametrize("name", ["a4_s1_t1_skeleton", "a4_s6_t2_skeleton"])
def test_a_clap_still_brings_the_hands_together(name):
    assert "hands_together" in motions(read_motion(utd(name), "utd-mhad"))


@pytest.mark.parametrize("name", ["a12_s5_t1_skeleton", "a12_s4_t1_skeleton"])
def test_a_bowling_swing_carried_by_the_body_does_not_reach_down(name):
    """UTD-MHAD a12_s5_t1 (hand-check round 9): the hand at its lowest is 0.08-0.14 m above the knees
    and 0.59 m below the shoulder, as at the start; a12_s4_t1 (round 12): the left hand's lowest is
    0.06-0.10 m above the knees. Both drop 0.062-0.063 statures against the pelvis, with the trunk's
    bend: no reach unless the hand gets down to the knees (the right hand of a12_s4_t1 does, level
    with them in a 35-degree bend: the crouched pick-up rule still reads it)."""
    found = motions(read_motion(utd(name), "utd-mhad"))
    assert not [f for f in found.get("reach_down", []) if f.part in ("left_hand", "both_hands")
                or name == "a12_s5_t1_skeleton"], found.get("reach_down")


@pytest.mark.parametrize("name", ["a01_s02_e00_v03", "a01_s01_e00_v03"])
def test_a_low_hand_dropping_far_against_the_pelvis_still_reaches_down(name):
    """NW-UCLA one-hand pick-ups judged true (hand-check rounds 7, 9): the hand 0.14-0.16 statures
    further below the pelvis than at the start (REACH_PELVIS_FAR), though the crouch's guessed knee
    joints read above it."""
    assert "reach_down" in motions(read_motion(ucla(name), "kinect-v1"))
# --- s8-wave10 --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, with_visibility", [("0775", True), ("0857", True), ("0775", False), ("0857", False),
                                                   ("0738", False), ("0786", False),
                                                   ("1618", False), ("0786", True)])
def test_two_hands_holding_one_thing_in_2d_are_no_wave(name, with_visibility):
    """Hand-check round 9 (seed 48): Penn 0775 (clean and jerk, the bar held at the shoulders) and
    0857 (golf swing, both hands on the club) were said to wave; so were 0503 (bowl), 0738, 0786
    (clean and jerk) and 1618 (sit-up, hands behind the head) read without visibility, as
    facts_real reads Penn. The gap between the two hands changes by 0.07-0.12 statures
    (foreshortening in one image) but does not go to and fro: it turns back at most once."""
    data, visibility = penn(name)
    reading = read_motion(data, "penn-13", visibility=visibility if with_visibility else None)
    assert "wave" not in motions(reading), reading.facts


@pytest.mark.xfail(strict=True, reason="the bowling hand's one swing out and back over the last 18 frames "
                   "turns back twice by the wave's own swing, and the other hand (jumping, dropped) is not seen "
                   "to compare with (not fixed by s8-wave10)")
def test_a_bowling_hand_swinging_out_and_back_once_is_no_wave():
    """Penn 0503 (bowl), read without visibility: the right wrist, raised in the last 18 frames,
    goes 0.05 statures one way, 0.11 the other and 0.10 back (a follow-through), the left wrist's
    annotation jumps and is dropped, so the two-hand guard cannot read it."""
    data, _ = penn("0503")
    assert "wave" not in motions(read_motion(data, "penn-13")), "waves"


def test_a_turn_across_a_hole_in_the_raised_frames_is_not_counted():
    """Penn 0857: the golf club's hand is above the shoulder in frames 23-34 and again 45-52;
    joined end to end, the downswing before the hole and the follow-through after it made a
    second turn that no frame shows. Within each stretch the hand turns back once."""
    from actlm.explain.facts import ARM_RUN_GAP, TUNED_FPS, _arm_run_reversals, _Rate, _reversals, frames
    ARM_RUN_GAP = frames(ARM_RUN_GAP, TUNED_FPS)             # 7 frames at 30 fps
    before = np.array([-0.05, -0.03, -0.01, 0.01, 0.02, 0.03, 0.02, 0.0, -0.02, -0.03])   # one turn
    after = np.array([-0.035, -0.02, 0.0, 0.01, 0.02, 0.02])                              # climbs only
    x = np.concatenate([before, after])
    rows = np.concatenate([np.arange(10), np.arange(6) + 12 + ARM_RUN_GAP])
    assert _reversals(x, 0.027) == 2                        # read as one signal: two turns
    rate = _Rate(TUNED_FPS)
    assert _arm_run_reversals(x, rows, 0.027, rate=rate) == 1
    assert _arm_run_reversals(x, np.arange(16), 0.027, rate=rate) == 2     # no hole: the second turn is seen


def test_a_wave_alone_or_mirrored_turns_its_gap_to_the_other_hand_back_but_a_held_pair_does_not():
    """What separates a hand waved (alone, or both mirrored) from two hands holding one thing:
    the gap between them goes to and fro with the wave; a held pair's gap only drifts
    (foreshortening as the object turns), even by more than half the hand's sweep."""
    import types
    from actlm.explain.facts import _arm_not_with_other_hand
    t = np.arange(60)
    sweep = np.zeros((60, 3))
    sweep[:, 0] = 0.05 * np.sin(t / 3)                     # ~0.1 side to side, ~6 turns
    ok, axis = np.ones(60, bool), np.array([1.0, 0.0])
    drift = np.zeros((60, 3))
    drift[:, 0] = 0.08 * t / 59                            # the held gap shrinks by 0.08 over the clip
    held = types.SimpleNamespace(raw_hand={"left": sweep + [0.3, 0, 0], "right": sweep - [0.3, 0, 0] + drift}, rate=_Rate())
    alone = types.SimpleNamespace(raw_hand={"left": sweep + [0.3, 0, 0], "right": np.zeros((60, 3))}, rate=_Rate())
    mirrored = types.SimpleNamespace(raw_hand={"left": sweep + [0.3, 0, 0], "right": -sweep - [0.3, 0, 0]}, rate=_Rate())
    assert not _arm_not_with_other_hand(held, "left", ok, axis, None, 0.1)
    assert _arm_not_with_other_hand(alone, "left", ok, axis, None, 0.1)
    assert _arm_not_with_other_hand(mirrored, "left", ok, axis, None, 0.1)


# --- s9-height11 ---
# hand-check round 10 (seed 49): sizes and times of sitting down / standing up, and a reach read
# from a hand the explanation itself says is hidden
def test_a_clip_that_goes_down_first_is_no_stand_up_from_its_first_frames():
    """NW-UCLA a02_s07_e05_v03 (pick up with two hands): the pelvis goes DOWN 1.01 -> 0.33 m over
    frames 0-10 and only then rises 0.75 m (frames 11-24). Read as 'rises from a low position to
    standing, by about 0.22 m' at t=0 (the start level was mid-descent); it is a lowering and a rise."""
    found = motions(read_motion(ucla("a02_s07_e05_v03"), "kinect-v1"))
    assert "stand_up" not in found, found.get("stand_up")
    (down,) = found["squat"]
    # the hand-check's own frame: 1.01 -> 0.33 m (0.68); within 0.15 m of it, lowest at frames 8-10 (t 0.27-0.33)
    metres = float(down.text.split("about ")[1].split(" m")[0])
    assert abs(metres - 0.68) <= 0.15 and 0.15 <= down.time <= 0.4, down


def test_a_stand_up_is_measured_from_the_lowest_level_before_the_rise():
    """Synthetic hips: down 0.5 statures over the first third, then up 0.6 to standing: no stand-up
    (the body came down first); the same rise from a seated start is one, timed at its half-way
    crossing after the lowest frame, not at frame 0."""
    from actlm.explain.facts import THRESHOLDS, _body_came_down, _crossing
    down_up = np.concatenate([np.linspace(0.65, 0.15, 10), np.linspace(0.15, 0.75, 20)])
    low = int(np.nanargmin(down_up))
    assert low == 9 and _body_came_down(down_up, low) == pytest.approx(0.5) and 0.5 > THRESHOLDS["stand_up"]
    assert _crossing(down_up, 0.5, falling=False) == 0             # the old search: the first frame
    assert _crossing(down_up, 0.45, falling=False, after=low) == 20     # 0.15 + 0.6 * 10 / 19 = 0.466
    seated_up = np.concatenate([np.full(10, 0.4), np.linspace(0.4, 0.75, 20)])
    assert _body_came_down(seated_up, int(np.nanargmin(seated_up))) < 0.01


#: NW-UCLA's floor normals (camera coordinates) by view, fitted to many 'walk around' clips' ankles by
#: experiments/facts_handcheck.py (independent of the detector)
UCLA_FLOOR_NORMAL = {"v01": (0.087, 0.977, -0.197), "v02": (0.04, 0.969, -0.245), "v03": (-0.007, 0.949, -0.315)}


@pytest.mark.parametrize("name, most", [("a05_s04_e03_v01", 11.0), ("a01_s04_e01_v03", 8.0)])
def test_up_without_a_straight_standing_frame_comes_from_the_legs(name, most):
    """Clips that start already bending have no straight standing frame: up read from their tallest
    frames' feet-to-head line and spine leaned towards the bend, 16.6 degrees off the floor's normal
    for the sit-down a05_s04_e03_v01 (v01) and 25.7 for the crouch a01_s04_e01_v03 (v03); the legs,
    over the frames they are longest, are 9.8 and 6.1 off."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    from actlm.explain.world import world_frame
    kinect = get_layout("kinect-v1")
    up = world_frame(check_tracking(ucla(name)[0], kinect)[0], kinect).up
    normal = np.asarray(UCLA_FLOOR_NORMAL[name[-3:]])
    angle = np.degrees(np.arccos(np.clip(up @ normal / np.linalg.norm(normal), -1, 1)))
    assert angle <= most, angle


def test_legs_stretched_forward_from_a_seat_do_not_set_up():
    """NW-UCLA a06_s04_e04_v02 (stand up, view 2): no straight standing frame; the legs are longest
    (0.92 m, knees 118-133) with the hips 0.65 m behind the feet, seated, 45 degrees off the floor's
    normal. The ankles slide 0.3 m along the floor: up from the legs tilts that slide by 26 degrees,
    the tallest frames' up by 3, so up stays the tallest frames' (27 degrees off, not 45)."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    from actlm.explain.world import _legs_up, world_frame
    kinect = get_layout("kinect-v1")
    x = check_tracking(ucla("a06_s04_e04_v02")[0], kinect)[0]
    normal = np.asarray(UCLA_FLOOR_NORMAL["v02"])
    off = lambda u: np.degrees(np.arccos(np.clip(u @ normal / np.linalg.norm(normal), -1, 1)))  # noqa: E731
    assert off(_legs_up(x, kinect)) > 40                   # the legs' up is read, and is wrong
    assert off(world_frame(x, kinect).up) < 30


def test_a_bend_peaking_through_a_collapsed_shoulder_line_is_read_where_its_front_is_seen():
    """NW-UCLA a01_s04_e01_v03 (pick up, seen from behind; round 47: the trunk 47-51 degrees from the
    clip's upright at frames 7-10, judged to hold): with up from the legs the bend peaks at frame 7,
    whose shoulder line (0.098 statures) is too narrow to tell front from back; the next frame's bent
    knees tell it: the bend is read there, forward, not dropped."""
    (bend,) = motions(read_motion(ucla("a01_s04_e01_v03"), "kinect-v1"))["bend"]
    assert "forward" in bend.text and 45 <= float(bend.text.split("about ")[1].split(" degrees")[0]) <= 70, bend.text


def test_a_sit_down_that_starts_bending_is_sized_from_the_floor():
    """NW-UCLA a05_s04_e03_v01 (sit down; hand-check round 32): the pelvis goes 1.035 -> 0.60-0.63 m
    and stays (0.41 m down, the head 1.55 -> 1.24-1.28), stated 'about 0.18 m' with up 16.6 degrees
    off the floor's normal (false); from the legs' up, within 0.15 m of 0.41. Its forward bend onto
    the seat (judged to hold: 59 degrees from the dataset's upright) stays."""
    found = motions(read_motion(ucla("a05_s04_e03_v01"), "kinect-v1"))
    (sit,) = found["sit_down"]
    metres = float(sit.text.split("about ")[1].split(" m")[0])
    assert abs(metres - 0.41) <= 0.15, sit.text
    (bend,) = found["bend"]
    degrees = float(bend.text.split("about ")[1].split(" degrees")[0])
    assert "forward" in bend.text and abs(degrees - 59) <= 15, bend.text


def test_a_sit_down_is_sized_against_the_feet_on_the_ground_not_a_glitching_ankle():
    """NW-UCLA a05_s06_e03_v03 (sit down): the pelvis goes 0.995 -> 0.63 m and stays (0.37 m down,
    the head 1.55 -> 1.17); the left ankle reads 0.4-0.85 m high, above its knee, in frames 0-13, and
    the size read against the ankles' mean was 'about 0.18 m'. Against the grounded feet: within
    0.15 m of 0.37 m."""
    (sit,) = motions(read_motion(ucla("a05_s06_e03_v03"), "kinect-v1"))["sit_down"]
    metres = float(sit.text.split("about ")[1].split(" m")[0])
    assert abs(metres - 0.37) <= 0.15, sit.text


def test_no_reach_down_from_a_frame_inside_a_hidden_hand_stretch():
    """NW-UCLA a03_s09_e02_v03 (drop trash): the right hand is behind the body (hidden) in frames
    5-12 by the explanation's own problem, but frame 9 passed the view check alone and was read as
    the reach's lowest point: 'reaches down ... with the right hand' at t=0.36 (frame 9)."""
    reading = read_motion(ucla("a03_s09_e02_v03"), "kinect-v1")
    hidden = [p for p in reading.problems if p.kind == "hand_behind_body" and "right" in p.text]
    assert hidden, reading.problems
    first, last = hidden[0].frames
    n = 26
    for f in motions(reading).get("reach_down", []):
        assert f.part != "right_hand" or not first <= f.time * (n - 1) <= last, f


def test_a_hand_seen_in_one_frame_between_hidden_ones_is_not_read():
    from actlm.explain.facts import HAND_SEEN_RUN, TUNED_FPS, _body_hand_seen, frames
    HAND_SEEN_RUN = frames(HAND_SEEN_RUN, TUNED_FPS)         # 3 frames at 30 fps
    h = np.array([0.9, 0.8, 0.7, np.nan, np.nan, 0.3, np.nan, np.nan, 0.6, 0.7, 0.8])
    out = _body_hand_seen(h, HAND_SEEN_RUN)
    assert np.isnan(out[5]) and np.isfinite(out[[0, 1, 2, 8, 9, 10]]).all()
    assert HAND_SEEN_RUN >= 2 and np.array_equal(_body_hand_seen(np.arange(5.0), HAND_SEEN_RUN), np.arange(5.0))
# --- s9-still11 ---
def _frozen_from(data: np.ndarray, joints: list[int], start: int, end: int | None = None) -> np.ndarray:
    """``data`` (M, T, V, C) with ``joints`` repeating their frame-``start`` values up to ``end``
    (a tracker that stopped updating them)."""
    out = data.copy()
    stop = out.shape[1] if end is None else end + 1
    out[:, start:stop, joints] = out[:, start : start + 1, joints]
    return out


def test_legs_frozen_as_a_block_are_frozen_whole():
    """A real walk whose legs stop updating from 40 % on: the thighs stretch (knees flagged), the
    shins keep their length as knee and ankle freeze together; the ankles and feet hanging from
    the frozen knees are frozen too, named, and no leg motion is read from them."""
    from actlm.data.layouts import get_layout
    names = get_layout("kinect-v1").joints
    data = ucla("a04_s04_e03_v03")
    legs = [names.index(f"{s}_{j}") for s in ("left", "right") for j in ("knee", "ankle", "foot")]
    reading = read_motion(_frozen_from(data, legs, int(0.4 * data.shape[1])), "kinect-v1")
    frozen = next(p for p in reading.problems if p.kind == "frozen_joint")
    assert {"left_ankle", "right_ankle", "left_foot", "right_foot"} <= set(frozen.joints), frozen
    assert not {"sit_down", "stand_up", "squat"} & set(motions(reading)), reading.facts


def test_a_limb_frozen_alone_is_not_spread_to_the_trunk():
    """The spread runs down a limb only: a frozen elbow freezes the wrist and hand below it, not the
    shoulder or the spine (a limb hangs from the trunk)."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    layout = get_layout("kinect-v1")
    names = layout.joints
    data = ucla("a04_s04_e03_v03")
    arm = [names.index(f"right_{j}") for j in ("elbow", "wrist", "hand")]
    _, tracking = check_tracking(_frozen_from(data, arm, 10)[0], layout)
    frozen = {j for p in tracking.problems if p.kind == "frozen_joint" for j in p.joints}
    assert {"right_elbow", "right_wrist", "right_hand"} <= frozen, tracking.problems
    assert not {"right_shoulder", "shoulder_center", "spine", "head"} & frozen


def test_an_arm_frozen_before_it_rises_is_no_standing_still():
    """Generated truth (seed 40, frozen_joints 52): the right arm freezes before it is raised and
    stays frozen, its bones keeping their length; the rest of the body stands. A sensor's joint
    always jitters, so an arm repeating its values exactly was not measured: no 'stays in place'."""
    from experiments.gt_motion.suite import failure_sample
    sample = failure_sample("frozen_joints", "kinect-v2", 40, 52)
    assert "raise" in {t.motion for t in sample.required}
    assert "still" not in motions(read_motion(sample.data, "kinect-v2"))
    clean = read_motion(sample.clean, "kinect-v2")
    assert "raise" in motions(clean)


def test_standing_still_is_still_said_until_an_arm_freezes():
    """A generated still clip (seed 40, still 0, Kinect v2) is read as staying in place; the same
    clip with the left arm repeating one frame from a third on is not (and says why not only
    through its problems, not through a false motion)."""
    from actlm.data.layouts import get_layout
    sample, reading = _generated("still", "kinect-v2", 0)
    assert "still" in motions(reading)
    names = get_layout("kinect-v2").joints
    arm = [j for j, n in enumerate(names) if n.startswith("left_") and any(k in n for k in ("elbow", "wrist", "hand", "thumb"))]
    frozen = read_motion(_frozen_from(sample.data, arm, sample.data.shape[1] // 3), "kinect-v2")
    assert frozen.facts == [], frozen.facts


def test_a_track_dead_to_the_end_claims_no_end_state():
    """A real sit-down whose skeleton repeats one frame from 45 % of the clip to its end: the
    dead track is said, and how the clip ends ('stays down', 'ends standing', 'stays in place')
    is not claimed from the frozen copy."""
    data = ucla("a05_s08_e01_v03")
    assert "sit_down" in motions(read_motion(data, "kinect-v1"))
    every = list(range(data.shape[2]))
    reading = read_motion(_frozen_from(data, every, int(0.45 * data.shape[1])), "kinect-v1")
    assert "dead_track" in kinds(reading)
    assert not {"sit_down", "stand_up", "still"} & set(motions(reading)), reading.facts
# --- s9-wave11 ---------------------------------------------------------------------------------------
def test_jitter_is_not_read_across_a_dropped_frame():
    """A hand moving steadily (0.03 statures a frame) with every fourth frame dropped by the
    tracking check has no jitter; read end to end, a dropped frame's neighbours are two frames
    apart and the hand's own motion looked like jitter (0.018)."""
    from actlm.explain.facts import _jitter
    x = 0.03 * np.arange(40.0)
    x[::4] = np.nan
    assert _jitter(x) < 1e-9
    assert _jitter(x[np.isfinite(x)]) > 0.01            # the end-to-end reading it replaced


@pytest.mark.parametrize("layout,index,seed", [("kinect-v1", 115, 40), ("utd-mhad", 127, 40), ("kinect-v1", 179, 40),
                                               ("kinect-v1", 123, 41)])
def test_a_wave_whose_hand_track_loses_a_frame_now_and_then_is_read(layout, index, seed):
    """Generated waves (facts_gt seeds 40, 41) whose hand the tracking check drops in a frame here
    and there (3-16 % of the frames): the steps' lag-1 correlation was read across those holes,
    where one 'step' spans two frames and the next does not follow it (a 15 frames/s wave's
    correlation fell from ~0.5 to under WAVE_SMOOTH), and the waves were missed."""
    from experiments.gt_motion.suite import clean_sample
    sample = clean_sample("wave", layout, seed, index)
    assert "wave" in motions(read_motion(sample.data, layout))


@pytest.mark.parametrize("name", ["a10_s2_t1", "a10_s4_t3"])
def test_a_circle_drawn_in_front_is_no_wave(name):
    """UTD-MHAD draw circle (counter clockwise): the hand goes over the top from one side to the
    other above the shoulder, then down and round below it (7 frames) and up again. Joined end
    to end across the lowered frames, the turn made below the shoulder counted as a wave's."""
    assert "wave" not in motions(read_motion(utd(name + "_skeleton"), "utd-mhad"))


def test_a_swing_made_below_the_shoulder_ends_a_raised_stretch():
    """Above the shoulder the hand goes one way (0 -> 0.2), is seen below it for three frames,
    and comes up on the far side going back (0.2 -> 0): read as one raised stretch that is a turn
    (and a half swing before it); the turn was made down there, not by a raised hand."""
    from actlm.explain.facts import TUNED_FPS, _arm_run_reversals, _Rate
    x = np.array([0.0, 0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.1, 0.05, 0.0])
    rows = np.array([0, 1, 2, 3, 4, 8, 9, 10, 11, 12])
    lowered = np.zeros(13, bool)
    lowered[5:8] = True
    rate = _Rate(TUNED_FPS)
    assert _arm_run_reversals(x, rows, 0.08, rate=rate) == 1
    assert _arm_run_reversals(x, rows, 0.08, lowered, rate=rate) == 0
    assert _arm_run_reversals(x, rows, 0.08, np.zeros(13, bool), rate=rate) == 1    # unreadable frames only: no cut


# --- s9-penn12 ---
def penn_as_read(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A Penn Action clip as facts_real and the hand-check pass it to the detector: the importer's
    data and ``Sample.visibility`` (the annotation's per-frame flags of the limb joints)."""
    from actlm.data import penn as reader
    path = PENN / f"{name}.mat"
    if not path.exists():
        pytest.skip(f"Penn Action data not found at {PENN}")
    sample = reader.read_sequence(path)
    return sample.data, sample.visibility("penn-13")


def test_a_trunk_seen_end_on_gives_no_bend_angle():
    """Penn 0431 (bench press, hand-check round 11): lying on the bench seen from the feet's end,
    the head and right shoulder never seen; shoulder to hip 26 px against 46 px between the hips
    (the trunk points along the camera axis). Its image angle was 'bends forward to about 120
    degrees from vertical'. A known false bend until round 26: the trunk is never within
    FORWARD_BEYOND of upright (:func:`_never_near_upright`), not the end-on ratio (which also cuts
    true bends: Penn 1740, 0.52)."""
    data, visibility = penn_as_read("0431")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert not [f for f in reading.facts if f.motion in ("bend", "lean_back")], reading.facts


def test_a_body_facing_the_camera_has_no_lean_back_from_a_sideways_tilt():
    """Penn 0818 (golf swing, round 11): the golfer faces the camera; the knees' image offsets
    point apart (left on -x in all frames, right in 43 %), yet their pooled vote gave the image a
    front, and the finish's sideways tilt read as 'leans back by about 20 degrees'. The front is
    still read wrong (knees that point apart also mark true leans: Penn 0775), but since round 12
    the address's trunk, bent forward of the legs, is no standing direction (START_BENT)."""
    data, visibility = penn_as_read("0818")
    assert "lean_back" not in motions(read_motion(data, "penn-13", visibility=visibility))


def test_a_bar_held_overhead_is_no_wave_and_the_clean_still_bends():
    """Penn 0729 (clean and jerk, round 11): both hands on the bar; the left wrist drifts 4-5 px
    to and fro against a shoulder midpoint whose right shoulder the annotator guessed (hidden in
    frames 52-207), turns 36 and 54 frames apart: 'waves the left hand'. The clean's start, bent
    towards the camera (shoulder to hip 0.95 of the hips' width), keeps its true bend."""
    data, visibility = penn_as_read("0729")
    found = motions(read_motion(data, "penn-13", visibility=visibility))
    assert "wave" not in found
    assert "bend" in found


def test_a_hand_going_up_with_the_bar_more_than_across_is_no_2d_wave():
    """Penn 0724 (clean and jerk, hand-check round 31): the left hand holds the bar at the shoulders;
    against a side view's shoulder midpoint, shifting under it as the body turns, it goes to and fro
    0.07 statures, 4 turns, while the middle half of its heights spans 6.5 times the middle half of
    its side to side (WAVE_UP_DOWN): 'waves the left hand from side to side'. The raise above the
    head judged to hold stays; UTD-MHAD's waves, read in 3D, are not touched."""
    data, visibility = penn_as_read("0724")
    found = motions(read_motion(data, "penn-13", visibility=visibility))
    assert "wave" not in found, found
    assert [f.text for f in found["raise"]] == ["raises both hands above the head"]


@pytest.mark.parametrize("layout,index", [("coco-17", 154), ("penn-13", 221), ("penn-13", 237)])
def test_a_small_2d_wave_rising_to_its_swing_is_still_read(layout, index):
    """Generated 8-12 cm waves in an image: the hand's rise to the wave and fall after it span 1.0-2.0
    times its side to side, the middle half of its heights 0.24-1.58 times (penn-13 #237: 37 raised
    frames, the rise a good part of them): the up-and-down test (WAVE_UP_DOWN) keeps them."""
    _, reading = _generated("wave", layout, index)
    assert "wave" in motions(reading), reading.facts


def test_a_slow_drift_to_and_fro_turns_back_but_is_no_wave():
    """The same 2-pixel-per-second drift turns back by the hysteresis both at 30 frames a half
    swing (counted) and at 45 (a 0.33 Hz 'wave': not counted); a hand held still for a second
    before waving at 2 Hz counts every turn, as :func:`_reversals` does."""
    from actlm.explain.facts import ARM_HALF_SWING, TUNED_FPS, frames, _reversals
    ARM_HALF_SWING = frames(ARM_HALF_SWING, TUNED_FPS)       # 30 frames
    t = np.arange(200)
    for half, counted in ((ARM_HALF_SWING - 5, True), (ARM_HALF_SWING + 15, False)):
        x = 0.1 * np.sin(np.pi * t / half)
        assert (_reversals(x, 0.05, t, ARM_HALF_SWING) == _reversals(x, 0.05)) == counted
        assert _reversals(x, 0.05) >= 2
    x = 0.1 * np.sin(2 * np.pi * 2 * np.clip(t - 30, 0, None) / 30)
    assert _reversals(x, 0.05, t, ARM_HALF_SWING) == _reversals(x, 0.05) >= 10


# --- hand-check round 12 (seed 51) ------------------------------------------------------------------
def test_a_quick_squat_is_said_at_its_depth():
    """NW-UCLA a02_s06_e04_v03 (a two-handed pick-up): the pelvis goes 0.95 -> 0.49 m in 6 frames
    (0.46 m); the 5-frame mean flattened its bottom and start to 'about 0.28 m' (0.18 off, false).
    Read on the lightly smoothed hips it is said within the size rule (0.15 m or a third)."""
    squats = motions(read_motion(ucla("a02_s06_e04_v03"), "kinect-v1"))["squat"]
    assert len(squats) == 1
    said = float(squats[0].text.split("about ")[1].split(" m")[0])
    assert abs(said - 0.46) <= 0.15, squats[0].text


@pytest.mark.parametrize("name, arms", [("2043", ("left_arm", "right_arm", "both_arms")), ("2244", ("left_arm",))])
def test_a_2d_arm_stretched_backwards_is_not_forward(name, arms):
    """Penn 2043 (forehand, side-on, the front unknown): the wrists 0.38 and 0.43 statures out on
    opposite sides of their shoulders, one of them back, was 'both arms forward'. Penn 2244 (serve):
    the racket arm drawn back in the trophy pose, away from the front the knees point to, was 'the left
    arm forward'. A 2D reach is ahead towards the front, or (front unknown) not against the other arm."""
    data, visibility = penn_as_read(name)
    found = motions(read_motion(data, "penn-13", visibility=visibility))
    assert not [f for f in found.get("reach_forward", []) if f.part in arms], found.get("reach_forward")


def _spy_on_bend_fact(monkeypatch) -> dict:
    """Record the body and world the 2D bend is read with (the reach tests compare fronts on them)."""
    from actlm.explain import facts as F
    seen: dict = {}
    bend = F._bend_fact

    def spy(body, clock, world, layout=None):
        seen.update(body=body, world=world, layout=layout)
        return bend(body, clock, world, layout)

    monkeypatch.setattr(F, "_bend_fact", spy)
    return seen


def test_a_2d_arm_out_towards_the_front_is_ahead(monkeypatch):
    """The sign of a 2D reach: on Penn 2244 the left arm's profile offset (towards -h1, where the
    knees say the back is) counts ahead with no front given and not with the front (+h1) given
    (read with every frame taken as showing the arm: its elbow is bent, see _arm_shown_2d)."""
    from actlm.explain import facts as F
    seen = _spy_on_bend_fact(monkeypatch)
    data, visibility = penn_as_read("2244")
    read_motion(data, "penn-13", visibility=visibility)
    body, world = seen["body"], seen["world"]
    arm = F._arm_length(body, "left")
    assert F._image_front(body, world, seen["layout"]) == 1.0
    # the arm is bent in the trophy pose, so no frame shows a reach (_arm_shown_2d); the sign is read without that
    assert np.isnan(F._ahead_2d(body, "left", arm)).all()
    monkeypatch.setattr(F, "_arm_shown_2d", lambda body, side: np.ones(len(body.hip), bool))
    assert np.nanmax(F._ahead_2d(body, "left", arm)) > 0.25
    assert np.isnan(F._ahead_2d(body, "left", arm, front=1.0)).all()
    assert np.nanmax(F._ahead_2d(body, "left", arm, front=-1.0)) > 0.25


def test_coming_up_from_a_ready_stance_is_no_lean_back():
    """Penn 2244 (serve): the trunk starts 15 degrees forward of image up (21 forward of its legs'
    line) and comes to 5-8 degrees past up; read from the start it was 'leans back by about 30
    degrees' (false). A start bent forward of the legs by more than START_BENT is no standing
    direction: the lean is read from the legs' line. Generated leans seen through a rolled camera
    (their trunk and legs tilted alike) are still read."""
    data, visibility = penn_as_read("2244")
    assert "lean_back" not in motions(read_motion(data, "penn-13", visibility=visibility))
    from experiments.gt_motion.suite import clean_sample
    for index in (26, 82):                       # camera roll 18 and 23 degrees
        sample = clean_sample("lean_back", "coco-17", 40, index)
        assert "lean_back" in motions(read_motion(sample.data, sample.layout)), sample.camera


def test_a_squat_whose_bottom_a_leg_glitch_hides_is_sized_at_least():
    """NW-UCLA a02_s02_e00 (hand-check round 13): the pelvis goes 1.06 -> 0.60 -> 1.11 m, but a leg
    glitch (left knee, right ankle jumping over frames 8-28) hides the bottom, and the lowest trusted
    frame gives 0.24 m: said as 'about 0.24 m' it was false. The size read from the trusted frames
    is a lower bound there: 'at least'. A squat whose bottom is read keeps 'about'."""
    glitched = motions(read_motion(ucla("a02_s02_e00_v03"), "kinect-v1"))["squat"][0]
    assert "by at least 0.2" in glitched.text and "about" not in glitched.text
    seen = motions(read_motion(ucla("a01_s03_e06_v03"), "kinect-v1"))["squat"][0]
    assert "by about 0.2" in seen.text


def test_a_hand_going_down_with_a_body_sitting_down_reaches_no_floor():
    """NW-UCLA a05_s08_e05 (hand-check round 13): the right hand goes 0.62 -> 0.29 m as the body
    sits, 0.48 m under its shoulder all along; at its lowest frame the knees still read low (hips
    0.23 statures over them), four frames later level with the hips, the hand resting beside the
    seat: 'reaches down towards the floor' was false. The sitting down itself is still read."""
    reading = motions(read_motion(ucla("a05_s08_e05_v03"), "kinect-v1"))
    assert "reach_down" not in reading
    assert "sit_down" in reading


def test_a_hand_sinking_with_a_body_seated_high_above_its_knees_reaches_no_floor():
    """NW-UCLA a05_s08_e02 (hand-check round 21): the body sits (pelvis 0.91 -> 0.55 m, staying
    0.2 m above the knees on a high seat), the left hand's lowest point 0.05 m above the knees and
    only 0.05 m more below its shoulder than at the start: 'reaches down towards the floor' was
    false. The sitting down and the bend are still read."""
    reading = motions(read_motion(ucla("a05_s08_e02_v03"), "kinect-v1"))
    assert "reach_down" not in reading
    assert {"sit_down", "bend"} <= set(reading)


def test_a_lean_read_from_one_shoulder_of_a_body_facing_the_camera_is_not_stated():
    """Penn 0716 (hand-check round 13): a lifter facing the camera (hips 0.56 of the trunk apart),
    the right shoulder unread around the peak: the line from the left shoulder alone to the mid-hips
    tilts sideways, read as 'leans the upper body back by about 20 degrees' (false). No trunk fact
    there; Penn 0775's lean, seen with both shoulders, is still read."""
    data, visibility = penn_as_read("0716")
    facts = motions(read_motion(data, "penn-13", visibility=visibility))
    assert "lean_back" not in facts and "bend" not in facts
    assert "squat" in facts
    data, visibility = penn_as_read("0775")
    assert "lean_back" in motions(read_motion(data, "penn-13", visibility=visibility))


def test_a_squat_is_not_stated_below_its_own_threshold_size():
    """Penn 2181 (hand-check round 14, tennis serve): the knees bend and straighten (the knee cycle)
    while the hips only wobble 0.02-0.05 statures: 'bends the knees and lowers the body by about
    0.01 statures' was false. A squat found by the knee cycle is said only where its size exceeds
    the squat's threshold; a lifter's squat (Penn 0716) is still read."""
    from actlm.explain.facts import THRESHOLDS
    data, visibility = penn_as_read("2181")
    assert "squat" not in motions(read_motion(data, "penn-13", visibility=visibility))
    data, visibility = penn_as_read("0716")
    squats = motions(read_motion(data, "penn-13", visibility=visibility))["squat"]
    assert all(f.strength > THRESHOLDS["squat"] for f in squats)


def test_a_2d_arm_cocked_back_against_a_deep_bend_is_not_forward(monkeypatch):
    """Penn 0095 (hand-check round 14, pitch): neither face nor knees tell the front; at frame 32 the
    right wrist is 0.3 statures behind its shoulder (the arm cocked back), read as 'stretches the
    right arm forward' (false). The follow-through bends the trunk 80 degrees towards -h1, which no
    standing body does backwards: that is the front, and the arm out to +h1 is not ahead."""
    from actlm.explain import facts as F
    seen = _spy_on_bend_fact(monkeypatch)
    data, visibility = penn_as_read("0095")
    found = motions(read_motion(data, "penn-13", visibility=visibility))
    assert "reach_forward" not in found, found.get("reach_forward")
    assert F._image_front(seen["body"], seen["world"], None) == 0.0
    assert F._bent_front(seen["body"]) == -1.0



def test_a_2d_deep_bend_tells_the_front_before_the_knees(monkeypatch):
    """Penn 0130 (hand-check round 19, pitch, the product's inputs): at frames 69-72 the right wrist is
    35-39 px behind its shoulder (the arm cocked back) and was 'stretches the right arm forward'
    (false): the knees, 0.01-0.04 statures off their hip-ankle lines in the wind-up, pointed the front
    to +h1 (the image's -x), while the follow-through bends the trunk 84-90 degrees to -h1, the throw's
    side. A deep bend, which no standing body makes backwards, tells the front where the two disagree."""
    from actlm.explain import facts as F
    seen = _spy_on_bend_fact(monkeypatch)
    assert _penn_reaches("0130") == []
    assert F._image_front(seen["body"], seen["world"], None) == 1.0
    assert F._bent_front(seen["body"]) == -1.0
    assert seen["world"].basis[0, 0] < 0                        # h1 is the image's -x: -h1 is +x, the pitch


def test_a_bend_whose_peak_borders_unread_trunk_frames_is_a_lower_bound():
    """Penn 0747 (hand-check round 15, clean and jerk): the lifter starts bowed over the bar,
    -59..-65 degrees from image up in frames 0-10; the foreshortened trunk is not read in frames
    0-8, and the bend was said from frame 9 on, coming up out of the bow: 'bends the upper body by
    about 40 degrees' (false: 24-27 off). The peak still rising towards the unread frames makes
    the size a lower bound: 'at least 40'."""
    data, visibility = penn_as_read("0747")
    bends = motions(read_motion(data, "penn-13", visibility=visibility))["bend"]
    assert [f.text for f in bends] == ["bends the upper body by at least 40 degrees"]


def test_a_2d_lean_needs_the_knees_at_its_peak_to_agree_with_the_clips_front():
    """Penn 2185 (hand-check round 15, tennis serve): the knees point to -h1 over most of the clip
    (the clip's front), to +h1 as the server folds forward after the hit; the trunk's 35 degree tilt
    there was read against the clip's front: 'leans the upper body back by about 30 degrees'
    (false). With the knees at the peak disagreeing, the direction is not told: a bend without one."""
    data, visibility = penn_as_read("2185")
    facts = motions(read_motion(data, "penn-13", visibility=visibility))
    assert "lean_back" not in facts
    assert [f.text for f in facts["bend"]] == ["bends the upper body by about 40 degrees"]


# --- r17fix: hand-check round 17's false facts ------------------------------------------------------
def test_a_bend_whose_facing_the_bent_knees_contradict_has_no_direction():
    """NW-UCLA a02_s07_e02_v03 (pick up with two hands; hand-check round 17): the trunk tilts 35-50
    degrees the way the knees point, but the narrow, collapsing shoulder line's facing at the peak is
    reversed (the right knee bends 0.06-0.11 statures towards it): 'leans the upper body back by about
    40 degrees' was false. Bent knees pointing against the facing leave the bend without a direction."""
    found = motions(read_motion(ucla("a02_s07_e02_v03"), "kinect-v1"))
    assert "lean_back" not in found
    assert [f.text for f in found["bend"]] == ["bends the upper body by about 40 degrees"]


def test_a_body_that_stands_up_again_between_does_not_sit_down():
    """Penn 0771 (clean and jerk; hand-check round 17): the hips drop into the catch, come back up
    to standing, dip in the jerk and end a bit lower than they started: 'lowers the body by about
    0.13 statures and stays down' was false. The catch is read as a squat instead."""
    data, visibility = penn_as_read("0771")
    found = motions(read_motion(data, "penn-13", visibility=visibility))
    assert "sit_down" not in found
    assert "squat" in found


# --- lean back only from a standing body (experiments/results/facts_lean.md) --------------------------
def test_a_lean_back_read_in_a_crouch_is_not_stated_and_a_standing_one_is():
    """NW-UCLA two-hand pick-ups. a02_s02_e02_v03 (hand-check round 13, ambiguous): 'leans back by
    about 30 degrees' read at frames 10-17, in the crouch (hips 0.27 statures below their highest),
    where the tracked trunk jumps 60 degrees a frame. a02_s08_e02_v03 (round 17, holds): the person
    straightens with the object and leans back 17-21 degrees from the own upright, standing (hips
    within 0.01 of their highest)."""
    crouched = motions(read_motion(ucla("a02_s02_e02_v03"), "kinect-v1"))
    assert "lean_back" not in crouched, crouched
    standing = motions(read_motion(ucla("a02_s08_e02_v03"), "kinect-v1"))
    (lean,) = standing["lean_back"]
    assert 15 < lean.strength < 25 and "about 20 degrees" in lean.text


def test_a_pull_up_does_not_lean_back_and_a_standing_lifter_does():
    """Penn 1250 (pull-up, hand-check round 14, ambiguous): 'leans back by about 20 degrees' read
    mid-pull, the hips 0.14 statures below the top of the pull: a hanging body has no standing
    upright. Penn 0775 (clean and jerk, round 9, holds): the trunk 15-16 degrees back at the top of
    the pull, standing (hips within 0.03 of their highest)."""
    data, visibility = penn_as_read("1250")
    assert "lean_back" not in motions(read_motion(data, "penn-13", visibility=visibility))
    data, visibility = penn_as_read("0775")
    assert "lean_back" in motions(read_motion(data, "penn-13", visibility=visibility))


# --- 2D forward reaches the image shows (experiments/results/facts_reach2d.md) ------------------
def _penn_reaches(name: str) -> dict[str, list]:
    """The 2D forward reaches read from a Penn Action clip as the hand-check passes it: the product's
    visibility and the annotation's per-frame flags of guessed joints (``guessed``)."""
    import scipy.io as sio
    data, visibility = penn_as_read(name)
    flags = sio.loadmat(PENN / f"{name}.mat", variable_names=["visibility"])["visibility"].astype(float)
    return motions(read_motion(data, "penn-13", visibility=visibility, guessed=flags == 0)).get("reach_forward", [])


@pytest.mark.parametrize("name", ["0012", "2198", "2135"])
def test_a_2d_reach_the_image_does_not_show_is_not_stated(name):
    """Hand-check rounds 12-17: Penn 0012 (pitcher: the left elbow bent ~105 degrees in the set
    position; the right shoulder flagged hidden at the release), 2198 (serve's ready stance: the
    arms hang 35 degrees forward-down, the left shoulder flagged hidden) and 2135 (the left wrist and
    shoulder never annotated seen in the same frame) were 'stretches ... forward', all ambiguous."""
    assert _penn_reaches(name) == []


def test_a_2d_reach_shown_straight_at_shoulder_level_is_still_stated():
    """Penn 2033 (round 14, judged to hold): the right arm straight (elbow 157-176 degrees), the wrist
    at shoulder level ahead of it in frames 5-9, all three joints annotated seen."""
    assert [f.part for f in _penn_reaches("2033")] == ["right_arm"]


def test_the_annotation_flags_alone_remove_a_2d_reach_read_from_guessed_joints():
    """Penn 2135: the geometry alone still reads the left arm stretched forward (from the annotator's
    guessed shoulder); passing the per-frame flags removes it. 3D readings take no flags."""
    data, visibility = penn_as_read("2135")
    without = motions(read_motion(data, "penn-13", visibility=visibility)).get("reach_forward", [])
    assert [f.part for f in without] == ["left_arm"] and _penn_reaches("2135") == []


def test_a_mirror_decision_is_said_when_only_a_walks_direction_names_a_side():
    """NW-UCLA a01_s02_e02_v03 (hand-check round 20): read as seen from behind, its only sided fact
    is 'walks sideways to the left' (no hand or arm named): the left it says rests on the mirror
    decision, so the mirrored_sides problem must say so (it was only said for facts about a sided
    body part)."""
    reading = read_motion(ucla("a01_s02_e02_v03"), "kinect-v1")
    walks = motions(reading)["walk"]
    assert any("left" in f.text or "right" in f.text for f in walks)
    assert not any(f.part.startswith(("left", "right")) for f in reading.facts)
    assert "mirrored_sides" in {p.kind for p in reading.problems}


@pytest.mark.parametrize("name", ["a01_s08_e01_v03", "a01_s08_e00_v03", "a01_s03_e06_v03"])
def test_no_hand_motion_on_an_island_between_two_large_jumps(name):
    """NW-UCLA pick ups (hand-check rounds 60, 55 and 52: 'touch head / raise to shoulder height /
    lower' judged ambiguous or false): the hand is flagged jumping in 2 frames before and 2 after the
    frames read between them, and moves 0.3-0.45 statures across each of those gaps (a01_s08_e01: a
    0.47 m jump up, a 0.74 m drop). It was placed there by the tracker: no touch, raise or lowering
    of that hand; the squat stays. a01_s08_e01 is seen from behind: its jump flags are the
    data's right hand, the person's left."""
    reading = read_motion(ucla(name), "kinect-v1")
    jump = next(p for p in reading.problems if p.kind == "jumping_joint")
    island = {"a01_s03_e06_v03": "right_hand"}.get(name, "left_hand")
    assert not [f for f in reading.facts if f.part in (island, "both_hands")
                and f.motion in ("touch_head", "raise", "lower")], reading.facts
    assert "jump" in jump.text and "squat" in motions(reading)
    if name == "a01_s08_e01_v03":
        from actlm.data.layouts import get_layout
        from actlm.explain.quality import check_tracking
        from actlm.explain.world import world_frame
        x, _ = check_tracking(ucla(name)[0], get_layout("kinect-v1"))
        assert world_frame(x, get_layout("kinect-v1")).mirrored and "right hand" in jump.text


@pytest.mark.parametrize("name,part", [("a08_s08_e01_v03", "right_hand"), ("a08_s03_e01_v03", "right_hand"),
                                       ("a08_s10_e01_v03", "right_hand")])
def test_a_raise_past_a_single_flagged_frame_is_still_stated(name, part):
    """Donning raises judged to hold (hand-check rounds 48, 56 and 41): a jump flagged in one frame on
    a side of the read frames (a fast raise breaking the forearm's length as it goes) is no island."""
    found = motions(read_motion(ucla(name), "kinect-v1"))
    assert part in {f.part for f in found["raise"]} and part in {f.part for f in found["lower"]}


@pytest.mark.parametrize("name", ["a03_s01_e04_v03", "a02_s10_e01_v03"])
def test_a_turn_made_in_one_frame_is_no_turn(name):
    """Hand-check rounds 57 and 60 (ambiguous): a03_s01_e04's facing changes 80 degrees across one
    edge-on frame at the clip's end, a02_s10_e01's 49 of its 63 in one frame at the deepest bend: a
    flip of the shoulder line, not a turn over readable frames."""
    assert "turn" not in motions(read_motion(ucla(name), "kinect-v1"))


@pytest.mark.parametrize("name,degrees", [("a09_s10_e04_v03", 90), ("a08_s04_e00_v03", 80), ("a01_s03_e07_v03", 70)])
def test_the_fastest_real_turns_are_still_read(name, degrees):
    """Turns judged to hold (rounds 50, 56, 60) whose largest frame makes 0.46, 0.58 and 0.35 of them
    (40 of 88 degrees in one frame, 46 of 80, 50 across one unread frame of 72)."""
    turn = motions(read_motion(ucla(name), "kinect-v1"))["turn"]
    assert [f.text for f in turn] == [f"turns the body by about {degrees} degrees"]


# --- the words say what was measured at a rule's edge (hand-check rounds 17-23) ----------------
def _reach_down_texts(reading) -> dict[str, str]:
    return {f.part: f.text for f in motions(reading).get("reach_down", [])}


@pytest.mark.parametrize("name,part,words", [
    ("a02_s09_e03_v03", "left_hand", "reaches down to knee height with the left hand"),     # +0.02 m over the knees
    ("a01_s07_e02_v03", "left_hand", "reaches down to knee height with the left hand"),     # -0.01 m: level
    ("a02_s04_e03_v03", "right_hand", "reaches down to the floor with the right hand"),     # 0.06 m up, kneeling
    ("a02_s04_e01_v03", "right_hand", "reaches down towards the floor with the right hand"),  # 0.11-0.15 m under
])
def test_a_reach_down_says_how_low_the_hand_came(name, part, words):
    """Hand-check rounds 18-22 judged 'reaches down towards the floor' ambiguous where the hand came
    only level with the knees (NW-UCLA a02_s09_e03: +0.023 m over their mean; a01_s07_e02: -0.01) or
    to the floor beside kneeling knees (a02_s04_e03: the hand 0.06-0.07 m above the floor, the knees
    at 0.07-0.11); a02_s04_e01's hand went 0.11-0.15 m under the knees (round 10, held). The kind
    stays reach_down (class-implied recall counts it)."""
    assert _reach_down_texts(read_motion(ucla(name), "kinect-v1")).get(part) == words


def test_a_2d_reach_level_with_the_knees_says_knee_height():
    """Penn 0622 (bowl, round 18): the left wrist's lowest y 191 px against the knees' 194 / 191."""
    from actlm.data import penn as reader
    penn("0622")                                   # skips without the data
    sample = reader.read_sequence(PENN / "0622.mat")
    reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"),
                          guessed=sample.guessed("penn-13"))
    assert _reach_down_texts(reading) == {"left_hand": "reaches down to knee height with the left hand"}


@pytest.mark.parametrize("name", ["1947", "1898", "1945"])
def test_a_no_motion_bound_holds_on_the_raw_pixels_and_names_the_unread_feet(name):
    """Penn strum_guitar clips (rounds 17-23): 'the hands within about 0.12 statures' was less than
    the strumming wrist's raw range, read in a unit (head to the lowest seen joint) half the
    detector's stature, which it estimates with the legs hidden all clip. The bound must cover each
    wrist's raw annotated (seen) pixel range, said in pixels, and the feet be named as not read."""
    import re

    import scipy.io as sio
    from actlm.data import penn as reader
    penn(name)
    path = PENN / f"{name}.mat"
    sample = reader.read_sequence(path)
    reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"),
                          guessed=sample.guessed("penn-13"))
    (text,) = [p.text for p in reading.problems if p.kind == "no_motion"]
    assert "the feet are not read" in text and "head, hips and feet" not in text
    hands = float(re.search(r"the hands within about ([0-9.]+) statures", text).group(1))
    stature = float(re.search(r"a stature here is about ([0-9]+) px", text).group(1))
    mat = sio.loadmat(path, variable_names=["x", "y", "visibility"])
    for wrist in (5, 6):                           # the annotation's wrists, pixels, frames marked seen
        seen = mat["visibility"][:, wrist] > 0
        xy = np.stack([mat["x"][seen, wrist], mat["y"][seen, wrist]], axis=1).astype(float)
        widest = max(np.linalg.norm(xy[:, None] - xy[None], axis=-1).max(), 0.0)
        assert hands * stature >= widest, (name, wrist, hands * stature, widest)


def test_hands_that_stay_apart_of_the_rule_are_said_how_close_they_came():
    """UTD-MHAD a22_s7_t3 (jog, round 23): the swinging arms pass each other, their held (5-frame
    median) gap 0.176 m at the closest against the hand-check's 0.15 m rule: the distance is said,
    not 'together'; a clap (a4_s3_t1, 0.11 m) still brings the hands together."""
    (jog,) = motions(read_motion(utd("a22_s7_t3_skeleton"), "utd-mhad"))["hands_together"]
    assert jog.text == "brings both hands close to each other in front of the body, about 0.18 m apart"
    (clap,) = motions(read_motion(utd("a4_s3_t1_skeleton"), "utd-mhad"))["hands_together"]
    assert clap.text == "brings both hands together in front of the body"


def test_a_dead_track_read_in_few_frames_still_bounds_its_parts():
    """Generated frozen_joints 'still' #39 (UTD-MHAD): dead from frame 23 of 102, every part read in a
    fifth of the frames; the no-motion statement bounds them over those frames rather than naming
    every part unread (it read '(; the hands, head ... are not read')."""
    _, reading = _generated("frozen_joints", "utd-mhad", 39, failure=True)
    (text,) = [p.text for p in reading.problems if p.kind == "no_motion"]
    assert "(head, hips and feet stay within about" in text and "not read" not in text


# --- hand-check rounds 25-26: sit-down / stand-up facts judged false ------------------------------
@pytest.mark.parametrize("sample", ["a01_s10_e04_v01", "a02_s09_e03_v01"])
def test_a_pick_up_back_up_as_the_clip_ends_does_not_stay_down(sample):
    """Round 26: the pelvis 0.92 -> 0.55 -> 0.88 m (a01_s10_e04) and 1.06 -> 0.46 -> 0.93 m
    (a02_s09_e03), up again in the last frames, were said to 'stay down'."""
    found = motions(read_motion(ucla(sample), "kinect-v1"))
    assert "sit_down" not in found


def test_a_two_handed_pick_up_cut_by_the_clip_end_is_a_squat_of_its_true_depth():
    """Round 26, a02_s09_e03_v01: pelvis 1.06 -> 0.46 -> 0.93 m by hand, a 0.60 m dip."""
    (squat,) = motions(read_motion(ucla("a02_s09_e03_v01"), "kinect-v1"))["squat"]
    said = float(squat.text.split("by about ")[1].split(" m")[0])
    assert 0.5 <= said <= 0.7


@pytest.mark.parametrize("sample, motion", [("a04_s05_e05_v01", "sit_down"), ("a03_s07_e00_v01", "stand_up")])
def test_a_body_walking_away_neither_sits_down_nor_stands_up(sample, motion):
    """Rounds 25-26: walking away from the sensor (1.9 -> 4.6 m; 1.8 -> 2.8 m), the hips read lower
    at far range or lifted by the per-clip up; the feet travel 2.6-5 times the height said."""
    found = motions(read_motion(ucla(sample), "kinect-v1"))
    assert motion not in found
    assert "walk" in found


@pytest.mark.parametrize("sample, motion", [
    ("a05_s07_e03_v01", "sit_down"),     # round 25 holds: 0.99 -> 0.53 -> 0.67-0.70 m at the end, seated
    ("a05_s07_e01_v01", "sit_down"),     # round 26 holds
    ("a05_s04_e03_v01", "sit_down"),     # the hips slide back onto the chair: the most travel of the class
    ("a06_s09_e04_v01", "stand_up"),     # round 24 holds
    ("a06_s01_e02_v01", "stand_up"),     # round 26 holds
])
def test_a_real_sit_down_or_stand_up_judged_to_hold_stays(sample, motion):
    assert motion in motions(read_motion(ucla(sample), "kinect-v1"))


def test_a_2d_trunk_line_is_not_read_across_the_body():
    """Hand-check round 26, Penn 1913 (strum guitar, seated upright): the left hip is hidden in every
    frame and the right shoulder, held still, is dropped as a frozen joint from frame 24; the left
    shoulder to the right hip read 'bends the upper body to about 40 degrees from vertical'. The
    annotation itself (the .mat file's pixels, not the detector) has the right shoulder within 12
    degrees of vertical over the right hip. A bend judged to hold whose trunk is read from both
    sides (round 60, Penn 0872) is still stated."""
    import scipy.io as sio
    penn("1913")                                   # skips without the data
    mat = sio.loadmat(PENN / "1913.mat", variable_names=["visibility", "x", "y"])
    seen, x, y = mat["visibility"].astype(bool), mat["x"].astype(float), mat["y"].astype(float)
    assert not seen[:, 7].any() and seen[:, [2, 8]].all()          # left hip never seen, right side always
    assert np.degrees(np.arctan2(np.abs(x[:, 2] - x[:, 8]), y[:, 8] - y[:, 2])).max() < 12
    assert not [t for t in _penn_texts("1913", flagged=True) if "bends the upper body" in t]
    assert "bends the upper body to about 40 degrees from vertical" in _penn_texts("0872", flagged=True)


@pytest.mark.parametrize("name", ["0390", "0431"])
def test_a_2d_body_lying_on_a_bench_all_clip_does_not_bend(name):
    """Hand-check rounds 26 and 11 (Penn 0390, 0431: bench presses, lying on the back all clip, the
    hips raised by the bench above LYING_HIPS): 'bends forward to about 90 (120) degrees from
    vertical' was the image angle of a trunk never within FORWARD_BEYOND of upright."""
    assert not [t for t in _penn_texts(name, flagged=True) if "bends the upper body" in t or "leans" in t]


def test_a_2d_trunk_seen_end_on_all_clip_does_not_bend():
    """Hand-check round 40 (Penn 0411, bench press, false): the lifter lies on the bench seen from
    the feet, shoulders 99-110 px apart over a trunk 24-38 px long in every frame, and never bends;
    its left hip, nearly still, is dropped as frozen from frame 6 and the trunk line to the one hip
    left swung 21 -> 54 degrees: 'bends the upper body forward by about 80 degrees'. A trunk that
    short against the shoulders all clip is seen end-on (:func:`_trunk_end_on_all_clip`). Penn
    2175 (round 59, judged to hold), a hip hidden mid-clip on a body standing at full length,
    keeps its bend."""
    import scipy.io as sio
    penn("0411")                                   # skips without the data
    mat = sio.loadmat(PENN / "0411.mat", variable_names=["x", "y"])
    x, y = mat["x"].astype(float), mat["y"].astype(float)
    width = np.abs(x[:, 1] - x[:, 2])
    trunk = (y[:, 7] + y[:, 8] - y[:, 1] - y[:, 2]) / 2
    assert (width > 2.5 * trunk).all()             # lying along the line of sight
    assert not [t for t in _penn_texts("0411", flagged=True) if "bends the upper body" in t or "leans" in t]
    assert "bends the upper body forward to about 50 degrees from vertical" in _penn_texts("2175", flagged=True)


@pytest.mark.parametrize("name", ["0601", "0541"])
def test_a_2d_bend_from_a_never_upright_posture_judged_to_hold_stays(name):
    """Rounds 60 and 53 (Penn 0601 bowl, 0541 golf swing): trunks never upright in the clip whose
    'bends forward to about 70 degrees from vertical' was judged to hold; the lying guard above
    leaves them (their least tilt is within FORWARD_BEYOND of upright)."""
    assert "bends the upper body forward to about 70 degrees from vertical" in _penn_texts(name, flagged=True)


def test_a_walk_in_the_clip_last_frames_is_read_there_not_as_a_walk_around():
    """Hand-check round 28 (NW-UCLA a03_s01_e01_v01, false): the pelvis stays within 0.27 m of its
    start for 116 frames, then walks 1.0 m towards the sensor in the last 14 and ends at its
    farthest point. The clip's last 15 % were half standing, so the feet 'did not travel' and the
    walk-around branch said 'ending near where it started'. The walk is read from its frames now."""
    (walk,) = motions(read_motion(ucla("a03_s01_e01_v01"), "kinect-v1"))["walk"]
    assert "around" not in walk.text and "near where it started" not in walk.text, walk.text
    assert 0.8 <= float(walk.text.split("about ")[1].split()[0]) <= 1.2
    assert walk.start >= 0.8                       # frames 114-130 of 131


@pytest.mark.parametrize("name", ["a03_s10_e00_v01", "a03_s06_e00_v03", "a09_s06_e02_v03", "a12_s04_e00_v01"])
def test_a_walk_around_back_to_its_start_judged_to_hold_stays(name):
    """Rounds 26 and 3 (held): out 1.3 m and back to 0.08 m of the start; a 1.8-m path back to 0.06 m.
    Hand-check seeds 50 and 74 (held): out 1.1 m and back to 0.44 m (the farthest end of the walks
    around judged to hold); a 3.4-m path back to 0.06 m."""
    (walk,) = motions(read_motion(ucla(name), "kinect-v1"))["walk"]
    assert walk.text.startswith("walks around") and walk.text.endswith("ending near where it started"), walk.text


def test_a_walk_around_ending_away_from_its_start_does_not_say_it_ends_near_it():
    """NW-UCLA a04_s01_e01_v01 (walk around): the pelvis ends 1.0 m from its start after going 3.3 m
    across (facts_real_walk_review's own floor measure), more than half the farthest it went."""
    (walk,) = motions(read_motion(ucla("a04_s01_e01_v01"), "kinect-v1"))["walk"]
    assert walk.text.startswith("walks around") and "near where it started" not in walk.text, walk.text


@pytest.mark.parametrize("name", ["a04_s09_e00_v01", "a04_s07_e02_v01", "a08_s10_e00_v01"])
def test_a_walk_around_ending_far_from_its_start_is_no_longer_said_to_end_near_it(name):
    """Hand-check seeds 77, 75 and 65 (ambiguous 'ending near where it started'): the pelvis goes
    1.5 m out and ends 0.85-0.90 m from its start (60 % of its farthest; said 'near' while both ends
    were read as the clip's first and last 15 %, a walk already 0.4 m on its way); a 1.1 x 1.0 m loop
    ending 0.72-0.77 m from its start; out 1.0 m and back to 0.75 m. The walk around itself stays."""
    (walk,) = motions(read_motion(ucla(name), "kinect-v1"))["walk"]
    assert walk.text.startswith("walks around") and "near where it started" not in walk.text, walk.text


def test_both_hands_lower_only_where_each_comes_back_down():
    """Hand-check round 28 (NW-UCLA a11_s08_e03_v01, ambiguous 'lowers both hands again'): the left
    hand falls 0.50 m, the right 0.22-0.25 m of its 0.7-m raise and stays at shoulder height: the
    hand that lowers is named. Both-hand lowers judged to hold (round 27 a12_s04_e02_v01: the
    weaker hand comes down 0.48 of its raise; round 28 a09_s08_e04_v01: 0.59 / 0.44 m) stay."""
    (lower,) = motions(read_motion(ucla("a11_s08_e03_v01"), "kinect-v1"))["lower"]
    assert lower.text == "lowers the left hand again"
    for name in ("a12_s04_e02_v01", "a09_s08_e04_v01"):
        (lower,) = motions(read_motion(ucla(name), "kinect-v1"))["lower"]
        assert lower.text == "lowers both hands again", name


def test_no_bend_from_a_trunk_pulled_short_by_risen_hips():
    """Hand-check round 28 (NW-UCLA a08_s02_e04_v01, ambiguous 'bends by about 40 degrees'): read
    only in frames 40-46, where the trunk line shrinks to 0.23-0.27 m (median 0.39) while the pelvis
    rises 0.12-0.17 m with a lifted knee. Bends judged to hold whose Kinect trunk also shortens
    (to 0.67-0.71 of its median), their hips not risen, stay."""
    assert "bend" not in motions(read_motion(ucla("a08_s02_e04_v01"), "kinect-v1"))
    for name, degrees in (("a01_s03_e02_v03", 60), ("a09_s08_e03_v03", 30)):
        (bend,) = motions(read_motion(ucla(name), "kinect-v1"))["bend"]
        assert bend.text == f"bends the upper body forward by about {degrees} degrees", name


def test_stepping_about_one_spot_is_no_walk_around():
    """NW-UCLA a02_s03_e00_v01 (pick up with two hands, hand-check round 31): the feet step out and
    back about the pick-up spot, the hips at most 0.29 statures (0.49 m) from their start where no
    joint jumps; their farthest, 0.96 m, is a drift into a whole-body jump (frames 57-66 flagged):
    'walks around, covering about 2.8 m'. Its squat and bend (judged to hold) stay, and so does the
    walk around of a03_s06_e00_v03 (judged to hold: 0.40 statures out, the least of the walks judged)."""
    reading = read_motion(ucla("a02_s03_e00_v01"), "kinect-v1")
    assert "walk" not in motions(reading), reading.facts
    assert {"squat", "bend"} <= set(motions(reading))
    (walk,) = motions(read_motion(ucla("a03_s06_e00_v03"), "kinect-v1"))["walk"]
    assert walk.text.startswith("walks around")


def test_a_whole_body_jump_blocks_only_the_height_change_read_across_it():
    """Hand-check round 30, NW-UCLA a06_s06_e00_v01 (stand up) read 'lowers the body by about 0.24 m and
    stays down': the hip centre jumps 0.58 m in ONE frame (7 -> 8), 0.44 m down, to a skeleton frozen
    for 9 frames. The sit-down's span holds the break: it is not said, and the problem says why."""
    data = ucla("a06_s06_e00_v01")
    hip = data[0, :, 0]
    assert np.linalg.norm(hip[8] - hip[7]) > 0.5 and np.abs(np.diff(hip[8:17], axis=0)).max() < 0.01
    reading = read_motion(data, "kinect-v1")
    assert "sit_down" not in motions(reading)
    (problem,) = [p for p in reading.problems if p.kind == "track_break"]
    assert problem.frames == (7, 8) and "no sitting down" in problem.text


@pytest.mark.parametrize("sample, kept", [
    ("a05_s08_e05_v03", {"sit_down"}),               # round 52 holds; frame 0 alone is another skeleton
    ("a03_s08_e02_v03", {"squat", "walk", "bend"}),  # round 41 holds; the skeleton shifts at frames 17-18
])
def test_facts_away_from_a_whole_body_jump_stay(sample, kept):
    """The tracker often shifts the whole skeleton in one frame while the pose carries on: a height
    change read away from the jump (or past a one-frame stub at the clip's start) and the body-relative
    facts are still said, and no problem is named where nothing changed."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    data = ucla(sample)
    _, tracking = check_tracking(data[0], get_layout("kinect-v1"))
    assert len(tracking.breaks) >= 1
    reading = read_motion(data, "kinect-v1")
    assert kept <= set(motions(reading))
    assert "track_break" not in kinds(reading)


def test_body_steps_tell_a_shift_that_stays_from_a_one_frame_spike():
    """A whole skeleton moved 0.4 of its size in one frame and staying there is a break; one frame
    away and back (a spike, which the jump check masks) is not."""
    from actlm.explain.quality import BREAK_SPEED, body_steps
    rng = np.random.default_rng(0)
    pose = rng.normal(size=(20, 3))
    x = np.repeat(pose[None], 30, axis=0) + 0.001 * rng.normal(size=(30, 20, 3))
    seen, frames = np.ones((30, 20), bool), np.arange(30)
    shifted = x.copy()
    shifted[15:] += [0.4, 0.0, 0.0]
    spiked = x.copy()
    spiked[10] += [0.4, 0.0, 0.0]
    limit = BREAK_SPEED / 30
    assert np.flatnonzero(body_steps(shifted, seen, 1.0, frames) > limit).tolist() == [14]
    assert not (body_steps(spiked, seen, 1.0, frames) > limit).any()


# --- early stand-up ---
# video hand-check: clean_and_jerk.mp4's lifter stands up out of the clean in frames 0-16 of 300; the
# start level (the first 15 % of frames, mostly standing) did not see it ('no movement of the head')
def test_a_stand_up_in_the_first_frames_is_read_from_them():
    """Penn 0704 (clean and jerk): the annotated hips rise 150 -> 135 px over frames 0-11 (ankles
    fixed at 182 px, head 113 -> 101) and the lifter then stands: a stand-up early in the clip."""
    data, visibility = penn("0704")
    (stand,) = motions(read_motion(data, "penn-13", visibility=visibility))["stand_up"]
    assert stand.time < 0.15 and stand.strength > 0.1, stand


def _crouched_first(lowered: np.ndarray) -> np.ndarray:
    """A Kinect v1 body standing 200 frames whose first frames are lowered by ``lowered`` (metres per
    frame; knees by half as much, ankles and feet on the floor): (1, 200, 20, 3)."""
    from actlm.data.layouts import get_layout
    x = _standing_kinect_v1(200)
    names = get_layout("kinect-v1").joints
    legs = [j for j, n in enumerate(names) if "knee" in n]
    body = [j for j, n in enumerate(names) if not any(k in n for k in ("knee", "ankle", "foot"))]
    for t, d in enumerate(lowered):
        x[t, body, 1] -= d
        x[t, legs, 1] -= d / 2
    return x[None]


def test_an_early_rise_is_a_stand_up_and_a_first_frame_jump_is_not(monkeypatch):
    """Crouched 0.35 m for 4 frames, rising over 6, then standing 190: the start level (the first 30
    frames' median) is standing, so only the first frames show the stand-up. The same body tracked
    0.35 m low in its first 3 frames only, then at once standing (a tracker's start-up glitch): none."""
    import actlm.explain.facts as facts
    rise = _crouched_first(np.concatenate([np.full(4, 0.35), np.linspace(0.35, 0.0, 7)[1:]]))
    (stand,) = motions(read_motion(rise, "kinect-v1"))["stand_up"]
    metres = float(stand.text.split("about ")[1].split(" m")[0])
    assert stand.time < 0.05 and abs(metres - 0.35) < 0.05, stand
    assert "stand_up" not in motions(read_motion(_crouched_first(np.full(3, 0.35)), "kinect-v1"))
    monkeypatch.setattr(facts, "_early_rise", lambda *args: None)     # the start level alone misses it
    assert "stand_up" not in motions(read_motion(rise, "kinect-v1"))


def test_a_2d_stand_up_must_rise_in_the_hips_the_annotation_shows():
    """Penn 0889 (golf swing, hand-check round 32, false): 'rises from a low position to standing, by
    about 0.12 statures', read with the right hip the annotator marks hidden in frames 0-30 and guessed
    low; the seen pelvis stays 0.545-0.61 statures all clip (the judge's rise: at most 0.067). With the
    product's flags the stand-up must be seen in the hips: gone, the swing's raises stay. Penn 0767 and
    1501 (hips also guessed in some frames) keep theirs: their seen hips rise."""
    from actlm.data import penn as reader
    penn("0889")                                   # skips without the data

    def stand_ups(name: str, flagged: bool) -> list[str]:
        sample = reader.read_sequence(PENN / f"{name}.mat")
        guessed = sample.guessed("penn-13") if flagged else None
        reading = read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"), guessed=guessed)
        return [f.text for f in motions(reading).get("stand_up", [])]

    assert stand_ups("0889", flagged=False)        # the guessed hip is what said it
    assert stand_ups("0889", flagged=True) == []
    assert "raises the right hand above the head" in _penn_texts("0889", flagged=True)
    for name in ("0767", "1501"):
        assert len(stand_ups(name, flagged=True)) == 1, name


def test_a_stand_up_that_goes_down_again_is_sized_to_the_level_it_stood_at():
    """NW-UCLA a01_s08_e04_v01 (pick up with one hand, hand-check round 32, false): 'rises from a low
    position to standing, by about 0.18 m'; the judge's pelvis rises 0.46-0.50 -> 0.888 m (0.39-0.42)
    and goes down again to 0.61 for a second reach, and the size was read to that lowered end. It is
    read to the level the body stood at: within 0.15 m of the judge's rise. A stand-up that stays up
    (a06_s01_e04_v03, round 43, holds at 0.41 m) keeps its words."""
    (stand,) = motions(read_motion(ucla("a01_s08_e04_v01"), "kinect-v1"))["stand_up"]
    size = float(stand.text.split("about ")[1].split(" m")[0])
    assert 0.39 - 0.15 < size < 0.42 + 0.15, stand.text
    (kept,) = motions(read_motion(ucla("a06_s01_e04_v03"), "kinect-v1"))["stand_up"]
    assert kept.text == "rises from a low position to standing, by about 0.41 m"


def test_a_walk_is_read_within_the_stretches_a_large_track_break_leaves():
    """NW-UCLA a04_s05_e00_v01 (walk around, hand-check round 32, false): 'walks backward, covering
    about 0.66 m'; the whole skeleton jumps 2.5 m in one frame (hip depth 1.47 -> 4.03 m, frames
    33-34) and the judge's stretches on each side both walk forward (+1.96 and +1.47 m along the
    facing): the walk out and the jump back cancelled. Read per stretch, the farther one is said,
    forward. A walk across a small break (a03_s01_e02_v03, breaks of 0.38 and 0.45 body sizes; seed
    50, holds: 'walks, covering about 1.1 m') reads through it as before."""
    walks = motions(read_motion(ucla("a04_s05_e00_v01"), "kinect-v1"))["walk"]
    assert [f.text.split(",")[0] for f in walks] == ["walks forward"], walks
    assert walks[0].end <= 33 / 82
    (kept,) = motions(read_motion(ucla("a03_s01_e02_v03"), "kinect-v1"))["walk"]
    assert kept.text == "walks, covering about 1.1 m"


# --- round 33 (fix33) ---------------------------------------------------------------------------
def test_a_bar_held_in_a_wide_grip_under_a_wobbling_shoulder_line_is_no_wave():
    """Penn 0755 (clean and jerk), hand-check round 33, false: 'waves the right hand from side to
    side'. The wrist holds the bar, its x within 256-270 px (0.07 statures) over frames 108-420; the
    hands 0.33-0.40 statures apart (wider than WAVE_HANDS_JOINED); the 'reversals' came from the
    shoulders' midpoint wobbling under it. The hand itself must turn back in the image. The clip's
    raise of both hands overhead (judged holds) stays."""
    data, visibility = penn("0755")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "wave" not in motions(reading), reading.facts
    assert [f for f in motions(reading).get("raise", []) if f.part == "both_hands"], reading.facts


def _penn_as_product(name: str):
    """A Penn clip read as the product and the hand-check read it (visibility and guessed flags)."""
    from actlm.data import penn as reader
    penn(name)                                     # skips without the data
    sample = reader.read_sequence(PENN / f"{name}.mat")
    return read_motion(sample.data, "penn-13", visibility=sample.visibility("penn-13"),
                       guessed=sample.guessed("penn-13"))


@pytest.mark.parametrize("name,said", [("0134", "bends the upper body by about 50 degrees"),
                                       ("0018", "bends the upper body by about 50 degrees")])
def test_a_foreshortened_bend_tilting_against_the_travel_has_no_direction(name, said):
    """Penn 0134 and 0018 (baseball pitch), hand-check round 33, ambiguous: the same picture read
    'bends forward by about 50' and 'leans back by about 40'. The trunk's image length shrinks
    95 -> 43 px and 44 -> 32 px (most of the bend is towards or away from the camera) and its image
    tilt points against the way the pitcher strides: the bend is said without a direction."""
    reading = _penn_as_product(name)
    trunk = [f.text for f in reading.facts if f.motion in ("bend", "lean_back")]
    assert trunk == [said], reading.facts


@pytest.mark.parametrize("name,said", [("0154", "bends the upper body forward by about 80 degrees"),
                                       ("0279", "leans the upper body back by about 20 degrees")])
def test_a_bend_or_lean_in_the_image_plane_keeps_its_direction(name, said):
    """Judged to hold (rounds 32 and 22): a pitcher folding forward the way it strides, its trunk at
    full image length (Penn 0154), and a lean back at full length (0279) keep their words."""
    reading = _penn_as_product(name)
    assert said in [f.text for f in reading.facts], reading.facts


def test_a_hip_far_off_the_body_is_not_read_for_the_bend():
    """Penn 1776 (squat), hand-check round 35, false: the left hip is marked seen ~220 px from the
    body in every frame (2.2-2.6 times the trunk's usual length from the right hip), the hips'
    midpoint was thrown with it and the squat read 'bends forward by about 140 degrees'. The right
    side's own shoulder-to-hip line reads 9 degrees standing, 30-39 at the squat's bottom (raw
    pixels): that hip is not read (:func:`_hip_astray`) and the size said is that line's."""
    reading = _penn_as_product("1776")
    trunk = [f for f in reading.facts if f.motion in ("bend", "lean_back")]
    assert trunk and all(25 <= f.strength <= 45 for f in trunk), trunk
    assert [f.text for f in trunk] == ["bends the upper body by about 40 degrees"], trunk


def test_a_squat_bend_read_from_both_hips_keeps_its_size():
    """Judged to hold (round 33, Penn 1770): a squat's trunk, both hips in place, 'bends the upper
    body by about 30 degrees' (trunk_own 28.6 at its bottom): a normal hip width is not astray.
    Nor is a trunk bent towards the camera, short against its hips' width (Penn 0754, round 34,
    ambiguous: its words stay)."""
    reading = _penn_as_product("1770")
    assert "bends the upper body by about 30 degrees" in [f.text for f in reading.facts], reading.facts
    reading = _penn_as_product("0754")
    assert "bends the upper body forward by about 50 degrees" in [f.text for f in reading.facts], reading.facts


def test_a_2d_reach_with_the_front_unknown_needs_a_side_view():
    """Penn 0954 (hand-check round 36, golf swing): at the top of the backswing (frames 33-36) the
    right wrist is 45 px (0.36 statures) to the side of its shoulder, at head height, and was
    'stretches the right arm forward' (false): the shoulders stay 21-31 px apart, 0.43 of the trunk's
    image length in every frame of it, a view from the front or back, and neither a bend nor the
    knees tell the front. The offset is sideways across the body, not forward. Penn 0239 (the same round,
    baseball swing, the front unknown too) passes through a side view (shoulders 0.06 of the trunk
    apart) while the left arm is out, and its 'stretches the left arm forward' (judged to hold) stays."""
    assert _penn_reaches("0954") == []
    assert [f.part for f in _penn_reaches("0239")] == ["left_arm"]


def _touches(name: str) -> list[str]:
    """The parts whose touch of the head read_motion states on NW-UCLA ``name``."""
    return [f.part for f in read_motion(ucla(name), "kinect-v1").facts if f.motion == "touch_head"]


@pytest.mark.parametrize("name", ["a08_s01_e02_v01", "a08_s10_e02_v03", "a01_s09_e02_v01"])
def test_no_touch_of_the_head_from_single_near_frames(name):
    """Judged ambiguous (hand-check rounds 36, 47, 66): the hand, unsmoothed, gets within 0.20 m of
    the head joint only in single frames (a08_s01_e02: 0.167, 0.197, 0.188 m at frames 17, 53, 55,
    0.25-0.33 around each; a01_s09_e02: 0.156 m once) or never (a08_s10_e02: 0.215 m at its closest),
    while the smoothed track dips under the limit: no touch is held (:func:`_touch_held`)."""
    assert _touches(name) == []


@pytest.mark.parametrize("name,part", [("a08_s01_e03_v01", "right_hand"), ("a08_s07_e01_v01", "left_hand"),
                                       ("a08_s07_e00_v01", "right_hand"), ("a12_s04_e03_v03", "right_hand")])
def test_a_touch_of_the_head_judged_to_hold_stays(name, part):
    """Judged to hold (hand-check rounds 70, 64, 70, 48), each near the limit: within 0.20 m over two
    frames (a08_s01_e03: 0.190, 0.171 m at frames 94-95), once by far (a08_s07_e01: 0.114 m; a08_s07_e00's
    right hand: 0.144 m), or in the clip's last frame (a12_s04_e03, 11 frames: 0.169 m at frame 10)."""
    assert part in _touches(name)


def test_no_touch_of_the_head_from_the_frame_bounding_a_head_jump():
    """NW-UCLA a08_s03_e04_v01 (donning), hand-check round 77, ambiguous: 'brings the left hand up to
    the head' where the left hand is 0.24-0.26 m from the head joint at frames 6-7 and 0.12 only in
    frame 8, the head joint 0.15 m too high from frame 5 and dropped by the jump check in frame 9: the
    frames where the risen head joint is dropped next do not decide a touch (:func:`_risen_before_drop`)."""
    assert "left_hand" not in _touches("a08_s03_e04_v01")


@pytest.mark.parametrize("name,part", [("a08_s10_e03_v03", "left_hand"), ("a03_s07_e00_v03", "right_hand")])
def test_a_touch_of_the_head_next_to_a_jump_of_the_hand_stays(name, part):
    """Judged to hold (hand-check rounds 57, 53): the hand comes within 0.13-0.18 m of the head joint
    right before the jump check drops the hand itself (a hand over the face confuses the tracker);
    the head, dropped next to it in a08_s10_e03, stands at its usual height there."""
    assert part in _touches(name)


def test_a_wave_judged_to_hold_stays_beside_the_touch_rule():
    """NW-UCLA a12_s10_e00_v01, hand-check round 71: 'waves the left hand from side to side' holds."""
    assert any(f.motion == "wave" and f.part == "left_hand"
               for f in read_motion(ucla("a12_s10_e00_v01"), "kinect-v1").facts)


def test_a_body_tilting_with_its_thighs_in_line_does_not_bend():
    """Penn 1306 (pull-up), hand-check round 36, ambiguous: 'bends the upper body to about 30
    degrees from vertical' where the hanging body swings 25-29 degrees off the image's vertical at
    the top of the pull with its thighs continuing the trunk's line (the hip angle ~2 degrees,
    trunk_own at most 8.5): the whole body tilts, it does not bend at the hips
    (:func:`_tilts_with_the_thighs`)."""
    reading = _penn_as_product("1306")
    assert not [f for f in reading.facts if f.motion in ("bend", "lean_back")], reading.facts


@pytest.mark.parametrize("name,said", [("0677", "bends the upper body to about 30 degrees from vertical"),
                                       ("2279", "bends the upper body by about 30 degrees"),
                                       ("2317", "bends the upper body forward by about 50 degrees")])
def test_a_bend_at_the_hips_near_the_in_line_limit_keeps_its_words(name, said):
    """Judged to hold (rounds 32, 36, 12): 2D bends with the least hip angle of the judged holds, the
    trunk against the thighs 12 (Penn 0677, a bowler), 18 (2279) and 19 degrees (2317) at the bend's
    peak: they bend at the hips and keep their facts."""
    reading = _penn_as_product(name)
    assert said in [f.text for f in reading.facts], reading.facts


def _sit_downs(name: str) -> list[Fact]:
    return [f for f in _penn_as_product(name).facts if f.motion == "sit_down"]


def test_a_2d_lowering_while_walking_away_is_read_in_the_figures_own_size():
    """Penn 0644 (bowl, hand-check round 37, ambiguous): the image heights read 0.99 -> 0.68 -> 0.83
    statures, 'lowers the body by about 0.16 statures and stays down', but the bowler walks away: the
    ankles climb from y 250 to 176-189 px and the figure shrinks (head to ankle 182 -> 138 px). In
    the figure's own size in each frame the hips go down about 0.1 in the slide and come back up:
    no sit-down. Penn 0608 (bowl, round 38, judged to hold after correcting a zoom out, shoulder to
    hip 78 -> 55 px): down 0.25-0.35 statures at the start's scale and stays down; its size is
    read in the figure's own size (it was 0.13)."""
    assert _sit_downs("0644") == []
    (lowered,) = _sit_downs("0608")
    assert 0.25 <= lowered.strength <= 0.36, lowered


@pytest.mark.parametrize("name,size", [("0142", 0.15), ("0046", 0.14), ("0040", 0.23)])
def test_a_2d_lowering_with_the_feet_in_place_keeps_the_clips_stature(name: str, size: float):
    """Judged to hold (Penn 0142, 0046, 0040: pitchers lowered into the stride and follow-through):
    0142's trunk, thighs and shanks all shorten in the image (x0.67) while the plant foot stays on
    its spot (y 253-266 px): a posture seen end-on, not a smaller figure, so the lowering is read as
    before; 0046's segments lengthen (x1.37) with its feet 0.16 statures lower, below FLOOR_SHIFT."""
    (lowered,) = _sit_downs(name)
    assert lowered.strength == pytest.approx(size, abs=0.01), lowered


def test_a_knee_folded_at_a_serves_landing_is_no_squat():
    """Penn 2239 (hand-check round 39, tennis serve), false: 'bends the knees and lowers the body by
    about 0.20 statures, then comes back up'. The pelvis stands at 0.53-0.56 statures, rises to 0.67
    in the serve's jump and lands to 0.45-0.47, the clip's last frame its lowest: the body does not
    come back up. The left knee folds to 78 degrees after the landing and stays folded to the end;
    where it goes unread (three frames) the straight right knee stood in as the knees straightening
    again. With no one leg's fold and straightening and the hips not back up, no squat is said; the
    serve's other facts (both hands above the head) stay."""
    reading = _penn_as_product("2239")
    found = motions(reading)
    assert "squat" not in found, found["squat"]
    assert {f.text for f in found["raise"]} == {"raises the right hand above the head", "raises the left hand above the head"}


def test_a_knee_cycle_across_the_legs_stands_where_the_hips_come_back():
    """Penn 2223 (hand-check round 26, seed 65, tennis serve), judged to hold: the hips go down and come back
    (left hip y 240 -> 273-279 -> 237-240 px); the knees' cycle is read across the legs (the left
    knee's fold at the landing, the right knee straight where the left goes unread), and the hips'
    coming back up confirms it: 'bends the knees and lowers the body by about 0.13 statures, then
    comes back up' stays. So does a lifter's squat read from the knees with the hips back up only
    part-way (Penn 0745, round 9, seed 48, a jerk's dip: 0.55 -> 0.36 -> 0.47 statures)."""
    for name, said in (("2223", 0.13), ("0745", 0.27)):
        (squat,) = motions(_penn_as_product(name))["squat"]
        assert squat.text == f"bends the knees and lowers the body by about {said:.2f} statures, then comes back up"


# --- hand-check round 39 (seed 78): a pressing elbow vetoes 'the body does not move' -----------
def test_a_bench_press_whose_elbow_presses_is_no_dead_track():
    """Penn 0476 (bench press, round 39, false): the right wrist is never seen, the right elbow is
    seen in every frame and presses 112 -> 173 -> 116 px (y) while the hips and feet sit at frozen
    pixels; 'the body does not move in 54 frames (... the right hand is not read ...)' was said.
    A joint seen in most frames that moves further than the hands may, vetoes it."""
    import scipy.io as sio
    reading = _penn_as_product("0476")
    mat = sio.loadmat(PENN / "0476.mat", variable_names=["y", "visibility"])
    elbow = mat["y"][mat["visibility"][:, 4] > 0, 4]         # the annotation's right elbow, seen frames
    assert mat["visibility"][:, 4].all() and np.ptp(elbow) > 60
    assert "no_motion" not in kinds(reading), reading.problems


@pytest.mark.parametrize("name", ["1940", "1937"])
def test_a_still_strummer_keeps_its_no_motion_statement(name):
    """Penn 1940 (strum guitar, round 39: holds, the wrists within 11-17 px of a ~301-px figure) and
    1937 (round 19, seed 58: holds, its seen left elbow the most moving elbow of the judged 'no motion'
    clips, 0.06 statures): elbows that follow a strumming hand do not veto the statement."""
    assert "no_motion" in kinds(_penn_as_product(name))


def test_a_3d_still_body_keeps_its_no_motion_statement_over_its_elbow_jitter():
    """NW-UCLA a01_s01_e04_v03 (round 4, seed 43: holds): the Kinect's left elbow jitters over about 0.14
    statures (5-frame median), 0.04 over the veto's half-second median; the statement stays."""
    assert "no_motion" in kinds(read_motion(ucla("a01_s01_e04_v03"), "kinect-v1"))


@pytest.mark.parametrize("kind,layout,index", [("jumping_joints", "sbu-15", 30), ("edge_on_shoulders", "kinect-v2", 36)])
def test_a_still_body_keeps_its_no_motion_statement_over_tracker_glitches(kind, layout, index):
    """Generated still bodies (seed 40): an SBU right shoulder placed 0.4-0.5 m off for 3 frames, and
    a Kinect v2's hand tip jittering 0.18 statures, are no limb moving: 'no motion' is still said."""
    sample, reading = _generated(kind, layout, index, failure=True)
    assert "-still-" in sample.sample_id
    assert "no_motion" in kinds(reading), reading.problems


# --- round 40 (fixwalkjump) ---------------------------------------------------------------------
def test_a_whole_body_jump_back_to_the_start_is_no_walk_around():
    """NW-UCLA a01_s06_e04_v01 (pick up with one hand), hand-check round 40, false: 'walks around,
    covering about 2.3 m and ending near where it started'. The whole skeleton drifts 1.27 m from its
    start by frame 17 and jumps back in ONE frame (17 -> 18, a track break of 1.05 body sizes: hip
    centre 1.27 -> 0.56 m from the start, with the feet): the way across the jump is no way walked, so
    it is left out of the path. The pick-up's reach down (judged to hold) stays."""
    data = ucla("a01_s06_e04_v01")
    hip = data[0, :, 0]
    assert np.linalg.norm(hip[18] - hip[17]) > 0.6 > np.abs(np.diff(hip[8:17], axis=0)).max()
    reading = read_motion(data, "kinect-v1")
    assert "walk" not in motions(reading), reading.facts
    (reach,) = motions(reading)["reach_down"]
    assert reach.text == "reaches down with the left hand, stopping above the knees"


@pytest.mark.parametrize("name, text", [
    ("a03_s06_e00_v03", "walks around, covering about 1.7 m and ending near where it started"),
    ("a04_s09_e04_v01", "walks around, covering about 2.7 m and ending near where it started"),
    ("a12_s04_e00_v01", "walks around, covering about 2.6 m and ending near where it started"),
])
def test_a_walk_around_across_a_smaller_track_break_judged_to_hold_stays(name, text):
    """Walks around judged to hold (seeds 42 and 74) across a track break of 0.68, 0.90 and 0.80 body
    sizes (at most WALK_SHIFT_STEP): their path is read across it as before (leaving a03_s06_e00_v03's
    jump out of its path would take it under WALK_AROUND_PATH)."""
    (walk,) = motions(read_motion(ucla(name), "kinect-v1"))["walk"]
    assert walk.text == text


# --- round 44 (fixwalk3) ------------------------------------------------------------------------
def test_a_smaller_whole_body_jump_back_towards_the_start_is_no_walk_around():
    """NW-UCLA a02_s02_e00_v01 (pick up with two hands), hand-check round 44, false: 'walks around,
    covering about 1.5 m and ending near where it started'. The person walks away (hip centre 0.84 m
    from its frame-0 place by frame 42), then the whole skeleton jumps 1.19 m in ONE frame (42 -> 43,
    a track break of 0.70 body sizes, under WALK_SHIFT_STEP) to 0.35 m from the start: the jump, not
    walking, makes the way back, so it is left out of the path and no walk around is said. The
    pick-up's bend and squat (judged to hold) stay."""
    data = ucla("a02_s02_e00_v01")
    hip = data[0, :, 0]
    assert np.linalg.norm(hip[43] - hip[42]) > 1.0 > 0.2 > np.linalg.norm(np.diff(hip[30:42], axis=0), axis=1).max()
    assert np.linalg.norm(hip[43] - hip[0]) < 0.5 * np.linalg.norm(hip[42] - hip[0])
    found = motions(read_motion(data, "kinect-v1"))
    assert "walk" not in found, found["walk"]
    assert "bend" in found and "squat" in found


@pytest.mark.parametrize("name, text", [
    ("a03_s06_e00_v03", "walks around, covering about 1.7 m and ending near where it started"),
    ("a03_s10_e00_v01", "walks around, covering about 3.1 m and ending near where it started"),
    ("a04_s09_e04_v01", "walks around, covering about 2.7 m and ending near where it started"),
    ("a12_s04_e00_v01", "walks around, covering about 2.6 m and ending near where it started"),
    ("a04_s07_e00_v01", "walks, covering about 0.71 m"),
    ("a03_s01_e02_v03", "walks, covering about 1.1 m"),
])
def test_a_walk_judged_to_hold_across_a_break_that_does_not_jump_back_stays(name, text):
    """Walks judged to hold (seeds 42, 50, 65, 74, 80) across a track break of 0.38-0.90 body sizes
    whose jump leaves the hips at least WALK_SHIFT_BACK of their distance from the start (0.69 for
    a04_s09_e04_v01, the nearest; the false a02_s02_e00_v01 0.39): read across it as before."""
    (walk,) = motions(read_motion(ucla(name), "kinect-v1"))["walk"]
    assert walk.text == text


def test_a_hand_seen_briefly_between_hidden_frames_is_not_stretched_forward():
    """NW-UCLA a01_s05_e01_v01 (pick up with one hand, hand-check round 41, ambiguous): the right hand
    is behind the body in frames 20-22 and 36-38, jumps in 25 and 34-35, and reads 0.26-0.43 statures
    ahead of its shoulder in 26-33 in between: the sensor's guess, no forward reach. The same clip's
    facts judged to hold stay. UTD-MHAD a12_s2_t2 (bowling, round 44, holds): the right arm's swing
    forward, seen for 28 frames between two hidden stretches, is still read."""
    found = motions(read_motion(ucla("a01_s05_e01_v01"), "kinect-v1"))
    assert "reach_forward" not in found, found["reach_forward"]
    assert [f.part for f in found["reach_down"]] == ["left_hand"] and "squat" in found and "bend" in found
    bowled = motions(read_motion(utd("a12_s2_t2_skeleton"), "utd-mhad"))
    assert [f.part for f in bowled.get("reach_forward", [])] == ["right_arm"]


def test_hands_together_from_the_first_frame_read_are_not_brought_together():
    """Penn 0740 (clean and jerk seen from the side, hand-check round 41, ambiguous): the wrists
    gripping the bar are 0.01-0.04 statures apart in the image in every frame read before their
    closest one, apart only in the jerk at the end: 'brings both hands together' is not said. The
    clip's facts judged to hold stay, and so does Penn 0491's meeting (round 59, holds)."""
    found = motions(_penn_as_product("0740"))
    assert "hands_together" not in found, found["hands_together"]
    assert [f.text for f in found["reach_down"]] == ["reaches down towards the floor with both hands"]
    assert [f.text for f in found["raise"]] == ["raises both hands above the head"]
    assert "hands_together" in motions(_penn_as_product("0491"))


@pytest.mark.parametrize("name,kept", [
    ("0892", ["bends the upper body by about 40 degrees", "raises the right hand above the head"]),
    ("1603", ["raises the right hand to shoulder height", "lowers the right hand again"])])
def test_hands_meeting_only_in_estimated_frames_are_not_brought_together(name, kept):
    """Hand-check round 42 (seed 81), ambiguous: Penn 0892 (golf swing) never has both wrists marked
    seen in one frame, and Penn 1603 (a sit-up seen from the side) has its seen wrists 0.15-0.22
    statures apart throughout, their estimates meeting where the left wrist is hidden: no meeting
    is seen, so 'brings both hands together' is not said. The clips' facts judged to hold stay."""
    texts = [f.text for f in _penn_as_product(name).facts]
    assert not [t for t in texts if "hands" in t and "together" in t], texts
    assert all(t in texts for t in kept), texts


@pytest.mark.parametrize("name", ["2040", "2061", "0491", "0872", "0279", "2049", "0257", "0081"])
def test_hands_seen_together_in_2d_still_come_together(name):
    """Every Penn 'brings both hands together' judged to hold (hand-check seeds 44-78) has both wrists
    seen within the limit in some frame, if not at the frame stated (0491, 2049), at its closest
    0.063-0.069 statures (2049, 0257, 0081; the limit is 0.076): it is still said."""
    texts = [f.text for f in _penn_as_product(name).facts]
    assert "brings both hands together in front of the body" in texts, texts


@pytest.mark.parametrize("name,said", [
    ("0159", "brings both hands together in front of the body"),
    ("2178", "brings both hands together in front of the body"),
    ("2190", "brings both hands close to each other in front of the body, about 0.10 statures apart")])
def test_hands_seen_together_in_the_annotation_are_said_together(name, said):
    """Judged to hold (facts_handcheck_meeting_seen.md): Penn 0159 (pitch) has both wrists annotated
    seen 9 px = 0.049 statures apart at frame 42 and 2178 (serve) 0.074 at frame 40, their smoothed
    gap there 0.087 / 0.088 (over the 0.076 limit): the seen frames are read on the wrists as
    annotated. Penn 2190 says 'close, about 0.10 statures apart' and is seen 0.102 apart at frame 40:
    a 'close' statement is seen at the distance it says, not the 'together' limit."""
    texts = [f.text for f in _penn_as_product(name).facts]
    assert said in texts, texts


@pytest.mark.parametrize("name", ["0084", "0151", "0498", "0522", "0527", "0663", "0892", "1603", "2003",
                                  "2012", "2053", "2082"])
def test_hands_meeting_only_where_a_wrist_is_estimated_are_not_said(name):
    """Judged ambiguous (facts_handcheck_meeting_seen.md): each meets only through a hidden wrist's
    estimate (0084, 0151, 0498, 0522, 0527, 0663, 2053), on wrists never both seen (0892), both
    hidden and frozen (2003), a hand sweeping past a hidden one (2012, seen 0.118 at its closest;
    2082, 'about 0.14' said, seen 0.21 at its closest) or a side-view gap seen 0.14 at its closest
    (1603): no hands-together statement."""
    found = motions(_penn_as_product(name))
    assert "hands_together" not in found, found["hands_together"]


@pytest.mark.parametrize("name,said", [
    ("a02_s09_e01_v03", "bends the upper body forward by about 50 degrees"),
    ("a02_s01_e01_v03", "bends the upper body forward to about 60 degrees from vertical")])
def test_a_bend_whose_deepest_frame_hides_its_front_keeps_the_deepest_size(name, said):
    """Judged later (facts_handcheck_later.md, second session): the bend's deepest frames have a
    collapsed shoulder line, so its direction is read at the most tilted frame with a readable
    front; its size was read there too and fell short: 'about 30' for a trunk 48-58 degrees off
    the floor's up (a02_s09_e01, frames 4-7), 'to about 30 from vertical' for 61-67 (a02_s01_e01,
    frames 8-10): false. The size now stays the deepest frame's."""
    reading = read_motion(ucla(name), "kinect-v1")
    assert said in [f.text for f in reading.facts], reading.facts


@pytest.mark.parametrize("sample", ["a02_s08_e04_v03", "a02_s08_e02_v03", "a12_s10_e04_v01"])
def test_leans_back_judged_to_hold_at_the_edge_stay(sample):
    """Three leans back judged to hold (hand-check rounds 12, 17 and 42: the judge's trunk_own
    17.6-19.9 degrees back) whose detector lean is 16.9-18.7 degrees from the start's trunk: the
    two pick-ups straighten up past their start, the carry's start is ~5 degrees forward of its
    own upright. A lean read from the clip's most upright trunk instead of the start (the round-42
    false lean, NW-UCLA a09_s05_e00_v01, 17.5 read against 13.0) drops all three (see
    experiments/results/facts_lean_fixlean.md): a fix of that false lean must keep these."""
    found = motions(read_motion(ucla(sample), "nw-ucla"))
    assert [f.text for f in found.get("lean_back", [])] == ["leans the upper body back by about 20 degrees"], found


def test_a_hand_already_up_at_the_first_frame_is_not_raised():
    """Hand-check round 45 (seed 84), NW-UCLA a04_s01_e04_v01 (walk around): the right hand is at
    the head from the first seen frame (1.38-1.44 m, 0.04 m from the head) and only falls after it
    (to 0.86 m by frame 14); 'raises the right hand' (false) was read from the first 15 % of the
    frames' median, which holds most of that fall. The touch of the head, the lowering and the
    walk (judged to hold) stay."""
    found = motions(read_motion(ucla("a04_s01_e04_v01"), "kinect-v1"))
    assert not any(f.part == "right_hand" for f in found.get("raise", [])), found
    assert [f.text for f in found["lower"]] == ["lowers the right hand again"], found
    assert [f.text for f in found["touch_head"]] == ["brings the right hand up to the head"], found
    assert found["walk"][0].text == "walks, covering about 2.0 m", found


def test_a_lowering_with_no_stated_raise_is_not_said_again():
    """A hand never said to go up (no raise, no touch of the head before) is lowered, not 'lowered
    again': the merged-sides and most-salient steps can leave a lowering whose raise is not stated."""
    from actlm.explain.facts import _again_only_after_going_up
    lower = Fact("right_hand", "lower", 0.6, 0.3, "lowers the right hand again", 0.5, 0.7)
    late_raise = Fact("right_hand", "raise", 0.8, 0.3, "raises the right hand", 0.75, 0.9)
    other_side = Fact("left_hand", "raise", 0.2, 0.3, "raises the left hand", 0.1, 0.3)
    both = Fact("both_hands", "lower", 0.6, 0.3, "lowers both hands again", 0.5, 0.7)
    touch = Fact("left_hand", "touch_head", 0.3, 0.05, "brings the left hand up to the head", 0.2, 0.4)
    assert [f.text for f in _again_only_after_going_up([lower, late_raise, other_side])] == [
        "lowers the right hand", "raises the right hand", "raises the left hand"]
    assert _again_only_after_going_up([other_side, both])[1].text == "lowers both hands again"
    assert _again_only_after_going_up([touch, lower])[1].text == "lowers the right hand"
    assert _again_only_after_going_up([both])[0].text == "lowers both hands"


def test_a_raise_peaking_soon_after_a_low_start_stays():
    """NW-UCLA a11_s06_e02_v01 (hand-check round 75: 'raises both hands to shoulder height', holds):
    both hands peak at the clip's sixth frame, seen low before it; a raise needs the hand seen
    lower before its top, not a long way before it."""
    found = motions(read_motion(ucla("a11_s06_e02_v01"), "kinect-v1"))
    assert "raises both hands to shoulder height" in [f.text for f in found["raise"]], found


def test_a_lying_bodys_hand_at_the_floor_from_the_start_does_not_reach_down():
    """Hand-check round 46, Penn 1633 (a sit-up): the left wrist lies on the floor beside the lying
    head from its first seen frame (-0.11 statures) and only rises; the first frames' median held the
    rise, so a 'drop' to the first frame was read. A clean and jerk's hands on the bar from the first
    frame (Penn 0747, round 54: the body bent over the bar, not lying) were judged to reach down and stay."""
    data, visibility = penn("1633")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert not [f for f in reading.facts if f.motion == "reach_down"], reading.facts
    data, visibility = penn("0747")
    reading = read_motion(data, "penn-13", visibility=visibility)
    assert "reaches down towards the floor with the right hand" in [f.text for f in reading.facts]


# --- fixknee: knee words need knees read where the hand is lowest (hand-check rounds 41, 46, 48) -----
def _world_heights(name: str, joints: tuple[str, ...]) -> np.ndarray:
    """(T, len(joints)) heights over the floor, statures, in the detector's own world frame (data labels)."""
    from actlm.data.layouts import get_layout
    from actlm.explain.world import world_frame
    layout = get_layout("kinect-v1")
    world = world_frame(ucla(name)[0].astype(float), layout)
    return world.coords[:, [layout.joints.index(j) for j in joints], 1]


def test_a_hand_at_the_floor_is_not_level_with_a_knee_tracked_under_it():
    """NW-UCLA a02_s07_e02_v02 (pick up with two hands; round 48, ambiguous: 'reaches down to knee
    height with the right hand'): the hand goes to the floor, 0.14 m under the right knee, while the
    left knee is tracked under the floor in the deep crouch, which pulls the knees' mean down to the
    hand. Against the knee that is read, the hand went below it: 'towards the floor'."""
    knees = _world_heights("a02_s07_e02_v02", ("left_knee", "right_knee"))
    assert (knees[10:14, 0] < -0.02).all() and (knees[10:14, 1] > 0.13).all()     # the premise, per frame
    reading = read_motion(ucla("a02_s07_e02_v02"), "kinect-v1")
    assert _reach_down_texts(reading) == {"right_hand": "reaches down towards the floor with the right hand"}


@pytest.mark.parametrize("name,part", [
    ("a02_s06_e02_v01", "left_hand"),     # round 46: knees -0.10..-0.07 m by the reader's plane, hand 0.08-0.12 m
    ("a02_s04_e03_v01", "left_hand"),     # round 41: knees -0.07..-0.03 m, hand 0.05 m
])
def test_no_stopping_above_knees_that_read_at_or_under_the_floor(name, part):
    """'reaches down with the left hand, stopping above the knees' was ambiguous: the hand came to the
    floor, above the knee joints only because both read under the floor (or, by this detector's
    floor, no higher than their own ankles) in the deep crouch. No knee is a height there: 'towards
    the floor'. a02_s04_e03_v01's right hand still reaches 'to the floor' (judged to hold)."""
    heights = _world_heights(name, ("left_knee", "right_knee", "left_ankle", "right_ankle"))
    low = heights[:, :2].min(axis=1)
    assert np.nanmin(low) < -0.005 and (np.nanmin(heights[:, :2] - heights[:, 2:], axis=0) < 0).all()
    texts = _reach_down_texts(read_motion(ucla(name), "kinect-v1"))
    assert texts[part] == f"reaches down towards the floor with the {part.split('_')[0]} hand"
    if name == "a02_s04_e03_v01":
        assert texts["right_hand"] == "reaches down to the floor with the right hand"


@pytest.mark.parametrize("name,part,words", [
    # round 43, holds: the hand level with kneeling knees (one below its ankle, none under the floor)
    ("a02_s01_e03_v01", "right_hand", "reaches down to knee height with the right hand"),
    # round 35, holds: level with the knees on the way down, the knees under the floor only further down
    ("a02_s04_e01_v01", "left_hand", "reaches down to knee height with the left hand"),
    # round 30, holds: one knee under the floor, the hand 0.05 statures over the other
    ("a01_s05_e03_v01", "left_hand", "reaches down with the left hand, stopping above the knees"),
    # round 36, holds: level with readable knees as the hand passes them
    ("a02_s09_e02_v01", "right_hand", "reaches down to knee height with the right hand"),
])
def test_knee_words_judged_to_hold_stay(name, part, words):
    """Knee words the hand-check judged to hold where a knee reads at or under the floor in part of the
    reach: the knee that is read (or the frames it is read in) still decides them."""
    assert _reach_down_texts(read_motion(ucla(name), "kinect-v1")).get(part) == words


# --- one-frame steps of a whole arm (hand-check round 43) ------------------------------------
def test_a_chain_that_steps_in_one_frame_and_stays_is_found_and_a_ramped_move_is_not():
    """``quality.chain_steps``: an arm whose shoulder and elbow (and hand) move 0.3 m away from the
    body in one frame and stay there is the tracker's step; the same 0.3 m spread over 6 frames (a
    real fast move speeds up and slows down), or a hand alone moving 0.3 m in one frame (a throw's
    hand), is not."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    layout = get_layout("kinect-v1")
    arm = [layout.joints.index(n) for n in ("left_shoulder", "left_elbow", "left_wrist", "left_hand")]
    stepped = _standing_kinect_v1()
    stepped[30:, arm, 1] -= 0.3
    _, tracking = check_tracking(stepped, layout)
    assert tracking.steps.tolist() == [29] and tracking.step_chains == ("left_arm",)
    ramped = _standing_kinect_v1()
    ramped[:, arm, 1] -= 0.3 * np.clip((np.arange(60) - 27) / 6, 0, 1)[:, None]
    hand = _standing_kinect_v1()
    hand[30:, arm[2:], 1] -= 0.3
    for x in (ramped, hand):
        assert check_tracking(x, layout)[1].steps.tolist() == []


def test_a_whole_arm_step_that_ends_a_top_is_no_raise_and_no_lowering():
    """NW-UCLA a03_s02_e03_v01 (drop trash; hand-check round 43): the left hand is over the head only
    at frames 38-40, then the left shoulder, elbow and hand drop 0.24 / 0.40 / 0.48 m in one frame to
    frame 41 and stay (bones kept, so the jump check misses it): 'raises the left hand above the
    head' and 'lowers the left hand again' were the tracker's step (judged ambiguous). They go, said
    as a limb step; the walk, bend and squat (judged to hold) stay."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    _, tracking = check_tracking(ucla("a03_s02_e03_v01")[0], get_layout("kinect-v1"))
    assert 40 in tracking.steps.tolist() and tracking.step_chains[tracking.steps.tolist().index(40)] == "left_arm"
    reading = read_motion(ucla("a03_s02_e03_v01"), "kinect-v1")
    facts = motions(reading)
    assert "raise" not in facts and "lower" not in facts
    assert {"walk", "bend", "squat"} <= set(facts)
    problem = next(p for p in reading.problems if p.kind == "limb_step")
    assert problem.frames == (40, 41) and "left arm" in problem.text


@pytest.mark.parametrize("name, side", [("a02_s04_e00_v03", "right"), ("a08_s04_e02_v03", "left"),
                                        ("a08_s10_e02_v03", "left")])
def test_a_real_raise_with_a_step_of_its_arm_elsewhere_stays(name, side):
    """Raises judged to hold whose arm also steps in one frame: a02_s04_e00_v03 (round 44, the hand
    held over the head from frame 34, the step at frame 43), a08_s04_e02_v03 (round 45, a 0.66 m step
    up at frame 19, then a smooth rise to the top at 34) and a08_s10_e02_v03 (round 47, a step of
    0.14 statures right after the top, a third of the rise): a step that does not end the top, or
    carries less than half the rise, leaves the raise and its lowering."""
    facts = motions(read_motion(ucla(name), "kinect-v1"))
    assert any(side in f.part or f.part.startswith("both") for f in facts.get("raise", []))
    assert any(side in f.part or f.part.startswith("both") for f in facts.get("lower", []))


@pytest.mark.parametrize("name, chain", [("a21_s8_t3_skeleton", "left_arm"), ("a21_s8_t4_skeleton", "neck")])
def test_a_fast_real_throw_and_bend_with_a_chain_step_stay(name, chain):
    """UTD-MHAD pick up and throw (hand-check rounds 42 and 73): a chain steps in one frame (the left
    arm at frame 32, the neck at frame 26) during the fast bend and throw; the bend by about 50
    degrees and the right hand's raise above the head and its lowering, judged to hold, stay."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking
    _, tracking = check_tracking(utd(name)[0], get_layout("utd-mhad"))
    assert chain in tracking.step_chains
    facts = {(f.motion, f.text) for f in read_motion(utd(name), "utd-mhad").facts}
    assert {("bend", "bends the upper body forward by about 50 degrees"),
            ("raise", "raises the right hand above the head"), ("lower", "lowers the right hand again")} <= facts


def test_a_bend_read_only_while_the_hips_are_lifted_over_a_frozen_ankle_is_not_said():
    """NW-UCLA a08_s03_e01_v01 (donning; hand-check round 43): the pelvis rises 1.11 -> 1.37 -> 1.16 m
    in frames 18-24 with the legs longer than when standing, but the right ankle is frozen (and masked)
    there, so the risen-hips check, which wants both legs, missed it; the trunk read 20-36 degrees only
    at frames 22-26, right after -18.5: 'bends the upper body by about 30 degrees' (judged ambiguous).
    The frames are lifted hips; the bend read only there goes, the raises and lowerings judged to hold
    stay (their pelvis is not masked)."""
    reading = read_motion(ucla("a08_s03_e01_v01"), "kinect-v1")
    facts = motions(reading)
    assert "bend" not in facts and "lean_back" not in facts
    assert {f.part for f in facts["raise"]} == {"left_hand", "right_hand"}
    assert {f.part for f in facts["lower"]} == {"left_hand", "right_hand"}
    assert "raises the left hand to shoulder height" in {f.text for f in facts["raise"]}
    problem = next(p for p in reading.problems if p.kind == "lifted_hips")
    assert problem.frames[0] <= 18 and problem.frames[1] >= 26


def test_a_skeleton_collapsing_mid_walk_is_no_squat():
    """Hand-check round 47, NW-UCLA a04_s01_e00_v01 (walk around): in frames 95-107 the whole
    skeleton drops and comes back (pelvis 1.06 -> 0.21 -> 1.04 m in 0.4 s, a knee 0.2 m under its
    ankle, the shins 0.38 -> 0.08 m): 'bends the knees and lowers the body by about 0.81 m, then
    comes back up' was false. The collapse is said, nothing is read in it; the walk stays."""
    reading = read_motion(ucla("a04_s01_e00_v01"), "kinect-v1")
    found = motions(reading)
    assert "squat" not in found, found["squat"]
    collapse = [p for p in reading.problems if p.kind == "collapsed_skeleton"]
    assert len(collapse) == 1 and collapse[0].frames[0] >= 93 and collapse[0].frames[1] <= 108, collapse
    assert collapse[0].frames[0] <= 99 and collapse[0].frames[1] >= 104, collapse
    assert "walk" in found


@pytest.mark.parametrize("sample,depth", [("a02_s04_e03_v03", "0.70"), ("a02_s04_e00_v01", "0.73")])
def test_a_fast_real_pick_up_is_no_skeleton_collapse(sample, depth):
    """NW-UCLA two-handed pick-ups judged to hold (rounds 60 and 81): Kinect snaps the legs shut as the
    body goes down (the hips fall at up to 4.8 m/s, 3.1 statures/s, a knee below its ankle), but they
    come back up at a body's speed (3.6 m/s): the squat stays, at its size."""
    reading = read_motion(ucla(sample), "kinect-v1")
    assert "collapsed_skeleton" not in kinds(reading)
    assert f"bends the knees and lowers the body by about {depth} m, then comes back up" in [f.text for f in reading.facts]


def test_a_quick_whole_body_drop_in_a_real_pick_up_is_no_skeleton_collapse():
    """UTD-MHAD a21_s7_t2 (pick up and throw; hand-check round 53, the squat holds): the tracker
    drops the whole skeleton, ankles too, 0.35 m for two frames at the bottom of a real crouch: the
    hips rise at 4.0 statures/s (5.9 m/s) but fall at 3.5 (5.1 m/s), under COLLAPSE_SPEED (4.0; the
    collapse of a04_s01_e00_v01 falls at 4.3 and rises at 5.7), and the squat stays."""
    reading = read_motion(utd("a21_s7_t2_skeleton"), "utd-mhad")
    assert "collapsed_skeleton" not in kinds(reading)
    assert "squat" in motions(reading)


def test_a_skeleton_collapse_is_not_read_in_an_image():
    """2D: a figure's height in the image changes with its distance from the camera; the collapse
    check reads only 3D world coordinates."""
    from actlm.data.layouts import get_layout
    from actlm.explain.quality import check_tracking, collapsed_skeleton
    from actlm.explain.world import world_frame
    layout = get_layout("kinect-v1")
    x, tracking = check_tracking(ucla("a04_s01_e00_v01")[0], layout)
    coords = world_frame(x, layout).coords
    assert collapsed_skeleton(coords, 3, layout, tracking.frames, 30.0)[1][95:107].all()
    problems, collapsed = collapsed_skeleton(coords, 2, layout, tracking.frames, 30.0)
    assert problems == [] and not collapsed.any()


# --- hand-check round 50 (seed 89): a lying trunk that never turns; a seen strumming hand ----------
def test_a_trunk_lying_still_on_a_bench_does_not_bend():
    """Penn 0367 (bench press, round 50, false): the hips and knees sit at fixed pixels and the
    shoulders move at most 17 px all clip; the right shoulder is dropped as frozen mid-clip, the trunk
    line's mid-shoulders move onto the left one there and its angle falls from 61-67 to 42 degrees,
    so 'bends the upper body forward to about 70 degrees from vertical' was read from the switch.
    Each side's own shoulder-to-hip line stays within a few degrees: no bend."""
    import scipy.io as sio
    mat = sio.loadmat(PENN / "0367.mat", variable_names=["x", "y"]) if (PENN / "0367.mat").exists() else None
    reading = _penn_as_product("0367")             # skips without the data
    for joint in (7, 8, 9, 10):                    # the annotation's hips and knees: fixed pixels
        assert np.ptp(mat["x"][:, joint]) == 0 and np.ptp(mat["y"][:, joint]) == 0
    for joint in (1, 2):                           # the shoulders: within 17 px
        assert max(np.ptp(mat["x"][:, joint]), np.ptp(mat["y"][:, joint])) <= 17
    assert not [f for f in reading.facts if f.motion in ("bend", "lean_back")], reading.facts


@pytest.mark.parametrize("name", [
    "0928",     # round 45 (holds, 'about 30'): the left side alone read at the peak, its own line 18-20 degrees
    "2097",     # round 70 (holds, 'about 30'): trunk 4 -> 26-31 degrees, the left side alone read at the peak
    "0695"])    # round 50 (holds, 'about 50'): a bowler, the right side alone read at the peak
def test_a_bend_read_on_one_side_at_its_peak_stays(name):
    """Judged bends whose peak shows one side's shoulder and hip only: one side's own line turns
    with the shoulders and says nothing against the bend (:func:`_own_sides_never_rise` needs both)."""
    reading = _penn_as_product(name)
    assert "bend" in motions(reading), reading.facts


def test_a_seen_strumming_hand_dropped_as_guessed_vetoes_no_motion():
    """Penn 1965 (strum guitar, round 50, false): the left wrist is annotated seen in every frame and
    strums (x 64-154, y 137-256 px); its elbow, annotated at the image's left edge (x 15-22), lies
    further than a forearm from it in 11 frames, so the view check drops the hand as guessed, and
    'the body does not move in 71 frames (... the left hand ... not read ...)' was said. A hand the
    annotation shows that moves vetoes it; the hand is still not read for other facts."""
    import scipy.io as sio
    reading = _penn_as_product("1965")             # skips without the data
    mat = sio.loadmat(PENN / "1965.mat", variable_names=["x", "y", "visibility"])
    assert mat["visibility"][:, 5].all() and np.ptp(mat["x"][:, 5]) >= 85 and np.ptp(mat["y"][:, 5]) >= 100
    assert "guessed_hand" in kinds(reading)
    assert "no_motion" not in kinds(reading), reading.problems
