"""``actlm train | eval | ensemble``: the training loop and its results from the shell."""
from __future__ import annotations

import json
import sys

import click
import numpy as np
import yaml

from . import main
from .video_cmds import calibration_options, classes_given, seen_gamma_option


@main.command("train", context_settings={"ignore_unknown_options": True})
@click.argument("config")
@click.argument("overrides", nargs=-1)
@click.option("--resume", type=click.Path(exists=True), default=None,
              help="Continue an interrupted run (its directory or its last/ checkpoint).")
@click.option("--overwrite", is_flag=True,
              help="Replace the run already in the config's run directory (its checkpoints, metrics and results).")
def train_cmd(config: str, overrides: tuple[str, ...], resume: str | None, overwrite: bool) -> None:
    """Train CONFIG (a YAML path or a shipped name such as nw-ucla/hglnet_joint).

    OVERRIDES change config values: train.epochs=10 optim.lr=0.05 data.dataset=ntu60 ...
    Several processes: torchrun --nproc_per_node=N -m actlm train CONFIG ...
    A run directory that already holds a run is never replaced silently: continue it with
    --resume, replace it with --overwrite, or give another name=... / train.work_dir=...
    """
    from ..engine import load_config, train

    cfg = load_config(config, list(overrides))
    try:
        report = train(cfg, resume=resume, overwrite=overwrite)
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: {_saved_state(cfg.run_dir, cfg.train.epochs)}", err=True)
        sys.exit(130)
    if cfg.reasoner is not None:
        ex = report["explanations"]
        click.echo(f"reasoner: top-1 {report['top1']:.2%}, top-5 {report['top5']:.2%} on {report['n']} test sequences; "
                   f"faithfulness {ex['faithfulness_precision_mean'] if ex['faithfulness_precision_mean'] is None else round(ex['faithfulness_precision_mean'], 3)} "
                   f"over {ex['n']} explanations; run: {report['run_dir']}")
        return
    click.echo(f"best epoch {report['best_epoch']}: top-1 {report['top1']:.2%}, top-5 {report['top5']:.2%} "
               f"on {report['n']} test sequences; run: {report['run_dir']}")


def _saved_state(run_dir, epochs: int) -> str:
    """What an interrupted run kept, and how to continue it."""
    from ..engine.rundir import holds_run

    try:
        done = len(json.loads((run_dir / "metrics.json").read_text()))
    except (OSError, ValueError, TypeError):
        done = 0
    if not done or not holds_run(run_dir):
        return f"no epoch of {run_dir} was finished, nothing to resume"
    return (f"{run_dir} keeps {done} of {epochs} epoch(s) (last/, best/, metrics); the epoch in progress is lost. "
            f"Continue with the same command and --resume {run_dir}")


def _print_report(report: dict, title: str) -> None:
    click.echo(f"{title}: top-1 {report['top1']:.2%}  top-5 {report['top5']:.2%}  (n={report['n']})")
    for name, acc in report["per_class"].items():
        click.echo(f"  {name:<28} {'-' if acc is None else f'{acc:.1%}'}")


@main.command("eval")
@click.argument("checkpoint", type=click.Path(exists=True))
@click.option("--split", default="test", show_default=True, help="Split of the checkpoint's dataset.")
@click.option("--dataset", default=None, help="Evaluate on another dataset (name or prepared folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--batch-size", default=64, show_default=True)
@click.option("--text-match", is_flag=True,
              help="Skeleton-language checkpoints: classify by similarity to the class descriptions.")
@click.option("--classes", "class_spec", default=None, callback=classes_given,
              help="Open vocabulary (skeleton-language checkpoints): score these classes by their text instead "
                   "of the classifier: 'name: description; ...', a .yaml/.json/.csv file, 'purls' (the PURLS "
                   "descriptions of the dataset) or 'names'. Only the test samples of these classes are scored.")
@click.option("--class-subset", default=None,
              help="With --classes: only these classes (a .npy of class indices such as an unseen split "
                   "ru2.npy, a .txt of names, or comma-separated names).")
@click.option("--text-view", type=click.Choice(["all", "global", "parts", "phases", "name"]), default="all",
              show_default=True, help="With --classes: which of a class's texts to embed (their mean).")
@click.option("--scoring", "open_scoring", type=click.Choice(["direct", "conse", "parts"]), default="direct", show_default=True,
              help="With --classes: direct = cosine of the skeleton embedding and each class text; conse = the "
                   "classifier's probabilities over the trained classes mix their texts, compared with each class text; "
                   "parts = direct averaged with body-region cosines to each class's part texts (part_alignment models).")
@click.option("--describe", "fuse_descriptions", is_flag=True,
              help="With --classes: also match each sample's kinematic description to the class texts "
                   "(describe-then-match) and fuse it with the skeleton-text score (equal weight).")
@calibration_options
@click.option("--save-scores", type=click.Path(dir_okay=False), default=None,
              help="Also write the per-sample logits to this .npz (an input of `actlm ensemble`).")
@click.option("--pipeline", "pipeline_yaml", default=None,
              help="Test pipeline to use instead of the checkpoint's, as a YAML list "
                   "(e.g. with RandomRotate for test-time augmentation).")
@click.option("--clips", type=click.IntRange(min=1), default=None,
              help="Test-time augmentation: mean probability over this many copies of each sequence drawn "
                   "through the pipeline [default: the run's data.test_clips].")
@click.option("--precise-bn", type=click.Choice(["train", "plain"]), default=None,
              help="First recompute the BatchNorm statistics over the run's training split, drawn through its "
                   "training pipeline (train) or its test pipeline (plain); see train.precise_bn.")
def eval_cmd(checkpoint: str, split: str, dataset: str | None, as_json: bool, batch_size: int, text_match: bool,
             class_spec: str | None, class_subset: str | None, text_view: str, open_scoring: str,
             fuse_descriptions: bool, calibrate_gamma: float | None, no_calibrate: bool,
             save_scores: str | None, pipeline_yaml: str | None, clips: int | None, precise_bn: str | None) -> None:
    """Evaluate a checkpoint (a run directory uses its best/; give run/last for the final epoch)."""
    from torch.utils.data import DataLoader

    from ..data import load
    from ..data.loader import SkeletonDataset
    from ..engine import load_checkpoint
    from ..engine.metrics import class_mapping, classification_report
    from ..engine.metrics import save_scores as write_scores
    from ..engine.trainer import predict

    seen_gamma, gamma_source = seen_gamma_option(class_spec, calibrate_gamma, no_calibrate)
    model, meta = load_checkpoint(checkpoint)
    name = dataset or meta.data_config.get("dataset") or meta.dataset
    data_root = meta.data_config.get("data_root")
    ds = load(name, split=split, data_root_dir=data_root)
    classes, label_map = meta.classes, None
    if class_spec:
        from ..language.open_vocab import open_vocab_eval
        ds, classes, scorer = open_vocab_eval(model, meta, ds, class_spec, class_subset, text_view, data_root,
                                              open_scoring, seen_gamma, gamma_source)
    else:
        ds = _trained_classes_only(ds, meta) if dataset is None else ds
        label_map = class_mapping(meta.classes, ds.classes, str(checkpoint), ds.name)
    pipeline = _mapped_to_model(_pipeline_option(pipeline_yaml) if pipeline_yaml else meta.test_pipeline,
                                ds.layout.name, meta.layout, str(checkpoint), ds.name)
    clips = clips or meta.data_config.get("test_clips", 1)
    loader = DataLoader(SkeletonDataset(ds, pipeline, clips=clips), batch_size=max(1, batch_size // clips))
    if text_match and not hasattr(model, "text_matcher"):
        raise click.ClickException(f"{checkpoint} is a {meta.model.name} model without language heads; "
                                   f"--text-match needs a skeleton-language (hocslm) checkpoint")
    if precise_bn:
        from ..engine.precise_bn import recalibrate_from_training_split
        try:
            recalibrate_from_training_split(model, meta, precise_bn)
        except ValueError as exc:
            raise click.ClickException(f"{checkpoint}: {exc}") from None
    if not class_spec:
        scorer = model.text_matcher() if text_match else model
    logits, labels, index = predict(scorer, loader, next(model.parameters()).device)
    if class_spec and fuse_descriptions:
        from ..language.open_vocab import with_descriptions
        logits = with_descriptions(scorer, logits, ds, index)
    if label_map is not None:   # the data's class indices -> the model's, by class name
        labels = label_map[labels]
    report = classification_report(logits, labels, classes)
    if save_scores:
        write_scores(save_scores, np.array(ds.sample_ids)[index], labels, logits, classes)
    scoring = (f"open-vocabulary ({open_scoring})" + (" + descriptions" if fuse_descriptions else "") if class_spec else
               "text-match" if text_match else "classifier")
    report.update(checkpoint=str(meta.path), dataset=ds.name, split=ds.split_name,
                  scoring=scoring, clips=clips, pipeline=pipeline,
                  precise_bn=precise_bn or "off")
    if class_spec:
        report["calibration"] = scorer.calibration.as_dict()
    if label_map is not None:
        report["classes_mapped_by_name"] = len(label_map)
        click.echo(f"{ds.name} lists other classes than {checkpoint} (or in another order): its {len(label_map)} "
                   f"class(es) were mapped by name onto the model's {len(classes)}", err=True)
    if as_json:
        click.echo(json.dumps(report, indent=1))
    else:
        _print_report(report, f"{meta.path} on {ds.name}/{ds.split_name}")
        if class_spec and scorer.calibration.note():
            click.echo(scorer.calibration.note())


def _mapped_to_model(pipeline: list[dict], data_layout: str, model_layout: str, checkpoint: str,
                     dataset: str) -> list[dict]:
    """The test pipeline, led by a ``MapLayout`` from the data's layout to the model's where they
    differ and the pipeline (the checkpoint's or ``--pipeline``'s) does not map itself: by the
    mapping defined in code, else by joint name (``layouts.get_mapping``)."""
    if data_layout == model_layout or any(t.get("type") == "MapLayout" for t in pipeline):
        return pipeline
    from ..data.layouts import get_mapping

    try:
        get_mapping(data_layout, model_layout)
    except KeyError as exc:
        raise click.ClickException(f"{checkpoint} was trained on layout {model_layout} but {dataset} uses "
                                   f"{data_layout}; {exc.args[0]}") from None
    return [{"type": "MapLayout", "source": data_layout, "target": model_layout}, *pipeline]


def _trained_classes_only(ds, meta):
    """A run trained on some classes of its dataset (a zero-shot split's seen classes) is evaluated
    on those classes, as in training; any other run's dataset is returned as it is."""
    data = meta.data_config
    if data.get("train_classes") is None and data.get("test_classes") is None:
        return ds
    from ..language.zeroshot import ClassSubset

    keep = [k for k, name in enumerate(ds.classes) if name in meta.classes]
    return ClassSubset(ds, keep) if keep else ds


def _pipeline_option(text: str) -> list[dict]:
    """``--pipeline``: a YAML list of transforms, each a mapping with a ``type``."""
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise click.BadParameter(f"not valid YAML: {e}", param_hint="--pipeline") from e
    if not isinstance(spec, list) or not all(isinstance(t, dict) and "type" in t for t in spec):
        raise click.BadParameter("expected a list of transforms such as '[{type: SpineAlign}, "
                                 "{type: ValidCropResize, length: 32}]'", param_hint="--pipeline")
    return spec


@main.command("ensemble")
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--weights", default=None, help="Comma-separated weight per run (default: equal).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--save", "save_to", default=None, type=click.Path(file_okay=False),
              help="Write one checkpoint to this directory that averages the RUNS' probabilities at inference "
                   "(RUNS are then checkpoints of one recipe with the same input, e.g. seeds: run/last or run/best).")
def ensemble_cmd(runs: tuple[str, ...], weights: str | None, as_json: bool, save_to: str | None) -> None:
    """Fuse the saved test scores (softmax probabilities, weighted sum) of several runs,
    e.g. the joint, bone, joint-motion and bone-motion streams.

    Each of RUNS is a run directory (the scores of its best epoch) or a scores file written by
    `actlm eval CHECKPOINT --save-scores FILE.npz` (e.g. of run/last, the final epoch).
    With --save, RUNS are checkpoints read by the same input pipeline (seeds of one recipe) and the
    result is a checkpoint that predict, eval, explain and --classes read like any other."""
    if save_to is not None:
        from ..engine.checkpoint import save_ensemble

        if weights:
            raise click.BadParameter("a saved ensemble averages its members equally", param_hint="--weights")
        click.echo(f"ensemble checkpoint of {len(runs)} members: {save_ensemble(list(runs), save_to)}")
        return
    from ..engine.ensemble import ensemble

    report = ensemble(runs, _weights_option(weights) if weights else None)
    if as_json:
        click.echo(json.dumps(report, indent=1))
        return
    for run, acc in report["runs"].items():
        click.echo(f"{run}: top-1 {acc:.2%}")
    click.echo(f"ensemble ({', '.join(f'{x:g}' for x in report['weights'])}): top-1 {report['top1']:.2%}  top-5 {report['top5']:.2%}  (n={report['n']})")


def _weights_option(text: str) -> list[float]:
    """``--weights``: comma-separated numbers."""
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected comma-separated numbers such as 1,0.5", param_hint="--weights") from None
