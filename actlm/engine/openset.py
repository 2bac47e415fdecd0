"""Scores that say how much a sample looks like one of the actions a model was trained on.

Every score here is a *known-ness*: higher means more like the training classes, so a threshold
keeps the samples above it as known. Measured against the max-softmax baseline on held-out
classes in experiments/openset_benchmark.py (results: experiments/results/openset.md).

- :func:`max_softmax` (Hendrycks & Gimpel, 2017), :func:`max_logit`, :func:`energy`
  (logsumexp of the logits, Liu et al., 2020): from the classifier's logits.
- :func:`knn_cosine`: cosine similarity to the k-th nearest training feature (Sun et al., 2022).
- :class:`ClassGaussians`: minus the smallest Mahalanobis distance to a class mean under one
  covariance shared by all classes (Lee et al., 2018), fitted on the training partition's pooled
  features. Small to store (class means and a precision matrix), so it can ship with a checkpoint.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: ridge added to the shared covariance, as a fraction of its mean variance: keeps the precision
#: matrix finite when a feature direction barely varies in the training set
COVARIANCE_RIDGE = 1e-3
#: file a checkpoint directory keeps its known-action statistics in
OPENSET_FILE = "openset.safetensors"


def max_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(1, keepdims=True)
    p = np.exp(z)
    return (p / p.sum(1, keepdims=True)).max(1)


def max_logit(logits: np.ndarray) -> np.ndarray:
    return logits.max(1)


def energy(logits: np.ndarray) -> np.ndarray:
    """logsumexp of the logits (minus the free energy at temperature 1)."""
    m = logits.max(1, keepdims=True)
    return (m + np.log(np.exp(logits - m).sum(1, keepdims=True)))[:, 0]


def unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def knn_cosine(features: np.ndarray, bank: np.ndarray, k: int, leave_self_out: bool = False,
               chunk: int = 1024) -> np.ndarray:
    """Cosine similarity of each row of ``features`` to its k-th nearest row of ``bank`` (both
    L2-normalised here). ``leave_self_out``: ``features`` is ``bank`` itself, and each row's own
    match is skipped (the score a training sample would get as a new sample)."""
    f, b = unit_rows(features), unit_rows(bank)
    out = np.empty(len(f))
    kth = k if leave_self_out else k - 1                    # 0-based rank in descending order
    for s in range(0, len(f), chunk):
        sim = f[s:s + chunk] @ b.T
        out[s:s + chunk] = -np.partition(-sim, kth, axis=1)[:, kth]
    return out


@dataclass
class ClassGaussians:
    """Class means (K, D) and the precision (D, D) of a covariance shared by every class."""

    means: np.ndarray
    precision: np.ndarray
    #: a known-ness threshold: the score below which a sample is called unknown (nan: none set)
    threshold: float = float("nan")

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, ridge: float = COVARIANCE_RIDGE) -> "ClassGaussians":
        """Means of each label's features (labels 0..K-1, every class present) and the inverse of the
        pooled within-class covariance plus ``ridge`` times its mean variance."""
        features = features.astype(np.float64)
        classes = np.unique(labels)
        if not np.array_equal(classes, np.arange(len(classes))):
            raise ValueError(f"labels must be 0..K-1 with every class present, got {classes.tolist()[:10]}...")
        means = np.stack([features[labels == c].mean(0) for c in classes])
        centred = features - means[labels]
        cov = centred.T @ centred / len(features)
        cov += ridge * np.trace(cov) / len(cov) * np.eye(len(cov))
        return cls(means, np.linalg.inv(cov))

    def distances(self, features: np.ndarray) -> np.ndarray:
        """(N, K) squared Mahalanobis distances to each class mean."""
        d = features.astype(np.float64)[:, None, :] - self.means[None]
        return np.einsum("nkd,de,nke->nk", d, self.precision, d)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Known-ness: minus the squared distance to the nearest class mean."""
        return -self.distances(features).min(1)

    def with_threshold(self, known_scores: np.ndarray, keep: float) -> "ClassGaussians":
        """A copy whose threshold keeps the fraction ``keep`` of ``known_scores`` (samples of known classes)."""
        return ClassGaussians(self.means, self.precision, float(np.quantile(known_scores, 1 - keep)))

    def save(self, path: str | Path, about: dict | None = None) -> Path:
        from safetensors.numpy import save_file

        meta = {"threshold": repr(self.threshold), "about": json.dumps(about or {})}
        save_file({"means": self.means.astype(np.float32), "precision": self.precision.astype(np.float32)},
                  str(path), metadata=meta)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> "ClassGaussians":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            return cls(f.get_tensor("means").astype(np.float64), f.get_tensor("precision").astype(np.float64),
                       float(meta.get("threshold", "nan")))


def load_openset(checkpoint_dir: str | Path) -> ClassGaussians | None:
    """The known-action statistics a checkpoint directory ships (None when it has none)."""
    path = Path(checkpoint_dir) / OPENSET_FILE
    return ClassGaussians.load(path) if path.is_file() else None


# --- metrics ---------------------------------------------------------------------------------------
def auroc(known: np.ndarray, unknown: np.ndarray) -> float:
    """Probability that a known sample scores above an unknown one (ties count half)."""
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([known, unknown]))
    n1, n0 = len(known), len(unknown)
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def fpr_at_tpr(known: np.ndarray, unknown: np.ndarray, tpr: float = 0.95) -> float:
    """Fraction of unknown samples kept by the threshold that keeps the fraction ``tpr`` of known ones."""
    threshold = np.quantile(known, 1 - tpr)
    return float((unknown >= threshold).mean())
