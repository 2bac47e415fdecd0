"""Long videos as an action timeline (issue 43): true timings of ``actlm predict``, sliding windows,
smoothing with a 'no known action' state, segments, JSON Lines and PNG out, and the segmentation
metrics of the benchmark."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main

import cv2  # noqa: E402  (OpenCV comes with the video extra)


def _first_frames(src: Path, out: Path, frames: int) -> Path:
    """The first ``frames`` frames of ``src`` as an mp4 (a short real clip keeps pose estimation quick)."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    for _ in range(frames):
        ok, frame = cap.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (frame.shape[1], frame.shape[0]))
        writer.write(frame)
    cap.release()
    writer.release()
    return out


@pytest.fixture(scope="module")
def short_tai_chi(shared_data, tmp_path_factory) -> Path:
    return _first_frames(shared_data / "videos" / "tai_chi.mp4", tmp_path_factory.mktemp("clip") / "tai_chi_24.mp4", 24)


def test_predict_json_timings_measure_what_they_name(short_tai_chi, tmp_path):
    """pose_s covers decoding + BlazePose (it was ~1e-6 s when the CLI estimated the pose before
    predict_video started its clock), and the parts add up to no more than the total, which is
    no more than the command's own wall time."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["predict", str(short_tai_chi), "--json", str(tmp_path / "p.json")])
    wall = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    timings = json.loads((tmp_path / "p.json").read_text())["timings"]
    assert set(timings) == {"pose_s", "load_s", "model_s", "explain_s", "total_s"}
    assert timings["pose_s"] > 0.2 * timings["total_s"] > 0      # BlazePose is the largest part
    assert timings["pose_s"] > 24 * 1e-3                          # at least 1 ms a frame: it really ran
    parts = sum(v for k, v in timings.items() if k != "total_s")
    assert parts <= timings["total_s"] <= wall


def test_a_pose_given_by_the_caller_is_timed_only_when_the_caller_says_how_long(short_tai_chi):
    from actlm.pipeline import estimate_pose, predict_video

    pose = estimate_pose(short_tai_chi)
    prediction, _ = predict_video(short_tai_chi, pose=pose)
    assert "pose_s" not in prediction.timings
    prediction, _ = predict_video(short_tai_chi, pose=pose, pose_seconds=2.5)
    assert prediction.timings["pose_s"] == 2.5 and prediction.timings["total_s"] > 2.5
