"""Precise BatchNorm on a trained run: test accuracy with the running BatchNorm statistics a
checkpoint carries against statistics recomputed over the training split, epoch by epoch.

    python -m experiments.precise_bn_benchmark runs/bench/nw-ucla_joint_t32va160_s4 --from-epoch 60 --tag t32va160_s4

The run must have kept its checkpoints (``train.keep_every=N``: epoch_XXX/ directories). Modes:

- ``running``: the checkpoint as saved (what the training loop evaluates);
- ``train``: statistics recomputed over the training split through the run's training pipeline
  (augmented), every batch counted the same (``train.precise_bn=train``);
- ``plain``: the same through the run's test pipeline, no augmentation (``train.precise_bn=plain``);
- ``testset`` (diagnostic, not the benchmark protocol): statistics of the test split itself
  (AdaBN, transductive): how much of the cross-view gap is a shift of the feature statistics.

Reported per mode: the best kept epoch, the last, the mean and spread over the last ten kept epochs,
and the accuracy on the NW-UCLA test skeletons with the hands behind the body (see nwucla_errors.py).
Results (command, commit, date): experiments/results/precise_bn_<tag>.{md,json}; a rerun skips the
epochs the json already holds.
"""
from __future__ import annotations

import argparse
import copy
import json
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
import yaml
from torch.utils.data import DataLoader

from actlm.data import load
from actlm.data.loader import SkeletonDataset
from actlm.engine import load_checkpoint
from actlm.engine.precise_bn import recalibrate_from_training_split, recalibrate_over
from actlm.engine.trainer import predict

from experiments.nwucla_errors import hands_behind
from experiments.run_archive import RESULTS, handwritten_notes, head_commit

MODES = ("running", "train", "plain", "testset")


def kept_checkpoints(run: Path, from_epoch: int) -> list[tuple[int, Path]]:
    found = sorted((int(d.name.split("_")[1]), d) for d in run.glob("epoch_*") if d.is_dir())
    if not found:
        raise SystemExit(f"{run}: no epoch_XXX/ checkpoints; train with train.keep_every=N to keep them")
    return [(e, d) for e, d in found if e >= from_epoch]


def score_epoch(checkpoint: Path, test_loader: DataLoader, test_set, modes: list[str]) -> dict[str, np.ndarray]:
    """Test predictions of one checkpoint under each mode (a fresh copy of the weights per mode)."""
    out = {}
    saved, meta = load_checkpoint(checkpoint)
    for mode in modes:
        model = copy.deepcopy(saved)
        if mode in ("train", "plain"):
            recalibrate_from_training_split(model, meta, mode)
        elif mode == "testset":
            recalibrate_over(model, SkeletonDataset(test_set, meta["test_pipeline"]),
                             meta["experiment"]["train"]["batch_size"])
        logits, labels, index = predict(model, test_loader, "cpu", desc=mode)
        out[mode] = logits.argmax(1)[np.argsort(index)]
    return out


def summarise(rows: dict[int, dict], modes: list[str]) -> dict[str, dict]:
    epochs = sorted(rows)
    summary = {}
    for mode in modes:
        acc = np.array([rows[e][mode]["top1"] for e in epochs])
        best = int(np.argmax(acc))
        late = acc[-10:]
        summary[mode] = {"best_top1": float(acc[best]), "best_epoch": epochs[best], "last_top1": float(acc[-1]),
                         "last10_mean": float(late.mean()), "last10_std": float(late.std()),
                         "behind_at_best": rows[epochs[best]][mode]["behind"],
                         "behind_last10_mean": float(np.mean([rows[e][mode]["behind"] for e in epochs[-10:]]))}
    return summary


def report(res: dict) -> str:
    modes, rows = res["modes"], res["epochs"]
    lines = ["# Precise BatchNorm: running vs recomputed statistics (" + res["run"] + ")", "",
             f"- command: `{res['command']}`", f"- commit: {res['commit']}; date: {res['date']}; {res['seconds']:.0f} s",
             f"- {len(rows)} kept checkpoints from epoch {min(map(int, rows))}; test split {res['n']} sequences, "
             f"{res['n_behind']} with the hands behind the body", "",
             "Modes: running = as saved; train = recomputed over the training split through the training pipeline; "
             "plain = through the test pipeline; testset = statistics of the test split itself (diagnostic, "
             "transductive, not the protocol).", "",
             "| mode | best top-1 (epoch) | last top-1 | last 10 kept: mean ± std | hands behind: at best / last-10 mean |",
             "|---|---|---|---|---|"]
    for mode in modes:
        s = res["summary"][mode]
        lines.append(f"| {mode} | {s['best_top1']:.2%} ({s['best_epoch']}) | {s['last_top1']:.2%} | "
                     f"{s['last10_mean']:.2%} ± {s['last10_std']:.2%} | {s['behind_at_best']:.1%} / "
                     f"{s['behind_last10_mean']:.1%} |")
    lines += ["", "Per kept epoch (test top-1):", "", "| epoch | " + " | ".join(modes) + " |",
              "|---|" + "---|" * len(modes)]
    for e in sorted(rows, key=int):
        lines.append(f"| {e} | " + " | ".join(f"{rows[e][m]['top1']:.2%}" for m in modes) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path)
    parser.add_argument("--tag", required=True, help="names the results: experiments/results/precise_bn_<tag>")
    parser.add_argument("--from-epoch", type=int, default=1)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--threads", type=int, default=2)
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    out_json = RESULTS / f"precise_bn_{a.tag}.json"
    done = json.loads(out_json.read_text())["epochs"] if out_json.exists() else {}
    cfg = yaml.safe_load((a.run / "config.yaml").read_text())
    test_set = load(cfg["data"]["dataset"], split=cfg["data"]["test_split"], data_root_dir=cfg["data"].get("data_root"))
    test_loader = DataLoader(SkeletonDataset(test_set, cfg["data"]["test_pipeline"]), batch_size=64)
    labels = test_set.labels
    flags = hands_behind(test_set)
    behind = np.array([flags[s] for s in test_set.sample_ids])
    res = {"run": a.run.name, "modes": a.modes, "n": int(len(labels)), "n_behind": int(behind.sum()), "epochs": done}
    for epoch, checkpoint in kept_checkpoints(a.run, a.from_epoch):
        if str(epoch) in done and all(m in done[str(epoch)] for m in a.modes):
            continue
        t = time.perf_counter()
        preds = score_epoch(checkpoint, test_loader, test_set, a.modes)
        done[str(epoch)] = {m: {"top1": float((p == labels).mean()), "behind": float((p == labels)[behind].mean())}
                            for m, p in preds.items()}
        print(f"epoch {epoch}: " + " ".join(f"{m} {v['top1']:.4f}" for m, v in done[str(epoch)].items())
              + f" ({time.perf_counter() - t:.0f} s)", file=sys.stderr, flush=True)
        res.update(summary=summarise({int(k): v for k, v in done.items()}, a.modes),
                   command="python -m experiments.precise_bn_benchmark " + shlex.join(sys.argv[1:]),
                   commit=head_commit(), date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   seconds=time.perf_counter() - start)
        out_json.write_text(json.dumps(res, indent=1))
    out_md = RESULTS / f"precise_bn_{a.tag}.md"
    out_md.write_text(report(res) + handwritten_notes(out_md))
    print(out_md.read_text())


if __name__ == "__main__":
    main()
