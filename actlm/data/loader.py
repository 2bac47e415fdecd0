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
    """

    def __init__(self, skeletons: SkeletonSet, pipeline: Pipeline | list[dict[str, Any]],
                 seed: int = 0, repeat: int = 1):
        self.skeletons = skeletons
        self.pipeline = pipeline if isinstance(pipeline, Pipeline) else build_pipeline(pipeline, skeletons.layout)
        self.seed = int(seed)
        self.repeat = int(repeat)
        self.epoch = 0
        self.labels = skeletons.labels

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.skeletons) * self.repeat

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, int]:
        base = i % len(self.skeletons)
        rng = np.random.default_rng([self.seed, self.epoch, i])
        x = self.pipeline(self.skeletons[base].data, rng)
        return torch.from_numpy(x), int(self.labels[base]), base
