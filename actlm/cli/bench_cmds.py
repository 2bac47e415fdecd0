"""``actlm bench``: what a model costs (parameters, FLOPs, latency, training throughput)."""
from __future__ import annotations

import json
from pathlib import Path

import click
import torch

from . import main


def _is_checkpoint(target: str) -> bool:
    path = Path(target)
    return path.is_dir() and ((path / "config.json").exists() or (path / "best" / "config.json").exists())


def model_and_example(target: str, overrides: list[str]) -> tuple[torch.nn.Module, torch.Tensor, str]:
    """The model TARGET names and one test input for it: (model, (1, M, T, V, C), description)."""
    if _is_checkpoint(target):
        if overrides:
            raise click.UsageError(f"{target} is a checkpoint; overrides ({overrides[0]} ...) only apply to configs")
        from ..engine import load_checkpoint
        from ..export import example_input

        model, meta = load_checkpoint(target)
        return model, example_input(meta), f"checkpoint {meta.path} ({meta.model.name}, layout {meta.layout})"
    from ..data import load
    from ..data.loader import SkeletonDataset
    from ..encoder import build_model
    from ..engine import load_config
    from ..engine.trainer import model_args_for

    cfg = load_config(target, overrides)
    test_set = load(cfg.data.dataset, split=cfg.data.test_split, data_root_dir=cfg.data.data_root)
    example = SkeletonDataset(test_set, cfg.data.test_pipeline, seed=cfg.train.seed)[0][0]
    args = model_args_for(cfg, test_set, example)  # the model `actlm train` would build for this data
    return build_model(cfg.model.name, **args), example[None], f"config {target} ({cfg.model.name} on {test_set.name})"


@main.command("bench", context_settings={"ignore_unknown_options": True})
@click.argument("target")
@click.argument("overrides", nargs=-1)
@click.option("--frames", type=click.IntRange(min=1), default=None, help="Sequence length to measure (default: the test pipeline's).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="torch threads (default: torch's own choice).")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True, help="Batch of the timed training steps.")
@click.option("--steps", type=click.IntRange(min=1), default=20, show_default=True, help="Timed training steps.")
@click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True, help="Timed batch-1 forward passes.")
@click.option("--onnx", is_flag=True, help="Also time the ONNX export with onnxruntime.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_cmd(target: str, overrides: tuple[str, ...], frames: int | None, threads: int | None, batch_size: int, steps: int, runs: int,
              onnx: bool, as_json: bool) -> None:
    """Cost of a model: parameters, FLOPs per sequence, batch-1 latency, training samples/s.

    TARGET is a checkpoint (a run directory or a checkpoint folder) or a config (a shipped name
    such as nw-ucla/hglnet_joint, or a YAML path; the model is built for the config's data as
    `actlm train` builds it; OVERRIDES as for train, e.g. data.test_pipeline.1.length=32).
    Measured on the inference path (HocSLM: HGLNet alone).
    """
    from ..cost import measure_cost

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, example, what = model_and_example(target, list(overrides))
    if frames:
        example = torch.randn(1, example.shape[1], frames, *example.shape[3:])
    report = {"target": what, **measure_cost(model, example, batch_size, steps, runs, onnx)}
    if as_json:
        click.echo(json.dumps(report, indent=1))
        return
    m, t, v, c = report["input_shape"][1:]
    click.echo(f"{what}\ninput: {m} person(s) x {t} frames x {v} joints x {c} channels; {report['threads']} threads")
    click.echo(f"parameters       {report['params_m']:.3f} M (inference path {report['inference_params_m']:.3f} M)")
    click.echo(f"FLOPs/sequence   {report['gflops_per_sequence']:.3f} G")
    click.echo(f"latency, batch 1 {report['latency_ms_b1']:.1f} ms (median of {runs})"
               + (f"; onnxruntime {report['onnx_latency_ms_b1']:.1f} ms" if onnx else ""))
    click.echo(f"training         {report['train_samples_per_s']:.1f} samples/s at batch {batch_size} "
               f"(classification step, median of {steps})")
