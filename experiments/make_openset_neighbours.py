"""Write the shipped general model's training neighbours (actlm/checkpoints/general-2d/openset.safetensors).

    python -m experiments.make_openset_neighbours [--checkpoint actlm/checkpoints/general-2d]

The pooled features of the checkpoint's TRAINING partition (general dataset, train split, its test
pipeline), L2-normalised and stored as float16, with K and the kNN-cosine threshold that keeps 95 %
of those training samples (each scored without its own match). `actlm predict` then says "this may
be none of the N known actions" for a video whose score falls below it. K and the 95 % are the
values measured in experiments/openset_benchmark.py (results: experiments/results/openset.md); no
test sample is used here. Prints the share of the checkpoint's own test partition (every sample a
known class) that the threshold keeps.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from actlm.engine.openset import OPENSET_FILE, TrainingNeighbours

from .general_zeroshot import commit
from .openset_benchmark import KEEP, KNN_K, SHIPPED, extract

#: the shipped file's size limit (bytes): it travels inside the package (float16 features of the
#: training partition: 128 per sample for one model, 384 for the shipped ensemble of two joint-stream
#: seeds and one bone-stream member: 3.0 MB for 3,891 samples)
MAX_BYTES = 3_100_000


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", type=Path, default=SHIPPED)
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "actlm" / "openset")
    a = p.parse_args(argv)
    train = extract(a.checkpoint, "train", a.cache / f"{a.checkpoint.name}_train.npz")
    test = extract(a.checkpoint, "test", a.cache / f"{a.checkpoint.name}_test.npz")
    about = {"command": "python -m experiments.make_openset_neighbours", "commit": commit(),
             "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "fitted_on": "general dataset, train split, the checkpoint's test pipeline", "score": "knn_cosine",
             "measured_in": "experiments/results/openset.md"}
    neighbours = TrainingNeighbours.fit(train["features"], KNN_K, KEEP, about)
    own_test = float((neighbours.score(test["features"]) >= neighbours.threshold).mean())
    neighbours.about["own_test_kept"] = own_test
    path = neighbours.save(a.checkpoint / OPENSET_FILE)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path}: {size} bytes, over the {MAX_BYTES} allowed")
    print(f"{path}: {len(neighbours.bank)} training samples, K={neighbours.k}, threshold {neighbours.threshold:.4f}, "
          f"{size} bytes; keeps {own_test:.1%} of the checkpoint's own test samples")


if __name__ == "__main__":
    main()
