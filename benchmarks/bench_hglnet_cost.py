"""Compute cost of HGLNet on NW-UCLA-shaped input: parameters, FLOPs, latency, training throughput.

The measuring code is ``actlm.engine.cost`` (what ``actlm bench CONFIG|CHECKPOINT`` prints); this
script adds the comparison with the CTR-GCN reference and writes the results file.

    python benchmarks/bench_hglnet_cost.py [--config nw-ucla/hglnet_joint] [--out benchmarks/results/hglnet_cost.json]

Reference on this 2-core CPU (official CTR-GCN, same data shape, torch 2.13.0, 2 threads):
1.43M parameters, 1.235 GFLOPs per sequence, ~16 training samples/s at batch 16, 34-35 ms
median batch-1 latency.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import torch

from actlm.encoder import build_model
from actlm.engine.cost import measure_cost

REFERENCE = {"model": "CTR-GCN (official code)", "params_m": 1.43, "gflops": 1.235,
             "train_samples_per_s_b16": 16.0, "latency_ms_b1": 35.0}


def model_args_from_config(name: str | None) -> dict:
    if not name:
        return {}
    from actlm.engine.config import load_config  # the shipped config is the source of truth
    cfg = load_config(name)
    return dict(cfg.model.args)


def measure(model_args: dict, frames: int, joints_layout: str, threads: int, iters: int) -> dict:
    """HGLNet built from ``model_args``, measured by the same code as ``actlm bench``."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    args = {"num_classes": 10, "layout": joints_layout, "in_channels": 3, "num_persons": 1, **model_args}
    model = build_model("hglnet", **args)
    cost = measure_cost(model, torch.randn(1, 1, frames, model.num_joints, 3), batch_size=16, steps=iters, runs=iters * 5)
    return {"params_m": cost["params_m"], "gflops": cost["gflops_per_sequence"], "latency_ms_b1": round(cost["latency_ms_b1"], 1),
            "train_s_per_iter_b16": round(16 / cost["train_samples_per_s"], 3),
            "train_samples_per_s_b16": cost["train_samples_per_s"], "frames": frames, "threads": threads,
            "model_args": args}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="nw-ucla/hglnet_joint")
    parser.add_argument("--frames", type=int, default=52)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--out", default="benchmarks/results/hglnet_cost.json")
    a = parser.parse_args()
    result = measure(model_args_from_config(a.config), a.frames, "kinect-v1", a.threads, a.iters)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    report = {"command": "python benchmarks/bench_hglnet_cost.py " + " ".join(
                  f"--{k} {v}" for k, v in vars(a).items() if k != "out"),
              "commit": commit, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}",
              "hglnet": result, "reference": REFERENCE,
              "speedup_train_vs_reference": round(result["train_samples_per_s_b16"] / REFERENCE["train_samples_per_s_b16"], 2),
              "latency_ratio_vs_reference": round(result["latency_ms_b1"] / REFERENCE["latency_ms_b1"], 2)}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
