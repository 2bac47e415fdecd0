"""SBU Kinect Interaction (clean version): 282 two-person interactions, 15 joints per person.

File ``sXXsYY/CC/RRR/skeleton_pos.txt`` (subject pair, class 01..08, recording): one line per
frame, ``frame index, 2 persons x 15 joints x (x, y, z)`` (91 comma-separated numbers). The
clean release normalises x, y to [0, 1] of the image and scales z; its README gives the inverse,
``X = 1280 - 2560 x``, ``Y = 960 - 1920 y``, ``Z = 10000 z / 7.8125`` (millimetres), which this
importer applies (and divides by 1000), so the axes share one unit (metres, y up) and rotations
in ``SpineAlign``/``RandomRotate`` are true rotations. Joints (layout ``sbu-15``): head, neck,
torso, left shoulder/elbow/hand, right shoulder/elbow/hand, left hip/knee/foot, right hip/knee/foot.

Protocol: 5-fold cross validation over the 21 subject pairs with the fold assignment of the
literature (:data:`FOLDS`); splits ``fold1_train``/``fold1_test`` ... ``fold5_*``, default fold1.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, file_error
from .importer import import_files
from .layouts import SBU_15
from .store import DatasetWriter, Sample
from .validate import check_sequence

CLASSES = ("approaching", "departing", "kicking", "pushing", "shaking hands", "hugging", "exchanging object",
           "punching")
#: subject pairs per fold (Yun et al. 2012's 5-fold cross validation, as used by later work)
FOLDS = (("s01s02", "s03s04", "s05s02", "s06s04"),
         ("s02s03", "s02s07", "s03s05", "s05s03"),
         ("s01s03", "s01s07", "s07s01", "s07s03"),
         ("s02s01", "s02s06", "s03s02", "s03s06"),
         ("s04s02", "s04s03", "s04s06", "s06s02", "s06s03"))
PERSONS, JOINTS = 2, 15
_PATH = re.compile(r"^(s\d\ds\d\d)/(\d\d)/(\d\d\d)/skeleton_pos\.txt$")

HOW_TO_GET = """SBU Kinect Interaction (clean version) is expected in {where}
  layout: <data root>/sbu-kinect/sXXsYY/CC/RRR/skeleton_pos.txt  (282 recordings)
Get the "clean" skeleton archives of the SBU Kinect Interaction dataset (Stony Brook
University, research use), then set --data-root or ACTLM_DATA to the folder that contains sbu-kinect/."""


def fold_of(pair: str) -> int:
    """The fold (1..5) holding a subject pair; raises ``KeyError`` for a pair in none."""
    for k, pairs in enumerate(FOLDS, start=1):
        if pair in pairs:
            return k
    raise KeyError(pair)


def read_frames(path: Path) -> np.ndarray:
    """The file's frames as (2 persons, T, 15, 3) in metres, y up; errors name the line."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            fields = line.strip().rstrip(",").split(",")
            if len(fields) != 1 + PERSONS * JOINTS * 3:
                raise file_error(path, f"{len(fields)} values, expected 91 (frame index + 2 x 15 x 3)", line_no)
            try:
                rows.append([float(v) for v in fields[1:]])
            except ValueError:
                raise file_error(path, "a value is not a number", line_no) from None
    if not rows:
        raise file_error(path, "no frames")
    norm = np.asarray(rows, dtype=np.float64).reshape(len(rows), PERSONS, JOINTS, 3).transpose(1, 0, 2, 3)
    metres = np.stack([1280 - 2560 * norm[..., 0], 960 - 1920 * norm[..., 1], norm[..., 2] * 10000 / 7.8125],
                      axis=-1) / 1000
    return metres.astype(np.float32)


def read_sequence(path: Path, raw: Path) -> Sample:
    """Read and validate one recording (``path`` inside the dataset folder ``raw``)."""
    match = _PATH.match(path.relative_to(raw).as_posix())
    if not match:
        raise file_error(path, "not at sXXsYY/CC/RRR/skeleton_pos.txt")
    pair, action, clip = match.group(1), int(match.group(2)), int(match.group(3))
    if not 1 <= action <= len(CLASSES):
        raise file_error(path, f"unknown class folder {match.group(2)} (SBU has 01..08)")
    try:
        fold = fold_of(pair)
    except KeyError:
        raise file_error(path, f"subject pair {pair} is in none of the 5 folds") from None
    data = check_sequence(read_frames(path), path, SBU_15, channels=3)
    meta = {"pair": pair, "subjects": [int(pair[1:3]), int(pair[4:6])], "clip": clip, "fold": fold}
    return Sample(data=data, label=action - 1, sample_id=f"{pair}_{action:02d}_{clip:03d}", meta=meta)


def _splits_of(sample: Sample) -> list[str]:
    fold = sample.meta["fold"]
    return [f"fold{k}_{'test' if k == fold else 'train'}" for k in range(1, len(FOLDS) + 1)]


@register_dataset("sbu", "sbu-kinect", HOW_TO_GET, aliases=("sbu-kinect", "sbu-interaction"))
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Convert the SBU folder tree at ``raw`` into a prepared dataset at ``out``."""
    files = sorted(raw.rglob("skeleton_pos.txt"))
    if not files:
        raise DataError(f"{raw}: no skeleton_pos.txt files found\n" + HOW_TO_GET.format(where=raw))
    splits = {f"fold{k}_{part}": [] for k in range(1, len(FOLDS) + 1) for part in ("train", "test")}
    with DatasetWriter(out, "sbu", SBU_15, ["x", "y", "z"], list(CLASSES), max_persons=PERSONS,
                       extra={"default_benchmark": "fold1", "source": str(raw),
                              "folds": [list(f) for f in FOLDS]}) as writer:
        return import_files(files, lambda p: read_sequence(p, raw), writer, splits, _splits_of, progress, raw)
