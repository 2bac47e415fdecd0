"""Checks shared by every importer: one place decides what a usable sequence is."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .errors import file_error
from .layouts import Layout


def check_sequence(data: np.ndarray, path: str | Path, layout: Layout, channels: int | None = None) -> np.ndarray:
    """Validate a (M, T, V, C) sequence read from ``path``; returns it as float32.

    Raises :class:`DataError` naming the file for: wrong rank, zero frames, a joint count that
    does not match ``layout``, a wrong channel count, NaN/inf coordinates, an all-zero sequence.
    """
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim != 4:
        raise file_error(path, f"expected a (persons, frames, joints, channels) array, got shape {arr.shape}")
    m, t, v, c = arr.shape
    if t == 0:
        raise file_error(path, "sequence has zero frames")
    if m == 0:
        raise file_error(path, "sequence has no person")
    if v != layout.num_joints:
        raise file_error(path, f"{v} joints per frame but layout {layout.name} has {layout.num_joints}")
    if channels is not None and c != channels:
        raise file_error(path, f"{c} values per joint, expected {channels}")
    bad = ~np.isfinite(arr)
    if bad.any():
        frame = int(np.argwhere(bad)[0][1])
        raise file_error(path, f"{int(bad.sum())} NaN/inf coordinate value(s), first in frame {frame}")
    if not arr.any():
        raise file_error(path, "all coordinates are zero (no skeleton)")
    return arr


def lost_frames(data: np.ndarray) -> np.ndarray:
    """Per frame of a (M, T, V, C) sequence: True where every person's every coordinate is zero
    (no skeleton: the tracker lost the person)."""
    return ~np.asarray(data).any(axis=(0, 2, 3))


def fill_lost_frames(data: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Frames with no skeleton (:func:`lost_frames`): those at the start and end are dropped,
    those inside are filled by linear interpolation between the frames around them, per person
    (a person absent on either side of the gap stays absent). Returns the sequence and the
    numbers of frames dropped and filled; a sequence without such frames is returned as it is."""
    lost = lost_frames(data)
    if not lost.any() or lost.all():
        return data, 0, 0
    present = np.flatnonzero(~lost)
    first, last = int(present[0]), int(present[-1])
    out = np.array(data[:, first:last + 1], dtype=np.float32)
    gaps = np.flatnonzero(lost[first:last + 1])
    if gaps.size:
        known = present - first
        persons_known = out[:, known].any(axis=(2, 3))                 # (M, known frames)
        for m in range(out.shape[0]):
            after = np.searchsorted(known, gaps)                        # index of the next known frame
            both = persons_known[m, after - 1] & persons_known[m, after]
            for g, a, ok in zip(gaps, after, both):
                if ok:
                    t0, t1 = known[a - 1], known[a]
                    w = (g - t0) / (t1 - t0)
                    out[m, g] = (1 - w) * out[m, t0] + w * out[m, t1]
    return out, first + (data.shape[1] - 1 - last), int(gaps.size)


def read_skeleton_json(path: Path) -> dict[str, Any]:
    """Read a JSON object with a ``skeletons`` field; errors name the file (and line)."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise file_error(path, f"unreadable JSON: {exc.msg}", line=exc.lineno) from None
    except UnicodeDecodeError:
        raise file_error(path, "not a UTF-8 text file") from None
    except RecursionError:
        raise file_error(path, "JSON nested too deeply to be a skeleton sequence") from None
    if not isinstance(obj, dict) or "skeletons" not in obj:
        raise file_error(path, "JSON has no 'skeletons' field")
    return obj


def read_mat(path: Path, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The arrays ``keys`` (and those of ``optional`` that are there) of a MATLAB v5 ``.mat``
    file (scipy); errors name the file and the missing key, so importers can skip and report it
    like any other bad file."""
    from scipy.io import loadmat

    try:
        content = loadmat(str(path))
    except Exception as exc:  # noqa: BLE001 - a damaged file makes scipy raise anything from IndexError to zlib.error
        raise file_error(path, f"unreadable .mat file ({type(exc).__name__}: {exc})") from None
    missing = [k for k in keys if k not in content]
    if missing:
        found = ", ".join(k for k in content if not k.startswith("__")) or "nothing"
        raise file_error(path, f"no {', '.join(repr(k) for k in missing)} in the .mat file (has: {found})")
    return {k: np.asarray(content[k]) for k in (*keys, *optional) if k in content}
