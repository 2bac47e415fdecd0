"""Several trainings of one recipe, read as one model (``build_model("seed-ensemble", members=[...])``).

Two runs of the same recipe that differ only in their seed disagree on the clips near a class
boundary; averaging their class probabilities is the cheapest accuracy a shipped model can buy
(the general model: merged test top-1 94.1 / 93.7 % for its two seeds, 95.0 % averaged; NW-UCLA
88.6 / 87.9 -> 90.9 %; experiments/results/general.md) and it steadies verdicts that swing with the
seed (a real clip at 14 % under one seed and 58 % under the other). A member may also read another
stream of the same input (``stream="bone"``: HGLNet computes the bone vectors from the joints it is
given), the multi-stream ensemble of 2s-AGCN and PySKL with one input for all members.

The ensemble answers every question the rest of actlm asks a model, the same way for one member:

- ``forward(x)``: the log of the members' mean class probability, so a softmax downstream (predict,
  explain, attribution, the timeline) sees exactly that mean;
- ``forward_features(x)``: the members' pooled features, each L2-normalised, side by side and scaled
  by 1/sqrt(M): the cosine of two such vectors is the mean of the members' cosines (what the
  open-set neighbours compare);
- ``embed`` / ``text_projection`` / ``class_text`` / ``logit_scale`` (when the members are
  skeleton-language models): the same construction in the skeleton-text space, so open-vocabulary
  scores are the mean of the members' cosines times the members' mean scale.

Weights are one safetensors file (``members.0.*``, ``members.1.*``, ...); config.json lists each
member's model name and arguments.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

#: arguments every member must share: the input the ensemble takes and the classes it answers
SHARED_ARGS = ("num_classes", "layout", "in_channels", "num_persons")


class SeedEnsemble(nn.Module):
    """The mean of several models' class probabilities (see the module docstring).

    ``members``: one ``{"name": ..., "args": {...}}`` per member, as a checkpoint's ``model`` entry.
    ``shared``: copies of the members' common arguments (``num_persons``, ``in_channels``, ...) kept in
    the ensemble's own arguments for the code that reads them from a checkpoint's config; each must
    equal every member's value."""

    def __init__(self, members: Sequence[dict[str, Any]], **shared: Any):
        super().__init__()
        from . import build_model

        if len(members) < 2:
            raise ValueError(f"an ensemble needs at least 2 members, got {len(members)}")
        unknown = sorted(set(shared) - set(SHARED_ARGS))
        if unknown:
            raise ValueError(f"unexpected argument(s) {', '.join(unknown)}; an ensemble takes members and "
                             f"copies of {', '.join(SHARED_ARGS)}")
        for key in SHARED_ARGS:
            values = {repr(m["args"].get(key)) for m in members} | ({repr(shared[key])} if key in shared else set())
            if len(values) > 1:
                raise ValueError(f"members disagree on {key}: {', '.join(sorted(values))}")
        self.members = nn.ModuleList(build_model(m["name"], **m["args"]) for m in members)
        self.part_alignment = False

    # -- what the model is ------------------------------------------------------------------------
    @property
    def num_classes(self) -> int:
        return self.members[0].num_classes

    @property
    def num_joints(self) -> int:
        return self.members[0].num_joints

    @property
    def layout_name(self) -> str:
        return self.members[0].layout_name

    # -- classification ---------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Log of the members' mean class probability (N, K): its softmax is that mean. Being
        log-probabilities, these are no logits for scores built on their size (max logit, energy:
        logsumexp is 0 here); :meth:`member_logits` gives the members' own."""
        log_probs = F.log_softmax(self.member_logits(x), dim=-1)
        return torch.logsumexp(log_probs, dim=0) - math.log(len(self.members))

    def member_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Each member's classifier logits (M, N, K)."""
        return torch.stack([m(x) for m in self.members])

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Members' pooled features, each L2-normalised, side by side, over sqrt(M) (N, sum D)."""
        return self._side_by_side([getattr(m, "encoder", m).forward_features(x) for m in self.members])

    def _side_by_side(self, parts: list[torch.Tensor]) -> torch.Tensor:
        return torch.cat([F.normalize(p, dim=-1) for p in parts], dim=-1) / math.sqrt(len(parts))

    # -- the skeleton-text space (members that are skeleton-language models) ----------------------
    def _language_members(self) -> nn.ModuleList:
        if not all(hasattr(m, "embed") and hasattr(m, "text_projection") for m in self.members):
            raise ValueError("this ensemble's members have no skeleton-text space (not skeleton-language models)")
        return self.members

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Skeleton embedding (N, M x E), unit length: cosines with :meth:`text_projection` are the
        mean of the members' cosines."""
        return self._side_by_side([m.embed(x) for m in self._language_members()])

    def text_projection(self, text: torch.Tensor) -> torch.Tensor:
        """Text embeddings (..., Dt) projected by every member, side by side (..., M x E), unit length."""
        return self._side_by_side([m.text_projection(text) for m in self._language_members()])

    @property
    def class_text(self) -> torch.Tensor:
        """The class descriptions' text embeddings the members were trained with (all share them)."""
        return self._language_members()[0].class_text

    @property
    def logit_scale(self) -> torch.Tensor:
        """Log of the members' mean similarity scale."""
        scales = torch.stack([m.logit_scale.exp() for m in self._language_members()])
        return scales.mean().log()

    def text_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Classification by similarity to the class descriptions (as a member's ``text_logits``)."""
        classes = F.normalize(self.text_projection(self.class_text), dim=-1)
        return self.logit_scale.exp() * self.embed(x) @ classes.t()

    def text_matcher(self) -> nn.Module:
        """This ensemble as a classifier by class-description similarity (``actlm eval --text-match``)."""
        self._language_members()
        return _TextLogits(self)


class _TextLogits(nn.Module):
    """An ensemble whose forward is its ``text_logits`` (as ``actlm.language.slm.TextMatcher`` for one
    HocSLM; the encoders do not import the language layer)."""

    def __init__(self, model: SeedEnsemble):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.text_logits(x)


def ensemble_args(members: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``model.args`` of an ensemble checkpoint: its members and copies of their shared arguments."""
    first = members[0]["args"]
    return {"members": [{"name": m["name"], "args": dict(m["args"])} for m in members],
            **{k: first[k] for k in SHARED_ARGS if k in first}}
