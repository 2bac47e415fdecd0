"""Produce the small checkpoint shipped inside actlm for `actlm predict VIDEO` (no flags, no download).

    python -m experiments.make_video_checkpoint [--epochs 30] [--threads 2]

Trains nw-ucla/hglnet_video (NW-UCLA cross-view train views, SpineAlign-normalised, strong view
augmentation, a smaller HGLNet), then copies its best checkpoint's weights and config (no
optimiser state) to actlm/checkpoints/nw-ucla-video/ together with an ABOUT.json that records the
command, commit, date, classes and the measured test accuracy.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

TARGET = Path("actlm/checkpoints/nw-ucla-video")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--work-dir", default="runs/nw-ucla_hglnet_video")
    p.add_argument("--collect", action="store_true", help="only copy an already finished run")
    a = p.parse_args()
    run = Path(a.work_dir)
    if not a.collect:
        cmd = [sys.executable, "-m", "actlm", "train", "nw-ucla/hglnet_video", f"train.epochs={a.epochs}",
               f"train.threads={a.threads}", f"train.work_dir={run}"]
        resume = ["--resume", str(run)] if (run / "last" / "config.json").exists() else []
        subprocess.run(cmd + resume, check=True)
    report = json.loads((run / "eval.json").read_text())
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "model.safetensors"):
        shutil.copy(run / "best" / name, TARGET / name)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    about = {"command": "python -m experiments.make_video_checkpoint " + " ".join(sys.argv[1:]), "commit": commit,
             "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "config": "nw-ucla/hglnet_video",
             "epochs": a.epochs, "best_epoch": report["best_epoch"], "classes": report["classes"],
             "test": "NW-UCLA cross-view (view 3, 464 sequences)", "top1": report["top1"], "top5": report["top5"],
             "per_class": report["per_class"]}
    (TARGET / "ABOUT.json").write_text(json.dumps(about, indent=1))
    size = sum(f.stat().st_size for f in TARGET.iterdir()) / 1e6
    print(f"shipped checkpoint: {TARGET} ({size:.1f} MB), NW-UCLA cross-view top-1 {report['top1']:.2%}")


if __name__ == "__main__":
    main()
