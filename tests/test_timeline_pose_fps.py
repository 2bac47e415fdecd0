"""``predict --timeline --pose-fps F``: a timeline of a pose read on every k-th video frame. Its windows
cover the same seconds as at full rate (divided by k in pose frames), the options stay video frames,
and every frame it names (segments, explanations, labels) is the video's."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from actlm.cli import main
from actlm.timeline import NO_ACTION, Segment, Windows, video_end, video_timeline

#: the generated stream: 30 fps, the right wrist swinging sideways for 3 s, then up and down for 3 s
FPS, SWITCH, FRAMES = 30, 90, 180


def _keypoints(t: int) -> list[float]:
    """COCO-17 (x, y, score) of a standing person whose right wrist swings sideways before ``SWITCH``
    and up and down from it (one swing a second)."""
    swing = 25 * np.sin(2 * np.pi * t / FPS)
    dx, dy = (swing, 0.0) if t < SWITCH else (0.0, swing)
    pts = [(50, 20), (48, 18), (52, 18), (46, 19), (54, 19), (40, 40), (60, 40), (35, 60), (66, 60),
           (33, 80), (70 + dx, 70 + dy), (44, 80), (56, 80), (44, 110), (56, 110), (44, 140), (56, 140)]
    return [v for x, y in pts for v in (float(x), float(y), 0.9)]


@pytest.fixture
def two_actions(tmp_path) -> Path:
    path = tmp_path / "two_actions.json"
    frames = [{"people": [{"keypoints": _keypoints(t)}]} for t in range(FRAMES)]
    path.write_text(json.dumps({"fps": FPS, "width": 100, "height": 160, "frames": frames}))
    return path


class _Direction(torch.nn.Module):
    """A stand-in model that knows two actions by the direction of the motion in its input
    (N, M, T, V, C): class 0 sideways, class 1 up and down; every other class unlikely."""

    def __init__(self, classes: int):
        super().__init__()
        self.classes = classes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        step = (x[:, :, 1:] - x[:, :, :-1]).abs().mean(dim=(1, 2, 3))          # (N, C)
        side = (step[:, 0] - step[:, 1]) / (step[:, 0] + step[:, 1] + 1e-9)
        logits = torch.full((x.shape[0], self.classes), -10.0)
        logits[:, 0], logits[:, 1] = 10 * side, -10 * side
        return logits


@pytest.fixture
def direction_model(monkeypatch):
    """``load_checkpoint`` answering the general model's meta with :class:`_Direction` as the model."""
    import actlm.engine.checkpoint as checkpoint
    from actlm.pipeline import default_checkpoint

    real = checkpoint.load_checkpoint
    _, meta = real(default_checkpoint())
    monkeypatch.setattr(checkpoint, "load_checkpoint", lambda path: (_Direction(len(meta.classes)), meta))
    return meta


def _switch(timeline, meta) -> Segment:
    """The segment of the second action (up and down)."""
    return next(s for s in timeline.segments if s.action == meta.classes[1])


def test_a_reduced_rate_timeline_cuts_where_the_full_rate_one_does_in_video_frames(two_actions, direction_model):
    from actlm.pipeline import estimate_pose, every_kth_pose

    full_pose = estimate_pose(two_actions, "coco-json")
    full = video_timeline(full_pose, "any", explain=False)
    for k, pose in ((3, estimate_pose(two_actions, "coco-json", pose_fps=10)),
                    (2, every_kth_pose(full_pose, 2))):
        reduced = video_timeline(pose, "any", explain=False)
        assert (pose.stride, reduced.pose_stride, reduced.fps, reduced.frames) == (k, k, FPS, FRAMES)
        segs = reduced.segments
        assert [s.action for s in segs if s.action != NO_ACTION] == [direction_model.classes[0],
                                                                    direction_model.classes[1]]
        assert segs[0].start == 0 and segs[-1].end == FRAMES                       # video frames, not pose frames
        assert all(a.end == b.start for a, b in zip(segs, segs[1:]))
        assert all(s.start % k == 0 and s.start_s == pytest.approx(s.start / FPS, abs=1e-3) for s in segs)
        one_stride = reduced.windows.stride * k                                      # video frames
        got, want = _switch(reduced, direction_model), _switch(full, direction_model)
        assert abs(got.start - want.start) <= one_stride and abs(got.start_s - want.start_s) <= one_stride / FPS
        assert abs(got.start - SWITCH) <= full.windows.length // 2                  # and both near the truth
        assert abs(want.start - SWITCH) <= full.windows.length // 2


def test_windows_cover_the_same_seconds_at_a_reduced_rate():
    pipeline = [{"type": "ValidCropResize", "length": 32}]
    assert Windows.for_model(pipeline) == Windows(32, 8)
    assert Windows.for_model(pipeline, pose_stride=2) == Windows(16, 4)
    assert Windows.for_model(pipeline, pose_stride=3) == Windows(11, 3)            # 33 video frames every 9
    assert Windows.for_model(pipeline, 30, 9, pose_stride=3) == Windows(10, 3)     # the user's, in video frames
    assert Windows.for_model(pipeline, 4, 1, pose_stride=10) == Windows(2, 1)      # never below 2 and 1
    assert Windows(32, 32).in_pose_frames(3) == Windows(11, 11)                    # the stride within the window


def test_the_last_segment_ends_at_the_videos_last_frame():
    assert video_end(60, 3) == 180 and video_end(60, 3, 178) == 178
    assert video_end(60, 3, 100) == 180 and video_end(60, 3, 500) == 180          # a header that disagrees


def test_predict_timeline_at_a_reduced_rate_takes_the_window_in_video_frames(two_actions, tmp_path):
    """The real CLI path on a 30 fps keypoint file read at 10 fps with the general model: ``--window 30
    --stride 9`` are video frames (10 and 3 pose frames), the segments and explanations name video frames."""
    out = tmp_path / "t.jsonl"
    result = CliRunner().invoke(main, ["predict", str(two_actions), "--pose-fps", "10", "--timeline", str(out),
                                       "--timeline-png", str(tmp_path / "t.png"), "--window", "30", "--stride", "9"])
    assert result.exit_code == 0, result.output
    assert "windows of 30 frames every 9, the pose read on every 3rd video frame" in result.output
    assert f"over {FRAMES} frames" in result.output
    segs = [json.loads(line) for line in out.read_text().splitlines()]
    assert segs[0]["start"] == 0 and segs[-1]["end"] == FRAMES and all(s["start"] % 3 == 0 for s in segs)
    assert all(a["end"] == b["start"] for a, b in zip(segs, segs[1:]))
    for s in segs:
        assert s["end_s"] == pytest.approx(s["end"] / FPS, abs=1e-3)
        for first, last in ((int(a), int(b)) for a, b in re.findall(r"frames (\d+)-(\d+)", s["explanation"] or "")):
            assert first % 3 == 0 and last % 3 == 0 and s["start"] <= first <= last < s["end"], s
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


def test_a_segments_explanation_names_video_frames_at_a_reduced_rate():
    """The same skeleton explained as pose frames read every 3rd video frame names 3 times the frames
    of its reading every frame (the camera's moving over the segment: frames 0-59 read, 0-177 shown)."""
    from actlm.engine.checkpoint import load_checkpoint
    from actlm.pipeline import default_checkpoint, skeleton_for_model
    from actlm.pose.backends import PoseSequence
    from actlm.timeline import explain_segment

    image = np.stack([np.array(_keypoints(t)).reshape(17, 3)[:, :2] for t in range(60)])[None].astype(np.float32)
    pose = PoseSequence("coco-17", image, np.ones(image.shape[:3], np.float32), None, 10.0, (100, 160), stride=3)
    model, meta = load_checkpoint(default_checkpoint())
    data, kept = skeleton_for_model(pose, meta.layout, 1, 2)
    text = explain_segment(model, meta, data, None, "clip", 10.0, kept, np.ones(60, bool), pose_stride=3)
    assert "the camera moves in frames 0-177" in text, text


def test_a_camera_mask_of_another_length_than_the_pose_is_refused(two_actions, direction_model):
    from actlm.data.errors import DataError
    from actlm.pipeline import estimate_pose

    pose = estimate_pose(two_actions, "coco-json", pose_fps=10)                  # 60 pose frames
    with pytest.raises(DataError, match="60 pose frames"):
        video_timeline(pose, "any", camera_moving=np.zeros(FRAMES, bool))          # one per video frame: wrong


def test_drawn_labels_follow_segments_in_video_frames():
    """The annotated video's label of pose frame t is the segment holding video frame t * stride."""
    from actlm.pipeline import person_labels
    from actlm.pose.backends import PoseSequence

    pose = PoseSequence("coco-17", np.zeros((1, 4, 17, 2), np.float32), np.ones((1, 4, 17), np.float32), None,
                        10.0, (64, 64), stride=3)                                   # video frames 0, 3, 6, 9
    labels = person_labels(pose, [Segment(0, 0, 6, "wave", 0.8), Segment(0, 6, 12, "clap", 0.7)])
    assert [lab[0] for lab in labels] == ["wave 80%", "wave 80%", "clap 70%", "clap 70%"]


def test_stillness_is_per_model_frame_so_its_threshold_is_not_scaled(shared_data):
    """``still_below`` is a speed per frame of the model's input, and a window of the same seconds is
    resampled to the same clip length at any rate: on a real NW-UCLA sequence the windows' motion read
    every 3rd frame is about the full rate's (not 3 times it: the threshold needs no scaling)."""
    from actlm import data as datasets
    from actlm.engine.checkpoint import load_checkpoint
    from actlm.timeline import score_windows

    model, meta = load_checkpoint(Path(__file__).parents[1] / "actlm" / "checkpoints" / "nw-ucla-joint")
    sample = datasets.load("nw-ucla", split="test")[0]
    data = np.asarray(sample.data[:1], np.float32)
    windows = Windows.for_model(meta.test_pipeline)
    full = score_windows(model, meta.test_pipeline, meta.layout, data, windows)
    reduced = score_windows(model, meta.test_pipeline, meta.layout, data[:, ::3], windows.in_pose_frames(3))
    ratio = np.median(reduced.motion) / np.median(full.motion)
    assert 0.5 < ratio < 1.5, ratio
