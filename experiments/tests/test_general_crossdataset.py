"""experiments/general_crossdataset.py: the class groups of a held-out dataset and the top-1 helpers."""
from __future__ import annotations

import numpy as np

from experiments.general_crossdataset import _most, class_groups, per_class, top1, train_command
from experiments.general_zeroshot import class_names


def test_utd_mhad_groups_partition_its_classes():
    names = class_names()
    trained, counterpart, only = class_groups("utd-mhad")
    assert len(trained) == 43 and len(counterpart) == 11 and len(only) == 16
    assert set(counterpart) <= set(trained) and not set(only) & set(trained)
    assert set(trained) | set(only) == set(names)
    assert {"walk", "punch", "tennis serve", "squat"} <= set(counterpart) and "draw x" in only
    cmd = train_command(names, trained)
    assert "'data.exclude_sources=[utd-mhad]'" in cmd and "train.epochs=8" in cmd


def test_top1_per_class_and_most_predicted_use_the_given_columns():
    names = ["a", "b", "c"]
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.8, 0.9], [0.1, 0.3, 0.2]])
    labels = np.array([0, 1, 2])
    assert top1(scores, labels, [0, 1]) == (1.0, 2)                  # the sample of class c is left out
    assert per_class(scores, labels, [0, 1, 2], names) == {"a": 1.0, "b": 0.0, "c": 0.0}
    seen = np.array([1.0, 0.0, 1.0])                                  # gamma lowers a and c
    assert per_class(scores, labels, [0, 1, 2], names, gamma=0.5, seen=seen) == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert _most(scores, [1, 2], names) == [("b", 2 / 3), ("c", 1 / 3)]
