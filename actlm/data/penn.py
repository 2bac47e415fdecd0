"""Penn Action: 2,326 sports/exercise clips with 13 annotated 2D joints per frame (no video here).

File ``NNNN.mat`` (MATLAB v5): ``x``, ``y`` (frames x 13, pixels, y down), ``visibility``
(frames x 13, 0/1), ``bbox``, ``action`` (one of 15), ``pose`` (the camera's view: front,
back, ...), ``train`` (1 train, -1 test: the official 1,258 / 1,068 split), ``nframes``.
Joint order (layout ``penn-13``): head, left/right shoulder, elbow, wrist, hip, knee, ankle.
Stored channels: x, y in image pixels. Joints marked invisible keep the position the annotation
gives them: an estimate for most, but a placeholder at the image's origin (x, y < 2 px) for about
38 % of the invisible ones (8 % of all joints, in 31 % of the clips; every 5th file counted). Readers
that need real positions use ``visibility`` (the fact detector does); the stored data and the models
trained on it include the placeholders as they are.
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
from .store import DatasetWriter, Sample
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
    data = check_sequence(np.stack([x, y], axis=-1)[None], path, PENN_13, channels=2)
    visible = float(mat["visibility"].mean())
    meta = {"split": "train" if flag == 1 else "test", "view": _text(mat.get("pose", np.array([]))) or None,
            "visible": round(visible, 3)}
    return Sample(data=data, label=ACTIONS.index(action), sample_id=path.stem, meta=meta)


@register_dataset("penn-action", "penn-action", HOW_TO_GET, aliases=("penn", "pennaction"))
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Convert the folder of ``NNNN.mat`` files at ``raw`` into a prepared dataset at ``out``."""
    files = sorted(raw.glob("*.mat"))
    if not files:
        raise DataError(f"{raw}: no .mat files found\n" + HOW_TO_GET.format(where=raw))
    with DatasetWriter(out, "penn-action", PENN_13, ["x", "y"], list(CLASSES), max_persons=1,
                       extra={"default_benchmark": None, "source": str(raw),
                              "coordinates": "image pixels, y down"}) as writer:
        return import_files(files, read_sequence, writer, {"train": [], "test": []},
                            lambda s: [s.meta["split"]], progress, raw)
