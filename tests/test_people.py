"""Several people (issue 43, item 3): the ByteTrack wrapper keeps identities through a shuffled
pair, its state stays bounded, a person back within ``lost_s`` keeps their id and one back later
gets a new one, the timeline has one row per person, and a clear error names the extra."""
from __future__ import annotations

import sys

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.data.errors import DataError

BASE = np.random.default_rng(0).normal(0, 1, (13, 2)) * 15 + [0, 0]


def _person(x: float, t: int, y: float = 200.0) -> np.ndarray:
    return (BASE + [x + 4 * np.sin(t / 5), y + 2 * np.cos(t / 7)]).astype(np.float32)


def _frame(*xs: float, t: int) -> list:
    return [(_person(x, t), np.ones(13, np.float32), None) for x in xs]


def test_tracker_keeps_ids_through_a_shuffled_pair():
    pytest.importorskip("supervision")
    from actlm.pose.people import track_people

    rng = np.random.default_rng(1)
    frames, truth = [], []
    for t in range(90):
        left, right = 150 + t, 400 - t            # walking towards each other, boxes overlapping at the end
        order = rng.permutation(2)
        frames.append([_frame(left, right, t=t)[i] for i in order])
        truth.append(order)
    pose, tracker, found = track_people(frames, "body-13", 13, 30.0, (640, 480), max_people=2)
    assert found == [2] * 90 and pose.track_ids.shape == (2, 90)
    ids = set(np.unique(pose.track_ids).tolist())
    assert len(ids) == 2 and -1 not in ids
    for pid in ids:        # each id stays with one person: the one starting left, or the one starting right
        m, t = np.nonzero(pose.track_ids == pid)
        x = pose.image[m, t, :, 0].mean(1)
        centre = BASE[:, 0].mean() + 4 * np.sin(t / 5)
        nearer_left = np.abs(x - centre - 150 - t) < np.abs(x - centre - 400 + t)
        assert nearer_left.all() or (~nearer_left).all()


def test_tracker_state_is_bounded_and_ids_follow_lost_s():
    pytest.importorskip("supervision")
    from actlm.pose.people import PeopleTracker, landmark_box

    tracker = PeopleTracker(max_people=2, fps=30.0, lost_s=1.0)

    def step(*xs, t):
        people = _frame(*xs, t=t)
        boxes = np.stack([landmark_box(p[0], p[1]) for p in people]) if people else np.zeros((0, 4))
        kps = np.stack([p[0] for p in people]) if people else None
        return tracker.update(boxes, np.full(len(people), 0.9), kps)[0]

    first = [step(200, t=t)[0] for t in range(20)]
    for t in range(20, 35):                       # gone for 0.5 s: fewer frames than lost_s
        step(t=t)
    back = [step(200, t=t)[0] for t in range(35, 50)]
    assert set(first) == set(back) and len(set(first)) == 1
    for t in range(50, 120):                      # gone for 2.3 s: more than lost_s
        step(t=t)
    step(200, t=120)                              # a new track is confirmed on its second frame (ByteTrack)
    later = step(200, t=121)[0]
    assert later >= 0 and later != first[0]
    sizes = []
    for t in range(122, 900):                     # a stream of passers-by, each seen for 10 frames
        x = 100 + 60 * ((t // 10) % 8)
        step(x, t=t)
        sizes.append(tracker.state_size())
    assert max(sizes) <= 40 and len(tracker.slots) <= 2 and len(tracker.person_of) <= 40
    assert max(sizes[-100:]) <= max(sizes[:100]) + 5       # nothing grows with the stream


def test_people_timeline_has_a_row_per_person(tmp_path):
    pytest.importorskip("supervision")
    from actlm.pipeline import default_checkpoint
    from actlm.pipeline import person_predictions
    from actlm.pose.people import track_people
    from actlm.timeline import plot_timeline, video_timeline, video_timelines

    rng = np.random.default_rng(2)
    frames = []
    for t in range(64):
        wave = np.zeros((13, 2), np.float32)
        wave[5:7] = [[30 * np.sin(t / 3), -40 * np.cos(t / 3)]] * 2    # one person's arm moves a lot
        people = [(_person(150, t) + wave, np.ones(13, np.float32), None),
                  (_person(450, t), np.ones(13, np.float32), None)]
        frames.append([people[i] for i in rng.permutation(2)])
    pose, _, _ = track_people(frames, "body-13", 13, 30.0, (640, 480), max_people=2)
    per_person = video_timelines(pose, default_checkpoint(), explain=False)
    assert len(per_person) == 2
    timeline = video_timeline(pose, default_checkpoint(), explain=False)
    assert {s.person for s in timeline.segments} == set(per_person)
    assert "person" in timeline.summary()
    assert plot_timeline(timeline, tmp_path / "t.png").stat().st_size > 0
    labels = person_predictions(pose, default_checkpoint())
    assert [p["person"] for p in labels] == list(per_person) and all(p["frames"] == 64 for p in labels)
    # --people with --pose-fps: the tracked poses read every 2nd frame, every person's segments in video frames
    from actlm.pipeline import every_kth_pose
    from actlm.timeline import Windows

    halved = video_timelines(every_kth_pose(pose, 2), default_checkpoint(), explain=False)
    assert list(halved) == list(per_person)
    for person, one in halved.items():
        assert (one.windows, one.pose_stride, one.fps, one.frames) == (Windows(16, 4), 2, 30.0, 64)
        assert one.segments[0].start == 0 and one.segments[-1].end == 64
        assert all(s.person == person and s.start % 2 == 0 for s in one.segments)


def test_missing_tracker_library_names_the_extra(monkeypatch, tmp_path):
    import cv2

    from actlm.cli import main
    from actlm.pose.people import PeopleTracker

    monkeypatch.setitem(sys.modules, "supervision", None)       # import supervision -> ImportError
    with pytest.raises(DataError, match=r"actlm\[people\]"):
        PeopleTracker()
    video = tmp_path / "grey.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    for _ in range(3):
        writer.write(np.full((48, 64, 3), 100, np.uint8))
    writer.release()
    result = CliRunner().invoke(main, ["predict", str(video), "--people", "2"])
    assert result.exit_code == 2 and "actlm[people]" in result.output


def test_people_backend_finds_two_real_people_side_by_side(shared_data):
    pytest.importorskip("supervision")
    pytest.importorskip("mediapipe")
    from itertools import islice

    import cv2

    from actlm.pose.backends import get_backend
    from actlm.pose.people import people_ids
    from actlm.pose.video import read_frames

    def clip(name):
        return [cv2.resize(f, (int(f.shape[1] * 270 / f.shape[0]), 270))
                for f in islice(read_frames(shared_data / "videos" / name, max_side=480), 15)]

    left = clip("tai_chi.mp4")
    frames = [np.ascontiguousarray(np.concatenate([a, b], 1)) for a, b in zip(left, clip("clean_and_jerk.mp4"))]
    pose = get_backend("people", max_people=2).estimate(frames, 30.0)
    assert pose.layout == "blazepose-33" and pose.world.shape == (2, 15, 33, 3)
    ids = people_ids(pose)
    assert len(ids) == 2
    split = left[0].shape[1]
    for pid in ids:                       # each person stays on their side of the picture
        xs = np.concatenate([pose.image[m, pose.track_ids[m] == pid, :, 0].mean(1) for m in range(2)])
        assert len(xs) >= 10 and ((xs < split).all() or (xs >= split).all())
