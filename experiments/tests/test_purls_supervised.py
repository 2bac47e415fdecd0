"""The supervised written-text study: which runs it trains, how it pairs seeds and fuses streams."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from actlm.engine.metrics import save_scores
from experiments.tests import fresh_import

CLASSES = ["a", "b"]
LABELS = np.array([0, 0, 1, 1])


def fake_run(run: Path, curve: list[float], logits: list[list[float]]) -> None:
    """A finished run: its test top-1 per epoch and its best epoch's test logits."""
    run.mkdir(parents=True)
    (run / "metrics.json").write_text(json.dumps([{"epoch": i + 1, "test_top1": t} for i, t in enumerate(curve)]))
    (run / "eval.json").write_text(json.dumps({"top1": max(curve), "classes": CLASSES}))
    save_scores(run / "test_scores.npz", np.arange(4), LABELS, np.array(logits, dtype=np.float32), CLASSES)


@pytest.fixture()
def study(tmp_path, monkeypatch):
    module = fresh_import("purls_supervised")
    monkeypatch.setattr(module, "RESULTS", tmp_path / "results")
    (tmp_path / "results").mkdir()
    return module, replace(module.STUDIES["utd-mhad"], runs=tmp_path / "runs")


def test_each_model_is_its_config_plus_its_class_texts(study):
    module, utd = study
    purls = utd.train_command("hocslm_purls", "bone", 2, 1)
    assert purls[:3] == ["actlm", "train", "utd-mhad/hocslm_joint"]
    assert {"data.stream=bone", "train.epochs=40", "train.seed=2", "language.class_descriptions=purls"} <= set(purls)
    assert "language.class_descriptions=null" in utd.train_command("hocslm_kinematic", "joint", 1, 1)
    hglnet = utd.train_command("hglnet", "joint", 1, 1)
    assert hglnet[2] == "utd-mhad/hglnet_joint" and not any("language" in a for a in hglnet)
    # NW-UCLA's reference runs are the archived seed study's, named by model family
    nw = module.STUDIES["nw-ucla"]
    assert nw.run_dir("hocslm_kinematic", "bone", 4).name == "hocslm_bone_s4"
    assert nw.run_dir("hocslm_purls", "bone", 4) == Path("runs/slm_e20purls/hocslm_purls_bone_s4")


def test_seeds_pair_only_when_every_run_finished_and_streams_fuse(study):
    module, utd = study
    good, bad = [[2, 0], [2, 0], [0, 2], [0, 2]], [[0, 2], [2, 0], [2, 0], [0, 2]]   # 4/4 vs 2/4 right
    sure = [[6, 0], [6, 0], [0, 6], [0, 6]]
    for model in ("hocslm_purls", "hglnet"):
        fake_run(utd.run_dir(model, "joint", 1), [0.5, 0.75, 0.75], good if model == "hglnet" else bad)
        fake_run(utd.run_dir(model, "bone", 1), [0.5, 1.0, 0.5], sure)
    fake_run(utd.run_dir("hocslm_purls", "joint", 2), [0.5], good)          # seed 2: hglnet missing
    results = module.collect(utd, ["hocslm_purls", "hglnet"], ["joint", "bone"], [1, 2])
    assert list(results["hocslm_purls"]) == [1]
    assert results["hglnet"][1] == pytest.approx({"joint_best_top1": 0.75, "joint_last3_top1": 2 / 3,
                                                  "bone_best_top1": 1.0, "bone_last3_top1": 2 / 3,
                                                  "ensemble_top1": 1.0})
    # a half-wrong joint stream and a sure bone stream: the equal-weight fusion follows the surer one
    assert results["hocslm_purls"][1]["ensemble_top1"] == 1.0


def test_results_name_command_and_paired_deltas(study, monkeypatch):
    module, utd = study
    monkeypatch.setattr(sys, "argv", ["purls_supervised.py", "--dataset", "utd-mhad", "--collect"])
    results = {"hocslm_purls": {1: {"joint_best_top1": 0.90}, 2: {"joint_best_top1": 0.80}},
               "hglnet": {1: {"joint_best_top1": 0.85}, 2: {"joint_best_top1": 0.82}}}
    module.write_results(utd, ["joint"], results)
    payload = json.loads((module.RESULTS / "slm_utd_purls.json").read_text())
    delta = payload["study"]["joint_best_top1"]["purls_minus_hglnet"]
    assert delta["per_seed"] == pytest.approx([0.05, -0.02]) and delta["wins"] == 1
    text = (module.RESULTS / "slm_utd_purls.md").read_text()
    assert "--dataset utd-mhad --collect" in text and "better in 1/2" in text


def test_models_named_are_the_only_ones_trained(study, monkeypatch):
    """Two processes splitting a study by --models must not train the same run."""
    module, utd = study
    monkeypatch.setattr(module, "STUDIES", {"utd-mhad": utd})
    trained = []
    monkeypatch.setattr(module.subprocess, "run", lambda command, check: trained.append(command))
    monkeypatch.setattr(sys, "argv", ["purls_supervised.py", "--dataset", "utd-mhad", "--seeds", "1", "--models", "hglnet"])
    module.main()
    assert [c[2] for c in trained] == ["utd-mhad/hglnet_joint"]
