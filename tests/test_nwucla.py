"""NW-UCLA from the real all_sqe files, and bad files next to them."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import DatasetNotFound, SkeletonSet, load, prepare
from actlm.data.nwucla import CLASSES


def test_real_nwucla_cross_view(ucla_prepared):
    ds = SkeletonSet(ucla_prepared)
    assert len(ds) == 1484 and ds.layout.name == "kinect-v1" and ds.classes == list(CLASSES)
    train, test = ds.split("xview_train"), ds.split("xview_test")
    assert (len(train), len(test)) == (1020, 464)
    assert {train.meta(i)["view"] for i in range(len(train))} == {1, 2}
    assert {test.meta(i)["view"] for i in range(len(test))} == {3}
    assert ds.lengths.min() == 1 and ds.lengths.max() == 201
    assert np.bincount(ds.labels).tolist() == [150, 152, 141, 173, 148, 149, 142, 142, 145, 142]
    sample = ds[ds.find("a05_s01_e00_v01")]
    assert CLASSES[sample.label] == "sit down" and sample.data.shape[1:] == (24, 20, 3)


def test_load_by_name_prepares_once_and_resolves_train_test(shared_data, isolated_cache):
    train = load("nw-ucla", split="train", data_root_dir=shared_data)
    assert train.split_name == "xview_train" and len(train) == 1020
    assert (isolated_cache / "datasets" / "nw-ucla" / "dataset.json").exists()
    assert len(load("nw-ucla", split="test")) == 464  # now from the cache, no data root needed


def test_missing_dataset_says_where_to_put_it(tmp_path):
    with pytest.raises(DatasetNotFound, match="nw-ucla/all_sqe"):
        load("nw-ucla", data_root_dir=tmp_path)
    result = CliRunner().invoke(main, ["data", "summary", "nw-ucla", "--data-root", str(tmp_path)])
    assert result.exit_code == 2 and "raw files not found" in result.output and "Traceback" not in result.output


def test_bad_files_are_skipped_with_reasons(shared_data, tmp_path):
    raw = tmp_path / "all_sqe"
    raw.mkdir()
    for name in ("a01_s01_e00_v01", "a02_s01_e00_v03"):
        shutil.copy(shared_data / "nw-ucla" / "all_sqe" / f"{name}.json", raw)
    good = json.loads((raw / "a01_s01_e00_v01.json").read_text())
    (raw / "a03_s01_e00_v01.json").write_text('{"file_name": "x",\n "skeletons": [[[1, 2, 3]]\n')
    (raw / "a04_s01_e00_v01.json").write_text(json.dumps({**good, "label": 4, "skeletons": [[[0.1, 0.2, 0.3]] * 25]}))
    (raw / "a05_s01_e00_v01.json").write_text(json.dumps({**good, "label": 5, "skeletons": []}))
    nan = [[list(j) for j in frame] for frame in good["skeletons"]]
    nan[2][3][1] = float("nan")
    (raw / "a06_s01_e00_v01.json").write_text(json.dumps({**good, "label": 6, "skeletons": nan}))
    (raw / "a08_s01_e00_v01.json").write_text(json.dumps({**good, "label": 3}))
    (raw / "notes.json").write_text("{}")
    report = prepare("nw-ucla", raw=raw, out=tmp_path / "out")
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert report.written == 2
    assert "unreadable JSON" in reasons["a03_s01_e00_v01.json"] and "line 3" in reasons["a03_s01_e00_v01.json"]
    assert "25 joints per frame but layout kinect-v1 has 20" in reasons["a04_s01_e00_v01.json"]
    assert "skeletons" in reasons["a05_s01_e00_v01.json"]
    assert "NaN/inf" in reasons["a06_s01_e00_v01.json"] and "frame 2" in reasons["a06_s01_e00_v01.json"]
    assert "does not match action a08" in reasons["a08_s01_e00_v01.json"]
    assert "file name" in reasons["notes.json"]
    result = CliRunner().invoke(main, ["prepare", "nw-ucla", "--raw", str(raw), "--out", str(tmp_path / "o2"), "--strict"])
    assert result.exit_code == 1 and "skipped 6 file(s)" in result.output


def test_summary_and_show_commands(ucla_prepared, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["data", "summary", str(ucla_prepared)])
    assert result.exit_code == 0, result.output
    assert "1484 sequences" in result.output and "xview_train" in result.output and "sit down" in result.output
    medians = next(line for line in result.output.splitlines() if line.startswith("median frames")).split()[2:]
    assert [int(m) for m in medians] == [34, 25, 31]  # views 1+2, view 3, all: the test view is shorter
    for suffix in ("png", "gif"):
        out = tmp_path / f"s.{suffix}"
        result = runner.invoke(main, ["data", "show", "a05_s01_e00_v01", "--dataset", str(ucla_prepared), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 5000
    result = runner.invoke(main, ["data", "show", "nope", "--dataset", str(ucla_prepared), "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "no sample 'nope'" in result.output
