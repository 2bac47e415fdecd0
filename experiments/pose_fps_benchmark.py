"""``actlm predict --pose-fps F``: what reading the pose on every k-th frame saves and what it changes.

On the five shared clips (``$ACTLM_DATA/videos``), ``predict_video`` as the product runs it (default
checkpoint general-2d, BlazePose, default settings) at the video's full rate and with ``pose_fps``
15 and 10 (k = round(video fps / F)), one rate at a time, one after the other (the machine is shared:
the load average is recorded next to every timing). Per clip and rate:

* pose seconds (decoding + BlazePose) and total seconds, both per 10 s of video;
* the frames with a person (pose frames);
* the model's top-3 with probabilities, top-1 agreement with the full rate and max |p diff| over all
  classes;
* the stated statements (motion facts with their video frames, tracking problems, 'no movement'
  sentences, the contrast cue; ``experiments.video_handcheck.statements``) kept / lost / new against
  the full rate: the same kind, motion and body part, and (where they have frames) overlapping
  video frames;
* the frames where the camera moves (pose frames, and the video frames they stand for: x k);
* of the statements a person judged against the frames (``results/video_handcheck.verdicts.json``),
  how many each rate still makes (matched as above), by verdict.

The full-rate reading is the reference for the others; the verdicts are the independent truth.

``python -m experiments.pose_fps_benchmark`` writes results/pose_fps.{md,json}.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

import numpy as np

from experiments.run_archive import head_commit

RESULTS = Path(__file__).parent / "results"
NAME = "pose_fps"
CLIPS = ("tai_chi.mp4", "clean_and_jerk.mp4", "skateboarding.mp4", "arm_wrestling.mp4", "ntu_A055_hugging.avi")
#: the rates compared (None: every frame, the reference)
RATES = (None, 15.0, 10.0)


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def rate_name(rate: float | None) -> str:
    return "full" if rate is None else f"{rate:g} fps"


def run_clip(video: Path, rate: float | None) -> tuple[dict, object]:
    """One clip at one rate, as ``actlm predict VIDEO [--pose-fps rate]`` runs it; and its pose."""
    from actlm.pipeline import estimate_pose, predict_video
    from actlm.pose.video import probe

    info = probe(video)
    load_before = _load()
    start, cpu_start = time.perf_counter(), time.process_time()
    pose = estimate_pose(video, "blazepose", pose_fps=rate)
    pose_s, pose_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    prediction, _ = predict_video(video, pose=pose, pose_seconds=pose_s, top_k=100)
    total_cpu = time.process_time() - cpu_start
    per10 = 10.0 / (info.frames / info.fps)
    run = {"clip": video.stem, "rate": rate_name(rate),
           "pose_s_per_10s": round(pose_s * per10, 2),
           "total_s_per_10s": round(prediction.timings["total_s"] * per10, 2),
           "pose_cpu_s_per_10s": round(pose_cpu * per10, 2), "total_cpu_s_per_10s": round(total_cpu * per10, 2),
           "load_before": load_before, "load_after": _load(), **described(video, info, pose, prediction)}
    return run, pose


def control_clip(video: Path, full_pose, rate: float) -> dict:
    """The control: the full-rate pose kept on every k-th frame (no second BlazePose run), read as
    ``--pose-fps rate`` reads it. What differs from the full rate here comes from reading fewer
    frames downstream; what differs only in the real run comes from BlazePose tracking k frames apart."""
    from actlm.pipeline import every_kth_pose, pose_stride, predict_video
    from actlm.pose.video import probe

    info = probe(video)
    pose = every_kth_pose(full_pose, pose_stride(info.fps, rate))
    prediction, _ = predict_video(video, pose=pose, top_k=100)
    return {"clip": video.stem, "rate": control_name(rate), **described(video, info, pose, prediction)}


def control_name(rate: float) -> str:
    return f"{rate:g} fps, full pose subsampled"


def described(video: Path, info, pose, prediction) -> dict:
    """What a run stated: rate, frames, top classes, span, camera, the hand-check's statements."""
    moving = prediction.camera_moving
    moving_pose = int(moving.sum()) if moving is not None else None
    return {"stride": pose.stride, "video_fps": round(info.fps, 3), "video_frames": info.frames,
            "pose_fps": round(pose.fps, 3), "pose_frames": pose.frames, "frames_with_person": pose.frames_with_person,
            "probs": {c: round(p, 5) for c, p in prediction.top},
            "top3": [(c, round(p, 4)) for c, p in prediction.top[:3]], "confident": prediction.confident,
            "span": list(prediction.span),
            "camera_moving_pose_frames": moving_pose,
            "camera_moving_video_frames": None if moving is None else moving_pose * pose.stride,
            "camera_moving_stretches": _stretches(np.flatnonzero(moving) * pose.stride, pose.stride)
            if moving is not None else [],
            "statements": statements_of(video.stem, prediction, pose)}


def statements_of(clip: str, prediction, pose) -> list[dict]:
    """The hand-check's statements of a prediction (``experiments.video_handcheck.statements``), its
    facts carried to video frames through the pose frames with a person, each ``pose.stride`` apart."""
    from experiments.video_handcheck import kept_frames, statements

    return statements(clip, prediction, kept_frames(pose) * pose.stride)


def _stretches(frames: np.ndarray, stride: int) -> list[list[int]]:
    """Runs of video frames read ``stride`` apart: [[first, last], ...]."""
    if not len(frames):
        return []
    cuts = np.flatnonzero(np.diff(frames) > stride) + 1
    return [[int(r[0]), int(r[-1])] for r in np.split(frames, cuts)]


def same_statement(a: dict, b: dict) -> bool:
    """The same kind, motion and part (a tracking problem: the same kind of problem, whichever joints
    it lists), and overlapping video frames where both have frames."""
    if (a["kind"], a["motion"]) != (b["kind"], b["motion"]) or (a["kind"] != "problem" and a["part"] != b["part"]):
        return False
    if not a["frames"] or not b["frames"]:
        return True
    return a["frames"]["start"] <= b["frames"]["end"] and b["frames"]["start"] <= a["frames"]["end"]


def compare(full: dict, other: dict) -> dict:
    """``other`` (a reduced rate) against ``full`` (the same clip at every frame)."""
    names = sorted(set(full["probs"]) | set(other["probs"]))
    diff = max(abs(full["probs"].get(c, 0.0) - other["probs"].get(c, 0.0)) for c in names)
    kept = [s for s in other["statements"] if any(same_statement(s, f) for f in full["statements"])]
    new = [s for s in other["statements"] if s not in kept]
    lost = [f for f in full["statements"] if not any(same_statement(s, f) for s in other["statements"])]
    return {"same_top1": full["top3"][0][0] == other["top3"][0][0], "max_abs_p_diff": round(diff, 4),
            "kept": len(kept), "lost": [_short(s) for s in lost], "new": [_short(s) for s in new]}


def _short(s: dict) -> str:
    fr = s["frames"]
    return f"{s['kind']}: {s['text']}" + (f" ({fr['start']}-{fr['end']})" if fr else "")


def judged_made(run: dict, verdicts: dict, same_text: bool = False) -> dict[str, list[int]]:
    """Per verdict: [judged statements of this clip, how many of them this run still makes]
    (``same_text``: only a statement in the very words judged counts)."""
    out: dict[str, list[int]] = {}
    for key, (verdict, _) in verdicts.items():
        clip, kind, motion, part, text, span = key.split("|", 5)
        if clip != run["clip"]:
            continue
        frames = {}
        if span != "-":
            a, p, b = (int(v) for v in span.split("-"))
            frames = {"start": a, "peak": p, "end": b}
        judged = {"kind": kind, "motion": motion, "part": part, "frames": frames}
        made = any(same_statement(judged, s) and (not same_text or s["text"] == text) for s in run["statements"])
        row = out.setdefault(verdict, [0, 0])
        row[0] += 1
        row[1] += int(made)
    return out


def write(runs: list[dict], verdicts: dict, command: str, measured: dict | None = None,
          judged_false: dict | None = None) -> dict:
    by = {(r["clip"], r["rate"]): r for r in runs}
    clips = [Path(c).stem for c in CLIPS]
    rates = [rate_name(r) for r in RATES] + [control_name(r) for r in RATES if r is not None]
    rates = [rate for rate in rates if all((c, rate) in by for c in clips)]
    for r in runs:
        r["vs_full"] = compare(by[(r["clip"], "full")], r) if r["rate"] != "full" else None
        r["judged"] = judged_made(r, verdicts)
        r["judged_false"] = judged_made(r, judged_false or {}, same_text=True).get("false", [0, 0])
    totals = {}
    for rate in rates:
        rs = [by[(c, rate)] for c in clips]
        judged: dict[str, list[int]] = {}
        for r in rs:
            for v, (n, m) in r["judged"].items():
                judged.setdefault(v, [0, 0])
                judged[v][0] += n
                judged[v][1] += m
        totals[rate] = {
            **{key: round(float(np.mean([r[key] for r in rs])), 2) if key in rs[0] else None
               for key in ("pose_s_per_10s", "total_s_per_10s", "pose_cpu_s_per_10s", "total_cpu_s_per_10s")},
            "frames_with_person_share": round(float(np.mean([r["frames_with_person"] / r["pose_frames"] for r in rs])), 3),
            "judged_false_made": [sum(r["judged_false"][0] for r in rs), sum(r["judged_false"][1] for r in rs)],
            "same_top1": None if rate == "full" else sum(r["vs_full"]["same_top1"] for r in rs),
            "max_abs_p_diff": None if rate == "full" else max(r["vs_full"]["max_abs_p_diff"] for r in rs),
            "statements": sum(len(r["statements"]) for r in rs),
            "kept": None if rate == "full" else sum(r["vs_full"]["kept"] for r in rs),
            "lost": None if rate == "full" else sum(len(r["vs_full"]["lost"]) for r in rs),
            "new": None if rate == "full" else sum(len(r["vs_full"]["new"]) for r in rs),
            "judged_made": judged}
    doc = {"command": command, "commit": head_commit(), "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "cpus": os.cpu_count(), "threads": os.environ.get("OMP_NUM_THREADS"), "totals": totals, "runs": runs}
    if measured is not None:                     # --rescore: the runs were measured then, compared now
        doc.update(measured=measured, rescored={"commit": doc["commit"], "date": doc["date"]}, **measured)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(doc, indent=1))
    (RESULTS / f"{NAME}.md").write_text(markdown(doc, clips, rates, by))
    return doc


def _judged_text(judged: dict[str, list[int]]) -> str:
    return ", ".join(f"{v} {m}/{n}" for v, (n, m) in sorted(judged.items()))


def _or_dash(value) -> str:
    return "-" if value is None else str(value)


def markdown(doc: dict, clips: list[str], rates: list[str], by: dict) -> str:
    t = doc["totals"]
    lines = ["# Pose at a reduced frame rate (`actlm predict --pose-fps F`)", "",
             f"Command: `{doc['command']}`  ", f"Commit: {doc['commit']}, date {doc['date']}, "
             f"{doc['cpus']} CPUs shared with other jobs (load average before/after each run in the JSON), "
             f"OMP_NUM_THREADS={doc['threads']}." + (f" Statements compared again (`--rescore`, the runs "
                                                     f"unchanged) at commit {doc['rescored']['commit']}, "
                                                     f"{doc['rescored']['date']}." if doc.get("rescored") else ""), "",
             "Default checkpoint (general-2d), BlazePose, default settings; k = round(video fps / F). Seconds are per "
             "10 s of video (wall clock, and in brackets the process's CPU seconds, less sensitive to the other jobs "
             "on the machine); pose = decoding + BlazePose, total = all of predict (camera, model, explanation). "
             "The full rate is the reference for the others. Statements (facts with their video frames, tracking "
             "problems, 'no movement', the contrast cue) match when kind, motion and part are the same (a tracking "
             "problem: the same kind, whichever joints it lists) and their video frames overlap. 'Judged': the "
             "statements a person checked against the frames (video_handcheck.verdicts.json, current ones, by "
             "verdict), how many of them the rate still makes; 'judged false re-made': of the superseded statements "
             "judged false (made by earlier code at full rate), how many the rate makes again in the same words. Control rows ('full "
             "pose subsampled'): the full-rate BlazePose pose kept on every k-th frame, read as --pose-fps reads it: "
             "what changes there comes from reading fewer frames downstream; what changes only in the real run comes "
             "from BlazePose tracking frames k apart.", "",
             "## Totals (5 clips)", "",
             "| rate | pose s / 10 s (CPU s) | total s / 10 s (CPU s) | frames with a person | same top-1 | "
             "max abs p diff | statements | kept / lost / new vs full | judged still made | judged false re-made |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for rate in rates:
        x = t[rate]
        vs = "-" if rate == "full" else f"{x['kept']} / {x['lost']} / {x['new']}"
        timing = "- | -" if x["pose_s_per_10s"] is None else \
            f"{x['pose_s_per_10s']} ({x['pose_cpu_s_per_10s']}) | {x['total_s_per_10s']} ({x['total_cpu_s_per_10s']})"
        lines.append(f"| {rate} | {timing} | {x['frames_with_person_share']:.1%} | "
                     f"{'-' if x['same_top1'] is None else str(x['same_top1']) + '/5'} | "
                     f"{_or_dash(x['max_abs_p_diff'])} | {x['statements']} | {vs} | "
                     f"{_judged_text(x['judged_made'])} | {x['judged_false_made'][1]}/{x['judged_false_made'][0]} |")
    lines += ["", "## Per clip", "",
              "| clip | rate | k | pose frames (person) | pose s / 10 s (CPU s) | total s / 10 s (CPU s) | load before | "
              "top-3 | same top-1 | max abs p diff | camera moving: pose frames (video frames) | judged still made |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for clip in clips:
        for rate in rates:
            r = by[(clip, rate)]
            vs = r["vs_full"]
            top = ", ".join(f"{c} {p:.1%}" for c, p in r["top3"])
            cam = "-" if r["camera_moving_pose_frames"] is None else \
                f"{r['camera_moving_pose_frames']} ({r['camera_moving_video_frames']}: " + \
                (", ".join(f"{a}-{b}" for a, b in r["camera_moving_stretches"]) or "none") + ")"
            timing = "- | - | -" if "pose_s_per_10s" not in r else \
                (f"{r['pose_s_per_10s']} ({r['pose_cpu_s_per_10s']}) | {r['total_s_per_10s']} "
                 f"({r['total_cpu_s_per_10s']}) | {r['load_before'][0]}")
            lines.append(f"| {clip} | {rate} | {r['stride']} | {r['pose_frames']} ({r['frames_with_person']}) | "
                         f"{timing} | {top} | {'-' if vs is None else 'yes' if vs['same_top1'] else 'NO'} | "
                         f"{'-' if vs is None else vs['max_abs_p_diff']} | {cam} | {_judged_text(r['judged'])} |")
    lines += ["", "## Statements lost and new against the full rate", ""]
    for clip in clips:
        for rate in rates[1:]:
            vs = by[(clip, rate)]["vs_full"]
            lines.append(f"* **{clip} at {rate}**: {vs['kept']} kept; lost: "
                         + ("; ".join(vs["lost"]) or "none") + "; new: " + ("; ".join(vs["new"]) or "none"))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="data root (default: $ACTLM_DATA)")
    parser.add_argument("--rescore", action="store_true",
                        help="compare the runs already in results/pose_fps.json again (no pose, no timing)")
    args = parser.parse_args()
    from actlm.paths import data_root

    root = Path(args.data) if args.data else Path(data_root())
    handcheck = json.loads((RESULTS / "video_handcheck.verdicts.json").read_text())
    verdicts = handcheck["statements"]
    judged_false = {k: v for k, v in handcheck["superseded"].items() if v[0] == "false"}
    if args.rescore:
        old = json.loads((RESULTS / f"{NAME}.json").read_text())
        keep = {k: old[k] for k in ("command", "commit", "date", "cpus", "threads")}
        write(old["runs"], verdicts, old["command"], measured=keep, judged_false=judged_false)
        return
    runs, full_poses = [], {}
    for rate in RATES:                           # one rate at a time, clip after clip
        for clip in CLIPS:
            run, pose = run_clip(root / "videos" / clip, rate)
            if rate is None:
                full_poses[clip] = pose
            print(f"{run['clip']:<18} {run['rate']:<7} pose {run['pose_s_per_10s']:6.2f} s/10s  total "
                  f"{run['total_s_per_10s']:6.2f}  top {run['top3'][0]}  load {run['load_before'][0]}", flush=True)
            runs.append(run)
    for rate in RATES[1:]:                       # the controls: no pose estimation, no timing
        for clip in CLIPS:
            runs.append(control_clip(root / "videos" / clip, full_poses[clip], rate))
    doc = write(runs, verdicts, "ACTLM_DATA=/work/shared/data OMP_NUM_THREADS=1 python -m experiments.pose_fps_benchmark",
                judged_false=judged_false)
    print(json.dumps(doc["totals"], indent=1))


if __name__ == "__main__":
    main()
