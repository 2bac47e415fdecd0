"""Exponential moving average (EMA) of a model's weights, the copy that is evaluated and saved.

Late in a run the test accuracy of skeleton models swings by several points from one epoch to the
next (NW-UCLA: 92-94 % between neighbouring epochs); the average of the recent weights is a smoother,
often better model at no training cost. Parameters and floating buffers (BatchNorm statistics) are
averaged; integer buffers (``num_batches_tracked``) are copied.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from .checkpoint import unwrap


class WeightEMA:
    """``ema = d * ema + (1 - d) * weights`` after every optimiser step.

    The decay ramps up as ``min(decay, (1 + step) / (10 + step))`` so that the first steps, whose
    random-init weights are worth nothing, are forgotten quickly (as in timm and TF's EMA). The ramp
    depends only on the global step, so a resumed run continues the same average.
    """

    def __init__(self, model: nn.Module, decay: float):
        self.decay = decay
        self.model = copy.deepcopy(unwrap(model))
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    def decay_at(self, step: int) -> float:
        return min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, model: nn.Module, step: int) -> None:
        """Fold the weights after optimiser step number ``step`` (1-based) into the average."""
        keep = self.decay_at(step)
        current = unwrap(model).state_dict()
        for name, avg in self.model.state_dict().items():
            if avg.is_floating_point():
                avg.lerp_(current[name].detach(), 1.0 - keep)
            else:
                avg.copy_(current[name])
