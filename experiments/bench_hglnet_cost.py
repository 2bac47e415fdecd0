"""Compute cost of HGLNet on NW-UCLA-shaped input: parameters, FLOPs, latency, training throughput.

The measuring code is ``actlm.cost`` (what ``actlm bench CONFIG|CHECKPOINT`` prints); this
script adds the comparison with the CTR-GCN reference and writes the results file.

    python -m experiments.bench_hglnet_cost [--config nw-ucla/hglnet_joint] [--out experiments/results/hglnet_cost.json]
    python -m experiments.bench_hglnet_cost --reference-repo /path/to/CTR-GCN   # reference measured here too

With ``--reference-repo`` (a checkout of the official CTR-GCN code, https://github.com/Uason-Chen/CTR-GCN)
the reference model is built from that code and measured by the same functions, in the same
process, in alternating rounds with HGLNet: shared 2-core machines are noisy (the same model's
median latency moves by 30-50 % between rounds), so only numbers measured side by side are
compared, and each number is the median over ``--rounds`` rounds. Without it, the reference
numbers are the ones measured on the issue's machine (below) and the ratios are only indicative.

Reference on the issue's 2-core CPU (official CTR-GCN, same data shape, torch 2.13.0, 2 threads):
1.43M parameters, 1.235 GFLOPs per sequence, ~16 training samples/s at batch 16, 34-35 ms
median batch-1 latency.
"""
from __future__ import annotations

import argparse
import copy
import importlib
import json
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import torch
from torch import nn

from actlm.encoder import build_model
from actlm.cost import count_flops, count_parameters, latency_ms, onnx_latency_ms, training_samples_per_s

ISSUE_REFERENCE = {"model": "CTR-GCN (official code), measured on the issue's machine", "params_m": 1.43,
                   "gflops": 1.235, "train_samples_per_s_b16": 16.0, "latency_ms_b1": 35.0}


def model_args_from_config(name: str | None) -> dict:
    if not name:
        return {}
    from actlm.engine.config import load_config  # the shipped config is the source of truth
    cfg = load_config(name)
    return dict(cfg.model.args)


class CTRGCNReference(nn.Module):
    """The official CTR-GCN model for NW-UCLA, fed actlm's (N, M, T, V, C) input."""

    def __init__(self, repo: Path, num_classes: int = 10):
        super().__init__()
        sys.path.insert(0, str(repo))
        ctrgcn = importlib.import_module("model.ctrgcn")
        self.model = ctrgcn.Model(num_class=num_classes, num_point=20, num_person=1, graph="graph.ucla.Graph",
                                  graph_args={"labeling_mode": "spatial"})
        self.num_classes = num_classes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x.permute(0, 4, 2, 3, 1).contiguous())                  # -> (N, C, T, V, M)


def static_cost(net: nn.Module, example: torch.Tensor) -> dict:
    frozen = copy.deepcopy(net).requires_grad_(False)  # CTR-GCN's parameter views trip the FLOP counter's grad hooks
    return {"params_m": round(count_parameters(net) / 1e6, 3), "gflops": round(count_flops(frozen, example) / 1e9, 3)}


def one_round(net: nn.Module, example: torch.Tensor, iters: int, onnx: bool) -> dict:
    """Latency (torch and optionally onnxruntime) and training throughput, measured once."""
    result = {"latency_ms_b1": latency_ms(net, example, iters * 5),
              "train_samples_per_s_b16": training_samples_per_s(net, example, net.num_classes, 16, iters)}
    if onnx:
        result["onnx_latency_ms_b1"] = onnx_latency_ms(net, example, iters * 5)
    return result


def measure_side_by_side(nets: dict[str, nn.Module], example: torch.Tensor, iters: int, rounds: int,
                         onnx: bool) -> dict[str, dict]:
    """Every model measured in each round, rounds alternating; medians and per-round values."""
    per_round: dict[str, list[dict]] = {name: [] for name in nets}
    for r in range(rounds):
        for name, net in nets.items():
            per_round[name].append(one_round(net, example, iters, onnx))
            print(f"round {r + 1}/{rounds} {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in per_round[name][-1].items()),
                  flush=True)
    report = {}
    for name, rows in per_round.items():
        report[name] = {**static_cost(nets[name], example)}
        for key in rows[0]:
            values = [row[key] for row in rows]
            report[name][key] = round(statistics.median(values), 1)
            report[name][key + "_rounds"] = [round(v, 1) for v in values]
    return report


def paired_round_ratios(hglnet: dict, reference: dict) -> dict[str, list[float] | float]:
    """HGLNet / reference within each round (measured back to back, so they share the host's
    load of the moment) and the median of those: steadier than the ratio of the two medians."""
    out: dict[str, list[float] | float] = {}
    for key in ("latency_ms_b1", "onnx_latency_ms_b1", "train_samples_per_s_b16"):
        ours, theirs = hglnet.get(key + "_rounds"), reference.get(key + "_rounds")
        if ours and theirs:
            ratios = [round(a / b, 3) for a, b in zip(ours, theirs)]
            out[f"{key}_ratio_per_round"] = ratios
            out[f"{key}_ratio_paired_median"] = round(statistics.median(ratios), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="nw-ucla/hglnet_joint")
    parser.add_argument("--frames", type=int, default=52)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=20, help="training steps per round (latency: 5x as many runs)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reference-repo", type=Path, default=None,
                        help="checkout of the official CTR-GCN code, measured side by side")
    parser.add_argument("--no-onnx", action="store_true", help="skip the onnxruntime latency")
    parser.add_argument("--out", default="experiments/results/hglnet_cost.json")
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model_args = {"num_classes": 10, "layout": "kinect-v1", "in_channels": 3, "num_persons": 1,
                  **model_args_from_config(a.config)}
    nets: dict[str, nn.Module] = {"hglnet": build_model("hglnet", **model_args)}
    if a.reference_repo:
        nets["ctrgcn"] = CTRGCNReference(a.reference_repo)
    example = torch.randn(1, 1, a.frames, 20, 3)
    measured = measure_side_by_side(nets, example, a.iters, a.rounds, onnx=not a.no_onnx)
    reference = measured.get("ctrgcn", ISSUE_REFERENCE)
    hglnet = {**measured["hglnet"], "frames": a.frames, "threads": a.threads, "model_args": model_args}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    command = ["python -m experiments.bench_hglnet_cost"] + [
        f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items() if k not in ("out", "reference_repo", "no_onnx")]
    command += ["--reference-repo CTR-GCN"] if a.reference_repo else []
    command += ["--no-onnx"] if a.no_onnx else []
    report = {"command": " ".join(command), "commit": commit,
              "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": f"{platform.machine()}, {a.threads} threads, torch {torch.__version__}",
              "reference_measured_here": bool(a.reference_repo),
              "hglnet": hglnet, "reference": reference,
              "speedup_train_vs_reference": round(hglnet["train_samples_per_s_b16"] / reference["train_samples_per_s_b16"], 2),
              "latency_ratio_vs_reference": round(hglnet["latency_ms_b1"] / reference["latency_ms_b1"], 2)}
    if "onnx_latency_ms_b1" in hglnet and "onnx_latency_ms_b1" in reference:
        report["onnx_latency_ratio_vs_reference"] = round(hglnet["onnx_latency_ms_b1"] / reference["onnx_latency_ms_b1"], 2)
    report.update(paired_round_ratios(hglnet, reference))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k not in ("hglnet", "reference")}, indent=1))


if __name__ == "__main__":
    main()
