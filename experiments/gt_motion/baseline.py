"""A trivial detector to read the real one's numbers against: motion energy per body region.

It knows *where* something moves, not *what*: a region whose joints travel far (relative to the
body's size) gets the motion most often done with that region in this suite: a hand ->
"raise" (both hands -> "raise both"), the feet -> "walk", the trunk -> "bend", nothing -> "still".
Thresholds were set once, before looking at any detector result.
"""
from __future__ import annotations

import numpy as np

from actlm.data.layouts import get_layout

HAND_KEYS = ("wrist", "hand")
FOOT_KEYS = ("ankle", "foot", "heel")


def _joints(names: tuple[str, ...], prefix: str, keys: tuple[str, ...]) -> list[int]:
    return [i for i, n in enumerate(names) if n.startswith(prefix) and any(k in n for k in keys)]


def _mid(x: np.ndarray, idx: list[int]) -> np.ndarray:
    return x[:, idx].mean(axis=1)


def _path(x: np.ndarray, step: int = 3) -> float:
    """Path length of a (T, C) trajectory sampled every ``step`` frames (jitter must not add up)."""
    coarse = x[::step]
    return float(np.linalg.norm(np.diff(coarse, axis=0), axis=1).sum()) if len(coarse) > 1 else 0.0


def energy_facts(data: np.ndarray, layout: str) -> list[tuple[str, str | None]]:
    """(motion, side) statements for a (1, T, V, C) sample; [] when it cannot be read at all."""
    names = get_layout(layout).joints
    x = np.asarray(data[0], dtype=float)
    x = x[np.isfinite(x).all(axis=(1, 2)) & (np.abs(x).sum(axis=(1, 2)) > 0)]
    if len(x) < 3:
        return []
    shoulders = _mid(x, [names.index("left_shoulder"), names.index("right_shoulder")])
    hips = _mid(x, [names.index("left_hip"), names.index("right_hip")])
    size = float(np.median(np.linalg.norm(shoulders - hips, axis=1))) or 1.0
    said: list[tuple[str, str | None]] = []
    moving = [side for side in ("right", "left")
              if _path(_mid(x, _joints(names, side + "_", HAND_KEYS)) - shoulders) / size > 2.0]
    if len(moving) == 2:
        said.append(("raise", "both"))
    elif moving:
        said.append(("raise", moving[0]))
    feet = _mid(x, _joints(names, "left_", FOOT_KEYS) + _joints(names, "right_", FOOT_KEYS))
    if _path(feet) / size > 2.0:
        said.append(("walk", None))
    if _path(shoulders - hips) / size > 0.8:
        said.append(("bend", None))
    return said or [("still", None)]
