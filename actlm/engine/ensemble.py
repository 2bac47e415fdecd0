"""Score fusion of several runs (``actlm ensemble``): each run's saved test scores as softmax
probabilities, summed with weights (PySKL's and CTR-GCN's multi-stream ensemble)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..data.errors import DataError
from .metrics import classification_report, fuse_scores


@dataclass
class Scores:
    """One run's test scores, rows sorted by sample id."""

    sample_ids: np.ndarray
    labels: np.ndarray
    logits: np.ndarray
    classes: list[str]


def load_scores(source: str | Path) -> Scores:
    """The scores of a run directory (its test_scores.npz: the best epoch; runs from before classes
    were stored: eval.json's) or of an `actlm eval --save-scores` file."""
    path = Path(source)
    if path.is_dir():
        path = path / "test_scores.npz"
        if not path.exists():
            raise DataError(f"{source}: no test_scores.npz (is the run finished?)")
    try:
        scores = np.load(path, allow_pickle=False)
        ids, labels, logits = scores["sample_ids"], scores["labels"], scores["logits"]
        classes = [str(c) for c in scores["classes"]] if "classes" in scores.files else \
            json.loads((path.parent / "eval.json").read_text())["classes"]
    except (OSError, ValueError, KeyError) as e:
        raise DataError(f"{path}: not a scores file of `actlm eval --save-scores` or a run ({e})") from None
    _check_scores(path, ids, labels, logits, classes)
    order = np.argsort(ids)
    return Scores(ids[order], labels[order], logits[order], classes)


def _check_scores(path: Path, ids: np.ndarray, labels: np.ndarray, logits: np.ndarray, classes: list[str]) -> None:
    """One row of finite logits per sample, one column per class: a NaN row would be fused into a
    prediction of class 0 and counted like any other."""
    n = len(ids)
    if logits.ndim != 2 or logits.shape != (n, len(classes)) or labels.shape != (n,):
        raise DataError(f"{path}: damaged scores: logits of shape {logits.shape} and {labels.shape[0] if labels.ndim else 0} "
                        f"label(s) for {n} sample(s) and {len(classes)} class(es)")
    bad = ~np.isfinite(logits).all(axis=1)
    if bad.any():
        raise DataError(f"{path}: NaN or infinite scores for {int(bad.sum())} sample(s), first {ids[bad][0]}; "
                        f"evaluate the checkpoint again")


def check_weights(weights: Sequence[float], n_runs: int) -> list[float]:
    """One finite, non-negative weight per run, not all zero (a negative weight inverts a run's vote)."""
    weights = [float(w) for w in weights]
    if len(weights) != n_runs:
        raise DataError(f"{len(weights)} weights for {n_runs} runs")
    if not all(np.isfinite(w) and w >= 0 for w in weights) or not any(weights):
        raise DataError(f"weights {', '.join(f'{w:g}' for w in weights)}: each must be a finite number >= 0, "
                        f"and at least one above 0")
    return weights


def ensemble(sources: Sequence[str | Path], weights: Sequence[float] | None = None) -> dict[str, Any]:
    """Classification report of the weighted fusion of ``sources`` (equal weights by default), with
    each source's own top-1 under ``runs`` and the ``weights``. The sources must share a test split."""
    weights = check_weights(weights if weights is not None else [1.0] * len(sources), len(sources))
    runs = [load_scores(s) for s in sources]
    first = runs[0]
    for source, run in zip(sources, runs):
        if not np.array_equal(run.sample_ids, first.sample_ids) or run.classes != first.classes:
            raise DataError(f"{source}: test samples or classes differ from {sources[0]}; runs must share a test split")
        if not np.array_equal(run.labels, first.labels):
            differ = run.sample_ids[run.labels != first.labels]
            raise DataError(f"{source}: {len(differ)} of the same test samples have other labels than in {sources[0]} "
                            f"(first {differ[0]}): scores of different versions of the dataset")
    report = classification_report(fuse_scores([r.logits for r in runs], weights), first.labels, first.classes)
    report.update(runs={str(s): float((r.logits.argmax(1) == r.labels).mean()) for s, r in zip(sources, runs)},
                  weights=weights)
    return report
