"""experiments/general_crossdataset.py: the class groups of a held-out dataset and the top-1 helpers."""
from __future__ import annotations

import numpy as np

import experiments.general_crossdataset as xd
from experiments.general_crossdataset import (HELD_OUTS, _most, best_constant, class_groups, held_out_rows, per_class,
                                              top1, train_command)
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


def test_penn_action_groups_are_its_five_counterparts_and_ten_penn_only_classes():
    names = class_names()
    trained, counterpart, only = class_groups("penn-action")
    assert counterpart == ["bowling", "baseball swing", "tennis forehand", "tennis serve", "squat"]
    assert only == ["baseball pitch", "bench press", "clean and jerk", "golf swing", "jump rope", "jumping jacks",
                    "pull up", "push up", "sit up", "strum guitar"]
    assert len(trained) == 49 and set(trained) | set(only) == set(names) and not set(only) & set(trained)
    # UTD-MHAD's own classes are trained now: the lab data keeps them
    assert {"draw x", "lunge", "walk"} <= set(trained)
    cmd = train_command(names, trained, HELD_OUTS["penn-action"])
    assert "'data.exclude_sources=[penn-action]'" in cmd and "train.seed=1" in cmd and "train.epochs=8" in cmd
    assert "language.class_descriptions=runs/general_xd_nopenn_texts.yaml" in cmd
    assert cmd.endswith("train.work_dir=runs/general_xd_nopenn")
    kept = [names[int(i)] for i in cmd.split("'data.train_classes=[")[1].split("]")[0].split(",")]
    assert kept == trained


def test_the_utd_mhad_study_keeps_its_run_names_and_files():
    held = HELD_OUTS["utd-mhad"]
    assert (held.run, held.texts, held.seed, held.results, held.seed1_run) == (
        "runs/general_xd_noutd", "runs/general_xd_noutd_texts.yaml", 2, "general_crossdataset",
        "runs/general_xd_noutd_seed1")
    assert HELD_OUTS["penn-action"].results == "general_crossdataset_penn-action"
    assert train_command(class_names(), class_groups()[0]) == train_command(class_names(), class_groups()[0], held)


def test_held_out_rows_select_the_source_prefix_only():
    ids = np.array(["penn-action/12", "utd-mhad/penn-action/3", "nw-ucla/a01_s01", "penn-action/1920"])
    assert held_out_rows(ids, "penn-action").tolist() == [True, False, False, True]
    assert held_out_rows(ids, "utd-mhad").tolist() == [False, True, False, False]


def test_best_constant_is_the_most_frequent_label_among_the_columns():
    labels = np.array([0, 2, 2, 1, 2, 5, 5, 5, 5])
    assert best_constant(labels, [0, 1, 2]) == (3 / 5, 2)           # class 5 is not scored
    assert best_constant(labels, [5]) == (1.0, 5)


def test_rule_seed_skips_a_seed_that_ends_on_the_outlier(monkeypatch):
    # the UTD-MHAD study: seed 1 put the outlier in batch 107 of 108 (the last), seed 2 in batch 11
    batches = {("utd-mhad", 1): (107, 108), ("utd-mhad", 2): (11, 108), ("penn-action", 1): (None, 90),
               ("sbu", 1): (120, 120)}                                # 120: the dropped partial batch, never seen
    monkeypatch.setattr(xd, "last_epoch_batch", lambda seed, held_out: batches[(held_out, seed)])
    assert xd.rule_seed("utd-mhad") == HELD_OUTS["utd-mhad"].seed == 2
    assert xd.rule_seed("penn-action") == HELD_OUTS["penn-action"].seed == 1
    assert xd.rule_seed("sbu") == 1


def test_a_variant_command_is_the_study_command_with_its_options_last():
    names, held = class_names(), HELD_OUTS["penn-action"]
    trained = class_groups("penn-action")[0]
    base, e30 = train_command(names, trained, held), train_command(names, trained, held, "e30")
    assert e30.startswith(base.split(" train.work_dir=")[0])
    assert e30.endswith("train.epochs=30 train.eval_every=30 train.work_dir=runs/general_xd_nopenn_e30")
    assert xd.expected_config(held) == {"train.seed": 1, "train.epochs": 8}
    assert xd.expected_config(held, "seed2") == {"train.seed": 2, "train.epochs": 8}
    assert xd.expected_config(held, "e30") == {"train.seed": 1, "train.epochs": 30, "train.eval_every": 30}


def test_shipped_description_reads_the_ensemble_members():
    config = {"epoch": 45, "ensemble_of": [{"seed": 1, "epoch": 45, "stream": "joint"}, {"seed": 2, "epoch": 45},
                                           {"seed": 1, "epoch": 45, "stream": "bone"}]}
    assert xd.shipped_description(config) == ("an ensemble of 3 members of 45 epochs (joint seed 1, joint seed 2, "
                                              "bone seed 1), scores averaged")
    assert xd.shipped_description({"epoch": 30}) == "one model of 30 epochs"


def test_confusion_counts_true_rows_against_predicted_columns_among_the_given_classes():
    scores = np.array([[0.9, 0.1, 0.0, 0.8], [0.1, 0.9, 0.0, 0.2], [0.3, 0.2, 0.9, 0.1], [0.0, 0.7, 0.0, 0.2]])
    labels = np.array([3, 3, 2, 1])
    # columns 1 and 3: the sample of class 2 is left out; argmax among them only
    assert xd.confusion(scores, labels, [3, 1]) == [[1, 1], [0, 1]]


def test_on_the_real_merged_data_the_seed_rule_and_the_held_out_test_samples(shared_data):
    """The seed rule from the sampler alone: UTD-MHAD's study ends seed 1 on the outlier (batch 107 of
    108), Penn Action's training set has no outlier; and Penn Action's test samples are its 1068
    official test sequences, of its 15 classes only."""
    from actlm.data import load

    assert xd.last_epoch_batch(1, "utd-mhad") == (107, 108) and xd.last_epoch_batch(2, "utd-mhad") == (11, 108)
    assert xd.last_epoch_batch(1, "penn-action") == (None, 82)
    assert [xd.rule_seed(d) for d in ("utd-mhad", "penn-action")] == [2, 1]
    test = load("general", split="test")
    rows = held_out_rows(np.array(test.sample_ids), "penn-action")
    names = class_names()
    _, counterpart, only = class_groups("penn-action")
    assert rows.sum() == 1068
    assert {names[y] for y in np.asarray(test.labels)[rows]} == set(counterpart + only)
