"""Hand-checked facts on real sequences (issue 40, item 1c).

Picks sequences at random with a fixed seed across the classes of NW-UCLA (test view v03; from
round 24 on, once v03 is used up, then view v01, then v02: see ``nwucla_views``),
UTD-MHAD and Penn Action (2D), runs actlm's public fact detector on each (``read_motion`` when it
exists, else ``kinematic_facts``) and prints, for every stated fact, the coordinates that decide
it, measured here with code of its own (not actlm's): hand, head, shoulder and pelvis heights
above the floor, trunk angle to vertical, foot and pelvis travel, shoulder-line yaw, hand gap,
sampled at 10 time points (for "reaches down" also the hand's lowest height and its drop against the
pelvis and the knees; for "stretches forward" the hand's height against the shoulder where it is
furthest forward). A person reads those numbers and records a verdict per fact (holds /
false / ambiguous, with the number that decides it) in ``results/facts_handcheck.verdicts.json``;
``--write`` merges numbers and verdicts into ``results/facts_handcheck.{md,json}``.

Own frame: *up* is, for the 3D datasets (one fixed Kinect each), the normal of the floor plane
fitted to the ankle positions of many sequences of that camera (NW-UCLA v03: its 'walk around'
sequences, 18 degrees off the camera's y, 4.7 cm residual; UTD-MHAD: every 6th file, 3 degrees,
2.5 cm), for 2D images the image's up (-y). The floor is the 2nd percentile of the sequence's
ankle heights. NW-UCLA's three Kinects each get their own plane, fitted alike to that view's 'walk
around' sequences (RMS residual of the ankle positions; normals in camera coordinates):

- v03: normal (-0.007, 0.949, -0.315), 18.4 deg off y, 4.7 cm, 1930 ankle positions of 49 sequences;
- v01: normal (0.087, 0.977, -0.197), 12.4 deg, 12.1 cm, 7600 positions of 64 sequences. The
  residual is large because v01's people walk from 1.0 to 4.1 m deep (v03: 2.1-3.8 m), where Kinect v1
  loses the feet (near: out of the picture; far: noisy): residuals run +5 cm under 2.2 m deep and
  -4 to -5 cm beyond. A refit after trimming the points beyond 3 MADs (93 % kept, 5.7 cm) tilts
  the normal by 3.3 deg (v03: 0.3, v02: 0.3), so v01's up is good to about 3 deg;
- v02: normal (0.040, 0.969, -0.245), 14.4 deg, 4.5 cm, 4540 positions of 60 sequences.

Checks against what the planes were not fitted to (measured with ``Body`` and ``camera_reference``):
in the first 5 frames of 86 takes of the classes that start standing (every 4th take seen by all three
Kinects, each view with its own plane), the ankles stand at a median 4.4 / 4.1 / 4.3 cm (v03 / v01 /
v02) above the floor, the head at 1.55 / 1.54 / 1.49 m, the trunk (from the view's upright) at a median
1.6 / 3.2 / 2.9 deg; the same take through two Kinects at once: head height v01 - v03 median 0.1 cm
(median |difference| 6.4 cm), v02 - v03 -3.1 cm (3.7 cm), trunk angle v01 - v03 median 2.9 deg,
v02 - v03 1.4 deg. 'Walk around' feet stay on the plane: the lowest ankle in each quarter of a clip
varies by a median 2.5 / 6.6 / 4.2 cm within a clip (90th percentile 5.8 / 14.6 / 9.8 cm).
Distances are metres for 3D data and statures (the 95th percentile of head-above-floor) for 2D.
*Forward* (3D only) is the left-to-right shoulder line crossed with up, per frame. Trunk angles
(pelvis to neck, to up) are given from *upright*: Kinect v1's hip-centre-to-shoulder-centre line
leans back by about 8 degrees when people stand, so the median over the reference sequences'
tallest frames counts as 0 (``trunk_deg``). From round 7 (seed 46) on, bends and lean backs are
also given as ``trunk_own_deg``: the angle between the trunk and the same person's upright trunk in
that clip (mean direction over its tall, near-vertical frames; see ``Body.own_upright_spine``), the
dataset's scalar upright only where the clip has no upright frames.

Usage: ``python -m experiments.facts_handcheck`` (print), ``... --write`` (results files).
``--seed S --name STEM`` draws another sample (seed S; the sequences of the earlier rounds are left
out, so the samples are disjoint: seed 41 leaves out seed 40's, seed 42 those of seeds 40 and 41, seed
43 those of seeds 40-42, seed 44 those of seeds 40-43, seed 45 those of seeds 40-44, seed 46 those of seeds 40-45, seed 47 those of seeds 40-46, seed 48 those of seeds 40-47, seed 49 those of seeds 40-48, seed 50 those of seeds 40-49, seed 51 those of seeds 40-50, seed 52 those of seeds 40-51, seed 53 those of seeds 40-52, seed 54 those of seeds 40-53, seed 55 those of seeds 40-54, seed 56 those of seeds 40-55, seed 57 those of seeds 40-56, seed 58 those of seeds 40-57, seed 59 those of seeds 40-58, seed 60 those of seeds 40-59, seed 61 those of seeds 40-60, seed 62 those of seeds 40-61, seed 63 those of seeds 40-62, seed 64 those of seeds 40-63, seed 65 those of seeds 40-64, seed 66 those of seeds 40-65, seed 67 those of seeds 40-66, seed 68 those of seeds 40-67, seed 69 those of seeds 40-68, seed 70 those of seeds 40-69, seed 71 those of seeds 40-70, seed 72 those of seeds 40-71, seed 73 those of seeds 40-72, seed 74 those of seeds 40-73, seed 75 those of seeds 40-74, seed 76 those of seeds 40-75, seed 77 those of seeds 40-76, seed 78 those of seeds 40-77, seed 79 those of seeds 40-78, seed 80 those of seeds 40-79, seed 81 those of seeds 40-80, seed 82 those of seeds 40-81, seed 83 those of seeds 40-82, seed 84 those of seeds 40-83, seed 85 those of seeds 40-84, seed 86 those of seeds 40-85, seed 87 those of seeds 40-86, seed 88 those of seeds 40-87, seed 89 those of seeds 40-88, seed 90 those of seeds 40-89, seed 91 those of seeds 40-90, any seed not in
``ROUNDS`` those of every round) and reads/writes ``results/STEM.verdicts.json`` and ``results/STEM.{md,json}``. A 'no motion' problem the detector
states (the body does not move) is a 'no movement' statement too: it is printed and judged like a
``still`` fact (motion ``still``, part ``problem``).
Disjoint means no file twice. NW-UCLA's Kinects filmed each take at once, so a v01 or v02 file is
mostly a take whose v03 skeleton an earlier round checked (v01: 441 of its 516 files, v02: 450 of 504;
all 1020 unused after round 23): the same motion, tracked again by another sensor from another side.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.io as sio

from actlm.data import nwucla, penn, utdmhad
from actlm.data.layouts import get_layout
from actlm.explain import facts as detector
from actlm.paths import data_root
from experiments.run_archive import handwritten_notes, head_commit

SEED = 40
NWUCLA_VIEWS = ("v03", "v01", "v02")   # the order the sample takes NW-UCLA's three Kinects in (v03: the usual test view)
LAST_V03_ONLY_ROUND = 62                # rounds up to this seed drew NW-UCLA from v03 alone
ROUNDS = (40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91)     # the hand-check rounds so far, in order; each leaves out the ones before it
PER_DATASET = 22
RESULTS = Path("experiments/results")
NAME = "facts_handcheck"
NO_MOVEMENT = ("still",)
# a clip's own upright trunk (the angle convention from round 7 on, printed beside the old one)
UPRIGHT_HEAD_SHARE = 0.9        # the head at >= 90 % of its tallest (95th percentile) height: standing or sitting tall
UPRIGHT_MAX_TILT_DEG = 25.0     # and the trunk within 25 deg of up (Kinect v1 standing tilt: 8-9 deg typical, up to 20 seen); then the more upright half
UPRIGHT_MIN_FRAMES = 3          # fewer such frames: no upright in the clip, fall back to the dataset's


@dataclass
class Source:
    dataset: str
    path: Path
    label: str


# --- choosing the sequences ---------------------------------------------------------------
def _spread_over_classes(by_class: dict[str, list[Path]], count: int, rng: np.random.Generator) -> list[tuple[str, Path]]:
    """``count`` files: classes in a random order, one file per class per round."""
    classes = sorted(by_class)
    pools = {c: list(rng.permutation(sorted(by_class[c]))) for c in classes}
    order = [str(c) for c in rng.permutation(classes)]
    chosen: list[tuple[str, Path]] = []
    while len(chosen) < count and any(pools.values()):
        for c in order:
            if pools[c] and len(chosen) < count:
                chosen.append((c, Path(pools[c].pop())))
    return chosen


def nwucla_views(seed: int) -> tuple[str, ...]:
    """NW-UCLA's views the sample of ``seed`` draws from, in turn: v03 alone for the rounds up to
    ``LAST_V03_ONLY_ROUND`` (so they draw exactly what they drew), else v03, then v01, then v02 for
    what the views before leave short of ``PER_DATASET``."""
    if seed in ROUNDS and seed <= LAST_V03_ONLY_ROUND:
        return ("v03",)
    return NWUCLA_VIEWS


def _unused_by_class(root: Path, view: str, used: set[Path]) -> dict[str, list[Path]]:
    """NW-UCLA files of one view not in ``used``, by class (``a01``...)."""
    by_class: dict[str, list[Path]] = {}
    for path in sorted((root / "nw-ucla" / "all_sqe").glob(f"*_{view}.json")):
        if path not in used:
            by_class.setdefault(path.stem[:3], []).append(path)
    return by_class


def camera_of(source: Source) -> str:
    """The fixed camera a source was filmed by: NW-UCLA's view (``v01``...), else the dataset."""
    return source.path.stem[-3:] if source.dataset == "nw-ucla" else source.dataset


@lru_cache(maxsize=1)
def _penn_actions() -> tuple[tuple[str, Path], ...]:
    root = data_root()
    return tuple((str(sio.loadmat(path, variable_names=["action"])["action"].ravel()[0]).strip(), path)
                 for path in sorted((root / "penn-action").glob("[0-9][0-9][0-9][0-9].mat")))


def choose(seed: int = SEED, per_dataset: int = PER_DATASET) -> list[Source]:
    """The sample of ``seed``, disjoint from the earlier rounds': a seed of ``ROUNDS`` leaves out the
    sequences of the rounds listed before it (40: none, 41: seed 40's, 42: seeds 40 and 41's, 43: seeds
    40-42's, 44: seeds 40-43's, 45: seeds 40-44's, 46: seeds 40-45's, 47: seeds 40-46's, 48: seeds 40-47's, 49: seeds 40-48's, 50: seeds 40-49's, 51: seeds 40-50's, 52: seeds 40-51's, 53: seeds 40-52's, 54: seeds 40-53's, 55: seeds 40-54's, 56: seeds 40-55's, 57: seeds 40-56's, 58: seeds 40-57's, 59: seeds 40-58's, 60: seeds 40-59's, 61: seeds 40-60's, 62: seeds 40-61's, 63: seeds 40-62's, 64: seeds 40-63's, 65: seeds 40-64's, 66: seeds 40-65's, 67: seeds 40-66's, 68: seeds 40-67's, 69: seeds 40-68's, 70: seeds 40-69's, 71: seeds 40-70's, 72: seeds 40-71's, 73: seeds 40-72's, 74: seeds 40-73's, 75: seeds 40-74's, 76: seeds 40-75's, 77: seeds 40-76's, 78: seeds 40-77's, 79: seeds 40-78's, 80: seeds 40-79's, 81: seeds 40-80's, 82: seeds 40-81's, 83: seeds 40-82's, 84: seeds 40-83's, 85: seeds 40-84's, 86: seeds 40-85's, 87: seeds 40-86's, 88: seeds 40-87's, 89: seeds 40-88's, 90: seeds 40-89's, 91: seeds 40-90's), any other seed those of every round in ``ROUNDS``."""
    return list(_choose_once(seed, per_dataset))


@lru_cache(maxsize=None)
def _choose_once(seed: int, per_dataset: int) -> tuple[Source, ...]:
    """``choose``, drawn once per seed: each round leaves out every earlier round's sample, so
    without the cache the rounds would be drawn again and again (2**n draws for the n-th round)."""
    root = data_root()
    rng = np.random.default_rng(seed)
    earlier = ROUNDS[:ROUNDS.index(seed)] if seed in ROUNDS else ROUNDS
    used = {src.path for r in earlier for src in _choose_once(r, per_dataset)}
    ucla_chosen: list[tuple[str, Path]] = []
    for number, view in enumerate(nwucla_views(seed)):
        if number and len(ucla_chosen) >= per_dataset:
            break
        ucla = _unused_by_class(root, view, used)
        ucla_chosen += _spread_over_classes(ucla, per_dataset - len(ucla_chosen), rng)
    utd: dict[str, list[Path]] = {}
    for path in sorted((root / "utd-mhad").glob("a*_s*_t*_skeleton.mat")):
        if path not in used:
            utd.setdefault(path.stem.split("_")[0], []).append(path)
    penn_files: dict[str, list[Path]] = {}
    for action, path in _penn_actions():
        if path not in used:
            penn_files.setdefault(action, []).append(path)
    ucla_names = {f"a{n:02d}": name for n, name in zip((1, 2, 3, 4, 5, 6, 8, 9, 11, 12), nwucla.CLASSES)}
    out = [Source("nw-ucla", p, ucla_names[c]) for c, p in ucla_chosen]
    out += [Source("utd-mhad", p, utdmhad.CLASSES[int(c[1:]) - 1]) for c, p in _spread_over_classes(utd, per_dataset, rng)]
    out += [Source("penn-action", p, c) for c, p in _spread_over_classes(penn_files, per_dataset, rng)]
    return tuple(out)


@dataclass
class Reference:
    """What 'up' and 'upright' are for one dataset's camera."""

    up: np.ndarray | None          # None: 2D, the image's up
    standing_trunk_deg: float      # the trunk angle of people standing upright (Kinect v1's spine leans back)
    residual_m: float = float("nan")   # RMS distance of the ankle positions from the fitted floor plane
    sequences: int = 0             # how many sequences the plane was fitted to
    ankle_points: int = 0          # and how many ankle positions


def camera_reference(dataset: str, view: str = "v03") -> Reference:
    """Gravity for a dataset's fixed camera (NW-UCLA: its ``view``): the normal of the plane through
    the ankle positions of many of its sequences (NW-UCLA: the view's 'walk around' ones), with the
    fit's RMS residual; and the median trunk angle of their tallest frames (upright)."""
    root = data_root()
    if dataset == "nw-ucla":
        files = sorted((root / "nw-ucla" / "all_sqe").glob(f"a04_*_{view}.json"))
        seqs = [nwucla.read_sequence(f).data[0] for f in files]
        ankles = [KINECT_ANKLES["kinect-v1"]] * len(seqs)
    elif dataset == "utd-mhad":
        files = sorted((root / "utd-mhad").glob("a*_s*_t*_skeleton.mat"))[::6]
        seqs = [utdmhad.read_sequence(f).data[0] for f in files]
        ankles = [KINECT_ANKLES["utd-mhad"]] * len(seqs)
    else:
        return Reference(None, 0.0)
    points = np.concatenate([x[:, list(a)].reshape(-1, 3) for x, a in zip(seqs, ankles)]).astype(float)
    points = points[np.abs(points).sum(axis=1) > 0]
    _, _, vt = np.linalg.svd(points - points.mean(axis=0), full_matrices=False)
    up = vt[2] * np.sign(vt[2][1])
    residual = float(np.sqrt(np.mean(((points - points.mean(axis=0)) @ up) ** 2)))
    layout = "kinect-v1" if dataset == "nw-ucla" else "utd-mhad"
    upright = []
    for x in seqs:
        if len(x) >= 5 and np.abs(x).sum() > 0:
            body = Body(x[None], layout, up)
            head = body.height("head")
            upright.append(float(np.median(body.trunk_angle(0.0)[head >= np.quantile(head, 0.7)])))
    return Reference(up, float(np.median(upright)), residual, len(seqs), len(points))


KINECT_ANKLES = {name: (get_layout(name).index("left_ankle"), get_layout(name).index("right_ankle"))
                 for name in ("kinect-v1", "utd-mhad")}


def load(source: Source) -> tuple[np.ndarray, str, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(data (1, T, V, C), layout name, the detector's visibility, the detector's guessed joint-frames,
    my own measurement's visibility) through actlm's importers. The detector gets what facts_real and
    ``actlm explain`` pass it: ``Sample.visibility`` (Penn Action: the joints never seen in the clip,
    estimated by the importer, marked not visible) and ``Sample.guessed`` (Penn Action's per-frame
    hidden flags, which only the 2D bend and forward reach read); my own measurement reads only the joints
    the annotation marks visible in each frame (the ``.mat`` file's flags, read here with scipy), so
    no estimate decides a verdict."""
    reader = {"nw-ucla": nwucla, "utd-mhad": utdmhad, "penn-action": penn}[source.dataset]
    sample = reader.read_sequence(source.path)
    layout = {"nw-ucla": "kinect-v1", "utd-mhad": "utd-mhad", "penn-action": "penn-13"}[source.dataset]
    seen_in_frame = None
    if source.dataset == "penn-action":
        seen_in_frame = sio.loadmat(source.path, variable_names=["visibility"])["visibility"].astype(float)
    return sample.data, layout, sample.visibility(layout), sample.guessed(layout), seen_in_frame


@dataclass
class StillStatement:
    """A 'no motion' problem of the detector, judged like a ``still`` fact."""

    text: str
    time: float = 0.5
    motion: str = "still"
    part: str = "problem"


def read_facts(data: np.ndarray, layout: str, visibility: np.ndarray | None,
               guessed: np.ndarray | None = None) -> tuple[list, list[str]]:
    """(facts, problems) from the detector's public API; a 'no motion' problem is also returned
    as a ``still`` statement among the facts. ``guessed``: the source's per-frame flags of guessed
    joints (``Sample.guessed``, passed as the product passes it)."""
    if hasattr(detector, "read_motion"):
        try:
            if guessed is not None:
                reading = detector.read_motion(data, layout, visibility=visibility, guessed=guessed)
            else:
                reading = detector.read_motion(data, layout, visibility=visibility)
        except TypeError:
            reading = detector.read_motion(data, layout)
        facts = list(reading.facts)
        facts += [StillStatement(p.text) for p in reading.problems if getattr(p, "kind", "") == "no_motion"]
        return facts, [f"{getattr(p, 'kind', '?')}: {getattr(p, 'text', p)}" for p in reading.problems]
    return detector.kinematic_facts(data, layout), []


# --- my own measurements ------------------------------------------------------------------
def _smooth(x: np.ndarray, width: int = 5) -> np.ndarray:
    """Centred moving median over time, so single-frame jitter does not decide a verdict
    (joints not visible are NaN and skipped)."""
    if len(x) < width:
        return x
    pad = np.concatenate([np.repeat(x[:1], width // 2, 0), x, np.repeat(x[-1:], width // 2, 0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.stack([np.nanmedian(pad[i:i + width], axis=0) for i in range(len(x))])


class Body:
    """Joint trajectories of one person in my own frame: heights above the floor, horizontal
    positions, metres (3D) or statures (2D)."""

    def __init__(self, data: np.ndarray, layout: str, up: np.ndarray | None = None, upright_deg: float = 0.0,
                 visibility: np.ndarray | None = None):
        self.names = get_layout(layout).joints
        x = np.asarray(data[0], dtype=float).copy()
        if visibility is not None:      # Penn: joints the annotation marks not seen in a frame (placeholders or guesses)
            x[np.asarray(visibility) < 0.5] = np.nan
        x[~np.isfinite(x)] = np.nan
        keep = np.isfinite(x).any(axis=(1, 2)) & (np.nan_to_num(np.abs(x)).sum(axis=(1, 2)) > 0)
        self.frames_kept = np.flatnonzero(keep)
        x = x[keep]
        self.is_2d = x.shape[-1] == 2
        if self.is_2d:
            x = np.concatenate([x[..., :1], -x[..., 1:2], np.zeros_like(x[..., :1])], axis=-1)   # y up
        self.raw = x
        ankles = self.mid("left_ankle", "right_ankle")
        head = self.joint("head")
        axis = head - ankles
        self.upright_deg = upright_deg
        if self.is_2d or up is None:
            self.up = np.array([0.0, 1.0, 0.0])
        else:
            self.up = up / np.linalg.norm(up)
        length = np.linalg.norm(axis, axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            tall = length >= np.nanquantile(length, 0.7)
            lean = np.nanmean(axis[tall], axis=0)
            self.body_axis_tilt = float(np.degrees(np.arccos(np.clip(lean @ self.up / np.linalg.norm(lean), -1, 1))))
            heights = x @ self.up
            feet = heights[:, [self.names.index("left_ankle"), self.names.index("right_ankle")]]
            self.floor = float(np.nanquantile(feet if np.isfinite(feet).any() else heights, 0.02))
            # 2D unit: the body's length (head to the ankles), so a person lying down is measured alike
            stature = float(np.nanquantile(length if np.isfinite(length).any() else head @ self.up - self.floor, 0.95))
        self.camera_tilt = float(np.degrees(np.arccos(np.clip(self.up[1], -1, 1))))
        self.unit = "stature" if self.is_2d else "m"
        self.scale = stature if self.is_2d else 1.0
        self.stature = stature / self.scale
        helper = np.array([1.0, 0.0, 0.0]) if abs(self.up[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
        self.e1 = np.cross(self.up, helper)
        self.e1 /= np.linalg.norm(self.e1)
        self.e2 = np.cross(self.up, self.e1)

    def joint(self, name: str) -> np.ndarray:
        return self.raw[:, self.names.index(name)]

    def mid(self, a: str, b: str) -> np.ndarray:
        """Midpoint of two joints; where one is not visible, the other (a 2D side view)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(np.stack([self.joint(a), self.joint(b)]), axis=0)

    def point(self, what: str) -> np.ndarray:
        """A named point: joints, plus pelvis, neck, hand (Kinect hand joint or wrist), ankles."""
        if what == "pelvis":
            return self.joint("hip_center") if "hip_center" in self.names else self.mid("left_hip", "right_hip")
        if what == "neck":
            return self.joint("shoulder_center") if "shoulder_center" in self.names else self.mid("left_shoulder", "right_shoulder")
        if what.endswith("_hand") and what not in self.names:
            return self.joint(what.replace("_hand", "_wrist"))
        return self.joint(what)

    def height(self, what: str) -> np.ndarray:
        return _smooth((self.point(what) @ self.up - self.floor) / self.scale)

    def ground(self, what: str) -> np.ndarray:
        """Horizontal position (T, 2)."""
        p = self.point(what)
        return _smooth(np.stack([p @ self.e1, p @ self.e2], axis=1) / self.scale)

    def forward(self) -> np.ndarray:
        across = self.point("left_shoulder") - self.point("right_shoulder")
        f = np.cross(across, self.up)
        return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-9)

    def trunk_angle(self, upright: float | None = None) -> np.ndarray:
        """Signed angle of pelvis->neck to up, degrees, from the dataset's upright (``upright``
        overrides it); + leaning forward (3D), + to the image's right (2D, no forward there)."""
        upright = self.upright_deg if upright is None else upright
        spine = self.point("neck") - self.point("pelvis")
        along = spine @ self.up
        side = np.sum(spine * self.forward(), axis=1) if not self.is_2d else spine[:, 0]
        flat = np.linalg.norm(spine - np.outer(along, self.up), axis=1)
        return _smooth(np.degrees(np.arctan2(np.sign(side) * flat, along))) - upright

    def spine_units(self) -> np.ndarray:
        """The pelvis->neck direction per frame (unit)."""
        spine = self.point("neck") - self.point("pelvis")
        return spine / np.maximum(np.linalg.norm(spine, axis=1, keepdims=True), 1e-9)

    def own_upright_spine(self) -> tuple[np.ndarray | None, int]:
        """This person's upright trunk in this clip: the mean direction of pelvis->neck over the
        frames where the head is near its tallest (>= ``UPRIGHT_HEAD_SHARE`` of its 95th percentile
        above the floor) and the trunk within ``UPRIGHT_MAX_TILT_DEG`` of up, the more upright half
        of them (at least ``UPRIGHT_MIN_FRAMES``; a slight bend or a lean is not upright); (None, n) when
        fewer than ``UPRIGHT_MIN_FRAMES`` frames qualify (then the dataset's upright is used)."""
        unit = self.spine_units()
        head = self.point("head") @ self.up - self.floor
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # unsigned tilt to up: the sign from the shoulder line flips when the body is seen edge-on
            tilt = np.degrees(np.arccos(np.clip(unit @ self.up, -1, 1)))
            tall = head >= UPRIGHT_HEAD_SHARE * np.nanquantile(head, 0.95)
            near = tall & (tilt <= UPRIGHT_MAX_TILT_DEG) & np.isfinite(unit).all(axis=1)
            if near.sum() < UPRIGHT_MIN_FRAMES:
                return None, int(near.sum())
        candidates = np.flatnonzero(near)
        keep = max(UPRIGHT_MIN_FRAMES, (len(candidates) + 1) // 2)   # the more upright half: a slight bend is not upright
        good = candidates[np.argsort(tilt[candidates], kind="stable")[:keep]]
        mean = unit[good].mean(axis=0)
        return mean / np.linalg.norm(mean), len(good)

    def trunk_from_own_upright(self) -> tuple[np.ndarray, dict[str, float]]:
        """Angle between pelvis->neck and this person's own upright trunk in this clip (degrees;
        + forward in 3D, + to the image's right in 2D), so no dataset-wide standing lean is
        subtracted as a scalar; falls back to ``trunk_angle()`` when the clip has no upright frames."""
        upright, frames = self.own_upright_spine()
        if upright is None:
            return self.trunk_angle(), {"own_upright_frames": float(frames), "own_upright_fallback": 1.0}
        unit = self.spine_units()
        angle = np.degrees(np.arccos(np.clip(unit @ upright, -1, 1)))
        away = unit - upright
        side = np.sum(away * self.forward(), axis=1) if not self.is_2d else away[:, 0]
        info = {"own_upright_frames": float(frames),
                "own_upright_off_up_deg": float(np.degrees(np.arccos(np.clip(upright @ self.up, -1, 1))))}
        return _smooth(np.sign(side) * angle), info

    def yaw(self) -> np.ndarray:
        line = self.point("left_shoulder") - self.point("right_shoulder")
        return _smooth(np.degrees(np.unwrap(np.arctan2(line @ self.e2, line @ self.e1))))

    def shoulder_width(self) -> np.ndarray:
        line = self.point("left_shoulder") - self.point("right_shoulder")
        return _smooth(np.linalg.norm(line - np.outer(line @ self.up, self.up), axis=1) / self.scale)


def _sides(part: str) -> tuple[str, ...]:
    return ("left", "right") if part.startswith("both") else ("right",) if part.startswith("right") else (
        "left",) if part.startswith("left") else ("left", "right")


def _reversals(x: np.ndarray, least: float) -> int:
    """Direction changes of a 1D signal that each span at least ``least`` (hysteresis)."""
    count, anchor, direction = 0, x[0], 0
    for v in x[1:]:
        if direction >= 0 and v < anchor - least:
            count, direction, anchor = count + (direction > 0), -1, v
        elif direction <= 0 and v > anchor + least:
            count, direction, anchor = count + (direction < 0), 1, v
        elif (direction > 0 and v > anchor) or (direction < 0 and v < anchor):
            anchor = v
    return count


def _hand_peak(body: Body, side: str) -> dict[str, float]:
    """At the hand's highest frame: how far it rose from its lowest before, how far it fell
    after, and its height over the shoulder and the head."""
    hand, shoulder, head = body.height(f"{side}_hand"), body.height(f"{side}_shoulder"), body.height("head")
    if not np.isfinite(hand).any():
        return {f"{side}_hand_not_visible": 1.0}
    top = int(np.nanargmax(hand))
    return {f"{side}_rise_to_peak": hand[top] - np.nanmin(hand[: top + 1]), f"{side}_fall_after_peak": hand[top] - np.nanmin(hand[top:]),
            f"{side}_peak_over_shoulder": hand[top] - shoulder[top], f"{side}_peak_over_head": hand[top] - head[top],
            f"{side}_peak_frame": int(body.frames_kept[top])}


def measure(fact, body: Body) -> tuple[dict[str, list[float]], dict[str, float]]:
    """(series over the clip, summary numbers) that decide ``fact``."""
    m, sides = fact.motion, _sides(str(fact.part))
    series: dict[str, np.ndarray] = {}
    summary: dict[str, float] = {}
    if m in ("raise", "lower", "wave", "touch_head", "reach_down", "reach_forward", "swing"):
        series["head_h"] = body.height("head")
        for s in sides:
            series[f"{s}_hand_h"] = body.height(f"{s}_hand")
            series[f"{s}_shoulder_h"] = body.height(f"{s}_shoulder")
            summary.update(_hand_peak(body, s))
        if m == "reach_down":
            series["knee_h"] = (body.height("left_knee") + body.height("right_knee")) / 2
            series["pelvis_h"] = body.height("pelvis")
            for s in sides:     # a hand that only goes down with the body has not reached down
                below = series[f"{s}_shoulder_h"] - series[f"{s}_hand_h"]
                summary[f"{s}_hand_below_shoulder_gain"] = float(np.nanmax(below) - np.nanmean(below[: max(len(below) // 8, 1)]))
                under = series["pelvis_h"] - series[f"{s}_hand_h"]      # the hand against the pelvis
                series[f"{s}_hand_below_pelvis"] = under
                summary[f"{s}_hand_lowest_h"] = float(np.nanmin(series[f"{s}_hand_h"]))
                summary[f"{s}_hand_below_pelvis_max"] = float(np.nanmax(under))
                summary[f"{s}_hand_below_pelvis_gain"] = float(np.nanmax(under) - np.nanmean(under[: max(len(under) // 8, 1)]))
                summary[f"{s}_hand_minus_knee_min"] = float(np.nanmin(series[f"{s}_hand_h"] - series["knee_h"]))
        if m in ("reach_forward",) and not body.is_2d:
            for s in sides:
                rel = body.point(f"{s}_hand") - body.point(f"{s}_shoulder")
                forward = _smooth(np.sum(rel * body.forward(), axis=1))
                series[f"{s}_hand_fwd_of_shoulder"] = forward
                summary[f"{s}_max_fwd_of_shoulder"] = float(np.nanmax(forward))
                summary[f"{s}_fwd_gain"] = float(np.nanmax(forward) - np.nanmean(forward[: max(len(forward) // 8, 1)]))
                if np.isfinite(forward).any():     # where the hand is, up/down, when it is furthest forward
                    peak = int(np.nanargmax(forward))
                    summary[f"{s}_fwd_peak_frame"] = int(body.frames_kept[peak])
                    summary[f"{s}_hand_over_shoulder_at_fwd_peak"] = float(series[f"{s}_hand_h"][peak] - series[f"{s}_shoulder_h"][peak])
        if m == "touch_head":
            for s in sides:
                near = _smooth(np.linalg.norm(body.point(f"{s}_hand") - body.point("head"), axis=1) / body.scale)
                series[f"{s}_hand_to_head"] = near
                summary[f"{s}_closest_to_head"] = float(np.nanmin(near))
        if m in ("wave", "swing"):
            for s in sides:
                rel = body.point(f"{s}_hand") - body.point("neck")
                across = body.point("left_shoulder") - body.point("right_shoulder")
                across /= np.maximum(np.linalg.norm(across, axis=1, keepdims=True), 1e-9)
                lateral = _smooth(np.sum(rel * across, axis=1) / body.scale)
                series[f"{s}_hand_across"] = lateral
                least = 0.05 if not body.is_2d else 0.03
                raised = body.height(f"{s}_hand") >= body.height(f"{s}_shoulder") - 0.15 * (1 if not body.is_2d else 0.5)
                summary[f"{s}_reversals"] = _reversals(lateral, least)
                summary[f"{s}_reversals_hand_raised"] = _reversals(lateral[raised], least) if raised.sum() > 2 else 0
                speed = np.linalg.norm(np.diff(body.point(f"{s}_hand"), axis=0), axis=1) / body.scale
                summary[f"{s}_peak_step"] = float(np.nanmax(speed)) if np.isfinite(speed).any() else float("nan")
                summary[f"{s}_median_step"] = float(np.nanmedian(speed)) if np.isfinite(speed).any() else float("nan")
    elif m == "hands_together":
        series["hand_gap"] = _smooth(np.linalg.norm(body.point("left_hand") - body.point("right_hand"), axis=1) / body.scale)
        summary["gap_min"], summary["gap_max"] = float(np.nanmin(series["hand_gap"])), float(np.nanmax(series["hand_gap"]))
        series["hand_h"] = (body.height("left_hand") + body.height("right_hand")) / 2
    elif m in ("bend", "lean_back"):
        series["trunk_deg"] = body.trunk_angle()
        series["trunk_own_deg"], info = body.trunk_from_own_upright()
        summary.update(info)
        series["pelvis_h"] = body.height("pelvis")
    elif m in ("squat", "sit_down", "stand_up"):
        series["pelvis_h"] = body.height("pelvis")
        series["knee_h"] = (body.height("left_knee") + body.height("right_knee")) / 2
        series["head_h"] = body.height("head")
        series["trunk_deg"] = body.trunk_angle()
    elif m == "walk":
        for what in ("pelvis", "left_ankle", "right_ankle"):
            g = body.ground(what)
            series[f"{what}_travel"] = np.linalg.norm(g - g[0], axis=1)
            summary[f"{what}_net"] = float(np.linalg.norm(g[-1] - g[0]))
            summary[f"{what}_path"] = float(np.linalg.norm(np.diff(g[::3], axis=0), axis=1).sum())
        if not body.is_2d:
            move = body.ground("pelvis")[-1] - body.ground("pelvis")[0]
            f0 = body.forward()[: max(len(body.raw) // 5, 1)].mean(axis=0)
            f0 = np.array([f0 @ body.e1, f0 @ body.e2])
            f0 /= max(np.linalg.norm(f0), 1e-9)
            summary["net_move_along_facing"] = float(move @ f0)
            left = np.array([-f0[1], f0[0]])       # up x forward, in (e1, e2) with e2 = up x e1
            summary["net_move_to_the_left"] = float(move @ left)
    elif m == "turn":
        series["shoulder_yaw_deg"] = body.yaw()
        series["shoulder_width"] = body.shoulder_width()
        series["hip_yaw_deg"] = _smooth(np.degrees(np.unwrap(np.arctan2(
            (body.point("left_hip") - body.point("right_hip")) @ body.e2,
            (body.point("left_hip") - body.point("right_hip")) @ body.e1))))
    else:   # still / no movement: how far anything went from where it started
        for what in ("pelvis", "left_hand", "right_hand", "head", "left_ankle", "right_ankle"):
            p = _smooth(body.point(what)) / body.scale
            seen = p[np.isfinite(p).all(axis=1)]
            if len(seen):
                summary[f"{what}_max_excursion"] = float(np.nanmax(np.linalg.norm(seen - seen[0], axis=1)))
        series["pelvis_h"] = body.height("pelvis")
        series["trunk_deg"] = body.trunk_angle()
    for name, s in series.items():
        if (name.endswith("_h") or name in ("trunk_deg", "trunk_own_deg", "shoulder_yaw_deg", "hip_yaw_deg")) and np.isfinite(s).any():
            summary[f"{name}_min"], summary[f"{name}_max"] = float(np.nanmin(s)), float(np.nanmax(s))
    at = np.linspace(0, len(body.raw) - 1, 10).round().astype(int)
    sampled = {name: [round(float(v), 3) if np.isfinite(v) else None for v in s[at]] for name, s in series.items()}
    sampled["frame"] = [int(body.frames_kept[i]) for i in at]
    return sampled, {k: round(float(v), 3) for k, v in summary.items() if np.isfinite(v)}


CRITERIA = """\
## How each fact was judged (by a person, from the printed numbers)

Heights are above the floor along *up* (see the script's docstring); 3D in metres, 2D in statures
(body lengths). A fact **holds** when the numbers show it, **false** when they show it did not happen
(or something else happened), **ambiguous** when they are borderline or cannot decide it (joints not
visible, tracking erratic, a simile that does not fit). The rules of thumb used:

- raise: the hand rises >= 0.25 m (0.15 statures); "to shoulder height": its peak is between the
  shoulder - 0.10 m and the head joint + 0.10 m (clearly higher: ambiguous); "above the head": the peak
  is >= 0.05 m (0.03 statures) above the head joint; lower: the hand falls >= 0.25 m after its peak;
- wave: >= 2 lateral reversals of >= 5 cm while the hand is at or above shoulder height - 0.15 m;
- reach_forward (3D): the hand >= 0.35 m in front of the shoulder and not far below it (0.25-0.35 m, or
  pointing steeply down: ambiguous; the suite's truth uses the same 0.35 m); reach_down: the
  hand goes below the knees *by reaching* (bending or crouching), not only because the body sits;
- touch_head: the hand within 0.20 m of the head joint; hands_together: within 0.15 m (3D);
- bend / lean_back: the trunk angle from upright (Kinect v1's standing lean removed) reaches >= 20 deg
  forward / >= 15 deg back, and the stated angle is within 15 deg (15-25 deg off: ambiguous); from
  round 7 (seed 46) on, upright is the person's own upright trunk in the clip (``trunk_own_deg``), the
  dataset's standing lean only where the clip has no upright frames;
- squat: the pelvis goes down >= 0.15 m and comes back up; sit_down: down >= 0.2 m and stays down;
  stand_up: up >= 0.2 m from a low start (2D: 0.12 statures);
- walk: both ankles travel; a stated direction must match the body's motion relative to the shoulder
  line's facing at the start; turn: shoulder *and* hip yaw change, with the shoulder line readable;
- still ("no movement"): no hand, head, pelvis or foot moves more than the stated amount.
"""


# --- the table ----------------------------------------------------------------------------
def fact_key(fact) -> str:
    return f"{fact.motion}|{fact.part}|{fact.text}"


def collect(sources: list[Source]) -> list[dict]:
    rows = []
    cameras = sorted({(src.dataset, camera_of(src)) for src in sources})
    refs = {(dataset, camera): camera_reference(dataset, camera) for dataset, camera in cameras}
    for src in sources:
        data, layout, detector_visibility, guessed, seen_in_frame = load(src)
        facts, problems = read_facts(data, layout, detector_visibility, guessed)
        ref = refs[(src.dataset, camera_of(src))]
        body = Body(data, layout, ref.up, ref.standing_trunk_deg, seen_in_frame)
        seq = {"dataset": src.dataset, "sequence": src.path.stem, "class": src.label, "layout": layout,
               "frames": int(data.shape[1]), "unit": body.unit, "camera_tilt_deg": round(body.camera_tilt, 1),
               "standing_axis_tilt_deg": round(body.body_axis_tilt, 1), "upright_trunk_deg": round(ref.standing_trunk_deg, 1),
               "stature": round(body.stature, 3), "camera": camera_of(src), "floor_plane": _plane_record(ref),
               "problems": problems, "facts": []}
        for fact in facts:
            series, summary = measure(fact, body)
            seq["facts"].append({"key": fact_key(fact), "text": fact.text, "motion": fact.motion, "part": str(fact.part),
                                 "time": round(float(fact.time), 3), "series": series, "summary": summary})
        rows.append(seq)
    return rows


def _plane_record(ref: Reference) -> dict | None:
    """The floor plane a row's heights stand on (3D), as the results files record it."""
    if ref.up is None:
        return None
    return {"normal": [round(float(v), 3) for v in ref.up], "residual_m": round(ref.residual_m, 3),
            "sequences": ref.sequences, "ankle_points": ref.ankle_points}


def _camera_lines(rows: list[dict]) -> str:
    """Which NW-UCLA views the rows came from, and each 3D camera's floor plane (for the .md header)."""
    planes: dict[tuple[str, str], dict] = {}
    for seq in rows:
        if seq.get("floor_plane"):
            planes.setdefault((seq["dataset"], seq.get("camera", seq["dataset"])), seq["floor_plane"])
    ucla = sorted({seq.get("camera", seq["sequence"][-3:]) for seq in rows if seq["dataset"] == "nw-ucla"})
    counts = ", ".join(f"{v} {sum(seq.get('camera', seq['sequence'][-3:]) == v for seq in rows if seq['dataset'] == 'nw-ucla')}"
                       for v in ucla)
    lines = [f"NW-UCLA rows from view(s): {counts or 'none (no unused sequences left)'}  "]
    for (dataset, camera), plane in sorted(planes.items()):
        lines.append(f"Floor plane {dataset if camera == dataset else dataset + ' ' + camera}: normal {plane['normal']} (camera coordinates), RMS residual "
                     f"{plane['residual_m'] * 100:.1f} cm, fitted to {plane['ankle_points']} ankle positions of "
                     f"{plane['sequences']} sequences  ")
    return "\n".join(lines)


def print_rows(rows: list[dict]) -> None:
    for seq in rows:
        plane = seq.get("floor_plane")
        floor = (f", floor plane of camera {seq['camera']} (residual {plane['residual_m'] * 100:.1f} cm)" if plane else "")
        print(f"\n=== {seq['dataset']} {seq['sequence']} ({seq['class']}), {seq['frames']} frames, unit {seq['unit']}, "
              f"stature {seq['stature']}, up {seq['camera_tilt_deg']} deg off the camera's y, tallest frames' "
              f"body axis {seq['standing_axis_tilt_deg']} deg off up{floor}")
        if seq["problems"]:
            print("  problems:", "; ".join(seq["problems"]))
        for i, f in enumerate(seq["facts"]):
            print(f"  [{i}] {f['text']!r} ({f['motion']}, {f['part']}, t={f['time']})")
            for name, values in f["series"].items():
                print(f"      {name:>26}: " + " ".join("      -" if v is None else f"{v:7d}" if name == "frame" else f"{v:7.2f}"
                                                          for v in values))
            if f["summary"]:
                print("      " + ", ".join(f"{k}={v}" for k, v in f["summary"].items()))


def _left_out(seed: int) -> str:
    earlier = ROUNDS[:ROUNDS.index(seed)] if seed in ROUNDS else ROUNDS
    if not earlier:
        return ""
    if earlier == (SEED,):      # the seed-41 round's wording, unchanged
        return f"; the {SEED}-seed round's sequences left out (a disjoint sample)"
    return f"; the sequences of the seed {', '.join(map(str, earlier[:-1]))} and {earlier[-1]} rounds left out (a disjoint sample)"


def _views_said(seed: int) -> str:
    views = nwucla_views(seed)
    return f"view {views[0]}" if len(views) == 1 else f"views {', '.join(views)} in turn (the next only where the one before ran out)"


def write(rows: list[dict], verdicts: dict, path: Path, seed: int = SEED) -> dict:
    """Merge the verdicts; write the table (md) and the numbers (json); return the shares."""
    counts = {"holds": 0, "false": 0, "ambiguous": 0, "unchecked": 0}
    by_dataset: dict[str, dict[str, int]] = {}
    still_total = still_false = 0
    lines = []
    for seq in rows:
        own = verdicts.get(seq["sequence"], {})
        for f in seq["facts"]:
            verdict, why = own.get(f["key"], ["unchecked", ""])
            f["verdict"], f["decided_by"] = verdict, why
            counts[verdict] += 1
            by_dataset.setdefault(seq["dataset"], {k: 0 for k in counts})[verdict] += 1
            if f["motion"] in NO_MOVEMENT:
                still_total += 1
                still_false += verdict == "false"
            lines.append(f"| {seq['dataset']} | {seq['sequence']} | {seq['class']} | {f['text']} | {verdict} | {why} |")
    checked = counts["holds"] + counts["false"] + counts["ambiguous"]
    shares = {"facts": sum(counts.values()), "checked": checked, **counts,
              "holds_share": round(counts["holds"] / checked, 3) if checked else None,
              "no_movement_statements": still_total, "no_movement_false": still_false,
              "by_dataset": by_dataset, "sequences": len(rows)}
    api = "read_motion" if hasattr(detector, "read_motion") else "kinematic_facts"
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m experiments.facts_handcheck " + " ".join(sys.argv[1:])
    md = ["# Hand-checked facts on real sequences (issue 40, item 1c)", "",
          f"Command: `{command.strip()}`  ", f"Commit: {head_commit()} (working tree at run time)  ", f"Date: {when}  ",
          f"Seed: {seed}; {len(rows)} sequences ({PER_DATASET} per dataset, classes in turn): NW-UCLA {_views_said(seed)}, UTD-MHAD, Penn Action (2D); detector `actlm.explain.facts.{api}`"
          + _left_out(seed) + "  ", _camera_lines(rows), "",
          f"Stated facts: {shares['facts']}; checked {checked}: holds {counts['holds']}, false {counts['false']}, "
          f"ambiguous {counts['ambiguous']}; **share that holds {shares['holds_share']}** (of checked; target >= 0.95). "
          f"'No movement' statements (still facts and 'no motion' problems): {still_total}, false {still_false}.", "",
          "| dataset | facts | holds | false | ambiguous |", "|---|---|---|---|---|",
          *[f"| {d} | {sum(c.values())} | {c['holds']} | {c['false']} | {c['ambiguous']} |" for d, c in by_dataset.items()], "",
          f"Each verdict was made by reading the numbers that `{command.strip().replace(' --write', '')}` prints (own "
          f"measurement code; see its docstring for the frame), kept per fact in {path.name}.json; the verdicts "
          f"themselves are in {path.name}.verdicts.json (by sequence and fact).", "", CRITERIA,
          "| dataset | sequence | class | fact | verdict | the number that decides it |", "|---|---|---|---|---|---|",
          *lines]
    notes = handwritten_notes(path.with_suffix(".md"))
    path.with_suffix(".md").write_text("\n".join(md) + "\n" + notes)
    path.with_suffix(".json").write_text(json.dumps({"command": command.strip(), "commit": head_commit(), "date": when,
                                                     "seed": seed, "summary": shares, "sequences": rows}, indent=1) + "\n")
    return shares


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write results/NAME.{md,json} with the verdicts")
    parser.add_argument("--only", nargs="*", help="print only these sequences")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"the sample's seed (default {SEED}); the earlier rounds' sequences ({ROUNDS}) are left out")
    parser.add_argument("--name", default=NAME, help=f"stem of the results and verdict files (default {NAME})")
    args = parser.parse_args(argv)
    rows = collect(choose(args.seed))
    if args.only:
        rows = [r for r in rows if r["sequence"] in args.only]
    if args.write:
        verdicts_file = RESULTS / f"{args.name}.verdicts.json"
        verdicts = json.loads(verdicts_file.read_text()) if verdicts_file.exists() else {}
        print(write(rows, verdicts, RESULTS / args.name, args.seed))
    else:
        print_rows(rows)


if __name__ == "__main__":
    main()
