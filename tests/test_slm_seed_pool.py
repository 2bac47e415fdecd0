"""Pooling the HocSLM seed studies: pairs come from the studies' results files, the tests are exact."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture()
def pool(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("slm_seed_pool", None)
    import slm_seed_pool

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
