"""The one annotation format every actlm dataset uses, in memory and on disk.

A prepared dataset is a directory::

    dataset.json   name, layout (and layout_spec, the full definition of a layout declared
                   in a file), channel names, class names, splits, format version
    index.json     per sample: id, label, offset, length, meta (subject, view, setup, ...)
    frames.npy     float32 (total_frames, M, V, C): all sequences concatenated along time

``frames.npy`` is a plain ``.npy`` (no pickle) opened with ``mmap_mode="r"``: loading a
56k-sequence NTU-120 set reads only the JSON index, frames are paged in on access. Sequences
are stored at their true length (no padding to 300 frames), persons are padded to ``M``.

The writer streams: each sequence is appended to the frames file as it is produced, so
preparing a dataset needs memory for one sequence, not for the dataset. The ``.npy`` header is
written last (its size is fixed in advance), and the directory only appears under its final
name once complete, so a killed ``prepare`` never leaves a half-written dataset behind.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .catalog import DATASETS, capture_fps, importer_versions, reserved_names
from .errors import DataError
from .layout_file import resolve_layout, restore_layout, stored_spec
from .sequence_files import special_file_reason
from .layouts import Layout

FORMAT_VERSION = 1
_HEADER_BYTES = 128  # fixed .npy header size, rewritten in place once the shape is known
#: ``dataset.json``'s ``kind``: marks a folder as written by actlm, the only kind it ever replaces
PREPARED_KIND = "actlm-prepared-dataset"
PREPARED_FILES = frozenset({"dataset.json", "index.json", "frames.npy"})
#: the joints (name endings) whose hidden frames :meth:`Sample.visibility` marks not seen with ``hidden="limbs"``
GUESSED_LIMB = ("elbow", "wrist", "knee", "ankle")


@dataclass
class Sample:
    """One sequence: ``data`` is (M persons, T frames, V joints, C channels), float32."""

    data: np.ndarray
    label: int
    sample_id: str
    meta: dict[str, Any] = field(default_factory=dict)
    fps: float | None = None      # the frame rate it was captured at (frames/s), where known

    def visibility(self, layout: str | Layout, *, hidden: str = "none") -> np.ndarray | None:
        """(T, V): 0 where a joint may not be read as the person's motion, 1 elsewhere; None when
        nothing is marked. Readers that state motion pass it on (``actlm explain``, the facts
        benchmarks). Frames are the sample's own: a reader that crops or resamples ``data`` must do
        the same to this array.

        Always marked: the joints the importer never saw in the clip and estimated
        (``meta['unseen']``, joint names; e.g. a limb copied from its twin). Of the joint-frames the
        source flags hidden (``meta['hidden']``, :func:`hidden_runs`: Penn Action's annotator flags,
        the position there being the annotator's guess), ``hidden`` picks: ``"none"`` (default) none,
        ``"limbs"`` those of :data:`GUESSED_LIMB` only, ``"all"`` every one.

        Why none by default (decided by a rule fixed before measuring: keep the variant that removes
        the most false statements unless it loses more than 5 % of the hand-checked true facts):
        measured on Penn Action against ``"none"``, of the 172 facts that hand-check rounds 4-11
        judged to hold and that ``"none"`` states, ``"all"`` loses 13 (7.6 %) and ``"limbs"`` 9
        (5.2 %); neither removes a fact judged false; they do remove statements of motions the class
        excludes (facts_real: 52 -> 23 / 36, mostly waves and walks read from guessed wrists and
        ankles), and every flag dropped puts a low-visibility problem on 86-89 % of the clips
        (33 % with ``"none"``). Dropping one guessed hip of a pair also moves the trunk line to the
        other hip (Penn 0818: a 20 degree lean back read as 40)."""
        if hidden not in ("limbs", "all", "none"):
            raise ValueError(f"hidden must be 'limbs', 'all' or 'none', not {hidden!r}")
        flags = None if hidden == "none" else self.guessed(layout)
        unseen = self.meta.get("unseen") or []
        if flags is None and not unseen:
            return None
        joints = resolve_layout(layout).joints
        visible = np.ones(self.data.shape[1:3], np.float32)
        if flags is not None:
            columns = [v for v, name in enumerate(joints) if hidden == "all" or name.endswith(GUESSED_LIMB)]
            visible[:, columns] = np.where(flags[:, columns], 0.0, 1.0)
        visible[:, [joints.index(name) for name in unseen if name in joints]] = 0.0
        return visible

    def guessed(self, layout: str | Layout) -> np.ndarray | None:
        """(T, V) bool: True where the source flags a joint hidden in a frame, its position there an
        estimate (``meta['hidden']``: Penn Action's annotator flags); None when the source flags none.
        The fact detector takes it (``read_motion(guessed=...)``): the positions are read as the
        visibility above decides, except where a 2D fact hangs on exactly where a joint is in one
        image (a bend's trunk line, a forward reach's arm)."""
        runs_by_joint = self.meta.get("hidden") or {}
        if not runs_by_joint:
            return None
        joints = resolve_layout(layout).joints
        flags = np.zeros(self.data.shape[1:3], bool)
        for name, runs in runs_by_joint.items():
            if name in joints:
                for start, stop in zip(runs[::2], runs[1::2]):
                    flags[start:stop, joints.index(name)] = True
        return flags


def hidden_runs(hidden: np.ndarray, joints: tuple[str, ...] | list[str]) -> dict[str, list[int]]:
    """A (T, V) mask of hidden joint-frames as ``meta['hidden']`` stores it: joint name -> flat
    ``[start, stop, start, stop, ...]`` frame ranges (``stop`` exclusive), only for joints hidden
    in some frame. JSON-safe, readable and small: Penn Action's 469,501 hidden joint-frames are
    19,427 runs, 160 bytes of ``index.json`` a clip (as much as a base64 packed bit string)."""
    runs: dict[str, list[int]] = {}
    for column, name in enumerate(joints):
        edges = np.diff(np.concatenate([[0], np.asarray(hidden[:, column], np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        if len(starts):
            runs[name] = [int(f) for pair in zip(starts, stops) for f in pair]
    return runs


def _npy_header(shape: tuple[int, ...]) -> bytes:
    header = {"descr": "<f4", "fortran_order": False, "shape": tuple(int(s) for s in shape)}
    text = repr(header).encode("latin1")
    pad = _HEADER_BYTES - 10 - len(text) - 1
    if pad < 0:
        raise ValueError(f"shape {shape} too large for the fixed .npy header")
    return b"\x93NUMPY\x01\x00" + (_HEADER_BYTES - 10).to_bytes(2, "little") + text + b" " * pad + b"\n"


def prepared_info(folder: Path) -> dict[str, Any] | None:
    """``dataset.json`` of ``folder`` when the folder is a prepared dataset written by actlm
    (its ``kind``, or for sets written before the marker existed, a format version, layout and
    classes, with no file actlm does not write); None for anything else."""
    try:
        entries = {e.name for e in os.scandir(folder)}
        info = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(info, dict) or not entries <= PREPARED_FILES:
        return None
    legacy = info.get("format_version") == FORMAT_VERSION and {"layout", "classes"} <= set(info)
    return info if info.get("kind") == PREPARED_KIND or legacy else None


def check_replaceable(folder: Path, name: str | None = None) -> None:
    """Raise :class:`DataError` unless writing a prepared dataset to ``folder`` destroys nothing
    but an earlier prepared dataset: it must be absent, an empty folder, or a folder actlm wrote
    (:func:`prepared_info`). A built-in dataset (``reserved``) is never replaced by another one."""
    if folder.is_symlink():
        raise DataError(f"{folder}: is a symbolic link; give the prepared dataset a folder of its own (--out)")
    holder = next((parent for parent in folder.parents if (parent / "dataset.json").is_file()
                   and prepared_info(parent) is not None), None)
    if holder is not None:
        raise DataError(f"{folder}: inside the prepared dataset {holder}; give the prepared dataset a folder of "
                        f"its own (--out)")
    if not folder.exists():
        return
    if not folder.is_dir():
        raise DataError(f"{folder}: exists and is not a folder; choose another --out")
    if not any(folder.iterdir()):
        return
    info = prepared_info(folder)
    if info is None:
        raise DataError(f"{folder}: exists and is not a prepared actlm dataset; it is left as it is. "
                        f"Choose another --out (or --name) for the prepared dataset")
    if name is not None and info.get("name") != name and info.get("name") in reserved_names():
        raise DataError(f"{folder}: holds the prepared built-in dataset {info['name']!r}; "
                        f"{name!r} is not written over it. Choose another --out")


class DatasetWriter:
    """Stream sequences into a prepared-dataset directory (see module docstring).

    Use as a context manager; on an exception the partial output is removed. An existing
    ``root`` is replaced only when it is a prepared dataset actlm wrote (:func:`check_replaceable`).
    """

    def __init__(self, root: str | Path, name: str, layout: str | Layout, channels: list[str],
                 classes: list[str], max_persons: int, extra: dict[str, Any] | None = None):
        self.root = Path(os.path.abspath(Path(root).expanduser()))   # "..", "." named as folders
        if not self.root.name:
            raise DataError(f"{self.root}: not a folder a prepared dataset can be written to; choose another --out")
        # one partial folder per process, so two writers of the same dataset never share files
        self.tmp = self.root.with_name(f"{self.root.name}.partial-{os.getpid()}")
        self.layout = resolve_layout(layout)
        self.info: dict[str, Any] = {
            "format_version": FORMAT_VERSION, "kind": PREPARED_KIND, "name": name, "layout": self.layout.name,
            "channels": list(channels), "classes": list(classes), "max_persons": int(max_persons),
            **(extra or {}),
        }
        if name in DATASETS and not DATASETS[name].user_named:   # a built-in: which importers wrote it
            self.info["importers"] = importer_versions(name)
        spec = stored_spec(self.layout)
        if spec is not None:   # a layout declared in a file travels with the data
            self.info["layout_spec"] = spec
        self.index: list[dict[str, Any]] = []
        self.total_frames = 0
        self._fh = None

    def __enter__(self) -> "DatasetWriter":
        check_replaceable(self.root, self.info["name"])
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir(parents=True)
        self._fh = open(self.tmp / "frames.npy", "wb")
        self._fh.write(b"\0" * _HEADER_BYTES)
        return self

    def add(self, sample: Sample) -> None:
        """Append one sequence; pads persons up to ``max_persons``."""
        data = np.asarray(sample.data, dtype=np.float32)
        m, v, c = self.info["max_persons"], self.layout.num_joints, len(self.info["channels"])
        if data.ndim != 4 or data.shape[2] != v or data.shape[3] != c or data.shape[0] > m:
            raise DataError(f"{sample.sample_id}: expected (M<={m}, T, {v}, {c}) array, got {data.shape}")
        if data.shape[1] == 0:
            raise DataError(f"{sample.sample_id}: sequence has zero frames")
        if data.shape[0] < m:
            pad = np.zeros((m - data.shape[0],) + data.shape[1:], dtype=np.float32)
            data = np.concatenate([data, pad], axis=0)
        frames = np.ascontiguousarray(data.transpose(1, 0, 2, 3))  # (T, M, V, C)
        self._fh.write(frames.tobytes())
        self.index.append({"id": sample.sample_id, "label": int(sample.label),
                           "offset": self.total_frames, "length": int(frames.shape[0]),
                           "meta": sample.meta})
        self.total_frames += frames.shape[0]

    def close(self, splits: dict[str, list[str]] | None = None) -> Path:
        """Finish the file, write the JSON, and move the directory to its final name.

        ``splits`` maps a split name to sample ids; ids not in the dataset are ignored.
        """
        shape = (self.total_frames, self.info["max_persons"], self.layout.num_joints,
                 len(self.info["channels"]))
        self._fh.seek(0)
        self._fh.write(_npy_header(shape))
        self._fh.close()
        self._fh = None
        position = {rec["id"]: i for i, rec in enumerate(self.index)}
        self.info["num_samples"] = len(self.index)
        self.info["splits"] = {name: [position[s] for s in ids if s in position]
                               for name, ids in (splits or {}).items()}
        (self.tmp / "index.json").write_text(json.dumps(self.index))
        (self.tmp / "dataset.json").write_text(json.dumps(self.info, indent=1))
        check_replaceable(self.root, self.info["name"])   # again: the folder may have changed meanwhile
        if self.root.exists():
            shutil.rmtree(self.root)
        os.replace(self.tmp, self.root)
        return self.root

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if exc_type is not None and self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)


def _check_records(records: Any, total_frames: int, num_classes: int, path: Path) -> None:
    """Every index record names a sequence inside frames.npy and a known class (a damaged or
    hand-edited index would otherwise read other sequences' frames or crash mid-training)."""
    if not isinstance(records, list):
        raise DataError(f"{path}: not a list of samples; damaged dataset files, prepare it again")
    for n, rec in enumerate(records):
        try:
            ok = (isinstance(rec["id"], str) and 0 <= rec["label"] < num_classes and rec["length"] > 0
                  and 0 <= rec["offset"] and rec["offset"] + rec["length"] <= total_frames
                  and isinstance(rec["meta"], dict))
        except (KeyError, TypeError):
            ok = False
        if not ok:
            raise DataError(f"{path}: sample {n} is damaged (id, label, offset, length or meta); prepare it again")


class SkeletonSet:
    """A prepared dataset (or one split of it), memory-mapped.

    ``ds[i]`` returns a :class:`Sample`; ``ds.split("train")`` a view on that split.
    """

    def __init__(self, root: str | Path, indices: np.ndarray | None = None, split: str | None = None):
        self.root = Path(root)
        info_path = self.root / "dataset.json"
        if not info_path.exists():
            raise DataError(f"{self.root}: not a prepared actlm dataset (no dataset.json)")
        for part in sorted(PREPARED_FILES):        # a FIFO in their place would make reading wait forever
            reason = special_file_reason(self.root / part)
            if reason is not None:
                raise DataError(f"{self.root / part}: {reason.split(';')[0]}; prepare the dataset again")
        try:
            self.info: dict[str, Any] = json.loads(info_path.read_text(encoding="utf-8"))
            records = json.loads((self.root / "index.json").read_text(encoding="utf-8"))
        except (ValueError, OSError, RecursionError) as exc:
            raise DataError(f"{self.root}: damaged dataset files ({type(exc).__name__}: {exc}); "
                            f"prepare it again") from None
        if not isinstance(self.info, dict) or self.info.get("format_version") != FORMAT_VERSION:
            version = self.info.get("format_version") if isinstance(self.info, dict) else None
            raise DataError(f"{self.root}: format version {version} != {FORMAT_VERSION}; prepare it again")
        missing = [k for k in ("name", "layout", "channels", "classes", "max_persons") if k not in self.info]
        if missing:
            raise DataError(f"{info_path}: no {', '.join(missing)}; damaged dataset files, prepare it again")
        try:
            self.frames = np.load(self.root / "frames.npy", mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise DataError(f"{self.root / 'frames.npy'}: damaged ({exc}); prepare it again") from None
        _check_records(records, len(self.frames), len(self.info["classes"]), self.root / "index.json")
        self._records = records
        self.indices = np.arange(len(records)) if indices is None else np.asarray(indices)
        self.split_name = split
        self.layout = restore_layout(self.info["layout"], self.info.get("layout_spec"), info_path)

    # -- description ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.info["name"]

    @property
    def classes(self) -> list[str]:
        return self.info["classes"]

    @property
    def num_classes(self) -> int:
        return len(self.info["classes"])

    @property
    def channels(self) -> list[str]:
        return self.info["channels"]

    @property
    def splits(self) -> list[str]:
        return list(self.info.get("splits", {}))

    @property
    def labels(self) -> np.ndarray:
        return np.array([self._records[i]["label"] for i in self.indices], dtype=np.int64)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([self._records[i]["length"] for i in self.indices], dtype=np.int64)

    @property
    def offsets(self) -> np.ndarray:
        """First frame of each sequence in ``frames`` (the stored, memory-mapped array)."""
        return np.array([self._records[i]["offset"] for i in self.indices], dtype=np.int64)

    @property
    def sample_ids(self) -> list[str]:
        return [self._records[i]["id"] for i in self.indices]

    def meta(self, i: int) -> dict[str, Any]:
        return self._records[self.indices[i]]["meta"]

    # -- access ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> Sample:
        rec = self._records[self.indices[i]]
        frames = self.frames[rec["offset"]: rec["offset"] + rec["length"]]
        data = np.array(frames, dtype=np.float32).transpose(1, 0, 2, 3)  # (M, T, V, C)
        self._check_finite(data, rec)
        return Sample(data=np.ascontiguousarray(data), label=rec["label"], sample_id=rec["id"],
                      meta=dict(rec["meta"]), fps=self.sample_fps(i))

    def _check_finite(self, data: np.ndarray, rec: dict[str, Any]) -> None:
        """Prepare never writes NaN or infinite coordinates, so one read back means frames.npy was
        damaged after it was written; training on it would silently read that frame as 'no person'."""
        bad = ~np.isfinite(data)
        if bad.any():
            frame = int(np.argwhere(bad)[0][1])
            raise DataError(f"{self.root / 'frames.npy'}: sample {rec['id']} has {int(bad.sum())} NaN/inf coordinate "
                            f"value(s), first in its frame {frame}; damaged dataset files, prepare it again")

    def sample_fps(self, i: int) -> float | None:
        """The frame rate (frames/s) sample ``i`` was captured at: its own (``meta['fps']``: a video),
        its source dataset's (a merged set's ``meta['source']``), the set's (``dataset.json``'s
        ``fps``) or the rate its dataset is known to be captured at (:func:`capture_fps`); None
        where none is known (the fact detector then assumes 30)."""
        meta = self._records[self.indices[i]]["meta"]
        for rate in (meta.get("fps"), capture_fps(meta["source"]) if isinstance(meta.get("source"), str) else None,
                     self.info.get("fps"), capture_fps(self.name)):
            if isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate < float("inf"):
                return float(rate)
        return None

    def __iter__(self) -> Iterator[Sample]:
        for i in range(len(self)):
            yield self[i]

    def find(self, sample_id: str) -> int:
        """Position of a sample id in this set (raises ``KeyError``)."""
        for pos, i in enumerate(self.indices):
            if self._records[i]["id"] == sample_id:
                return pos
        raise KeyError(f"no sample {sample_id!r} in {self.name}"
                       + (f" ({self.split_name})" if self.split_name else ""))

    def split(self, name: str) -> "SkeletonSet":
        splits = self.info.get("splits", {})
        if name not in splits:
            raise DataError(f"dataset {self.name} has no split {name!r}; "
                            f"available: {', '.join(splits) or 'none'}")
        try:
            indices = np.asarray(splits[name], dtype=np.int64).reshape(-1)
        except (ValueError, TypeError):
            indices = np.array([-1])
        if indices.size and (indices.min() < 0 or indices.max() >= len(self._records)):
            raise DataError(f"{self.root / 'dataset.json'}: split {name!r} lists samples that are not in the "
                            f"index; damaged dataset files, prepare it again")
        return self._view(indices, name)

    def subset(self, positions: np.ndarray | list[int]) -> "SkeletonSet":
        """A view on some positions of this set (e.g. a few samples for a smoke test)."""
        return self._view(self.indices[np.asarray(positions, dtype=np.int64)], self.split_name)

    def _view(self, indices: np.ndarray, split: str | None) -> "SkeletonSet":
        """A view on ``indices`` sharing this set's parsed files: a set with thousands of splits
        (a split column holding ids) is not read from disk once per split."""
        view = copy.copy(self)
        view.indices, view.split_name = np.asarray(indices, dtype=np.int64), split
        return view

    def __repr__(self) -> str:
        part = f", split={self.split_name}" if self.split_name else ""
        return (f"SkeletonSet({self.name}{part}: {len(self)} samples, layout={self.layout.name}, "
                f"classes={self.num_classes}, channels={''.join(self.channels) if all(len(c) == 1 for c in self.channels) else self.channels})")


def scan_lost_frames(ds: SkeletonSet, chunk: int = 1 << 16) -> tuple[int, int, list[str]]:
    """All-zero frames (no skeleton: tracking lost) of ``ds``, read ``chunk`` stored frames at a
    time: how many lie inside sequences, how many at their ends, and the ids of the sequences
    that have any."""
    empty = np.zeros(len(ds.frames), dtype=bool)
    for start in range(0, len(ds.frames), chunk):
        block = np.asarray(ds.frames[start:start + chunk])
        empty[start:start + len(block)] = ~block.reshape(len(block), -1).any(axis=1)
    inside = ends = 0
    where: list[str] = []
    for sample, offset, length in zip(ds.sample_ids, ds.offsets, ds.lengths):
        lost = empty[offset: offset + length]
        if not lost.any():
            continue
        present = np.flatnonzero(~lost)
        at_ends = int(length) if present.size == 0 else int(present[0] + length - 1 - present[-1])
        ends += at_ends
        inside += int(lost.sum()) - at_ends
        where.append(sample)
    return inside, ends, where
