"""The general model (actlm/checkpoints/general-2d) measured: per dataset, on real clips, its cost.

    python -m experiments.general_benchmark [--checkpoint actlm/checkpoints/general-2d] [--threads 1]

- per source dataset, test top-1 of the general model on the merged test split (the dataset's
  standard test protocol, 2D front view of the 3D sets), scored among all merged classes and among
  the dataset's own classes only, next to that dataset's own model (experiments/results/datasets.md,
  README); the 3D sets also from other viewpoints (yaw drawn in +-60 degrees, one fixed draw) and,
  with ``--checkpoint-3d RUN`` (general/hocslm_3d: the same recipe reading the Kinect sets in 3D),
  from 3D;
- the shared real clips (../shared/data/videos): what the model says for each (top 3, confident or
  not at the default --min-confidence 0.8), and the rank of the right action when the five clips'
  actions are given as text classes (open vocabulary, their PURLS Kinetics descriptions);
- CPU cost: BlazePose + model per 10 s of video (300 frames at 30 fps), model size on disk, parameters;
- with ``--zsl-run RUN --unseen "a,b,..."`` (a general/hocslm_2d run trained without those classes,
  data.train_classes), zero-shot inside the union: ZSL top-1 among the unseen classes' texts on
  their test samples, and GZSL (all 59 texts, all test samples): seen and unseen mean per-class
  accuracy and their harmonic mean H, direct text scoring. ``--reuse`` keeps the other measurements
  of experiments/results/general.json and adds this one; ``--reuse`` without ``--zsl-run`` measures
  the checkpoint again (per dataset, other viewpoints, real clips, cost) and keeps the earlier
  zero-shot and 3D runs' measurements (neither reads the shipped weights).
Results: experiments/results/general.{json,md} (command, commit, date).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

DEFAULT = Path("actlm/checkpoints/general-2d")
THREE_D = ("nw-ucla", "utd-mhad", "sbu", "msrc-12")     # the merged set's 3D (Kinect) sources
RESULTS = Path("experiments/results")
#: each dataset's own model, test top-1 % (experiments/results/datasets.md, README benchmarks)
OWN_MODELS = {
    "nw-ucla": (94.4, "HGLNet joint, 3D, cross-view (README); the 3D video model: 87.7"),
    "utd-mhad": (96.5, "HGLNet joint, 3D, cross-subject, 80 epochs (datasets.md)"),
    "penn-action": (96.6, "HGLNet joint, 2D, official split, 15 epochs (datasets.md)"),
    "sbu": (89.1, "HGLNet joint, 3D, both persons together, fold 1, 100 epochs (datasets.md)"),
    "msrc-12": (None, "none: MSRC-12 is new here"),
}
#: the shared clips' actions, given as text classes (PURLS Kinetics descriptions)
CLIPS = {"arm_wrestling.mp4": "arm wrestling", "clean_and_jerk.mp4": "clean and jerk",
         "ntu_A055_hugging.avi": "hugging", "skateboarding.mp4": "skateboarding", "tai_chi.mp4": "tai chi"}


def per_dataset(checkpoint: Path, yaw: float = 0.0) -> dict[str, dict]:
    """Top-1 per source dataset on the general test split, among all classes and among its own."""
    from torch.utils.data import DataLoader

    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint
    from actlm.engine.trainer import predict

    model, meta = load_checkpoint(checkpoint)
    model.eval()
    ds = load("general", split="test")
    pipeline = [dict(t) for t in meta.test_pipeline]
    if yaw:
        pipeline[0] = {"type": "Project2D", "yaw": yaw}
    loader = DataLoader(SkeletonDataset(ds, pipeline), batch_size=128)
    logits, labels, index = predict(model, loader, torch.device("cpu"))
    sources = np.array([ds.meta(int(i))["source"] for i in index])
    return scores_by_source(np.asarray(logits), np.asarray(labels), sources)


def source_classes(source: str) -> list[int]:
    """The merged classes (indices) that hold samples of the ``source`` dataset."""
    from actlm.data.merged import CLASSES

    return [k for k, members in enumerate(CLASSES.values()) if any(d == source for d, _ in members)]


def scores_by_source(logits: np.ndarray, labels: np.ndarray, sources: np.ndarray) -> dict[str, dict]:
    """Top-1 of ``logits`` (N, 59 merged classes) per source dataset, among all classes and among its own."""
    out = {}
    for source in dict.fromkeys(sources):
        rows = sources == source
        own = source_classes(source)
        masked = np.full_like(logits[rows], -np.inf)
        masked[:, own] = logits[rows][:, own]
        out[source] = {"n": int(rows.sum()), "top1_all_classes": float((logits[rows].argmax(1) == labels[rows]).mean()),
                       "top1_own_classes": float((masked.argmax(1) == labels[rows]).mean()),
                       "own_classes": len(own)}
    return out


def clip_texts() -> str:
    """The five clips' actions as inline text classes, from the PURLS Kinetics sheet."""
    from actlm.language.class_texts import read_purls_sheet

    sheet = {t.name: t for t in read_purls_sheet("Kinetic-skeletons")}
    return "; ".join(f"{name}: {sheet[name].description}" for name in CLIPS.values())


def real_clips(checkpoint: Path, videos: Path) -> dict[str, dict]:
    """What the model says on each shared clip, and the rank of its action among the clips' texts."""
    from actlm.language.open_vocab import rescore_video_prediction
    from actlm.pipeline import estimate_pose, predict_video

    texts = clip_texts()
    out = {}
    for name, action in CLIPS.items():
        path = videos / name
        start = time.perf_counter()
        pose = estimate_pose(path)
        pose_s = time.perf_counter() - start
        prediction, _ = predict_video(path, checkpoint, pose=pose, pose_seconds=pose_s)
        text = rescore_video_prediction(prediction, pose, checkpoint, texts, top_k=len(CLIPS))
        ranked = [c for c, _ in text.top]
        out[name] = {"action": action, "frames": pose.frames, "frames_with_person": pose.frames_with_person,
                     "top3": [[c, round(p, 3)] for c, p in prediction.top[:3]], "confident": prediction.confident,
                     "named": bool(prediction.confident and prediction.top[0][0] == action),
                     "text_rank": ranked.index(action) + 1 if action in ranked else None,
                     "text_top": [[c, round(p, 3)] for c, p in text.top[:3]],
                     "pose_s": round(pose_s, 2), "model_s": round(prediction.timings["model_s"], 4),
                     "total_s": round(prediction.timings["total_s"], 2)}
    return out


def size(checkpoint: Path) -> dict:
    from actlm.engine import load_checkpoint

    model, _ = load_checkpoint(checkpoint)
    return {"mb_on_disk": round(sum(f.stat().st_size for f in checkpoint.iterdir() if f.is_file()) / 1e6, 2),
            "parameters_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 3)}


def zero_shot(run: Path, unseen: list[str], classes_file: str = "general") -> dict:
    """ZSL and GZSL of a run trained without the ``unseen`` classes, by `actlm eval --classes` (direct scoring)."""
    def evaluate(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "actlm", "eval", str(run), "--json", "--classes", classes_file,
                              *args], capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    zsl = evaluate("--class-subset", ",".join(unseen))
    gzsl = evaluate()
    per_class = {k: v for k, v in gzsl["per_class"].items() if v is not None}
    seen = float(np.mean([v for k, v in per_class.items() if k not in unseen]))
    new = float(np.mean([v for k, v in per_class.items() if k in unseen]))
    return {"run": str(run), "unseen": unseen, "zsl_top1": zsl["top1"], "zsl_n": zsl["n"],
            "gzsl_seen": seen, "gzsl_unseen": new, "gzsl_h": 2 * seen * new / (seen + new) if seen + new else 0.0}


def write(results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "general.json").write_text(json.dumps(results, indent=1))
    lines = ["# The general model (actlm/checkpoints/general-2d)", "",
             f"`{results['command']}` (commit {results['commit']}, {results['date']}, {results['threads']} CPU thread(s) "
             f"on the shared 2-core host). 2D input; test splits: each dataset's standard protocol "
             f"(actlm/data/merged.py).", "",
             "| dataset | test samples | general: top-1 among all classes | general: top-1 among the dataset's "
             "classes | other viewpoints (yaw +-60), all classes | from 3D (general/hocslm_3d), all classes "
             "| the dataset's own model |",
             "|---|---|---|---|---|---|---|"]
    from_3d = results.get("per_dataset_3d") or {}
    for source, r in results["per_dataset"].items():
        own, what = OWN_MODELS.get(source, (None, ""))
        turned = results["per_dataset_turned"].get(source, {}).get("top1_all_classes")
        three = from_3d.get(source, {}).get("top1_all_classes") if source in THREE_D else None
        lines.append(f"| {source} | {r['n']} | {100 * r['top1_all_classes']:.1f} % | "
                     f"{100 * r['top1_own_classes']:.1f} % ({r['own_classes']} classes) | "
                     + (f"{100 * turned:.1f} %" if turned is not None else "-") + " | "
                     + (f"{100 * three:.1f} %" if three is not None else "-") + " | "
                     + (f"{own:.1f} % ({what})" if own is not None else what) + " |")
    if from_3d:
        lines += ["", f"From 3D: {results['checkpoint_3d']}, the general recipe (same HGLNet, text head, oversampling "
                  "and 30 epochs) reading the four Kinect sets in 3D in the body frame (SpineAlign, view augmentation "
                  "RandomRotate 20/75/10 degrees) with Penn Action left out (2D only); not shipped, since video gives "
                  "reliable 2D keypoints only. Its classes are the same 59 (Penn Action's unused)."]
    lines += ["", "## Shared real clips (BlazePose, then the model; default --min-confidence 0.8)", "",
              "| clip | action | frames with a person | model says (top 3) | confident | among the 5 clips' "
              "actions as text: rank of the right one |", "|---|---|---|---|---|---|"]
    for clip, r in results["clips"].items():
        top = ", ".join(f"{c} {100 * p:.0f} %" for c, p in r["top3"])
        lines.append(f"| {clip} | {r['action']} | {r['frames_with_person']}/{r['frames']} | {top} | "
                     f"{'yes' if r['confident'] else 'no (low confidence)'} | {r['text_rank']} |")
    cost = results["cost"]
    lines += ["", "## CPU cost", "",
              f"- per 10 s clip (300 frames): {cost['seconds_per_10s_clip']:.1f} s in all, of which BlazePose "
              f"{cost['pose_seconds_per_10s_clip']:.1f} s and the model {cost['model_seconds']:.3f} s "
              f"(median over the clips, scaled to 300 frames)"
              + (f"; host load average {cost['load_average']} on {cost['cpus']} cores while measured (other jobs slow it)"
                 if "load_average" in cost else ""),
              f"- model: {results['size']['parameters_m']} M parameters, {results['size']['mb_on_disk']} MB on disk",
              ""]
    z = results.get("zero_shot")
    if z:
        lines += ["## Zero-shot inside the union (one split, one seed)", "",
                  f"Run {z['run']} (general/hocslm_2d trained without {len(z['unseen'])} of the 59 classes: "
                  f"{', '.join(z['unseen'])}; `{z['command']}`), direct text scoring with the shipped class texts (general):", "",
                  f"- ZSL: {100 * z['zsl_top1']:.1f} % top-1 among the {len(z['unseen'])} unseen classes' texts "
                  f"({z['zsl_n']} test samples; chance {100 / len(z['unseen']):.1f} %)",
                  f"- GZSL (all 59 texts): seen {100 * z['gzsl_seen']:.1f} %, unseen {100 * z['gzsl_unseen']:.1f} %, "
                  f"H {100 * z['gzsl_h']:.1f} % (mean per-class accuracy); no calibration applied", "",
                  "Three disjoint splits (this one and two more, other training seeds), with and without calibrated "
                  "stacking (gamma chosen on the training partition): results/general_zeroshot.md "
                  "(`python -m experiments.general_zeroshot`).", ""]
    not_done = [n for n in results["not_done"] if not n.startswith("zero-shot")]   # general_zeroshot.py
    lines += ["## Not measured here", ""] + [f"- {n}" for n in not_done]
    (RESULTS / "general.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=str(DEFAULT))
    p.add_argument("--videos", default="../shared/data/videos")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--zsl-run", default=None, help="a run trained without the --unseen classes")
    p.add_argument("--unseen", default="", help="comma-separated merged class names the --zsl-run never saw")
    p.add_argument("--reuse", action="store_true",
                   help="keep general.json's other measurements (with --zsl-run) or its zero-shot and 3D runs' (without)")
    p.add_argument("--checkpoint-3d", default=None, help="a general/hocslm_3d run's checkpoint: the 3D sets from 3D")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    checkpoint = Path(a.checkpoint)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    command = "python -m experiments.general_benchmark " + " ".join(sys.argv[1:])
    kept = json.loads((RESULTS / "general.json").read_text()) if a.reuse else {}
    if a.reuse and a.zsl_run:
        results = kept
        results["zero_shot"] = {**zero_shot(Path(a.zsl_run), a.unseen.split(",")), "command": command,
                                "commit": commit}
        results["not_done"] = [n for n in results["not_done"] if not n.startswith("zero-shot")] + [
            "zero-shot: more splits and seeds, calibrated stacking for GZSL (one split, one seed, 8 epochs only)"]
        write(results)
        print((RESULTS / "general.md").read_text())
        return
    results = {"command": command, "commit": commit,
               "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "threads": a.threads,
               "checkpoint": str(checkpoint), "per_dataset": per_dataset(checkpoint),
               "per_dataset_turned": per_dataset(checkpoint, yaw=60.0)}
    if a.checkpoint_3d:
        results["checkpoint_3d"] = a.checkpoint_3d
        results["per_dataset_3d"] = per_dataset(Path(a.checkpoint_3d))
    elif "per_dataset_3d" in kept:     # --reuse: the 3D run's measurement, made earlier (no shipped weights in it)
        results["checkpoint_3d"], results["per_dataset_3d"] = kept["checkpoint_3d"], kept["per_dataset_3d"]
    results["clips"] = real_clips(checkpoint, Path(a.videos))
    clips = list(results["clips"].values())
    pose_per_frame = float(np.median([c["pose_s"] / c["frames"] for c in clips]))
    model_s = float(np.median([c["model_s"] for c in clips]))
    results["cost"] = {"pose_seconds_per_10s_clip": 300 * pose_per_frame, "model_seconds": model_s,
                       "seconds_per_10s_clip": 300 * float(np.median([c["total_s"] / c["frames"] for c in clips])),
                       "load_average": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    results["size"] = size(checkpoint)
    if a.zsl_run:
        results["zero_shot"] = {**zero_shot(Path(a.zsl_run), a.unseen.split(",")), "command": command,
                                "commit": commit}
    elif "zero_shot" in kept:          # --reuse: the zero-shot run's measurement (its own command and commit)
        results["zero_shot"] = kept["zero_shot"]
    results["not_done"] = [
        *([] if "per_dataset_3d" in results else [
            "the 3D test sets from 3D: the shipped model reads 2D only (give --checkpoint-3d a general/hocslm_3d run)"]),
        ("zero-shot: more splits and seeds, calibrated stacking for GZSL" if "zero_shot" in results else
         "zero-shot inside the union (held-out fifths of the merged classes, several splits and seeds, ZSL top-1 "
         "and GZSL harmonic mean, calibrated stacking)") + ": not run in this session (CPU time)",
        "cross-dataset (train without one dataset, test on its classes): general_crossdataset.md "
        "(`python -m experiments.general_crossdataset`: the recipe trained without UTD-MHAD) and "
        "general_crossdataset_penn-action.md (`--held-out penn-action`: without Penn Action)",
        "explanations of the general model's video predictions were not checked here"]
    write(results)
    print((RESULTS / "general.md").read_text())


if __name__ == "__main__":
    main()
