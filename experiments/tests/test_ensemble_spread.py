"""The ensemble spread benchmark fuses every one-run-per-stream combination exactly as `actlm ensemble` does."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.engine.metrics import save_scores

from experiments.tests import fresh_import

CLASSES = ["a", "b", "c"]


@pytest.fixture()
def spread_module(tmp_path, monkeypatch):
    ensemble_spread = fresh_import("ensemble_spread")
    for module in (ensemble_spread, sys.modules["experiments.nwucla_errors"]):   # both read archived runs under RESULTS
        monkeypatch.setattr(module, "RESULTS", tmp_path)
    return ensemble_spread


def _archive_run(root: Path, name: str, seed: int) -> Path:
    """A finished run's archived scores: 30 samples stored in a shuffled order."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"s{i:02d}" for i in range(30)])
    labels = np.arange(30) % 3
    logits = rng.normal(size=(30, 3)) + 1.5 * np.eye(3)[labels]
    order = rng.permutation(30)
    run = root / "runs" / name
    run.mkdir(parents=True)
    for file in ("test_scores.npz", "test_scores_last.npz"):
        save_scores(run / file, ids[order], labels[order], logits[order], CLASSES)
    return run


def test_every_combination_matches_actlm_ensemble(spread_module, tmp_path):
    runs = {"joint": [_archive_run(tmp_path, "j_s1", 1), _archive_run(tmp_path, "j_s2", 2)],
            "bone": [_archive_run(tmp_path, "b_s1", 3)],
            "joint_motion": [_archive_run(tmp_path, "jm_s1", 4)],
            "bone_motion": [_archive_run(tmp_path, "bm_s1", 5)]}
    patterns = spread_module.parse_streams(["joint=runs/j_s*", "bone=runs/b_s*", "joint_motion=runs/jm_s*",
                                            "bone_motion=runs/bm_s*"])
    result = spread_module.spread(patterns, (0.6, 0.6, 0.4, 0.4), "best")

    assert result["n"] == 2
    for combo, joint in zip(result["combinations"], runs["joint"]):
        chosen = [joint] + [runs[s][0] for s in ("bone", "joint_motion", "bone_motion")]
        cli = CliRunner().invoke(main, ["ensemble", *map(str, chosen), "--weights", "0.6,0.6,0.4,0.4", "--json"])
        assert cli.exit_code == 0, cli.output
        assert combo["runs"][0] == joint.name
        assert combo["top1"] == pytest.approx(json.loads(cli.output)["top1"])
    tops = [c["top1"] for c in result["combinations"]]
    assert result["mean"] == pytest.approx(np.mean(tops))
    assert result["std"] == pytest.approx(np.std(tops, ddof=1))


def test_a_stream_without_runs_is_named(spread_module):
    with pytest.raises(SystemExit, match="nwucla_nothing.*not kept in git"):
        spread_module.runs_of("nwucla_nothing_runs/*", "best")
    with pytest.raises(SystemExit, match="STREAM=GLOB"):
        spread_module.parse_streams(["hand=whatever"])


def test_an_extra_member_is_fused_with_the_four_streams(spread_module, tmp_path):
    members = [_archive_run(tmp_path, name, seed) for seed, name in enumerate(("j_s1", "b_s1", "jm_s1", "bm_s1", "x_s1"))]
    patterns = spread_module.parse_streams(["joint=runs/j_s*", "bone=runs/b_s*", "joint_motion=runs/jm_s*",
                                            "bone_motion=runs/bm_s*"], ["other_joint=runs/x_s*"])
    assert list(patterns)[-1] == "other_joint"
    weights = (0.6, 0.6, 0.4, 0.4, 1.0)
    result = spread_module.spread(patterns, weights, "final")

    cli = CliRunner().invoke(main, ["ensemble", *(str(m / "test_scores_last.npz") for m in members),
                                    "--weights", ",".join(map(str, weights)), "--json"])
    assert cli.exit_code == 0, cli.output
    assert result["combinations"] == [{"runs": [m.name for m in members], "top1": pytest.approx(json.loads(cli.output)["top1"])}]
    with pytest.raises(SystemExit, match="NAME not already a member"):
        spread_module.parse_streams([], ["joint=runs/x_s*"])
