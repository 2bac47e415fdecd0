"""Northwestern-UCLA Multiview Action 3D, from the ``all_sqe`` JSON files (one per sequence).

File ``aAA_sSS_eEE_vVV.json``: ``{"file_name", "skeletons": [T][20][3], "label": 1..10}``.
Standard cross-view protocol: train on views 1 and 2, test on view 3.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, file_error
from .importer import import_files
from .layouts import KINECT_V1
from .store import DatasetWriter, Sample
from .sequence_files import json_number_array
from .validate import check_sequence, read_skeleton_json

ACTION_IDS = (1, 2, 3, 4, 5, 6, 8, 9, 11, 12)
CLASSES = ("pick up with one hand", "pick up with two hands", "drop trash", "walk around",
           "sit down", "stand up", "donning", "doffing", "throw", "carry")
_NAME = re.compile(r"^a(\d\d)_s(\d\d)_e(\d\d)_v(\d\d)$")

HOW_TO_GET = """NW-UCLA skeletons are expected as JSON files in {where}
  layout: <data root>/nw-ucla/all_sqe/aAA_sSS_eEE_vVV.json  (1484 files)
  each: {{"file_name": "a01_s01_e00_v01", "skeletons": [T][20][3], "label": 1..10}}
Get them from the NW-UCLA release in the CTR-GCN data layout (research use only), then set
--data-root or ACTLM_DATA to the folder that contains nw-ucla/."""


def read_sequence(path: Path) -> Sample:
    """Read and validate one ``all_sqe`` JSON file."""
    stem = path.stem
    match = _NAME.match(stem)
    if not match:
        raise file_error(path, "file name is not aAA_sSS_eEE_vVV.json")
    action, subject, episode, view = (int(g) for g in match.groups())
    if action not in ACTION_IDS:
        raise file_error(path, f"unknown action id a{action:02d} (NW-UCLA has {ACTION_IDS})")
    obj = read_skeleton_json(path)
    label = obj.get("label")
    expected = ACTION_IDS.index(action) + 1
    if label is not None and label != expected:
        raise file_error(path, f"label {label!r} does not match action a{action:02d} (expected {expected})")
    arr = json_number_array(obj["skeletons"], path).astype(np.float32)   # true/false are not coordinates
    if arr.ndim != 3:
        raise file_error(path, f"'skeletons' should be [frames][joints][3], got shape {arr.shape}")
    data = check_sequence(arr[None], path, KINECT_V1, channels=3)
    meta = {"action": action, "subject": subject, "episode": episode, "view": view}
    return Sample(data=data, label=expected - 1, sample_id=stem, meta=meta)


@register_dataset("nw-ucla", "nw-ucla/all_sqe", HOW_TO_GET, aliases=("nwucla", "ucla"))
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Convert the ``all_sqe`` folder at ``raw`` into a prepared dataset at ``out``."""
    files = sorted(raw.glob("*.json"))
    if not files:
        raise DataError(f"{raw}: no .json files found\n" + HOW_TO_GET.format(where=raw))
    with DatasetWriter(out, "nw-ucla", KINECT_V1, ["x", "y", "z"], list(CLASSES), max_persons=1,
                       extra={"default_benchmark": "xview", "source": str(raw)}) as writer:
        return import_files(files, read_sequence, writer, {"xview_train": [], "xview_test": []},
                            lambda s: ["xview_test" if s.meta["view"] == 3 else "xview_train"], progress, raw)
