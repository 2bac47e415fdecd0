"""Is an explanation true of the sample? Claims in the text vs the sample's measured kinematic facts.

A claim is a (motion, side) pair found in the explanation through a small lexicon ("raises the
right hand" -> (raise, right)); side is right/left/both or None for whole-body motions. A claim
is *supported* when the sample's measured facts contain that motion on a compatible side
(``both`` supports left and right; a claim without side matches any side). Faithfulness of an
explanation = supported claims / claims (precision); ``recall`` = measured facts mentioned /
measured facts. Explanations that make no checkable claim score None (reported separately).
Clauses that state an absence ("nothing like 'raises both hands' was measured") are not motion
claims; the explainer only writes them for motions its measurement did not find.
"""
from __future__ import annotations

import re
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
_NEGATED = re.compile(r"\bnothing like\b|\bno movement\b")
_SIDE = re.compile(r"\b(right|left|both)\b")


def claims(text: str) -> list[tuple[str, str | None]]:
    """(motion, side) pairs an explanation states, clause by clause."""
    out = []
    for clause in re.split(r",|;|\bthen\b|\band\b|\.", text.lower()):
        if _NEGATED.search(clause):      # 'nothing like ... was measured' states an absence, not a motion
            continue
        for motion, pattern in LEXICON.items():
            if re.search(pattern, clause):
                side = _SIDE.search(clause)
                out.append((motion, side.group(1) if side else None))
    return sorted(set(out), key=str)


def fact_side(f: Fact) -> str | None:
    for side in ("right", "left", "both"):
        if f.part.startswith(side):
            return side
    return None


def _supported(claim: tuple[str, str | None], facts: list[Fact]) -> bool:
    motion, side = claim
    for f in facts:
        if f.motion != motion:
            continue
        fs = fact_side(f)
        if side is None or fs is None or fs == side or "both" in (fs, side):
            return True
    return False


def faithfulness(text: str, facts: list[Fact]) -> dict[str, float | int | None]:
    stated = claims(text)
    measured = [f for f in facts if f.motion != "still"]
    supported = sum(_supported(c, facts) for c in stated)
    mentioned = sum(any(c[0] == f.motion for c in stated) for f in measured)
    return {"claims": len(stated), "supported": supported,
            "precision": supported / len(stated) if stated else None,
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
