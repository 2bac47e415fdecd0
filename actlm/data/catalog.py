"""The catalogue of known datasets, filled by the dataset modules themselves.

Each importer module declares its dataset next to the function that prepares it::

    @register_dataset("nw-ucla", raw_subdir="nw-ucla/all_sqe", how_to_get=HOW_TO_GET,
                      aliases=("nwucla", "ucla"))
    def prepare(raw: Path, out: Path, progress=None) -> PrepareReport: ...

:mod:`actlm.data.registry` imports the built-in importers and looks names up here; importers in
packages above ``data`` (:mod:`actlm.pose.prepare`, labelled videos) and importers built from other prepared sets (:mod:`actlm.data.merged`) are imported by the package
``actlm/__init__.py``, as every plug-in is.
This module imports nothing of actlm, so any importer can use it without an import circle.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Preparer = Callable[..., Any]   # (raw: Path, out: Path, progress=None, **options) -> PrepareReport


@dataclass(frozen=True)
class DatasetSpec:
    """How to find and prepare one dataset.

    ``how_to_get`` is shown when the raw files are missing (``{where}`` is the folder looked
    in); ``user_named``: each prepared copy is stored under the ``name`` the user gives
    (custom folders, videos) instead of the dataset's own name. ``version`` counts changes of the
    importer that change what it stores (a prepared copy written by an older one is prepared again
    on its next load by name); ``built_from`` names the datasets a derived one is made of (their
    versions count as its own)."""

    name: str
    raw_subdir: str
    prepare: Preparer
    how_to_get: str
    aliases: tuple[str, ...] = ()
    user_named: bool = False
    version: int = 1
    built_from: tuple[str, ...] = ()


DATASETS: dict[str, DatasetSpec] = {}
ALIASES: dict[str, str] = {}

#: the frame rate (frames/s) each built-in dataset was captured at (../shared/data/README.md and the
#: datasets' own descriptions): the fact detector reads its durations (seconds) at it. The merged
#: set has none of its own (its samples name their source); user folders and videos give theirs
#: per sample (``meta['fps']``).
CAPTURE_FPS: dict[str, float] = {
    "nw-ucla": 30.0,         # Kinect v1
    "utd-mhad": 30.0,        # Kinect v1
    "penn-action": 30.0,     # video frames
    "msrc-12": 30.0,         # Kinect v1; time_usec ~30 fps (irregular)
    "ntu60": 30.0, "ntu120": 30.0,    # Kinect v2
    "sbu": 15.0,             # SBU Kinect Interaction: 15 fps
}


def register_dataset(name: str, raw_subdir: str, how_to_get: str, aliases: tuple[str, ...] = (),
                     user_named: bool = False, version: int = 1,
                     built_from: tuple[str, ...] = ()) -> Callable[[Preparer], Preparer]:
    """Decorator: register the decorated function as the preparer of dataset ``name``."""
    def add(prepare: Preparer) -> Preparer:
        taken = [a for a in (name, *aliases) if a in ALIASES and ALIASES[a] != name
                 or a in DATASETS and a != name]
        if taken:
            raise ValueError(f"dataset name(s) {taken} are taken by another dataset")
        DATASETS[name] = DatasetSpec(name, raw_subdir, prepare, how_to_get, tuple(aliases), user_named,
                                     version, tuple(built_from))
        ALIASES.update({alias: name for alias in aliases})
        return prepare
    return add


def capture_fps(name: str) -> float | None:
    """The frame rate (frames/s) dataset ``name`` (or an alias of it) was captured at
    (:data:`CAPTURE_FPS`); None where it is not known."""
    return CAPTURE_FPS.get(ALIASES.get(name, name))


def importer_versions(name: str) -> dict[str, int]:
    """The importer versions a prepared copy of ``name`` is made with: its own and, for a dataset
    built from others, theirs (stored in its ``dataset.json`` as ``importers``)."""
    spec = DATASETS[name]
    versions = {name: spec.version}
    for source in spec.built_from:
        versions.update(importer_versions(source))
    return versions


def reserved_names() -> set[str]:
    """Names and aliases of the built-in datasets (lower case): a user's own dataset
    (``prepare custom/videos --name``) may not take them, so it never replaces a benchmark."""
    builtin = {name for name, spec in DATASETS.items() if not spec.user_named}
    return builtin | {alias for alias, name in ALIASES.items() if name in builtin}


def default_dataset_name(name: str | None, raw_folder_name: str, fallback: str) -> str:
    """The name a user's dataset gets: ``name`` when given, else its raw folder's name unless a
    built-in dataset has that name (a folder called ``ucla`` must not make a set named like
    NW-UCLA), else ``fallback``."""
    if name:
        return name
    return fallback if raw_folder_name.lower() in reserved_names() or not raw_folder_name else raw_folder_name
