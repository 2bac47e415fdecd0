"""Is an explanation true of the sample? Claims in the text vs the sample's measured kinematic facts.

A claim is a motion found in the explanation through a small lexicon ("raises the right hand at
the end" -> raise, side right, phase end), clause by clause: ``side`` is right/left/both (None for
whole-body motions or when the clause names no side), ``phase`` start/middle/end when the clause
says when (None otherwise). A claim is *supported* when the sample's measured facts contain that
motion
- on the claimed side: 'right'/'left' by a fact on that side or on both; 'both' by a 'both' fact
  or by facts on the right and on the left; a side named for a fact that has none is not supported;
- at the claimed time: the fact's time extent (its peak when it has none) overlaps that third of
  the sequence.
Faithfulness of an explanation = supported claims / claims (precision); ``recall`` = measured
facts mentioned / measured facts. Explanations that make no checkable claim score None (reported
separately). Clauses that state an absence ("nothing like 'raises both hands' was measured") are
not motion claims; the explainer only writes them for motions its measurement did not find.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .facts import Fact

LEXICON: dict[str, str] = {
    "raise": r"\braise[sd]?\b|\brises?\b(?! from)|\blift",
    "lower": r"\blowers? (?:the|both) (?:right |left )?(?:hand|arm)s?|\bhand lowers\b|\bhands lower\b",
    "wave": r"\bwav(?:e|es|ing)\b",
    "reach_forward": r"\bstretch|\breach(?:es)? forward|\bextends?\b",
    "reach_down": r"\breach(?:es)? down|\btowards the floor\b",
    "touch_head": r"\bto the head\b",
    "hands_together": r"\bhands together\b|\bhands come together\b",
    "swing": r"\bswings?\b",
    "bend": r"\bbends? (?:the upper body|forward)|\btorso bends\b",
    "lean_back": r"\bleans? (?:the upper body )?back",
    "squat": r"\bbends? the knees\b|\bknees bend\b|\bsquat|\bcrouch",
    "sit_down": r"\bsit(?:s|ting)? down\b|\bstays down\b|\blowers to sit\b",
    "stand_up": r"\brises from a low position\b|\bstand(?:s|ing)? up\b|\brises to stand\b",
    "walk": r"\bwalk",
    "turn": r"\bturns?\b",
    "approach": r"\bapproach|\btowards each other\b",
    "depart": r"\bmove apart\b",
}
_NEGATED = re.compile(r"\bnothing like\b|\bno movement\b|\bno motion\b")
#: 'Tracking: ... .' sentences say what the input cannot support (a decimal point does not end one):
#: they state no motion.
_TRACKING = re.compile(r"\btracking:.*?(?<!\d)\.(?!\d)")
#: '(its vocabulary: raise, reach, ...)' names the motions the detector knows; it states none.
_VOCABULARY = re.compile(r"\(its vocabulary:[^)]*\)")
_SIDE = re.compile(r"\b(right|left|both)\b")
#: When a clause says a motion happens: the phase names :class:`~actlm.explain.facts.Fact` uses and
#: their common paraphrases, with the third of the sequence each names.
_PHASES: dict[str, tuple[re.Pattern, tuple[float, float]]] = {
    "start": (re.compile(r"\bat the (?:start|beginning)\b|\bearly (?:in|on)\b|\bin the first\b"), (0.0, 0.34)),
    "middle": (re.compile(r"\bin the middle\b|\bmidway\b|\bhalfway\b"), (0.34, 0.67)),
    "end": (re.compile(r"\bat the end\b|\blate in\b|\btowards the end\b|\bin the last\b|\bfinally\b"), (0.67, 1.0)),
}


@dataclass(frozen=True)
class Claim:
    """A motion a clause states, with the side and the time it names (None: not named)."""

    motion: str
    side: str | None = None
    phase: str | None = None


def _clauses(text: str) -> list[str]:
    text = _VOCABULARY.sub(" ", text)
    return re.split(r",|;|\bthen\b|\band\b|\.", _TRACKING.sub(" ", text.lower()))


def stated_claims(text: str) -> list[Claim]:
    """Every claim an explanation makes, clause by clause (absences are not claims)."""
    out = set()
    for clause in _clauses(text):
        if _NEGATED.search(clause):      # 'nothing like ... was measured' states an absence, not a motion
            continue
        side = _SIDE.search(clause)
        phase = next((name for name, (pattern, _) in _PHASES.items() if pattern.search(clause)), None)
        for motion, pattern in LEXICON.items():
            if re.search(pattern, clause):
                out.add(Claim(motion, side.group(1) if side else None, phase))
    return sorted(out, key=str)


def claims(text: str) -> list[tuple[str, str | None]]:
    """(motion, side) pairs an explanation states, clause by clause."""
    return sorted({(c.motion, c.side) for c in stated_claims(text)}, key=str)


def fact_side(f: Fact) -> str | None:
    for side in ("right", "left", "both"):
        if f.part.startswith(side):
            return side
    return None


def _at(f: Fact, phase: str | None) -> bool:
    """Does the fact happen in the named third of the sequence (its extent, else its peak)?"""
    if phase is None:
        return True
    lo, hi = _PHASES[phase][1]
    start, end = getattr(f, "start", None), getattr(f, "end", None)
    start = f.time if start is None else start
    end = f.time if end is None else end
    return end >= lo and (start < hi or phase == "end")


def supported(claim: Claim, facts: list[Fact]) -> bool:
    """Is the claim measured: that motion, on the claimed side, at the claimed time?"""
    sides = {fact_side(f) for f in facts if f.motion == claim.motion and _at(f, claim.phase)}
    if claim.side is None:
        return bool(sides)
    if claim.side == "both":
        return "both" in sides or {"right", "left"} <= sides
    return claim.side in sides or "both" in sides


def faithfulness(text: str, facts: list[Fact]) -> dict[str, float | int | None]:
    stated = stated_claims(text)
    measured = [f for f in facts if f.motion != "still"]
    n_supported = sum(supported(c, facts) for c in stated)
    mentioned = sum(any(c.motion == f.motion for c in stated) for f in measured)
    return {"claims": len(stated), "supported": n_supported,
            "precision": n_supported / len(stated) if stated else None,
            "recall": mentioned / len(measured) if measured else None}


def distinctness(texts: list[str], labels: list[int]) -> dict[str, float]:
    """Jaccard similarity of claim sets within vs across classes, and the share of different-class
    pairs whose explanations differ (a model that says the same thing for everything scores 0)."""
    sets = [set(claims(t)) for t in texts]
    within, across, differ = [], [], []
    for i, j in combinations(range(len(texts)), 2):
        union = sets[i] | sets[j]
        sim = len(sets[i] & sets[j]) / len(union) if union else 1.0
        if labels[i] == labels[j]:
            within.append(sim)
        else:
            across.append(sim)
            differ.append(texts[i].strip() != texts[j].strip())
    return {"within_class_similarity": float(np.mean(within)) if within else None,
            "across_class_similarity": float(np.mean(across)) if across else None,
            "different_class_pairs_that_differ": float(np.mean(differ)) if differ else None}
