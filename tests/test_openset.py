"""Unknown-action scores (actlm/engine/openset.py) and how `actlm predict` states them."""
import json

import numpy as np
import pytest
import torch

from actlm.engine.openset import (OPENSET_FILE, ClassGaussians, TrainingNeighbours, auroc, energy, fpr_at_tpr,
                                  knn_cosine, load_openset, max_softmax)
from actlm.pipeline import VideoPrediction, default_checkpoint


def brute_knn(f: np.ndarray, bank: np.ndarray, k: int, skip_self: bool = False) -> np.ndarray:
    f = f / np.linalg.norm(f, axis=1, keepdims=True)
    b = bank / np.linalg.norm(bank, axis=1, keepdims=True)
    out = []
    for i, row in enumerate(f):
        sims = [float(row @ b[j]) for j in range(len(b)) if not (skip_self and j == i)]
        out.append(sorted(sims, reverse=True)[k - 1])
    return np.array(out)


def test_knn_cosine_is_the_kth_nearest_similarity():
    rng = np.random.default_rng(0)
    bank, queries = rng.normal(size=(40, 6)), rng.normal(size=(7, 6))
    assert np.allclose(knn_cosine(queries, bank, 3, chunk=4), brute_knn(queries, bank, 3))
    assert np.allclose(knn_cosine(bank, bank, 3, leave_self_out=True), brute_knn(bank, bank, 3, skip_self=True))


def test_auroc_counts_pairs_and_ties_half():
    known, unknown = np.array([0.9, 0.5, 0.5]), np.array([0.5, 0.1])
    pairs = [(1.0 if k > u else 0.5 if k == u else 0.0) for k in known for u in unknown]
    assert auroc(known, unknown) == pytest.approx(np.mean(pairs))          # 5/6
    assert auroc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0


def test_fpr_at_tpr_keeps_unknowns_above_the_known_quantile():
    known = np.arange(100, dtype=float)              # the 5 % quantile is 4.95
    unknown = np.array([0.0, 4.0, 5.0, 50.0])
    assert fpr_at_tpr(known, unknown, 0.95) == 0.5


def test_logit_scores():
    logits = np.array([[2.0, 0.0], [0.0, 0.0]])
    assert np.allclose(max_softmax(logits), [np.exp(2) / (np.exp(2) + 1), 0.5])
    assert np.allclose(energy(logits), np.log(np.exp(logits).sum(1)))


def test_mahalanobis_is_nearest_class_distance_and_flags_a_far_point():
    rng = np.random.default_rng(1)
    means = np.array([[0.0, 0.0], [10.0, 0.0]])
    labels = np.repeat([0, 1], 500)
    feats = means[labels] + rng.normal(size=(1000, 2)) * [1.0, 3.0]          # shared covariance diag(1, 9)
    g = ClassGaussians.fit(feats, labels)
    assert np.allclose(g.means, means, atol=0.3)
    assert np.allclose(np.linalg.inv(g.precision), np.diag([1.0, 9.0]), rtol=0.15, atol=0.2)
    # a point 3 units along the low-variance axis is farther (in sd) than one 6 units along the wide one
    near_wide, far_narrow = g.score(np.array([[0.0, 6.0], [3.0, 0.0]]))
    assert near_wide > far_narrow
    with pytest.raises(ValueError):
        ClassGaussians.fit(feats, labels + 1)          # labels must be 0..K-1


def test_training_neighbours_threshold_and_verdict(tmp_path):
    rng = np.random.default_rng(2)
    centres = np.eye(8)[:2] * 5
    bank = centres[rng.integers(0, 2, 400)] + rng.normal(size=(400, 8)) * 0.5
    n = TrainingNeighbours.fit(bank, k=5, keep=0.9, about={"what": "test"})
    own = brute_knn(n.bank.astype(np.float32), n.bank.astype(np.float32), 5, skip_self=True)
    assert (own >= n.threshold).mean() == pytest.approx(0.9, abs=0.01)      # keeps 90 % of the training samples
    assert n.verdict(centres[0] + rng.normal(size=8) * 0.5)["known_like"]
    assert not n.verdict(np.eye(8)[5] * 5)["known_like"]                     # a direction no training sample has
    n.save(tmp_path / OPENSET_FILE)
    back = load_openset(tmp_path)
    assert back.k == 5 and back.threshold == n.threshold and back.about == {"what": "test"}
    assert np.array_equal(back.bank, n.bank) and back.bank.dtype == np.float16
    assert load_openset(tmp_path / "nothing") is None


def test_the_shipped_neighbours_fit_the_shipped_model():
    ckpt = default_checkpoint()
    path = ckpt / OPENSET_FILE
    from actlm.engine import load_checkpoint
    from actlm.engine.openset import pooled_features
    from experiments.make_openset_neighbours import MAX_BYTES

    assert path.is_file() and path.stat().st_size < MAX_BYTES
    n = load_openset(ckpt)
    about = json.loads((ckpt / "ABOUT.json").read_text())
    model, meta = load_checkpoint(ckpt)
    with torch.no_grad():                                              # the model's pooled feature, its width
        width = pooled_features(model, torch.zeros(1, 1, 32, 13, meta.model.args["in_channels"])).shape[1]
    assert n.bank.shape[1] == width
    assert np.allclose(np.linalg.norm(n.bank.astype(np.float32), axis=1), 1, atol=2e-3)
    own = knn_cosine(n.bank.astype(np.float32), n.bank.astype(np.float32), n.k, leave_self_out=True)
    assert (own >= n.threshold).mean() == pytest.approx(n.keep, abs=0.002)
    assert n.about["command"].startswith("python -m experiments.make_openset_neighbours")
    assert len(about["classes"]) >= 2


def prediction(novelty, p: float = 0.4) -> VideoPrediction:
    confident = p >= 0.8 and (novelty is None or novelty["known_like"])
    return VideoPrediction("clip.mp4", 10, 10, 30.0, ["a", "b"], "body-13", [("a", p), ("b", 1 - p)], confident, 0.8)


def verdict(known_like: bool) -> dict:
    return {"score": 0.85 if known_like else 0.7, "threshold": 0.78, "k": 10, "keep": 0.95, "known_like": known_like,
            "training_samples": 100}


@pytest.mark.parametrize("novelty, p, says", [
    (None, 0.4, "low confidence (40% for 'a'): the action may be none of the 2"),
    (verdict(False), 0.9, "this may be none of the 2 actions this model knows"),
    (verdict(False), 0.4, "this may be none of the 2 actions this model knows"),
    (verdict(True), 0.4, "low confidence (40% for 'a'): the movement resembles this model's training examples"),
    (verdict(True), 0.9, "action: a (90%)"),
])
def test_the_summary_says_unknown_only_when_the_movement_is_unlike_training(novelty, p, says):
    pred = prediction(novelty, p)
    pred.novelty = novelty
    assert pred.summary().splitlines()[1].startswith(says)
    assert pred.unlike_training == (novelty is not None and not novelty["known_like"])
