"""``labels.csv`` and ``classes.txt`` of a user's folder (custom skeletons, videos).

``labels.csv``: UTF-8 text (a byte-order mark, as Excel's "CSV UTF-8" writes, is fine) with a
header naming at least ``sample`` and ``label``; ``sample`` is the file name with or without
its suffix. A row that cannot be used (empty sample or label, a field over
:data:`MAX_FIELD_CHARS` characters) is skipped and reported, the others are kept.

The class order fixes every class index, so it is chosen by a stated rule and stored:

* ``classes.txt`` (one name a line): that order; a class listed twice or a label not listed
  is an error naming the line;
* otherwise, when every label is an integer (``0``, ``7``, ``10``): numeric order;
* otherwise the label names sorted as text. Adding a label later shifts the indices after it,
  which the prepare summary says (with the way to fix the order: ``--classes classes.txt``).
"""
from __future__ import annotations

import csv
import io
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .errors import CONTROL_CHARS, DataError, Skipped, file_error
from .sequence_files import check_regular_file

#: a labels.csv cell longer than this is not a label or a metadata value: its row is skipped
MAX_FIELD_CHARS = 65_536
#: labels.csv / classes.txt larger than this are not label files (a million rows take ~50 MB)
MAX_TEXT_BYTES = 256 << 20
_INTEGER = re.compile(r"^-?[0-9]+$")       # ASCII digits only: '²' or '--5' stay text


@dataclass
class Labels:
    """What labels.csv (and classes.txt) say: rows by sample id, the class list, how its order
    was chosen (``class_order``: classes.txt, numeric or sorted), rows skipped with the reason."""

    rows: dict[str, dict[str, Any]]
    classes: list[str]
    class_order: str
    skipped: list[Skipped] = field(default_factory=list)

    def order_note(self, classes_file: Path | None = None) -> str:
        """One line for the prepare summary: which rule ordered the classes."""
        listing = ", ".join(f"{i}={c}" for i, c in enumerate(self.classes[:8]))
        listing += ", ..." if len(self.classes) > 8 else ""
        if self.class_order == "classes.txt":
            return f"classes: {len(self.classes)} in the order of {classes_file} ({listing})"
        how = ("the labels are integers, in numeric order" if self.class_order == "numeric"
               else "the label names in sorted order")
        return (f"classes: {len(self.classes)}, {how} ({listing}); a new label later shifts the indices "
                f"after it: give --classes classes.txt (one name a line) to fix the order")


def read_text_file(path: Path, what: str) -> str:
    """A user's small text file as str: a regular file, UTF-8 (BOM allowed), not binary."""
    check_regular_file(path, what)
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise file_error(path, f"larger than {MAX_TEXT_BYTES >> 20} MiB: not a {what}")
    data = path.read_bytes()
    if b"\0" in data:
        raise file_error(path, f"binary data (NUL bytes), not a {what} in text form")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise file_error(path, f"not UTF-8 text (byte {exc.start}); save it as UTF-8 ('CSV UTF-8' in Excel)",
                         line) from None


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read fields up to ``limit`` characters (the limit is process-wide)."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(limit, sys.maxsize))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def sample_id(value: str, suffixes: tuple[str, ...]) -> str:
    """The sample id a ``sample`` cell names: ``clip_001`` and ``clip_001.npy`` are the same."""
    value = value.strip()
    stem, dot, suffix = value.rpartition(".")
    return stem if dot and stem and f".{suffix.lower()}" in suffixes else value


def read_labels(path: Path, classes_file: Path | None = None, suffixes: tuple[str, ...] = ()) -> Labels:
    """Rows of labels.csv by sample id, and the class list (see module docstring). Errors name
    the file and line; unusable rows are skipped and reported."""
    if not path.exists():
        raise DataError(f"{path}: labels file not found")
    text = read_text_file(path, "labels file")
    rows: dict[str, dict[str, Any]] = {}
    skipped: list[Skipped] = []
    with _csv_field_limit(len(text) + 1):          # a long field is reported below, not fatal
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            fields = reader.fieldnames or []
            if "sample" not in fields or "label" not in fields:
                raise file_error(path, f"header must name 'sample' and 'label' columns, got {fields}", 1)
            for row in reader:
                problem = _row_problem(row)
                if problem:
                    skipped.append(Skipped(str(path), f"line {reader.line_num}: {problem}; row skipped"))
                    continue
                sample = sample_id(row["sample"], suffixes)
                if sample in rows:
                    raise file_error(path, f"sample {sample!r} listed twice (first on line {rows[sample]['_line']})",
                                     reader.line_num)
                rows[sample] = {**{k: v for k, v in row.items() if k is not None}, "label": row["label"].strip(),
                                "_line": reader.line_num}
        except csv.Error as exc:
            raise file_error(path, f"not a readable CSV file ({exc})", reader.line_num) from None
    if not rows:
        raise file_error(path, "no usable samples listed" + "".join(f"\n  {s.reason}" for s in skipped[:5]))
    classes, order = _class_list(path, rows, classes_file)
    return Labels(rows, classes, order, skipped)


def _row_problem(row: dict[str | None, Any]) -> str | None:
    values = [v for v in row.values() if isinstance(v, str)]
    values += [x for v in row.values() if isinstance(v, list) for x in v]      # cells beyond the header
    longest = max((len(v) for v in values), default=0)
    if longest > MAX_FIELD_CHARS:
        return f"a field of {longest:,} characters (at most {MAX_FIELD_CHARS:,})"
    if not (row.get("sample") or "").strip() or not (row.get("label") or "").strip():
        return "empty sample or label"
    if CONTROL_CHARS.search(row["sample"].strip()) or CONTROL_CHARS.search(row["label"].strip()):
        return "control characters (e.g. terminal escape codes) in the sample or label"
    return None


def _class_list(path: Path, rows: dict[str, dict[str, Any]], classes_file: Path | None) -> tuple[list[str], str]:
    if classes_file is not None:
        classes = read_classes_file(Path(classes_file))
        known = set(classes)
        for row in rows.values():
            if row["label"] not in known:
                raise file_error(path, f"unknown label {row['label']!r} (not in {classes_file})", row["_line"])
        return classes, "classes.txt"
    labels = {row["label"] for row in rows.values()}
    if all(_INTEGER.match(label) for label in labels):
        return sorted(labels, key=lambda label: (int(label), label)), "numeric"
    return sorted(labels), "sorted"


def read_classes_file(path: Path) -> list[str]:
    """The class names of ``classes.txt``, one a line (blank lines ignored); a name listed twice
    is an error naming both lines."""
    classes: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(read_text_file(path, "classes file").splitlines(), start=1):
        name = line.strip()
        if not name:
            continue
        if CONTROL_CHARS.search(name):
            raise file_error(path, f"class {name!r} holds control characters (e.g. terminal escape codes)", number)
        if name in first_line:
            raise file_error(path, f"class {name!r} listed twice (first on line {first_line[name]})", number)
        first_line[name] = number
        classes.append(name)
    if not classes:
        raise file_error(path, "no class names (one a line)")
    return classes


def row_meta(row: dict[str, Any]) -> dict[str, Any]:
    """A row's metadata columns (all but sample, label, split): ASCII integers as int, the rest
    as text (``--5`` or ``²`` stay text)."""
    meta: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("sample", "label", "split", "_line") or not isinstance(value, str):
            continue
        value = value.strip()
        meta[key] = int(value) if _INTEGER.match(value) else value
    return meta
