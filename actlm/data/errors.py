"""Errors for bad input data. Messages always name the file (and line where there is one)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class DataError(ValueError):
    """Input data that cannot be used; the message says which file and what is wrong."""


class DatasetNotFound(DataError):
    """A dataset's raw files are not where actlm looks; the message says how to get them."""


def file_error(path: str | Path, problem: str, line: int | None = None) -> DataError:
    where = f"{path}:{line}" if line is not None else f"{path}"
    return DataError(f"{where}: {problem}")


@dataclass
class Skipped:
    """A file a batch job passed over, and why."""

    path: str
    reason: str


@dataclass
class PrepareReport:
    """What a ``prepare`` run wrote and what it skipped."""

    written: int
    skipped: list[Skipped]
    output: Path | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"wrote {self.written} sequences" + (f" to {self.output}" if self.output else "")]
        lines += self.notes
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} file(s):")
            lines += [f"  {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)
