"""Shared fixtures: the real data under ../shared/data, an isolated cache, small real subsets.

It also keeps the suite laptop-sized: every run reports the test process's peak memory (and that of
the largest subprocess a test started), which tests raised it, and the slowest tests; a peak over
``ACTLM_TEST_MAX_RSS_MB`` (default 2560) fails the run. The time is reported against the 360 s
target (2 cores); it fails the run only when ``ACTLM_TEST_MAX_SECONDS`` is set, since wall time
on a shared CI host says as much about the host as about the tests.
"""
from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from actlm.paths import data_root

torch.set_num_threads(2)


def _glibc():
    """The C library when it is glibc (its malloc can be tuned and trimmed), else None (macOS, musl)."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def _return_freed_memory_to_the_os() -> None:
    """glibc keeps freed blocks in its heap and raises its mmap threshold after large frees, so a
    process that trained a language model stays at that peak for every later test; with a fixed
    threshold each large tensor is its own mapping, given back when freed."""
    if _LIBC is None:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    _LIBC.mallopt(m_mmap_threshold, 1 << 20)
    _LIBC.mallopt(m_trim_threshold, 4 << 20)


_return_freed_memory_to_the_os()


def _current_rss_mb() -> float:
    """Resident memory of this process now (Linux; 0 where /proc is missing)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


_rss_after_collect = 0.0      # resident MB after the last collection


def _trim_heap() -> None:
    """Give the heap's free pages back to the OS before a test (glibc's malloc_trim): a test that
    loads a language model then starts from what the process really uses, not from what earlier
    tests freed. Above 600 MB resident and 150 MB more than after the last collection, reference
    cycles (a model and its optimiser, a failed test's traceback) are collected first, so their
    tensors are freed too."""
    global _rss_after_collect
    now = _current_rss_mb()
    if now > 600 and now > _rss_after_collect + 150:     # a full collection costs ~0.1 s: only after growth
        import gc
        gc.collect()
        _rss_after_collect = _current_rss_mb()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


MAX_RSS_MB = float(os.environ.get("ACTLM_TEST_MAX_RSS_MB", 2560))
MAX_SECONDS = float(os.environ["ACTLM_TEST_MAX_SECONDS"]) if os.environ.get("ACTLM_TEST_MAX_SECONDS") else None
TARGET_SECONDS = 360.0
_raised_peak: list[tuple[float, str]] = []     # (peak MB after the test, test) whenever a test raised the peak
_started = time.monotonic()


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process (or of its largest waited-for child) in MB."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10    # bytes on macOS, KB elsewhere


def pytest_configure(config) -> None:
    if getattr(config.option, "durations", None) is None:    # always list the slowest tests
        config.option.durations = 12


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _trim_heap()
    before = peak_rss_mb()
    yield
    after = peak_rss_mb()
    if after > before + 50:
        _raised_peak.append((after, item.nodeid))


def memory_report() -> tuple[list[str], bool]:
    """Lines for the terminal summary, and whether the run is over its memory or time budget."""
    own, child = peak_rss_mb(), peak_rss_mb(resource.RUSAGE_CHILDREN)
    seconds = time.monotonic() - _started
    over = max(own, child) > MAX_RSS_MB or (MAX_SECONDS is not None and seconds > MAX_SECONDS)
    lines = [f"peak memory: test process {own:.0f} MB, largest subprocess {child:.0f} MB "
             f"(budget {MAX_RSS_MB:.0f} MB each); {seconds:.0f} s"
             + (f" (budget {MAX_SECONDS:.0f} s)" if MAX_SECONDS is not None else f" (target {TARGET_SECONDS:.0f} s)")]
    lines += [f"  peak raised to {mb:.0f} MB by {nodeid}" for mb, nodeid in sorted(_raised_peak, reverse=True)[:5]]
    if over:
        lines.append("OVER BUDGET: the suite must fit a laptop (issue 41 item 10); see the tests above")
    return lines, over


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines, over = memory_report()
    terminalreporter.section("memory and time")
    for line in lines:
        terminalreporter.write_line(line, red=over, bold=over)


def pytest_sessionfinish(session, exitstatus) -> None:
    if memory_report()[1] and exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = data_root()
    if not (root / "nw-ucla" / "all_sqe").is_dir():
        message = f"real data not found under {root} (set ACTLM_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI has ../shared/data: a skip there would hide the real-data tests
        pytest.skip(message)
    return root


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets a fresh ACTLM_CACHE so nothing touches the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ACTLM_CACHE", str(cache))
    # converted language models are derived files, not user state: share one copy across tests
    monkeypatch.setenv("ACTLM_MODELS", os.environ.get("ACTLM_MODELS") or str(Path.home() / ".cache" / "actlm" / "models"))
    return cache


@pytest.fixture(scope="session")
def ucla_prepared(shared_data, tmp_path_factory) -> Path:
    """The real NW-UCLA set prepared once per test session."""
    from actlm.data import prepare

    out = tmp_path_factory.mktemp("prepared") / "nw-ucla"
    prepare("nw-ucla", out=out, data_root_dir=shared_data)
    return out


@pytest.fixture(scope="session")
def tiny_ucla(ucla_prepared, tmp_path_factory) -> Path:
    """A small real subset of NW-UCLA (4 train + 2 test sequences per class) with train/test splits."""
    from actlm.data import DatasetWriter, SkeletonSet

    full = SkeletonSet(ucla_prepared)
    out = tmp_path_factory.mktemp("tiny") / "tiny-ucla"
    splits: dict[str, list[str]] = {"train": [], "test": []}
    with DatasetWriter(out, "tiny-ucla", full.layout, full.channels, full.classes, 1) as writer:
        for split, source, per_class in (("train", "xview_train", 4), ("test", "xview_test", 2)):
            part = full.split(source)
            labels = part.labels
            for k in range(full.num_classes):
                for pos in np.flatnonzero(labels == k)[:per_class]:
                    sample = part[int(pos)]
                    writer.add(sample)
                    splits[split].append(sample.sample_id)
        writer.close(splits)
    return out


@pytest.fixture
def damaged_ucla(tiny_ucla, tmp_path) -> tuple[Path, list[dict]]:
    """A copy of ``tiny_ucla`` whose frames.npy was damaged after prepare: one NaN coordinate in
    sample 3's frame 5. Returns the folder and its index records."""
    import json
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(tiny_ucla, damaged)
    records = json.loads((damaged / "index.json").read_text())
    frames = np.load(damaged / "frames.npy")
    frames[records[3]["offset"] + 5, 0, 4, 1] = np.nan
    np.save(damaged / "frames.npy", frames)
    return damaged, records
