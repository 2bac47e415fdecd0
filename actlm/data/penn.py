"""Penn Action: 2,326 sports/exercise clips with 13 annotated 2D joints per frame (no video here).

File ``NNNN.mat`` (MATLAB v5): ``x``, ``y`` (frames x 13, pixels, y down), ``visibility``
(frames x 13, 0/1), ``bbox``, ``action`` (one of 15), ``pose`` (the camera's view: front,
back, ...), ``train`` (1 train, -1 test: the official 1,258 / 1,068 split), ``nframes``.
Joint order (layout ``penn-13``): head, left/right shoulder, elbow, wrist, hip, knee, ankle.
Stored channels: x, y in image pixels.

Joints marked invisible keep the position the annotation gives them (an estimate), except the
placeholders: 40 % of the invisible joints (187,352 readings, 8.8 % of all, in 770 of the 2,326
clips) sit at the image's origin (x = y, both below 2 px), where no real reading is (the smallest
real coordinate in the set is 4 px; no visible joint is there). The importer replaces each by an
estimate (:func:`fill_placeholders`): in time between the same joint's real readings where the
clip has any; from the body where it has none (2,614 joints: mostly limbs out of the frame or
hidden behind the body for the whole clip). Each sample's ``meta`` says how many readings were
filled (``filled``) and which joints had no real reading at all (``unseen``); the import report
totals them.

The per-frame flags are kept: ``meta['hidden']`` holds every joint-frame the annotation marks
invisible (22 % of all: the guesses and the placeholders), as runs of frames per joint name
(:func:`actlm.data.store.hidden_runs`). ``Sample.visibility`` (what ``actlm explain`` and the
facts benchmarks pass to the fact detector) is 0 for the ``unseen`` joints only by default; the
flags come back with ``hidden="limbs"`` or ``"all"`` (measured there: passing them to the
detector removed no hand-checked false fact and lost true ones).
Importer version 3 (version 2 stored only ``unseen``; version 1 kept the placeholders).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, file_error
from .importer import import_files
from .layouts import PENN_13
from .store import DatasetWriter, Sample, hidden_runs
from .validate import check_sequence, read_mat

#: the ``action`` values, in the usual (alphabetical) class order
ACTIONS = ("baseball_pitch", "baseball_swing", "bench_press", "bowl", "clean_and_jerk", "golf_swing",
           "jump_rope", "jumping_jacks", "pullup", "pushup", "situp", "squat", "strum_guitar",
           "tennis_forehand", "tennis_serve")
CLASSES = tuple(a.replace("_", " ") for a in ACTIONS)
_NAME = re.compile(r"^\d{4}$")

HOW_TO_GET = """Penn Action annotations are expected as .mat files in {where}
  layout: <data root>/penn-action/NNNN.mat  (2326 files with x, y, visibility, action, train)
Get the "labels" folder of the Penn Action release (University of Pennsylvania, research use),
then set --data-root or ACTLM_DATA to the folder that contains penn-action/."""


def _text(value: np.ndarray) -> str:
    return str(value.ravel()[0]).strip() if value.size else ""


#: an invisible joint whose x and y are both below this many pixels is a placeholder, not a
#: reading: the placeholders of the set lie at 0.5-1.5 px (x = y), the smallest real coordinate
#: (visible or estimated by the annotator) is 4 px
PLACEHOLDER_PX = 2.0
#: for a joint hidden all clip long whose other-side twin is seen: the pair of joints whose
#: left-to-right offset carries the twin over to this side (the limb's own root: shoulders for
#: the arms, hips for the legs; the trunk's other end for the shoulders and hips themselves)
_SIDE_ANCHOR = {"shoulder": "hip", "elbow": "shoulder", "wrist": "shoulder",
                "hip": "shoulder", "knee": "hip", "ankle": "hip"}


def placeholders(x: np.ndarray, y: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """(frames, joints) True where the annotation put an invisible joint at the image's origin."""
    return (visibility == 0) & (x < PLACEHOLDER_PX) & (y < PLACEHOLDER_PX)


def _interpolate_in_time(track: np.ndarray, real: np.ndarray) -> np.ndarray:
    """One joint's (frames, 2) track with the frames not ``real`` set linearly between the
    nearest real readings before and after, held at the clip's ends."""
    frames = np.arange(len(track))
    out = track.copy()
    for c in range(track.shape[1]):
        out[~real, c] = np.interp(frames[~real], frames[real], track[real, c])
    return out


def _side_name(name: str) -> tuple[str, str] | None:
    side, _, part = name.partition("_")
    return (side, part) if side in ("left", "right") else None


def _from_the_other_side(xy: np.ndarray, joint: int, seen: np.ndarray) -> np.ndarray | None:
    """The twin across the body's midline, moved by the offset between the two sides' anchor
    joints (:data:`_SIDE_ANCHOR`) when both are seen, else where the twin is (the far limb hidden
    behind the near one, as in a side view); None when the twin is not seen either. A shift, not
    a reflection: in the side views (half of Penn Action's hidden-joint clips) a reflection about
    the trunk would turn the limb to face backwards."""
    names = PENN_13.joints
    side_part = _side_name(names[joint])
    if side_part is None:
        return None
    side, part = side_part
    other = "right" if side == "left" else "left"
    twin = names.index(f"{other}_{part}")
    if not seen[twin]:
        return None
    own_anchor, twin_anchor = (names.index(f"{s}_{_SIDE_ANCHOR[part]}") for s in (side, other))
    if seen[own_anchor] and seen[twin_anchor]:
        return xy[:, twin] + xy[:, own_anchor] - xy[:, twin_anchor]
    return xy[:, twin].copy()


def _bone_distances(joint: int) -> np.ndarray:
    """Number of bones between ``joint`` and every joint of :data:`PENN_13`."""
    far = len(PENN_13.joints)
    dist = np.full(far, far)
    dist[joint] = 0
    for step in range(1, far):
        for child, parent in PENN_13.bones:
            for a, b in ((child, parent), (parent, child)):
                if dist[a] == step - 1 and dist[b] > step:
                    dist[b] = step
    return dist


def _from_the_nearest_joints(xy: np.ndarray, joint: int, known: np.ndarray) -> np.ndarray:
    """The mean of the known joints fewest bones away (an ankle whose knee is known: the knee; a
    knee between a known hip and ankle: their midpoint; the head: the shoulders' midpoint). It
    adds no bone direction the data does not show."""
    dist = np.where(known, _bone_distances(joint), np.iinfo(int).max)
    return xy[:, dist == dist.min()].mean(axis=1)


def fill_placeholders(xy: np.ndarray, placeholder: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``xy`` (frames, 13, 2) with every ``placeholder`` reading (frames, 13) replaced by an
    estimate; real readings are returned as they are. Returns the array and the names of the
    joints that had no real reading in the clip.

    A joint with real readings in the clip: linear interpolation in time between its nearest real
    readings, held at the clip's ends. A joint with none: its twin across the body's midline
    shifted to this side (:func:`_from_the_other_side`) when the twin has readings, else the mean
    of the nearest joints along the bones that have a position (:func:`_from_the_nearest_joints`).
    """
    out = np.array(xy, dtype=np.float64)
    real = ~placeholder
    seen = real.any(axis=0)
    if not seen.any():
        raise ValueError("no joint has a real reading in any frame")
    for joint in np.flatnonzero(seen & placeholder.any(axis=0)):
        out[:, joint] = _interpolate_in_time(out[:, joint], real[:, joint])
    known = seen.copy()
    unseen = np.flatnonzero(~seen)
    for joint in unseen:
        twin = _from_the_other_side(out, joint, seen)
        if twin is not None:
            out[:, joint] = twin
            known[joint] = True
    by_twin = known.copy()
    for joint in np.flatnonzero(~by_twin):
        out[:, joint] = _from_the_nearest_joints(out, joint, by_twin)
    return out, [PENN_13.joints[j] for j in unseen]


def read_sequence(path: Path) -> Sample:
    """Read and validate one ``NNNN.mat`` annotation file."""
    if not _NAME.match(path.stem):
        raise file_error(path, "file name is not NNNN.mat (four digits)")
    mat = read_mat(path, ("x", "y", "visibility", "action", "train"), optional=("pose",))
    x, y = mat["x"], mat["y"]
    if x.ndim != 2 or x.shape[1:] != (PENN_13.num_joints,) or y.shape != x.shape or mat["visibility"].shape != x.shape:
        raise file_error(path, f"x, y and visibility should be (frames, 13) arrays, got {x.shape}, {y.shape}, "
                               f"{mat['visibility'].shape}")
    action = _text(mat["action"])
    if action not in ACTIONS:
        raise file_error(path, f"unknown action {action!r} (Penn Action has {', '.join(ACTIONS)})")
    flag = int(mat["train"].ravel()[0]) if mat["train"].size else 0
    if flag not in (1, -1):
        raise file_error(path, f"'train' is {flag}, expected 1 (train) or -1 (test)")
    placeholder = placeholders(x, y, mat["visibility"])
    if placeholder.all():
        raise file_error(path, "every joint is a placeholder at the image's origin (no real reading)")
    xy, unseen = fill_placeholders(np.stack([x, y], axis=-1), placeholder)
    data = check_sequence(xy[None], path, PENN_13, channels=2)
    visible = float(mat["visibility"].mean())
    meta = {"split": "train" if flag == 1 else "test", "view": _text(mat.get("pose", np.array([]))) or None,
            "visible": round(visible, 3), "filled": int(placeholder.sum()), "unseen": unseen,
            "hidden": hidden_runs(mat["visibility"] == 0, PENN_13.joints)}
    return Sample(data=data, label=ACTIONS.index(action), sample_id=path.stem, meta=meta)


#: version 2: placeholders at the image origin replaced by estimates; version 3: the per-frame visibility
#: flags kept (``meta['hidden']``). A copy prepared by an older version is prepared again.
@register_dataset("penn-action", "penn-action", HOW_TO_GET, aliases=("penn", "pennaction"), version=3)
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Convert the folder of ``NNNN.mat`` files at ``raw`` into a prepared dataset at ``out``."""
    files = sorted(raw.glob("*.mat"))
    if not files:
        raise DataError(f"{raw}: no .mat files found\n" + HOW_TO_GET.format(where=raw))
    with DatasetWriter(out, "penn-action", PENN_13, ["x", "y"], list(CLASSES), max_persons=1,
                       extra={"default_benchmark": None, "source": str(raw),
                              "coordinates": "image pixels, y down"}) as writer:
        filled: list[dict] = []

        def read_and_count(path: Path) -> Sample:
            sample = read_sequence(path)
            if sample.meta["filled"]:
                filled.append(sample.meta)
            return sample

        report = import_files(files, read_and_count, writer, {"train": [], "test": []},
                              lambda s: [s.meta["split"]], progress, raw)
    report.notes.append(placeholder_note(filled))
    return report


def placeholder_note(filled: list[dict]) -> str:
    """The import report's line on the placeholders replaced in the clips whose ``meta`` is in ``filled``."""
    readings = sum(meta["filled"] for meta in filled)
    unseen = sum(len(meta["unseen"]) for meta in filled)
    return (f"replaced {readings} placeholder joint readings at the image origin in {len(filled)} clips "
            f"({unseen} joints without any real reading in their clip estimated from the body)")
