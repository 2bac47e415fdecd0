"""The headroom reading of attribution-benchmark rows, on rows whose numbers are worked by hand."""
from __future__ import annotations

import pytest

from experiments.attribution_headroom import by_class, sequence_headroom, summarise_group


def row(target: int, base: float, cited: float, motion: float, cited_joints: list[int], motion_joints: list[int]) -> dict:
    return {"target": target, "base": base, "cited": ["right_arm"], "frozen": {"cited": cited, "motion": motion},
            "joints": {"cited": cited_joints, "motion": motion_joints, "occlusion": []}}


def test_headroom_is_what_motion_energy_leaves_of_the_probability():
    h = sequence_headroom(row(0, 0.90, 0.88, 0.85, [1, 2, 3], [1, 2, 3]))
    assert h["gain"] == pytest.approx(0.03)
    assert h["headroom"] == pytest.approx(0.05)
    assert h["same_set"] and h["overlap"] == 1.0
    assert h["motion_nearly_all"]            # 0.05 left of 0.90: under a tenth


def test_different_sets_and_a_large_headroom():
    h = sequence_headroom(row(0, 0.80, 0.70, 0.30, [1, 2, 3], [3, 4, 5]))
    assert h["headroom"] == pytest.approx(0.50)
    assert not h["same_set"] and h["overlap"] == pytest.approx(1 / 5)
    assert not h["motion_nearly_all"]


def test_group_share_of_headroom_taken_and_class_order():
    rows = [row(0, 0.90, 0.88, 0.85, [1], [1]), row(0, 0.90, 0.86, 0.85, [1], [2]),
            row(1, 0.80, 0.70, 0.30, [1], [2])]
    s = summarise_group(rows[:2])
    assert s["n"] == 2 and s["gain"] == pytest.approx(0.02) and s["headroom"] == pytest.approx(0.05)
    assert s["captured"] == pytest.approx(0.4) and s["same_set"] == 0.5
    names = [name for name, _ in by_class(rows, ("wave", "clap"))]
    assert names == ["wave", "clap"]          # wave gains 0.02, clap 0.40: the smallest gain first
