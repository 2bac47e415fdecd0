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
