"""How a model trains: the training loop's one contact with what differs between model families.

Per batch the loop runs ``output = model(x, **objective.batch_inputs(index))`` (through DDP when
there are several processes) and minimises ``objective.losses(output, labels).loss``; it calls
``start_epoch``/``end_epoch`` around each epoch and ``resume`` when continuing a run.
:class:`Objective` is cross-entropy on the logits, all a classifier needs. A model class that
trains with more names its own subclass in its ``training_objective`` attribute (HocSLM: the
descriptions of each sample and three language terms, ``actlm.language.slm``), so the loop never
knows the family.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..data.store import SkeletonSet
from .config import ConfigError, ExperimentConfig


@dataclass
class TrainingContext:
    """What an objective may need of the run."""

    cfg: ExperimentConfig
    train_set: SkeletonSet
    device: torch.device
    run_dir: Path
    is_main: bool = True                              # the process that writes files and logs
    barrier: Callable[[], None] = lambda: None        # waits for every process (DDP)


@dataclass
class StepLosses:
    """One training step: the logits (for accuracy), the loss minimised, and its terms to log."""

    logits: torch.Tensor
    loss: torch.Tensor
    terms: dict[str, torch.Tensor] = field(default_factory=dict)   # logged per epoch as loss_<name>


class Objective:
    """Cross-entropy (with the config's label smoothing) on the logits the model returns."""

    reads_language = False   # whether the config's ``language`` section is this objective's to use

    def __init__(self, model: nn.Module, ctx: TrainingContext):
        cfg = ctx.cfg
        if cfg.language is not None and not self.reads_language:
            raise ConfigError(f"the language section trains a skeleton-language model: set model.name=hocslm "
                              f"(model {cfg.model.name!r} has no language heads)")
        self.label_smoothing = cfg.optim.label_smoothing

    def parameter_groups(self) -> list[dict[str, Any]]:
        """Optimizer groups beyond the model's (``lr_scale`` scales the learning rate of one)."""
        return []

    def batch_inputs(self, index: torch.Tensor) -> dict[str, Any]:
        """Keyword inputs of the model's training forward for the samples at dataset positions ``index``."""
        return {}

    def losses(self, output: Any, labels: torch.Tensor) -> StepLosses:
        return StepLosses(output, F.cross_entropy(output, labels, label_smoothing=self.label_smoothing))

    def start_epoch(self) -> None:
        pass

    def end_epoch(self, model: nn.Module) -> None:
        """After an epoch's steps; ``model`` is the unwrapped trained model."""

    def resume(self, run_dir: Path) -> None:
        """Restore what the objective saved in ``run_dir`` when a run continues."""


def objective_for(model: nn.Module, ctx: TrainingContext) -> Objective:
    """The model's own training objective, or plain cross-entropy."""
    return getattr(type(model), "training_objective", Objective)(model, ctx)
