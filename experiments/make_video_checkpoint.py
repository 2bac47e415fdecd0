"""Produce the small checkpoint shipped inside actlm for `actlm predict VIDEO` (no flags, no download).

    python -m experiments.make_video_checkpoint [--epochs 30] [--threads 2]

Trains nw-ucla/hglnet_video (NW-UCLA cross-view train views, SpineAlign-normalised, strong view
augmentation, a smaller HGLNet), then copies its best checkpoint's weights and config (no
optimiser state) to actlm/checkpoints/nw-ucla-video/ together with an ABOUT.json that records the
command, commit, date, classes and the measured test accuracy.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from experiments.shipping import train_and_copy_best, train_arguments

TARGET = Path("actlm/checkpoints/nw-ucla-video")


def main() -> None:
    a = train_arguments(__doc__, epochs=30, threads=2, work_dir="runs/nw-ucla_hglnet_video")
    report = train_and_copy_best("nw-ucla/hglnet_video", a, TARGET)
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
