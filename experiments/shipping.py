"""What the makers of shipped checkpoints share: train a config (or resume or only collect a
finished run), then copy its best weights and config (no optimiser state) into the package."""
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
    report = json.loads((run / "eval.json").read_text())
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "model.safetensors"):
        shutil.copy(run / "best" / name, target / name)
    return report
