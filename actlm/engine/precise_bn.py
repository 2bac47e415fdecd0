"""Recompute BatchNorm statistics of a trained model from data ("precise BN").

During training every BatchNorm keeps a running average of its batches' statistics with momentum
0.1, so the statistics a checkpoint carries are dominated by its last ~20 training batches, each
drawn through the random augmentation (rotations up to 60 degrees on NW-UCLA). Recomputing them as
the plain average over many batches removes that noise; recomputing them from training data drawn
through the *test* pipeline (no augmentation) makes them describe the inputs the model will see at
test time. Neither touches the weights, and only training data is used.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from .checkpoint import CheckpointMeta


def batchnorm_layers(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, batches: Iterable, device: torch.device | str = "cpu",
                          max_batches: int | None = None) -> int:
    """Replace the running mean and variance of every BatchNorm in ``model`` by their average over
    ``batches`` (items ``(x, ...)`` as a DataLoader yields them); returns the number of batches used.

    Each batch is normalised with its own statistics, as in training, and every batch counts the
    same (``momentum=None``), so use the training batch size. Dropout stays off. The model is left
    in eval mode with its weights untouched.
    """
    layers = batchnorm_layers(model)
    if not layers:
        return 0
    momenta = [bn.momentum for bn in layers]
    model.eval()
    for bn in layers:
        bn.reset_running_stats()
        bn.momentum = None
        bn.train()
    used = 0
    try:
        for batch in batches:
            if max_batches is not None and used >= max_batches:
                break
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            model(x.to(device))
            used += 1
    finally:
        for bn, momentum in zip(layers, momenta):
            bn.momentum = momentum
        model.eval()
    if used == 0:
        raise ValueError("recalibrate_batchnorm: no batches to compute statistics from")
    return used


def recalibrate_from_training_split(model: nn.Module, meta: CheckpointMeta, mode: str = "train", seed: int = 0) -> int:
    """Recompute a loaded checkpoint's statistics (``meta`` from :func:`load_checkpoint`) over its run's
    training split, drawn through the run's training pipeline (``train``) or its test pipeline
    (``plain``), in the run's batch size and a shuffle order fixed by ``seed``."""
    from ..data import load
    from ..data.loader import SkeletonDataset

    if mode not in ("train", "plain"):
        raise ValueError(f"precise BN mode must be 'train' or 'plain', got {mode!r}")
    data, train = meta.data_config, meta.experiment.get("train") or {}
    if not data:
        raise ValueError("recomputing BatchNorm statistics needs the training config, which this checkpoint "
                         "does not record")
    train_set = load(data["dataset"], split=data["train_split"], data_root_dir=data.get("data_root"))
    pipeline = data["train_pipeline"] if mode == "train" else meta.test_pipeline
    return recalibrate_over(model, SkeletonDataset(train_set, pipeline, seed=train.get("seed", 0)),
                            train.get("batch_size", 16), seed)


def recalibrate_over(model: nn.Module, dataset, batch_size: int, seed: int = 0) -> int:
    """:func:`recalibrate_batchnorm` over ``dataset`` in full shuffled batches, the order fixed by
    ``seed`` (the same statistics every time)."""
    from torch.utils.data import DataLoader

    batches = DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                         generator=torch.Generator().manual_seed(seed))
    return recalibrate_batchnorm(model, batches, next(model.parameters()).device)
