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

The cited set is the best single unit unless the best pair drops the probability by at least
:data:`PAIR_GAIN` more (a larger set is only named when it says more); the cited span is the best
window of a quarter of the clip unless the best half-clip window drops it by :data:`PAIR_GAIN` more.
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


@dataclass
class Occlusion:
    """Class probabilities of the untouched input, of each candidate part set frozen and of each
    time window frozen (one forward pass)."""

    probs: np.ndarray                  # (K,) of the untouched input
    sets: dict[PartSet, np.ndarray]    # part set -> (K,) probabilities with that set frozen
    windows: list[tuple[int, int]]
    window_probs: np.ndarray           # (W, K)
    frames: int

    def set_drops(self, target: int) -> dict[PartSet, float]:
        """The drop of ``probs[target]`` when each candidate set is frozen, largest first."""
        drops = {s: float(self.probs[target] - p[target]) for s, p in self.sets.items()}
        return dict(sorted(drops.items(), key=lambda kv: -kv[1]))

    def part_drops(self, target: int) -> dict[str, float]:
        """The drop of ``probs[target]`` when each single part is frozen, largest first."""
        return {s[0]: d for s, d in self.set_drops(target).items() if len(s) == 1}

    def margin_drops(self, target: int, against: int) -> dict[str, float]:
        """How much freezing each single part narrows ``probs[target] - probs[against]``, for the
        parts that narrow it, largest first."""
        base = self.probs[target] - self.probs[against]
        drops = {s[0]: float(base - (p[target] - p[against])) for s, p in self.sets.items() if len(s) == 1}
        return {p: d for p, d in sorted(drops.items(), key=lambda kv: -kv[1]) if d > 0}

    def cited_set(self, target: int) -> tuple[PartSet, float]:
        """The set the decision rests on and its measured drop: the best single part, or the best
        pair when it drops the probability by :data:`PAIR_GAIN` more."""
        return pick_smallest(self.set_drops(target), set_size)

    def span(self, target: int) -> tuple[tuple[int, int], float]:
        """The window whose freezing drops ``probs[target]`` most (a quarter of the clip, or half
        when that drops it by :data:`PAIR_GAIN` more), in frames, and its drop."""
        drops = {w: float(self.probs[target] - p[target]) for w, p in zip(self.windows, self.window_probs)}
        return pick_smallest(drops, lambda w: w[1] - w[0])


def pick_smallest(drops: dict, size) -> tuple:
    """The candidate with the largest drop among the smallest size, replaced by a larger one only
    when that drops it by at least :data:`PAIR_GAIN` more."""
    best = None
    for s in sorted({size(c) for c in drops}):
        cand, d = max(((c, d) for c, d in drops.items() if size(c) == s), key=lambda cd: cd[1])
        if best is None or d >= best[1] + PAIR_GAIN:
            best = (cand, d)
    return best


def occlude(model: torch.nn.Module, x: torch.Tensor, layout: Layout) -> Occlusion:
    """One batched forward pass: the input, each candidate part set frozen, each window frozen."""
    sets = candidate_sets(layout)
    windows = time_windows(x.shape[2])
    batch = ([x[0]] + [freeze_joints(x, js)[0] for js in sets.values()]
             + [freeze_frames(x, a, b)[0] for a, b in windows])
    with torch.no_grad():
        probs = model(torch.stack(batch)).float().softmax(1).numpy()
    k = len(sets)
    return Occlusion(probs[0], dict(zip(sets, probs[1:1 + k])), windows, probs[1 + k:], x.shape[2])


def part_weights_per_joint(weights: dict[str, float], layout: Layout) -> np.ndarray:
    """Each joint's weight: the weights of the parts it belongs to, spread over their joints."""
    out = np.zeros(layout.num_joints)
    for part, w in weights.items():
        members = list(layout.parts.get(part, ()))
        if members:
            out[members] += w / len(members)
    return out
