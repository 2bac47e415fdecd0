"""Shared fixtures: the real data under ../shared/data, an isolated cache, small real subsets."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from actlm.paths import data_root

torch.set_num_threads(2)


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
