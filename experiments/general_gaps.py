"""The general model's gaps to UTD-MHAD's and SBU's own models (issue 42 item 5): where the points go,
and whether test-time augmentation of the SHIPPED model (no training) wins them back.

    python -m experiments.general_gaps [--checkpoint actlm/checkpoints/general-2d] \\
        [--own utd-mhad=runs/own2d_utd/last --own sbu:3d=runs/own3d_sbu/last ...] [--splits train,test]

- per source dataset, test top-1 of the shipped ensemble (all 59 classes, as general.md) under
  test-time variants fixed beforehand (never tuned on the test split):
  ``plain`` (the shipped test pipeline), ``mirror`` (the plain clip averaged with its left-right
  mirror, whose side-specific classes are swapped: :data:`MIRROR_SWAPS`), ``views`` (the 3D
  sets seen from yaw -30, 0 and +30 degrees, averaged; Penn Action's flat annotations are not
  turned), ``crops`` (the whole clip and three 80 % windows at the start, middle and end,
  averaged); and each ensemble member alone;
- the same on the merged TRAINING split (the validation the levers are chosen on: the shipped
  members trained on it, so it can show a lever that hurts, hardly one that helps);
- per class on UTD-MHAD and SBU: the shipped model's accuracy and its main confusions, next to
  each ``--own`` run (the general recipe trained on that source alone: ``data.exclude_sources``
  the other four, its own schedule), the input-only step of the decomposition.
Results: experiments/results/general_gaps.json (command, commit, date, numbers); the reading is
written by hand in experiments/results/general_gaps.md.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from actlm.data.merged import _rotation
from actlm.data.transforms import _person_mask, _resize_time, _valid_frames
from experiments.general_benchmark import source_classes

RESULTS = Path("experiments/results")
#: side-specific merged classes: mirroring a clip of one makes a clip of the other
MIRROR_SWAPS = (("swipe left", "swipe right"), ("draw circle (clockwise)", "draw circle (counter clockwise)"))
VIEW_YAWS = (-30.0, 0.0, 30.0)
CROP_WINDOWS = ((1.0, 0.5), (0.8, 0.0), (0.8, 0.5), (0.8, 1.0))   # (fraction of the clip, where: 0 start .. 1 end)
PER_CLASS_SOURCES = ("utd-mhad", "sbu")


def mirror_permutation(classes: list[str], swaps=MIRROR_SWAPS) -> np.ndarray:
    """``perm`` with ``perm[k]`` the class a mirrored clip of class ``k`` scores as (identity elsewhere):
    the probability a mirrored clip gives class ``perm[k]`` is evidence for ``k`` on the original."""
    perm = np.arange(len(classes))
    for a, b in swaps:
        i, j = classes.index(a), classes.index(b)
        perm[i], perm[j] = j, i
    return perm


class Turn:
    """A fixed yaw (degrees) about the sequence's centre for stored 3D input (x, y up, z), before
    ``Project2D``; flat input (z = 0: Penn Action) and 2D input pass unchanged."""

    def __init__(self, yaw: float):
        self.matrix = _rotation(np.radians(yaw), 0.0, 0.0)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if x.shape[-1] != 3 or not np.any(x[..., 2]):
            return x
        present = _person_mask(x)
        centre = x[present].mean(axis=(0, 1))
        out = (x - centre) @ self.matrix.T + centre
        out[~present] = 0
        return out.astype(np.float32)


class Window:
    """A fixed temporal window (``ratio`` of the valid frames, placed at ``where`` in [0, 1] of the
    free range: 0 the start, 1 the end) resized to ``length``: the deterministic version of
    ``ValidCropResize``'s random training crop."""

    def __init__(self, length: int, ratio: float, where: float):
        self.length, self.ratio, self.where = int(length), float(ratio), float(where)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        valid = _valid_frames(x)
        if len(valid) == 0:
            return _resize_time(x, self.length)
        x = x[:, valid[0]: valid[-1] + 1]
        size = int(np.clip(round(x.shape[1] * self.ratio), 1, x.shape[1]))
        start = int(round((x.shape[1] - size) * self.where))
        return _resize_time(x[:, start: start + size], self.length).astype(np.float32, copy=False)


def copies(test_pipeline: list[dict], layout) -> dict[str, object]:
    """Every test-time copy the variants average, as pipelines (plain, flip, turned, windowed)."""
    from actlm.data.transforms import Pipeline, build_pipeline

    types = [t["type"] for t in test_pipeline]
    assert types[:3] == ["Project2D", "SpineAlign", "ValidCropResize"], types
    plain = build_pipeline(test_pipeline, layout)
    flip = build_pipeline([*test_pipeline[:2], {"type": "RandomFlip", "p": 1.0, "kind": "mirror"},
                           *test_pipeline[2:]], layout)
    out = {"plain": plain, "flip": flip}
    for yaw in VIEW_YAWS:
        if yaw:
            out[f"yaw{yaw:+.0f}"] = Pipeline([Turn(yaw), *plain.transforms])
    length = test_pipeline[2]["length"]
    for ratio, where in CROP_WINDOWS:
        if ratio < 1.0:
            out[f"win{ratio:.1f}@{where:.1f}"] = Pipeline(
                [*plain.transforms[:2], Window(length, ratio, where), *plain.transforms[3:]])
    return out


def variants(classes: list[str]) -> dict[str, list[tuple[str, np.ndarray | None]]]:
    """Each variant: the copies it averages, with the class permutation a copy's scores go through."""
    return {"plain": [("plain", None)],
            "mirror": [("plain", None), ("flip", mirror_permutation(classes))],
            "views": [("plain" if not yaw else f"yaw{yaw:+.0f}", None) for yaw in VIEW_YAWS],
            "crops": [("plain" if ratio == 1.0 else f"win{ratio:.1f}@{where:.1f}", None)
                      for ratio, where in CROP_WINDOWS]}


@torch.no_grad()
def member_probs(model, ds, pipeline, batch_size: int = 128) -> np.ndarray:
    """(members, N, K) class probabilities of each ensemble member (one member: (1, N, K))."""
    from actlm.data.loader import SkeletonDataset

    model.eval()
    loader = DataLoader(SkeletonDataset(ds, pipeline), batch_size=batch_size)
    out = []
    for x, _, _ in loader:
        logits = model.member_logits(x) if hasattr(model, "member_logits") else model(x)[None]
        out.append(torch.softmax(logits.float(), dim=-1))
    return torch.cat(out, dim=1).numpy()


def combine(scored: dict[str, np.ndarray], variant: list[tuple[str, np.ndarray | None]],
            weights: np.ndarray | None = None) -> np.ndarray:
    """(N, K) mean probability over a variant's copies and the members (weighted by ``weights``)."""
    total = 0.0
    for name, perm in variant:
        probs = scored[name]
        if perm is not None:
            probs = probs[..., perm]
        w = np.ones(len(probs)) if weights is None else np.asarray(weights, float)
        total = total + np.tensordot(w / w.sum(), probs, axes=1)
    return total / len(variant)


def top1_by_source(probs: np.ndarray, labels: np.ndarray, sources: np.ndarray) -> dict[str, float]:
    """Top-1 per source among all classes (general.md's headline number), and overall."""
    hit = probs.argmax(1) == labels
    out = {s: float(hit[sources == s].mean()) for s in dict.fromkeys(sources)}
    out["all"] = float(hit.mean())
    return out


def per_class(probs: np.ndarray, labels: np.ndarray, classes: list[str], own_only: bool = False,
              source: str | None = None) -> dict[str, dict]:
    """Per true class: samples, correct, and the classes it is taken for (with counts)."""
    pred = probs.argmax(1) if not own_only else np.asarray(source_classes(source))[
        probs[:, source_classes(source)].argmax(1)]
    out = {}
    for k in sorted(set(labels.tolist())):
        rows = labels == k
        wrong = pred[rows][pred[rows] != k]
        names, counts = np.unique(wrong, return_counts=True)
        out[classes[k]] = {"n": int(rows.sum()), "correct": int((pred[rows] == k).sum()),
                           "taken_for": {classes[int(c)]: int(n) for c, n in
                                         sorted(zip(names, counts), key=lambda t: -t[1])}}
    return out


def by_interaction(probs: np.ndarray, labels: np.ndarray, recordings: list[str]) -> dict:
    """SBU scored per recorded interaction, as its own model is (both persons in one sample): the
    mean probability of the interaction's person-samples (two for the mutual classes, the actor
    for the one-sided ones)."""
    keys = list(dict.fromkeys(recordings))
    where = np.array([keys.index(r) for r in recordings])
    hits = []
    for k in range(len(keys)):
        rows = where == k
        assert len(set(labels[rows].tolist())) == 1, keys[k]
        hits.append(probs[rows].mean(0).argmax() == labels[rows][0])
    return {"n": len(keys), "top1": float(np.mean(hits))}


def score_split(model, meta, split: str, names: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list]:
    """Members' probabilities under every copy in ``names``, labels, sources and source ids of a merged split."""
    from actlm.data import load

    ds = load("general", split=split)
    pipelines = copies([dict(t) for t in meta.test_pipeline], ds.layout)
    scored = {}
    for name in names:
        t = datetime.now()
        scored[name] = member_probs(model, ds, pipelines[name])
        print(f"{split} {name}: {(datetime.now() - t).total_seconds():.0f} s", file=sys.stderr, flush=True)
    sources = np.array([ds.meta(i)["source"] for i in range(len(ds))])
    return scored, np.asarray(ds.labels), sources, [ds.meta(i).get("source_id", "") for i in range(len(ds))]


def shipped(checkpoint: Path, splits: tuple[str, ...]) -> dict:
    from actlm.engine import load_checkpoint

    model, meta = load_checkpoint(checkpoint)
    classes = list(meta.classes)
    vs = variants(classes)
    names = list(dict.fromkeys(n for v in vs.values() for n, _ in v))
    out = {}
    for split in splits:
        scored, labels, sources, ids = score_split(model, meta, split, names)
        m = scored["plain"].shape[0]
        rows = {name: top1_by_source(combine(scored, v), labels, sources) for name, v in vs.items()}
        rows["all variants"] = top1_by_source(
            combine(scored, [c for v in vs.values() for c in v]), labels, sources)
        for i in range(m):
            rows[f"member {i + 1} alone"] = top1_by_source(scored["plain"][i], labels, sources)
        out[split] = {"variants": rows}
        if split == "test":
            plain = combine(scored, vs["plain"])
            out[split]["per_class"] = {s: per_class(plain[sources == s], labels[sources == s], classes)
                                       for s in PER_CLASS_SOURCES}
            sbu = sources == "sbu"
            recordings = [i for i, s in zip(ids, sources) if s == "sbu"]
            out[split]["sbu_per_interaction"] = {
                name: by_interaction(combine(scored, v)[sbu], labels[sbu], recordings) for name, v in vs.items()}
    return out


def own_run(checkpoint: Path, source: str) -> dict:
    """A run of the general recipe trained on ``source`` alone: its test top-1 (all classes and the
    source's own) and per class, on the source's part of the merged test split."""
    from actlm.data import load
    from actlm.data.merged import exclude_sources
    from actlm.data.transforms import build_pipeline
    from actlm.engine import load_checkpoint

    model, meta = load_checkpoint(checkpoint)
    ds = load("general", split="test")
    ds = exclude_sources(ds, [s for s in dict.fromkeys(ds.meta(i)["source"] for i in range(len(ds))) if s != source])
    probs = member_probs(model, ds, build_pipeline([dict(t) for t in meta.test_pipeline], ds.layout)).mean(0)
    labels = np.asarray(ds.labels)
    own = source_classes(source)
    out = {"checkpoint": str(checkpoint), "epoch": meta.epoch, "n": int(len(labels)),
           "input": "3D" if meta.test_pipeline[0]["type"] != "Project2D" else "2D",
           "top1_all_classes": float((probs.argmax(1) == labels).mean()),
           "top1_own_classes": float((np.asarray(own)[probs[:, own].argmax(1)] == labels).mean()),
           "per_class": per_class(probs, labels, list(meta.classes))}
    if source == "sbu":
        out["top1_per_interaction"] = by_interaction(probs, labels, [ds.meta(i)["source_id"] for i in range(len(ds))])
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="actlm/checkpoints/general-2d")
    p.add_argument("--own", action="append", default=[],
                   help="SOURCE[:TAG]=CHECKPOINT: a run trained on that source alone (stored as SOURCE[:TAG])")
    p.add_argument("--splits", default="train,test", help="merged splits to score the shipped model on ('' none)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=str(RESULTS / "general_gaps.json"))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out_path = Path(a.out)
    kept = json.loads(out_path.read_text()) if out_path.exists() else {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    stamp = {"command": "python -m experiments.general_gaps " + " ".join(sys.argv[1:]), "commit": commit,
             "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    if a.splits:
        for split, r in shipped(Path(a.checkpoint), tuple(a.splits.split(","))).items():
            kept.setdefault("shipped", {})[split] = {**stamp, "checkpoint": a.checkpoint, **r}
    for item in a.own:
        key, run = item.split("=", 1)
        kept.setdefault("own", {})[key] = {**stamp, **own_run(Path(run), key.split(":")[0])}
    out_path.write_text(json.dumps(kept, indent=1))
    for split, r in kept.get("shipped", {}).items():
        if isinstance(r, dict) and "variants" in r:
            for name, row in r.get("sbu_per_interaction", {}).items():
                print(split, name, f"sbu per interaction {100 * row['top1']:.1f} ({row['n']})")
            for name, row in r["variants"].items():
                print(split, name, " ".join(f"{s} {100 * v:.1f}" for s, v in row.items()))
    for key, r in kept.get("own", {}).items():
        print("own", key, r["input"], f"{100 * r['top1_all_classes']:.1f} (own classes {100 * r['top1_own_classes']:.1f})")


if __name__ == "__main__":
    main()
