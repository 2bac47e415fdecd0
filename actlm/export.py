"""ONNX export of a checkpoint's inference path (encoder + classifier), checked against torch."""
from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .data.errors import DataError
from .data.layouts import get_layout
from .engine.checkpoint import CheckpointMeta, load_checkpoint


class InferencePath(nn.Module):
    """What runs at inference: for HocSLM the HGLNet path only (text-free, same outputs)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model.encoder if hasattr(model, "encoder") and hasattr(model, "class_text") else model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def example_input(meta: CheckpointMeta, frames: int = 52) -> torch.Tensor:
    """A zero input of the shape the checkpoint's test pipeline makes (its last crop length)."""
    args = meta.model.args
    for t in meta.test_pipeline:
        frames = int(t.get("length", frames))
    joints = get_layout(meta.layout).num_joints
    return torch.zeros(1, args.get("num_persons", 1), frames, joints, args.get("in_channels", 3))


def export_onnx(checkpoint: str | Path, out: str | Path, opset: int = 17) -> Path:
    model, meta = load_checkpoint(checkpoint)
    try:
        return export_module(InferencePath(model).eval(), example_input(meta), out, opset)
    except DataError as exc:
        raise DataError(f"ONNX export of {checkpoint} failed: {exc}") from None


def export_module(net: torch.nn.Module, example: torch.Tensor, out: str | Path, opset: int = 17) -> Path:
    """Export ``net`` (input ``skeleton`` (N, M, T, V, C), output ``logits``; dynamic batch) to ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")   # a failed export leaves a file already at ``out`` as it was
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # shape checks traced as constants: intended
            torch.onnx.export(net, (example,), str(partial), input_names=["skeleton"], output_names=["logits"],
                              dynamic_axes={"skeleton": {0: "batch"}, "logits": {0: "batch"}},
                              opset_version=opset, dynamo=False)
    except Exception as exc:  # exporter failures are long; keep the first line
        partial.unlink(missing_ok=True)
        raise DataError(str(exc).splitlines()[0]) from None
    os.replace(partial, out)
    return out


def compare_onnx(checkpoint: str | Path, onnx_path: str | Path, inputs: np.ndarray, runs: int = 50) -> dict[str, float]:
    """Max |torch - onnxruntime| over ``inputs`` (N, M, T, V, C) and batch-1 median latencies."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise DataError("checking the export needs onnxruntime: pip install 'actlm[onnx]'") from None
    model, _ = load_checkpoint(checkpoint)
    net = InferencePath(model).eval()
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ref = net(torch.from_numpy(inputs)).numpy()
    got = session.run(["logits"], {"skeleton": inputs})[0]
    one = inputs[:1]
    timings: dict[str, list[float]] = {"torch": [], "onnx": []}
    with torch.inference_mode():
        for i in range(runs + 5):
            t = time.perf_counter()
            net(torch.from_numpy(one))
            t_torch = time.perf_counter() - t
            t = time.perf_counter()
            session.run(["logits"], {"skeleton": one})
            t_onnx = time.perf_counter() - t
            if i >= 5:
                timings["torch"].append(t_torch)
                timings["onnx"].append(t_onnx)
    torch_ms, onnx_ms = (float(np.median(timings[k]) * 1000) for k in ("torch", "onnx"))
    return {"max_abs_diff": float(np.abs(ref - got).max()), "same_argmax": float((ref.argmax(1) == got.argmax(1)).mean()),
            "torch_ms": torch_ms, "onnx_ms": onnx_ms, "onnx_over_torch": onnx_ms / torch_ms, "n": len(inputs)}
