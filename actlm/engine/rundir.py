"""A run directory belongs to one training at a time, and a new run never destroys an old one.

``claim_run_dir(path, resume, overwrite)`` is held for the whole of a training:

* it takes ``path/.lock`` (the owner's pid and host inside; an OS file lock, so the lock of a
  process that died, even by ``kill -9``, is free again and simply taken over), and refuses when
  another live training holds it;
* without ``resume`` it refuses a directory that already holds a run (finished or started), naming
  ``--resume`` and ``--overwrite``; with ``overwrite`` it first removes that run's files, and only
  the files a training writes, so a ``train.work_dir`` pointing at a folder of other things never
  loses them.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from ..data.errors import ConfigError

LOCK_NAME = ".lock"
# what a training writes into its run directory (trainer.py, the reasoner's loop, HocSLM's objective)
RUN_FILES = ("config.yaml", "metrics.csv", "metrics.json", "eval.json", "test_scores.npz", "confusion.png",
             "explanations.json")
RUN_DIRS = ("last", "last.old", "last.partial", "best", "best.old", "best.partial", "tensorboard", "text_encoder",
            "vst")
# any of these means the directory holds a run worth keeping (config.yaml alone: a start that saved nothing)
RUN_MARKERS = ("last", "last.old", "best", "best.old", "metrics.json", "metrics.csv", "eval.json", "test_scores.npz")


class RunDirError(ConfigError):
    """A training that would destroy or share another run's directory."""


def holds_run(path: Path) -> bool:
    """Whether ``path`` holds the results of a training (finished or interrupted after an epoch)."""
    return path.is_dir() and (any((path / m).exists() for m in RUN_MARKERS) or any(path.glob("epoch_[0-9]*")))


def run_state(path: Path) -> str:
    """A few words on the run in ``path`` for messages: how far it got."""
    try:
        history = json.loads((path / "metrics.json").read_text())
        done = f"{len(history)} epoch(s) done"
    except (OSError, ValueError, TypeError):
        done = "started"
    return ("finished, " if (path / "eval.json").exists() else "") + done


def remove_run(path: Path) -> None:
    """Delete the files a training wrote into ``path`` (nothing else in it)."""
    for name in RUN_FILES:
        (path / name).unlink(missing_ok=True)
    for folder in [*(path / d for d in RUN_DIRS), *path.glob("epoch_[0-9]*")]:
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
        elif folder.exists() or folder.is_symlink():
            folder.unlink()


def free_run_dir(path: str | Path) -> Path:
    """``path`` when it holds no run, else the first free ``path-2``, ``path-3``, ...: where a
    command that has no ``--resume``/``--overwrite`` of its own (``quickstart --train``) trains."""
    path = Path(path)
    candidate, n = path, 1
    while holds_run(candidate) or (candidate / LOCK_NAME).exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def check_new_run(path: Path, resume: str | Path | None, overwrite: bool) -> None:
    """Refuse to start a fresh run over an existing one unless told to replace it."""
    if resume is not None and overwrite:
        raise RunDirError("--resume continues the run and --overwrite replaces it: give one of them")
    if resume is not None or not holds_run(path):
        return
    if overwrite:
        remove_run(path)
        return
    raise RunDirError(
        f"{path} already holds a run ({run_state(path)}); nothing was changed. Continue it with "
        f"--resume {path}, replace it with --overwrite, or train into another directory "
        f"(name=NEW_NAME or train.work_dir=DIR)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # it exists, owned by someone else
        return True
    return True


def _owner(text: str) -> tuple[int | None, str]:
    """(pid, host) written in a lock file; (None, '') when unreadable."""
    parts = text.split()
    try:
        return int(parts[0]), (parts[1] if len(parts) > 1 else "")
    except (IndexError, ValueError):
        return None, ""


def _busy(path: Path, lock: Path, text: str) -> RunDirError:
    pid, host = _owner(text)
    who = f"pid {pid}" + (f" on {host}" if host and host != socket.gethostname() else "") if pid else "another process"
    return RunDirError(f"{path} is in use by another training ({who}, lock {lock}): wait for it to finish, or train "
                       f"into another directory (name=NEW_NAME or train.work_dir=DIR)")


def _try_os_lock(handle: IO[str]) -> bool | None:
    """An exclusive OS lock on the open file, released by the OS when its process dies (even by
    ``kill -9``); None where the OS has none (then the pid in the file decides)."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _is_stale(text: str) -> bool:
    """A lock written on this host by a process that no longer runs (or an empty one)."""
    pid, host = _owner(text)
    return pid is None or (host in ("", socket.gethostname()) and not _pid_alive(pid))


def _open_lock(path: Path) -> IO[str]:
    try:
        path.mkdir(parents=True, exist_ok=True)
        return open(path / LOCK_NAME, "a+")
    except OSError as exc:
        raise RunDirError(f"{path}: cannot use it as a run directory ({exc.strerror or exc})") from None


def acquire_lock(path: Path) -> IO[str]:
    """Take ``path/.lock`` for this process; the open handle keeps it (see :func:`release_lock`)."""
    lock = path / LOCK_NAME
    for _ in range(5):
        handle = _open_lock(path)
        handle.seek(0)
        text = handle.read()
        locked = _try_os_lock(handle)
        if locked is False or (locked is None and text.strip() and not _is_stale(text)):
            handle.close()
            raise _busy(path, lock, text)
        try:
            same_file = os.fstat(handle.fileno()).st_ino == lock.stat().st_ino
        except FileNotFoundError:
            same_file = False
        if not same_file:       # the previous owner removed it between our open and our lock: retry
            handle.close()
            continue
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()} {socket.gethostname()}\n")
            handle.flush()
        except OSError as exc:   # e.g. a full disk: say so before any training starts
            handle.close()
            raise RunDirError(f"{lock}: cannot write the run's lock ({exc.strerror or exc})") from None
        return handle
    raise _busy(path, lock, "")


def release_lock(path: Path, handle: IO[str]) -> None:
    """Remove the lock file (still holding it, so nobody can take the removed file) and close it."""
    try:
        (path / LOCK_NAME).unlink(missing_ok=True)
    finally:
        handle.close()


def _is_main_process() -> bool:
    """Rank 0 of a ``torchrun`` launch (or a single process): the one that owns the run directory."""
    return int(os.environ.get("RANK", "0")) == 0


@contextmanager
def claim_run_dir(path: str | Path, resume: str | Path | None = None, overwrite: bool = False) -> Iterator[Path]:
    """Hold ``path`` for one training; see the module docstring."""
    path = Path(path)
    if not _is_main_process():
        yield path
        return
    handle = acquire_lock(path)
    try:
        check_new_run(path, resume, overwrite)
        yield path
    finally:
        release_lock(path, handle)
