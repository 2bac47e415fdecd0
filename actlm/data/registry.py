"""Known datasets (registered by their modules, :mod:`actlm.data.catalog`): finding, preparing, loading them."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

try:  # POSIX; elsewhere concurrent first uses simply race (each writes its own partial folder)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from ..paths import cache_dir, data_root
from . import nwucla, ntu, custom, utdmhad, penn, sbu  # noqa: F401,I001  (the built-in importers register themselves, in this order)
from .catalog import ALIASES, DATASETS, DatasetSpec
from .errors import DatasetNotFound, PrepareReport
from .store import SkeletonSet


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
    stored_as = (options.get("name") or spec.name) if spec.user_named else spec.name
    out_dir = Path(out) if out else prepared_path(stored_as)
    return spec.prepare(raw_dir, out_dir, progress=progress, **options)


def load(name: str | Path, split: str | None = None, data_root_dir: str | Path | None = None,
         progress: Callable | None = None) -> SkeletonSet:
    """Open a dataset by name (preparing it on first use) or by prepared-directory path.

    ``split`` may be a full split name (``xsub_train``) or ``train``/``test`` of the dataset's
    default benchmark (cross-view for NW-UCLA, cross-subject for NTU).
    """
    path = Path(name)
    if not (path / "dataset.json").exists():
        path = prepared_path(str(name))
        if not (path / "dataset.json").exists():
            if get_spec(str(name)).name == "custom":
                raise DatasetNotFound("prepare a custom dataset first: actlm prepare custom --raw FOLDER "
                                      "--labels labels.csv --layout NAME --name NAME; then load it by that name")
            with _exclusive(path.with_name(path.name + ".lock")):
                if not (path / "dataset.json").exists():  # another process may have prepared it meanwhile
                    report = prepare(str(name), data_root_dir=data_root_dir, progress=progress)
                    if report.skipped:  # the prepared set is smaller than the raw one: say so, once
                        print(f"prepared {name} on first use; {report.summary()}", file=sys.stderr)
    ds = SkeletonSet(path)
    if split is None:
        return ds
    splits = ds.info.get("splits", {})
    if split not in splits and f"{ds.info.get('default_benchmark')}_{split}" in splits:
        split = f"{ds.info['default_benchmark']}_{split}"
    return ds.split(split)


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
