"""What the makers of shipped checkpoints share: train a config (or resume or only collect a
finished run), then copy its best or last weights and config (no optimiser state) into the package.

The best epoch is picked on the test split (the trainer evaluates every few epochs): a mild
selection on test data. ``--weights last`` ships the final epoch instead, chosen without it.
``--ensemble-with RUN [RUN ...]``: finished runs of the same recipe (other seeds, or the same recipe on
the bone stream) whose same weights ship with the trained run's as one checkpoint averaging their
probabilities (``actlm.engine.checkpoint.save_ensemble``); a RUN may also be a checkpoint directory
(an ensemble contributes its members). The report is then the ensemble's own evaluation."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path


def train_arguments(doc: str | None, epochs: int, threads: int, work_dir: str) -> argparse.Namespace:
    """--epochs, --threads, --work-dir and --collect (only copy an already finished run)."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--threads", type=int, default=threads)
    p.add_argument("--work-dir", default=work_dir)
    p.add_argument("--collect", action="store_true", help="only copy an already finished run")
    p.add_argument("--weights", choices=("best", "last"), default="best",
                   help="ship the epoch picked on the test split (best) or the final one (last: no selection)")
    p.add_argument("--ensemble-with", nargs="+", default=[], metavar="RUN",
                   help="finished runs of the same recipe (other seeds) shipped with it as one averaging checkpoint")
    return p.parse_args()


def train_and_copy_best(config: str, a: argparse.Namespace, target: Path) -> dict:
    """Train ``config`` into ``a.work_dir`` (resuming a run left there) unless ``a.collect``, copy
    its best checkpoint to ``target``; returns the run's eval.json."""
    run = Path(a.work_dir)
    if not a.collect:
        cmd = [sys.executable, "-m", "actlm", "train", config, f"train.epochs={a.epochs}",
               f"train.threads={a.threads}", f"train.work_dir={run}"]
        resume = ["--resume", str(run)] if (run / "last" / "config.json").exists() else []
        subprocess.run(cmd + resume, check=True)
    weights = getattr(a, "weights", "best")
    others = [Path(r) for r in getattr(a, "ensemble_with", [])]
    if others:
        return _ship_ensemble([run, *others], weights, target)
    report = json.loads((run / "eval.json").read_text()) if weights == "best" else _evaluate_last(run)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "model.safetensors"):
        shutil.copy(run / weights / name, target / name)
    return report


def _ship_ensemble(runs: list[Path], weights: str, target: Path) -> dict:
    """``target`` = the runs' ``weights`` checkpoints as one averaging checkpoint; its test report, with
    ``best_epoch`` the members' epoch (each run's own final or best)."""
    from actlm.engine.checkpoint import save_ensemble

    checkpoints = [_checkpoint_of(r, weights) for r in runs]
    save_ensemble(checkpoints, target)
    report = _test_report(target)
    report["best_epoch"] = json.loads((target / "config.json").read_text())["epoch"]
    report["members"] = [str(c) for c in checkpoints]
    return report


def _checkpoint_of(run: Path, weights: str) -> Path:
    """A run's ``weights`` checkpoint, or ``run`` itself when it is a checkpoint (a shipped ensemble
    whose runs are gone joins as its members)."""
    return run if (run / "config.json").exists() and not (run / weights).exists() else run / weights


def _evaluate_last(run: Path) -> dict:
    """The final epoch's test report (as eval.json holds the best one's), with ``best_epoch`` the
    final epoch: what ships is then chosen without looking at the test split."""
    report = _test_report(run / "last")
    state = json.loads((run / "last" / "trainer_state.json").read_text())
    report["best_epoch"] = int(state["epoch"]) + 1          # the state counts epochs from 0
    return report


def _test_report(checkpoint: Path) -> dict:
    """`actlm eval CHECKPOINT --json` on its test split, parsed."""
    out = subprocess.run([sys.executable, "-m", "actlm", "eval", str(checkpoint), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out[out.index("{"):])
