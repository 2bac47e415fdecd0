"""experiments/general_gaps.py: the test-time copies and how their scores are combined, by hand."""
from __future__ import annotations

import numpy as np
import pytest

from actlm.data.merged import CLASSES
from experiments.general_gaps import Turn, Window, combine, mirror_permutation, per_class, top1_by_source


def test_mirror_permutation_swaps_only_the_side_specific_classes():
    classes = list(CLASSES)
    perm = mirror_permutation(classes)
    left, right = classes.index("swipe left"), classes.index("swipe right")
    cw, ccw = classes.index("draw circle (clockwise)"), classes.index("draw circle (counter clockwise)")
    assert perm[left] == right and perm[right] == left and perm[cw] == ccw and perm[ccw] == cw
    others = [k for k in range(len(classes)) if k not in (left, right, cw, ccw)]
    assert (perm[others] == others).all()


def test_a_mirrored_copy_saying_swipe_right_votes_for_swipe_left():
    classes = ["swipe left", "swipe right", "wave"]
    plain = np.array([[[0.4, 0.2, 0.4]]])          # (members, N, K): undecided between swipe left and wave
    flip = np.array([[[0.0, 0.9, 0.1]]])           # the mirror looks like a swipe right
    probs = combine({"plain": plain, "flip": flip},
                    [("plain", None), ("flip", mirror_permutation(classes, (("swipe left", "swipe right"),)))])
    assert probs[0] == pytest.approx([0.65, 0.1, 0.25])


def test_combine_weights_members():
    scored = {"plain": np.array([[[1.0, 0.0]], [[0.0, 1.0]]])}
    assert combine(scored, [("plain", None)])[0] == pytest.approx([0.5, 0.5])
    assert combine(scored, [("plain", None)], weights=np.array([3.0, 1.0]))[0] == pytest.approx([0.75, 0.25])


def test_window_takes_the_fraction_at_its_place():
    x = np.zeros((1, 12, 2, 2), np.float32)
    x[0, 2:12, :, 0] = np.arange(1, 11)[:, None]     # frames 0-1 empty, then values 1..10
    start = Window(length=4, ratio=0.8, where=0.0)(x, None)
    end = Window(length=4, ratio=0.8, where=1.0)(x, None)
    whole = Window(length=10, ratio=1.0, where=0.5)(x, None)
    assert start[0, 0, 0, 0] == pytest.approx(1) and start[0, -1, 0, 0] == pytest.approx(8)
    assert end[0, 0, 0, 0] == pytest.approx(3) and end[0, -1, 0, 0] == pytest.approx(10)
    assert whole[0, :, 0, 0] == pytest.approx(np.arange(1, 11))


def test_turn_rotates_3d_about_the_centre_and_leaves_flat_input():
    x = np.zeros((1, 1, 2, 3), np.float32)
    x[0, 0, 0] = [1, 0, 0.5]
    x[0, 0, 1] = [-1, 0, -0.5]                      # centre at the origin
    turned = Turn(90.0)(x, None)                    # a quarter turn: depth becomes x, x becomes -depth
    assert turned[0, 0] == pytest.approx(np.array([[0.5, 0, -1], [-0.5, 0, 1]]), abs=1e-6)
    flat = x.copy()
    flat[..., 2] = 0
    flat[0, 0, 1, 1] = 2.0
    assert Turn(90.0)(flat, None) is flat


def test_per_source_and_per_class_counts():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    labels = np.array([0, 1, 1, 1])
    sources = np.array(["a", "a", "b", "b"])
    assert top1_by_source(probs, labels, sources) == {"a": 1.0, "b": 0.5, "all": 0.75}
    report = per_class(probs, labels, ["x", "y"])
    assert report["y"] == {"n": 3, "correct": 2, "taken_for": {"x": 1}}


def test_sbu_interactions_average_their_persons():
    from experiments.general_gaps import by_interaction
    probs = np.array([[0.6, 0.4], [0.1, 0.9],      # hug: one person says 0, the other (surer) 1
                      [0.8, 0.2]])                 # a one-sided action: its actor alone
    report = by_interaction(probs, np.array([1, 1, 0]), ["s01/hug", "s01/hug", "s01/kick"])
    assert report == {"n": 2, "top1": 1.0}
