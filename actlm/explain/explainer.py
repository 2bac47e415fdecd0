"""An explainer over a trained checkpoint: the model, its layout and classes, its class fact profile."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .contrast import PROFILE_FILE, load_fact_profile
from .errors import ExplainError
from .evidence import Evidence, check_layout, gather_evidence, usable_reading
from .text import template_explanation

#: The encoder shipped inside the package for ``actlm explain`` and the quickstart.
SHIPPED_ENCODER = "nw-ucla-joint"


def shipped_encoder() -> Path:
    """The HGLNet shipped in the package (NW-UCLA, the benchmark recipe; see its ABOUT.json)."""
    from importlib import resources

    path = Path(str(resources.files("actlm") / "checkpoints" / SHIPPED_ENCODER))
    if not (path / "config.json").exists():
        raise ExplainError(f"the shipped encoder is missing at {path}; reinstall actlm or pass --checkpoint")
    return path


class Explainer:
    """A trained encoder checkpoint + its class fact profile: ``explain(data)`` -> (Evidence, text)."""

    def __init__(self, checkpoint: str | Path):
        from ..data.transforms import build_pipeline
        from ..engine.checkpoint import load_checkpoint

        self.model, self.meta = load_checkpoint(checkpoint)
        self.layout = self.meta["layout"]
        self.classes = list(self.meta["classes"])
        self.pipeline = build_pipeline(self.meta["test_pipeline"], self.layout)
        self.profile = load_fact_profile(self.meta.path)           # the folder load_checkpoint resolved (best/ of a run)
        if self.profile is not None and self.profile["classes"] != self.classes:
            raise ExplainError(f"{self.meta.path}/{PROFILE_FILE}: its classes differ from the checkpoint's")

    def model_input(self, data: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(self.pipeline(data, np.random.default_rng(0)))[None]

    def evidence(self, data: np.ndarray, sample_id: str = "sample", label: str | None = None,
                 visibility: np.ndarray | None = None, fps: float | None = None,
                 guessed: np.ndarray | None = None) -> Evidence:
        """``visibility`` (T, V), when known (a video's, or Sample.visibility of a prepared set): joints
        below 0.5 are estimates, and no motion is stated from them. ``fps``: the sequence's frame
        rate (a video's, or Sample.fps), where known (None: 30). ``guessed`` (T, V): the source's
        per-frame flags of guessed joint positions (Sample.guessed), where it has them."""
        layout = check_layout(data, self.layout, sample_id)        # before the pipeline meets a foreign skeleton
        reading = usable_reading(data, layout, sample_id, visibility, fps, guessed=guessed)   # or NaN/one frame would reach the model
        return gather_evidence(self.model, self.model_input(data), data, layout, self.classes, sample_id,
                               self.profile, label, visibility, reading=reading, fps=fps, guessed=guessed)

    def explain(self, data: np.ndarray, sample_id: str = "sample", label: str | None = None) -> tuple[Evidence, str]:
        ev = self.evidence(data, sample_id, label)
        return ev, template_explanation(ev)
