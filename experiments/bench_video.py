"""Video path cost: pose extraction speed, end-to-end `actlm predict`, ONNX vs torch latency.

    python -m experiments.bench_video [--threads 2] [--hglnet runs/bench/nw-ucla_joint_s1]

- BlazePose frames/s on every clip in ../shared/data/videos (decode + pose; frames with a person);
- wall seconds of `actlm predict ../shared/data/videos/tai_chi.mp4` (300 frames) with the shipped
  checkpoint, as a user runs it (new process: imports, model load, pose, model, attribution);
- batch-1 median latency of torch vs onnxruntime for the shipped checkpoint and a full HGLNet,
  and their max |difference| on 32 real NW-UCLA test samples.
Results: experiments/results/video.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch


def pose_speed(videos: Path) -> dict:
    from actlm.pose.backends import get_backend
    from actlm.pose.video import probe, read_frames
    out = {}
    for clip in sorted(videos.iterdir()):
        info = probe(clip)
        start = time.perf_counter()
        pose = get_backend("blazepose").estimate(read_frames(clip), info.fps)
        seconds = time.perf_counter() - start
        out[clip.name] = {"frames": pose.frames, "frames_with_person": pose.frames_with_person,
                          "resolution": f"{info.width}x{info.height}", "frames_per_s": round(pose.frames / seconds, 1)}
    return out


def predict_wall(video: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "actlm", "predict", str(video), "--json", f"{tmp}/p.json"],
                       check=True, capture_output=True)
        wall = time.perf_counter() - start
        report = json.loads(Path(f"{tmp}/p.json").read_text())
    return {"video": video.name, "wall_s": round(wall, 2), "pose_s": round(report["timings"]["pose_s"], 2),
            "model_s": round(report["timings"]["model_s"], 4), "top1": report["top"][0], "confident": report["confident"]}


def onnx_vs_torch(checkpoint: str) -> dict:
    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint
    from actlm.export import compare_onnx, export_onnx
    _, meta = load_checkpoint(checkpoint)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(checkpoint, f"{tmp}/m.onnx")
        data = SkeletonDataset(load("nw-ucla", split="test"), meta["test_pipeline"])
        x = np.stack([data[i][0].numpy() for i in range(32)])
        r = compare_onnx(checkpoint, path, x, runs=200)
    return {k: (v if k == "max_abs_diff" or not isinstance(v, float) else round(v, 4)) for k, v in r.items()}


def confidence_threshold(threshold: float) -> dict:
    """How the shipped model's confidence separates: NW-UCLA test coverage/accuracy above the threshold."""
    from torch.utils.data import DataLoader

    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint
    from actlm.pipeline import default_checkpoint
    model, meta = load_checkpoint(default_checkpoint())
    model.eval()
    probs, labels = [], []
    with torch.no_grad():
        for x, y, _ in DataLoader(SkeletonDataset(load("nw-ucla", split="test"), meta["test_pipeline"]), batch_size=64):
            probs.append(model(x).softmax(1))
            labels.append(y)
    p, y = torch.cat(probs), torch.cat(labels)
    top, correct = p.max(1).values.numpy(), (p.argmax(1) == y).numpy()
    kept = top >= threshold
    return {"threshold": threshold, "accuracy_all": float(correct.mean()), "answered": float(kept.mean()),
            "accuracy_answered": float(correct[kept].mean())}


def out_of_vocabulary(videos: Path, threshold: float) -> dict:
    """The shipped model on the clips whose actions are not NW-UCLA classes."""
    from actlm.pipeline import predict_video
    out = {}
    for name in ("tai_chi.mp4", "skateboarding.mp4", "clean_and_jerk.mp4", "arm_wrestling.mp4"):
        if (videos / name).exists():
            pred, _ = predict_video(videos / name, min_confidence=threshold)
            out[name] = {"top1": pred.top[0], "flagged_low_confidence": not pred.confident}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--videos", default="../shared/data/videos")
    p.add_argument("--hglnet", default="runs/bench/nw-ucla_joint_s1", help="a full-size HGLNet run for the ONNX comparison")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from actlm.pipeline import default_checkpoint
    result = {"pose": pose_speed(Path(a.videos)), "predict_tai_chi": predict_wall(Path(a.videos) / "tai_chi.mp4"),
              "onnx_shipped": onnx_vs_torch(str(default_checkpoint())),
              "confidence": confidence_threshold(0.8), "out_of_vocabulary": out_of_vocabulary(Path(a.videos), 0.8)}
    if Path(a.hglnet).exists():
        result["onnx_hglnet"] = onnx_vs_torch(a.hglnet)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    meta = {"command": "python -m experiments.bench_video " + " ".join(sys.argv[1:]), "commit": commit,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "threads": a.threads}
    out = Path("experiments/results")
    (out / "video.json").write_text(json.dumps({**meta, **result}, indent=1))
    lines = ["# Video -> action cost (2-core CPU)", "", f"- command: `{meta['command']}`", f"- commit {commit}, {meta['date']}", "",
             "| clip | resolution | frames | with a person | pose frames/s |", "|---|---|---|---|---|"]
    for name, r in result["pose"].items():
        lines.append(f"| {name} | {r['resolution']} | {r['frames']} | {r['frames_with_person']} | {r['frames_per_s']} |")
    pr = result["predict_tai_chi"]
    lines += ["", f"- `actlm predict {pr['video']}` end to end: {pr['wall_s']} s wall (pose {pr['pose_s']} s, model "
                  f"{pr['model_s'] * 1000:.1f} ms); answer: {pr['top1'][0]} ({pr['top1'][1]:.0%}), confident: {pr['confident']}"]
    for key, title in (("onnx_shipped", "shipped checkpoint"), ("onnx_hglnet", "full HGLNet (1.35M)")):
        if key in result:
            r = result[key]
            lines.append(f"- ONNX vs torch, {title}: batch-1 {r['onnx_ms']:.2f} ms vs {r['torch_ms']:.2f} ms "
                         f"(ratio {r['onnx_over_torch']:.2f}); max |diff| {r['max_abs_diff']:.1e} on {r['n']} real samples")
    c = result["confidence"]
    lines += ["", f"Shipped checkpoint, NW-UCLA test: top-1 {c['accuracy_all']:.1%}; at the default --min-confidence "
                  f"{c['threshold']} it answers {c['answered']:.0%} of sequences with {c['accuracy_answered']:.1%} accuracy "
                  f"and flags the rest as low confidence.", "",
              "Clips whose action is none of the 10 classes:"]
    for name, r in result["out_of_vocabulary"].items():
        lines.append(f"- {name}: top-1 {r['top1'][0]} ({r['top1'][1]:.0%}), flagged low confidence: {r['flagged_low_confidence']}")
    (out / "video.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
