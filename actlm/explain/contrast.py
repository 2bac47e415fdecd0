"""Why not the runner-up: class fact profiles (how often each measured motion occurs in each
class's training sequences) and the contrastive cue drawn from them."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .claims import fact_side
from .errors import ExplainError
from .facts import Fact, kinematic_facts

PROFILE_FILE = "fact_profile.json"
#: A cue must separate the two classes' training sequences by at least this share.
CUE_GAP = 0.2


def fact_key(f: Fact) -> str:
    side = fact_side(f)
    return f"{f.motion}:{side}" if side else f.motion


def _keys_with_sides(f: Fact) -> set[str]:
    """A 'both hands' fact also counts as each side; a one-sided fact as the motion without side."""
    key = fact_key(f)
    keys = {key, f.motion}
    if key.endswith(":both"):
        keys |= {f"{f.motion}:right", f"{f.motion}:left"}
    return keys


def build_fact_profile(samples: Iterable[tuple[np.ndarray, int]], classes: list[str], layout: str) -> dict[str, Any]:
    """For every class, the share of its sequences in which each fact key was measured, and one
    measured wording per key (used to name a motion the sample lacks)."""
    counts = {c: Counter() for c in classes}
    totals = Counter()
    wording: dict[str, str] = {}
    for data, label in samples:
        try:
            facts = kinematic_facts(data, layout, max_facts=12)
        except ValueError:
            continue
        cls = classes[label]
        totals[cls] += 1
        keys = set()
        for f in facts:
            keys |= _keys_with_sides(f)
            wording.setdefault(fact_key(f), _generic_wording(f))
        counts[cls].update(keys)
    share = {c: {k: round(n / totals[c], 3) for k, n in sorted(counts[c].items())} for c in classes if totals[c]}
    return {"kind": "actlm-fact-profile", "layout": layout, "classes": classes, "sequences": dict(totals),
            "share": share, "wording": wording}


def _generic_wording(f: Fact) -> str:
    """A fact's text without its sample-specific numbers (for naming a motion that is absent)."""
    text = re.sub(r",? (?:by )?about \d+ (?:degrees|body lengths)", "", f.text)
    return re.sub(r",? covering about \d+ body lengths", "", text)


def load_fact_profile(folder: str | Path) -> dict[str, Any] | None:
    path = Path(folder) / PROFILE_FILE
    if not path.is_file():
        return None
    profile = json.loads(path.read_text())
    if profile.get("kind") != "actlm-fact-profile":
        raise ExplainError(f"{path}: not an actlm fact profile (kind={profile.get('kind')!r})")
    return profile


def contrastive_cue(facts: list[Fact], top: str, runner: str, profile: dict[str, Any] | None) -> tuple[str | None, dict | None]:
    """The measured fact (or measured absence) that best separates ``top`` from ``runner`` in the
    training data; None when nothing separates them by at least :data:`CUE_GAP`."""
    if not profile or top not in profile["share"] or runner not in profile["share"]:
        return None, None
    p_top, p_run = profile["share"][top], profile["share"][runner]
    present = {fact_key(f): f for f in facts if f.motion != "still"}
    best, best_gap = None, CUE_GAP
    for key, f in present.items():
        gap = p_top.get(key, 0.0) - p_run.get(key, 0.0)
        if gap >= best_gap:
            best, best_gap = ("present", key, f), gap
    measured = set().union(*(_keys_with_sides(f) for f in facts)) if facts else set()
    for key, share in p_run.items():
        if ":" not in key or key in measured:
            continue
        gap = share - p_top.get(key, 0.0)
        if gap > best_gap and key in profile["wording"]:
            best, best_gap = ("absent", key, None), gap
    if best is None:
        return None, None
    kind, key, f = best
    info = {"kind": kind, "key": key, "share_top": p_top.get(key, 0.0), "share_runner_up": p_run.get(key, 0.0)}
    if kind == "present":
        text = (f"the person {f.text}, which {info['share_top']:.0%} of '{top}' training sequences show "
                f"and only {info['share_runner_up']:.0%} of '{runner}'")
    else:
        text = (f"nothing like '{profile['wording'][key]}' was measured, which {info['share_runner_up']:.0%} "
                f"of '{runner}' training sequences show and {info['share_top']:.0%} of '{top}'")
    return text, info


