"""Saying "I do not know this action": unknown-action scores against max softmax, on held-out classes.

    python -m experiments.openset_benchmark     # scores the three zero-shot runs, writes the results

Truth: the three zero-shot runs of experiments/general_zeroshot.py (runs/general_zsl_seed0, _seed2,
_seed3; ``general/hocslm_2d``, 8 epochs, 2D input) were each trained WITHOUT 12 of the 59 merged
classes. For each run, its test samples of those 12 classes are unknown actions and the test samples
of its 47 trained classes are known ones. Every score is a known-ness (higher = more like a trained
class), computed from one forward pass of the run's test pipeline:

- ``max_softmax`` (the baseline; `actlm predict`'s "low confidence" is max softmax < 0.8),
  ``max_logit``, ``energy`` (logsumexp of the classifier's logits);
- ``text_cosine``: the largest cosine between the skeleton embedding and the 47 trained classes'
  text embeddings (the model's text head);
- ``knn_cosine``: cosine to the K-th nearest training feature (pooled encoder feature, L2-normalised),
  K fixed in advance (:data:`KNN_K`);
- ``mahalanobis``: minus the smallest Mahalanobis distance to a trained class's mean under one shared
  covariance, both from the pooled features (Lee et al., 2018).

The kNN bank and the class Gaussians are fitted on the run's TRAINING partition, trained classes only.
Per split: AUROC (known vs unknown) with a bootstrap 95 % interval over test samples, FPR at 95 % TPR,
the paired bootstrap interval of each score's AUROC minus max softmax's; mean +- std over the 3 splits.
Operating point chosen without test data: the threshold keeping 95 % of the training partition's
known samples (kNN: leaving each sample's own match out), applied to the test set (its TPR and FPR).
Results: experiments/results/openset.{md,json}.
"""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from actlm.engine.openset import (ClassGaussians, auroc, energy, fpr_at_tpr, knn_cosine, max_logit,
                                  max_softmax)

from .general_zeroshot import RUNS, all_splits, class_names, commit, pct
from .run_archive import previous_reading

if TYPE_CHECKING:
    import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "results"
#: the shipped general model (`actlm predict`'s default)
SHIPPED = ROOT / "actlm" / "checkpoints" / "general-2d"
#: neighbours for the kNN score, fixed before any measurement (about a tenth of a class's ~80 training samples)
KNN_K = 10
#: fraction of the training partition's known samples the operating point keeps
KEEP = 0.95
BOOTSTRAP = 1000
#: `actlm predict`'s rule today: "low confidence" below this max softmax (actlm/pipeline.py)
PRODUCT_MIN_CONFIDENCE = 0.8
#: clip windows (frames, about 3 s at 30 fps) and their stride, to see whether the clip verdict holds on parts
WINDOW, WINDOW_STRIDE = 90, 30
#: other K reported for the kNN score, to show how much the result depends on it (K stays KNN_K)
KNN_SENSITIVITY = (1, 5, 20, 50)
SCORES = ("max_softmax", "max_logit", "energy", "text_cosine", "knn_cosine", "mahalanobis")


def fingerprint(checkpoint: Path) -> str:
    """12 hex digits of the checkpoint's weights and the general dataset's importer versions."""
    import hashlib

    from actlm.data.catalog import importer_versions

    weights = next((p for p in (checkpoint / "model.safetensors", checkpoint / "best" / "model.safetensors")
                    if p.is_file()), None)
    if weights is None:
        raise FileNotFoundError(f"{checkpoint}: no model.safetensors (nor best/model.safetensors)")
    digest = hashlib.sha256(weights.read_bytes())
    digest.update(json.dumps(importer_versions("general"), sort_keys=True).encode())
    return digest.hexdigest()[:12]


# --- one forward pass per run and partition ------------------------------------------------------
def extract(checkpoint: Path, split: str, cache: Path) -> dict[str, np.ndarray]:
    """Pooled features, classifier logits and text cosines of ``checkpoint`` on the general dataset's
    ``split`` (its test pipeline, 1 clip), with labels as general class names; cached in ``cache``, under a
    name that carries the weights' and the data importers' fingerprint (retrained weights or a changed
    importer never reuse old features)."""
    cache = cache.with_name(f"{cache.stem}_{fingerprint(checkpoint)}{cache.suffix}")
    if cache.is_file():
        d = np.load(cache)
        return {k: d[k] for k in d.files}
    import torch
    from torch.utils.data import DataLoader

    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint

    torch.set_num_threads(1)
    model, meta = load_checkpoint(checkpoint)
    model.eval()
    ds = load("general", split=split)
    loader = DataLoader(SkeletonDataset(ds, meta.test_pipeline), batch_size=64)
    batches = [(outputs(model, x), y) for x, y, _ in loader]
    out = {key: np.concatenate([b[key] for b, _ in batches]) for key in batches[0][0]}
    out["label_names"] = np.array(ds.classes)[torch.cat([y for _, y in batches]).numpy()]
    out["model_classes"] = np.array(meta.classes)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **out)
    return out


def outputs(model, x: "torch.Tensor") -> dict[str, np.ndarray]:
    """Pooled features (the product's :func:`pooled_features`), classifier logits and the cosines to
    the class texts (a HocSLM's ``text_logits`` without its scale, from the same features: one
    forward pass) of one input batch."""
    import torch
    import torch.nn.functional as F

    from actlm.engine.openset import pooled_features

    with torch.no_grad():
        f = pooled_features(model, x)
        texts = F.normalize(model.text_projection(model.class_text), dim=-1)
        if not hasattr(model, "encoder"):       # an ensemble of seeds (actlm.encoder.ensemble): its own heads;
            # "logits" give its probability (the mean of the members'), "class_logits" the members' mean
            # logits, for the scores that read a logit's size (max logit, energy)
            return {"features": f.numpy(), "logits": model(x).numpy(), "text_cosine": (model.embed(x) @ texts.T).numpy(),
                    "class_logits": model.member_logits(x).mean(0).numpy()}
        return {"features": f.numpy(), "logits": model.encoder.classifier(f).numpy(),
                "text_cosine": (F.normalize(model.skeleton_projection(f), dim=-1) @ texts.T).numpy()}


def model_labels(data: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(known mask, the model's class index of each known sample, -1 for unknown)."""
    index = {str(c): i for i, c in enumerate(data["model_classes"])}
    y = np.array([index.get(str(n), -1) for n in data["label_names"]])
    return y >= 0, y


# --- scores --------------------------------------------------------------------------------------
def all_scores(train: dict, test: dict, k: int = KNN_K) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each score on the test set and on the training partition's known samples (the latter for the
    operating point). The kNN bank and the Gaussians come from the training partition's known samples."""
    known_tr, y_tr = model_labels(train)
    f_tr, lg_tr, cos_tr = train["features"][known_tr], train["logits"][known_tr], train["text_cosine"][known_tr]
    raw_tr, raw_test = train.get("class_logits", train["logits"])[known_tr], test.get("class_logits", test["logits"])
    gauss = ClassGaussians.fit(f_tr, y_tr[known_tr])
    on_test = {"max_softmax": max_softmax(test["logits"]), "max_logit": max_logit(raw_test),
               "energy": energy(raw_test), "text_cosine": test["text_cosine"].max(1),
               "knn_cosine": knn_cosine(test["features"], f_tr, k), "mahalanobis": gauss.score(test["features"])}
    on_train = {"max_softmax": max_softmax(lg_tr), "max_logit": max_logit(raw_tr), "energy": energy(raw_tr),
                "text_cosine": cos_tr.max(1), "knn_cosine": knn_cosine(f_tr, f_tr, k, leave_self_out=True),
                "mahalanobis": gauss.score(f_tr)}
    return on_test, on_train


def bootstrap_draws(known: np.ndarray, n: int = BOOTSTRAP, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` resamples of the test set (known and unknown resampled apart), shared by every score so
    that differences between scores are paired."""
    rng = np.random.default_rng(seed)
    k_idx, u_idx = np.flatnonzero(known), np.flatnonzero(~known)
    return [(rng.choice(k_idx, len(k_idx)), rng.choice(u_idx, len(u_idx))) for _ in range(n)]


def interval(x: np.ndarray) -> list[float]:
    return [float(np.quantile(x, 0.025)), float(np.quantile(x, 0.975))]


def bootstrap_aurocs(s: np.ndarray, draws: list) -> np.ndarray:
    return np.array([auroc(s[a], s[b]) for a, b in draws])


def score_report(s: np.ndarray, threshold: float, base_kept: np.ndarray, base_aurocs: np.ndarray,
                 known: np.ndarray, draws: list) -> dict:
    """AUROC, FPR at 95 % TPR and the operating point (``threshold``) of score ``s`` on the test set,
    with bootstrap intervals of its differences to the baseline (its bootstrap AUROCs and the
    samples its own threshold keeps)."""
    aurocs = bootstrap_aurocs(s, draws)
    return {"auroc": auroc(s[known], s[~known]), "auroc_ci": interval(aurocs),
            "auroc_minus_msp_ci": interval(aurocs - base_aurocs),
            "fpr_at_95tpr": fpr_at_tpr(s[known], s[~known]), "threshold": float(threshold),
            **rule_report(s >= threshold, base_kept, known, draws)}


def rule_report(kept: np.ndarray, base_kept: np.ndarray, known: np.ndarray, draws: list) -> dict:
    """Test TPR / FPR of a decision rule (``kept``: called known) with paired bootstrap intervals of
    their differences to the baseline rule ``base_kept``."""
    return {"test_tpr_at_threshold": float(kept[known].mean()), "test_fpr_at_threshold": float(kept[~known].mean()),
            "tpr_minus_msp_ci": interval(np.array([kept[a].mean() - base_kept[a].mean() for a, _ in draws])),
            "fpr_minus_msp_ci": interval(np.array([kept[b].mean() - base_kept[b].mean() for _, b in draws]))}


def knn_sensitivity(train: dict, test: dict, known: np.ndarray, ks: tuple[int, ...] = KNN_SENSITIVITY) -> dict:
    """AUROC and operating point of the kNN score for other K (robustness only; K is not chosen here)."""
    known_tr, _ = model_labels(train)
    bank = train["features"][known_tr]
    out = {}
    for k in ks:
        s = knn_cosine(test["features"], bank, k)
        threshold = np.quantile(knn_cosine(bank, bank, k, leave_self_out=True), 1 - KEEP)
        out[k] = {"auroc": auroc(s[known], s[~known]), "test_tpr_at_threshold": float((s[known] >= threshold).mean()),
                  "test_fpr_at_threshold": float((s[~known] >= threshold).mean())}
    return out


def evaluate_split(k: int, unseen: list[str], cache_root: Path) -> dict:
    run = ROOT / RUNS[k][1]            # the zero-shot runs (not in git), as general_zeroshot trains them
    train = extract(run, "train", cache_root / f"{run.name}_train.npz")
    test = extract(run, "test", cache_root / f"{run.name}_test.npz")
    assert not set(map(str, train["model_classes"])) & set(unseen), f"{run} was trained on an unseen class"
    known, _ = model_labels(test)
    assert set(map(str, test["label_names"][~known])) <= set(unseen)
    on_test, on_train = all_scores(train, test)
    draws = bootstrap_draws(known)
    thresholds = {name: float(np.quantile(on_train[name], 1 - KEEP)) for name in SCORES}
    base = on_test["max_softmax"]
    base_kept, base_aurocs = base >= thresholds["max_softmax"], bootstrap_aurocs(base, draws)
    per_score = {name: score_report(s, thresholds[name], base_kept, base_aurocs, known, draws)
                 for name, s in on_test.items()}
    today = base >= PRODUCT_MIN_CONFIDENCE
    rules = {f"max_softmax >= {PRODUCT_MIN_CONFIDENCE} (today's rule)": rule_report(today, base_kept, known, draws),
             f"max_softmax >= {PRODUCT_MIN_CONFIDENCE} and knn_cosine kept": rule_report(
                 today & (on_test["knn_cosine"] >= thresholds["knn_cosine"]), base_kept, known, draws)}
    flagged = {name: {c: float((on_test[name][test["label_names"] == c] < thresholds[name]).mean()) for c in unseen}
               for name in ("max_softmax", "knn_cosine")}
    return {"split": k, "run": RUNS[k][1], "unseen": unseen, "n_known": int(known.sum()),
            "n_unknown": int((~known).sum()), "n_train_known": int(model_labels(train)[0].sum()),
            "scores": per_score, "rules": rules, "knn_sensitivity": knn_sensitivity(train, test, known),
            "unknown_flagged_per_class": flagged}


def clip_skeletons(meta, videos: Path) -> dict[str, np.ndarray]:
    """Each shared clip's skeleton in the model's layout, as `actlm predict` builds it (cached
    BlazePose keypoints), before the checkpoint's test pipeline."""
    from actlm.pipeline import skeleton_for_model

    from .openset_poses import CLIPS, cached_pose

    out = {}
    for name in CLIPS:
        pose, _ = cached_pose(videos / name)
        out[name], _ = skeleton_for_model(pose, meta.layout, meta.model.args.get("num_persons", 1),
                                          meta.model.args.get("in_channels"))
    return out


def clip_inputs(meta, videos: Path) -> dict[str, "torch.Tensor"]:
    """Each shared clip's model input as `actlm predict` builds it."""
    import torch

    from actlm.data.transforms import build_pipeline

    pipeline = build_pipeline(meta.test_pipeline, meta.layout)
    return {name: torch.from_numpy(pipeline(data, np.random.default_rng(0)))[None]
            for name, data in clip_skeletons(meta, videos).items()}


def test_sources(n: int) -> np.ndarray:
    """The source dataset of each general test sample, in :func:`extract`'s order."""
    from actlm.data import load

    ids = load("general", split="test").sample_ids
    assert len(ids) == n
    return np.array([str(i).split("/")[0] for i in ids])


def window_kept(model, meta, videos: Path, neighbours_of: Callable[[np.ndarray], np.ndarray]) -> dict[str, list[bool]]:
    """Whether the kNN score keeps each 3 s window (:data:`WINDOW` frames every :data:`WINDOW_STRIDE`) of each clip."""
    import torch

    from actlm.data.transforms import build_pipeline
    from actlm.engine.openset import pooled_features

    pipeline = build_pipeline(meta.test_pipeline, meta.layout)
    out = {}
    for name, data in clip_skeletons(meta, videos).items():
        starts = range(0, max(1, data.shape[1] - WINDOW + 1), WINDOW_STRIDE)
        x = torch.stack([torch.from_numpy(pipeline(data[:, s:s + WINDOW], np.random.default_rng(0))) for s in starts])
        with torch.no_grad():
            out[name] = [bool(v) for v in neighbours_of(pooled_features(model, x).numpy())]
    return out


def predict_answers(checkpoint: Path, videos: Path) -> dict[str, str]:
    """The decision line `actlm predict` prints for each clip (cached poses), without the class list."""
    from actlm.pipeline import predict_video

    from .openset_poses import CLIPS, cached_pose

    out = {}
    for name in CLIPS:
        pose, seconds = cached_pose(videos / name)
        prediction, _ = predict_video(videos / name, checkpoint, pose=pose, pose_seconds=seconds)
        out[name] = prediction.summary().splitlines()[1].split(". Known actions:")[0].split(" (pick up with one hand,")[0]
    return out


def real_clips(checkpoint: Path, videos: Path, cache_root: Path) -> dict:
    """The shipped model on the five shared clips: every score, its percentile among the shipped
    model's training samples, and whether the 95 %-of-training threshold keeps it; with the share of
    the model's own (all known) test samples each threshold keeps."""
    from actlm.engine import load_checkpoint

    from .openset_poses import CLIPS

    train = extract(checkpoint, "train", cache_root / f"{checkpoint.name}_train.npz")
    test = extract(checkpoint, "test", cache_root / f"{checkpoint.name}_test.npz")
    model, meta = load_checkpoint(checkpoint)
    model.eval()
    clips = clip_inputs(meta, videos)
    batch = [outputs(model, x) for x in clips.values()]
    stacked = {key: np.concatenate([b[key] for b in batch]) for key in batch[0]}
    # the clips and the test samples scored in one call (one fit of the scorers on the training partition)
    both = {key: np.concatenate([stacked[key], test[key]]) for key in stacked}
    on_both, on_train = all_scores(train, both)
    on_clips = {s: v[:len(clips)] for s, v in on_both.items()}
    on_test = {s: v[len(clips):] for s, v in on_both.items()}
    thresholds = {name: float(np.quantile(on_train[name], 1 - KEEP)) for name in SCORES}
    classes = [str(c) for c in train["model_classes"]]
    rows = {}
    for i, name in enumerate(clips):
        rows[name] = {"action": CLIPS[name], "known_class": CLIPS[name] in classes,
                      "top": classes[int(stacked["logits"][i].argmax())],
                      "scores": {s: {"value": float(on_clips[s][i]),
                                     "train_percentile": float(100 * (on_train[s] < on_clips[s][i]).mean()),
                                     "kept": bool(on_clips[s][i] >= thresholds[s])} for s in SCORES}}
    sources = test_sources(len(test["features"]))
    kept_by_source = {src: float((on_test["knn_cosine"][sources == src] >= thresholds["knn_cosine"]).mean())
                      for src in np.unique(sources)}
    bank = train["features"][model_labels(train)[0]]
    windows = window_kept(model, meta, videos, lambda f: knn_cosine(f, bank, KNN_K) >= thresholds["knn_cosine"])
    for name, kept in windows.items():
        rows[name]["knn_windows_kept"] = [int(sum(kept)), len(kept)]
    for name, answer in predict_answers(checkpoint, videos).items():
        rows[name]["actlm_predict_says"] = answer
    return {"checkpoint": str(checkpoint.relative_to(ROOT)), "thresholds": thresholds,
            "own_test_tpr": {s: float((on_test[s] >= thresholds[s]).mean()) for s in SCORES},
            "product_rule_own_test_tpr": float((on_test["max_softmax"] >= PRODUCT_MIN_CONFIDENCE).mean()),
            "proposed_rule_own_test_tpr": float(((on_test["max_softmax"] >= PRODUCT_MIN_CONFIDENCE)
                                                 & (on_test["knn_cosine"] >= thresholds["knn_cosine"])).mean()),
            "knn_own_test_kept_by_source": kept_by_source, "clips": rows}


def summarise(rows: list[dict]) -> dict:
    keys = ("auroc", "fpr_at_95tpr", "test_tpr_at_threshold", "test_fpr_at_threshold")
    return {name: {key: {"mean": float(np.mean([r["scores"][name][key] for r in rows])),
                         "std": float(np.std([r["scores"][name][key] for r in rows], ddof=1))} for key in keys}
            for name in SCORES}


# --- results file --------------------------------------------------------------------------------
def per_split_table(r: dict) -> list[str]:
    lines = [f"Split {r['split']} ({r['run']}; {r['n_known']} known / {r['n_unknown']} unknown test samples; "
             f"unseen: {', '.join(r['unseen'])})", "",
             "| score | AUROC [95 % CI] | AUROC - max softmax [95 % CI] | FPR at 95 % TPR | operating point: test TPR / FPR "
             "| TPR - max softmax's [95 % CI] | FPR - max softmax's [95 % CI] |", "|---|---|---|---|---|---|---|"]
    ci = lambda lo_hi: f"[{pct(lo_hi[0])}, {pct(lo_hi[1])}]"   # noqa: E731
    base = r["scores"]["max_softmax"]
    for name, s in [*r["scores"].items(), *r["rules"].items()]:
        first, rule = name == "max_softmax", "auroc" not in s
        lines.append(f"| {name} | " + ("-" if rule else f"{pct(s['auroc'])} {ci(s['auroc_ci'])}") + " | "
                     + ("-" if first or rule else f"{pct(s['auroc'] - base['auroc'])} {ci(s['auroc_minus_msp_ci'])}")
                     + " | " + ("-" if rule else pct(s['fpr_at_95tpr']))
                     + f" | {pct(s['test_tpr_at_threshold'])} / {pct(s['test_fpr_at_threshold'])} | "
                     + ("-" if first else f"{pct(s['test_tpr_at_threshold'] - base['test_tpr_at_threshold'])} "
                        f"{ci(s['tpr_minus_msp_ci'])}")
                     + " | " + ("-" if first else f"{pct(s['test_fpr_at_threshold'] - base['test_fpr_at_threshold'])} "
                                f"{ci(s['fpr_minus_msp_ci'])}") + " |")
    return lines + [""]


def clips_table(c: dict) -> list[str]:
    lines = [f"## The five shared real clips, shipped model `{c['checkpoint']}` (all 59 classes)", "",
             "Thresholds keep 95 % of the shipped model's training partition (kNN bank and Gaussians fitted on it). "
             "Share of the shipped model's own test partition (every sample a known class) they keep: "
             + ", ".join(f"{s} {pct(v)}" for s, v in c["own_test_tpr"].items())
             + f"; today's rule (max softmax >= {PRODUCT_MIN_CONFIDENCE}) keeps {pct(c['product_rule_own_test_tpr'])}, "
             f"today's rule and knn_cosine kept {pct(c['proposed_rule_own_test_tpr'])}. knn_cosine keeps, per source "
             "dataset of the test partition: " + ", ".join(f"{k} {pct(v)}" for k, v in c["knn_own_test_kept_by_source"].items())
             + " (Penn Action: 2D keypoints annotated on real sports videos, the closest to a user's video).", "",
             "Each cell: value (percentile among training samples), kept = called known.", "",
             "| clip (action) | top class | " + " | ".join(SCORES) + " |", "|---|---|" + "---|" * len(SCORES)]
    for name, row in c["clips"].items():
        cells = [f"{v['value']:.3g} ({v['train_percentile']:.0f}) {'kept' if v['kept'] else '**unknown**'}"
                 for v in row["scores"].values()]
        lines.append(f"| {name} ({row['action']}{', a known class' if row['known_class'] else ''}) | {row['top']} | "
                     + " | ".join(cells) + " |")
    lines += ["", f"kNN verdict on {WINDOW}-frame windows every {WINDOW_STRIDE} frames (windows kept as known / windows): "
              + ", ".join(f"{name} {row['knn_windows_kept'][0]}/{row['knn_windows_kept'][1]}" for name, row in c["clips"].items())]
    lines += ["", "What `actlm predict CLIP` says (its decision line, class list left out):", ""]
    lines += [f"- {name}: {row['actlm_predict_says']}" for name, row in c["clips"].items() if "actlm_predict_says" in row]
    return lines + [""]


def write(results: dict, reading: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "openset.json").write_text(json.dumps(results, indent=1))
    rows, summ = results["splits"], results["summary"]
    lines = ["# Unknown actions: which score separates trained from never-seen classes (3 zero-shot splits)", "",
             f"`{results['command']}` (commit {results['commit']}, {results['date']}, 1 CPU thread). Runs: the three "
             "zero-shot runs of experiments/general_zeroshot.py (`general/hocslm_2d`, 8 epochs, 2D input, each trained "
             "without 12 of the 59 merged classes). Known: test samples of the run's 47 trained classes; unknown: "
             "test samples of its 12 held-out classes. Scores are known-ness (higher = known). kNN bank and class "
             f"Gaussians fitted on the run's training partition (trained classes only); kNN K = {KNN_K} (fixed in "
             f"advance). Operating point: the threshold keeping {KEEP:.0%} of the training partition's known samples "
             "(no test data; kNN leaves each sample's own match out). Bootstrap: "
             f"{BOOTSTRAP} resamples of the test set, known and unknown apart, the same for every score (paired "
             "differences), 95 % intervals.", "", "## Per split (%)", ""]
    for r in rows:
        lines += per_split_table(r)
    m = lambda name, key: f"{pct(summ[name][key]['mean'])} ± {pct(summ[name][key]['std'])}"   # noqa: E731
    lines += ["## Mean ± std over the 3 splits (%, ddof 1)", "",
              "| score | AUROC | FPR at 95 % TPR (lower is better) | operating point: test TPR | test FPR |",
              "|---|---|---|---|---|"]
    for name in SCORES:
        lines.append(f"| {name} | {m(name, 'auroc')} | {m(name, 'fpr_at_95tpr')} | {m(name, 'test_tpr_at_threshold')} | "
                     f"{m(name, 'test_fpr_at_threshold')} |")
    lines += ["", "AUROC: probability that a known test sample scores above an unknown one (50 = chance). FPR at 95 % "
              "TPR: fraction of unknown samples kept as known by the threshold (chosen on the test set, the usual "
              "metric) that keeps 95 % of known ones. Operating point: threshold chosen WITHOUT test data, keeping "
              "95 % of the training partition's known samples; its test TPR falls below 95 % where the model "
              "scores its own training samples higher than new ones.", "",
              f"kNN with other K (robustness only; K = {KNN_K} was fixed before measuring): AUROC / operating-point "
              "FPR per split (%):", ""]
    for r in rows:
        lines.append(f"- split {r['split']}: " + "; ".join(
            f"K={k} {pct(v['auroc'])} / {pct(v['test_fpr_at_threshold'])}" for k, v in r["knn_sensitivity"].items()))
    lines += ["", "Unknown test samples flagged at the operating point, per held-out class (%, max softmax -> kNN):", ""]
    for r in rows:
        f = r["unknown_flagged_per_class"]
        lines.append(f"- split {r['split']}: " + ", ".join(
            f"{c} {pct(f['max_softmax'][c])} -> {pct(f['knn_cosine'][c])}" for c in r["unseen"]))
    lines += [""]
    if results.get("clips"):
        lines += clips_table(results["clips"])
    lines += [reading.strip(), ""]
    (RESULTS / "openset.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "actlm" / "openset",
                   help="where the runs' features are cached (outside the repository)")
    p.add_argument("--videos", type=Path, default=ROOT.parent / "shared" / "data" / "videos")
    p.add_argument("--no-clips", action="store_true", help="skip the shipped model on the real clips")
    p.add_argument("--reading", default=None, help="a file with the hand-written reading (default: the previous one)")
    a = p.parse_args(argv)
    names = class_names()
    rows = [evaluate_split(k, unseen, a.cache) for k, unseen in enumerate(all_splits(names))]
    clips = None if a.no_clips else real_clips(SHIPPED, a.videos, a.cache)
    results = {"splits": rows, "summary": summarise(rows), "clips": clips, "knn_k": KNN_K, "keep": KEEP, "bootstrap": BOOTSTRAP,
               "command": "python -m experiments.openset_benchmark", "commit": commit(),
               "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    reading = previous_reading(RESULTS / "openset.json", a.reading)
    results["reading"] = reading
    write(results, reading)
    print(json.dumps(results["summary"], indent=1))


if __name__ == "__main__":
    main()
