"""Classification metrics from logits: top-k, per-class accuracy, confusion matrix (+ PNG)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..data.errors import DataError


class ClassMismatchError(DataError):
    """A dataset whose classes a model cannot be scored on (the message names them)."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, classes) scores, stable for large logits (score fusion works on these)."""
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def fuse_scores(logits: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Weighted sum of the runs' softmax probabilities: the score fusion of `actlm ensemble`."""
    return sum(w * softmax(x) for w, x in zip(weights, logits, strict=True))


def topk_accuracy(logits: np.ndarray, labels: np.ndarray, k: int) -> float:
    k = min(k, logits.shape[1])
    top = np.argsort(-logits, axis=1)[:, :k]
    return float((top == labels[:, None]).any(axis=1).mean()) if len(labels) else 0.0


def confusion(pred: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    mat = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(mat, (labels, pred), 1)
    return mat


def classification_report(logits: np.ndarray, labels: np.ndarray, classes: list[str]) -> dict[str, Any]:
    """top1, top5, n, per_class accuracy by class name, and the confusion matrix."""
    pred = logits.argmax(axis=1)
    mat = confusion(pred, labels, len(classes))
    support = mat.sum(axis=1)
    per_class = {name: (float(mat[i, i] / support[i]) if support[i] else None) for i, name in enumerate(classes)}
    return {"top1": topk_accuracy(logits, labels, 1), "top5": topk_accuracy(logits, labels, 5),
            "n": int(len(labels)), "per_class": per_class, "confusion": mat.tolist(), "classes": list(classes)}


def class_mapping(model_classes: Sequence[str], data_classes: Sequence[str], model_name: str,
                  data_name: str) -> np.ndarray | None:
    """For each class index of the data, the model's index of the class of that name (None when
    the two lists are the same). Data classes the model does not know, or a name listed twice,
    cannot be scored: an error naming them, never an accuracy over mislabelled classes."""
    model_classes, data_classes = list(model_classes), list(data_classes)
    if data_classes == model_classes:
        return None
    for names, owner in ((model_classes, model_name), (data_classes, data_name)):
        twice = sorted({c for c in names if names.count(c) > 1})
        if twice:
            raise ClassMismatchError(f"{owner}: class(es) listed twice: {', '.join(twice)}")
    unknown = [c for c in data_classes if c not in model_classes]
    if len(unknown) == len(data_classes):
        raise ClassMismatchError(
            f"{data_name} and {model_name} have no class in common (data: {_names(data_classes)}; model: "
            f"{_names(model_classes)}): evaluate on a dataset with the model's classes")
    if unknown:
        raise ClassMismatchError(
            f"{data_name} has {len(unknown)} class(es) that {model_name} was not trained on: {_names(unknown)}; "
            f"evaluate on a dataset with only the model's classes ({_names(model_classes)})")
    return np.array([model_classes.index(c) for c in data_classes], dtype=np.int64)


def _names(classes: Sequence[str], shown: int = 8) -> str:
    more = f" and {len(classes) - shown} more" if len(classes) > shown else ""
    return ", ".join(map(str, classes[:shown])) + more


def save_scores(path: str | Path, sample_ids: np.ndarray, labels: np.ndarray, logits: np.ndarray,
                classes: list[str]) -> None:
    """Per-sample test scores (what `actlm ensemble` fuses): ids, labels, logits and the class names."""
    np.savez(path, sample_ids=np.asarray(sample_ids), labels=labels, logits=logits, classes=np.array(classes))


def save_confusion_png(matrix: np.ndarray | list, classes: list[str], path: str | Path, title: str = "") -> Path:
    """Row-normalised confusion matrix as a PNG (counts written in the cells when small)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mat = np.asarray(matrix, dtype=float)
    norm = mat / np.maximum(mat.sum(axis=1, keepdims=True), 1)
    n = len(classes)
    size = max(5.0, 0.35 * n + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), [c[:22] for c in classes], rotation=90, fontsize=7 if n > 20 else 9)
    ax.set_yticks(range(n), [c[:22] for c in classes], fontsize=7 if n > 20 else 9)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 30:
        for i in range(n):
            for j in range(n):
                if mat[i, j]:
                    ax.text(j, i, int(mat[i, j]), ha="center", va="center", fontsize=7,
                            color="white" if norm[i, j] > 0.5 else "black")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
