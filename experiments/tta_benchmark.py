"""Test-time augmentation (PySKL's multi-clip testing) on trained runs: does averaging the
probabilities of several augmented copies of each test sequence raise cross-view accuracy?

    python -m experiments.tta_benchmark runs/repro/joint --tag t32va160_s1
    python -m experiments.tta_benchmark runs/a/joint runs/a/bone runs/a/joint_motion runs/a/bone_motion \\
        --weights 0.6,0.6,0.4,0.4 --tag t32va160_4s

Each run's best/ and last/ checkpoints are scored under variants derived from the run's own
config: ``none`` (its test pipeline, one clip), ``crop`` (the training crop: random windows of the
training crop ratio), ``rotate`` (the training rotation and scaling), ``train`` (the whole training
pipeline); ``--clips`` copies each, every variant repeated with ``--tta-seeds`` (the draws of the
copies), so a gain can be told from the luck of one draw. ``mirror`` and ``back`` (flip TTA) average
the plain clip with its ``RandomFlip`` copy (the sides swapped; ``back`` also front and back), one
pair, no randomness. With several runs the weighted ensemble
of the streams (as ``actlm ensemble``) is reported per variant too.
Results: experiments/results/tta_<tag>.{md,json} (command, commit, date); with --save-scores the test
scores of every (run, checkpoint, variant, seed) also go to experiments/results/tta_<tag>_scores/.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from actlm.data import load
from actlm.data.loader import SkeletonDataset
from actlm.engine import load_checkpoint
from actlm.engine.metrics import save_scores, softmax, topk_accuracy
from actlm.engine.trainer import predict

from experiments.run_archive import RESULTS, handwritten_notes, head_commit


def variants(meta: dict) -> dict[str, list[dict]]:
    """The test pipelines compared, built from the run's own train and test pipelines."""
    test = meta["test_pipeline"]
    train = meta["experiment"]["data"]["train_pipeline"]
    crop = next(t for t in train if t["type"] == "ValidCropResize")
    test_crop = next(t for t in test if t["type"] == "ValidCropResize")
    return {
        "none": test,
        "crop": [crop if t["type"] == "ValidCropResize" else t for t in test],
        "rotate": [test_crop if t["type"] == "ValidCropResize" else t for t in train],
        "train": train,
        **{kind: flipped(test, kind) for kind in FLIPS},
    }


FLIPS = ("mirror", "back")  # variants scored as a pair: the plain clip and its RandomFlip copy


def flipped(pipeline: list[dict], kind: str) -> list[dict]:
    """``pipeline`` with a certain ``RandomFlip`` of ``kind`` after its ``SpineAlign`` (at the start without one)."""
    at = next((i + 1 for i, t in enumerate(pipeline) if t["type"] == "SpineAlign"), 0)
    return [*pipeline[:at], {"type": "RandomFlip", "p": 1.0, "kind": kind}, *pipeline[at:]]


@lru_cache(maxsize=None)
def model_and_test_set(checkpoint: Path):
    """Loaded once per checkpoint, reused by every variant and draw."""
    model, meta = load_checkpoint(checkpoint)
    data = meta["experiment"]["data"]
    return model, meta, load(data["dataset"], split=data["test_split"], data_root_dir=data.get("data_root"))


_SCORED: dict[tuple, tuple] = {}


def score(checkpoint: Path, pipeline: list[dict], clips: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Test scores under ``pipeline``; deterministic in its arguments, so each is computed once
    (the plain clip is both the ``none`` variant and half of every flip pair)."""
    key = (checkpoint, json.dumps(pipeline, sort_keys=True), clips, seed)
    if key not in _SCORED:
        model, meta, ds = model_and_test_set(checkpoint)
        loader = DataLoader(SkeletonDataset(ds, pipeline, seed=seed, clips=clips), batch_size=max(1, 64 // clips))
        logits, labels, index = predict(model, loader, torch.device("cpu"), desc=f"{checkpoint} {clips} clips")
        _SCORED[key] = (logits, labels, np.array(ds.sample_ids)[index], meta["classes"])
    return _SCORED[key]


def flip_pair(checkpoint: Path, plain: list[dict], flip: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Log of the mean probability of each test sequence and its flipped copy (flip TTA)."""
    logits, labels, ids, classes = score(checkpoint, plain, 1, 0)
    flipped_logits, _, flipped_ids, _ = score(checkpoint, flip, 1, 0)
    assert np.array_equal(ids, flipped_ids)
    return np.log((softmax(logits) + softmax(flipped_logits)) / 2), labels, ids, classes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path, help="run directories (each with best/ and last/)")
    ap.add_argument("--tag", required=True, help="names the results: experiments/results/tta_<tag>.{md,json}")
    ap.add_argument("--checkpoints", nargs="+", default=["best", "last"])
    ap.add_argument("--variants", nargs="+", default=["none", "crop", "rotate", "train"],
                    help=f"of none, crop, rotate, train, {', '.join(FLIPS)}")
    ap.add_argument("--clips", type=int, default=10)
    ap.add_argument("--tta-seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--weights", default=None, help="ensemble weights, one per run (default: equal)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--save-scores", action="store_true", help="keep every scores file (for later ensembles)")
    a = ap.parse_args()
    weights = [float(w) for w in a.weights.split(",")] if a.weights else [1.0] * len(a.runs)
    if len(weights) != len(a.runs):
        ap.error(f"--weights gives {len(weights)} weights for {len(a.runs)} runs")
    torch.set_num_threads(a.threads)
    scores_dir = RESULTS / f"tta_{a.tag}_scores"
    if a.save_scores:
        scores_dir.mkdir(parents=True, exist_ok=True)
    rows, started = [], time.time()
    for ckpt in a.checkpoints:
        for variant in a.variants:
            seeds = [0] if variant == "none" or variant in FLIPS else a.tta_seeds
            clips = 1 if variant == "none" else 2 if variant in FLIPS else a.clips
            for seed in seeds:
                fused, labels = 0.0, None
                for run, w in zip(a.runs, weights):
                    pipelines = variants(model_and_test_set(run / ckpt)[1])
                    if variant in FLIPS:
                        logits, labels_, ids, classes = flip_pair(run / ckpt, pipelines["none"], pipelines[variant])
                    else:
                        logits, labels_, ids, classes = score(run / ckpt, pipelines[variant], clips, seed)
                    order = np.argsort(ids)
                    logits, labels_, ids = logits[order], labels_[order], ids[order]
                    if a.save_scores:
                        save_scores(scores_dir / f"{run.name}_{ckpt}_{variant}_s{seed}.npz", ids, labels_, logits, classes)
                    rows.append({"run": str(run), "checkpoint": ckpt, "variant": variant, "seed": seed, "clips": clips,
                                 "top1": topk_accuracy(logits, labels_, 1)})
                    print(json.dumps(rows[-1]), file=sys.stderr)
                    fused = fused + w * softmax(logits)
                    labels = labels_
                if len(a.runs) > 1:
                    rows.append({"run": "ensemble", "checkpoint": ckpt, "variant": variant, "seed": seed, "clips": clips,
                                 "top1": topk_accuracy(np.log(fused), labels, 1)})
                    print(json.dumps(rows[-1]), file=sys.stderr)
    res = {"command": shlex.join(["python", *sys.argv]), "commit": head_commit(),
           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "minutes": (time.time() - started) / 60,
           "runs": [str(r) for r in a.runs], "weights": weights, "clips": a.clips, "tta_seeds": a.tta_seeds,
           "variants": {v: variants(model_and_test_set(a.runs[0] / a.checkpoints[0])[1])[v] for v in a.variants},
           "rows": rows}
    stem = RESULTS / f"tta_{a.tag}"
    stem.with_suffix(".json").write_text(json.dumps(res, indent=1))
    stem.with_suffix(".md").write_text(markdown(res) + handwritten_notes(stem.with_suffix(".md")))
    print(markdown(res))


def markdown(res: dict) -> str:
    lines = [f"# Test-time augmentation on NW-UCLA cross-view: {', '.join(Path(r).name for r in res['runs'])}", "",
             f"- command: `{res['command']}`", f"- commit: {res['commit']}; date: {res['date']}; "
             f"{res['minutes']:.1f} min on the 2 cores", f"- {res['clips']} clips per sequence and variant, "
             f"mean probability; each variant drawn with seeds {res['tta_seeds']}; ensemble weights {res['weights']}", "",
             "Variants (test pipelines):", ""]
    lines += [f"- `{v}`: `{json.dumps(p)}`" for v, p in res["variants"].items()]
    lines += ["", "| run | checkpoint | variant | top-1 per seed | mean | vs none |", "|---|---|---|---|---|---|"]
    groups: dict[tuple, list[float]] = {}
    for r in res["rows"]:
        groups.setdefault((r["run"], r["checkpoint"], r["variant"]), []).append(r["top1"])
    for (run, ckpt, variant), accs in groups.items():
        base = np.mean(groups[(run, ckpt, "none")]) if (run, ckpt, "none") in groups else float("nan")
        lines.append(f"| {Path(run).name} | {ckpt} | {variant} | {' / '.join(f'{x:.2%}' for x in accs)} | "
                     f"{np.mean(accs):.2%} | {100 * (np.mean(accs) - base):+.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
