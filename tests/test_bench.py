"""``actlm bench``: the cost report of a checkpoint or a config, on real NW-UCLA data."""
from __future__ import annotations

import json

import torch
from click.testing import CliRunner

from actlm.cli import main
from actlm.encoder import build_model
from actlm.engine import load_checkpoint, load_config, train
from actlm.cost import measure_cost

from test_training import TINY_MODEL, tiny_overrides

QUICK = ["--steps", "2", "--runs", "3", "--json"]


def bench(*args: str) -> dict:
    result = CliRunner().invoke(main, ["bench", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_bench_a_checkpoint_and_a_shorter_input(tiny_ucla, tmp_path):
    run = tmp_path / "run"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1)))
    model, _ = load_checkpoint(run)
    full = bench(str(run), *QUICK)
    assert full["input_shape"] == [1, 1, 32, 20, 3]  # the test pipeline's length and the layout's joints
    assert full["params_m"] == round(sum(p.numel() for p in model.parameters()) / 1e6, 3)
    assert full["gflops_per_sequence"] > 0 and full["latency_ms_b1"] > 0 and full["train_samples_per_s"] > 0
    short = bench(str(run), "--frames", "16", *QUICK)
    assert short["input_shape"][2] == 16
    assert 0.3 < short["gflops_per_sequence"] / full["gflops_per_sequence"] < 0.7  # cost ~linear in T


def test_bench_a_config_builds_the_model_train_would_build(tiny_ucla):
    overrides = [f"data.dataset={tiny_ucla}", *TINY_MODEL, "data.test_pipeline.1.length=32"]
    report = bench("nw-ucla/hocslm_joint", *overrides, *QUICK)
    assert report["input_shape"] == [1, 1, 32, 20, 3]
    hglnet = build_model("hglnet", num_classes=10, layout="kinect-v1", in_channels=3, num_persons=1,
                         stages=[[16, 1, 1], [32, 1, 2]], groups=4, heads=2)
    assert report["inference_params_m"] == round(sum(p.numel() for p in hglnet.parameters()) / 1e6, 3)
    assert report["params_m"] > report["inference_params_m"]  # language heads are trained, not run


def test_measuring_does_not_change_the_model():
    model = build_model("hglnet", num_classes=10, layout="kinect-v1", in_channels=3, num_persons=1,
                        stages=[[16, 1, 1], [32, 1, 2]], groups=4, heads=2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    measure_cost(model, torch.randn(1, 1, 24, 20, 3), batch_size=4, steps=2, runs=2)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_bench_bad_targets_are_explained(tmp_path):
    result = CliRunner().invoke(main, ["bench", "no/such_config"])
    assert result.exit_code == 2 and "not found" in result.output
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "config.json").write_text("{}")
    result = CliRunner().invoke(main, ["bench", str(tmp_path / "ckpt")])
    assert result.exit_code == 2 and "incomplete checkpoint" in result.output


def test_bench_refuses_counts_below_one_before_any_work():
    """--runs 0 / --steps 0 were a StatisticsError traceback after building the model; --frames 0
    was read as 'not given' and 32 frames measured instead."""
    for option in ("--runs", "--steps", "--frames", "--batch-size", "--threads"):
        result = CliRunner().invoke(main, ["bench", "nw-ucla/hglnet_joint", option, "0"])
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output, (option, result.output)
