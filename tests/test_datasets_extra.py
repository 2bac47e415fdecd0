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


@pytest.fixture(scope="module")
def penn(shared_data, tmp_path_factory) -> SkeletonSet:
    report = prepare("penn-action", out=tmp_path_factory.mktemp("penn") / "penn-action")
    assert not report.skipped
    return SkeletonSet(report.output)


@pytest.fixture(scope="module")
def sbu(shared_data, tmp_path_factory) -> SkeletonSet:
    report = prepare("sbu", out=tmp_path_factory.mktemp("sbu") / "sbu")
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


def test_penn_action_official_split_classes_and_2d_joint_order(penn):
    assert len(penn) == 2326 and penn.layout.name == "penn-13"
    assert (len(penn.split("train")), len(penn.split("test"))) == (1258, 1068)
    assert penn.num_classes == 15 and penn.classes[0] == "baseball pitch" and penn.channels == ["x", "y"]
    lay = penn.layout
    first = penn[penn.find("0001")]
    assert penn.classes[first.label] == "baseball pitch" and first.meta["split"] == "test" and first.data.shape[1] == 151
    upright = penn.find("0001")   # a standing pitcher: image y grows downwards, head above hips above ankles
    y = penn[upright].data[0, 0, :, 1]
    assert y[lay.index("head")] < y[lay.index("left_hip")] < y[lay.index("left_ankle")]
    assert {(lay.joints[c], lay.joints[p]) for c, p in lay.bones} >= {("left_wrist", "left_elbow"), ("right_knee", "right_hip")}


def test_penn_bad_files_are_skipped_and_reported(shared_data, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("0001", "0002"):
        (raw / f"{name}.mat").symlink_to(shared_data / "penn-action" / f"{name}.mat")
    good = {"x": np.ones((5, 13)), "y": np.ones((5, 13)), "visibility": np.ones((5, 13)), "train": np.array([[1]])}
    savemat(raw / "0003.mat", {**good, "action": "juggling"})
    savemat(raw / "0004.mat", {**good, "action": "squat", "x": np.ones((5, 12))})
    savemat(raw / "0005.mat", {k: v for k, v in good.items() if k != "train"} | {"action": "squat"})
    (raw / "0006.mat").write_bytes(b"\x00garbage")
    report = prepare("penn", raw=raw, out=tmp_path / "ds")
    reasons = {s.path.rsplit("/", 1)[1]: s.reason for s in report.skipped}
    assert report.written == 2 and set(reasons) == {"0003.mat", "0004.mat", "0005.mat", "0006.mat"}
    assert "unknown action 'juggling'" in reasons["0003.mat"] and "(frames, 13)" in reasons["0004.mat"]
    assert "no 'train'" in reasons["0005.mat"] and "unreadable .mat" in reasons["0006.mat"]


def test_sbu_folds_two_persons_and_metric_coordinates(sbu, shared_data):
    from actlm.data.sbu import FOLDS
    assert len(sbu) == 282 and sbu.info["max_persons"] == 2 and sbu.num_classes == 8
    assert sorted(p for fold in FOLDS for p in fold) == sorted(d.name for d in (shared_data / "sbu-kinect").iterdir())
    sizes = [len(sbu.split(f"fold{k}_test")) for k in range(1, 6)]
    assert sum(sizes) == 282 and sizes[0] == 55
    for k in range(1, 6):
        train, test = sbu.split(f"fold{k}_train"), sbu.split(f"fold{k}_test")
        assert len(train) + len(test) == 282 and not set(train.sample_ids) & set(test.sample_ids)
        assert {test.meta(i)["pair"] for i in range(len(test))} == set(FOLDS[k - 1])
    assert sbu.info["default_benchmark"] == "fold1"
    sample = sbu[sbu.find("s01s02_01_001")]
    lay = sbu.layout
    assert sample.data.shape[0] == 2 and sbu.classes[sample.label] == "approaching"
    for person in sample.data:      # metres, y up: head 1.3-2 m above the feet, both persons present
        height = person[:, lay.index("head"), 1] - person[:, lay.index("left_foot"), 1]
        assert 1.2 < np.median(height) < 2.0


def test_sbu_bad_files_are_skipped_and_reported(shared_data, tmp_path):
    raw = tmp_path / "raw"
    good = shared_data / "sbu-kinect" / "s01s02" / "01" / "001" / "skeleton_pos.txt"
    lines = good.read_text().splitlines()
    for rel, text in {"s01s02/01/001": good.read_text(), "s01s02/02/001": lines[0] + "\n" + lines[1][:40] + "\n",
                      "s01s02/09/001": good.read_text(), "s09s09/01/001": good.read_text(),
                      "s01s02/03/001": lines[0].replace(lines[0].split(",")[5], "abc") + "\n"}.items():
        (raw / rel).mkdir(parents=True)
        (raw / rel / "skeleton_pos.txt").write_text(text)
    report = prepare("sbu", raw=raw, out=tmp_path / "ds")
    reasons = {"/".join(s.path.split("/")[-4:-1]): s.reason for s in report.skipped}
    assert report.written == 1 and len(reasons) == 4
    assert reasons["s01s02/02/001"].startswith("line 2:") and "expected 91" in reasons["s01s02/02/001"]
    assert "unknown class folder 09" in reasons["s01s02/09/001"] and "none of the 5 folds" in reasons["s09s09/01/001"]
    assert "line 1: a value is not a number" in reasons["s01s02/03/001"]


def test_summary_command_on_a_prepared_dataset(utd):
    result = CliRunner().invoke(main, ["data", "summary", str(utd.root)])
    assert result.exit_code == 0, result.output
    assert "dataset utd-mhad: 861 sequences, layout utd-mhad (20 joints)" in result.output
    assert "xsub_train" in result.output and "swipe left" in result.output


@pytest.mark.parametrize("config, fixture", [("utd-mhad/hglnet_joint", "utd"), ("penn-action/hglnet_joint", "penn"),
                                             ("sbu/hglnet_joint", "sbu")])
def test_shipped_configs_build_their_model_on_the_data(config, fixture, request):
    import torch

    from actlm.data.loader import SkeletonDataset
    from actlm.encoder import build_model
    from actlm.engine.config import load_config
    from actlm.engine.trainer import model_args_for

    cfg = load_config(config)
    data = request.getfixturevalue(fixture)
    split = data.split(cfg.data.train_split if cfg.data.train_split in data.splits
                       else f"{data.info['default_benchmark']}_{cfg.data.train_split}")
    items = SkeletonDataset(split, cfg.data.train_pipeline)
    x = torch.stack([items[i][0] for i in range(3)])
    args = model_args_for(cfg, split, x[0])
    assert args["layout"] == data.layout.name and args["num_persons"] == data.info["max_persons"]
    with torch.no_grad():
        assert build_model(cfg.model.name, **args).eval()(x).shape == (3, data.num_classes)


def test_summary_by_name_prepares_from_the_data_root(shared_data, tmp_path):
    missing = CliRunner().invoke(main, ["prepare", "sbu", "--data-root", str(tmp_path)])
    assert missing.exit_code != 0 and "sbu-kinect" in missing.output and "skeleton_pos.txt" in missing.output
    result = CliRunner().invoke(main, ["data", "summary", "sbu", "--data-root", str(shared_data)])
    assert result.exit_code == 0, result.output
    assert "dataset sbu: 282 sequences, layout sbu-15 (15 joints), channels x,y,z, up to 2 person(s)" in result.output
    assert load("sbu", split="test").split_name == "fold1_test"
