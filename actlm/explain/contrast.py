"""Why not the runner-up: class fact profiles (how often each measured motion occurs in each
class's training sequences) and the contrastive cue drawn from them."""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .claims import fact_side
from .errors import ExplainError
from .facts import Fact, kinematic_facts

PROFILE_FILE = "fact_profile.json"
#: A cue must separate the two classes' training sequences by at least this share.
CUE_GAP = 0.2
#: The measured motions favour a class when they are at least twice as likely under it (naive
#: Bayes over the separating measured motions, one per motion, with the classes' training shares).
#: Absences are named but not counted: a motion the detector missed is not evidence. Over the 98
#: NW-UCLA test close calls of the shipped encoder (its shipped profile; experiments/results/contrast.md),
#: counting absences too, 'favours the runner-up' was right (the runner-up the truth) in 4 of 9 and
#: 'favours the prediction' in 21 of 23; measured motions alone: 5 of 9 and 16 of 16. 77 of the 98 get a cue.
FAVOURS = math.log(2)


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


def build_fact_profile(samples: Iterable[tuple], classes: list[str], layout: str) -> dict[str, Any]:
    """For every class, the share of its sequences in which each fact key was measured, and one
    measured wording per key (used to name a motion the sample lacks). ``samples``: (data, label)
    or (data, label, frame rate or None) each."""
    counts = {c: Counter() for c in classes}
    totals = Counter()
    wording: dict[str, str] = {}
    for data, label, *rate in samples:
        try:
            facts = kinematic_facts(data, layout, max_facts=12, fps=rate[0] if rate else None)
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


def _generic_wording(f: Fact | str) -> str:
    """A fact's text without its sample-specific numbers (for naming a motion that is absent);
    also cleans wordings stored by older profiles ('walks forward, covering')."""
    text = f.text if isinstance(f, Fact) else f
    text = re.sub(r",? covering(?: about \d+(?:\.\d+)? [a-z ]+)?$", "", text)
    return re.sub(r",? (?:by )?(?:about|at least) \d+(?:\.\d+)? (?:degrees|body lengths|statures?|metres|m)\b", "", text)


def load_fact_profile(folder: str | Path) -> dict[str, Any] | None:
    path = Path(folder) / PROFILE_FILE
    if not path.is_file():
        return None
    profile = json.loads(path.read_text())
    if profile.get("kind") != "actlm-fact-profile":
        raise ExplainError(f"{path}: not an actlm fact profile (kind={profile.get('kind')!r})")
    return profile


# --- why not the runner-up, both ways -------------------------------------------------------
@dataclass(frozen=True)
class Cue:
    """One motion that separates the two classes' training sequences, as observed on this sample:
    measured (``present``) or measured absent. ``share_top``/``share_runner_up``: the share of each
    class's training sequences in which the motion was measured."""

    key: str
    present: bool
    wording: str
    share_top: float
    share_runner_up: float

    @property
    def weight(self) -> float:
        """How much more likely this observation is under the class it favours (share points)."""
        return abs(self.share_top - self.share_runner_up)

    @property
    def favours_top(self) -> bool:
        """A measured motion favours the class that shows it more often; a missing one the class
        that shows it less often."""
        return (self.share_top > self.share_runner_up) == self.present

    @property
    def log_ratio(self) -> float:
        """log P(this observation | top) / P(it | runner-up), the shares kept within [0.02, 0.98]
        (about one training sequence in fifty either way)."""
        def likelihood(share: float) -> float:
            share = min(max(share, 0.02), 0.98)
            return share if self.present else 1 - share
        return math.log(likelihood(self.share_top) / likelihood(self.share_runner_up))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "favours": "top" if self.favours_top else "runner_up",
                "log_ratio": round(self.log_ratio, 3)}


def measured_keys(facts: Iterable[Fact]) -> set[str]:
    """Every fact key the measurements support: each fact's own key and its motion, a 'both' fact
    as each side, and a motion measured on the right and on the left (at any times) as 'both'."""
    keys: set[str] = set()
    for f in facts:
        keys |= _keys_with_sides(f)
    for key in list(keys):
        if key.endswith(":right") and key[:-6] + ":left" in keys:
            keys.add(key[:-6] + ":both")
    return keys


def _sideless(text: str) -> str:
    """A fact's wording without its side ('raises the left hand' -> 'raises one hand')."""
    text = re.sub(r"\bthe (?:left|right) (hand|arm|leg|foot)\b", r"one \1", text)
    return re.sub(r"\bboth (hands|arms|legs|feet)\b", r"the \1", text)


def _cues(shown: list[Fact], measured: list[Fact], p_top: dict[str, float], p_run: dict[str, float],
          wording: dict[str, str], sides: bool = True) -> list[Cue]:
    """The observations that separate the classes by at least :data:`CUE_GAP`, most separating
    first: a shown fact, or a motion the profile names that nothing measured on the sample (all
    facts, sides and the 'both' merge counted) is like. Without ``sides`` (the sample's left and
    right are in doubt) only the motions count, whichever side made them."""
    def key_of(f: Fact) -> str:
        return fact_key(f) if sides else f.motion

    candidates = [Cue(key_of(f), True, f.text if sides else _sideless(f.text), p_top.get(key_of(f), 0.0),
                      p_run.get(key_of(f), 0.0)) for f in shown if f.motion != "still"]
    if not sides:              # one cue per motion: the left and the right fact are one observation here
        candidates = list({c.key: c for c in reversed(candidates)}.values())
    seen = measured_keys(measured)
    # without sides only side-free keys (motions that have no side) can be named as absent
    candidates += [Cue(key, False, _generic_wording(wording[key]), p_top.get(key, 0.0), p_run.get(key, 0.0))
                   for key in sorted(set(p_top) | set(p_run))
                   if key in wording and key not in seen and key != "still" and (sides or ":" not in key)]
    return sorted((c for c in candidates if c.weight >= CUE_GAP), key=lambda c: -c.weight)


def _one_per_motion(cues: list[Cue]) -> list[Cue]:
    """The most telling cue of each motion (largest likelihood ratio): 'raise:right' and
    'raise:both' are observations of one motion, not two pieces of evidence."""
    best: dict[str, Cue] = {}
    for cue in cues:
        motion = cue.key.split(":")[0]
        if motion not in best or abs(cue.log_ratio) > abs(best[motion].log_ratio):
            best[motion] = cue
    return list(best.values())


def contrastive_cue(facts: list[Fact], top: str, runner: str, profile: dict[str, Any] | None,
                    measured: list[Fact] | None = None, sides: bool = True) -> tuple[str | None, dict | None]:
    """Why ``top`` and not ``runner``, from both sides: the strongest observation of this sample
    favouring each class (a measured motion one class's training sequences show more often, or a
    motion one class usually shows that nothing measured here is like), and which class the
    measured motions favour on balance: those that separate the classes by :data:`CUE_GAP` (the
    strongest one per motion) are :data:`FAVOURS` times likelier under it. ``facts`` are the
    facts shown to the user (a measured motion is cited only from them); ``measured`` all facts of
    the sample (default ``facts``), which an absence is checked against. ``sides=False`` when the
    sample's left and right are in doubt (the sensor sees the person from behind): motions are
    compared whichever side made them, so no verdict rests on a side.
    Returns (text, details), or (None, None) when there is no profile for the two classes or
    (None, details) when no motion separates them by :data:`CUE_GAP`."""
    if not profile or top not in profile["share"] or runner not in profile["share"]:
        return None, None
    cues = _cues(facts, facts if measured is None else measured + facts, profile["share"][top],
                 profile["share"][runner], profile.get("wording", {}), sides)
    for_top = [c for c in cues if c.favours_top]
    for_runner = [c for c in cues if not c.favours_top]
    balance = sum(c.log_ratio for c in _one_per_motion([c for c in cues if c.present]))
    favours = "top" if balance >= FAVOURS else "runner_up" if balance <= -FAVOURS else "neither"
    info = {"favours": favours, "log_ratio": round(balance, 3), "gap": CUE_GAP,
            "for_top": [c.as_dict() for c in for_top], "for_runner_up": [c.as_dict() for c in for_runner]}
    if not cues:
        return None, info
    text = "; ".join(_cue_words(c, top, runner) for c in _shown(for_top) + _shown(for_runner))
    if favours == "runner_up":
        text += f": the measured motions here favour '{runner}'"
    elif favours == "top" and for_runner:
        text += f": on balance the measured motions here favour '{top}'"
    elif favours == "neither" and for_runner:
        text += ": the measured motions do not clearly favour either class"
    return text, info


def _shown(cues: list[Cue]) -> list[Cue]:
    """The cue to put in words for one side: a measured motion rather than an absence (an absence
    may be a motion the measurement missed), the most separating one."""
    present = [c for c in cues if c.present]
    return (present or cues)[:1]


def _cue_words(cue: Cue, top: str, runner: str) -> str:
    """One observation in words, with the two classes' training shares."""
    this, other = (top, runner) if cue.favours_top else (runner, top)
    share = {top: cue.share_top, runner: cue.share_runner_up}
    if cue.present:
        return (f"the measured '{cue.wording}' is more typical of '{this}' ({share[this]:.0%} of its training "
                f"sequences) than of '{other}' ({share[other]:.0%})")
    return (f"nothing like '{cue.wording}' was measured, which {share[other]:.0%} of '{other}' training sequences "
            f"show and {share[this]:.0%} of '{this}'")
