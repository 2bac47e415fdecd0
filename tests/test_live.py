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
