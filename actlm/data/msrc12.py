"""MSRC-12 Kinect gesture dataset (Microsoft Research Cambridge): continuous recordings cut into gestures.

File ``P{A}_{B}_{G}[A]_p{D}.npz``: ``joints`` (T, 20, 3) float16 in Kinect v1 SDK order (actlm's
``kinect-v1`` layout), metres; ``time_usec`` per frame (~30 fps); ``action_point_frames``: the
frames at which the gesture "should be detected" (the dataset's action points, one per
repetition, about ten per recording). ``G`` is the gesture (1..12), ``p{D}`` the person (1..30),
``{A}_{B}`` (and a letter after ``G``) the kind of instruction the person was given (text, images, video).

Segments. Each recording is one person repeating one gesture; every action point becomes one
sample: the frames from :data:`BEFORE` frames before the action point to :data:`AFTER` frames
after it (1.5 s before, 0.5 s after at 30 fps: the action point marks the gesture's climax or
end, so most of the movement comes before it), cut at the midpoints to the neighbouring action
points so that two segments of one recording never share a frame. Segment ids are
``<recording>_r<k>`` (k-th action point, from 1).

Split: persons with odd numbers train, even numbers test (15 / 15 people; split names
``xsub_train``/``xsub_test``, default benchmark ``xsub``), so no person is in both.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, Skipped, file_error
from .layouts import KINECT_V1
from .sequence_files import special_file_reason
from .store import DatasetWriter, Sample
from .validate import check_sequence

#: the 12 gestures G1..G12, named as the dataset's description names them
CLASSES = ("lift outstretched arms", "duck", "push right", "goggles", "wind it up", "shoot", "bow", "throw",
           "had enough", "change weapon", "beat both", "kick")
#: what each gesture means in the dataset's instructions (G1..G12)
PURPOSES = ("start system / music", "crouch or hide", "next menu", "put on night-vision goggles", "wind it up",
            "shoot a pistol", "take a bow to end the music", "throw an object", "protest the music",
            "change weapon", "move up the tempo of the song", "kick to attack an enemy")
BEFORE, AFTER = 45, 15
_NAME = re.compile(r"^P(\d+)_(\d+)_(\d+)([A-Z]?)_p(\d+)$")

HOW_TO_GET = """MSRC-12 recordings are expected as .npz files in {where}
  layout: <data root>/msrc-12/P{{A}}_{{B}}_{{G}}_p{{D}}.npz  (joints T x 20 x 3, time_usec, action_point_frames)
Converted from the CSV/tagstream files of the MSRC-12 Kinect gesture dataset (Microsoft Research
Cambridge, research use); set --data-root or ACTLM_DATA to the folder that contains msrc-12/."""


def segment_bounds(action_points: np.ndarray, frames: int) -> list[tuple[int, int]]:
    """[start, end) of the segment of each action point (see the module docstring)."""
    points = np.asarray(action_points, dtype=np.int64)
    bounds = []
    for k, point in enumerate(points):
        start, end = point - BEFORE, point + AFTER + 1
        if k > 0:
            start = max(start, (points[k - 1] + point) // 2 + 1)
        if k + 1 < len(points):
            end = min(end, (point + points[k + 1]) // 2 + 1)
        bounds.append((int(max(start, 0)), int(min(end, frames))))
    return bounds


def read_recording(path: Path) -> tuple[list[Sample], list[Skipped]]:
    """The gesture segments of one recording, and the segments passed over (no skeleton in their
    frames); a :class:`DataError` names the file and the problem that makes all of it unreadable."""
    match = _NAME.match(path.stem)
    if not match:
        raise file_error(path, "file name is not P{A}_{B}_{G}_p{D}.npz")
    a, b, gesture, variant, person = match.groups()
    gesture, person = int(gesture), int(person)
    if not 1 <= gesture <= len(CLASSES):
        raise file_error(path, f"unknown gesture G{gesture} (MSRC-12 has G1..G{len(CLASSES)})")
    try:
        with np.load(path, allow_pickle=False) as npz:
            joints, points = npz["joints"], npz["action_point_frames"]
    except (OSError, ValueError, KeyError) as exc:
        raise file_error(path, f"not an MSRC-12 .npz with 'joints' and 'action_point_frames' ({exc})") from None
    if joints.ndim != 3 or joints.shape[1:] != (KINECT_V1.num_joints, 3):
        raise file_error(path, f"'joints' should be (frames, 20, 3), got {joints.shape}")
    if points.ndim != 1 or not len(points) or points.min() < 0 or points.max() >= len(joints):
        raise file_error(path, f"'action_point_frames' should be frame numbers within 0..{len(joints) - 1}, "
                               f"got {points.tolist()[:12]}")
    samples, skipped = [], []
    for k, (start, end) in enumerate(segment_bounds(np.sort(points), len(joints)), start=1):
        where = f"{path} (action point {k}, frames {start}-{end - 1})"
        try:
            data = check_sequence(joints[None, start:end].astype(np.float32), where, KINECT_V1, channels=3)
        except DataError as exc:
            skipped.append(Skipped.from_error(where, exc))
            continue
        meta = {"person": person, "gesture": gesture, "instruction": f"{a}_{b}{variant}", "recording": path.stem,
                "frames": [start, end]}
        samples.append(Sample(data=data, label=gesture - 1, sample_id=f"{path.stem}_r{k}", meta=meta))
    return samples, skipped


@register_dataset("msrc-12", "msrc-12", HOW_TO_GET, aliases=("msrc12", "msrc"))
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Cut every recording at ``raw`` into gesture segments and write them to ``out``."""
    files = sorted(raw.glob("*.npz"))
    if not files:
        raise DataError(f"{raw}: no .npz files found\n" + HOW_TO_GET.format(where=raw))
    splits: dict[str, list[str]] = {"xsub_train": [], "xsub_test": []}
    skipped: list[Skipped] = []
    extra = {"default_benchmark": "xsub", "source": str(raw), "class_descriptions": list(PURPOSES),
             "segments": f"{BEFORE} frames before to {AFTER} after each action point, cut at the midpoints "
                         f"to its neighbours", "split": "odd persons train, even persons test"}
    with DatasetWriter(out, "msrc-12", KINECT_V1, ["x", "y", "z"], list(CLASSES), max_persons=1,
                       extra=extra) as writer:
        for path in (progress(files) if progress else files):
            reason = special_file_reason(path)
            if reason:
                skipped.append(Skipped(str(path), reason))
                continue
            try:
                samples, passed_over = read_recording(path)
            except DataError as exc:
                skipped.append(Skipped.from_error(path, exc))
                continue
            skipped += passed_over
            for sample in samples:
                writer.add(sample)
                splits["xsub_train" if sample.meta["person"] % 2 else "xsub_test"].append(sample.sample_id)
        if not writer.index:
            raise DataError(f"{raw}: none of {len(files)} recordings could be read:\n"
                            + "\n".join(f"  {s.path}: {s.reason}" for s in skipped[:5]))
        writer.close(splits)
    return PrepareReport(written=len(writer.index), skipped=skipped, output=writer.root)
