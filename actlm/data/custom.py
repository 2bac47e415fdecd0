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
kept as metadata. The class order (:mod:`actlm.data.labels`): the lines of ``classes.txt`` when
given, else integer labels in numeric order, else the label names sorted; the summary says which.

Bad files are skipped and listed (the run still writes everything else, :mod:`.sequence_files`
says how files are read safely). Persons per sequence follow :data:`PERSONS_RULE` (or
``persons``); frames with no skeleton are dropped at the ends and interpolated inside
(:func:`actlm.data.validate.fill_lost_frames`).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import default_dataset_name, register_dataset
from .errors import DataError, PrepareReport, Skipped, file_error, printable
from .labels import Labels, read_labels, row_meta
from .layout_file import resolve_layout
from .layouts import Layout, layout_warnings
from .sequence_files import read_array, special_file_reason
from .store import DatasetWriter, Sample, prepared_info
from .validate import check_sequence, fill_lost_frames

SUFFIXES = (".npy", ".npz", ".json")
CHANNEL_NAMES = {2: ["x", "y"], 3: ["x", "y", "z"], 4: ["x", "y", "z", "score"]}

HOW_TO_GET = """a custom dataset is a folder of .npy/.npz/.json sequences plus labels.csv ({where});
see docs/data.md, then: actlm prepare custom --raw FOLDER --labels labels.csv --layout coco-17 --name mydata"""


@register_dataset("custom", "custom", HOW_TO_GET, user_named=True)
def prepare(raw: Path, out: Path, progress: Callable | None = None, labels: str | Path | None = None,
            layout: str = "coco-17", name: str | None = None, classes: str | Path | None = None,
            persons: int | None = None) -> PrepareReport:
    """Import a custom folder into the prepared format (see module docstring)."""
    lay = resolve_layout(layout)
    labels_path = Path(labels) if labels else raw / "labels.csv"
    files = sorted(p for p in raw.iterdir() if p.suffix.lower() in SUFFIXES) if raw.is_dir() else []
    if not files:
        raise DataError(f"{raw}: no .npy/.npz/.json sequence files\n" + HOW_TO_GET.format(where=raw))
    table = read_labels(labels_path, Path(classes) if classes else None, SUFFIXES)
    skipped = list(table.skipped)
    good = _usable_files(raw, files, table, labels_path, lay, skipped)
    if not good:
        raise DataError(printable(f"{raw}: none of {len(files)} files could be used") + ":\n"
                        + "\n".join(printable(f"  {s.path}: {s.reason}") for s in skipped[:10])
                        + (f"\n  ... and {len(skipped) - 10} more" if len(skipped) > 10 else ""))
    channels = {shape[-1] for _, shape in good}
    if len(channels) > 1:
        raise DataError(f"{raw}: files mix {sorted(channels)} values per joint; use one format")
    max_persons = persons_per_sequence([shape[0] for _, shape in good], persons)
    set_name = default_dataset_name(name, raw.resolve().name, "custom")
    notes = [table.order_note(Path(classes) if classes else None), *layout_warnings(lay),
             *_replaced_notes(out, set_name, table.classes)]
    splits: dict[str, list[str]] = {}
    trimmed: list[str] = []
    lost: dict[str, tuple[int, int]] = {}
    class_index = {c: k for k, c in enumerate(table.classes)}
    with DatasetWriter(out, set_name, lay, CHANNEL_NAMES[channels.pop()], table.classes, max_persons=max_persons,
                       extra={"source": str(raw), "default_benchmark": None, "class_order": table.class_order,
                              "persons_rule": PERSONS_RULE if persons is None else "--persons"}) as writer:
        for path, shape in (progress(good) if progress else good):
            row = table.rows[path.stem]
            data = keep_persons(check_sequence(read_array(path), path, lay), max_persons)
            data, ends, inside = fill_lost_frames(data)
            meta = row_meta(row)
            if ends or inside:
                lost[path.name] = (ends, inside)
                meta["lost_frames"] = {"dropped_at_ends": ends, "filled_inside": inside}
            if shape[0] > max_persons:
                trimmed.append(f"{path.name} ({shape[0]})")
            writer.add(Sample(data, class_index[row["label"]], path.stem, meta))
            if (row.get("split") or "").strip():
                splits.setdefault(row["split"].strip(), []).append(path.stem)
        writer.close(splits)
    notes += _persons_note(max_persons, persons, trimmed) + _lost_frames_note(lost) + _splits_note(splits)
    return PrepareReport(written=len(writer.index), skipped=skipped, output=out, notes=notes)


def _usable_files(raw: Path, files: list[Path], table: Labels, labels_path: Path, lay: Layout,
                  skipped: list[Skipped]) -> list[tuple[Path, tuple[int, ...]]]:
    """First pass (one file in memory at a time): the files to write with their shapes; every
    other file, and every row without a file, is added to ``skipped`` with the reason."""
    by_id: dict[str, Path] = {}
    for p in files:              # the first file of a stem is the sample; later ones are reported
        by_id.setdefault(p.stem, p)
    skipped += [Skipped(str(raw / s), f"listed in {labels_path.name} (line {table.rows[s]['_line']}) but no file")
                for s in table.rows if s not in by_id]
    good: list[tuple[Path, tuple[int, ...]]] = []
    for path in files:
        special = special_file_reason(path)
        if special:
            skipped.append(Skipped(str(path), special))
        elif path.stem not in table.rows:
            skipped.append(Skipped(str(path), f"no row in {labels_path.name}"))
        elif by_id[path.stem] != path:
            skipped.append(Skipped(str(path), f"same sample id as {by_id[path.stem].name}; rename one of them"))
        else:
            try:
                arr = check_sequence(read_array(path, table.rows[path.stem]["label"]), path, lay)
                if arr.shape[-1] not in CHANNEL_NAMES:
                    raise file_error(path, f"{arr.shape[-1]} values per joint; use 2 (x, y), 3 (x, y, z) "
                                           f"or 4 (+ score)")
            except DataError as exc:
                skipped.append(Skipped.from_error(path, exc))
                continue
            good.append((path, arr.shape))
    return good


PERSONS_RULE = ("the largest person count that at least 10 % of the files (and at least 2) reach; "
                "a file with more persons keeps those present in the most frames")


def persons_per_sequence(counts: list[int], persons: int | None = None) -> int:
    """Persons stored per sequence (:data:`PERSONS_RULE`, or ``persons`` when given): one file
    with five people must not make a one-person set five-person (the model would learn from
    four padded, empty persons in every other sequence)."""
    if persons is not None:
        if int(persons) < 1:
            raise DataError(f"--persons must be at least 1, got {persons}")
        return int(persons)
    need = min(len(counts), max(2, math.ceil(0.1 * len(counts))))
    return sorted(counts, reverse=True)[need - 1]     # the count that ``need`` files reach or exceed


def keep_persons(data: np.ndarray, persons: int) -> np.ndarray:
    """The ``persons`` persons of a (M, T, V, C) sequence present in the most frames (file order kept)."""
    if data.shape[0] <= persons:
        return data
    frames_present = (data != 0).any(axis=(2, 3)).sum(axis=1)
    keep = np.sort(np.argsort(-frames_present, kind="stable")[:persons])
    return data[keep]


def _persons_note(max_persons: int, persons: int | None, trimmed: list[str]) -> list[str]:
    if not trimmed:
        return []
    rule = f"--persons {persons}" if persons is not None else f"rule: {PERSONS_RULE}"
    return [f"persons: {max_persons} per sequence ({rule}); {len(trimmed)} file(s) had more and keep "
            f"{max_persons}: {', '.join(trimmed[:10])}{' ...' if len(trimmed) > 10 else ''}; "
            f"--persons N keeps more"]


def _lost_frames_note(lost: dict[str, tuple[int, int]]) -> list[str]:
    """What was done to frames with no skeleton (all coordinates zero: tracking lost)."""
    if not lost:
        return []
    ends = sum(e for e, _ in lost.values())
    inside = sum(i for _, i in lost.values())
    examples = ", ".join(f"{name} ({e} at the ends, {i} inside)" for name, (e, i) in list(lost.items())[:5])
    return [f"frames with no skeleton (all zero, tracking lost) in {len(lost)} sequence(s): {ends} at the "
            f"start/end dropped, {inside} inside filled by linear interpolation between the frames around "
            f"them: {examples}{' ...' if len(lost) > 5 else ''}"]


def _splits_note(splits: dict[str, list[str]], usual: int = 10) -> list[str]:
    """A warning when the split column looks like something else (ids, subjects)."""
    if len(splits) <= usual:
        return []
    return [f"warning: the split column has {len(splits)} distinct values ({', '.join(list(splits)[:5])}, ...); "
            f"splits are usually train/test(/val): put ids, subjects or views in a column of another name"]


def _replaced_notes(out: Path, name: str, classes: list[str]) -> list[str]:
    """What replacing the prepared set at ``out`` changes: another set's name, another class
    list (the indices of runs trained on it no longer match)."""
    old = prepared_info(Path(out)) if Path(out).is_dir() else None
    if not old:
        return []
    notes = [f"note: replaced the prepared dataset {old.get('name')!r} at {out}"] if old.get("name") != name else []
    if old.get("classes") not in (None, classes):
        moved = [c for i, c in enumerate(old["classes"]) if i >= len(classes) or classes[i] != c]
        notes.append(f"note: the dataset replaced at {out} had other classes or another order "
                     f"({len(old['classes'])} -> {len(classes)} classes; index changed for "
                     f"{', '.join(moved[:8]) or 'none'}{' ...' if len(moved) > 8 else ''}): runs trained on it "
                     f"do not match this one")
    return notes
