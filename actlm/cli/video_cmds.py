"""``actlm predict`` (video -> action) and ``actlm export`` (ONNX)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import main


def _frame_progress(total: int):
    from tqdm import tqdm
    return lambda frames: tqdm(frames, total=total or None, desc="pose", unit="frame", file=sys.stderr, dynamic_ncols=True)


@main.command("predict")
@click.argument("video", type=click.Path(dir_okay=False))
@click.option("--checkpoint", type=click.Path(exists=True), default=None,
              help="Classifier checkpoint (default: the small NW-UCLA model shipped with actlm).")
@click.option("--reasoner", type=click.Path(exists=True, file_okay=False), default=None,
              help="A reasoner folder (actlm train ... reasoner config) to add a written explanation "
                   "(default: the one shipped with actlm, when its language model is installed).")
@click.option("--no-reasoner", is_flag=True, help="Only the evidence explanation, no language model.")
@click.option("--backend", type=click.Choice(["blazepose", "coco-json"]), default=None,
              help="Pose source (default: blazepose for videos, coco-json for .json keypoint files).")
@click.option("--top-k", default=5, show_default=True)
@click.option("--min-confidence", default=0.8, show_default=True,
              help="Below this top-1 probability the action is reported as possibly unknown.")
@click.option("--classes", "class_spec", default=None,
              help="Open vocabulary (a skeleton-language --checkpoint): score these classes by their text: "
                   "'name: description; ...' or a .yaml/.json/.csv file of class texts.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write an annotated video (mp4).")
@click.option("--json", "json_out", default=None, help="Write the result as JSON to this file ('-' for stdout).")
def predict_cmd(video: str, checkpoint: str | None, reasoner: str | None, no_reasoner: bool, backend: str | None,
                top_k: int, min_confidence: float, class_spec: str | None, out: str | None, json_out: str | None) -> None:
    """Recognise the action in VIDEO (any format OpenCV reads, or a COCO-17 keypoint .json)."""
    from ..pipeline import NoPersonFound, estimate_pose, predict_video, write_annotated_video
    from ..pose.backends import CocoJsonBackend
    from ..pose.video import probe

    backend = backend or ("coco-json" if video.lower().endswith(".json") else "blazepose")
    if class_spec:
        from ..language.open_vocab import require_text_space
        require_text_space(checkpoint)
        no_reasoner = True    # a reasoner answers among its own trained classes, not the given ones
    try:
        if backend == "coco-json":
            pose = CocoJsonBackend().read(video)
        else:
            pose = estimate_pose(video, backend, _frame_progress(probe(video).frames))
        lm = None if no_reasoner or (checkpoint and not reasoner) else load_reasoner(reasoner)   # shipped: with the shipped models
        prediction, pose = predict_video(video, checkpoint, backend, top_k, min_confidence, lm, pose=pose)
    except NoPersonFound as exc:
        if json_out:
            _write_json({"video": video, "person_found": False, "message": str(exc)}, json_out)
        click.echo(f"no person found: {exc}")
        sys.exit(1)
    if class_spec:
        from ..language.open_vocab import rescore_video_prediction
        prediction = rescore_video_prediction(prediction, pose, checkpoint, class_spec, top_k=top_k,
                                              min_confidence=min_confidence)
    if json_out != "-":
        click.echo(prediction.summary())
    if out:
        if backend == "coco-json":
            raise click.ClickException("--out needs the video itself; keypoint files have no frames to draw on")
        click.echo(f"annotated video: {write_annotated_video(video, pose, prediction, out)}", err=True)
    if json_out:
        _write_json({"person_found": True, **prediction.as_dict()}, json_out)


def load_reasoner(folder: str | None):
    """The reasoner of ``--reasoner``, else the shipped one if it can run here (else None, said once)."""
    from ..reasoner.model import Reasoner, default_reasoner

    if folder:
        return Reasoner.from_pretrained(folder)
    lm, note = default_reasoner()
    click.echo(note, err=True)
    return lm


def _write_json(payload: dict, target: str) -> None:
    text = json.dumps(payload, indent=1)
    if target == "-":
        click.echo(text)
    else:
        Path(target).write_text(text)


@main.command("export")
@click.argument("checkpoint", type=click.Path(exists=True))
@click.option("--onnx", "onnx_path", required=True, type=click.Path(dir_okay=False), help="Output .onnx file.")
@click.option("--check", "check_dataset", default=None,
              help="Compare onnxruntime with torch on this dataset's test samples (default: the checkpoint's).")
@click.option("--samples", default=32, show_default=True, help="Samples for the check.")
@click.option("--no-check", is_flag=True, help="Skip the comparison.")
def export_cmd(checkpoint: str, onnx_path: str, check_dataset: str | None, samples: int, no_check: bool) -> None:
    """Export CHECKPOINT's encoder + classifier to ONNX and check it against torch."""
    import numpy as np

    from ..data import load
    from ..data.loader import SkeletonDataset
    from ..engine import load_checkpoint
    from ..export import compare_onnx, export_onnx

    out = export_onnx(checkpoint, onnx_path)
    click.echo(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if no_check:
        return
    _, meta = load_checkpoint(checkpoint)
    name = check_dataset or meta.get("experiment", {}).get("data", {}).get("dataset") or meta["dataset"]
    ds = load(name, split="test") if not Path(name).exists() else load(name)
    data = SkeletonDataset(ds, meta["test_pipeline"])
    x = np.stack([data[i][0].numpy() for i in range(min(samples, len(data)))])
    r = compare_onnx(checkpoint, out, x)
    click.echo(f"onnxruntime vs torch on {r['n']} real samples: max |diff| {r['max_abs_diff']:.2e}, "
               f"same top-1 {r['same_argmax']:.0%}; batch-1 latency torch {r['torch_ms']:.1f} ms, "
               f"onnxruntime {r['onnx_ms']:.1f} ms")
