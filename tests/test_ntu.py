"""NTU RGB+D raw .skeleton parsing, denoising, splits and bad files, on the six real sample files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import DataError, SkeletonSet, prepare
from actlm.data.ntu import (benchmark_splits, class_names, missing_skeletons, parse_skeleton_file,
                            read_sample)

FRAMES = {"S001C001P001R001A001": 103, "S001C001P001R001A011": 82, "S001C003P008R002A058": 70,
          "S002C001P003R001A003": 100, "S003C001P015R001A034": 71, "S004C002P003R001A017": 124}


@pytest.fixture(scope="module")
def ntu_dir(shared_data) -> Path:
    path = shared_data / "ntu-samples"
    if not path.is_dir():
        pytest.skip("ntu-samples not available")
    return path


def test_parser_reads_all_twelve_values(ntu_dir):
    rec = parse_skeleton_file(ntu_dir / "S001C003P008R002A058.skeleton")
    assert rec.num_frames == 70 and len(rec.bodies) == 2
    body = next(iter(rec.bodies.values()))
    values = body.values()
    assert values.shape == (70, 25, 12)
    np.testing.assert_allclose(values[0, 0], [0.7201789, 0.1647426, 3.561895, 336.5812, 192.8021, 1184.537,
                                              489.4118, -0.2218947, 0.03421978, 0.968875, -0.1042736, 2], rtol=1e-6)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_real_samples(ntu_dir, name):
    sample = read_sample(ntu_dir / f"{name}.skeleton")
    assert sample.data.shape == (2, FRAMES[name], 25, 3)
    two_people = name.endswith("A058")
    assert sample.meta["bodies_kept"] == (2 if two_people else 1)
    assert bool(sample.data[1].any()) == two_people
    assert sample.label == int(name[-3:]) - 1
    assert {k: sample.meta[k] for k in ("setup", "camera", "subject", "replication", "action")} == {
        "setup": int(name[1:4]), "camera": int(name[5:8]), "subject": int(name[9:12]),
        "replication": int(name[13:16]), "action": int(name[17:20])}


def test_optional_2d_channels(ntu_dir):
    sample = read_sample(ntu_dir / "S001C001P001R001A001.skeleton", channels=("xyz", "color", "depth"))
    assert sample.data.shape[-1] == 7
    assert 0 < sample.data[0, 0, 0, 3] < 1920 and 0 < sample.data[0, 0, 0, 5] < 512


def test_class_names_splits_and_missing_lists():
    assert len(class_names(60)) == 60 and class_names(60)[57] == "handshaking" and len(class_names()) == 120
    assert len(missing_skeletons("ntu60")) == 302 and len(missing_skeletons("ntu120")) == 535
    assert missing_skeletons("ntu60") <= missing_skeletons("ntu120")
    assert benchmark_splits({"subject": 1, "camera": 1, "setup": 3}, "ntu60") == ["xsub_train", "xview_test"]
    assert benchmark_splits({"subject": 3, "camera": 2, "setup": 3}, "ntu60") == ["xsub_test", "xview_train"]
    assert benchmark_splits({"subject": 103, "camera": 1, "setup": 18}, "ntu120") == ["xsub_train", "xset_train"]


def _write_bad_files(folder: Path, good: Path) -> dict[str, str]:
    lines = good.read_text().splitlines()
    bad = {
        "S001C001P001R001A002": "\n".join(lines[:40]),                                   # truncated
        "S001C001P001R001A004": "\n".join(lines[:5] + [" ".join(["abc"] + lines[5].split()[1:])] + lines[6:]),
        "S001C001P001R001A005": "0\n",
        "S001C001P001R001A006": "\n".join(lines[:3] + ["20"] + lines[4:]),                # joint count
        "S001C001P001R001A007": "\n".join(lines[:6] + [" ".join(["nan"] + lines[6].split()[1:])] + lines[7:]),
        "S001C001P001R001A009": "",
        "S001C002P005R002A008": "\n".join(lines),                                          # on the official list
        "not_an_ntu_name": "\n".join(lines),
    }
    for name, text in bad.items():
        (folder / f"{name}.skeleton").write_text(text + "\n")
    (folder / "S001C001P001R001A070.skeleton").write_text("\n".join(lines) + "\n")     # an NTU120 action
    return bad


def test_prepare_folder_skips_bad_files_with_file_and_line(ntu_dir, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in ntu_dir.glob("*.skeleton"):
        (raw / f.name).symlink_to(f)
    _write_bad_files(raw, ntu_dir / "S001C001P001R001A001.skeleton")
    report = prepare("ntu60", raw=raw, out=tmp_path / "ntu60")
    reasons = {Path(s.path).stem: s.reason for s in report.skipped}
    assert report.written == 6
    assert "file ends early" in reasons["S001C001P001R001A002"] and "line 41" in reasons["S001C001P001R001A002"]
    assert "non-numeric" in reasons["S001C001P001R001A004"] and "line 6" in reasons["S001C001P001R001A004"]
    assert "0 frames" in reasons["S001C001P001R001A005"]
    assert "20 joints per body" in reasons["S001C001P001R001A006"] and "line 4" in reasons["S001C001P001R001A006"]
    assert "NaN/inf" in reasons["S001C001P001R001A007"] and "line 7" in reasons["S001C001P001R001A007"]
    assert "line 1: expected the number of frames" in reasons["S001C001P001R001A009"]
    assert "missing skeleton" in reasons["S001C002P005R002A008"]
    assert "file name" in reasons["not_an_ntu_name"]
    assert "S001C001P001R001A070" not in reasons and any("beyond A060" in n for n in report.notes)
    ds = SkeletonSet(tmp_path / "ntu60")
    assert ds[ds.find("S001C003P008R002A058")].data.shape == (2, 70, 25, 3)
    assert sorted(ds.split("xsub_train").sample_ids + ds.split("xsub_test").sample_ids) == sorted(FRAMES)
    assert sorted(ds.split("xview_train").sample_ids) == ["S001C003P008R002A058", "S004C002P003R001A017"]
    assert ds.num_classes == 60


def test_prepare_cli_and_strict_mode(ntu_dir, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in ntu_dir.glob("*.skeleton"):
        (raw / f.name).symlink_to(f)
    runner = CliRunner()
    ok = runner.invoke(main, ["prepare", "ntu120", "--raw", str(raw), "--out", str(tmp_path / "a"), "--strict"])
    assert ok.exit_code == 0 and "wrote 6 sequences" in ok.output
    assert set(SkeletonSet(tmp_path / "a").splits) == {"xsub_train", "xsub_test", "xset_train", "xset_test"}
    (raw / "S001C001P001R001A002.skeleton").write_text("3\n1\n")
    lenient = runner.invoke(main, ["prepare", "ntu60", "--raw", str(raw), "--out", str(tmp_path / "b")])
    assert lenient.exit_code == 0 and "skipped 1 file(s)" in lenient.output
    strict = runner.invoke(main, ["prepare", "ntu60", "--raw", str(raw), "--out", str(tmp_path / "c"), "--strict"])
    assert strict.exit_code == 1 and "S001C001P001R001A002.skeleton: line 3" in strict.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["prepare", "ntu60", "--raw", str(empty)])
    assert result.exit_code == 2 and "no .skeleton files" in result.output and "Traceback" not in result.output


def test_single_file_errors_name_file_and_line(tmp_path):
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_bytes(b"1\n1\n\xff\xfe garbage\n")
    with pytest.raises(DataError, match=r"S001C001P001R001A001.skeleton:3: .*body header|non-ASCII"):
        parse_skeleton_file(path)


def test_concurrent_first_loads_prepare_once(ntu_dir, tmp_path, isolated_cache):
    """Several runs started at once on an unprepared dataset (a 4-stream benchmark) all get it:
    one prepares under a lock, the others wait and read the finished folder."""
    raw = tmp_path / "data" / "ntu60" / "nturgb+d_skeletons"
    raw.mkdir(parents=True)
    for f in ntu_dir.glob("*.skeleton"):
        (raw / f.name).symlink_to(f)
    env = {**os.environ, "ACTLM_DATA": str(tmp_path / "data"), "ACTLM_CACHE": str(isolated_cache)}
    code = "from actlm.data import load; print(len(load('ntu60', split='train')) + len(load('ntu60', split='test')))"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-500:] for _, err in results]
    assert [out.strip() for out, _ in results] == ["6", "6", "6"]
    leftovers = [p.name for p in (isolated_cache / "datasets").iterdir() if "partial" in p.name]
    assert leftovers == []
