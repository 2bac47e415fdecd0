"""Grounded explanations: what the model used, what was measured there, and why not the runner-up.

An explanation is built from evidence, never the other way round:

1. **What the model used.** Each body part of the layout is frozen at its first-frame position
   (its motion removed), one at a time, in one batched forward pass; the drop of the predicted
   class's logit is that part's share. The part with the largest share (and a second one when
   it is nearly as large) is what the model used. Freezing each of eight time windows the same way gives the span.
   Occlusion is used rather than gradient x input because it measures the effect it reports
   (gradient x input, tried first, ranked joints barely better than random on NW-UCLA).
2. **What was measured there.** The sample's kinematic facts (``explain.facts``: thresholds
   in body units, numbers measured on this sample) about those parts are the facts the
   explanation cites.
3. **Why not the runner-up.** When the runner-up class is close, the cue is a measured fact of
   this sample that separates the two classes in the training data (a class *fact profile*: how
   often each motion occurs in each class's training sequences), or a motion the runner-up
   usually shows that was *not* measured here; and the part whose freezing narrows the margin
   between the two logits most.
4. **Verification.** :func:`verify` drops every clause of a text whose claims the sample's
   measurements do not support or whose numbers do not occur in them; the template text passes
   by construction, a language model's text (:func:`write_with_lm`) is filtered by it, so no
   unsupported claim reaches the user.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..data.layouts import Layout, get_layout
from .attribution import occlude, used_parts
from .contrast import PROFILE_FILE, contrastive_cue, load_fact_profile
from .errors import ExplainError
from .facts import Fact, kinematic_facts
from .verify import join_words

#: The body parts a measured fact is about (its ``part``), as the layouts' body-part groups.
FACT_PARTS: dict[str, tuple[str, ...]] = {
    "right_hand": ("right_hand", "right_arm"), "right_arm": ("right_arm", "right_hand"),
    "left_hand": ("left_hand", "left_arm"), "left_arm": ("left_arm", "left_hand"),
    "both_hands": ("right_hand", "left_hand", "right_arm", "left_arm"),
    "both_arms": ("right_arm", "left_arm", "right_hand", "left_hand"),
    "torso": ("torso", "head"), "legs": ("left_leg", "right_leg", "feet"),
    "body": ("torso", "left_leg", "right_leg"), "people": (),
}
#: The encoder shipped inside the package for ``actlm explain`` and the quickstart.
SHIPPED_ENCODER = "nw-ucla-joint"
#: A runner-up with at least this probability makes a close call that gets a contrastive cue.
CLOSE_CALL = 0.1
#: classes of the model's ranking kept in the evidence (and shown to the reasoner)
RANKED = 3

@dataclass
class Evidence:
    """Everything an explanation may say, each item measured on the sample or the model."""

    sample_id: str
    action: str
    confidence: float
    runner_up: str
    runner_up_confidence: float
    parts: dict[str, float]                   # share of the logit drop when each body part is frozen
    used_parts: list[str]                     # the parts the model relied on most
    span: tuple[float, float]                 # normalised time [start, end) holding half the drop
    facts: list[Fact]                         # all measured facts of the sample
    cited: list[Fact]                         # the facts about the used parts
    contrast_parts: dict[str, float] = field(default_factory=dict)   # where the top - runner-up margin comes from
    cue: str | None = None                    # the separating cue (a verified sentence), if any
    cue_fact: dict[str, Any] | None = None    # what the cue rests on: key, present?, class shares
    label: str | None = None
    ranking: dict[str, float] = field(default_factory=dict)         # the model's top classes, probabilities

    @property
    def close_call(self) -> bool:
        return self.runner_up_confidence >= CLOSE_CALL

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["facts"] = [f.as_dict() for f in self.facts]
        d["cited"] = [f.as_dict() for f in self.cited]
        d["close_call"] = self.close_call
        return d


def cite(facts: list[Fact], used: list[str], when: float, most: int = 3) -> list[Fact]:
    """The measured facts about the used parts, at most ``most``, those nearest in time to the
    span the model used first; returned in temporal order."""
    about = [f for f in facts if f.motion != "still" and set(FACT_PARTS.get(f.part, ())) & set(used)]
    nearest = sorted(about, key=lambda f: abs(f.time - when))[:most]
    return sorted(nearest, key=lambda f: f.time)


# --- the whole evidence ---------------------------------------------------------------------
def check_layout(data: np.ndarray, layout: str | Layout, sample_id: str) -> Layout:
    """The layout, once ``data`` (M, T, V, C) is known to fit it; else a clear ExplainError."""
    layout = get_layout(layout)
    if data.ndim != 4 or data.shape[2] != layout.num_joints:
        raise ExplainError(f"{sample_id}: the skeleton has shape {tuple(data.shape)}, the model's layout "
                           f"{layout.name} expects (persons, frames, {layout.num_joints}, channels)")
    return layout


def gather_evidence(model: torch.nn.Module, x: torch.Tensor, data: np.ndarray, layout: str | Layout,
                    classes: list[str], sample_id: str = "sample", profile: dict[str, Any] | None = None,
                    label: str | None = None) -> Evidence:
    """Evidence for the model's decision on one sample: ``x`` its model input (1, C, T, V, M),
    ``data`` the raw sequence (M, T, V, C) the facts are measured on."""
    layout = check_layout(data, layout, sample_id)
    try:
        facts = kinematic_facts(data, layout, max_facts=8)
    except ValueError as exc:
        raise ExplainError(f"{sample_id}: cannot measure its motion ({exc})") from None
    occ = occlude(model, x, layout)
    probs = torch.from_numpy(occ.logits).softmax(0).numpy()
    order = np.argsort(-probs)
    top, runner = int(order[0]), int(order[1])
    shares = occ.part_shares(top)
    used = used_parts(shares)
    start, end = occ.span(top)
    cited = cite(facts, used, (start / occ.frames + end / occ.frames) / 2)
    ev = Evidence(sample_id, classes[top], float(probs[top]), classes[runner], float(probs[runner]), shares, used,
                  (round(start / occ.frames, 3), round(end / occ.frames, 3)), facts, cited, label=label,
                  ranking={classes[int(i)]: round(float(probs[i]), 4) for i in order[:RANKED]})
    if ev.close_call:
        ev.contrast_parts = occ.part_shares(top, against=runner)
        ev.cue, ev.cue_fact = contrastive_cue(facts, ev.action, ev.runner_up, profile)
    return ev


# --- 4. text and its verification -----------------------------------------------------------
def _span_words(span: tuple[float, float]) -> str:
    start, end = span
    if end - start > 0.7:
        return "over the whole sequence"
    middle = (start + end) / 2
    part = "early in" if middle < 0.34 else "in the middle of" if middle < 0.67 else "late in"
    return f"{part} the sequence ({start:.0%}-{end:.0%} of it)"


def _names(parts: list[str]) -> list[str]:
    return [p.replace("_", " ") for p in parts]


def measured_sentence(ev: Evidence) -> str:
    """The cited facts (or, if none, what the used parts did not do), as one sentence."""
    if ev.cited:
        return f"Measured there: {cited_facts_sentence(ev)}"
    moving = [f for f in ev.facts if f.motion != "still"]
    if not moving:
        return "No movement above the measurement thresholds was found; the decision rests on the posture."
    if not ev.used_parts:
        return f"Measured: the person {join_words([f.text for f in moving[:3]])}."
    return (f"No movement of the {join_words(_names(ev.used_parts))} passed the measurement thresholds; elsewhere "
            f"the person {join_words([f.text for f in moving[:2]])}.")


def _fact_words(f: Fact) -> str:
    return f.text if f.motion == "walk" else f"{f.text} {f.phase}"    # walks span the clip


def cited_facts_sentence(ev: Evidence) -> str:
    """'the person <cited fact> and <cited fact>.' (empty when nothing is cited): what the
    reasoner is taught to write, and what the template says after 'Measured there:'."""
    return f"the person {join_words([_fact_words(f) for f in ev.cited])}." if ev.cited else ""


def evidence_prompt(ev: Evidence) -> str:
    """The evidence as the reasoner reads it in its prompt: the model's ranking, the parts and
    span it used, every measured movement of the sample."""
    ranking = ", ".join(f"{c} {p:.0%}" for c, p in ev.ranking.items())
    used = ", ".join(f"{n} {ev.parts[p]:.0%}" for n, p in zip(_names(ev.used_parts), ev.used_parts)) or "no single part"
    moving = [f for f in ev.facts if f.motion != "still"]
    facts = "\n".join(f"- the person {_fact_words(f)}" for f in moving) or "- no movement above the thresholds"
    return (f"Encoder ranking: {ranking}\nBody parts used: {used}, {_span_words(ev.span)}\n"
            f"Measured movements:\n{facts}")


def template_explanation(ev: Evidence) -> str:
    """The explanation written from the evidence alone (no language model): every clause is a
    measurement of this sample or of the model."""
    if not ev.used_parts:
        used_words = "no single body part (freezing any one of them leaves its score as high)"
    else:
        used_words = "the " + join_words([f"{n} ({ev.parts[p]:.0%})" for n, p in zip(_names(ev.used_parts), ev.used_parts)])
    parts = [f"{ev.action} ({ev.confidence:.0%}): the model relied most on {used_words}, "
             f"{_span_words(ev.span)}.", measured_sentence(ev)]
    if ev.close_call:
        why = f"Not {ev.runner_up} ({ev.runner_up_confidence:.0%}): "
        if ev.cue:
            parts.append(why + ev.cue + ".")
        else:
            where = (f"the margin comes mostly from the {_names([next(iter(ev.contrast_parts))])[0]} "
                     f"({next(iter(ev.contrast_parts.values())):.0%}); " if ev.contrast_parts else "")
            parts.append(why + where + "no measured motion separates the two classes.")
    return " ".join(parts)


# --- from a checkpoint ----------------------------------------------------------------------
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

    def evidence(self, data: np.ndarray, sample_id: str = "sample", label: str | None = None) -> Evidence:
        check_layout(data, self.layout, sample_id)       # before the pipeline meets a foreign skeleton
        return gather_evidence(self.model, self.model_input(data), data, self.layout, self.classes, sample_id,
                               self.profile, label)

    def explain(self, data: np.ndarray, sample_id: str = "sample", label: str | None = None) -> tuple[Evidence, str]:
        ev = self.evidence(data, sample_id, label)
        return ev, template_explanation(ev)
