"""UTD Multimodal Human Action Dataset (UTD-MHAD), the Kinect v1 skeletons.

File ``aAA_sS_tT_skeleton.mat`` (action 1..27, subject 1..8, repetition 1..4), MATLAB v5 with
one array ``d_skel`` of shape (20 joints, 3, frames), xyz in metres. The joints are in the
release's own order (``Skeleton_joint_order.txt``: head, shoulder_center, spine, hip_center,
...), not in Kinect v1's usual one, so the layout is declared in a layout file shipped with
actlm (``resources/utd-mhad_layout.yaml``) and stored with the prepared data.
Standard cross-subject protocol: subjects 1, 3, 5, 7 train, 2, 4, 6, 8 test.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, file_error
from .importer import import_files
from .layout_file import read_layout_file
from .layouts import register_layout
from .store import DatasetWriter, Sample
from .validate import check_sequence, read_mat

LAYOUT = register_layout(read_layout_file(Path(__file__).parent / "resources" / "utd-mhad_layout.yaml"))
#: class names as the PURLS description sheet (UTD-MHAD) names them, in action order a1..a27
CLASSES = ("swipe left", "swipe right", "wave", "clap", "throw", "arm cross", "basketball shoot", "draw x",
           "draw circle (clockwise)", "draw circle (counter clockwise)", "draw triangle", "bowling", "boxing",
           "baseball swing", "tennis swing", "arm curl", "tennis serve", "push", "knock", "catch",
           "pickup and throw", "jog", "walk", "sit to stand", "stand to sit", "lunge", "squat")
#: the release's longer descriptions of the same actions
OFFICIAL_NAMES = ("right arm swipe to the left", "right arm swipe to the right", "right hand wave",
                  "two hand front clap", "right arm throw", "cross arms in the chest", "basketball shoot",
                  "right hand draw x", "right hand draw circle (clockwise)",
                  "right hand draw circle (counter clockwise)", "draw triangle", "bowling (right hand)",
                  "front boxing", "baseball swing from right", "tennis right hand forehand swing",
                  "arm curl (two arms)", "tennis serve", "two hand push", "right hand knock on door",
                  "right hand catch an object", "right hand pick up and throw", "jogging in place",
                  "walking in place", "sit to stand", "stand to sit", "forward lunge (left foot forward)",
                  "squat (two arms stretch out)")
TRAIN_SUBJECTS = (1, 3, 5, 7)
_NAME = re.compile(r"^a(\d+)_s(\d+)_t(\d+)_skeleton$")

HOW_TO_GET = """UTD-MHAD skeletons are expected as .mat files in {where}
  layout: <data root>/utd-mhad/aAA_sS_tT_skeleton.mat  (861 files, key d_skel: 20 x 3 x frames)
Get the "Skeleton" archive of the UTD-MHAD release (research use), then set --data-root or
ACTLM_DATA to the folder that contains utd-mhad/."""


def read_sequence(path: Path) -> Sample:
    """Read and validate one ``aAA_sS_tT_skeleton.mat`` file."""
    match = _NAME.match(path.stem)
    if not match:
        raise file_error(path, "file name is not aAA_sS_tT_skeleton.mat")
    action, subject, repetition = (int(g) for g in match.groups())
    if not 1 <= action <= len(CLASSES):
        raise file_error(path, f"unknown action id a{action} (UTD-MHAD has a1..a{len(CLASSES)})")
    skel = read_mat(path, ("d_skel",))["d_skel"]
    if skel.ndim != 3 or skel.shape[:2] != (LAYOUT.num_joints, 3) or not np.issubdtype(skel.dtype, np.number):
        raise file_error(path, f"'d_skel' should be a (20, 3, frames) number array, got {skel.shape} {skel.dtype}")
    data = check_sequence(skel.transpose(2, 0, 1)[None], path, LAYOUT, channels=3)
    meta = {"action": action, "subject": subject, "repetition": repetition}
    return Sample(data=data, label=action - 1, sample_id=path.stem.removesuffix("_skeleton"), meta=meta)


@register_dataset("utd-mhad", "utd-mhad", HOW_TO_GET, aliases=("utdmhad", "utd"))
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Convert the folder of ``.mat`` skeleton files at ``raw`` into a prepared dataset at ``out``."""
    files = sorted(raw.glob("*.mat"))
    if not files:
        raise DataError(f"{raw}: no .mat files found\n" + HOW_TO_GET.format(where=raw))
    with DatasetWriter(out, "utd-mhad", LAYOUT, ["x", "y", "z"], list(CLASSES), max_persons=1,
                       extra={"default_benchmark": "xsub", "source": str(raw),
                              "class_descriptions": list(OFFICIAL_NAMES)}) as writer:
        return import_files(files, read_sequence, writer, {"xsub_train": [], "xsub_test": []},
                            lambda s: ["xsub_train" if s.meta["subject"] in TRAIN_SUBJECTS else "xsub_test"],
                            progress, raw)
