"""A stream is a config key: the per-stream configs are a few lines on one base and give exactly
the pipelines their full copies used to spell out."""
from __future__ import annotations

import pytest

from actlm.engine import ConfigError, load_config
from actlm.engine.config import validate

STREAMS = ("joint", "bone", "joint_motion", "bone_motion")


def written_out_pipelines(stream: str) -> tuple[list[dict], list[dict]]:
    """The train and test pipelines as nw-ucla/hglnet_<stream>.yaml wrote them in full before data.stream."""
    train = [{"type": "SpineAlign"}, {"type": "RandomRotate", "degrees": [30, 60, 15]},
             {"type": "RandomScale", "amount": 0.2}, {"type": "ValidCropResize", "length": 32, "ratio": [0.8, 1.0]},
             {"type": "Stream", "kind": stream}]
    test = [{"type": "SpineAlign"}, {"type": "ValidCropResize", "length": 32, "ratio": 1.0},
            {"type": "Stream", "kind": stream}]
    return train, test


@pytest.mark.parametrize("family", ["hglnet", "hocslm"])
@pytest.mark.parametrize("stream", STREAMS)
def test_each_stream_config_name_gives_the_pipelines_it_wrote_out_before(family, stream):
    cfg = load_config(f"nw-ucla/{family}_{stream}")
    assert (cfg.data.train_pipeline, cfg.data.test_pipeline) == written_out_pipelines(stream)
    assert cfg.name == f"nw-ucla_{family}_{stream}" and cfg.data.stream == stream
    assert cfg.train.epochs == 160 and cfg.model.name == family


@pytest.mark.parametrize("stream", STREAMS)
def test_a_stream_override_on_the_base_equals_the_stream_config(stream):
    for family in ("hglnet", "hocslm"):
        by_key = load_config(f"nw-ucla/{family}_joint", [f"data.stream={stream}"]).model_dump()
        by_name = load_config(f"nw-ucla/{family}_{stream}").model_dump()
        assert {**by_key, "name": None} == {**by_name, "name": None}


def test_a_pipeline_without_a_stream_step_gets_one_and_none_leaves_it_as_written():
    pipeline = [{"type": "SpineAlign"}]
    cfg = validate({"data": {"stream": "bone_motion", "train_pipeline": pipeline, "test_pipeline": pipeline}})
    assert cfg.data.test_pipeline == [{"type": "SpineAlign"}, {"type": "Stream", "kind": "bone_motion"}]
    assert validate({"data": {"train_pipeline": pipeline}}).data.train_pipeline == pipeline


def test_a_step_naming_another_stream_is_refused_not_overruled():
    with pytest.raises(ConfigError, match="data.stream is 'bone' but the Stream step of data.test_pipeline says kind: joint"):
        validate({"data": {"stream": "bone", "test_pipeline": [{"type": "Stream", "kind": "joint"}]}})
    with pytest.raises(ConfigError, match="data.stream"):
        load_config("nw-ucla/hglnet_joint", ["data.stream=hand"])


@pytest.mark.parametrize("config", ["ntu60/hglnet_xsub_joint", "ntu60/hglnet_xview_joint", "ntu120/hglnet_xsub_joint",
                                    "ntu120/hglnet_xset_joint"])
def test_the_ntu_configs_take_the_stream_key_too(config):
    joint, bone = load_config(config), load_config(config, ["data.stream=bone"])
    assert joint.data.train_pipeline[-1] == {"type": "Stream", "kind": "joint"}   # as the file wrote it before
    assert bone.data.train_pipeline[:-1] == joint.data.train_pipeline[:-1]
    assert bone.data.test_pipeline[-1] == {"type": "Stream", "kind": "bone"}
