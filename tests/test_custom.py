"""A user's own dataset: npy/npz/json sequences + labels.csv, 2D and 3D, and its errors."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import DataError, SkeletonSet, load, prepare


def _coco_pose(t: int, rng) -> np.ndarray:
    return (rng.normal(size=(t, 17, 2)) * 20 + 200).astype(np.float32)


@pytest.fixture
def coco_folder(tmp_path):
    rng = np.random.default_rng(0)
    raw = tmp_path / "clips"
    raw.mkdir()
    np.save(raw / "c1.npy", _coco_pose(12, rng))
    np.savez(raw / "c2.npz", skeleton=np.stack([_coco_pose(9, rng), _coco_pose(9, rng)]))
    (raw / "c3.json").write_text(json.dumps({"skeletons": _coco_pose(7, rng).tolist()}))
    np.save(raw / "c4.npy", _coco_pose(5, rng))
    (raw / "labels.csv").write_text("sample,label,split,subject\nc1,wave,train,1\nc2,hug,train,2\n"
                                    "c3,wave,test,3\nc4,hug,test,3\n")
    return raw


def test_import_2d_coco_end_to_end(coco_folder, tmp_path):
    report = prepare("custom", raw=coco_folder, out=tmp_path / "mine", layout="coco-17", name="mine", persons=2)
    assert report.written == 4 and not report.skipped
    ds = SkeletonSet(tmp_path / "mine")
    assert ds.classes == ["hug", "wave"] and ds.channels == ["x", "y"] and ds.info["max_persons"] == 2
    assert ds.split("train").sample_ids == ["c1", "c2"] and ds.split("test").sample_ids == ["c3", "c4"]
    c2 = ds[ds.find("c2")]
    assert c2.data.shape == (2, 9, 17, 2) and c2.meta == {"subject": 2} and ds.classes[c2.label] == "hug"
    assert ds[ds.find("c1")].data.shape == (2, 12, 17, 2)


def test_duplicate_sample_ids_and_disagreeing_json_labels_are_skipped(coco_folder, tmp_path):
    rng = np.random.default_rng(2)
    np.save(coco_folder / "c3.npy", _coco_pose(6, rng))            # c3.json exists: same sample id
    (coco_folder / "c5.json").write_text(json.dumps({"label": "hug", "skeletons": _coco_pose(6, rng).tolist()}))
    (coco_folder / "labels.csv").write_text((coco_folder / "labels.csv").read_text() + "c5,wave,test,4\n")
    report = prepare("custom", raw=coco_folder, out=tmp_path / "mine", layout="coco-17", name="mine")
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert report.written == 4 and set(reasons) == {"c3.npy", "c5.json"}
    assert "same sample id as c3.json" in reasons["c3.npy"] and "'hug'" in reasons["c5.json"]
    ds = SkeletonSet(tmp_path / "mine")
    assert sorted(ds.sample_ids) == ["c1", "c2", "c3", "c4"] and ds[ds.find("c3")].data.shape[1] == 7


def test_cli_prepare_then_load_by_name(coco_folder, isolated_cache):
    runner = CliRunner()
    result = runner.invoke(main, ["prepare", "custom", "--raw", str(coco_folder), "--labels",
                                  str(coco_folder / "labels.csv"), "--layout", "coco-17", "--name", "mine"])
    assert result.exit_code == 0, result.output
    assert len(load("mine", split="train")) == 2
    result = runner.invoke(main, ["data", "summary", "mine"])
    assert result.exit_code == 0 and "coco-17" in result.output
    bad = runner.invoke(main, ["prepare", "nw-ucla", "--layout", "coco-17"])
    assert bad.exit_code == 2 and "do not apply" in bad.output


def test_3d_kinect_files(tmp_path):
    raw = tmp_path / "k"
    raw.mkdir()
    rng = np.random.default_rng(1)
    for i in range(3):
        np.save(raw / f"s{i}.npy", rng.normal(size=(1, 6, 25, 3)).astype(np.float32))
    (raw / "labels.csv").write_text("sample,label\ns0,a\ns1,b\ns2,a\n")
    report = prepare("custom", raw=raw, out=tmp_path / "o", layout="kinect-v2")
    ds = SkeletonSet(tmp_path / "o")
    assert report.written == 3 and ds.channels == ["x", "y", "z"] and ds.layout.name == "kinect-v2" and ds.splits == []


def test_bad_files_and_rows_are_reported(coco_folder, tmp_path):
    rng = np.random.default_rng(2)
    np.save(coco_folder / "wrong_joints.npy", rng.normal(size=(5, 20, 2)).astype(np.float32))
    nan = _coco_pose(5, rng)
    nan[1, 2, 0] = np.nan
    np.save(coco_folder / "has_nan.npy", nan)
    np.save(coco_folder / "empty.npy", np.zeros((0, 17, 2), np.float32))
    (coco_folder / "broken.json").write_text('{"skeletons": [\n[1, 2],\n')
    np.save(coco_folder / "unlabelled.npy", _coco_pose(4, rng))
    np.savez(coco_folder / "nokey.npz", other=_coco_pose(4, rng))
    rows = "".join(f"{n},wave\n" for n in ("wrong_joints", "has_nan", "empty", "broken", "nokey", "ghost"))
    with open(coco_folder / "labels.csv", "a") as fh:
        fh.write(rows)
    report = prepare("custom", raw=coco_folder, out=tmp_path / "o", layout="coco-17")
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert report.written == 4
    assert "20 joints per frame but layout coco-17 has 17" in reasons["wrong_joints.npy"]
    assert "NaN/inf" in reasons["has_nan.npy"] and "frame 1" in reasons["has_nan.npy"]
    assert "zero frames" in reasons["empty.npy"]
    assert "unreadable JSON" in reasons["broken.json"] and reasons["broken.json"].startswith("line 3")
    assert "no row in labels.csv" in reasons["unlabelled.npy"]
    assert "no 'skeleton' array" in reasons["nokey.npz"]
    assert "no file" in reasons["ghost"]


def test_labels_file_errors(coco_folder, tmp_path):
    (coco_folder / "labels.csv").write_text("name,class\nc1,wave\n")
    with pytest.raises(DataError, match=r"labels.csv:1: header must name 'sample' and 'label'"):
        prepare("custom", raw=coco_folder, out=tmp_path / "o", layout="coco-17")
    (coco_folder / "labels.csv").write_text("sample,label\nc1,wave\nc2,dance\n")
    (tmp_path / "classes.txt").write_text("wave\nhug\n")
    with pytest.raises(DataError, match=r"labels.csv:3: unknown label 'dance'"):
        prepare("custom", raw=coco_folder, out=tmp_path / "o", layout="coco-17", classes=tmp_path / "classes.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no .npy/.npz/.json sequence files"):
        prepare("custom", raw=empty, out=tmp_path / "o", layout="coco-17")
