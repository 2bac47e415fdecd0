"""The timeline of a pose read on every k-th frame (``actlm predict --timeline --pose-fps``), on the
general model's test streams of :mod:`experiments.timeline_benchmark`.

Each stream (real NW-UCLA and UTD-MHAD test sequences joined by transitions and idle frames, with
frame labels) is read on every k-th frame only, cut with windows of the same seconds
(:meth:`actlm.timeline.Windows.in_pose_frames`) and the checkpoint's stored settings, and its labels
carried back to every video frame (a pose frame stands for its k video frames, as the segments of
``predict --timeline`` do). Scored against the streams' true frame labels (frame accuracy,
F1@{10,25,50}, edit: Lea et al. 2017) next to k = 1 and the majority-class baseline; the CPU seconds
are the model's scoring of the windows (the pose estimation it saves is not part of this: see
pose_fps.md). What this leaves out: the pose estimator's own errors at a lower rate (the skeletons
here are the recorded ones, subsampled).

    python -m experiments.timeline_pose_step --checkpoint actlm/checkpoints/general-2d
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from actlm.engine.checkpoint import load_checkpoint
from actlm.timeline import Windows, decode, frame_labels, score_windows, stored_settings
from experiments.timeline_benchmark import RESULTS, build_streams, common_body, provenance, scores


def video_labels(pose_labels: np.ndarray, step: int, frames: int) -> np.ndarray:
    """Labels of the pose frames (every ``step``-th video frame) carried to the ``frames`` video
    frames: each pose frame's label on its ``step`` video frames."""
    return np.repeat(pose_labels, step)[:frames]


def timeline_at_step(model, meta, data: np.ndarray, step: int, settings: dict) -> tuple[np.ndarray, int]:
    """One stream's frame labels (in video frames) with the pose read every ``step``-th frame, and
    the number of windows scored."""
    windows = Windows.for_model(meta.test_pipeline, pose_stride=step)
    sampled = data[:, ::step]
    s = score_windows(model, meta.test_pipeline, meta.layout, sampled, windows)
    states = decode(s, settings["threshold"], settings["switch_penalty"], settings["still_below"])
    return video_labels(frame_labels(states, s.starts, windows, sampled.shape[1]), step, data.shape[1]), len(s.starts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", default="actlm/checkpoints/general-2d")
    parser.add_argument("--steps", default="1,2,3", help="pose steps k (video frames per pose frame)")
    parser.add_argument("--test-sequences", type=int, default=None, help="only N test sequences drawn with the seed")
    parser.add_argument("--per-stream", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "timeline_general_step"))
    args = parser.parse_args(argv)
    started = time.time()
    model, meta = load_checkpoint(args.checkpoint)
    model.eval()
    background = len(meta.classes)
    settings = stored_settings(meta)
    rng = np.random.default_rng(args.seed)
    pool = common_body("test", args.test_sequences, rng)
    streams = build_streams(pool, args.per_stream, background, rng)
    truths = [s["labels"] for s in streams]
    majority = Counter(np.concatenate(truths).tolist()).most_common(1)[0][0]
    rows = {"majority class": {**scores([np.full(len(t), majority) for t in truths], truths, background)}}
    for step in (int(k) for k in args.steps.split(",")):
        cpu = time.process_time()
        done = [timeline_at_step(model, meta, s["data"], step, settings) for s in streams]
        windows = Windows.for_model(meta.test_pipeline, pose_stride=step)
        rows[f"k = {step}"] = {**scores([labels for labels, _ in done], truths, background),
                               "windows": f"{windows.length} x every {windows.stride} pose frames",
                               "windows_scored": int(sum(n for _, n in done)),
                               "cpu_s": round(time.process_time() - cpu, 1)}
        print(f"k={step}: {rows[f'k = {step}']}", flush=True)
    command = "python -m experiments.timeline_pose_step " + " ".join(argv if argv is not None else sys.argv[1:])
    report = {**provenance(argv), "command": command, "seconds": round(time.time() - started, 1), "checkpoint": args.checkpoint,
              "settings": settings, "sequences": len(pool), "streams": len(streams),
              "frames": int(sum(len(t) for t in truths)),
              "background_share": round(float(np.mean(np.concatenate(truths) == background)), 4), "results": rows}
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1))
    from experiments.run_archive import handwritten_notes

    notes = handwritten_notes(out.with_suffix(".md"))          # a '## ... (written by hand ...' section is kept
    out.with_suffix(".md").write_text(markdown(report) + notes)
    print(markdown(report))


def markdown(r: dict) -> str:
    s = r["settings"]
    lines = ["# The timeline with the pose read every k-th frame (`predict --timeline --pose-fps`)", "",
             f"`{r['command'].strip()}` at commit {r['commit']}, {r['date']}, {r['seconds']} s on 2 shared CPU cores.",
             "",
             f"Model {r['checkpoint']} with its stored settings (threshold {s['threshold']}, switch penalty "
             f"{s['switch_penalty']}, stillness {s['still_below']}). {r['streams']} streams of {r['sequences']} test "
             f"sequences (NW-UCLA view 3, UTD-MHAD subjects 2,4,6,8, common body; built as in timeline_general.md), "
             f"{r['frames']} frames at 30 fps, {r['background_share']:.0%} idle or transition. Each stream read on "
             "every k-th frame, windows of the same seconds (32 video frames every 8, divided by k), labels carried "
             "back to every video frame and scored against the true frame labels. CPU s: the model scoring the "
             "windows only; the pose estimation saved at a lower rate is measured in pose_fps.md. The skeletons are "
             "the recorded ones subsampled: the pose estimator's own errors at a lower rate are not in this.", "",
             "| | frame acc | F1@10 | F1@25 | F1@50 | edit | windows | CPU s |", "|---|---|---|---|---|---|---|---|"]
    for name, v in r["results"].items():
        lines.append(f"| {name} | {v['frame_acc']} | {v['f1@10']} | {v['f1@25']} | {v['f1@50']} | {v['edit']} | "
                     f"{v.get('windows', '')} | {v.get('cpu_s', '')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
