"""Fixtures of the research-script tests: the real NW-UCLA set, prepared once."""
from __future__ import annotations

from pathlib import Path

import pytest

from actlm.data import prepare
from actlm.paths import data_root


@pytest.fixture(scope="session")
def ucla_prepared(tmp_path_factory) -> Path:
    """The real NW-UCLA set prepared into a temporary folder (skipped where the data is absent)."""
    root = data_root()
    if not (root / "nw-ucla" / "all_sqe").is_dir():
        pytest.skip(f"real data not found under {root} (set ACTLM_DATA)")
    out = tmp_path_factory.mktemp("prepared") / "nw-ucla"
    prepare("nw-ucla", out=out, data_root_dir=root)
    return out


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data root (skipped where the data is absent)."""
    root = data_root()
    if not (root / "nw-ucla" / "all_sqe").is_dir():
        pytest.skip(f"real data not found under {root} (set ACTLM_DATA)")
    return root


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch) -> Path:
    """A fresh ACTLM_CACHE per test, so nothing touches the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ACTLM_CACHE", str(cache))
    return cache
