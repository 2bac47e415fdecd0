"""MSRC-12 importer on the real recordings: one segment per action point, persons split."""
from __future__ import annotations

import os

import numpy as np
import pytest

from actlm.data import SkeletonSet
from actlm.data.errors import DataError
from actlm.data.msrc12 import AFTER, BEFORE, CLASSES, prepare, read_recording, segment_bounds
from actlm.paths import data_root

RAW = data_root() / "msrc-12"
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="MSRC-12 not in the shared data")


def test_segment_rule_cuts_at_midpoints():
    assert segment_bounds(np.array([100]), 1000) == [(100 - BEFORE, 100 + AFTER + 1)]
    bounds = segment_bounds(np.array([50, 80, 300]), 310)
    assert bounds[0] == (5, 66) and bounds[1] == (66, 96)       # no frame in two segments
    assert bounds[2] == (300 - BEFORE, 310)                      # clipped at the recording's end
    assert segment_bounds(np.array([10]), 100)[0][0] == 0


def test_a_real_recording_gives_one_segment_per_action_point():
    path = RAW / "P1_1_10_p06.npz"
    with np.load(path) as npz:
        points = npz["action_point_frames"]
    samples, skipped = read_recording(path)
    assert not skipped and len(samples) == len(points) == 10
    assert {s.label for s in samples} == {CLASSES.index("change weapon")}
    for sample, point in zip(samples, points):
        start, end = sample.meta["frames"]
        assert start <= point < end and sample.data.shape == (1, end - start, 20, 3)
        assert sample.meta["person"] == 6
    assert samples[0].sample_id == "P1_1_10_p06_r1"


def test_unreadable_recordings_are_named(tmp_path):
    with pytest.raises(DataError, match="P1_1_13_p01.npz: unknown gesture G13"):
        read_recording(tmp_path / "P1_1_13_p01.npz")
    bad = tmp_path / "P1_1_2_p01.npz"
    np.savez(bad, joints=np.zeros((10, 20, 3), np.float16), action_point_frames=np.array([30], np.int32))
    with pytest.raises(DataError, match="P1_1_2_p01.npz: 'action_point_frames' should be frame numbers within 0..9"):
        read_recording(bad)


def test_prepare_splits_persons(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    names = ["P1_1_10_p06.npz", "P1_1_12A_p19.npz", "P3_1_1A_p01.npz", "P2_1_8A_p12.npz", "P2_2_7_p30.npz"]
    for name in names:
        os.symlink(RAW / name, raw / name)
    report = prepare(raw, tmp_path / "out")
    ds = SkeletonSet(tmp_path / "out")
    assert ds.classes == list(CLASSES) and report.written == len(ds)
    assert any("P1_1_12A_p19.npz (action point 1" in s.path for s in report.skipped)   # no skeleton there
    persons = {split: {ds.split(split).meta(i)["person"] for i in range(len(ds.split(split)))}
               for split in ("xsub_train", "xsub_test")}
    assert persons["xsub_train"] and persons["xsub_test"]
    assert all(p % 2 == 1 for p in persons["xsub_train"]) and all(p % 2 == 0 for p in persons["xsub_test"])
