"""Does the bone member change the scale the open-vocabulary gamma acts on? (training partition only)

    OMP_NUM_THREADS=1 python -m experiments.general_gamma_members [--checkpoint actlm/checkpoints/general-2d]

The shipped general model's ``open_vocabulary.seen_gamma`` (0.2192 cosine units) was chosen on
single zero-shot runs (``general_zeroshot.md``) and is subtracted from the ensemble's mean cosine
of the classes it trained on. With the bone member added, that mean is over 3 members instead of 2:
if the bone member's cosines sit on another scale, the mean moves and the gamma with it.

Each member's direct text scores (cosine between its skeleton embedding and its projection of the
shipped class texts, ``general``) are computed on the general set's TRAINING partition (no test
data), then the cosine statistics a seen-class offset acts on are compared for the mean of the two
joint members (the model the gamma was applied to) and of all three: the top cosine, the true
class's cosine, the rest of the classes' mean cosine, and the margin of the top class over them.
Prints a JSON summary; ``--out`` also writes it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINT = ROOT / "actlm" / "checkpoints" / "general-2d"


def member_directions(model, class_text):
    """Each member's unit projection of the class texts' embeddings ([(K, E)] per member)."""
    import torch.nn.functional as F

    return [F.normalize(m.text_projection(class_text), dim=-1) for m in model.members]


def cosines_of(model, directions, x):
    """Each member's cosines (M, N, K) between its skeleton embedding of ``x`` and its class directions;
    their mean over members is what the ensemble's open-vocabulary scores divide into (times its scale)."""
    import torch

    return torch.stack([m.embed(x) @ d.t() for m, d in zip(model.members, directions)])


def member_cosines(checkpoint: Path, split: str = "train", batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """((M, N, K) each member's cosines with the K class texts, (N,) labels) on ``split``, through the
    checkpoint's test pipeline."""
    import torch
    from torch.utils.data import DataLoader

    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint
    from actlm.language.open_vocab import scorer_for, texts_for_dataset

    model, meta = load_checkpoint(checkpoint)
    ds = load(meta.data_config.get("dataset") or meta.dataset, split=split,
              data_root_dir=meta.data_config.get("data_root"))
    texts, keep = texts_for_dataset("general", ds)
    if keep != list(range(ds.num_classes)):
        raise ValueError("the class texts do not cover the dataset's classes in order")
    scorer = scorer_for(model, meta, texts)
    loader = DataLoader(SkeletonDataset(ds, meta.test_pipeline, clips=1), batch_size=batch_size)
    parts, labels = [], []
    with torch.no_grad():
        directions = member_directions(model, scorer.class_text)
        for batch in loader:
            parts.append(cosines_of(model, directions, batch[0]).numpy())
            labels.append(np.asarray(batch[1]))
    return np.concatenate(parts, axis=1), np.concatenate(labels)


def scale_stats(cosines: np.ndarray, labels: np.ndarray) -> dict:
    """Statistics of (N, K) cosines a seen-class offset acts on: medians (and 10th / 90th percentiles)
    of the top cosine, of the true class's cosine, of the mean cosine of the other classes, and of the
    top cosine's margin over that mean and over the second best."""
    order = np.sort(cosines, axis=1)
    top, second = order[:, -1], order[:, -2]
    rest = (cosines.sum(1) - top) / (cosines.shape[1] - 1)
    true = cosines[np.arange(len(labels)), labels]

    def spread(v: np.ndarray) -> dict:
        return {"median": float(np.median(v)), "p10": float(np.percentile(v, 10)), "p90": float(np.percentile(v, 90))}

    return {"top": spread(top), "true_class": spread(true), "rest_mean": spread(rest),
            "top_minus_rest": spread(top - rest), "top_minus_second": spread(top - second),
            "top1_train": float((cosines.argmax(1) == labels).mean()), "samples": int(len(labels))}


def compare(cosines: np.ndarray, labels: np.ndarray, joint: tuple[int, ...] = (0, 1)) -> dict:
    """Statistics of each member alone, of the mean of the ``joint`` members and of all members,
    and the ratios all / joint of the medians of the top cosine and of its margin over the rest."""
    out = {f"member {i}": scale_stats(c, labels) for i, c in enumerate(cosines)}
    out["joint members"] = scale_stats(cosines[list(joint)].mean(0), labels)
    out["all members"] = scale_stats(cosines.mean(0), labels)
    two, three = out["joint members"], out["all members"]
    out["ratio all / joint"] = {key: three[key]["median"] / two[key]["median"]
                                for key in ("top", "true_class", "top_minus_rest", "top_minus_second")}
    return out


def logit_scales(checkpoint: Path) -> dict:
    """Each member's similarity scale and the ensemble's (their mean), by which gamma is multiplied."""
    from actlm.engine import load_checkpoint

    model, _ = load_checkpoint(checkpoint)
    return {"members": [float(m.logit_scale.detach().exp()) for m in model.members],
            "ensemble": float(model.logit_scale.detach().exp())}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", default=str(CHECKPOINT))
    p.add_argument("--out", help="also write the summary (JSON) here (experiments/results/general_gamma_members.json)")
    args = p.parse_args(argv)
    start, load = time.perf_counter(), os.getloadavg()[0]
    cosines, labels = member_cosines(Path(args.checkpoint))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    summary = {"command": "OMP_NUM_THREADS=1 python -m experiments.general_gamma_members", "commit": commit,
               "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "checkpoint": str(args.checkpoint), "split": "train", "members": cosines.shape[0],
               "seconds": round(time.perf_counter() - start, 1),
               "load_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
               "logit_scales": logit_scales(Path(args.checkpoint)),
               "stats": compare(cosines, labels)}
    text = json.dumps(summary, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
