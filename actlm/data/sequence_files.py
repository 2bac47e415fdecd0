"""Reading one sequence file of a user's folder (``.npy``, ``.npz``, ``.json``) without trusting it.

A file is read by what it holds, not by its name (an ``.npy`` saved as ``clip.npz`` is read as the
``.npy`` it is); sizes are checked before anything is allocated (an ``.npy`` header may claim
terabytes); only real numbers are coordinates (no complex, boolean, text or object arrays);
special files (FIFOs, devices, sockets) are never opened, since reading a FIFO waits forever.
Every problem is a :class:`DataError` naming the file, so importers skip it and go on.
"""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import DataError, file_error
from .validate import read_skeleton_json

#: one sequence larger than this is refused (1 GiB is hours of 25-joint 3D skeletons at 30 fps)
MAX_SEQUENCE_BYTES = 1 << 30
#: a JSON sequence file larger than this is refused before it is parsed (parsing takes ~10x;
#: a 300-frame, two-person, 25-joint 3D sequence is ~0.5 MB of JSON)
MAX_JSON_BYTES = 64 << 20
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def special_file_reason(path: Path) -> str | None:
    """Why ``path`` must not be opened (a FIFO, device, socket or folder), or None for a regular
    file. Uses ``stat`` only: opening a FIFO to look at it would already block."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")
    return f"not a regular file but {kind}; skipped without opening it"


def check_regular_file(path: Path, what: str = "file") -> None:
    """Raise :class:`DataError` unless ``path`` is a regular file (never opens it)."""
    if not path.exists():
        raise DataError(f"{path}: {what} not found")
    reason = special_file_reason(path)
    if reason is not None:
        raise file_error(path, reason.replace("; skipped without opening it", f"; give a regular {what}"))


def read_array(path: Path, label: str | None = None) -> np.ndarray:
    """Load one sequence file as (M, T, V, C) float32 (no validation against a layout yet).

    With ``label`` (from labels.csv), a JSON file's own ``"label"``, when it has one, must agree."""
    reason = special_file_reason(path)
    if reason is not None:
        raise file_error(path, reason)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            fh.seek(0)
            if head.startswith(_NPY_MAGIC):
                arr = _read_npy(fh, path, path.stat().st_size)
            elif head.startswith(_ZIP_MAGICS):
                arr = _read_npz(path)
            elif path.suffix.lower() == ".json" or head.lstrip()[:1] in (b"{", b"["):
                arr = _read_json_array(path, label)
            else:
                raise file_error(path, "neither an .npy array, an .npz archive nor JSON (by its content)")
    except DataError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, MemoryError) as exc:
        raise file_error(path, f"unreadable {path.suffix or 'sequence'} file ({type(exc).__name__}: {exc})") from None
    return _as_sequence(np.asarray(arr), path)


def _as_sequence(arr: np.ndarray, path: Path) -> np.ndarray:
    _check_real_dtype(arr.dtype, path)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4:
        raise file_error(path, f"expected (T, V, C) or (M, T, V, C), got shape {arr.shape}")
    return arr.astype(np.float32)


def _check_real_dtype(dtype: np.dtype, path: Path) -> None:
    """Coordinates are real numbers: integers or floats, not booleans, complex numbers or text."""
    if dtype == bool:
        raise file_error(path, "array of booleans (true/false), not coordinates")
    if np.issubdtype(dtype, np.complexfloating):
        raise file_error(path, f"array of complex numbers ({dtype}), not coordinates")
    if not (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)):
        raise file_error(path, f"array is not numeric (dtype {dtype})")


def _npy_header(fh: BinaryIO, path: Path) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fh)
    if version in ((2, 0), (3, 0)):
        return np.lib.format.read_array_header_2_0(fh)
    raise file_error(path, f"unknown .npy format version {version}")


def _checked_header(fh: BinaryIO, path: Path, data_bytes_in_file: int | None) -> tuple[tuple[int, ...], np.dtype]:
    """The header's shape and dtype, after checking that the data it claims is really there
    (and is not larger than :data:`MAX_SEQUENCE_BYTES`), before anything is allocated."""
    shape, _, dtype = _npy_header(fh, path)
    if dtype.hasobject:
        raise file_error(path, "array of Python objects (would need pickle, which actlm never loads)")
    _check_real_dtype(dtype, path)
    claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if claimed > MAX_SEQUENCE_BYTES:
        raise file_error(path, f"its header claims shape {shape} ({claimed:,} bytes), more than the "
                               f"{MAX_SEQUENCE_BYTES >> 20} MiB a sequence may have")
    if data_bytes_in_file is not None and claimed != data_bytes_in_file - fh.tell():
        raise file_error(path, f"its header claims shape {shape} ({claimed:,} bytes of data) but the file "
                               f"holds {max(data_bytes_in_file - fh.tell(), 0):,}: truncated or damaged")
    return shape, dtype


def _read_npy(fh: BinaryIO, path: Path, size: int) -> np.ndarray:
    _checked_header(fh, path, size)
    fh.seek(0)
    return np.load(fh, allow_pickle=False)


def _read_npz(path: Path) -> np.ndarray:
    with zipfile.ZipFile(path) as archive:
        names = [n.removesuffix(".npy") for n in archive.namelist()]
        if "skeleton" not in names:
            raise file_error(path, f"no 'skeleton' array (has: {', '.join(names) or 'nothing'})")
        member = archive.getinfo(archive.namelist()[names.index("skeleton")])
        with archive.open(member) as fh:
            _checked_header(fh, path, member.file_size)
    with np.load(path, allow_pickle=False) as archive:
        return archive["skeleton"]


def _read_json_array(path: Path, label: str | None = None) -> np.ndarray:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise file_error(path, f"JSON file larger than {MAX_JSON_BYTES >> 20} MiB; store long sequences as .npy")
    obj = read_skeleton_json(path)
    own = obj.get("label")
    if label is not None and own is not None and str(own).strip() != label:
        raise file_error(path, f"its label {own!r} differs from {label!r} in labels.csv")
    return json_number_array(obj["skeletons"], path)


def json_number_array(value: Any, path: Path) -> np.ndarray:
    """A nested JSON list of numbers as a float64 array; booleans, strings, nulls and ragged
    lists are errors naming the file (numpy would turn ``true`` into 1.0 without a word)."""
    try:
        cells = np.array(value, dtype=object)
    except (ValueError, RecursionError):
        raise file_error(path, "'skeletons' is not a regular number array (rows of different lengths?)") from None
    if cells.size == 0:
        return np.zeros(cells.shape, dtype=np.float64)
    kinds = {type(v) for v in cells.flat}
    if list in kinds or dict in kinds:
        raise file_error(path, "'skeletons' is not a regular number array (rows of different lengths?)")
    if not kinds <= {int, float}:
        other = sorted(k.__name__ for k in kinds - {int, float})
        raise file_error(path, f"'skeletons' holds {', '.join(other)} values; coordinates are numbers")
    try:
        return cells.astype(np.float64)
    except OverflowError:
        raise file_error(path, "'skeletons' holds a number too large for a coordinate") from None
