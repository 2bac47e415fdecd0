"""Written class descriptions as a text source: the PURLS sheets, user YAML/CSV files, inline text.

A :class:`ClassText` keeps the texts of one class apart: a global description, part-level texts
(head, hands, torso, legs) and phase-level texts (start, middle, end), as the PURLS sheets
(``descriptions/purls_gpt3_desc.xlsx``, GPT-3, BSD-3) give them. ``texts(view)`` turns them into
the sentences a text encoder reads; a class is then represented by the mean of their embeddings
(:func:`actlm.language.open_vocab.class_embeddings`).

Sources (:func:`resolve_class_texts`):

* ``purls``: the PURLS sheet of the dataset (NW-UCLA, UTD-MHAD, NTU60/NTU120 share the NTU sheet),
  matched to the dataset's class names after normalisation (case, quotes, punctuation) and an
  explicit table of the names that differ (:data:`SHEET_ALIASES`); a class the sheet lacks is an
  error naming the sheet and the class.
* ``names``: the class names alone (the baseline every description must beat).
* a ``.yaml``/``.yml``/``.json`` file: ``class: description`` or ``class: {description, head,
  hands, torso, legs, start, middle, end}``; a ``.csv`` file with a ``class`` column and any of
  those columns.
* inline text: ``"tai chi: slow flowing arm movements; boxing: fast punches"`` (a class without
  ``:`` is a name only). Text is text unless it names an existing file: three written
  descriptions are longer than a file name may be, and that is no error.

Bad input (an empty description, a class named twice, an unknown field, a class the dataset
lacks or a dataset class the file lacks) raises :class:`~actlm.data.errors.ConfigError` naming
the file and the class.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from ..data.errors import ConfigError, DataError
from ..data.layout_file import safe_yaml_load
from ..paths import data_root

PARTS = ("head", "hands", "torso", "legs")
PHASES = ("start", "middle", "end")
FIELDS = ("description", *PARTS, *PHASES)
VIEWS = ("all", "name", "global", "parts", "phases")
PURLS_FILE = Path("descriptions") / "purls_gpt3_desc.xlsx"
PURLS_COLUMNS = {"action labels": "class", "head": "head", "hands": "hands", "torso": "torso", "legs": "legs",
                 "start": "start", "middle": "middle", "end": "end", "global desc": "description"}
#: dataset -> its sheet in the PURLS workbook
PURLS_SHEETS = {"nw-ucla": "NW-UCLA", "utd-mhad": "UTD-MHAD", "ntu60": "NTU-RGB+D", "ntu120": "NTU-RGB+D"}
#: per sheet: the dataset's class name (normalised) -> the sheet's (normalised), where they differ
SHEET_ALIASES = {"NTU-RGB+D": {"shoot at the basket": "shoot at the basketball"}}
SHIPPED = Path(__file__).parent / "resources"
#: a file of class descriptions larger than this is refused before it is read
MAX_CLASS_TEXT_BYTES = 16 << 20


@dataclass(frozen=True)
class ClassText:
    """The written texts of one class; ``parts``/``phases`` hold only the fields given."""

    name: str
    description: str = ""
    parts: dict[str, str] = field(default_factory=dict)
    phases: dict[str, str] = field(default_factory=dict)

    def texts(self, view: str = "all") -> list[str]:
        """Sentences for the text encoder: ``name`` (the name alone), ``global`` (the description
        as written), ``parts``, ``phases`` or ``all`` (every one of them). Part and phase texts
        are prefixed with the class name and the part, so a fragment such as 'Slightly bend
        forward' is anchored to its class; a view the class has no text for falls back to the
        global description, then to the name."""
        if view not in VIEWS:
            raise ConfigError(f"text view {view!r}: choose one of {', '.join(VIEWS)}")
        name_only = [name_sentence(self.name)]
        whole = [self.description] if self.description else []
        parts = [f"{self.name}: {part}: {text}" for part, text in self.parts.items()]
        phases = [f"{self.name}: {phase}: {text}" for phase, text in self.phases.items()]
        chosen = {"name": name_only, "global": whole, "parts": parts, "phases": phases,
                  "all": name_only + whole + parts + phases}[view]
        return chosen or whole or name_only


def name_sentence(name: str) -> str:
    return f"A person performs the action '{name}'."


def _person_sentence(fragment: str) -> str:
    """The sheets' global texts lack a subject (' extend their arm, ...'): 'A person extend ...'."""
    text = " ".join(str(fragment).split())
    return f"A person {text[:1].lower() + text[1:]}" if text else text


def normalise_name(name: str) -> str:
    """Case, quotes (straight or curly) and punctuation ignored: ``Draw 'X'`` == ``draw x``."""
    return re.sub(r"[^a-z0-9]+", " ", str(name).lower().replace("’", "'")).strip()


# --- reading -----------------------------------------------------------------------------------
def _class_text(source: str, name: object, fields: dict[str, object]) -> ClassText:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{source}: a class name must be non-empty text, got {name!r}")
    name = " ".join(name.split())
    unknown = sorted(str(k) for k in set(fields) - set(FIELDS))
    if unknown:
        raise ConfigError(f"{source}: class {name!r}: unknown field(s) {unknown}; valid: {', '.join(FIELDS)}")
    texts = {}
    for key, value in fields.items():
        if value is None or not isinstance(value, (str, int, float)) or not str(value).strip():
            raise ConfigError(f"{source}: class {name!r}: the {key} text is empty")
        texts[key] = " ".join(str(value).split())
    return ClassText(name, texts.pop("description", ""), {p: texts[p] for p in PARTS if p in texts},
                     {p: texts[p] for p in PHASES if p in texts})


def _no_duplicates(source: str, items: Iterable[ClassText]) -> list[ClassText]:
    seen: dict[str, str] = {}
    out = []
    for item in items:
        key = normalise_name(item.name)
        if key in seen:
            raise ConfigError(f"{source}: class {item.name!r} is given twice"
                              + (f" (as {seen[key]!r} too)" if seen[key] != item.name else ""))
        seen[key] = item.name
        out.append(item)
    return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that refuses a mapping with a repeated key (PyYAML keeps the last silently)."""


def _construct_unique(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    counts = Counter(str(k) for k in keys)
    repeated = sorted(k for k, n in counts.items() if n > 1)
    if repeated:
        raise ConfigError(f"class {repeated[0]!r} is given twice")
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique)


def _read_mapping(path: Path, text: str) -> object:
    if path.suffix.lower() == ".json":
        def unique(pairs: list[tuple[str, object]]) -> dict:
            repeated = [k for k, n in Counter(k for k, _ in pairs).items() if n > 1]
            if repeated:
                raise ConfigError(f"{path}: class {repeated[0]!r} is given twice")
            return dict(pairs)
        return json.loads(text, object_pairs_hook=unique)
    try:
        return safe_yaml_load(text, path, _UniqueKeyLoader)     # an alias bomb is refused, not expanded
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def read_mapping_file(path: Path) -> list[ClassText]:
    """A YAML/JSON file of ``class: text`` or ``class: {description, head, ...}``."""
    try:
        raw = _read_mapping(path, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
        if isinstance(exc, ConfigError):
            raise
        if isinstance(exc, DataError):          # the file is named already (e.g. an alias bomb)
            raise ConfigError(str(exc)) from None
        raise ConfigError(f"{path}: cannot read class descriptions ({type(exc).__name__}: {exc})") from None
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{path}: expected a mapping of class name to description (or to a mapping of "
                          f"{', '.join(FIELDS)})")
    items = []
    for name, value in raw.items():
        fields = value if isinstance(value, dict) else {"description": value}
        items.append(_class_text(str(path), name, fields))
    return _no_duplicates(str(path), items)


def read_csv_file(path: Path) -> list[ClassText]:
    """A CSV file with a ``class`` column and any of ``description, head, hands, ...``."""
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: cannot read class descriptions ({exc})") from None
    if not rows or "class" not in (rows[0].keys()):
        raise ConfigError(f"{path}: expected a header row with a 'class' column and any of {', '.join(FIELDS)}")
    items = []
    for line, row in enumerate(rows, start=2):
        fields = {k.strip(): v for k, v in row.items() if k and k.strip() != "class" and v is not None}
        if not any(str(v).strip() for v in fields.values()):
            raise ConfigError(f"{path}:{line}: class {row['class']!r}: the description is empty")
        fields = {k: v for k, v in fields.items() if str(v).strip()}   # a blank part column: not given
        items.append(_class_text(f"{path}:{line}", row["class"], fields))
    return _no_duplicates(str(path), items)


def parse_inline(text: str) -> list[ClassText]:
    """``"tai chi: slow flowing arm movements; boxing: fast punches"`` (``;`` or new lines)."""
    items = []
    for chunk in re.split(r"[;\n]", text):
        if not chunk.strip():
            continue
        name, sep, description = chunk.partition(":")
        if sep and not description.strip():
            raise ConfigError(f"--classes: class {name.strip()!r}: the description after ':' is empty")
        items.append(_class_text("--classes", name, {"description": description} if sep else {}))
    if not items:
        raise ConfigError("--classes: no class given; write 'name: description; name: description'")
    return _no_duplicates("--classes", items)


def _names_a_file(path: Path) -> bool:
    """Whether ``path`` is an existing regular file: text longer than a file name can be (three
    written descriptions reach 255 characters) or with characters no path has is text, not an error."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_class_texts(path: str | Path) -> list[ClassText]:
    """A user's file of class texts (.yaml/.yml/.json/.csv), in file order."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"{path}: no such class-description file")
    if path.stat().st_size > MAX_CLASS_TEXT_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CLASS_TEXT_BYTES >> 20} MiB: not a file of class descriptions")
    if path.suffix.lower() == ".csv":
        return read_csv_file(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return read_mapping_file(path)
    raise ConfigError(f"{path}: class descriptions must be a .yaml, .yml, .json or .csv file")


def read_purls_sheet(sheet: str, path: str | Path | None = None) -> list[ClassText]:
    """One sheet of the PURLS workbook (needs openpyxl: pip install 'actlm[language]')."""
    path = Path(path) if path else data_root() / PURLS_FILE
    try:
        import openpyxl
    except ImportError:
        raise ConfigError("reading the PURLS descriptions needs openpyxl: pip install 'actlm[language]'") from None
    if not path.is_file():
        raise ConfigError(f"{path}: PURLS descriptions not found (set ACTLM_DATA to the folder holding "
                          f"{PURLS_FILE})")
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet not in workbook.sheetnames:
            raise ConfigError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
        rows = list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [PURLS_COLUMNS.get(str(h).strip().lower()) if h is not None else None for h in rows[0]]
    if "class" not in header or "description" not in header:
        raise ConfigError(f"{path} [{sheet}]: expected columns {', '.join(PURLS_COLUMNS)}, got {rows[0]}")
    items = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None for v in row):
            continue
        cells = {key: value for key, value in zip(header, row) if key}
        name = cells.pop("class")
        item = _class_text(f"{path} [{sheet}] row {number}", name, cells)
        items.append(ClassText(item.name, _person_sentence(item.description), item.parts, item.phases))
    return _no_duplicates(f"{path} [{sheet}]", items)


# --- matching to a dataset --------------------------------------------------------------------
def match_to_classes(texts: Sequence[ClassText], classes: Sequence[str], source: str,
                     aliases: dict[str, str] | None = None, extra_ok: bool = False) -> list[ClassText]:
    """``texts`` in the order of ``classes``, renamed to the dataset's names. Every class needs a
    text; a text for no class is an error unless ``extra_ok`` (a sheet covering more classes)."""
    aliases = aliases or {}
    by_key = {normalise_name(t.name): t for t in texts}
    out, missing, used = [], [], set()
    for name in classes:
        key = normalise_name(aliases.get(normalise_name(name), name))
        if key not in by_key:
            missing.append(name)
            continue
        used.add(key)
        found = by_key[key]
        out.append(ClassText(name, found.description, dict(found.parts), dict(found.phases)))
    problems = []
    if missing:
        problems.append(f"no description for class(es) {missing}")
    unknown = [t.name for t in texts if normalise_name(t.name) not in used]
    if unknown and not extra_ok:
        problems.append(f"{unknown} are not classes of this dataset ({', '.join(classes)})")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return out


def purls_class_texts(dataset: str, classes: Sequence[str], path: str | Path | None = None) -> list[ClassText]:
    """The PURLS texts of ``dataset``'s classes, in class order. A dataset the sheets are not
    known for (a renamed or custom copy) uses the sheet that names every one of its classes."""
    where = Path(path) if path else data_root() / PURLS_FILE
    sheet = PURLS_SHEETS.get(dataset.lower())
    if sheet is not None:
        return match_to_classes(read_purls_sheet(sheet, where), classes, f"{where} [{sheet}]",
                                SHEET_ALIASES.get(sheet), extra_ok=True)
    for sheet in dict.fromkeys(PURLS_SHEETS.values()):
        try:
            return match_to_classes(read_purls_sheet(sheet, where), classes, f"{where} [{sheet}]",
                                    SHEET_ALIASES.get(sheet), extra_ok=True)
        except ConfigError:
            continue
    raise ConfigError(f"{where}: no sheet names every class of dataset {dataset!r} ({', '.join(classes)}); the "
                      f"sheets cover {', '.join(PURLS_SHEETS)}: give a YAML/CSV of class texts instead")


def resolve_class_texts(spec: str, dataset: str | None = None,
                        classes: Sequence[str] | None = None) -> list[ClassText]:
    """Class texts from ``spec`` (see module docstring). With ``classes`` the result follows the
    dataset's class order and must cover it exactly (``purls`` and ``names`` need ``classes``);
    without, it is the user's classes in the order given (open vocabulary)."""
    spec = spec.strip()
    if spec in ("purls", "names"):
        if classes is None or dataset is None:
            raise ConfigError(f"class texts {spec!r} need a dataset to take the class names from")
        if spec == "names":
            return [ClassText(c) for c in classes]
        return purls_class_texts(dataset, classes)
    path = Path(spec).expanduser()
    inline = ":" in spec or ";" in spec or "\n" in spec
    if _names_a_file(path):
        source, texts = str(path), read_class_texts(path)
    elif _names_a_file(SHIPPED / f"{spec}.yaml"):
        source, texts = str(SHIPPED / f"{spec}.yaml"), read_class_texts(SHIPPED / f"{spec}.yaml")
    elif inline:
        source, texts = "--classes", parse_inline(spec)
    elif path.suffix.lower() in (".yaml", ".yml", ".json", ".csv"):
        source, texts = str(path), read_class_texts(path)      # a missing file: the error names it
    else:
        shipped = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.yaml")))
        raise ConfigError(f"class texts {spec!r}: not a .yaml/.json/.csv file, 'purls', 'names', a shipped set "
                          f"({shipped}) or inline 'name: description; ...'")
    return match_to_classes(texts, classes, source) if classes is not None else texts


def write_general_class_texts(path: Path, purls: str | Path | None = None) -> Path:
    """Write the merged classes' texts (``class: {description, head, ..., end}``) as YAML, each
    class preceded by a comment naming its source; PURLS texts are read from the shared workbook."""
    from ..data.merged import CLASSES, OWN_TEXTS, PURLS_TEXTS

    sheets: dict[str, dict[str, Any]] = {}
    lines = ["# Written descriptions of the general model's classes (actlm/data/merged.py).",
             "# PURLS texts: Anqi Zhu, purls_gpt3_desc.xlsx, BSD 3-Clause License, Copyright (c) 2024, Anqi Zhu",
             "# (GPT-3 descriptions, redistributed under that licence); the others written for actlm.", ""]
    for name in CLASSES:
        if name in PURLS_TEXTS:
            sheet, purls_name = PURLS_TEXTS[name]
            if sheet not in sheets:
                sheets[sheet] = {normalise_name(t.name): t for t in read_purls_sheet(sheet, purls)}
            text = sheets[sheet][normalise_name(purls_name)]
            entry = {"description": text.description, **text.parts, **text.phases}
            lines.append(f"# source: PURLS {sheet}: {purls_name}")
        else:
            entry = {"description": OWN_TEXTS[name]}
            lines.append("# source: written for actlm")
        lines.append(yaml.safe_dump({name: entry}, sort_keys=False, width=110, allow_unicode=True).rstrip())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
