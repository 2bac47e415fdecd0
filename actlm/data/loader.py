"""PyTorch view of a prepared dataset: a transform pipeline applied with seeded randomness."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from .store import SkeletonSet
from .transforms import Pipeline, build_pipeline


class SkeletonDataset(Dataset):
    """Items are ``(x, label, index)`` with ``x`` a float32 tensor (M, T, V, C).

    The random generator of item ``i`` in epoch ``e`` is seeded from ``(seed, e, i)``, so an
    epoch's augmentations are the same whatever the number of workers or processes, and a
    resumed run sees exactly the data the interrupted one would have seen.

    ``clips > 1`` (test-time augmentation, PySKL's ``num_clips``): ``x`` is (clips, M, T, V, C),
    ``clips`` copies of the sequence drawn through the pipeline, copy ``c`` seeded from
    ``(seed, e, i, c)``; :func:`actlm.engine.trainer.predict` averages their probabilities.
    """

    def __init__(self, skeletons: SkeletonSet, pipeline: Pipeline | list[dict[str, Any]],
                 seed: int = 0, repeat: int = 1, clips: int = 1):
        self.skeletons = skeletons
        self.pipeline = pipeline if isinstance(pipeline, Pipeline) else build_pipeline(pipeline, skeletons.layout)
        self.seed = int(seed)
        self.repeat = int(repeat)
        if int(clips) < 1:
            raise ValueError(f"clips must be >= 1, got {clips}")
        self.clips = int(clips)
        self.epoch = 0
        self.labels = skeletons.labels

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.skeletons) * self.repeat

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, int]:
        base = i % len(self.skeletons)
        data = self.skeletons[base].data
        if self.clips == 1:
            x = self.pipeline(data, np.random.default_rng([self.seed, self.epoch, i]))
        else:
            x = np.stack([self.pipeline(data, np.random.default_rng([self.seed, self.epoch, i, c]))
                          for c in range(self.clips)])
        return torch.from_numpy(x), int(self.labels[base]), base
