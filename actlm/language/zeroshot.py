"""Zero-shot protocol pieces: class splits (seen/unseen) and datasets restricted to some classes.

A class split is given as a ``.npy`` file of 0-based class indices in the dataset's class order
(the published PURLS/SynSE/SMIE splits: ``purls_label_splits/nw-ucla/rs8.npy`` = the 8 seen
classes, ``ru2.npy`` = the 2 unseen ones), a ``.txt`` file with one class name per line, or a list
of class names / indices. A relative path is looked up in the working directory, then under the
data root (so ``descriptions/purls_label_splits/nw-ucla/rs8.npy`` works from a config), then among
the splits shipped in ``actlm/language/resources`` (``utd-mhad_rs22.txt``: a fixed random 22/5).

:class:`ClassSubset` is a dataset view holding only the samples of the chosen classes, relabelled
0..k-1 in the order given, with ``classes`` the chosen names: a model trained on it knows only
the seen classes, exactly as the zero-shot protocol requires (no unseen name or text is touched).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..data.errors import ConfigError, DataError
from ..data.store import Sample, SkeletonSet
from ..paths import data_root

ClassSpec = str | Path | Sequence[str | int]
SHIPPED_SPLITS = Path(__file__).parent / "resources"


def _resolve_path(spec: str | Path, root: str | Path | None) -> Path:
    path = Path(spec).expanduser()
    if path.is_file() or path.is_absolute():
        return path
    under_root = data_root(root) / path
    if under_root.is_file():
        return under_root
    shipped = SHIPPED_SPLITS / path.name          # splits shipped with actlm (utd-mhad_rs22.txt)
    return shipped if shipped.is_file() else path


def _read_split_file(path: Path) -> list[str | int]:
    if not path.is_file():
        raise ConfigError(f"class split {path}: no such file")
    if path.suffix.lower() == ".npy":
        try:
            values = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"class split {path}: not a readable .npy file ({exc})") from None
        if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
            raise ConfigError(f"class split {path}: expected a 1-d array of integer class indices, "
                              f"got shape {values.shape} dtype {values.dtype}")
        return [int(v) for v in values]
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def class_indices(spec: ClassSpec, classes: Sequence[str], root: str | Path | None = None,
                  what: str = "class split") -> list[int]:
    """0-based indices (in ``classes`` order) of the classes ``spec`` names; errors name the
    file and the class or index the dataset lacks, and repeated classes."""
    if isinstance(spec, (str, Path)):
        source = _resolve_path(spec, root)
        items = _read_split_file(source)
    else:
        source, items = what, list(spec)
    if not items:
        raise ConfigError(f"{source}: the class split is empty")
    out = []
    for item in items:
        if isinstance(item, (int, np.integer)) or (isinstance(item, str) and item.isdigit()):
            index = int(item)
            if not 0 <= index < len(classes):
                raise ConfigError(f"{source}: class index {index} is out of range; the dataset has "
                                  f"{len(classes)} classes (0-based indices 0..{len(classes) - 1})")
        elif item in classes:
            index = list(classes).index(item)
        else:
            raise ConfigError(f"{source}: {item!r} is not a class of this dataset ({', '.join(classes)})")
        if index in out:
            raise ConfigError(f"{source}: class {classes[index]!r} (index {index}) is listed twice")
        out.append(index)
    return out


class ClassSubset(SkeletonSet):
    """The samples of some classes of ``base``, relabelled 0..k-1 in the order given."""

    def __init__(self, base: SkeletonSet, keep: Sequence[int]):
        keep = [int(k) for k in keep]
        if not keep:
            raise DataError(f"{base.name}: a class subset needs at least one class")
        labels = base.labels
        positions = np.flatnonzero(np.isin(labels, keep))
        super().__init__(base.root, base.indices[positions], split=base.split_name)
        self.base_classes = list(base.classes)
        self.kept = keep
        self._new_label = {old: new for new, old in enumerate(keep)}
        self.info = {**self.info, "classes": [self.base_classes[k] for k in keep]}

    @property
    def labels(self) -> np.ndarray:
        return np.array([self._new_label[int(y)] for y in super().labels], dtype=np.int64)

    def __getitem__(self, i: int) -> Sample:
        sample = super().__getitem__(i)
        sample.label = self._new_label[int(sample.label)]
        return sample

    def subset(self, positions: np.ndarray | list[int]) -> "ClassSubset":
        view = ClassSubset.__new__(ClassSubset)
        view.__dict__.update(self.__dict__)
        view.indices = self.indices[np.asarray(positions, dtype=np.int64)]
        return view

    def __repr__(self) -> str:
        return super().__repr__().replace("SkeletonSet(", "ClassSubset(", 1)


def restrict_classes(ds: SkeletonSet, spec: ClassSpec | None, root: str | Path | None = None) -> SkeletonSet:
    """``ds`` restricted to the classes of ``spec`` (None: ``ds`` unchanged)."""
    if spec is None:
        return ds
    return ClassSubset(ds, class_indices(spec, ds.classes, root))


def complement(indices: Sequence[int], num_classes: int) -> list[int]:
    """The classes not in ``indices`` (the unseen classes of a seen split), in class order."""
    taken = set(int(i) for i in indices)
    return [k for k in range(num_classes) if k not in taken]


def harmonic_mean(seen: float, unseen: float) -> float:
    """Generalised zero-shot H = 2 S U / (S + U) (0 when both are 0)."""
    return 0.0 if seen + unseen == 0 else 2 * seen * unseen / (seen + unseen)
