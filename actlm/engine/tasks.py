"""Training tasks: what ``actlm.engine.train(cfg)`` runs for a config.

The engine's own loop trains classifiers (task ``classify``, registered by ``trainer.py``). A
package with a loop of its own registers it here (the LM reasoner registers ``reasoner``), so the
engine dispatches to it without importing it: imports point down, never up. ``import actlm``
registers the built-in tasks.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .config import ConfigError, ExperimentConfig
from .rundir import claim_run_dir

Fit = Callable[[ExperimentConfig, "str | Path | None"], dict[str, Any]]

_TASKS: dict[str, Fit] = {}


def register_task(name: str, fit: Fit) -> None:
    """Make configs of task ``name`` train with ``fit(cfg, resume)``."""
    _TASKS[name] = fit


def task_of(cfg: ExperimentConfig) -> str:
    """The task a config asks for: its ``reasoner`` section makes it a reasoner run."""
    return "reasoner" if cfg.reasoner is not None else "classify"


def run_task(cfg: ExperimentConfig, resume: str | Path | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Train ``cfg`` with its task's loop; returns that loop's test report.

    The run directory is held for the whole training (``rundir.py``): a second training into it
    is refused, and so is a fresh run over a finished or started one unless ``overwrite``."""
    name = task_of(cfg)
    if name not in _TASKS:
        raise ConfigError(f"no training loop is registered for the {name!r} task (known: {', '.join(_TASKS)}); "
                          f"`import actlm` registers the built-in ones")
    with claim_run_dir(cfg.run_dir, resume, overwrite):
        return _TASKS[name](cfg, resume)
