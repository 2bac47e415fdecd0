"""experiments/timeline_pose_step.py: labels of pose frames carried to every video frame."""
from __future__ import annotations

import numpy as np

from experiments.timeline_pose_step import timeline_at_step, video_labels


def test_each_pose_frame_labels_its_step_video_frames():
    assert video_labels(np.array([1, 2, 3]), 3, 8).tolist() == [1, 1, 1, 2, 2, 2, 3, 3]
    assert video_labels(np.array([4, 5]), 1, 2).tolist() == [4, 5]


def test_a_stream_read_every_third_frame_is_labelled_on_all_its_frames():
    from actlm.engine.checkpoint import load_checkpoint
    from actlm.pipeline import default_checkpoint
    from actlm.timeline import stored_settings

    model, meta = load_checkpoint(default_checkpoint())
    t = np.arange(100, dtype=np.float32)
    data = np.random.default_rng(0).normal(0, 0.1, (1, 100, 13, 3)).astype(np.float32) + t[None, :, None, None] / 100
    labels, windows = timeline_at_step(model, meta, data, 3, stored_settings(meta))
    assert labels.shape == (100,) and windows == len(range(0, 34 - 11 + 1, 3)) + 1        # 34 pose frames
