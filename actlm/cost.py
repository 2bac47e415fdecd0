"""What a model costs: parameters, FLOPs per sequence, batch-1 latency, training throughput.

Behind ``actlm bench``. Everything is measured on the inference path (for HocSLM: HGLNet alone,
which is all that runs after training) with input of the shape the model's test pipeline makes.
The training step is the classification step (forward, cross-entropy, backward, SGD) of a copy
of the model, so the measured model is left untouched.
"""
from __future__ import annotations

import copy
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .data.errors import DataError
from .export import InferencePath, export_module


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_flops(net: nn.Module, example: torch.Tensor) -> int:
    """FLOPs of one forward pass (a multiply-add counts as 2, as torch's counter does)."""
    net.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(example)
    return int(counter.get_total_flops())


def median_ms(fn: Callable[[], Any], runs: int, warmup: int = 5) -> float:
    """Median wall time of ``fn`` in milliseconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def latency_ms(net: nn.Module, example: torch.Tensor, runs: int) -> float:
    net.eval()
    with torch.inference_mode():
        return median_ms(lambda: net(example), runs)


def training_samples_per_s(net: nn.Module, example: torch.Tensor, num_classes: int, batch_size: int,
                           steps: int) -> float:
    """Median speed of SGD classification steps at ``batch_size`` (on a copy of ``net``)."""
    model = copy.deepcopy(net).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    batch = torch.randn(batch_size, *example.shape[1:])
    labels = torch.randint(0, num_classes, (batch_size,))

    def step() -> None:
        loss = F.cross_entropy(model(batch), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return batch_size / (median_ms(step, steps, warmup=3) / 1000)


def onnx_latency_ms(net: nn.Module, example: torch.Tensor, runs: int) -> float:
    """Batch-1 latency of the same network exported to ONNX and run by onnxruntime."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise DataError("--onnx needs onnxruntime: pip install 'actlm[onnx]'") from None
    with tempfile.TemporaryDirectory() as tmp:
        path = export_module(net.eval(), example, Path(tmp) / "model.onnx")
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        feed = {"skeleton": example.numpy()}
        return median_ms(lambda: session.run(["logits"], feed), runs)


def measure_cost(model: nn.Module, example: torch.Tensor, batch_size: int = 16, steps: int = 20,
                 runs: int = 100, onnx: bool = False) -> dict[str, Any]:
    """Cost report of ``model`` for input shaped like ``example`` (1, M, T, V, C)."""
    net = InferencePath(model)
    num_classes = net.model.num_classes
    report: dict[str, Any] = {
        "input_shape": list(example.shape), "threads": torch.get_num_threads(),
        "params_m": round(count_parameters(model) / 1e6, 3),
        "inference_params_m": round(count_parameters(net) / 1e6, 3),
        "gflops_per_sequence": round(count_flops(net, example) / 1e9, 3),
        "latency_ms_b1": round(latency_ms(net, example, runs), 2),
        "batch_size": batch_size,
        "train_samples_per_s": round(training_samples_per_s(net, example, num_classes, batch_size, steps), 1),
    }
    if onnx:
        report["onnx_latency_ms_b1"] = round(onnx_latency_ms(net, example, runs), 2)
    return report
