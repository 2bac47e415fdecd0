"""Crash-safe store of generated descriptions (SQLite, one row per finished description).

Keyed by (dataset, sample, backend, model, prompt version): changing the model or the prompt
describes again, re-running the same thing reads the cache. Every description is committed as
soon as it arrives (WAL journal), so a process killed with ``kill -9`` loses only the requests
that were in flight; SQLite's journal guarantees the file is never left half-written.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..paths import cache_dir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS descriptions (
    dataset TEXT NOT NULL, sample_id TEXT NOT NULL, backend TEXT NOT NULL, model TEXT NOT NULL,
    prompt_version TEXT NOT NULL, text TEXT NOT NULL, created REAL NOT NULL,
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
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path}: not a usable description cache ({exc}); move it away to start a new one") from None

    def get_many(self, key: DescriberKey, sample_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Cached texts for ``key`` (all of them, or only those of ``sample_ids``)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT sample_id, text FROM descriptions WHERE dataset=? AND backend=? AND model=? AND prompt_version=?",
                (key.dataset, key.backend, key.model, key.prompt_version)).fetchall()
        found = dict(rows)
        if sample_ids is None:
            return found
        return {s: found[s] for s in sample_ids if s in found}

    def put(self, key: DescriberKey, sample_id: str, text: str) -> None:
        """Store one description and commit it at once."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO descriptions VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (key.dataset, sample_id, key.backend, key.model, key.prompt_version, text, time.time()))
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
