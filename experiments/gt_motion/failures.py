"""Tracking failures, injected into a rendered performance, each with the truth of what failed.

Kinect and pose estimators fail in a few typical ways (issue 40 lists them from real NW-UCLA
sequences): the shoulder line collapses when the person is seen edge-on, hands hidden behind
the body are tracked at made-up places, joints freeze or jump (spikes, left/right ID swaps),
the track dies (all zeros, or one frame repeated), the clip is a few frames long, or the file
holds NaN/inf. A :class:`Failure` names the failed joints and frames; frames are indices of the
clip as delivered.

Failures that change what the body does (hands behind the back, the edge-on view) are set up in
``suite.py``; this module corrupts the sensor's coordinates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FAILURE_KINDS = ("edge_on_shoulders", "hands_behind", "frozen_joints", "jumping_joints", "dead_track",
                 "short_clip", "nan_values")


@dataclass
class Failure:
    kind: str
    joints: tuple[str, ...]
    frames: tuple[int, int]           # first, last failed frame (inclusive)
    note: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "joints": list(self.joints), "frames": list(self.frames), "note": self.note}


def _idx(names: tuple[str, ...], wanted: list[str]) -> list[int]:
    return [names.index(n) for n in wanted if n in names]


def _arm_joints(names: tuple[str, ...], side: str, with_elbow: bool = True) -> list[str]:
    keys = ("wrist", "hand", "thumb", "index", "pinky") + (("elbow",) if with_elbow else ())
    return [n for n in names if n.startswith(side + "_") and any(k in n for k in keys)]


def collapse_shoulders(cam: np.ndarray, names: tuple[str, ...], rng: np.random.Generator) -> Failure:
    """Seen edge-on, the tracker puts both shoulders almost on one point and mixes them up; the
    far arm, hidden behind the body, jitters."""
    left, right = names.index("left_shoulder"), names.index("right_shoulder")
    mid = (cam[:, left] + cam[:, right]) / 2
    n = len(cam)
    swap = np.cumsum(rng.random(n) < 0.08) % 2 == 1           # runs of frames with sides mixed up
    spread = rng.normal(0.0, 0.03, (n, 2, 3))
    cam[:, left] = mid + spread[:, 0]
    cam[:, right] = mid + spread[:, 1]
    cam[swap, left], cam[swap, right] = cam[swap, right].copy(), cam[swap, left].copy()
    hidden = _arm_joints(names, "left") + _arm_joints(names, "right")
    hidden_idx = _idx(names, hidden)
    cam[:, hidden_idx] += rng.normal(0.0, 0.04, (n, len(hidden_idx), 3))
    return Failure("edge_on_shoulders", ("left_shoulder", "right_shoulder", *hidden), (0, n - 1),
                   f"shoulders within ~4 cm, sides swapped in {int(swap.sum())} frames")


def hidden_hands(cam: np.ndarray, names: tuple[str, ...], rng: np.random.Generator) -> Failure:
    """Hands held behind the back: the tracker guesses them, wandering and jumping (often up in
    front of the body, which reads like a raised hand)."""
    n = len(cam)
    hip = cam[:, _idx(names, ["left_hip", "right_hip"])].mean(axis=1)
    hidden = _arm_joints(names, "left") + _arm_joints(names, "right")
    for side in ("left", "right"):
        joints = _idx(names, _arm_joints(names, side, with_elbow=False))
        guess = np.cumsum(rng.normal(0.0, 0.02, (n, 3)), axis=0)
        jumps = rng.random(n) < 0.06
        guess += np.cumsum(jumps[:, None] * rng.normal(0.0, 0.25, (n, 3)), axis=0)
        guess[:, 1] += rng.uniform(0.0, 0.5) * (np.sin(np.linspace(0, rng.uniform(2, 8), n)) > 0.3)
        where = hip + np.array([0.0, 0.0, -0.15]) + guess
        for j in joints:
            cam[:, j] = where + rng.normal(0.0, 0.02, (n, 3))
        for j in _idx(names, [f"{side}_elbow"]):
            cam[:, j] += rng.normal(0.0, 0.05, (n, 3))
    return Failure("hands_behind", tuple(hidden), (0, n - 1), "hands behind the back, tracked at guessed places")


def freeze_joints(cam: np.ndarray, names: tuple[str, ...], rng: np.random.Generator) -> Failure:
    """A limb (or the whole body) stops updating for a stretch: the last good value repeats."""
    n = len(cam)
    group = str(rng.choice(["right_arm", "left_arm", "legs", "body"]))
    if group.endswith("_arm"):
        joints = _arm_joints(names, group[:-4])
    elif group == "legs":
        joints = [x for x in names if any(k in x for k in ("knee", "ankle", "foot", "heel"))]
    else:
        joints = list(names)
    start = int(rng.uniform(0.2, 0.6) * n)
    end = n - 1 if rng.random() < 0.5 else min(n - 1, start + int(rng.uniform(0.15, 0.35) * n))
    idx = _idx(names, joints)
    cam[start:end + 1, idx] = cam[start, idx]
    return Failure("frozen_joints", tuple(joints), (start, end), f"{group} frozen")


def jump_joints(cam: np.ndarray, names: tuple[str, ...], rng: np.random.Generator) -> Failure:
    """Spikes (a joint thrown 0.3-1 m away for 1-3 frames) and left/right ID swaps of a limb or
    the whole body for a stretch of frames."""
    n = len(cam)
    failed: set[str] = set()
    first, last = n, -1
    for _ in range(int(rng.integers(2, 6))):
        j = int(rng.integers(0, len(names)))
        at = int(rng.integers(0, n))
        span = slice(at, min(n, at + int(rng.integers(1, 4))))
        cam[span, j] += rng.normal(0.0, 1.0, 3) / np.sqrt(3) * rng.uniform(0.3, 1.0)
        failed.add(names[j])
        first, last = min(first, at), max(last, span.stop - 1)
    if rng.random() < 0.6:
        what = str(rng.choice(["arms", "legs", "body"]))
        keys = {"arms": ("shoulder", "elbow", "wrist", "hand", "thumb", "index", "pinky"),
                "legs": ("hip", "knee", "ankle", "foot", "heel"), "body": ("",)}[what]
        pairs = [(names.index(x), names.index("right_" + x[5:])) for x in names
                 if x.startswith("left_") and "right_" + x[5:] in names and any(k in x for k in keys)]
        at = int(rng.uniform(0.1, 0.7) * n)
        span = slice(at, min(n, at + int(rng.uniform(5, 20))))
        for a, b in pairs:
            cam[span, a], cam[span, b] = cam[span, b].copy(), cam[span, a].copy()
            failed.update({names[a], names[b]})
        first, last = min(first, at), max(last, span.stop - 1)
    return Failure("jumping_joints", tuple(sorted(failed)), (first, last), "spikes and left/right swaps")


def kill_track(data: np.ndarray, rng: np.random.Generator) -> Failure:
    """The track dies: all zeros, one frame repeated, or zeros from some frame on."""
    n = len(data)
    how = str(rng.choice(["zeros", "constant", "lost"]))
    if how == "zeros":
        data[:] = 0.0
        return Failure("dead_track", ("all",), (0, n - 1), "all zeros")
    if how == "constant":
        data[:] = data[int(rng.integers(0, n))]
        return Failure("dead_track", ("all",), (0, n - 1), "one frame repeated")
    start = int(rng.uniform(0.3, 0.6) * n)
    data[start:] = 0.0
    return Failure("dead_track", ("all",), (start, n - 1), f"zeros from frame {start} on")


def cut_short(data: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, Failure]:
    """A clip of 1-8 frames from somewhere in the performance."""
    length = int(rng.integers(1, 9))
    at = int(rng.integers(0, max(len(data) - length, 1)))
    return data[at:at + length].copy(), Failure("short_clip", ("all",), (0, length - 1), f"{length} frames")


def spoil_numbers(data: np.ndarray, rng: np.random.Generator) -> Failure:
    """NaN or inf in some joints of some frames (a whole frame now and then)."""
    n, v = data.shape[:2]
    bad = float(rng.choice([np.nan, np.inf, -np.inf]))
    frames = rng.choice(n, size=max(1, int(rng.uniform(0.01, 0.2) * n)), replace=False)
    joints = rng.choice(v, size=int(rng.integers(1, 6)), replace=False)
    for f in frames:
        data[f, joints if rng.random() < 0.8 else slice(None)] = bad
    return Failure("nan_values", ("some",), (int(frames.min()), int(frames.max())),
                   f"{bad} in {len(frames)} frames")
