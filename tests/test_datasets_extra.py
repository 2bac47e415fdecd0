"""UTD-MHAD, Penn Action and SBU Kinect Interaction on the real shared data: counts, splits,
joint order, bad files skipped and reported."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.io import savemat

from actlm.cli import main
from actlm.data import SkeletonSet, load, prepare


@pytest.fixture(scope="module")
def utd(shared_data, tmp_path_factory) -> SkeletonSet:
    report = prepare("utd-mhad", out=tmp_path_factory.mktemp("utd") / "utd-mhad")
    assert not report.skipped
    return SkeletonSet(report.output)


def test_utd_mhad_counts_cross_subject_split_and_joint_order(utd):
    assert len(utd) == 861 and utd.num_classes == 27 and utd.channels == ["x", "y", "z"]
    assert utd.classes[0] == "swipe left" and utd.classes[26] == "squat"
    train, test = utd.split("xsub_train"), utd.split("xsub_test")
    assert (len(train), len(test)) == (431, 430)
    assert {train.meta(i)["subject"] for i in range(len(train))} == {1, 3, 5, 7}
    assert {test.meta(i)["subject"] for i in range(len(test))} == {2, 4, 6, 8}
    assert utd.info["default_benchmark"] == "xsub" and utd.info["layout_spec"]["joints"][0] == "head"
    first = utd[utd.find("a1_s1_t1")]
    assert first.meta == {"action": 1, "subject": 1, "repetition": 1} and first.label == 0
    lay = utd.layout
    heads = np.array([utd[i].data[0, :, lay.index("head"), 1].mean() for i in range(0, 861, 40)])
    hips = np.array([utd[i].data[0, :, lay.index("hip_center"), 1].mean() for i in range(0, 861, 40)])
    assert (heads > hips + 0.3).all()             # y is up, the head ~0.5 m above the hip centre
    bones = {(lay.joints[c], lay.joints[p]) for c, p in lay.bones}
    assert ("head", "shoulder_center") in bones and ("spine", "hip_center") in bones


def test_utd_class_names_match_the_purls_sheet(utd, shared_data):
    pytest.importorskip("openpyxl")
    from actlm.language.class_texts import purls_class_texts
    texts = purls_class_texts("utd-mhad", utd.classes)
    assert [t.name for t in texts] == utd.classes and all(t.description for t in texts)


def test_utd_bad_files_are_skipped_and_reported(shared_data, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a1_s1_t1", "a2_s2_t1", "a3_s1_t2"):
        (raw / f"{name}_skeleton.mat").symlink_to(shared_data / "utd-mhad" / f"{name}_skeleton.mat")
    (raw / "a1_s1_t3_skeleton.mat").write_bytes(b"MATLAB 5.0 MAT-file" + b"\x00" * 50)
    savemat(raw / "a1_s1_t4_skeleton.mat", {"skeleton": np.zeros((20, 3, 5))})
    savemat(raw / "a2_s1_t1_skeleton.mat", {"d_skel": np.ones((25, 3, 5))})
    savemat(raw / "a28_s1_t1_skeleton.mat", {"d_skel": np.ones((20, 3, 5))})
    (raw / "notes.mat").write_bytes(b"")
    result = CliRunner().invoke(main, ["prepare", "utd-mhad", "--raw", str(raw), "--out", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "wrote 3 sequences" in result.output and "skipped 5 file(s)" in result.output
    for problem in ("a1_s1_t3_skeleton.mat: unreadable .mat", "a1_s1_t4_skeleton.mat: no 'd_skel'",
                    "a2_s1_t1_skeleton.mat: 'd_skel' should be a (20, 3, frames)", "unknown action id a28",
                    "notes.mat: file name is not"):
        assert problem in result.output
    assert CliRunner().invoke(main, ["prepare", "utd-mhad", "--raw", str(raw), "--out", str(tmp_path / "ds"),
                                     "--strict"]).exit_code == 1
