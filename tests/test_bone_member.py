"""A bone-stream member that reads joints (HGLNet/HocSLM ``stream="bone"``, save_ensemble's reading_joints):
the general model's ensemble takes one input, the joints, whatever stream each member was trained on."""
from __future__ import annotations

import pytest
import torch

from actlm.data.errors import ConfigError
from actlm.encoder import build_model
from actlm.engine.checkpoint import CheckpointError, CheckpointMeta, ModelSpec, load_checkpoint, save_checkpoint, save_ensemble

ARGS = {"num_classes": 4, "layout": "body-13", "in_channels": 2, "num_persons": 1, "stages": [[16, 1, 1]],
        "embed_dim": 32}
CLASSES = ["walk", "sit down", "wave", "clap"]
GENERAL_TEST = [{"type": "Project2D"}, {"type": "SpineAlign"}, {"type": "ValidCropResize", "length": 32, "ratio": 1.0}]


def _pipeline(stream: str) -> list[dict]:
    return [{"type": "ValidCropResize", "length": 16}, {"type": "Stream", "kind": stream}]


def _trained_on(path, stream: str, seed: int) -> torch.nn.Module:
    """A toy checkpoint whose test pipeline gives ``stream`` (as a run with data.stream=STREAM saves)."""
    torch.manual_seed(seed)
    model = build_model("hocslm", **ARGS).eval()
    meta = CheckpointMeta(ModelSpec("hocslm", dict(ARGS)), CLASSES, "body-13", "toy", _pipeline(stream), 9, {},
                          {"train": {"seed": seed}, "data": {"stream": stream}})
    save_checkpoint(path, model, meta)
    return model


def test_bone_member_reads_the_bones_the_stream_transform_gives_on_real_data(shared_data):
    """On real general-test sequences (the shipped model's test pipeline), the model's own bone input is
    exactly the data layer's Stream(kind="bone") output of the same sequence."""
    from actlm.data import load
    from actlm.data.loader import SkeletonDataset

    test = load("general", split="test")
    model = build_model("hocslm", **{**ARGS, "stream": "bone"}).eval()
    joints = SkeletonDataset(test, GENERAL_TEST + [{"type": "Stream", "kind": "joint"}])
    bones = SkeletonDataset(test, GENERAL_TEST + [{"type": "Stream", "kind": "bone"}])
    for i in (0, len(test) // 2, len(test) - 1):          # three sources of the merged split
        x, label, _ = joints[i]
        b, label_b, _ = bones[i]
        assert label == label_b and x.abs().sum() > 0
        seen = model.encoder.input_stream(x[None])[0]
        assert torch.equal(seen, b)
        assert not torch.equal(seen, x)                   # bones, not the joints
        assert torch.count_nonzero(seen[..., 0, :]) == 0  # the root (pelvis) is its own parent


def test_bone_run_joins_a_joint_ensemble_and_round_trips(tmp_path):
    """A run trained on the bone stream joins joint-stream members: the saved ensemble takes joints, its
    bone member answers on those joints what the run answered on bones, and it survives save/load."""
    joint_model = _trained_on(tmp_path / "joint", "joint", 1)
    bone_model = _trained_on(tmp_path / "bone", "bone", 2)
    ensemble, meta = load_checkpoint(save_ensemble([tmp_path / "joint", tmp_path / "bone"], tmp_path / "ens"))
    assert meta.test_pipeline == _pipeline("joint")
    assert [m["args"].get("stream") for m in meta.model.args["members"]] == [None, "bone"]
    assert [o["stream"] for o in meta.extra["ensemble_of"]] == ["joint", "bone"]
    x = torch.randn(3, 1, 16, 13, 2)
    from actlm.data.layouts import get_layout
    from actlm.data.transforms import bones_of
    with torch.no_grad():
        bones = bones_of(x, get_layout("body-13"))
        assert torch.allclose(ensemble.members[1](x), bone_model(bones), atol=1e-6)
        mean = (joint_model(x).softmax(1) + bone_model(bones).softmax(1)) / 2
        assert torch.allclose(ensemble(x).softmax(1), mean, atol=1e-6)
        assert not torch.allclose(ensemble.members[1](x), bone_model(x), atol=1e-3)   # it does read bones

    # an ensemble checkpoint given as a member contributes its members (the shipped model + a new stream)
    third = _trained_on(tmp_path / "bone2", "bone", 3)
    bigger, meta3 = load_checkpoint(save_ensemble([tmp_path / "ens", tmp_path / "bone2"], tmp_path / "ens3"))
    assert len(bigger.members) == 3 and [o["stream"] for o in meta3.extra["ensemble_of"]] == ["joint", "bone", "bone"]
    with torch.no_grad():
        for got, want in zip(bigger.members, [*ensemble.members, None]):
            if want is not None:
                assert torch.equal(got(x), want(x))
        assert torch.allclose(bigger.members[2](x), third(bones_of(x, get_layout("body-13"))), atol=1e-6)


def test_streams_a_model_cannot_compute_are_refused(tmp_path):
    _trained_on(tmp_path / "joint", "joint", 1)
    _trained_on(tmp_path / "motion", "joint_motion", 2)
    with pytest.raises(CheckpointError, match="joint_motion-stream model cannot be made to read joints"):
        save_ensemble([tmp_path / "joint", tmp_path / "motion"], tmp_path / "ens")
    with pytest.raises(ConfigError, match="cannot be computed inside the model"):
        build_model("hocslm", **{**ARGS, "stream": "bone_motion"})


def test_the_shipped_general_model_with_its_bone_member_exports_to_onnx(shared_data, tmp_path):
    """The bone member once indexed its input with a numpy array, which the ONNX exporter cannot trace
    (aten::lift_fresh): `actlm export` failed on the default model. The export now runs and answers as
    torch does on real general-test sequences."""
    from pathlib import Path

    import numpy as np

    import actlm
    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.export import compare_onnx, export_onnx

    shipped = Path(actlm.__file__).parent / "checkpoints" / "general-2d"
    _, meta = load_checkpoint(shipped)
    out = export_onnx(shipped, tmp_path / "general.onnx")
    test = load("general", split="test")
    data = SkeletonDataset(test, meta["test_pipeline"])
    x = np.stack([data[i][0].numpy() for i in np.linspace(0, len(test) - 1, 6).astype(int)])
    report = compare_onnx(shipped, out, x, runs=1)
    assert report["max_abs_diff"] < 1e-4 and report["same_argmax"] == 1.0
