"""``actlm quickstart``: the product's main job on the embedded defaults, in a couple of minutes.

The shipped HGLNet recognises the NW-UCLA test view, three of its decisions are explained with
their evidence (a confident one, a close call, a mistake), one shared video goes through pose
estimation to an annotated output file, and the commands that train from scratch are printed.
``--reasoner`` adds the shipped reasoner's verified sentence to the three explanations (SmolLM2 +
LoRA reading the evidence; opt-in, it added nothing the evidence text does not say in an audit of
20 explanations); it reads the shipped encoder, not the video model, so it is not run on the video.
``--train`` runs the CPU-sized training instead (the former quickstart).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np
import torch

from . import main
from .video_cmds import SHIPPED, load_reasoner

DEMO_VIDEO = "videos/clean_and_jerk.mp4"   # an action the shipped general model knows (Penn Action)


@main.command("quickstart")
@click.option("--data-root", type=click.Path(file_okay=False), default=None,
              help="Folder holding raw datasets (default: $ACTLM_DATA, else ../shared/data).")
@click.option("--work-dir", default="runs/quickstart", show_default=True, help="Where outputs are written.")
@click.option("--video", default=None, help=f"A video to annotate (default: <data root>/{DEMO_VIDEO}).")
@click.option("--reasoner", "reasoner_dir", is_flag=False, flag_value=SHIPPED, default=None, metavar="[DIR]",
              help="Also show a reasoner's verified sentence (alone: the shipped one). Off by default.")
@click.option("--train", "train_from_scratch", is_flag=True,
              help="Instead: prepare NW-UCLA, train HGLNet on a CPU-sized schedule (~4 min) and evaluate it.")
def quickstart_cmd(data_root: str | None, work_dir: str, video: str | None, reasoner_dir: str | None,
                   train_from_scratch: bool) -> None:
    """Recognise and explain NW-UCLA test sequences and a video with the shipped models (no flags needed)."""
    from ..data import load
    from ..explain.explainer import Explainer, shipped_encoder

    if train_from_scratch:
        _train(data_root, work_dir)
        return
    test = load("nw-ucla", split="test", data_root_dir=data_root)
    click.echo("actlm quickstart: the shipped HGLNet on the NW-UCLA cross-view test view, explained\n")
    explainer = Explainer(shipped_encoder())
    logits, labels = _recognise(explainer, test)
    reasoner = load_reasoner(reasoner_dir, explainer.model, "the shipped encoder") if reasoner_dir else None
    _explain_three(explainer, test, logits, labels, reasoner)
    if reasoner is not None:
        click.echo("\n(the reasoner reads the shipped encoder, not the video model: it is not run on the video)")
    _annotate_video(video or _default_video(data_root), Path(work_dir))
    click.echo("\nnext:\n"
               "  actlm explain --wrong --limit 10          more explanations (--close, --class NAME, --random N)\n"
               "  actlm predict VIDEO --out annotated.mp4    your own video\n"
               "  actlm quickstart --train                   train HGLNet from scratch, CPU-sized (~4 min)\n"
               "  actlm train nw-ucla/hglnet_joint           the full recipe (160 epochs)")


def _recognise(explainer, test) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels of every test sequence in dataset order (the evaluation loop of
    ``actlm eval``); prints the accuracy."""
    from torch.utils.data import DataLoader

    from ..data.loader import SkeletonDataset
    from ..engine.trainer import predict

    loader = DataLoader(SkeletonDataset(test, explainer.meta.test_pipeline), batch_size=64)
    logits, labels, index = predict(explainer.model, loader, torch.device("cpu"))
    order = np.argsort(index)
    logits, labels = logits[order], labels[order]
    params = sum(p.numel() for p in explainer.model.parameters()) / 1e6
    click.echo(f"recognised {len(test)} test sequences (view 3, never seen in training): top-1 "
               f"{(logits.argmax(1) == labels).mean():.1%}  [{explainer.meta.path.name}: {params:.2f} M parameters]")
    return logits, labels


def _explain_three(explainer, test, logits: np.ndarray, labels: np.ndarray, reasoner=None) -> None:
    """A confident correct decision, the closest correct call, and a mistake, with their evidence."""
    from ..explain.text import template_explanation
    from .reasoner_cmds import _explanation_lines

    probs = torch.from_numpy(logits).softmax(1).numpy()
    pred, ordered = probs.argmax(1), np.sort(probs, 1)
    correct = np.flatnonzero(pred == labels)
    picks = [("a confident decision", correct[np.argmax(ordered[correct, -1])]),
             ("a close call", correct[np.argmax(ordered[correct, -2])])]
    wrong = np.flatnonzero(pred != labels)
    if len(wrong):
        picks.append(("a mistake", wrong[np.argmax(ordered[wrong, -1])]))
    for title, i in picks:
        s = test[int(i)]
        ev = explainer.evidence(s.data, s.sample_id, test.classes[s.label], fps=s.fps)
        entry = {"evidence": ev.as_dict(), "explanation": template_explanation(ev)}
        if reasoner is not None:
            entry["reasoner"] = reasoner.answer(s.data, s.sample_id, test.classes[s.label])
        click.echo(f"\n{title}:\n" + _explanation_lines(entry))


def _default_video(data_root: str | None) -> Path:
    from ..paths import data_root as root
    return Path(data_root or root()) / DEMO_VIDEO


def _annotate_video(video: Path, work_dir: Path) -> None:
    """Video -> BlazePose -> the shipped general model (general-2d) -> explanation and an annotated copy."""
    if not Path(video).is_file():
        click.echo(f"\n(no demo video at {video}; try: actlm predict YOUR_VIDEO --out annotated.mp4)")
        return
    try:
        import mediapipe  # noqa: F401
    except ImportError:
        click.echo("\n(the video step needs BlazePose: pip install -e \".[video]\", then run actlm quickstart again)")
        return
    from ..pipeline import predict_video, write_annotated_video

    click.echo(f"\nvideo: {video} (pose estimation with BlazePose, then the shipped general model, general-2d: 59 actions)")
    prediction, pose = predict_video(video)
    click.echo(prediction.summary())
    work_dir.mkdir(parents=True, exist_ok=True)
    out = write_annotated_video(video, pose, prediction, work_dir / f"{Path(video).stem}_annotated.mp4")
    click.echo(f"annotated video (cited body parts in red, the span the model used framed): {out}")


def _train(data_root: str | None, work_dir: str) -> None:
    from ..data import load
    from ..engine import load_config, train
    from ..engine.rundir import free_run_dir
    from .data_cmds import summary_text
    from .train_cmds import _print_report

    click.echo("actlm quickstart --train: HGLNet on NW-UCLA (cross-view), CPU-sized schedule\n")
    click.echo(summary_text(load("nw-ucla", data_root_dir=data_root)) + "\n")
    run_dir = free_run_dir(work_dir)   # run again, it trains beside the earlier run, never over it
    overrides = [f"train.work_dir={run_dir}"] + ([f"data.data_root={data_root}"] if data_root else [])
    cfg = load_config("nw-ucla/hglnet_quick", overrides)
    report = train(cfg)
    _print_report(report, f"\nHGLNet after {cfg.train.epochs} epochs (best epoch {report['best_epoch']})")
    click.echo(f"\nrun directory: {report['run_dir']} (checkpoints, metrics.csv, confusion.png)\n"
               f"evaluate again:   actlm eval {report['run_dir']}\n"
               f"explain it:       actlm explain --checkpoint {report['run_dir']}\n"
               f"full benchmark:   actlm train nw-ucla/hglnet_joint", file=sys.stdout)
