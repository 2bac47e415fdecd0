"""``actlm live`` (issue 43, item 2): a file played at its own frame rate, frames dropped and counted
when recognition falls behind, bounded buffers, a stalled or failing source ends cleanly."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.live import BlazePoseTracker, DroppingQueue, LiveRecognizer, run_live
from actlm.pipeline import default_checkpoint

from test_timeline import _first_frames


def test_the_queue_keeps_the_newest_frames_and_counts_the_dropped():
    q = DroppingQueue(2)
    for i in range(5):
        q.put(i)
    assert q.dropped == 3 and q.get(0.1) == 3 and q.get(0.1) == 4 and q.get(0.01) is None


def _nobody(image: np.ndarray):
    return None


def _blank(n: int, then: str = "stall"):
    """A fake stream: ``n`` grey frames, then it stalls (blocks), or fails."""
    for _ in range(n):
        yield np.full((48, 64, 3), 100, np.uint8)
    if then == "fail":
        raise ConnectionError("connection reset by peer")
    time.sleep(60)


@pytest.mark.parametrize("then", ["stall", "fail"])
def test_a_stalled_or_failing_stream_ends_cleanly_with_what_was_found(then):
    start = time.monotonic()
    report = run_live("fake://camera", lambda fps: LiveRecognizer(default_checkpoint(), _nobody, fps),
                      frames=(_blank(10, then), 30.0, False), stall_s=0.5)
    assert time.monotonic() - start < 10                     # no hang on a source that never answers
    # an unpaced source delivers its 10 frames at once: the queue keeps the newest, the rest are counted
    assert report.frames_read == report.frames_processed + report.frames_dropped == 10
    assert report.frames_processed >= 1 and report.frames_with_person == 0 and report.events == []
    if then == "stall":
        assert report.reason == "stalled (no frame for 0.5 s)"
    else:
        assert report.reason == "source failed: ConnectionError: connection reset by peer"
    assert "no frame" in report.summary() or "failed" in report.summary()


def test_a_file_plays_in_real_time_with_bounded_lag(shared_data, tmp_path):
    clip = _first_frames(shared_data / "videos" / "tai_chi.mp4", tmp_path / "tai_chi_3s.mp4", 90)   # 3 s at 30 fps
    recognizers = []

    def recognizer(fps: float) -> LiveRecognizer:
        recognizers.append(LiveRecognizer(default_checkpoint(), BlazePoseTracker(), fps, window=24, stride=6))
        return recognizers[0]

    report = run_live(str(clip), recognizer, stall_s=5.0)
    assert report.reason == "ended" and report.frames_read == 90
    assert report.frames_processed + report.frames_dropped == 90
    assert report.seconds >= 2.9                              # paced: not faster than the clip plays
    # and not far behind it: frames are dropped instead, so at most the queued frames and the one in hand remain
    assert report.seconds <= 3.0 + 3 * report.slowest_step_s + 0.5
    assert len(recognizers[0].buffer) <= 24                   # the pose buffer holds one window
    assert report.windows_scored >= 1 and report.frames_with_person > 0
    assert ("dropped" in report.summary()) == (report.frames_dropped > 0)
    starts = [e for e in report.events if e["event"] == "start"]
    assert len(starts) == sum(e["event"] == "end" for e in report.events)    # every action is closed
    assert all(e["lag_s"] < 2.0 for e in report.events if "lag_s" in e)


def test_live_command_on_a_file(shared_data, tmp_path):
    clip = _first_frames(shared_data / "videos" / "tai_chi.mp4", tmp_path / "tai_chi_1s.mp4", 30)
    result = CliRunner().invoke(main, ["live", str(clip), "--window", "12", "--stride", "4",
                                       "--events", str(tmp_path / "events.jsonl")])
    assert result.exit_code == 0, result.output
    assert "ended after" in result.output and "frames processed" in result.output
    assert (tmp_path / "events.jsonl").exists()
    bad = CliRunner().invoke(main, ["live", str(tmp_path / "missing.mp4")])
    assert bad.exit_code == 2 and "cannot open" in bad.output


def test_live_uses_the_checkpoints_stored_settings_unless_given(tmp_path, monkeypatch):
    """``actlm live`` without --unknown-below/--hold: the checkpoint's stored online settings (its
    config.json's ``timeline`` key); with them, the options; a checkpoint without the key: the constants."""
    from actlm import live
    from actlm.live import LiveReport
    from actlm.timeline import ONLINE_HOLD, ONLINE_STILL_BELOW, ONLINE_THRESHOLD

    from test_timeline import STORED, checkpoint_with

    stored = checkpoint_with(tmp_path / "stored", STORED)
    old = checkpoint_with(tmp_path / "old", None)
    made = []

    def fake_run(source, recognizer_for, **kwargs):          # build the recogniser as run_live does, play nothing
        made.append(recognizer_for(30.0))
        return LiveReport(source, "ended")

    monkeypatch.setattr(live, "run_live", fake_run)
    monkeypatch.setattr(live, "BlazePoseTracker", lambda: _nobody)
    for args, expected in (([], (0.61, 3, 0.005)), (["--unknown-below", "0.45", "--hold", "2"], (0.45, 2, 0.005))):
        result = CliRunner().invoke(main, ["live", "fake://camera", "--checkpoint", str(stored), *args])
        assert result.exit_code == 0, result.output
        r = made[-1]
        assert (r.threshold, r.hold, r.still_below) == expected
        assert (r.decoder.threshold, r.decoder.hold) == expected[:2]
    result = CliRunner().invoke(main, ["live", "fake://camera", "--checkpoint", str(old)])
    assert result.exit_code == 0, result.output
    assert (made[-1].threshold, made[-1].hold, made[-1].still_below) == (ONLINE_THRESHOLD, ONLINE_HOLD,
                                                                          ONLINE_STILL_BELOW)
    direct = LiveRecognizer(stored, _nobody, 30.0, still_below=0.1)          # the Python API: the same rule
    assert (direct.threshold, direct.hold, direct.still_below) == (0.61, 3, 0.1)


# --- several people (issue 43: `actlm live SOURCE --people N`) -----------------------------------
def _pose_of(kind: int) -> tuple:
    """A fake pose whose world x of joint 0 names the action the fake model sees in it."""
    world = np.zeros((33, 3), np.float32)
    world[0, 0] = kind
    return world, np.full((33, 2), 10.0, np.float32), np.ones(33, np.float32)


def _people_recognizer(pose, monkeypatch, max_people: int = 2, **kw):
    """A PeopleLiveRecognizer on the shipped checkpoint whose model is faked: a window's
    probabilities are one-hot on the action its poses name (``_pose_of``)."""
    from actlm.live import PeopleLiveRecognizer

    rec = PeopleLiveRecognizer(default_checkpoint(), pose, 30.0, max_people=max_people, window=8, stride=4,
                               hold=1, threshold=0.5, still_below=0.0, **kw)
    classes = len(rec.meta.classes)

    def fake_score(buffer):
        seen = [p for _, p, _ in buffer if p is not None]
        if len(seen) < 4:
            return None, False
        probs = np.zeros(classes, np.float32)
        probs[int(round(float(np.mean([p[0][0, 0] for p in seen]))))] = 1.0
        return probs, False

    monkeypatch.setattr(rec, "_score_window", fake_score)
    return rec


def _frame(i: int):
    from actlm.live import Frame
    return Frame(np.zeros((48, 64, 3), np.uint8), i / 30.0, i)


def test_two_people_get_their_own_events(monkeypatch):
    rec = _people_recognizer(lambda image: {1: _pose_of(3), 2: _pose_of(5)}, monkeypatch)
    events = [e for i in range(40) for e in rec.step(_frame(i))]
    events += rec.finish(40)
    names = rec.meta.classes
    starts = {(e["person"], e["action"]) for e in events if e["event"] == "start"}
    assert starts == {(1, names[3]), (2, names[5])}
    ends = {(e["person"], e["action"]) for e in events if e["event"] == "end"}
    assert ends == starts and all("time_s" in e for e in events)
    assert rec.people == {} and rec.people_seen == 2


def test_interleaved_people_each_keep_their_action(monkeypatch):
    """Two people seen in alternate frames (a detector finding one, then the other)."""
    rec = _people_recognizer(lambda image: {}, monkeypatch)
    events = []
    for i in range(48):
        rec.pose = (lambda image: {1: _pose_of(2)}) if i % 2 else (lambda image: {2: _pose_of(7)})
        events += rec.step(_frame(i))
    by_person = {e["person"]: e["action"] for e in events if e["event"] == "start"}
    assert by_person == {1: rec.meta.classes[2], 2: rec.meta.classes[7]}
    assert len(rec.people) == 2 and all(len(p.buffer) <= 8 for p in rec.people.values())


def test_a_person_who_leaves_ends_their_action_and_frees_their_state(monkeypatch):
    rec = _people_recognizer(lambda image: {}, monkeypatch, lost_s=0.5)     # 15 frames
    events = []
    for i in range(80):
        rec.pose = lambda image, i=i: {1: _pose_of(3), **({2: _pose_of(4)} if i < 30 else {})}
        events += [(i, e) for e in rec.step(_frame(i))]
    gone = [(i, e) for i, e in events if e["event"] == "end" and e["person"] == 2]
    assert len(gone) == 1
    at, end = gone[0]
    assert end["left"] and end["frame"] == 30 and 30 + 15 <= at <= 30 + 17     # ended where last seen, once lost_s passed
    assert set(rec.people) == {1}                               # their buffer and decoder are gone
    assert not any(e["event"] == "end" and e["person"] == 1 for _, e in events)


def test_never_more_recognizers_than_people_allowed(monkeypatch):
    """Ever new ids (people passing by), three or four at once: at most max_people followed."""
    rec = _people_recognizer(lambda image: {}, monkeypatch, max_people=2)
    for i in range(120):
        rec.pose = lambda image, i=i: {i // 10 + k: _pose_of(k + 1) for k in range(3 + i % 2)}
        rec.step(_frame(i))
        assert len(rec.people) <= 2
    assert rec.overflow > 0 and rec.most_followed == 2


def test_a_stalled_stream_ends_every_persons_action(monkeypatch):
    """The source stops delivering mid-way: reported as stalled, each person's action going on closed."""
    rec = _people_recognizer(lambda image: {1: _pose_of(3), 2: _pose_of(5)}, monkeypatch)

    def slow(n):                         # paced-like: one frame at a time so none is dropped, then silence
        for frame in _blank(n):
            time.sleep(0.005)
            yield frame

    report = run_live("fake://camera", lambda fps: rec, frames=(slow(30), 30.0, False), stall_s=0.5)
    assert report.reason == "stalled (no frame for 0.5 s)" and report.people == 2
    starts = [e for e in report.events if e["event"] == "start"]
    ends = [e for e in report.events if e["event"] == "end"]
    assert {e["person"] for e in starts} == {1, 2} and len(ends) == len(starts)
    assert "2 people" in report.summary()


def test_live_command_with_people(shared_data, tmp_path, monkeypatch):
    from actlm import live

    class FakePeople:
        def __init__(self, n, fps):
            self.n = n

        def __call__(self, image):
            return {1: _pose_of(3), 4: _pose_of(5)}

    monkeypatch.setattr(live, "PeopleFramePose", FakePeople)
    clip = _first_frames(shared_data / "videos" / "tai_chi.mp4", tmp_path / "tai_chi_1s.mp4", 30)
    result = CliRunner().invoke(main, ["live", str(clip), "--people", "2", "--window", "8", "--stride", "4",
                                       "--events", str(tmp_path / "events.jsonl")])
    assert result.exit_code == 0, result.output
    assert "2 people in" in result.output
    import json
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert all(e["person"] in (1, 4) for e in events)
    assert all(("person 1:" in line or "person 4:" in line) for line in result.output.splitlines()
               if " s  " in line and ("started" in line or "ended" in line))


def test_people_frame_pose_tracks_two_real_people(shared_data):
    """The real per-frame path (landmarker + tracker of actlm.pose.people) on two clips side by side."""
    pytest.importorskip("supervision")
    import cv2
    from actlm.live import PeopleFramePose
    from actlm.pose.video import read_frames

    def frames(name):
        out = []
        for f in read_frames(shared_data / "videos" / name, max_side=640):
            out.append(cv2.resize(f, (int(round(f.shape[1] * 270 / f.shape[0])), 270)))
            if len(out) == 12:
                return out

    pose = PeopleFramePose(2, 30.0)
    try:
        seen = [pose(np.ascontiguousarray(np.concatenate(pair, axis=1)))
                for pair in zip(frames("tai_chi.mp4"), frames("clean_and_jerk.mp4"))]
    finally:
        pose.close()
    ids = {pid for frame in seen for pid in frame}
    assert len(ids) == 2 and sum(len(f) == 2 for f in seen) >= 8
    world, image, vis = next(iter(seen[-1].values()))
    assert world.shape == (33, 3) and image.shape == (33, 2) and vis.shape == (33,)


def test_live_events_in_a_folder_that_does_not_exist(shared_data, tmp_path):
    """Reliability audit: `--events new/e.jsonl` was a bare '[Errno 2] No such file or directory'; its
    folder is now made, as predict's outputs' are."""
    clip = _first_frames(shared_data / "videos" / "tai_chi.mp4", tmp_path / "tai_chi_1s.mp4", 20)
    events = tmp_path / "new" / "deeper" / "events.jsonl"
    result = CliRunner().invoke(main, ["live", str(clip), "--window", "12", "--stride", "4", "--events", str(events)])
    assert result.exit_code == 0, result.output
    assert events.exists() and "ended after" in result.output
