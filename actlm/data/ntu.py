"""NTU RGB+D 60 / 120 from the raw ``.skeleton`` files.

File format (Kinect v2, text)::

    <number of frames>
    per frame:  <number of bodies>
      per body: bodyID clippedEdges handLeftConfidence handLeftState handRightConfidence
                handRightState isRestricted leanX leanY trackingState
                <number of joints = 25>
                25 lines: x y z depthX depthY colorX colorY orientW orientX orientY orientZ trackingState

Files are parsed one at a time, line by line, so preparing 114k files needs the memory of one
file. Multi-body files are denoised as in the NTU literature before the two actors are kept:

1. bodies tracked for <= 11 frames are dropped (Kinect's short false detections);
2. bodies whose x-extent exceeds 0.8 x their y-extent in more than ~70 % of their frames are
   dropped (objects such as chairs detected as lying "bodies");
3. bodies whose motion (summed joint variance) is implausibly small or large are dropped;
   no rule ever removes the last remaining body;
4. the remaining bodies, most active first, fill two actor slots; a body whose frames do not
   overlap an actor's frames continues that actor (Kinect re-assigns ids after occlusions).

Frames with no actor are removed. The official lists of samples with missing skeletons (302 in
NTU60, 535 in NTU120, from the dataset authors) are skipped and reported.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, Skipped, file_error
from .layouts import KINECT_V2
from .sequence_files import special_file_reason
from .store import DatasetWriter, Sample

NAME = re.compile(r"^S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})$")
JOINT_VALUES = ("x", "y", "z", "depth_x", "depth_y", "color_x", "color_y",
                "orient_w", "orient_x", "orient_y", "orient_z", "tracking")
CHANNEL_GROUPS = {"xyz": ("x", "y", "z"), "depth": ("depth_x", "depth_y"), "color": ("color_x", "color_y"),
                  "orientation": ("orient_w", "orient_x", "orient_y", "orient_z"), "tracking": ("tracking",)}
XSUB_TRAIN_60 = {1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38}
XSUB_TRAIN_120 = XSUB_TRAIN_60 | {45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82,
                                  83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103}
XVIEW_TRAIN_CAMERAS = {2, 3}
MIN_TRACK_FRAMES = 11
SPREAD_RATIO, SPREAD_FRAME_FRACTION = 0.8, 0.69754
MOTION_RANGE = (0.089925, 2.0)

HOW_TO_GET = """NTU RGB+D skeletons are expected as .skeleton files in {where}
  layout: <data root>/ntu60/nturgb+d_skeletons/S001C001P001R001A001.skeleton ... (56,880 files)
          <data root>/ntu120/nturgb+d_skeletons/...                           (114,480 files)
Request the "3D skeletons" archives from the NTU ROSE lab (research licence), unpack them, and
either place them there or pass --raw DIR (e.g. actlm prepare ntu60 --raw ~/nturgb+d_skeletons)."""


def _resource_lines(name: str) -> list[str]:
    text = resources.files("actlm.data").joinpath("resources", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def class_names(num_classes: int = 120) -> list[str]:
    """English names of the NTU actions A001..A060 (NTU60) or A001..A120 (NTU120)."""
    return _resource_lines("ntu120_classes.txt")[:num_classes]


def missing_skeletons(variant: str) -> set[str]:
    """The dataset authors' list of samples whose skeletons are missing or incomplete."""
    return set(_resource_lines(f"{variant}_missing_skeletons.txt"))


# --- parsing -----------------------------------------------------------------------------
@dataclass
class BodyTrack:
    """All frames in which one Kinect body id was tracked, with the 12 values of each joint."""

    body_id: str
    frames: list[int] = field(default_factory=list)
    joints: list[np.ndarray] = field(default_factory=list)   # each (25, 12)

    def values(self) -> np.ndarray:
        """(T_body, 25, 12) array of this body's joints."""
        return np.stack(self.joints)

    @property
    def xyz(self) -> np.ndarray:
        return self.values()[..., :3]


@dataclass
class SkeletonRecording:
    """A parsed ``.skeleton`` file: frame count and one track per body id."""

    path: Path
    num_frames: int
    bodies: dict[str, BodyTrack]


class _LineReader:
    """Numbered lines of a text file, with typed reads that raise errors naming file and line."""

    def __init__(self, path: Path):
        self.path = path
        self.number = 0
        self._fh = open(path, "r", encoding="ascii", errors="strict")

    def close(self) -> None:
        self._fh.close()

    def _next(self, what: str) -> list[str]:
        try:
            line = self._fh.readline()
        except UnicodeDecodeError:
            raise file_error(self.path, "not a text .skeleton file (non-ASCII bytes)", self.number + 1) from None
        self.number += 1
        if not line:
            raise file_error(self.path, f"file ends early: expected {what}", self.number)
        return line.split()

    def integer(self, what: str) -> int:
        parts = self._next(what)
        if len(parts) != 1 or not re.fullmatch(r"-?[0-9]{1,9}", parts[0]):      # not '--5', '²' or 10**1000
            raise file_error(self.path, f"expected {what} (one integer), got {' '.join(parts)[:60]!r}", self.number)
        return int(parts[0])

    def fields(self, count: int, what: str) -> list[str]:
        parts = self._next(what)
        if len(parts) != count:
            raise file_error(self.path, f"expected {count} values for {what}, got {len(parts)}", self.number)
        return parts

    def floats(self, count: int, what: str) -> np.ndarray:
        parts = self.fields(count, what)
        try:
            values = np.array(parts, dtype=np.float32)
        except ValueError:
            raise file_error(self.path, f"non-numeric value in {what}: {' '.join(parts)[:80]!r}", self.number) from None
        if not np.isfinite(values).all():
            raise file_error(self.path, f"NaN/inf value in {what}", self.number)
        return values


def parse_skeleton_file(path: str | Path) -> SkeletonRecording:
    """Parse one raw NTU ``.skeleton`` file; raises :class:`DataError` with file and line."""
    path = Path(path)
    reader = _LineReader(path)
    try:
        num_frames = reader.integer("the number of frames")
        if num_frames <= 0:
            raise file_error(path, f"file has {num_frames} frames", 1)
        bodies: dict[str, BodyTrack] = {}
        for t in range(num_frames):
            num_bodies = reader.integer(f"the number of bodies in frame {t + 1}")
            if not 0 <= num_bodies <= 6:
                raise file_error(path, f"frame {t + 1} claims {num_bodies} bodies (Kinect tracks 0..6)", reader.number)
            for _ in range(num_bodies):
                body_id = reader.fields(10, f"the body header in frame {t + 1}")[0]
                joints = reader.integer(f"the joint count in frame {t + 1}")
                if joints != KINECT_V2.num_joints:
                    raise file_error(path, f"{joints} joints per body, the NTU (Kinect v2) layout has 25", reader.number)
                values = np.stack([reader.floats(12, f"joint {j + 1} of frame {t + 1}") for j in range(joints)])
                track = bodies.setdefault(body_id, BodyTrack(body_id))
                track.frames.append(t)
                track.joints.append(values)
        if reader._fh.read(1).strip():
            raise file_error(path, f"unexpected data after the {num_frames} declared frames", reader.number + 1)
    finally:
        reader.close()
    return SkeletonRecording(path, num_frames, bodies)


# --- denoising ---------------------------------------------------------------------------
def body_motion(track: BodyTrack) -> float:
    """Summed variance of the joint positions over time (how much the body moves)."""
    xyz = track.xyz
    return float(xyz.var(axis=0).sum()) if len(xyz) > 1 else 0.0


def _is_spread_noise(track: BodyTrack) -> bool:
    xyz = track.xyz
    extent = xyz.max(axis=1) - xyz.min(axis=1)                 # (T, 3)
    wide = extent[:, 0] > SPREAD_RATIO * extent[:, 1]
    return wide.mean() > SPREAD_FRAME_FRACTION


def _keep_unless_empty(tracks: list[BodyTrack], keep: Callable[[BodyTrack], bool]) -> list[BodyTrack]:
    kept = [t for t in tracks if keep(t)]
    return kept if kept else tracks


def denoise_bodies(recording: SkeletonRecording) -> list[BodyTrack]:
    """Apply the rules of the module docstring; returns candidate bodies, most active first."""
    tracks = list(recording.bodies.values())
    if len(tracks) > 1:
        tracks = _keep_unless_empty(tracks, lambda t: len(t.frames) > MIN_TRACK_FRAMES)
    if len(tracks) > 1:
        tracks = _keep_unless_empty(tracks, lambda t: not _is_spread_noise(t))
    if len(tracks) > 1:
        lo, hi = MOTION_RANGE
        tracks = _keep_unless_empty(tracks, lambda t: lo <= body_motion(t) <= hi)
    return sorted(tracks, key=body_motion, reverse=True)


def assign_actors(tracks: list[BodyTrack], num_frames: int, columns: list[int],
                  max_actors: int = 2) -> tuple[np.ndarray, int]:
    """Fill up to ``max_actors`` slots (M, T, 25, C) from tracks; returns (array, bodies used)."""
    out = np.zeros((max_actors, num_frames, KINECT_V2.num_joints, len(columns)), dtype=np.float32)
    occupied = np.zeros((max_actors, num_frames), dtype=bool)
    used = 0
    for track in tracks:
        frames = np.asarray(track.frames)
        for slot in range(max_actors):
            if not occupied[slot, frames].any():
                out[slot, frames] = track.values()[..., columns]
                occupied[slot, frames] = True
                used += 1
                break
    present = occupied.any(axis=0)
    return out[:, present], used


def read_sample(path: str | Path, num_classes: int = 120, channels: tuple[str, ...] = ("xyz",)) -> Sample:
    """Parse, denoise and convert one file into a :class:`Sample` with NTU metadata."""
    path = Path(path)
    match = NAME.match(path.stem)
    if not match:
        raise file_error(path, "file name is not SsssCcccPpppRrrrAaaa.skeleton")
    setup, camera, subject, replication, action = (int(g) for g in match.groups())
    if not 1 <= action <= num_classes:
        raise file_error(path, f"action A{action:03d} is outside 1..{num_classes}")
    recording = parse_skeleton_file(path)
    if not recording.bodies:
        raise file_error(path, "no body is tracked in any frame")
    tracks = denoise_bodies(recording)
    columns = [JOINT_VALUES.index(v) for group in channels for v in CHANNEL_GROUPS[group]]
    data, used = assign_actors(tracks, recording.num_frames, columns)
    meta = {"setup": setup, "camera": camera, "subject": subject, "replication": replication,
            "action": action, "num_bodies_raw": len(recording.bodies), "bodies_kept": used,
            "frames_raw": recording.num_frames}
    return Sample(data=data, label=action - 1, sample_id=path.stem, meta=meta)


# --- preparing a folder ------------------------------------------------------------------
def iter_skeleton_files(raw: Path) -> Iterator[Path]:
    """``.skeleton`` files of a folder in name order (names only are held in memory)."""
    names = sorted(e.name for e in os.scandir(raw) if e.name.endswith(".skeleton"))
    for name in names:
        yield raw / name


def benchmark_splits(meta: dict, variant: str) -> list[str]:
    """Names of the splits a sample belongs to under the official protocols."""
    if variant == "ntu60":
        sub = "xsub_train" if meta["subject"] in XSUB_TRAIN_60 else "xsub_test"
        view = "xview_train" if meta["camera"] in XVIEW_TRAIN_CAMERAS else "xview_test"
        return [sub, view]
    sub = "xsub_train" if meta["subject"] in XSUB_TRAIN_120 else "xsub_test"
    setup = "xset_train" if meta["setup"] % 2 == 0 else "xset_test"
    return [sub, setup]


def prepare_ntu(raw: Path, out: Path, variant: str, progress: Callable | None = None,
                channels: str | tuple[str, ...] = ("xyz",)) -> PrepareReport:
    """Convert a folder of raw files into a prepared NTU60/NTU120 dataset (bounded memory)."""
    num_classes = 60 if variant == "ntu60" else 120
    groups = tuple(channels.split(",")) if isinstance(channels, str) else tuple(channels)
    unknown = [g for g in groups if g not in CHANNEL_GROUPS]
    if unknown or "xyz" not in groups:
        raise DataError(f"channels must include xyz and come from {list(CHANNEL_GROUPS)}; got {groups}")
    files = list(iter_skeleton_files(raw))
    if not files:
        raise DataError(f"{raw}: no .skeleton files found\n" + HOW_TO_GET.format(where=raw))
    missing = missing_skeletons(variant)
    skipped: list[Skipped] = []
    outside = 0
    split_names = ["xsub_train", "xsub_test"] + (["xview_train", "xview_test"] if variant == "ntu60"
                                                 else ["xset_train", "xset_test"])
    splits: dict[str, list[str]] = {name: [] for name in split_names}
    channel_names = [v for g in groups for v in CHANNEL_GROUPS[g]]
    with DatasetWriter(out, variant, KINECT_V2, channel_names, class_names(num_classes), max_persons=2,
                       extra={"default_benchmark": "xsub", "source": str(raw)}) as writer:
        for path in (progress(files) if progress else files):
            match = NAME.match(path.stem)
            if match and int(match.group(5)) > num_classes:
                outside += 1        # an NTU120 action in an NTU60 preparation: not an error
                continue
            if path.stem in missing:
                skipped.append(Skipped(str(path), "listed as missing skeleton by the dataset authors"))
                continue
            special = special_file_reason(path)
            if special:                  # a FIFO would make the parser wait forever
                skipped.append(Skipped(str(path), special))
                continue
            try:
                sample = read_sample(path, num_classes, groups)
            except (DataError, OSError) as exc:
                skipped.append(Skipped.from_error(path, exc))
                continue
            writer.add(sample)
            for split in benchmark_splits(sample.meta, variant):
                splits[split].append(sample.sample_id)
        if not writer.index:
            raise DataError(f"{raw}: none of {len(files)} files could be used")
        writer.close(splits)
    notes = [f"{outside} file(s) with actions beyond A{num_classes:03d} are not part of {variant}"] if outside else []
    return PrepareReport(written=len(writer.index), skipped=skipped, output=out, notes=notes)


@register_dataset("ntu60", "ntu60/nturgb+d_skeletons", HOW_TO_GET, aliases=("ntu", "ntu-60"))
def prepare_ntu60(raw: Path, out: Path, progress: Callable | None = None, **options) -> PrepareReport:
    return prepare_ntu(raw, out, "ntu60", progress, **options)


@register_dataset("ntu120", "ntu120/nturgb+d_skeletons", HOW_TO_GET, aliases=("ntu-120",))
def prepare_ntu120(raw: Path, out: Path, progress: Callable | None = None, **options) -> PrepareReport:
    return prepare_ntu(raw, out, "ntu120", progress, **options)
