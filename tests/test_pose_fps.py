"""``predict --pose-fps F``: the pose read on every k-th frame, k = max(1, round(video fps / F)); what
is downstream sees the rate sampled, and every frame number shown is the video's."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data.errors import DataError
from actlm.explain.quality import Problem
from actlm.pipeline import estimate_pose, in_video_frames, pose_stride, predict_video
from actlm.pose.backends import BACKENDS, PoseBackend, PoseSequence
from actlm.pose.camera import CameraMotion, camera_moves

import cv2  # noqa: E402  (OpenCV comes with the video extra)

#: grey level step between frames of the numbered video: frame i is 8 * i grey
STEP = 8


def _numbered_video(path: Path, frames: int, fps: float = 10.0) -> Path:
    """A video whose frame i is uniformly 8 * i grey: a frame's number is read back from its colour."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), STEP * i, np.uint8))
    writer.release()
    return path


class _Recorder(PoseBackend):
    """A stub pose estimator: records the number of each frame it is given and the fps, finds a
    still 'person' (one point per joint) in every frame."""

    name, layout = "recorder", "coco-17"
    seen: list[int] = []
    fps: list[float] = []

    def estimate(self, frames, fps, progress=None) -> PoseSequence:
        numbers = [int(round(float(f.mean()) / STEP)) for f in frames]
        _Recorder.seen, _Recorder.fps = numbers, [fps]
        t = len(numbers)
        return PoseSequence(self.layout, np.ones((1, t, 17, 2), np.float32), np.ones((1, t, 17), np.float32),
                            None, fps, (64, 48))


@pytest.fixture
def recorder(monkeypatch):
    monkeypatch.setitem(BACKENDS, "recorder", _Recorder)
    return _Recorder


def test_the_stride_is_the_rounded_ratio_and_never_below_one():
    assert pose_stride(30, 15) == 2 and pose_stride(30, 10) == 3 and pose_stride(29.97, 10) == 3
    assert pose_stride(25, 10) == 2                      # 2.5 rounds to even: 12.5 fps read
    assert pose_stride(30, 60) == 1 and pose_stride(30, 30) == 1     # above the video's rate: every frame
    assert pose_stride(0, 10) == 3                       # a video of unknown rate is read as 30 fps
    assert pose_stride(30, None) == 1


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf")])
def test_a_rate_that_is_no_rate_is_a_clear_error(bad):
    with pytest.raises(DataError, match="--pose-fps must be a positive number"):
        pose_stride(30, bad)


@pytest.mark.parametrize("given", ["0", "-2"])
def test_the_cli_refuses_a_rate_at_or_below_zero(given, tmp_path):
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "any.mp4"), "--pose-fps", given])
    assert result.exit_code == 2 and "--pose-fps" in result.output and "Traceback" not in result.output


def test_the_estimator_gets_every_kth_video_frame_and_the_sampled_rate(recorder, tmp_path):
    video = _numbered_video(tmp_path / "numbered.mp4", 30)
    pose = estimate_pose(video, "recorder", pose_fps=5)            # 10 fps video: every 2nd frame
    assert recorder.seen == list(range(0, 30, 2)) and recorder.fps == [5.0]
    assert (pose.frames, pose.stride, pose.fps) == (15, 2, 5.0)
    pose = estimate_pose(video, "recorder", pose_fps=3)            # 10 / 3 -> every 3rd
    assert recorder.seen == list(range(0, 30, 3)) and pose.stride == 3 and pose.fps == pytest.approx(10 / 3)
    pose = estimate_pose(video, "recorder", pose_fps=100)          # above the video's rate: every frame
    assert recorder.seen == list(range(30)) and (pose.stride, pose.fps) == (1, 10.0)
    pose = estimate_pose(video, "recorder")                        # the default: every frame
    assert recorder.seen == list(range(30)) and pose.stride == 1


def test_a_problems_frames_become_video_frames_and_counts_stay():
    problem = Problem("jumping_joint", ("left_wrist",), (3, 7),
                      "the left wrist jumps implausibly in frames 3-7 (5 frames) and in frame 9")
    shown = in_video_frames(problem, 3)
    assert shown.frames == (9, 21)
    assert shown.text == "the left wrist jumps implausibly in frames 9-21 (5 frames) and in frame 27"
    assert in_video_frames(problem, 1) == problem


def _standing(t: int) -> list[float]:
    """COCO-17 keypoints (x, y, score) of a person standing and slowly raising the right arm."""
    lift = 30 * np.sin(np.pi * t / 40)
    pts = [(50, 20), (48, 18), (52, 18), (46, 19), (54, 19), (40, 40), (60, 40), (35, 60), (66, 60 - lift / 2),
           (33, 80), (70, 80 - lift), (44, 80), (56, 80), (44, 110), (56, 110), (44, 140), (56, 140)]
    return [v for x, y in pts for v in (float(x), float(y), 0.9)]


def test_frames_shown_at_a_reduced_rate_are_the_videos_and_the_facts_read_the_sampled_rate(tmp_path, monkeypatch):
    """A 30 fps keypoint file: nobody in frames 0-29, a person from frame 30 on. Read every 3rd frame
    (10 fps), the reading starts at the person's first frame (no 'lost before frame 30' problem: the
    frames before it are no track that was lost), the span lies in the video's frames, and the facts are read at 10 fps on the pose frames."""
    frames = [{"people": []} for _ in range(30)] + [{"people": [{"keypoints": _standing(t)}]} for t in range(60)]
    path = tmp_path / "late.json"
    path.write_text(json.dumps({"fps": 30, "width": 100, "height": 160, "frames": frames}))
    import actlm.pipeline as pipeline

    told = {}
    real = pipeline.gather_evidence

    def spy(*args, **kwargs):
        told.update(fps=kwargs["fps"], frames=np.asarray(kwargs["frames"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "gather_evidence", spy)
    full, _ = predict_video(path, backend="coco-json")
    assert told["fps"] == 30 and told["frames"][0] == 30
    reduced, pose = predict_video(path, backend="coco-json", pose_fps=10)
    assert told["fps"] == 10 and list(told["frames"]) == list(range(10, 30))     # pose frames with a person
    assert (pose.stride, pose.frames, reduced.fps, reduced.pose_stride) == (3, 30, 10.0, 3)
    for prediction in (full, reduced):
        lost = [p for p in prediction.evidence["problems"] if p["kind"] == "track_lost"]
        assert not lost, lost
        assert 30 <= prediction.span[0] < prediction.span[1] <= 90
    assert reduced.span[0] % 3 == 0 and (reduced.span[1] - 1) % 3 == 0          # read frames, named as the video's
    assert "pose read on every 3rd video frame: 10.0 fps" in reduced.summary()


def test_camera_bounds_are_per_video_frame_whatever_the_step():
    """A background drifting 0.03 trunk lengths a video frame is a still camera (bound 0.05) at every
    rate; 0.1 a frame moves at every rate. Measured every 3rd frame, it moves 3 times as far between them."""
    def motion(per_frame: float, step: int, n: int = 30) -> CameraMotion:
        return CameraMotion(np.tile([per_frame * step * 100.0, 0.0], (n, 1)), np.zeros(n), np.ones(n, bool))

    for step in (1, 2, 3):
        assert not camera_moves(motion(0.03, step), trunk_px=100.0, step=step).any()
        assert camera_moves(motion(0.10, step), trunk_px=100.0, step=step).all()
    assert camera_moves(motion(0.03, 3), trunk_px=100.0, step=1).all()    # the per-frame bound unscaled would fire


def test_a_real_clip_at_10_fps_names_video_frames_and_draws_every_frame(shared_data, tmp_path):
    clip = shared_data / "videos" / "tai_chi.mp4"                    # 300 frames at 30 fps
    result = CliRunner().invoke(main, ["predict", str(clip), "--pose-fps", "10", "--json", str(tmp_path / "p.json"),
                                       "--out", str(tmp_path / "annotated.mp4")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "p.json").read_text())
    assert (report["frames"], report["pose_stride"]) == (100, 3) and report["fps"] == pytest.approx(10, abs=0.01)
    assert report["frames_with_person"] >= 95
    assert 0 <= report["span"][0] < report["span"][1] <= 300 and report["span"][0] % 3 == 0
    for problem in report["evidence"]["problems"]:
        assert all(f % 3 == 0 for f in problem["frames"]), problem
    cap = cv2.VideoCapture(str(tmp_path / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 300 and cap.get(cv2.CAP_PROP_FPS) == pytest.approx(30, abs=0.1)
