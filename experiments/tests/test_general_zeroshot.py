"""Calibrated stacking of experiments/general_zeroshot.py on synthetic scores: the metrics, and that
a split's gamma is chosen from other runs' training-partition scores without its own unseen classes."""
from __future__ import annotations

import numpy as np
import pytest

from experiments.general_zeroshot import (GROUPS, SPLIT0, all_splits, choose_gamma, class_names, draw_splits,
                                          gamma_for_split, gzsl, pseudo_problem, zsl_top1)


def test_gzsl_and_zsl_by_hand():
    # 4 classes, 2 and 3 unseen; one sample per class
    scores = np.array([[0.9, 0.1, 0.5, 0.0],    # class 0 (seen): right unless gamma > 0.4
                       [0.2, 0.9, 0.1, 0.6],    # class 1 (seen): right unless gamma > 0.3
                       [0.6, 0.1, 0.5, 0.2],    # class 2 (unseen): taken by seen class 0 unless gamma > 0.1
                       [0.1, 0.5, 0.0, 0.3]])   # class 3 (unseen): taken by seen class 1 unless gamma > 0.2
    labels = np.arange(4)
    unseen = np.array([False, False, True, True])
    assert gzsl(scores, labels, unseen) == (1.0, 0.0, 0.0)
    assert gzsl(scores, labels, unseen, 0.15) == (1.0, 0.5, pytest.approx(2 / 3))
    seen, new, h = gzsl(scores, labels, unseen, 0.25)
    assert (seen, new, h) == (1.0, 1.0, 1.0)
    assert gzsl(scores, labels, unseen, 0.35)[0] == 0.5          # class 1's sample now goes to class 3
    assert zsl_top1(scores, labels, unseen) == (1.0, 2)          # among classes 2 and 3 only: both right
    assert zsl_top1(scores, labels[[0, 1, 3, 2]], unseen) == (0.0, 2)
    gamma, curve = choose_gamma([(scores, labels, unseen)], np.round(np.arange(0, 0.5, 0.05), 2))
    assert 0.2 < gamma <= 0.3 and curve.max() == 1.0


def synthetic_runs(rng, names, splits, n_per_class=20, bias=0.3):
    """Per split: (scores, labels) of a run that over-scores the classes it trained on by ``bias``."""
    out = {}
    for k, unseen in enumerate(splits):
        labels = np.repeat(np.arange(len(names)), n_per_class)
        scores = rng.normal(0, 0.1, (len(labels), len(names)))
        scores[np.arange(len(labels)), labels] += 0.4
        scores[:, [n not in unseen for n in names]] += bias
        out[k] = (scores, labels)
    return out


def test_gamma_uses_no_test_data_and_no_own_unseen_class():
    rng = np.random.default_rng(0)
    names = [f"c{i}" for i in range(15)]
    splits = [names[0:3], names[3:6], names[6:9]]
    train = synthetic_runs(rng, names, splits)
    gamma, how = gamma_for_split(0, train, splits, names)
    assert set(how["per_run"]) == {1, 2}                          # only the other runs
    assert 0.15 < gamma < 0.45                                    # undoes the seen bias of 0.3
    # scramble everything of split 0's unseen classes in the training partition, and split 0's own run:
    spoiled = {k: (s.copy(), y.copy()) for k, (s, y) in train.items()}
    spoiled[0] = (rng.normal(size=spoiled[0][0].shape), rng.permutation(spoiled[0][1]))
    for j in (1, 2):
        s, y = spoiled[j]
        own = np.isin(y, [names.index(c) for c in splits[0]])
        s[own] = rng.normal(5, 3, s[own].shape)                   # their samples' scores
        s[:, [names.index(c) for c in splits[0]]] = 9.0           # their texts' scores
    assert gamma_for_split(0, spoiled, splits, names) == (gamma, how)


def test_pseudo_problem_drops_the_excluded_classes():
    names = ["a", "b", "c", "d", "e"]
    labels = np.array([0, 1, 2, 3, 4, 4])
    scores = np.arange(30, dtype=float).reshape(6, 5)
    s, y, unseen = pseudo_problem(scores, labels, names, pseudo_unseen=["b"], excluded=["c", "d"])
    assert s.shape == (4, 3) and list(y) == [0, 1, 2, 2]
    assert list(unseen) == [False, True, False]
    assert s[0].tolist() == [0.0, 1.0, 4.0]


def test_splits_disjoint_and_groups_whole():
    names = class_names()
    splits = all_splits(names)
    assert splits[0] == sorted(SPLIT0, key=names.index)
    assert all(len(s) == 12 for s in splits)
    flat = [c for s in splits for c in s]
    assert len(flat) == len(set(flat)) == 36
    for group in GROUPS:
        for s in splits:
            assert len(set(group) & set(s)) in (0, len(group))
    assert draw_splits(names) == splits[1:]                        # fixed by the seed
