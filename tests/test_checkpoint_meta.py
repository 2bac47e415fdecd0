"""Checkpoint metadata is a typed object that reads and writes the on-disk config.json unchanged."""
from __future__ import annotations

import json

import pytest

from actlm.engine.checkpoint import CheckpointError, CheckpointMeta, ModelSpec, read_meta
from actlm.pipeline import default_checkpoint


def test_the_shipped_checkpoint_reads_into_fields_and_writes_back_the_same_json():
    raw = json.loads((default_checkpoint() / "config.json").read_text())
    meta = read_meta(default_checkpoint())
    assert meta.model.name == raw["model"]["name"] and meta.model.args == raw["model"]["args"]
    assert (meta.classes, meta.layout, meta.test_pipeline) == (raw["classes"], raw["layout"], raw["test_pipeline"])
    assert meta.data_config == raw["experiment"]["data"] and meta.path == default_checkpoint()
    assert meta.to_json() == raw
    assert meta["layout"] == raw["layout"] and meta["_path"] == str(default_checkpoint())   # the dict view


def test_keys_of_other_writers_are_kept_and_a_missing_field_is_named(tmp_path):
    meta = CheckpointMeta(ModelSpec("hglnet", {"num_classes": 3}), ["a", "b", "c"], "kinect-v1",
                          extra={"tokenizer": {"size": 64}})
    raw = meta.to_json()
    assert CheckpointMeta.from_json(raw) == meta and raw["tokenizer"] == {"size": 64}
    assert CheckpointMeta.from_json(raw).data_config == {}

    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "config.json").write_text(json.dumps({k: v for k, v in raw.items() if k != "layout"}))
    with pytest.raises(CheckpointError, match="does not describe a model.*layout"):
        read_meta(tmp_path)
