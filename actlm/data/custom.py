"""Your own dataset: a folder of per-sequence files plus ``labels.csv``.

Sequence files (one per sample, the file stem is the sample id):

* ``.npy``  array (T, V, C) for one person or (M, T, V, C), read with ``allow_pickle=False``;
* ``.npz``  the same array under the key ``skeleton``;
* ``.json`` ``{"skeletons": [T][V][C]}`` or ``[M][T][V][C]`` (an optional ``"label"`` is checked
  against labels.csv).

V must match ``--layout`` (kinect-v2 25, kinect-v1 20, coco-17, blazepose-33, or a layout file
``my_layout.yaml``, see :mod:`actlm.data.layout_file`); C is 2 (x, y),
3 (x, y, z) or 4 (x, y, z, score).

``labels.csv`` has a header with at least ``sample`` and ``label`` (a class name); an optional
``split`` column (train/test/val ...) makes splits, any other column (subject, view, ...) is
kept as metadata. Classes are the sorted distinct labels, or the lines of ``classes.txt``
when that file is given, in which case an unknown label is an error.

Bad files are skipped and listed (the run still writes everything else).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport, Skipped, file_error
from .layout_file import resolve_layout
from .store import DatasetWriter, Sample
from .validate import check_sequence, read_skeleton_json

SUFFIXES = (".npy", ".npz", ".json")
CHANNEL_NAMES = {2: ["x", "y"], 3: ["x", "y", "z"], 4: ["x", "y", "z", "score"]}

HOW_TO_GET = """a custom dataset is a folder of .npy/.npz/.json sequences plus labels.csv ({where});
see docs/data.md, then: actlm prepare custom --raw FOLDER --labels labels.csv --layout coco-17 --name mydata"""


def read_array(path: Path, label: str | None = None) -> np.ndarray:
    """Load one sequence file as (M, T, V, C) float32 (no validation against a layout yet).

    With ``label`` (from labels.csv), a JSON file's own ``"label"``, when it has one, must agree."""
    try:
        if path.suffix == ".npy":
            arr = np.load(path, allow_pickle=False)
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                if "skeleton" not in archive:
                    raise file_error(path, f"no 'skeleton' array (has: {', '.join(archive.files) or 'nothing'})")
                arr = archive["skeleton"]
        else:
            arr = _read_json_array(path, label)
    except DataError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise file_error(path, f"unreadable {path.suffix} file ({exc})") from None
    arr = np.asarray(arr)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise file_error(path, f"array is not numeric (dtype {arr.dtype})")
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4:
        raise file_error(path, f"expected (T, V, C) or (M, T, V, C), got shape {arr.shape}")
    return arr.astype(np.float32)


def _read_json_array(path: Path, label: str | None = None) -> np.ndarray:
    obj = read_skeleton_json(path)
    own = obj.get("label")
    if label is not None and own is not None and str(own).strip() != label:
        raise file_error(path, f"its label {own!r} differs from {label!r} in labels.csv")
    try:
        return np.asarray(obj["skeletons"], dtype=np.float32)
    except (ValueError, TypeError):
        raise file_error(path, "'skeletons' is not a regular number array") from None


def read_labels(path: Path, classes_file: Path | None = None) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Rows of labels.csv by sample id, and the class list. Errors name the line."""
    if not path.is_file():
        raise DataError(f"{path}: labels file not found")
    rows: dict[str, dict[str, Any]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        if "sample" not in fields or "label" not in fields:
            raise file_error(path, f"header must name 'sample' and 'label' columns, got {fields}", 1)
        for row in reader:
            line = reader.line_num
            sample, label = (row.get("sample") or "").strip(), (row.get("label") or "").strip()
            if not sample or not label:
                raise file_error(path, "empty sample or label", line)
            if sample in rows:
                raise file_error(path, f"sample {sample!r} listed twice", line)
            rows[sample] = {**{k: v for k, v in row.items() if k is not None}, "_line": line}
    if not rows:
        raise file_error(path, "no samples listed")
    if classes_file:
        classes = [c.strip() for c in Path(classes_file).read_text(encoding="utf-8").splitlines() if c.strip()]
        for row in rows.values():
            if row["label"].strip() not in classes:
                raise file_error(path, f"unknown label {row['label']!r} (not in {classes_file})", row["_line"])
    else:
        classes = sorted({row["label"].strip() for row in rows.values()})
    return rows, classes


def _meta(row: dict[str, Any]) -> dict[str, Any]:
    meta = {}
    for key, value in row.items():
        if key in ("sample", "label", "split", "_line") or value is None:
            continue
        value = value.strip()
        meta[key] = int(value) if value.lstrip("-").isdigit() else value
    return meta


@register_dataset("custom", "custom", HOW_TO_GET, user_named=True)
def prepare(raw: Path, out: Path, progress: Callable | None = None, labels: str | Path | None = None,
            layout: str = "coco-17", name: str | None = None, classes: str | Path | None = None) -> PrepareReport:
    """Import a custom folder into the prepared format (see module docstring)."""
    lay = resolve_layout(layout)
    labels_path = Path(labels) if labels else raw / "labels.csv"
    files = sorted(p for p in raw.iterdir() if p.suffix in SUFFIXES) if raw.is_dir() else []
    if not files:
        raise DataError(f"{raw}: no .npy/.npz/.json sequence files\n" + HOW_TO_GET.format(where=raw))
    rows, class_list = read_labels(labels_path, Path(classes) if classes else None)
    skipped: list[Skipped] = []
    by_id: dict[str, Path] = {}
    for p in files:              # the first file of a stem is the sample; later ones are reported
        by_id.setdefault(p.stem, p)
    skipped += [Skipped(str(raw / s), f"listed in {labels_path.name} (line {rows[s]['_line']}) but no file")
                for s in rows if s not in by_id]
    good: list[tuple[Path, tuple[int, ...]]] = []
    for path in files:           # first pass: validate and learn shapes (one file in memory)
        if path.stem not in rows:
            skipped.append(Skipped(str(path), f"no row in {labels_path.name}"))
            continue
        if by_id[path.stem] != path:
            skipped.append(Skipped(str(path), f"same sample id as {by_id[path.stem].name}; rename one of them"))
            continue
        try:
            arr = check_sequence(read_array(path, rows[path.stem]["label"].strip()), path, lay)
            if arr.shape[-1] not in CHANNEL_NAMES:
                raise file_error(path, f"{arr.shape[-1]} values per joint; use 2 (x, y), 3 (x, y, z) or 4 (+ score)")
        except DataError as exc:
            skipped.append(Skipped.from_error(path, exc))
            continue
        good.append((path, arr.shape))
    if not good:
        raise DataError(f"{raw}: none of {len(files)} files could be used:\n"
                        + "\n".join(f"  {s.path}: {s.reason}" for s in skipped))
    channels = {shape[-1] for _, shape in good}
    if len(channels) > 1:
        raise DataError(f"{raw}: files mix {sorted(channels)} values per joint; use one format")
    splits: dict[str, list[str]] = {}
    with DatasetWriter(out, name or raw.name, lay, CHANNEL_NAMES[channels.pop()], class_list,
                       max_persons=max(shape[0] for _, shape in good),
                       extra={"source": str(raw), "default_benchmark": None}) as writer:
        for path, _ in (progress(good) if progress else good):
            row = rows[path.stem]
            data = check_sequence(read_array(path), path, lay)
            writer.add(Sample(data, class_list.index(row["label"].strip()), path.stem, _meta(row)))
            if (row.get("split") or "").strip():
                splits.setdefault(row["split"].strip(), []).append(path.stem)
        writer.close(splits)
    return PrepareReport(written=len(writer.index), skipped=skipped, output=out)
