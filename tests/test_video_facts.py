"""Motion facts read from videos: gaps without a person, the camera's own motion, hands that
appear where they were not seen going, implausible skeletons and the wording of joint shares
(experiments/results/video_handcheck.md, the findings on the five real clips), each pinned on
real skeletons (Penn Action's 2D annotations with their visibility, NW-UCLA) or a real video."""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from actlm.data.layouts import get_layout
from actlm.explain.evidence import CAMERA_MOTIONS, read_on_timeline, renumber_frames
from actlm.explain.quality import check_tracking
from actlm.explain.facts import read_motion
from test_facts import penn, ucla


def _cut(data: np.ndarray, visibility: np.ndarray, gap: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A clip with the frames ``gap`` [a, b) lost (no person found there), as a video's pipeline
    gives it: the kept frames' keypoints and visibility, and which frames they are."""
    kept = np.r_[0:gap[0], gap[1]:data.shape[1]]
    return data[:, kept], visibility[None, kept], kept


def test_no_motion_is_read_across_a_gap_without_a_person():
    """A baseball pitch (Penn 0003) loses the person for 12 frames and is found again elsewhere in
    the image (another framing after a cut): joined end to end, the jump reads as standing up and
    a hand raised; read on the video's timeline with the gap in place, nothing is read across it."""
    data, visibility = penn("0003")
    moved = data.copy()
    moved[:, 46:, :, 1] -= 0.6 * (np.nanmax(data[0, :, :, 1]) - np.nanmin(data[0, :, :, 1]))   # found higher up
    kept_data, kept_vis, kept = _cut(moved, visibility, (34, 46))
    joined = read_motion(kept_data, "penn-13", visibility=kept_vis)
    assert "stand_up" in {f.motion for f in joined.facts}            # the failure: motion read across the gap
    reading = read_on_timeline(kept_data, "penn-13", kept, kept_vis)
    assert not {"stand_up", "raise"} & {f.motion for f in reading.facts}, reading.facts
    after = int(np.searchsorted(kept, 46))                            # the first kept frame after the gap
    for f in reading.facts:
        assert after not in {int(round(t * (len(kept) - 1))) for t in (f.start, f.end)}, f
    assert "bend" in {f.motion for f in reading.facts}               # the pitcher's bend, after the gap, stays


def test_problems_name_video_frames_when_frames_without_a_person_were_left_out():
    """The tracking problems of a clip with frames left out name the video's frames: the same
    problem as on the joined frames, its frames carried through the kept frames' numbers."""
    data, visibility = penn("2056")                                  # the wrist seen in half the frames
    kept_data, kept_vis, kept = _cut(data, visibility, (5, 20))
    joined = {p.kind: p for p in read_motion(kept_data, "penn-13", visibility=kept_vis).problems}
    timeline = {p.kind: p for p in read_on_timeline(kept_data, "penn-13", kept, kept_vis).problems}
    assert "low_visibility" in joined
    a, b = joined["low_visibility"].frames
    assert timeline["low_visibility"].frames == (int(kept[a]), int(kept[b]))
    named = [int(n) for n in re.findall(r"\d+", re.search(r"frames? [\d ,and-]+", timeline["low_visibility"].text).group())]
    assert (named[0], named[-1]) == (int(kept[a]), int(kept[b])) and set(named) <= set(kept.tolist()), named


@pytest.mark.parametrize("gap", [None, (30, 40)])
def test_a_clip_read_late_in_a_video_reads_as_the_clip_itself(gap):
    """A real sit-down (UTD-MHAD a25) as a segment 500 frames into a video: it is read on its own
    frames, not after 500 frames without a person: the same facts as the clip read from frame 0
    (the sit-down among them, which a lost start once hid) and no 'not tracked before' problem;
    with a gap of 10 frames inside it, too."""
    from test_facts import utd

    data = utd("a25_s8_t1_skeleton")
    frames = np.arange(data.shape[1]) if gap is None else np.r_[0:gap[0], gap[1]:data.shape[1]]
    alone = read_on_timeline(data[:, frames], "utd-mhad", frames)
    late = read_on_timeline(data[:, frames], "utd-mhad", frames + 500)
    assert "sit_down" in {f.motion for f in late.facts}
    assert late.facts == alone.facts
    assert [p.kind for p in late.problems] == [p.kind for p in alone.problems]
    assert "track_lost" not in {p.kind for p in late.problems}


def test_a_late_segments_problems_name_video_frames():
    """Penn 2056 (the wrist seen in half the frames, 15 frames lost) read as frames 500 on of a video:
    each problem is the one read from frame 0, its frames and the frames its text names 500 later."""
    data, visibility = penn("2056")
    kept_data, kept_vis, kept = _cut(data, visibility, (5, 20))
    alone = read_on_timeline(kept_data, "penn-13", kept, kept_vis).problems
    late = read_on_timeline(kept_data, "penn-13", kept + 500, kept_vis).problems
    assert {p.kind for p in alone} >= {"low_visibility"} and len(late) == len(alone)
    for a, b in zip(alone, late):
        assert b.kind == a.kind and b.frames == (a.frames[0] + 500, a.frames[1] + 500)
        assert b.text == renumber_frames(a.text, lambda n: n + 500), (a.text, b.text)   # every run named, 500 later


def test_a_raise_between_two_jumps_of_its_hand_is_not_stated():
    """The rule of the skateboarder's wrist placed in the sky between jumps, on a real raise: a raise
    whose hand was unread and flagged as jumping in each of the JUMPED_AROUND frames before it starts
    and after it ends was seen neither going up nor coming down: not stated, nor its lowering.
    Jumps on one side only (a fast raise's start can break the bones' lengths) leave it."""
    from actlm.explain.facts import JUMPED_AROUND, _body, without_jump_islands
    from actlm.explain.world import end_joints
    from actlm.explain.world import world_frame

    data, layout = ucla("a08_s02_e01_v02"), get_layout("kinect-v1")
    facts = read_motion(data, layout).facts
    raise_ = next(f for f in facts if f.motion == "raise" and f.part == "right_hand")
    lower = next(f for f in facts if f.motion == "lower" and f.part in ("right_hand", "both_hands"))
    n = data.shape[1] - 1
    start, end = int(round(raise_.start * n)), int(round(raise_.end * n))
    x, _ = check_tracking(data[0], layout)
    world = world_frame(x, layout)
    hands = {s: end_joints(layout, f"{s}_hand") for s in ("right", "left")}
    before, after = slice(start - JUMPED_AROUND, start), slice(end + 1, end + 1 + JUMPED_AROUND)
    for lost, stated in (((before, after), False), ((before,), True), ((after,), True)):
        body = _body(world.coords, layout, world.mirrored)
        jumped = np.zeros(data.shape[1:3], bool)
        for rows in lost:
            jumped[rows, hands["right"]] = True
            body.step_hand["right"][rows] = np.nan                  # the check's verdict: not read there
        kept = without_jump_islands(facts, body, data.shape[1], jumped, hands)
        assert (raise_ in kept) == stated and (lower in kept) == stated
        assert [f for f in kept if f not in (raise_, lower)] == [f for f in facts if f not in (raise_, lower)]


def test_a_skeleton_whose_trunk_doubles_is_not_one_body_and_not_read_there():
    """A trunk twice its usual length in 12 frames (hips placed on someone else) is named, and the
    bend it would make is not read."""
    data, visibility = penn("1169")                                  # a pull-up: the trunk hangs upright
    broken = data.copy()
    trunk = broken[0, 20:32, 1:3].mean(axis=1) - broken[0, 20:32, 7:9].mean(axis=1)
    broken[0, 20:32, 7:9] -= trunk[:, None]                          # the hips pulled a trunk further down
    reading = read_motion(broken, "penn-13", visibility=visibility)
    problem = next(p for p in reading.problems if p.kind == "not_one_body")
    assert problem.frames == (20, 31) and "12 frames" in problem.text
    assert not [f for f in reading.facts if f.motion in ("bend", "squat", "stand_up", "sit_down")]


def test_joint_shares_are_said_per_joint_not_the_largest_for_all():
    data = ucla("a12_s08_e01_v03")
    visibility = np.ones(data.shape[:3])
    visibility[0, :4, 11] = 0.1                                      # the right hand unseen in 4 frames
    visibility[0, :, 7] = 0.1                                        # the left hand in all
    text = next(p.text for p in read_motion(data, "kinect-v1", visibility=visibility).problems
                if p.kind == "low_visibility")
    share = f"{4 / data.shape[1]:.0%}"
    assert f"from {share} to 100% of the frames, by joint" in text, text


def test_whole_body_facts_are_not_read_where_the_camera_moves():
    """The camera moving in every frame: the bend (read against the image's vertical) goes and the
    camera is named; a still camera changes nothing."""
    data, visibility = penn("0003")
    frames = np.arange(data.shape[1])
    still = read_on_timeline(data, "penn-13", frames, visibility[None], camera_moving=np.zeros(len(frames), bool))
    assert still.facts == read_motion(data, "penn-13", visibility=visibility).facts
    assert "bend" in {f.motion for f in still.facts}
    moving = read_on_timeline(data, "penn-13", frames, visibility[None], camera_moving=np.ones(len(frames), bool))
    assert not [f for f in moving.facts if f.motion in CAMERA_MOTIONS]
    camera = next(p for p in moving.problems if p.kind == "camera_motion")
    assert camera.frames == (0, len(frames) - 1) and "no motion of the whole body" in camera.text


@pytest.mark.parametrize("clip,trunk,moves,still", [("arm_wrestling.mp4", 200, (186, 212), (104, 135)),
                                                    ("tai_chi.mp4", 48, None, (0, 299))])
def test_the_camera_motion_of_real_videos(shared_data, clip, trunk, moves, still):
    """The hand-check's frames: arm_wrestling's camera pans to the floor (186-212) and is steady with
    the wrestlers (104-135); tai_chi's is fixed. Measured on the whole frame (no person's box) with
    the trunk length BlazePose gives the person there (pixels of the 340x256 frame)."""
    from actlm.pose.camera import camera_moves, measure_camera
    from actlm.pose.video import probe, read_frames

    info = probe(shared_data / "videos" / clip)
    motion = measure_camera(read_frames(shared_data / "videos" / clip, max_side=640),
                            np.full((info.frames, 4), np.nan), (info.width, info.height))
    moving = camera_moves(motion, trunk)
    if moves:
        assert moving[moves[0]:moves[1] + 1].mean() > 0.9
    assert not moving[still[0]:still[1] + 1].any()


def test_with_people_tracked_everyones_box_is_left_out_of_the_background(monkeypatch):
    """``predict --people`` explains one person; the others moving in the frame are no background
    either: their boxes are masked too, while the bound stays in the explained person's trunk lengths."""
    import actlm.pose.camera as camera
    from actlm.pipeline import camera_for_video
    from actlm.pose.backends import PoseSequence

    rng = np.random.default_rng(0)
    image = (rng.normal(0, 20, (2, 6, 33, 2)) + 200).astype(np.float32)
    both = PoseSequence("blazepose-33", image, np.ones((2, 6, 33), np.float32), None, 30.0, (640, 480))
    one = PoseSequence("blazepose-33", image[:1], both.visibility[:1], None, 30.0, (640, 480))
    seen = []
    monkeypatch.setattr(camera, "video_camera_moves",
                        lambda video, img, vis, size, trunk, stride=1: seen.append((img.shape[0], trunk)) or (np.zeros(6, bool), None))
    camera_for_video("clip.mp4", one)
    camera_for_video("clip.mp4", one, everyone=both)
    assert [m for m, _ in seen] == [1, 2] and seen[0][1] == seen[1][1]


def test_a_raise_whose_span_reaches_past_the_jumps_is_still_between_them():
    """The skateboarding clip's false raise: its span runs across unread frames
    (:func:`_extent_across_gaps`, for a hand frozen at a raise's top) and so past the jumps of its
    hand right around its peak; the island test reads the frames read around the peak, not the
    span's ends. Jumps on one side only still leave the raise."""
    from actlm.explain.facts import JUMPED_AROUND, _body, without_jump_islands
    from actlm.explain.world import end_joints
    from actlm.explain.world import world_frame

    data, layout = ucla("a08_s02_e01_v02"), get_layout("kinect-v1")
    facts = read_motion(data, layout).facts
    raise_ = next(f for f in facts if f.motion == "raise" and f.part == "right_hand")
    n = data.shape[1] - 1
    start, end, peak = (int(round(t * n)) for t in (raise_.start, raise_.end, raise_.time))
    assert end - start > 2 * JUMPED_AROUND + 2
    # the jumps inside the span, one frame off each side of the peak (the span bridged them)
    first = max(start + 1, min(peak - 1 - JUMPED_AROUND, end - 2 * JUMPED_AROUND - 2))
    before = slice(first, first + JUMPED_AROUND)
    after = slice(first + JUMPED_AROUND + 2, first + 2 * JUMPED_AROUND + 2)
    x, _ = check_tracking(data[0], layout)
    world = world_frame(x, layout)
    hands = {s: end_joints(layout, f"{s}_hand") for s in ("right", "left")}
    for lost, stated in (((before, after), False), ((before,), True), ((after,), True)):
        body = _body(world.coords, layout, world.mirrored)
        jumped = np.zeros(data.shape[1:3], bool)
        for rows in lost:
            jumped[rows, hands["right"]] = True
            body.step_hand["right"][rows] = np.nan
        moved = replace(raise_, time=round((first + JUMPED_AROUND) / n, 3))    # its peak between the jumps
        kept = without_jump_islands([moved if f is raise_ else f for f in facts], body, data.shape[1], jumped, hands)
        assert (moved in kept) == stated


def test_every_frame_number_of_a_run_list_is_renumbered_and_counts_are_not():
    """A problem naming its runs ('frames 38 and 48-51') keeps them all in input frames when carried
    (a segment 500 frames in; a pose read every 3rd frame); '12 frames' is a count and stays."""
    from actlm.pipeline import in_video_frames_text

    text = "jumps in frames 38 and 48-51 (12 frames), frames 0-4, 20-29 and 35-51, and in frame 7"
    assert renumber_frames(text, lambda n: n + 500) == \
        "jumps in frames 538 and 548-551 (12 frames), frames 500-504, 520-529 and 535-551, and in frame 507"
    assert in_video_frames_text(text, 3) == \
        "jumps in frames 114 and 144-153 (12 frames), frames 0-12, 60-87 and 105-153, and in frame 21"


@pytest.mark.parametrize("late", [False, True])
def test_the_sources_guessed_joint_frames_reach_the_detector_on_the_timeline(late):
    """``actlm explain`` passes ``Sample.guessed`` through ``read_on_timeline``: Penn 0700's bowler
    enters the frame with both shoulders and hips flagged guessed; the bend is read from the frames
    that show the trunk ('about 50', as ``read_motion(guessed=...)`` says), not from the guesses
    ('about 70'), also when the clip is a late segment laid on a video's timeline."""
    from actlm.data import penn as reader
    from test_facts import PENN

    if not (PENN / "0700.mat").exists():
        pytest.skip("Penn Action data not found")
    sample = reader.read_sequence(PENN / "0700.mat")
    data, visibility, guessed = sample.data, sample.visibility("penn-13"), sample.guessed("penn-13")
    frames = np.arange(data.shape[1]) + 300 if late else None

    def bend(flags):
        reading = read_on_timeline(data, "penn-13", frames, visibility, guessed=flags)
        return [f.text for f in reading.facts if f.motion == "bend"]

    direct = [f.text for f in read_motion(data, "penn-13", visibility=visibility, guessed=guessed).facts if f.motion == "bend"]
    assert bend(guessed) == direct and any("about 50" in t for t in direct), direct
    assert any("about 70" in t for t in bend(None)), bend(None)
