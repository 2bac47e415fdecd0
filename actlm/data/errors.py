"""Errors for bad input data. Messages always name the file (and line where there is one)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


#: characters that act on a terminal (escape codes, carriage return ...) rather than show
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class DataError(ValueError):
    """Input data that cannot be used; the message says which file and what is wrong.

    Errors made by :func:`file_error` also carry ``problem`` and ``line`` separately, so batch
    jobs can list "file: line N: problem" without repeating the path.
    """

    problem: str | None = None
    line: int | None = None


class ConfigError(DataError):
    """A config that cannot be used; the message says what to change."""


class DatasetNotFound(DataError):
    """A dataset's raw files are not where actlm looks; the message says how to get them."""


def file_error(path: str | Path, problem: str, line: int | None = None) -> DataError:
    where = printable(f"{path}:{line}" if line is not None else f"{path}")    # a name may hold escape codes
    error = DataError(f"{where}: {problem}")
    error.problem, error.line = problem, line
    return error


@dataclass
class Skipped:
    """A file a batch job passed over, and why."""

    path: str
    reason: str

    @classmethod
    def from_error(cls, path: str | Path, exc: Exception) -> "Skipped":
        """The reason without the path (which the report prints anyway)."""
        problem = getattr(exc, "problem", None)
        if problem is None:
            return cls(str(path), str(exc).removeprefix(f"{path}:").strip())
        line = getattr(exc, "line", None)
        return cls(str(path), f"line {line}: {problem}" if line is not None else problem)


@dataclass
class PrepareReport:
    """What a ``prepare`` run wrote and what it skipped."""

    written: int
    skipped: list[Skipped]
    output: Path | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What was written and skipped, one line each; control characters in file names (a
        terminal escape in a name would otherwise act on the terminal) are shown escaped."""
        lines = [f"wrote {self.written} sequences" + (f" to {self.output}" if self.output else "")]
        lines += self.notes
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} file(s):")
            lines += [f"  {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(printable(line) for line in lines)


def printable(text: str) -> str:
    """``text`` with control characters (escape codes, carriage returns) written as ``\\xNN``."""
    return CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
