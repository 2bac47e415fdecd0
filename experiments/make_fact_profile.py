"""Measure the class fact profile of a checkpoint again: how often each motion is measured in each
class's training sequences (``actlm.explain.contrast.build_fact_profile``), written beside it as
``fact_profile.json``. The runner-up contrast reads these shares, so they must come from the same
fact detector that measures the sample: rerun this whenever ``actlm/explain/facts.py`` changes.

    python -m experiments.make_fact_profile actlm/checkpoints/nw-ucla-joint actlm/checkpoints/nw-ucla-video \
        --copy-to actlm/checkpoints/nw-ucla-reasoner

Each checkpoint's profile is measured on the training split of the dataset it was trained on;
``--copy-to`` also writes the first checkpoint's profile into a reasoner folder (the shipped
reasoner reads the shipped encoder's).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from actlm import data as actlm_data
from actlm.engine.checkpoint import load_checkpoint
from actlm.explain.contrast import PROFILE_FILE, build_fact_profile


def profile_of(checkpoint: Path) -> tuple[dict, Path]:
    """The checkpoint's profile and the folder it belongs in (a run's best/)."""
    _, meta = load_checkpoint(checkpoint)
    dataset = meta.data_config.get("dataset") or meta.dataset
    train = actlm_data.load(dataset, split=meta.data_config.get("train_split", "train"),
                            data_root_dir=meta.data_config.get("data_root"))
    if list(train.classes) != list(meta.classes):
        sys.exit(f"{checkpoint}: its classes differ from {dataset}'s; a profile needs the training classes")
    print(f"{checkpoint}: measuring {len(train)} training sequences of {dataset}", file=sys.stderr)
    return build_fact_profile(((s.data, s.label, s.fps) for s in train), list(meta.classes), meta.layout), Path(meta.path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+", type=Path)
    ap.add_argument("--copy-to", type=Path, action="append", default=[],
                    help="also write the first checkpoint's profile into this folder (e.g. a reasoner)")
    args = ap.parse_args()
    first = None
    for checkpoint in args.checkpoints:
        profile, folder = profile_of(checkpoint)
        first = first or profile
        (folder / PROFILE_FILE).write_text(json.dumps(profile, indent=1))
        print(f"wrote {folder / PROFILE_FILE}")
    for folder in args.copy_to:
        (folder / PROFILE_FILE).write_text(json.dumps(first, indent=1))
        print(f"wrote {folder / PROFILE_FILE}")


if __name__ == "__main__":
    main()
