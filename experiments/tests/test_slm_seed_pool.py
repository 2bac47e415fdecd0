"""Pooling the HocSLM seed studies: pairs come from the studies' results files, the tests are exact."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from experiments.tests import fresh_import



@pytest.fixture()
def pool(tmp_path, monkeypatch):
    slm_seed_pool = fresh_import("slm_seed_pool")

    monkeypatch.setattr(slm_seed_pool, "RESULTS", tmp_path)
    return slm_seed_pool


def study(path: Path, commit: str, seeds: dict[int, tuple[float | None, float | None]]) -> None:
    runs = {}
    for seed, (h, s) in seeds.items():
        for model, top1 in (("hglnet", h), ("hocslm", s)):
            if top1 is not None:
                runs[f"{model}_joint_s{seed}"] = {"best_top1": top1, "last3_top1": top1 - 0.01}
    path.write_text(json.dumps({"commit": commit, "seeds": list(seeds), "runs": runs}))


def test_pairs_need_both_models_and_keep_their_study(pool, tmp_path):
    study(tmp_path / "slm_a.json", "c1", {1: (0.80, 0.83), 2: (0.85, None)})
    study(tmp_path / "slm_b.json", "c2", {1: (0.84, 0.82), 4: (0.81, 0.86)})
    pairs = pool.load_pairs(["a", "b"])
    assert [(p["study"], p["commit"], p["seed"]) for p in pairs] == [("a", "c1", 1), ("b", "c2", 1), ("b", "c2", 4)]
    s = pool.summarise(pairs, "best_top1")
    assert s["n"] == 3 and s["wins"] == 2
    assert s["delta_mean"] == pytest.approx((0.03 - 0.02 + 0.05) / 3)
    # sign flips of (+3, -2, +5), sums 10 0 6 -4 4 -6 0 -10: |sum| >= 6 in 4 of the 8 patterns
    assert s["p_sign_flip"] == pytest.approx(4 / 8)


def test_exact_tests_against_hand_computed_values(pool):
    assert pool.sign_test_p(9, 9) == pytest.approx(2 / 512)
    assert pool.sign_test_p(6, 9) == pytest.approx(2 * (1 + 9 + 36 + 84) / 512)
    assert pool.sign_flip_p([1.0, 1.0, 1.0, 1.0]) == pytest.approx(2 / 16)
    assert pool.sign_flip_p([1.0, -1.0]) == 1.0


def test_a_missing_study_names_the_file(pool):
    with pytest.raises(SystemExit, match="slm_nope.json"):
        pool.load_pairs(["nope"])


def test_written_results_keep_hand_notes(pool, tmp_path, monkeypatch):
    study(tmp_path / "slm_a.json", "c1", {1: (0.80, 0.83), 2: (0.85, 0.84)})
    (tmp_path / "slm_pooled_x.md").write_text("old\n\n## Reading (written by hand, today)\n\nkeep me\n")
    monkeypatch.setattr(sys, "argv", ["slm_seed_pool.py", "a", "--name", "x"])
    pool.main()
    text = (tmp_path / "slm_pooled_x.md").read_text()
    assert "| a | c1 | 2 | 85.00 | 84.00 | -1.00 |" in text and text.rstrip().endswith("keep me")
    assert json.loads((tmp_path / "slm_pooled_x.json").read_text())["summary"]["best_top1"]["n"] == 2


def test_other_streams_and_the_ensembles_pair_by_seed(pool, tmp_path):
    """--stream bone pairs the bone runs; --stream ensemble the 4-stream fusions, per seed in new results
    files and the first seed's only in files written before --ensemble-seeds existed."""
    runs = {f"{m}_bone_s{seed}": {"best_top1": top1, "last3_top1": top1}
            for seed, pair in ((4, (0.89, 0.88)), (5, (0.87, 0.90))) for m, top1 in zip(("hglnet", "hocslm"), pair)}
    (tmp_path / "slm_new.json").write_text(json.dumps({
        "commit": "c2", "seeds": [4, 5, 6], "runs": runs,
        "ensemble_4stream": {"hglnet": 0.91, "hocslm": 0.90},
        "ensemble_4stream_per_seed": {"4": {"hglnet": 0.91, "hocslm": 0.90}, "5": {"hglnet": 0.92, "hocslm": 0.94},
                                      "6": {"hglnet": 0.93, "hocslm": None}}}))
    (tmp_path / "slm_old.json").write_text(json.dumps({
        "commit": "c1", "seeds": [1, 2], "runs": {}, "ensemble_4stream": {"hglnet": 0.914, "hocslm": 0.916}}))
    bone = pool.load_pairs(["new"], "bone")
    assert [(p["seed"], p["hglnet_best_top1"], p["hocslm_last3_top1"]) for p in bone] == [(4, 0.89, 0.88), (5, 0.87, 0.90)]
    ens = pool.load_pairs(["old", "new"], "ensemble")
    assert [(p["study"], p["seed"]) for p in ens] == [("old", 1), ("new", 4), ("new", 5)]
    assert set(ens[0]) == {"study", "commit", "seed", "hglnet_best_top1", "hocslm_best_top1"}
    s = pool.summarise(ens, "best_top1")
    assert s["n"] == 3 and s["wins"] == 2 and s["delta_mean"] == pytest.approx((0.002 - 0.01 + 0.02) / 3)
    assert pool.load_pairs(["new"], "joint_motion") == []


def test_ensemble_results_have_one_metric(pool, tmp_path, monkeypatch):
    (tmp_path / "slm_a.json").write_text(json.dumps({
        "commit": "c1", "seeds": [1, 2], "runs": {},
        "ensemble_4stream_per_seed": {"1": {"hglnet": 0.91, "hocslm": 0.90}, "2": {"hglnet": 0.92, "hocslm": 0.94}}}))
    monkeypatch.setattr(sys, "argv", ["slm_seed_pool.py", "a", "--stream", "ensemble", "--name", "ens"])
    pool.main()
    text = (tmp_path / "slm_pooled_ens.md").read_text()
    assert text.startswith("# HocSLM vs HGLNet, 4-stream ensemble: 2 paired runs")
    assert "| a | c1 | 2 | 92.00 | 94.00 | +2.00 |\n" in text and "last 3" not in text
    assert json.loads((tmp_path / "slm_pooled_ens.json").read_text())["stream"] == "ensemble"
