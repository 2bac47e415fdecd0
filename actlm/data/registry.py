"""Known datasets (registered by their modules, :mod:`actlm.data.catalog`): finding, preparing, loading them."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

try:  # POSIX; elsewhere concurrent first uses simply race (each writes its own partial folder)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from ..paths import cache_dir, data_root
from . import nwucla, ntu, custom, utdmhad, penn, sbu, msrc12  # noqa: F401,I001  (the built-in importers register themselves, in this order)
from .catalog import ALIASES, DATASETS, DatasetSpec, importer_versions, reserved_names
from .errors import CONTROL_CHARS, DataError, DatasetNotFound, PrepareReport
from .store import SkeletonSet, check_replaceable


def _key(name: str) -> str:
    return ALIASES.get(name.lower(), name.lower())


def get_spec(name: str) -> DatasetSpec:
    """The registered dataset ``name`` (or alias); raises :class:`DatasetNotFound` listing the known ones."""
    key = _key(name)
    if key not in DATASETS:
        raise DatasetNotFound(f"unknown dataset {name!r}; known: {', '.join(DATASETS)} "
                              f"(or a path to a prepared dataset directory)")
    return DATASETS[key]


def prepared_path(name: str) -> Path:
    """Where the prepared copy of a dataset lives (``<cache>/datasets/<name>``); custom datasets
    are stored under the name given at ``prepare`` time."""
    key = _key(name)
    return cache_dir("datasets") / (DATASETS[key].name if key in DATASETS else name)


def raw_path(name: str, root: str | Path | None = None) -> Path:
    return data_root(root) / get_spec(name).raw_subdir


def prepare(dataset: str, raw: str | Path | None = None, out: str | Path | None = None,
            data_root_dir: str | Path | None = None, progress: Callable | None = None,
            **options: Any) -> PrepareReport:
    """Prepare a named dataset from its raw files (``raw`` defaults to its place in the data root)."""
    spec = get_spec(dataset)
    raw_dir = Path(raw) if raw else raw_path(dataset, data_root_dir)
    if not raw_dir.is_dir():
        raise DatasetNotFound(f"{spec.name}: raw files not found at {raw_dir}\n"
                              + spec.how_to_get.format(where=raw_dir))
    if spec.user_named and options.get("name") is not None:
        options["name"] = check_dataset_name(options["name"])
    stored_as = (options.get("name") or spec.name) if spec.user_named else spec.name
    out_dir = Path(out) if out else prepared_path(stored_as)
    check_no_overlap(raw_dir, out_dir, inside_ok=spec.raw_subdir == ".")
    check_not_a_builtin_place(out_dir, spec)
    check_replaceable(Path(os.path.abspath(out_dir.expanduser())))   # before reading any raw file
    return spec.prepare(raw_dir, out_dir, progress=progress, **options)


def stale_importers(info: dict[str, Any]) -> list[str]:
    """The importers that changed since a prepared copy of a built-in dataset was written, as
    'name v1 -> v2' (empty when it is current or not a built-in; a copy from before versions were
    recorded counts as version 1 of every importer)."""
    key = _key(str(info.get("name", "")))
    if key not in DATASETS or DATASETS[key].user_named:
        return []
    stored = info.get("importers") or {}
    return [f"{name} v{stored.get(name, 1)} -> v{version}" for name, version in importer_versions(key).items()
            if stored.get(name, 1) != version]


def check_not_a_builtin_place(out: Path, spec: DatasetSpec) -> None:
    """Refuse writing a dataset into the cache folder of another, built-in one (``load("nw-ucla")``
    would then open it as NW-UCLA)."""
    out_real = out.expanduser().resolve()
    for other in DATASETS.values():
        if not other.user_named and other.name != spec.name and prepared_path(other.name).resolve() == out_real:
            raise DataError(f"--out {out}: the place of the prepared built-in dataset {other.name}; "
                            f"choose another folder")


_NAME_MAX = 100


def check_dataset_name(name: str) -> str:
    """A user's dataset name (``prepare custom/videos --name``): a name, not a path, and not the
    name or alias of a built-in dataset. Raises :class:`DataError` saying what to change."""
    if not isinstance(name, str) or not name.strip():
        raise DataError("--name: the dataset name is blank; give a name such as my-actions")
    if any(c in name for c in "/\\") or name in (".", ".."):
        raise DataError(f"--name {name!r}: a dataset name is a name, not a path; use --out FOLDER to choose "
                        f"where the prepared dataset is written")
    if CONTROL_CHARS.search(name):
        raise DataError(f"--name {name!r}: control characters are not allowed in a dataset name")
    if name != name.strip() or name.startswith(".") or len(name) > _NAME_MAX:
        raise DataError(f"--name {name!r}: a dataset name has no surrounding spaces, does not start with '.' "
                        f"and has at most {_NAME_MAX} characters")
    if name.lower() in reserved_names():
        raise DataError(f"--name {name!r}: the name of a built-in dataset ({_key(name)}) is reserved; "
                        f"give your dataset another name")
    return name


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_no_overlap(raw: Path, out: Path, inside_ok: bool = False) -> None:
    """Refuse an output folder that is the raw folder or holds it (replacing it would delete the
    raw files), or lies inside it (the next prepare would read it as raw files), symbolic links
    followed. ``inside_ok``: the raw folder is the whole data root (a dataset made of others)."""
    raw_real, out_real = raw.resolve(), out.expanduser().resolve()
    if _inside(raw_real, out_real) or (_inside(out_real, raw_real) and not inside_ok):
        where = "is" if out_real == raw_real else ("is inside" if _inside(out_real, raw_real) else "contains")
        raise DataError(f"--out {out} ({out_real}) {where} the raw folder {raw} ({raw_real}); replacing it "
                        f"would delete raw files: write the prepared dataset to a folder of its own "
                        f"(or leave --out out: the actlm cache)")


def load(name: str | Path, split: str | None = None, data_root_dir: str | Path | None = None,
         progress: Callable | None = None) -> SkeletonSet:
    """Open a dataset by name (preparing it on first use) or by prepared-directory path.

    ``split`` may be a full split name (``xsub_train``) or ``train``/``test`` of the dataset's
    default benchmark (cross-view for NW-UCLA, cross-subject for NTU).
    """
    path = Path(name)
    by_name = not (path / "dataset.json").exists()
    if by_name:
        path = prepared_path(str(name))
        if _why_prepare(path) is not None:
            if _key(str(name)) not in DATASETS and Path(name).is_dir():    # not 'unknown dataset': a folder
                raise DatasetNotFound(f"{name}: a folder, but not a prepared dataset (it has no dataset.json): "
                                      f"prepare its raw files first (actlm prepare DATASET --raw FOLDER --out DIR, "
                                      f"or actlm prepare custom for your own layout) and give DIR or the name")
            if get_spec(str(name)).name == "custom":
                raise DatasetNotFound("prepare a custom dataset first: actlm prepare custom --raw FOLDER "
                                      "--labels labels.csv --layout NAME --name NAME; then load it by that name")
            with _exclusive(path.with_name(path.name + ".lock")):
                why = _why_prepare(path)   # again: another process may have prepared it meanwhile
                if why:
                    print(f"{path}: prepared by an older importer ({', '.join(why)}); preparing it again",
                          file=sys.stderr)
                if why is not None:
                    report = prepare(str(name), data_root_dir=data_root_dir, progress=progress)
                    if report.skipped:  # the prepared set is smaller than the raw one: say so, once
                        print(f"prepared {name} on first use; {report.summary()}", file=sys.stderr)
    ds = SkeletonSet(path)
    outdated = [] if by_name else stale_importers(ds.info)
    if outdated:
        print(f"warning: {path} was prepared by an older importer ({', '.join(outdated)}); "
              f"its samples differ from what actlm prepares now: prepare it again (actlm prepare {ds.name} "
              f"--out {path})", file=sys.stderr)
    check_is_the_named_builtin(ds, str(name), path)
    if split is None:
        return ds
    splits = ds.info.get("splits", {})
    if split not in splits and f"{ds.info.get('default_benchmark')}_{split}" in splits:
        split = f"{ds.info['default_benchmark']}_{split}"
    return ds.split(split)


def _why_prepare(path: Path) -> list[str] | None:
    """None when the prepared copy at ``path`` is current (nothing to do); else why to prepare it:
    [] when there is none, the importers changed since it was written (:func:`stale_importers`)."""
    info_path = path / "dataset.json"
    if not info_path.exists():
        return []
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None   # unreadable: SkeletonSet names the problem; never replace it silently
    return (stale_importers(info) or None) if isinstance(info, dict) else None


def check_is_the_named_builtin(ds: SkeletonSet, name: str, path: Path) -> None:
    """A built-in dataset opened by name must be that dataset, not another one written in its
    place (by a version of actlm that allowed it, or by hand)."""
    key = _key(name)
    if key in DATASETS and not DATASETS[key].user_named and path == prepared_path(name) and ds.name != key:
        raise DataError(f"{path}: holds the dataset {ds.name!r}, not {key}; move it away and prepare {key} again "
                        f"(actlm prepare {key})")


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file``, so that several runs started at once (e.g. four
    streams of a benchmark) prepare a dataset once: the others wait, then read the result."""
    with open(lock_file, "a") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)
