"""Scores that say how much a sample looks like one of the actions a model was trained on.

Every score here is a *known-ness*: higher means more like the training classes, so a threshold
keeps the samples above it as known. Measured against the max-softmax baseline on held-out
classes in experiments/openset_benchmark.py (results: experiments/results/openset.md).

- :func:`max_softmax` (Hendrycks & Gimpel, 2017), :func:`max_logit`, :func:`energy`
  (logsumexp of the logits, Liu et al., 2020): from the classifier's logits.
- :func:`knn_cosine`: cosine similarity to the k-th nearest training feature (Sun et al., 2022).
- :class:`ClassGaussians`: minus the smallest Mahalanobis distance to a class mean under one
  covariance shared by all classes (Lee et al., 2018), fitted on the training partition's pooled
  features.
- :class:`TrainingNeighbours`: the kNN score's training bank and threshold, as a checkpoint ships it
  (``openset.safetensors``, written by experiments/make_openset_neighbours.py) for `actlm predict`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
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


@dataclass
class TrainingNeighbours:
    """What a checkpoint ships to say "this may be none of the actions I know": its training samples'
    pooled features (L2-normalised, float16) and the kNN-cosine threshold below which a new sample is
    farther from the training set than the fraction ``keep`` of training samples are (each scored
    without its own match)."""

    bank: np.ndarray
    k: int
    threshold: float
    keep: float
    about: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, features: np.ndarray, k: int, keep: float, about: dict | None = None) -> "TrainingNeighbours":
        bank = unit_rows(features.astype(np.float64)).astype(np.float16)
        own = knn_cosine(bank.astype(np.float32), bank.astype(np.float32), k, leave_self_out=True)
        return cls(bank, int(k), float(np.quantile(own, 1 - keep)), float(keep), dict(about or {}))

    def score(self, features: np.ndarray) -> np.ndarray:
        """Cosine to the k-th nearest training sample (known-ness)."""
        return knn_cosine(features.astype(np.float32), self.bank.astype(np.float32), self.k)

    def verdict(self, features: np.ndarray) -> dict:
        """One sample's score, the threshold, and whether it looks like the training data."""
        value = float(self.score(features.reshape(1, -1))[0])
        return {"score": value, "threshold": self.threshold, "k": self.k, "keep": self.keep,
                "known_like": value >= self.threshold, "training_samples": len(self.bank)}

    def save(self, path: str | Path) -> Path:
        from safetensors.numpy import save_file

        meta = {"k": str(self.k), "threshold": repr(self.threshold), "keep": repr(self.keep),
                "about": json.dumps(self.about)}
        save_file({"bank": np.ascontiguousarray(self.bank)}, str(path), metadata=meta)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> "TrainingNeighbours":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            return cls(f.get_tensor("bank"), int(meta["k"]), float(meta["threshold"]), float(meta["keep"]),
                       json.loads(meta.get("about", "{}")))


def load_openset(checkpoint_dir: str | Path) -> TrainingNeighbours | None:
    """The training neighbours a checkpoint directory ships (None when it has none)."""
    path = Path(checkpoint_dir) / OPENSET_FILE
    return TrainingNeighbours.load(path) if path.is_file() else None


def pooled_features(model, x):
    """The pooled encoder feature the neighbours were fitted on (a HocSLM's encoder, or the model itself)."""
    return getattr(model, "encoder", model).forward_features(x)


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
