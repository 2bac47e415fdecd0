"""What the model used, measured: how much the predicted class's probability drops when a set of
body parts, or a time window, is frozen.

Freezing holds joints at their first-frame position for the whole clip (their motion removed), or
holds every frame of a window at the frame before it. The candidates are every single body part
of the layout, each side's whole arm (arm and hand), and every union of two of these (both arms,
an arm and the torso, both legs, ...): a decision that rests on both arms shows up only when both
are frozen together, never one part at a time (on NW-UCLA a09_s06_e03_v03 loses 2 points without
its right arm, 93 without both arms and hands).
All candidates and all windows go through the model in one batched forward pass, and every number
an explanation shows is the drop measured by exactly that pass.

Which set is cited (:data:`CRITERION`, two steps within each size). First, only the sets whose
measured probability drop comes within :data:`MIN_EFFECT` of the largest drop of their size are
kept: the number shown for any of them differs from the best by less than what an explanation
calls an effect at all, so each is as faithful as the reader can tell. Then, among those, the
cited set is the one whose freezing moves the logits most purely against the predicted class
(``direction``: the cosine between the change of the centred logits and the change that would lower
only this class, blind to the size of the disturbance). Why not the largest drop alone, or the
largest drop of the margin: freezing the one moving arm disturbs the features of any network
most, and a large change moves any readout's output most, so on UTD-MHAD (one-arm gestures) the
set ranked by either stayed when the classifier was re-initialised (the model-randomisation check
of Adebayo et al. 2018; experiments/results/attribution.md). Why an absolute tolerance and not a
share of the largest drop: a randomised readout gives the class a small probability and small,
proportional changes, so a share (0.5, 0.8 of the largest) still keeps mostly the set that
disturbs most, while every drop there lies within 0.05 of the others and ``direction`` decides
alone; on a trained model the drops saturate (the probability cannot fall below 0), so several
sets come within 0.05 of the best and the shortlist costs the cited set little of its drop.
``direction`` alone, without the shortlist, cites sets that drop the probability much less.

The number shown is always the measured drop of the predicted class's probability for exactly
the cited set. The cited set is the first single unit unless the first pair drops the
probability by at least :data:`PAIR_GAIN` more (a larger set is only named when it says more); the
cited span is the best window of a quarter of the clip unless the best half-clip window drops it
by :data:`PAIR_GAIN` more.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Iterable

import numpy as np
import torch

from ..data.layouts import Layout

#: A larger candidate (a pair of parts, a longer window) is cited only when its freezing drops the
#: predicted class's probability by at least this much more than the best smaller one.
PAIR_GAIN = 0.10
#: Below this drop no set of parts is said to carry the decision.
MIN_EFFECT = 0.05
#: Window lengths the span search tries, as fractions of the clip; windows overlap by half.
WINDOW_FRACTIONS = (0.25, 0.5)

PartSet = tuple[str, ...]


def freeze_joints(x: torch.Tensor, joints: Iterable[int]) -> torch.Tensor:
    """The model input (N, M, T, V, C) with ``joints`` held at their first-frame position."""
    out = x.clone()
    js = list(joints)
    if js:
        out[:, :, :, js] = out[:, :, :1, js]
    return out


def freeze_frames(x: torch.Tensor, start: int, end: int) -> torch.Tensor:
    """The model input with frames [start, end) held at frame ``start - 1`` (the motion in that
    window removed, the pose before and after kept)."""
    out = x.clone()
    out[:, :, start:end] = out[:, :, max(start - 1, 0):max(start, 1)]
    return out


def part_joints(layout: Layout) -> dict[str, list[int]]:
    return {part: sorted(members) for part, members in layout.parts.items() if members}


#: What a person calls "the arm": the layout's arm and hand of one side, as one unit.
WHOLE_ARMS = {"right_arm": ("right_arm", "right_hand"), "left_arm": ("left_arm", "left_hand")}


def units(layout: Layout) -> dict[PartSet, list[int]]:
    """The building blocks of the candidate sets: every body part of the layout, and each side's
    arm with its hand (a decision resting on both arms shows up only when arms and hands are
    frozen together: a09_s06_e03_v03 keeps 92 % with both arms frozen, 1 % with arms and hands)."""
    parts = part_joints(layout)
    out: dict[PartSet, list[int]] = {(p,): js for p, js in parts.items()}
    for members in WHOLE_ARMS.values():
        if all(m in parts for m in members):
            out[members] = sorted({j for m in members for j in parts[m]})
    return out


def candidate_sets(layout: Layout) -> dict[PartSet, list[int]]:
    """Every unit alone and every union of two units (both arms, an arm and the torso, ...), each
    set once (a hand joined to its own arm is the whole arm), in parts of the layout."""
    us = units(layout)
    sets: dict[PartSet, list[int]] = dict(us)
    for a, b in combinations(us, 2):
        joined = tuple(sorted(set(a) | set(b)))
        if joined not in sets:
            sets[joined] = sorted(set(us[a]) | set(us[b]))
    return sets


def set_size(parts: PartSet) -> int:
    """How many units a set joins: an arm with its hand counts once."""
    rest = set(parts)
    size = 0
    for members in WHOLE_ARMS.values():
        if set(members) <= rest:
            rest -= set(members)
            size += 1
    return size + len(rest)


def set_joints(parts: Iterable[str], layout: Layout) -> list[int]:
    """The joints of a set of body parts."""
    groups = part_joints(layout)
    return sorted({j for p in parts for j in groups.get(p, ())})


def time_windows(t: int, fractions: Iterable[float] = WINDOW_FRACTIONS) -> list[tuple[int, int]]:
    """Windows [start, end) of each length (a fraction of ``t`` frames), overlapping by half,
    the last one ending at the clip's end."""
    out: list[tuple[int, int]] = []
    for f in fractions:
        length = min(max(int(round(f * t)), 1), t)
        step = max(length // 2, 1)
        starts = list(range(0, t - length + 1, step))
        if starts[-1] != t - length:
            starts.append(t - length)
        out += [(s, s + length) for s in starts if (s, s + length) not in out]
    return out


def set_key(parts: PartSet) -> str:
    return "+".join(parts)


def probability_drop(base: np.ndarray, frozen: np.ndarray, target: int) -> np.ndarray:
    """How much freezing lowers the target's probability (logits (K,) and (N, K) -> (N,))."""
    return softmax(base)[target] - softmax(frozen)[:, target]


def margin_drop(base: np.ndarray, frozen: np.ndarray, target: int) -> np.ndarray:
    """How much freezing narrows the target's logit margin over the best other class (in nats):
    what brings another class closest to winning, not what disturbs the input most."""
    def margin(z: np.ndarray) -> np.ndarray:
        return z[..., target] - np.delete(z, target, axis=-1).max(-1)
    return margin(base) - margin(frozen)


def centred_logit_drop(base: np.ndarray, frozen: np.ndarray, target: int) -> np.ndarray:
    """How much freezing lowers the target's logit relative to the mean logit (in nats): the
    evidence for this class against all the others, blind to a shift that moves every class."""
    def centred(z: np.ndarray) -> np.ndarray:
        return z[..., target] - z.mean(-1)
    return centred(base) - centred(frozen)


def direction_drop(base: np.ndarray, frozen: np.ndarray, target: int) -> np.ndarray:
    """The cosine between the change of the centred logits that freezing makes and the change that
    would only lower the target: how much of what freezing does is against this class, whatever
    its size (a set that disturbs every class a lot scores no higher than one that disturbs little)."""
    change = frozen - frozen.mean(-1, keepdims=True) - (base - base.mean(-1, keepdims=True))
    against = -(np.eye(base.shape[-1])[target] - 1 / base.shape[-1])
    norm = np.linalg.norm(change, axis=-1) * np.linalg.norm(against)
    return np.where(norm > 0, change @ against / np.where(norm > 0, norm, 1), 0.0)


#: How a candidate set is ranked within its size: each maps (logits untouched, logits frozen,
#: target) to the drop. Whatever ranks it, the number shown is the measured probability drop.
CRITERIA = {"probability": probability_drop, "margin": margin_drop, "centred_logit": centred_logit_drop,
            "direction": direction_drop}
#: The criterion the explanations use: ``direction`` among the sets within MIN_EFFECT of the
#: largest drop of their size (see the module docstring; on UTD-MHAD with the classifier
#: re-initialised the cited set overlaps the trained one 0.198 vs chance 0.191, margin 0.438).
CRITERION = f"direction~{MIN_EFFECT}"


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@dataclass
class Occlusion:
    """Class logits of the untouched input, of each candidate part set frozen and of each time
    window frozen (one forward pass), and the probabilities they give."""

    logits: np.ndarray                 # (K,) of the untouched input
    set_logits: dict[PartSet, np.ndarray]   # part set -> (K,) logits with that set frozen
    windows: list[tuple[int, int]]
    window_logits: np.ndarray          # (W, K)
    frames: int

    @property
    def probs(self) -> np.ndarray:
        return softmax(self.logits)

    @property
    def sets(self) -> dict[PartSet, np.ndarray]:
        """Part set -> (K,) probabilities with that set frozen."""
        return {s: softmax(z) for s, z in self.set_logits.items()}

    @property
    def window_probs(self) -> np.ndarray:
        return softmax(self.window_logits)

    def set_drops(self, target: int, criterion: str = "probability") -> dict[PartSet, float]:
        """Each candidate set's drop by ``criterion`` (one of :data:`CRITERIA`; default: of
        ``probs[target]``), largest first."""
        keys = list(self.set_logits)
        drops = CRITERIA[criterion](self.logits, np.stack([self.set_logits[k] for k in keys]), target)
        return dict(sorted(zip(keys, map(float, drops)), key=lambda kv: -kv[1]))

    def set_ranks(self, target: int, criterion: str = CRITERION) -> dict[PartSet, float]:
        """What ranks each candidate set within its size: its drop by the criterion, and, for a
        two-step name ('direction@0.8', 'direction~0.05'), -inf for the sets off the size's shortlist."""
        rank, share, within = parse_criterion(criterion)
        ranks = self.set_drops(target, rank)
        if share is None and within is None:
            return ranks
        listed = shortlist(self.set_drops(target), set_size, share, within)
        return {s: (r if s in listed else -np.inf) for s, r in ranks.items()}

    def part_drops(self, target: int) -> dict[str, float]:
        """The drop of ``probs[target]`` when each single part is frozen, largest first."""
        return {s[0]: d for s, d in self.set_drops(target).items() if len(s) == 1}

    def margin_drops(self, target: int, against: int) -> dict[str, float]:
        """How much freezing each single part narrows ``probs[target] - probs[against]``, for the
        parts that narrow it, largest first."""
        base = self.probs[target] - self.probs[against]
        drops = {s[0]: float(base - (p[target] - p[against])) for s, p in self.sets.items() if len(s) == 1}
        return {p: d for p, d in sorted(drops.items(), key=lambda kv: -kv[1]) if d > 0}

    def cited_set(self, target: int, criterion: str = CRITERION) -> tuple[PartSet, float]:
        """The set the decision rests on and its measured probability drop: within each size the
        set ranked first by ``criterion``; a pair replaces the best single unit only when its
        freezing drops the probability by :data:`PAIR_GAIN` more."""
        return pick_smallest(self.set_drops(target), set_size, self.set_ranks(target, criterion))

    def span(self, target: int) -> tuple[tuple[int, int], float]:
        """The window whose freezing drops ``probs[target]`` most (a quarter of the clip, or half
        when that drops it by :data:`PAIR_GAIN` more), in frames, and its drop."""
        drops = {w: float(d) for w, d in zip(self.windows, probability_drop(self.logits, self.window_logits, target))}
        return pick_smallest(drops, lambda w: w[1] - w[0])


def parse_criterion(name: str) -> tuple[str, float | None, float | None]:
    """A criterion's name -> (what ranks the sets, share, within): 'direction@0.8' ranks by
    ``direction`` among the sets whose probability drop is at least 0.8 of the largest of their
    size, 'direction~0.05' among those within 0.05 of it; a plain name ranks every set."""
    for mark in "@~":
        rank, _, value = name.partition(mark)
        if value:
            break
    if rank not in CRITERIA:
        raise ValueError(f"unknown criterion {name!r}: one of {', '.join(CRITERIA)}, optionally '@<share>' or '~<within>'")
    bound = float(value) if value else None
    return rank, (bound if mark == "@" else None), (bound if mark == "~" else None)


def shortlist(drops: dict, size, share: float | None = None, within: float | None = None) -> set:
    """The candidates whose drop is at least ``share`` of the largest drop of their size (every
    candidate of a size where none lowers the probability) and at most ``within`` below it."""
    best: dict[int, float] = {}
    for c, d in drops.items():
        best[size(c)] = max(best.get(size(c), -np.inf), d)

    def listed(c, d: float) -> bool:
        top = best[size(c)]
        return ((share is None or top <= 0 or d >= share * top)
                and (within is None or d >= top - within))
    return {c for c, d in drops.items() if listed(c, d)}


def pick_smallest(drops: dict, size, rank: dict | None = None) -> tuple:
    """The candidate ranked first by ``rank`` (default: its drop) among the smallest size, replaced
    by the first of a larger size only when that drops it by at least :data:`PAIR_GAIN` more;
    returned with its drop."""
    rank = drops if rank is None else rank
    best = None
    for s in sorted({size(c) for c in drops}):
        cand = max((c for c in drops if size(c) == s), key=lambda c: rank[c])
        if best is None or drops[cand] >= best[1] + PAIR_GAIN:
            best = (cand, drops[cand])
    return best


def occlude(model: torch.nn.Module, x: torch.Tensor, layout: Layout) -> Occlusion:
    """One batched forward pass: the input, each candidate part set frozen, each window frozen."""
    sets = candidate_sets(layout)
    windows = time_windows(x.shape[2])
    batch = ([x[0]] + [freeze_joints(x, js)[0] for js in sets.values()]
             + [freeze_frames(x, a, b)[0] for a, b in windows])
    with torch.no_grad():
        logits = model(torch.stack(batch)).double().numpy()
    k = len(sets)
    return Occlusion(logits[0], dict(zip(sets, logits[1:1 + k])), windows, logits[1 + k:], x.shape[2])


def part_weights_per_joint(weights: dict[str, float], layout: Layout) -> np.ndarray:
    """Each joint's weight: the weights of the parts it belongs to, spread over their joints."""
    out = np.zeros(layout.num_joints)
    for part, w in weights.items():
        members = list(layout.parts.get(part, ()))
        if members:
            out[members] += w / len(members)
    return out
