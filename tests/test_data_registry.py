"""Datasets register themselves (actlm.data.catalog): names, aliases and errors as before."""
from __future__ import annotations

import pytest

from actlm.data import DatasetNotFound, get_spec
from actlm.data.catalog import DATASETS, register_dataset


def test_every_dataset_is_found_by_name_and_alias_with_its_own_preparer():
    expected = {"nw-ucla": ("nwucla", "ucla"), "ntu60": ("ntu", "ntu-60"), "ntu120": ("ntu-120",),
                "custom": (), "videos": (), "utd-mhad": ("utdmhad", "utd"),
                "penn-action": ("penn", "pennaction"), "sbu": ("sbu-kinect", "sbu-interaction")}
    for name, aliases in expected.items():
        for key in (name, name.upper(), *aliases):
            spec = get_spec(key)
            assert spec.name == name and callable(spec.prepare) and "{where}" in spec.how_to_get
    assert get_spec("videos").prepare.__module__ == "actlm.pose.prepare"
    assert get_spec("nw-ucla").prepare.__module__ == "actlm.data.nwucla"
    assert get_spec("custom").user_named and get_spec("videos").user_named and not get_spec("ntu60").user_named


def test_unknown_names_and_taken_names_are_errors():
    with pytest.raises(DatasetNotFound, match="unknown dataset 'kinetics'; known: nw-ucla, ntu60, ntu120"):
        get_spec("kinetics")
    with pytest.raises(ValueError, match="taken by another dataset"):
        register_dataset("my-ucla", "x", "{where}", aliases=("ucla",))(lambda raw, out: None)
    assert "my-ucla" not in DATASETS


# --- a prepared copy made by an older importer is not reused silently -------------------------
def test_a_copy_from_an_older_importer_is_prepared_again_on_load_by_name(shared_data, monkeypatch, capsys):
    import dataclasses
    import json

    from actlm.data import load
    from actlm.data.registry import prepared_path

    first = load("sbu")
    info_path = prepared_path("sbu") / "dataset.json"
    assert json.loads(info_path.read_text())["importers"] == {"sbu": 1}
    frames_before = (prepared_path("sbu") / "frames.npy").stat().st_mtime_ns

    load("sbu")   # current: reused as it is
    assert (prepared_path("sbu") / "frames.npy").stat().st_mtime_ns == frames_before
    assert "older importer" not in capsys.readouterr().err

    monkeypatch.setitem(DATASETS, "sbu", dataclasses.replace(DATASETS["sbu"], version=2))
    again = load("sbu")
    assert "prepared by an older importer (sbu v1 -> v2); preparing it again" in capsys.readouterr().err
    assert json.loads(info_path.read_text())["importers"] == {"sbu": 2}
    assert len(again) == len(first) == 282


def test_a_derived_dataset_is_stale_when_a_source_importer_changed_and_a_path_load_warns(
        shared_data, monkeypatch, tmp_path, capsys):
    import dataclasses
    import json

    from actlm.data import load, prepare
    from actlm.data.catalog import importer_versions
    from actlm.data.registry import stale_importers

    assert importer_versions("general")["penn-action"] == DATASETS["penn-action"].version
    assert set(importer_versions("general")) == {"general", "nw-ucla", "utd-mhad", "penn-action", "sbu", "msrc-12"}
    current = {"name": "general", "importers": importer_versions("general")}
    assert stale_importers(current) == []
    monkeypatch.setitem(DATASETS, "penn-action", dataclasses.replace(DATASETS["penn-action"], version=99))
    assert stale_importers(current) == [f"penn-action v{current['importers']['penn-action']} -> v99"]
    assert stale_importers({"name": "my-own-set"}) == []   # not a built-in: nothing to compare with

    out = tmp_path / "sbu-copy"
    prepare("sbu", out=out)
    info = json.loads((out / "dataset.json").read_text())
    info["importers"] = {"sbu": 0}
    (out / "dataset.json").write_text(json.dumps(info))
    capsys.readouterr()
    assert len(load(str(out))) == 282   # an explicit path is the user's: opened, with a warning
    err = capsys.readouterr().err
    assert f"{out} was prepared by an older importer (sbu v0 -> v1)" in err and f"--out {out}" in err


def test_a_raw_folder_given_as_a_dataset_says_it_is_not_prepared(shared_data, tmp_path):
    """Reliability audit: a folder of raw NW-UCLA files given where a prepared dataset is expected was
    'unknown dataset', as if the path did not exist; now it says what the folder lacks and what to run."""
    import shutil

    from actlm.data import load

    raw = tmp_path / "my_raw"
    raw.mkdir()
    shutil.copy(next((shared_data / "nw-ucla" / "all_sqe").glob("*.json")), raw)
    with pytest.raises(DatasetNotFound, match=r"my_raw: a folder, but not a prepared dataset \(it has no "
                                              r"dataset.json\): prepare its raw files first"):
        load(str(raw))
    with pytest.raises(DatasetNotFound, match="unknown dataset"):
        load(str(tmp_path / "missing"))


def test_data_show_makes_the_folder_of_out(tiny_ucla, tmp_path):
    """`data show --out new/x.png` was 'error: [Errno 2] No such file or directory' after loading the data."""
    from click.testing import CliRunner

    from actlm.cli import main

    out = tmp_path / "new" / "deeper" / "x.png"
    result = CliRunner().invoke(main, ["data", "show", "2", "--dataset", str(tiny_ucla), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
