"""Crash-safe store of generated descriptions (SQLite, one row per finished description).

Keyed by (dataset, sample, backend, model, prompt version): changing the model or the prompt
describes again, re-running the same thing reads the cache. Each row also keeps the fingerprint of
what was described (:func:`dataset_fingerprints`: the sample's skeleton data and class name; for a
class description, its samples'), and readers ask only for rows whose fingerprint matches the data
they have now, so a dataset re-prepared with new recordings under the same names is described
again instead of reusing the old texts. Every description is committed as
soon as it arrives (WAL journal), so a process killed with ``kill -9`` loses only the requests
that were in flight; SQLite's journal guarantees the file is never left half-written.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np

from ..paths import cache_dir

if TYPE_CHECKING:
    from ..data.store import SkeletonSet

CLASS_PREFIX = "class:"  # sample id under which a class description is cached

_SCHEMA = """
CREATE TABLE IF NOT EXISTS descriptions (
    dataset TEXT NOT NULL, sample_id TEXT NOT NULL, backend TEXT NOT NULL, model TEXT NOT NULL,
    prompt_version TEXT NOT NULL, text TEXT NOT NULL, created REAL NOT NULL, fingerprint TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (dataset, sample_id, backend, model, prompt_version)
)
"""


@dataclass(frozen=True)
class DescriberKey:
    """What identifies a set of descriptions (everything except the sample)."""

    dataset: str
    backend: str
    model: str
    prompt_version: str


def sample_fingerprint(data: np.ndarray, class_name: str) -> str:
    """What a sample's description depends on: its skeleton data (values, shape) and class name."""
    array = np.ascontiguousarray(data)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{array.dtype.str}{array.shape}{class_name}".encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def class_fingerprint(name: str, sample_fingerprints: Iterable[str]) -> str:
    """What a class description depends on: the class name and the samples it was measured on."""
    digest = hashlib.blake2b(name.encode(), digest_size=16)
    for fp in sorted(sample_fingerprints):
        digest.update(fp.encode())
    return digest.hexdigest()


def dataset_fingerprints(ds: "SkeletonSet", limit: int | None = None) -> dict[str, str]:
    """The fingerprint of each sample of ``ds`` (the first ``limit``) by sample id, and of each
    class by ``class:<name>``: the keys under which their current descriptions are stored."""
    fingerprints: dict[str, str] = {}
    by_class: dict[int, list[str]] = {k: [] for k in range(ds.num_classes)}
    for i in range(len(ds) if limit is None else min(limit, len(ds))):
        sample = ds[i]
        fingerprints[sample.sample_id] = sample_fingerprint(sample.data, ds.classes[sample.label])
        by_class[sample.label].append(fingerprints[sample.sample_id])
    for k, name in enumerate(ds.classes):
        fingerprints[f"{CLASS_PREFIX}{name}"] = class_fingerprint(name, by_class[k])
    return fingerprints


def default_cache_path() -> Path:
    return cache_dir("descriptions") / "descriptions.sqlite"


class DescriptionCache:
    """Thread-safe (one connection, one lock) description store; see the module docstring."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(descriptions)")}
            if "fingerprint" not in columns:   # a cache written before rows had fingerprints: none matches
                self._db.execute("ALTER TABLE descriptions ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path}: not a usable description cache ({exc}); move it away to start a new one") from None

    def get_many(self, key: DescriberKey, sample_ids: Iterable[str] | None = None,
                 fingerprints: Mapping[str, str] | None = None) -> dict[str, str]:
        """Cached texts for ``key`` (all of them, or only those of ``sample_ids``); with
        ``fingerprints`` (:func:`dataset_fingerprints`) only those describing that very content."""
        with self._lock:
            rows = self._db.execute(
                "SELECT sample_id, text, fingerprint FROM descriptions "
                "WHERE dataset=? AND backend=? AND model=? AND prompt_version=?",
                (key.dataset, key.backend, key.model, key.prompt_version)).fetchall()
        found = {sid: text for sid, text, fp in rows if fingerprints is None or fingerprints.get(sid) == fp}
        if sample_ids is None:
            return found
        return {s: found[s] for s in sample_ids if s in found}

    def fingerprints(self, key: DescriberKey) -> dict[str, str]:
        """The content fingerprint each cached description of ``key`` was made from."""
        with self._lock:
            rows = self._db.execute(
                "SELECT sample_id, fingerprint FROM descriptions WHERE dataset=? AND backend=? AND model=? "
                "AND prompt_version=?", (key.dataset, key.backend, key.model, key.prompt_version)).fetchall()
        return dict(rows)

    def put(self, key: DescriberKey, sample_id: str, text: str, fingerprint: str = "") -> None:
        """Store one description (of the content ``fingerprint`` names) and commit it at once."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO descriptions "
                             "(dataset, sample_id, backend, model, prompt_version, text, created, fingerprint) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (key.dataset, sample_id, key.backend, key.model, key.prompt_version, text, time.time(),
                              fingerprint))
            self._db.commit()

    def count(self, key: DescriberKey) -> int:
        with self._lock:
            return self._db.execute(
                "SELECT COUNT(*) FROM descriptions WHERE dataset=? AND backend=? AND model=? AND prompt_version=?",
                (key.dataset, key.backend, key.model, key.prompt_version)).fetchone()[0]

    def keys(self) -> list[tuple[DescriberKey, int]]:
        """Every (dataset, backend, model, prompt version) in the store with its row count."""
        with self._lock:
            rows = self._db.execute("SELECT dataset, backend, model, prompt_version, COUNT(*) FROM descriptions "
                                    "GROUP BY dataset, backend, model, prompt_version").fetchall()
        return [(DescriberKey(*r[:4]), r[4]) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
