"""What a probe case is, how it runs a command, and how its outcome is classified.

A case sets up its inputs in a fresh temporary folder, runs one thing (usually an ``actlm``
command in a subprocess with a deadline, so a hang is caught and a crash is seen as the user sees
it) and returns one :class:`Outcome`. ``handled`` means a clear result: a correct answer, or a
clear error naming the file and the problem (no traceback). Anything else is a defect.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Callable


class Outcome(str, Enum):
    HANDLED = "handled"
    TRACEBACK = "traceback"
    HANG = "hang"
    SILENT_WRONG = "silent wrong"
    DATA_LOST = "data lost"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class Case:
    """One probe: ``run(tmp)`` sets up its inputs under ``tmp`` and returns a :class:`Verdict`.
    ``fast`` cases (a few seconds, no model training) run in CI."""

    name: str
    area: str
    run: Callable[[Path], Verdict]
    fast: bool = True
    issue_item: str = ""


@dataclass
class Result:
    rc: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    argv: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.output


def run_actlm(args: list[str], cwd: Path, timeout: float = 120, env: dict[str, str] | None = None,
              stdin: str | None = None) -> Result:
    """``actlm ARGS`` as a user runs it (``python -m actlm``), under a deadline; the cache lives
    in ``cwd/.cache`` unless ``env`` says otherwise, so a probe never touches the user's cache."""
    full_env = {**os.environ, "ACTLM_CACHE": str(cwd / ".cache"), "OMP_NUM_THREADS": "1",
                "PYTHONWARNINGS": "ignore", **(env or {})}
    argv = [sys.executable, "-m", "actlm", *args]
    try:
        p = subprocess.run(argv, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
                           input=stdin, errors="replace")
        return Result(p.returncode, p.stdout, p.stderr, argv=argv)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return Result(None, out, err, timed_out=True, argv=argv)


def expect_clear_error(r: Result, *must_mention: str) -> Verdict:
    """The command must fail with a one-line error (rc != 0, no traceback) mentioning each of
    ``must_mention`` (e.g. the file's name); a success is a silently wrong result."""
    if r.timed_out:
        return Verdict(Outcome.HANG, "no answer before the deadline")
    if r.traceback:
        return Verdict(Outcome.TRACEBACK, r.output.strip().splitlines()[-1][:200])
    if r.rc == 0:
        return Verdict(Outcome.SILENT_WRONG, "exit 0 where an error was due")
    missing = [m for m in must_mention if m.lower() not in r.output.lower()]
    if missing:
        return Verdict(Outcome.SILENT_WRONG, f"unclear error, it does not name {missing}: {r.output.strip()[:200]}")
    return Verdict(Outcome.HANDLED)


def expect_success(r: Result, check: Callable[[Result], str | None] = lambda r: None) -> Verdict:
    """The command must succeed and ``check`` (returning a problem or None) must find nothing."""
    if r.timed_out:
        return Verdict(Outcome.HANG, "no answer before the deadline")
    if r.traceback:
        return Verdict(Outcome.TRACEBACK, r.output.strip().splitlines()[-1][:200])
    if r.rc != 0:
        return Verdict(Outcome.SILENT_WRONG, f"exit {r.rc}: {r.output.strip()[-200:]}")
    problem = check(r)
    return Verdict(Outcome.SILENT_WRONG, problem) if problem else Verdict(Outcome.HANDLED)
