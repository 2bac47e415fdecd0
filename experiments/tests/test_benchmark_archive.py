"""The NW-UCLA benchmark script keeps finished runs across sessions: streams trained in different
checkouts meet in one results file and one ensemble (run folders die with the machine)."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from actlm.engine.metrics import save_scores

from experiments.tests import fresh_import

CLASSES = ["a", "b", "c"]


@pytest.fixture()
def bench(tmp_path, monkeypatch):
    """The benchmark module, run from an empty project folder (its paths are relative)."""
    monkeypatch.chdir(tmp_path)
    nwucla_benchmark = fresh_import("nwucla_benchmark")

    return nwucla_benchmark


def args(**kw) -> argparse.Namespace:
    base = dict(epochs=2, seed=1, parallel=1, threads=1, streams=["joint"], tag="t", model="hglnet",
                overrides=[], collect=True)
    return argparse.Namespace(**{**base, **kw})


def fake_scores(path: Path, correct: list[bool]) -> None:
    labels = np.array([0, 1, 2, 0])
    logits = np.full((4, 3), -1.0)
    for i, ok in enumerate(correct):
        logits[i, labels[i] if ok else (labels[i] + 1) % 3] = 1.0
    save_scores(path, np.arange(4), labels, logits, CLASSES)


def fake_finished_run(run: Path, correct: list[bool], top1_curve: list[float],
                      last_correct: list[bool] | None = None) -> None:
    """What `actlm train` leaves in a finished run folder (without checkpoints); the final epoch's
    scores are those of the best epoch unless ``last_correct`` is given."""
    run.mkdir(parents=True)
    top1 = float(np.mean(correct))
    fake_scores(run / "test_scores.npz", correct)
    fake_scores(run / "test_scores_last.npz", correct if last_correct is None else last_correct)
    (run / "eval.json").write_text(json.dumps({"top1": top1, "top5": 1.0, "best_epoch": 2,
                                               "per_class": dict.fromkeys(CLASSES, top1)}))
    (run / "metrics.json").write_text(json.dumps([{"test_top1": t, "epoch_time_s": 1.0, "samples_per_s": 4.0}
                                                   for t in top1_curve]))
    (run / "config.yaml").write_text("model: {}\n")


def test_streams_of_earlier_sessions_join_the_results_and_the_ensemble(bench, tmp_path):
    a = args(streams=["joint"])
    for stream in bench.STREAMS:                      # a first session finishes all four streams
        fake_finished_run(bench.run_dir(stream, 1, "t"), [True, True, False, stream != "bone"], [0.5, 0.75])
        bench.record_launch(stream, a)
    bench.collect(a, {}, None)
    assert sorted(p.name for p in (tmp_path / "experiments/results/nwucla_t_runs").iterdir()) == sorted(
        bench.run_dir(s, 1, "t").name for s in bench.STREAMS)

    shutil.rmtree(tmp_path / "runs")                   # a fresh checkout: only the archive is left
    res = bench.collect(args(streams=["joint_motion"]), {}, None)
    assert res["completed"] == list(bench.STREAMS)     # not only the stream named on the command line
    assert res["streams"]["bone"]["top1"] == 0.5 and res["streams"]["joint"]["top1"] == 0.75
    assert len(res["streams"]["joint"]["launches"]) == 1   # the launch records are archived too
    assert set(res["ensembles"]) == {"joint+bone (best)", "joint+bone (final)", "4-stream (best)", "4-stream (final)"}
    assert res["ensembles"]["4-stream (best)"]["top1"] == 0.75  # sample 3: 3 of 4 streams right, sample 2: none


def test_a_run_finished_here_is_not_overwritten_by_the_archive(bench):
    a = args()
    fake_finished_run(bench.run_dir("joint", 1, "t"), [True, True, True, True], [1.0, 1.0])
    bench.archive("joint", a)
    run = bench.run_dir("joint", 1, "t")
    (run / "eval.json").write_text(json.dumps({"top1": 0.25}))
    bench.restore("joint", a)
    assert json.loads((run / "eval.json").read_text())["top1"] == 0.25
    assert bench.finished("joint", a) and not bench.finished("bone", a)


def test_seeds_have_their_own_results_file(bench):
    assert bench.results_stem("hglnet", "t", 1) == "nwucla_t"
    assert bench.results_stem("hglnet", "t", 2) == "nwucla_t_s2"
    assert bench.results_stem("hocslm", "", 3) == "nwucla_hocslm_s3"


def test_slm_comparison_pairs_the_benchmark_runs_of_both_models_by_seed(bench, tmp_path):
    """`slm_benchmark.py --bench-tag t --slm-bench-tag variant` compares HGLNet and HocSLM runs trained
    by nwucla_benchmark.py (here only in the archive, as in a fresh checkout)."""
    slm_benchmark = fresh_import("slm_benchmark")

    for seed, (plain, slm) in enumerate([([1, 1, 0, 0], [1, 1, 1, 0]), ([1, 1, 1, 0], [1, 1, 0, 0])], start=1):
        for model, tag, correct in (("hglnet", "t", plain), ("hocslm", "variant", slm)):
            run = bench.run_dir("joint", seed, tag, model)
            fake_finished_run(run, [bool(c) for c in correct], [0.5, float(np.mean(correct))])
            (run / "text_match.json").write_text(json.dumps({"top1": 0.5}))
            bench.archive("joint", args(seed=seed, model=model, tag=tag))
            if model == "hocslm":
                shutil.copy2(run / "text_match.json", bench.archive_dir("joint", seed, tag, model))
    shutil.rmtree(tmp_path / "runs")
    slm_benchmark.BENCH_TAGS.update(hglnet="t", hocslm="variant")
    try:
        res = slm_benchmark.collect(argparse.Namespace(seeds=[1, 2], joint_only=True, ensemble_seeds=1))
    finally:
        slm_benchmark.BENCH_TAGS.clear()
    assert sorted(res["runs"]) == ["hglnet_joint_s1", "hglnet_joint_s2", "hocslm_joint_s1", "hocslm_joint_s2"]
    assert res["runs"]["hocslm_joint_s1"]["text_match_top1"] == 0.5
    assert res["joint_seed_study"]["delta"]["per_seed"] == [0.25, -0.25]
    assert res["joint_seed_study"]["delta"]["wins"] == 1


def test_slm_comparison_fuses_four_streams_of_both_models_at_best_and_final_epochs(bench, tmp_path):
    slm_benchmark = fresh_import("slm_benchmark")

    for model, best, last in (("hglnet", [1, 1, 0, 0], [1, 0, 0, 0]), ("hocslm", [1, 1, 1, 0], [1, 1, 0, 0])):
        for stream in bench.STREAMS:
            run = bench.run_dir(stream, 1, "t", model)
            fake_finished_run(run, [bool(c) for c in best], [0.5, 0.5], [bool(c) for c in last])
            bench.archive(stream, args(model=model, streams=[stream]))
    shutil.rmtree(tmp_path / "runs")                   # a fresh checkout: the final scores come from the archive
    slm_benchmark.BENCH_TAGS.update(hglnet="t", hocslm="t")
    try:
        res = slm_benchmark.collect(argparse.Namespace(seeds=[1], joint_only=False, ensemble_seeds=1))
    finally:
        slm_benchmark.BENCH_TAGS.clear()
    assert res["ensemble_4stream"] == {"hglnet": 0.5, "hocslm": 0.75}
    assert res["ensemble_4stream_final"] == {"hglnet": 0.25, "hocslm": 0.5}


def test_slm_ensemble_seed_study_pairs_the_four_stream_fusions_of_each_seed(bench, tmp_path):
    """--ensemble-seeds 2: all four streams of seeds 1 and 2 trained; the third seed's joint stream alone
    is in the joint study but not in the ensemble study, and an unfinished seed is left out of the delta."""
    slm_benchmark = fresh_import("slm_benchmark")

    slm_benchmark.TAG = "_t"                                  # as with --tag t
    fused = {1: ([1, 1, 0, 0], [1, 1, 1, 0]), 2: ([1, 1, 1, 0], [1, 1, 0, 0]), 3: ([1, 0, 0, 0], [1, 1, 0, 0])}
    try:
        for seed, (plain, slm) in fused.items():
            for model, correct in (("hglnet", plain), ("hocslm", slm)):
                for stream in slm_benchmark.STREAMS if seed < 3 else ("joint",):
                    run = slm_benchmark.run_dir(model, stream, seed)
                    fake_finished_run(run, [bool(c) for c in correct], [0.5, float(np.mean(correct))])
                    (run / "text_match.json").write_text(json.dumps({"top1": 0.5}))
        a = argparse.Namespace(seeds=[1, 2, 3], joint_only=False, ensemble_seeds=2)
        assert [j for j in slm_benchmark.planned(a) if j[1] == "bone"] == [
            ("hglnet", "bone", 1), ("hocslm", "bone", 1), ("hglnet", "bone", 2), ("hocslm", "bone", 2)]
        res = slm_benchmark.collect(a)
        assert res["ensemble_4stream_per_seed"] == {"1": {"hglnet": 0.5, "hocslm": 0.75},
                                                   "2": {"hglnet": 0.75, "hocslm": 0.5}}
        study = res["ensemble_seed_study"]
        assert study["delta"]["per_seed"] == [0.25, -0.25] and study["delta"]["wins"] == 1
        assert study["hglnet"]["n"] == 2 and study["hocslm"]["mean"] == pytest.approx(0.625)
        assert res["joint_seed_study"]["delta"]["per_seed"] == [0.25, -0.25, 0.25]
        shutil.rmtree(slm_benchmark.run_dir("hocslm", "bone_motion", 2))      # seed 2 not finished
        shutil.rmtree(slm_benchmark.archive_dir("hocslm", "bone_motion", 2))
        res = slm_benchmark.collect(a)
        assert res["ensemble_4stream_per_seed"]["2"]["hocslm"] is None
        assert res["ensemble_seed_study"]["delta"]["seeds"] == [1]
    finally:
        slm_benchmark.TAG = ""


def test_hand_written_sections_survive_a_rewrite(tmp_path, monkeypatch):
    from experiments import run_archive

    path = tmp_path / "r.md"
    assert run_archive.handwritten_notes(path) == ""
    path.write_text("# Results\n\n## Seed study\n\ngenerated\n\n## Reading (written by hand, today)\n\nmine\n")
    assert run_archive.handwritten_notes(path) == "\n## Reading (written by hand, today)\n\nmine\n"


def test_an_ema_run_reports_its_raw_weights_as_the_paired_baseline(bench):
    curve = [{"test_top1": 0.5, "test_top1_raw": 0.4}, {"test_top1": 0.7, "test_top1_raw": 0.8},
             {"test_top1": 0.9, "test_top1_raw": 0.6}]
    assert bench.raw_weights(curve) == {"raw": {"top1": 0.8, "best_epoch": 2, "final_top1": 0.6,
                                                "curve_top1": [0.4, 0.8, 0.6]}}
    assert bench.raw_weights([{"test_top1": 0.5}]) == {}


def test_collecting_in_a_fresh_clone_names_the_missing_archive_and_keeps_the_results(bench, tmp_path, monkeypatch):
    results = tmp_path / "experiments/results"
    results.mkdir(parents=True)
    (results / "nwucla_t.md").write_text("the committed table\n")
    monkeypatch.setattr(sys, "argv", ["nwucla_benchmark", "--collect", "--tag", "t"])
    with pytest.raises(SystemExit, match="nwucla_t_runs.*not kept in git"):
        bench.main()
    assert (results / "nwucla_t.md").read_text() == "the committed table\n"
    assert not (results / "nwucla_t.json").exists()
