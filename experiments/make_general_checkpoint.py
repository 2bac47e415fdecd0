"""Produce the general model shipped inside actlm (actlm/checkpoints/general-2d), the default of `actlm predict`.

    python -m experiments.make_general_checkpoint [--epochs 30] [--threads 1] [--collect]
    # two seeds' final epochs averaged (the seed-2 run trained with train.seed=2; shipped until 2026-12-07)
    python -m experiments.make_general_checkpoint --work-dir runs/general_hocslm_2d_e45_clean --epochs 45 \
        --collect --weights last --ensemble-with runs/general_clean_seed2
    # what ships: those two (a copy of that checkpoint in runs/general_shipped_2seed) and a bone-stream run
    # (actlm train general/hocslm_2d data.stream=bone train.epochs=45 train.work_dir=runs/general_bone_e45)
    python -m experiments.make_general_checkpoint --work-dir runs/general_shipped_2seed --epochs 45 --collect \
        --weights last --ensemble-with runs/general_bone_e45 --keep-fact-profile
    # --keep-fact-profile: keep the shipped fact_profile.json (measured on the training split by the fact
    # detector, not by the model: valid for new weights while neither the data nor facts.py changed)

Trains general/hocslm_2d (every dataset we have in the 13-joint common body, 2D input from random
viewpoints, one merged class list with written descriptions: actlm/data/merged.py) through the
normal `actlm train` loop, then copies the best (or, with ``--weights last``, the final) checkpoint's
weights and config (no optimiser state) to actlm/checkpoints/general-2d/ (its config.json with OPEN_VOCABULARY, the calibration of `--classes`,
and TIMELINE, the settings of `predict --timeline` and `live`: recalibrate them for new weights with
``python -m experiments.timeline_benchmark --checkpoint actlm/checkpoints/general-2d --calibration-sequences 600 --no-still
--store`` and copy the stored key here),
measures its class fact profile, and writes an ABOUT.json recording the command, commit, date,
classes, where each class's description comes from, and the measured test accuracy overall and
per source dataset (experiments/general_benchmark.py's per_dataset).
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from experiments.shipping import train_and_copy_best, train_arguments

TARGET = Path("actlm/checkpoints/general-2d")
LIMIT_MB = 10.0
#: stored in the shipped config.json: calibrated stacking of the trained classes under `--classes`
#: (actlm.language.open_vocab.calibrate), gamma measured on this recipe's zero-shot splits
OPEN_VOCABULARY = {
    "seen_gamma": 0.2192, "unit": "cosine",
    "method": "calibrated stacking (Chao et al., 2016): seen_gamma x logit scale is subtracted from the scores of "
              "the classes this model trained on when --classes mixes them with new ones",
    "source": "experiments/results/general_zeroshot.md (mean of the gammas chosen without test data on 3 "
              "zero-shot splits of this recipe, clean Penn Action: 0.1925, 0.2325, 0.2325; GZSL H 6.8 -> 30.7 %; "
              "measured on single runs, applied to the mean cosine of the shipped ensemble's three members, whose "
              "scale on the training partition is within 1-2 % of the two seeds': general_gamma_members.json)"}

#: stored in the shipped config.json: the timeline's settings (actlm.timeline.stored_settings), chosen on
#: streams of NW-UCLA's training views and UTD-MHAD's training subjects
TIMELINE = {"threshold": 0.5, "switch_penalty": 0.5, "still_below": 0.0, "online_threshold": 0.5, "online_hold": 1,
            "online_still_below": 0.0, "source": "experiments/results/timeline_general.md"}


def members_of(config: dict, checkpoints: list[str]) -> list[str]:
    """Where each member was trained and on which stream (an ensemble given as a member lists its own)."""
    origins = config.get("ensemble_of") or [{"path": c} for c in checkpoints]
    return [f"{o['path']} ({o.get('stream', 'joint')} stream, seed {o.get('seed')})" for o in origins]


def main() -> None:
    command = "python -m experiments.make_general_checkpoint " + " ".join(sys.argv[1:])
    keep_profile = "--keep-fact-profile" in sys.argv
    if keep_profile:
        sys.argv.remove("--keep-fact-profile")
    a = train_arguments(__doc__, epochs=30, threads=1, work_dir="runs/general_hocslm_2d")
    profile = (TARGET / "fact_profile.json").read_bytes() if keep_profile else None
    report = train_and_copy_best("general/hocslm_2d", a, TARGET)
    config = json.loads((TARGET / "config.json").read_text())
    (TARGET / "config.json").write_text(json.dumps({**config, "open_vocabulary": OPEN_VOCABULARY,
                                                      "timeline": TIMELINE}, indent=1))
    from actlm.data.merged import CLASSES, class_text_sources
    from experiments.general_benchmark import per_dataset

    # the class fact profile the explanations' runner-up contrast reads, measured on the training split
    if profile is not None:     # it reads the training data with the fact detector, never the model
        (TARGET / "fact_profile.json").write_bytes(profile)
    else:
        subprocess.run([sys.executable, "-m", "experiments.make_fact_profile", str(TARGET)], check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    about = {"command": command, "commit": commit,
             "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "config": "general/hocslm_2d",
             "epochs": a.epochs, "weights": a.weights, "best_epoch": report["best_epoch"],
             **({"ensemble_of": members_of(config, report["members"])} if "members" in report else {}),
             "input": "2D image keypoints, body-13 layout",
             "classes": report["classes"], "merged_from": {k: [f"{d}: {c}" for d, c in v] for k, v in CLASSES.items()},
             "class_descriptions": class_text_sources(),
             "test": "each source's standard test split (merged test split, 2D front view)",
             "top1": report["top1"], "top5": report["top5"], "per_dataset": per_dataset(TARGET)}
    (TARGET / "ABOUT.json").write_text(json.dumps(about, indent=1))
    size = sum(f.stat().st_size for f in TARGET.iterdir()) / 1e6
    if size > LIMIT_MB:
        raise SystemExit(f"{TARGET} is {size:.1f} MB, over the {LIMIT_MB} MB a shipped checkpoint may take")
    print(f"shipped checkpoint: {TARGET} ({size:.1f} MB), merged test top-1 {report['top1']:.2%}; per dataset: "
          + ", ".join(f"{k} {v['top1_all_classes']:.1%}" for k, v in about["per_dataset"].items()))


if __name__ == "__main__":
    main()
