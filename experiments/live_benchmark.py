"""``actlm live`` measured (issue 43, items 2, 4 and 5): real-time factor, where the time goes,
memory over an hour of stream, and a source that stalls or fails.

(a) real-time factor end to end (decode + pose + model) on the shared clips played as files at
    their own frame rate (paced, as ``actlm live FILE`` plays them; frames dropped when behind):
    1 person (tai_chi.mp4; the single-person BlazePose path and the ``--people 1`` path), 2 people
    (tai_chi and clean_and_jerk side by side, built by ``people_benchmark``'s helpers) and 4 (a 2 x 2
    grid, whole frame and 2 x 2 tiles). RTF = frames processed per second of wall time / the
    source's fps; 'headroom' = the same with the recogniser's busy time in place of wall time
    (above 1: it could keep up with every frame). Decode timed apart (the reader thread), pose and
    model (a window's skeleton + network) timed inside the run. The model through ONNX
    (``actlm.export``, onnxruntime) against torch, batch 1, the live window's input.
(b) memory over an hour of stream (108,000 frames at 30 fps) through the recogniser's skeleton
    path without pose estimation: the poses BlazePose gave for the first 10 s of tai_chi, looped;
    RSS (``/proc/self/status`` VmRSS via psutil) every 5 minutes of stream, the buffered poses
    and the events; a linear fit of RSS against stream hours after the first sample. One person;
    and two people whose ids change every 2 minutes (each leaving for 2 s and coming back as a new
    id, so recognisers are made and dropped). Then a few minutes of stream with real pose
    estimation on the looped 10 s clip, RSS every 30 s.
(c) a source that stops delivering mid-way (stalls) and one that fails, with real frames (clean_and_jerk) and pose.

    OMP_NUM_THREADS=1 python -m experiments.live_benchmark [--hour-minutes 60] [--pose-minutes 3] [--parts a,b,c]
    python -m experiments.live_benchmark --merge     # after parts run as separate commands

writes experiments/results/live.md and .json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np
import psutil

from actlm.live import (BlazePoseTracker, Frame, LiveRecognizer, PeopleFramePose, PeopleLiveRecognizer, open_source,
                        run_live)
from actlm.paths import data_root
from actlm.pipeline import default_checkpoint
from actlm.pose.video import read_frames

from experiments.people_benchmark import clip_frames, side_by_side

RESULTS = Path(__file__).parent / "results"


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2 ** 20


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


class Timed:
    """A callable with its total time and number of calls."""

    def __init__(self, fn):
        self.fn, self.seconds, self.calls = fn, 0.0, 0

    def __call__(self, *args):
        t = time.perf_counter()
        try:
            return self.fn(*args)
        finally:
            self.seconds += time.perf_counter() - t
            self.calls += 1


def write_clip(frames: list[np.ndarray], fps: float, path: Path) -> Path:
    import cv2
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def decode_s_per_frame(path: Path) -> float:
    frames, _, _ = open_source(str(path))
    t, n = time.perf_counter(), 0
    for _ in frames:
        n += 1
    return (time.perf_counter() - t) / max(n, 1)


def rtf_run(label: str, clip: Path, people: int, checkpoint, tiles=None) -> dict:
    """One paced live run of ``clip``: people 0 is the single-person path (``actlm live``), N the ``--people N`` one."""
    made: dict = {}

    def recognizer_for(fps: float):
        if people == 0:
            pose = Timed(BlazePoseTracker())
            rec = LiveRecognizer(checkpoint, pose, fps)
        else:
            pose = Timed(PeopleFramePose(people, fps, tiles=tiles))
            rec = PeopleLiveRecognizer(checkpoint, pose, fps, max_people=people)
        rec._score_window = Timed(rec._score_window)
        rec.step = Timed(rec.step)
        made.update(rec=rec, pose=pose)
        return rec

    rss0 = rss_mb()
    try:
        report = run_live(str(clip), recognizer_for, stall_s=5.0)
    finally:
        if "pose" in made:
            made["pose"].fn.close()          # the landmarkers' graphs, before the next setup builds its own
    rec, pose = made["rec"], made["pose"]
    fps = rec.fps
    n = max(report.frames_processed, 1)
    lags = [e["lag_s"] for e in report.events if "lag_s" in e and e["event"] == "start"]
    model_s = rec._score_window.seconds
    return {
        "setup": label, "people_option": people, "clip": clip.name, "fps": round(fps, 2),
        "reason": report.reason, "stream_s": round(report.stream_seconds, 2), "wall_s": round(report.seconds, 2),
        "frames_read": report.frames_read, "frames_processed": report.frames_processed,
        "frames_dropped": report.frames_dropped,
        "processed_fps": round(report.frames_processed / report.seconds, 2),
        "rtf": round(report.frames_processed / report.seconds / fps, 3),
        "headroom": round(report.frames_processed / rec.step.seconds / fps, 3),
        "decode_s_per_frame": round(decode_s_per_frame(clip), 4),
        "pose_s_per_frame": round(pose.seconds / max(pose.calls, 1), 4),
        # all window ends, scored or not (a window with fewer than MIN_POSES poses is skipped cheaply)
        "model_s_per_window": round(model_s / max(report.windows_scored, 1), 4),
        "window_ends": rec._score_window.calls, "windows_scored": report.windows_scored,
        "model_s_per_frame": round(model_s / n, 4),
        "step_s_per_frame": round(rec.step.seconds / n, 4),
        "slowest_step_s": round(report.slowest_step_s, 3),
        "window": rec.windows.length, "stride": rec.windows.stride, "hold": rec.hold,
        "people_followed": report.people, "frames_with_person": report.frames_with_person,
        "events": len(report.events), "starts": len(lags),
        "start_lag_s_median": round(float(np.median(lags)), 2) if lags else None,
        "start_lag_s_max": round(float(np.max(lags)), 2) if lags else None,
        "actions": sorted({(e.get("person", 0), e["action"]) for e in report.events if e["event"] == "start"})[:8],
        "rss_mb_before": round(rss0, 1), "rss_mb_after": round(rss_mb(), 1), "load_1min": load_avg(),
    }


def onnx_part(checkpoint) -> dict:
    """The network of a live window, torch against onnxruntime, batch 1 (median of 50 after 5 warm-ups)."""
    import onnxruntime as ort
    import torch

    from actlm.engine.checkpoint import load_checkpoint
    from actlm.export import InferencePath, example_input, export_module

    from actlm.data.errors import DataError

    model, meta = load_checkpoint(checkpoint)
    net = InferencePath(model).eval()
    x = torch.randn(*example_input(meta).shape)

    def timed(fn) -> float:
        for _ in range(5):
            fn()
        ts = []
        for _ in range(50):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        return float(np.median(ts))

    with torch.no_grad():
        t_torch = timed(lambda: net(x))
        ref = net(x).numpy()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = export_module(net, x, Path(tmp) / "model.onnx")
        except DataError as exc:          # the measurement of torch stands; say why ONNX has none
            return {"input_shape": list(x.shape), "torch_ms": round(t_torch * 1e3, 2), "onnx_ms": None,
                    "onnx_error": str(exc).splitlines()[0][:200], "torch_threads": torch.get_num_threads()}
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        t_onnx = timed(lambda: session.run(None, {"skeleton": x.numpy()}))
        diff = float(np.abs(session.run(None, {"skeleton": x.numpy()})[0] - ref).max())
    return {"input_shape": list(x.shape), "torch_ms": round(t_torch * 1e3, 2), "onnx_ms": round(t_onnx * 1e3, 2),
            "max_abs_diff": diff, "torch_threads": torch.get_num_threads()}


def clip_poses(frames: list[np.ndarray]) -> list:
    pose = BlazePoseTracker()
    try:
        return [pose(f) for f in frames]
    finally:
        pose.close()


def hour_part(checkpoint, poses: list, size: tuple[int, int], minutes: float, people: int, fps: float = 30.0,
              every_min: float = 5.0) -> dict:
    """``minutes`` of stream through the skeleton path (poses looped, no pose estimation), RSS sampled."""
    image = np.zeros((size[1], size[0], 3), np.uint8)
    state = {"i": 0}
    churn = int(120 * fps)                      # two people: new ids every 2 minutes of stream, 2 s away before

    def one(image_):
        p = poses[state["i"] % len(poses)]
        return p

    def two(image_):
        i = state["i"]
        p, q = poses[i % len(poses)], poses[(i + len(poses) // 2) % len(poses)]
        k = i // churn
        if i % churn >= churn - int(2 * fps):  # the second person away for the last 2 s of each period
            return {2 * k: p}
        return {2 * k: p, 2 * k + 1: q}

    if people == 1:
        rec = LiveRecognizer(checkpoint, one, fps)
    else:
        rec = PeopleLiveRecognizer(checkpoint, two, fps, max_people=people)
    total, every = int(minutes * 60 * fps), int(every_min * 60 * fps)
    samples, events = [], 0
    t0 = time.perf_counter()
    for i in range(total):
        state["i"] = i
        events += len(rec.step(Frame(image, i / fps, i)))
        if i % every == 0 or i == total - 1:
            buffered = (sum(len(p.buffer) for p in rec.people.values()) if people > 1 else len(rec.buffer))
            samples.append({"stream_min": round(i / fps / 60, 2), "rss_mb": round(rss_mb(), 1),
                            "buffered_poses": buffered, "recognizers": len(rec.people) if people > 1 else 1,
                            "events": events, "windows_scored": rec.windows_scored,
                            "wall_s": round(time.perf_counter() - t0, 1)})
    events += len(rec.finish(total))
    return {"people": people, "minutes": minutes, "frames": total, "samples": samples, "events": events,
            "people_seen": getattr(rec, "people_seen", 1), **_slope(samples),
            "wall_s": round(time.perf_counter() - t0, 1), "window": rec.windows.length, "stride": rec.windows.stride}


def _slope(samples: list[dict]) -> dict:
    after = samples[1:] if len(samples) > 2 else samples
    x = np.array([s["stream_min"] / 60 for s in after])
    y = np.array([s["rss_mb"] for s in after])
    slope = float(np.polyfit(x, y, 1)[0]) if len(after) >= 2 and np.ptp(x) > 0 else 0.0
    return {"rss_first_mb": samples[0]["rss_mb"], "rss_min_mb": float(y.min()), "rss_max_mb": float(y.max()),
            "rss_last_mb": samples[-1]["rss_mb"], "slope_mb_per_hour": round(slope, 2)}


def pose_loop_part(checkpoint, frames: list[np.ndarray], minutes: float, fps: float = 30.0,
                   every_s: float = 30.0) -> dict:
    """``minutes`` of stream with real BlazePose on the looped clip (every frame processed), RSS sampled."""
    pose = BlazePoseTracker()
    rec = LiveRecognizer(checkpoint, pose, fps)
    total, every = int(minutes * 60 * fps), int(every_s * fps)
    samples, events, t0 = [], 0, time.perf_counter()
    try:
        for i in range(total):
            events += len(rec.step(Frame(frames[i % len(frames)], i / fps, i)))
            if i % every == 0 or i == total - 1:
                samples.append({"stream_min": round(i / fps / 60, 2), "rss_mb": round(rss_mb(), 1),
                                "buffered_poses": len(rec.buffer), "events": events,
                                "wall_s": round(time.perf_counter() - t0, 1)})
    finally:
        pose.close()
    return {"minutes": minutes, "frames": total, "samples": samples, "events": events, **_slope(samples),
            "wall_s": round(time.perf_counter() - t0, 1),
            "s_per_frame": round((time.perf_counter() - t0) / total, 4)}


def fault_part(checkpoint, frames: list[np.ndarray], fps: float, seconds: float = 9.0) -> list[dict]:
    out = []
    for then in ("stall", "fail"):
        def source():
            yield from frames[:int(seconds * fps)]
            if then == "fail":
                raise ConnectionError("connection reset by peer")
            time.sleep(3600)

        t = time.perf_counter()
        report = run_live(f"fake://{then}", lambda f: LiveRecognizer(checkpoint, BlazePoseTracker(), f),
                          frames=(source(), fps, True), stall_s=2.0)
        out.append({"source": then, "reason": report.reason, "stream_s": round(report.stream_seconds, 2),
                    "wall_s": round(time.perf_counter() - t, 2), "frames_processed": report.frames_processed,
                    "frames_dropped": report.frames_dropped, "events": report.events,
                    "every_start_ended": sum(e["event"] == "start" for e in report.events)
                    == sum(e["event"] == "end" for e in report.events), "summary": report.summary()})
    return out


def model_record(checkpoint) -> dict:
    """What was measured: the checkpoint, its members (an ensemble's streams) and its stored timeline settings."""
    from actlm.engine.checkpoint import read_meta
    from actlm.timeline import stored_settings

    meta = read_meta(checkpoint)
    members = [m.get("stream", "joint") for m in (meta.get("ensemble_of") or [])] or ["single model"]
    return {"checkpoint": Path(str(checkpoint)).name, "members": members, "timeline": stored_settings(meta)}


def _f(x, nd=2) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def _model_note(model: dict | None) -> str:
    if not model:
        return ""
    t = model["timeline"]
    return (f"; model {model['checkpoint']} ({' + '.join(model['members'])}), online threshold "
            f"{t['online_threshold']:g}, hold {t['online_hold']}, stillness {t['online_still_below']:g}")


def _run_model(out: dict, part: str) -> dict | None:
    """The model recorded by the run that measured ``part`` (one run of all parts: that run's)."""
    runs = [h for h in out["runs"] if f"--parts {part}" in h["command"]] or out["runs"][:1]
    return runs[0].get("model") if runs else None


def _model_words(model: dict | None) -> str:
    if not model:
        return "the model's stored online stillness level"
    return f"model {' + '.join(model['members'])}, stored online stillness {model['timeline']['online_still_below']:g}"


def rtfs_of(runs: list[dict], people: bool) -> str:
    """The runs' real-time factors, with (``people``) or without the --people option, as 'a/b'."""
    return "/".join(f"{r['rtf']:.2f}" for r in runs if bool(r["people_option"]) == people)


def _host_words(runs: list[dict]) -> str:
    """How busy the host was, part by part: a part whose load average reached 2 (both cores busy)
    ran on a loaded machine, and its timings are not a quiet laptop's."""
    loaded = [h for h in runs if max(h["load_before"], h["load_after"]) >= 2]
    if not loaded:
        return "quiet while measured (load averages above, under 2 before and after each part)"
    if len(loaded) == len(runs):
        return ("shared with other heavy jobs (the load averages above: timings are of a loaded machine, not of a "
                "quiet laptop)")
    def parts(hs: list[dict]) -> str:
        return ("part " if len(hs) == 1 else "parts ") + ", ".join(f"({h.get('part', '?')})" for h in hs)
    quiet = [h for h in runs if h not in loaded]
    return (f"quiet while {parts(quiet)} ran (load under 2), shared with other heavy jobs while "
            f"{parts(loaded)} ran (load 2 or more: those timings are of a loaded machine, not of a quiet laptop)")


def report(out: dict) -> str:
    """live.md from the measurements (parts run as separate commands are listed with their own headers)."""
    lines = ["# `actlm live` measured: real-time factor, cost per part, memory over an hour, faults (issue 43)", ""]
    for h in out["runs"]:
        lines.append(f"- `{h['command']}` at commit {h['commit']}, {h['date']}; {h['seconds']} s; load average "
                     f"(1 min) {h['load_before']} before, {h['load_after']} after{_model_note(h.get('model'))}.")
    host = _host_words(out["runs"])
    lines += ["", f"Machine: 2 CPU cores {host}, no GPU, `OMP_NUM_THREADS=1`. Model: the shipped general-2d "
              "(`default_checkpoint()`), its stored online settings.", ""]
    if "rtf" in out and "hour" in out:
        rtf = out["rtf"]
        one = [r for r in rtf if r["setup"].startswith("1 person")]
        two = [r for r in rtf if r["setup"].startswith("2 people")]
        share = [r["pose_s_per_frame"] / r["step_s_per_frame"] for r in rtf]
        o, h = out["onnx"], out["hour"]
        lines += ["## What it says", "",
                  f"- **One person, 30 fps: RTF {min(r['rtf'] for r in one):.2f}-{max(r['rtf'] for r in one):.2f}** "
                  f"(`actlm live` {rtfs_of(one, people=False)}, `--people 1` {rtfs_of(one, people=True)}) "
                  f"at load {min(r['load_1min'] for r in one):.1f}-{max(r['load_1min'] for r in one):.1f} on 2 cores: "
                  f"the aim of >= 1.0 is "
                  f"{'met' if min(r['rtf'] for r in one) >= 0.99 else 'not met'} here; frames it cannot take are "
                  f"dropped and counted, events still come (start lags "
                  f"{min((r['start_lag_s_median'] for r in one if r['start_lag_s_median'] is not None), default=0):.2f}-"
                  f"{max((r['start_lag_s_max'] for r in one if r['start_lag_s_max'] is not None), default=0):.2f} s "
                  f"behind the window's end). Pose estimation is {min(share):.0%}-{max(share):.0%} of the recogniser's "
                  f"time in every setup ({min(r['pose_s_per_frame'] for r in one) * 1e3:.0f}-"
                  f"{max(r['pose_s_per_frame'] for r in one) * 1e3:.0f} ms a frame for one person), the model "
                  f"{min(r['model_s_per_frame'] for r in one) * 1e3:.1f}-{max(r['model_s_per_frame'] for r in one) * 1e3:.1f} "
                  f"ms a frame (a window every {rtf[0]['stride']} frames), decoding under 1 ms (in the reader thread).",
                  (f"- **ONNX** would make the network {o['torch_ms'] / o['onnx_ms']:.1f}x faster ({o['torch_ms']} -> "
                   f"{o['onnx_ms']} ms a window), i.e. about {(o['torch_ms'] - o['onnx_ms']) / rtf[0]['stride']:.1f} ms a "
                   f"frame: a few per cent of a frame's cost while BlazePose takes tens of ms, so live keeps torch "
                   f"(not wired in; `actlm export` makes the ONNX file if a deployment wants it)." if o.get("onnx_ms") else
                   f"- **ONNX**: this model does not export ({o.get('onnx_error')}); torch takes {o['torch_ms']} ms a "
                   f"window, about {o['torch_ms'] / rtf[0]['stride']:.1f} ms a frame; the model is "
                   f"{min(r['model_s_per_frame'] / r['step_s_per_frame'] for r in one):.0%}-"
                   f"{max(r['model_s_per_frame'] / r['step_s_per_frame'] for r in one):.0%} of a one-person frame's "
                   f"cost, BlazePose the rest."),
                  f"- **Two people** (three landmarker tiles over the wide frame): pose "
                  f"{two[0]['pose_s_per_frame'] * 1e3:.0f} ms a frame, RTF {two[0]['rtf']:.2f}; the model's cost grows "
                  f"with people (one window per person per stride) but stays small. Cost grows with the landmarker's "
                  f"tiles and the people it refines, not with the model. At a few processed frames a second the "
                  f"tracker loses people between processed frames ({two[0]['people_followed']} ids for 2 people) and "
                  f"windows hold few poses: several people live need a faster pose model or fewer pixels.",
                  f"- **Memory is flat over an hour**: {h[0]['slope_mb_per_hour']:+.2f} MB per hour of stream for one "
                  f"person, {h[1]['slope_mb_per_hour']:+.2f} for two with {h[1]['people_seen']} ids made and dropped; "
                  f"the buffers hold at most one window per person; only the event list of `run_live`'s report grows "
                  f"(one entry per start or end: {h[0]['events']} in the hour).",
                  "- A source that stalls or fails ends the run with its reason, and every action going on is "
                  "ended (c). `run_live` does not reconnect: it ends cleanly and says why.",
                  f"- **Stillness**: with every frame processed, the looped tai chi gives "
                  f"{out['pose_loop']['events']} events in {out['pose_loop']['minutes']:g} min "
                  f"({_model_words(_run_model(out, 'b'))})" + (
                      "" if out["pose_loop"]["events"] else
                      " (a stillness rule calibrated on synthetic idle frames reads BlazePose video as still: "
                      "timeline_general.md)") + ".", ""]
    if "rtf" in out:
        r0 = out["rtf"][0]
        lines += ["## (a) Real-time factor end to end (decode + pose + model), files played at their own rate", "",
                  f"Clips of 10 s (300 frames at {r0['fps']} fps) written as mp4 and played by `run_live` as "
                  f"`actlm live FILE` plays them (paced; the newest frames kept, the rest dropped and counted). "
                  f"Sizes: 1 person {out['sizes']['1']}, 2 people {out['sizes']['2']} (tai_chi | clean_and_jerk, "
                  f"`people_benchmark.side_by_side`), 4 people {out['sizes']['4']} (2 x 2 grid as people_benchmark "
                  f"builds it). Window {r0['window']} frames, stride {r0['stride']}, hold {r0['hold']}. "
                  "RTF = frames processed per wall second / source fps; headroom = frames processed per second "
                  "the recogniser was busy / source fps (>= 1: it could take every frame).", "",
                  "| setup | frames read | processed | dropped | processed fps | RTF | headroom | decode ms/frame "
                  "| pose ms/frame | model ms/window (scored) | windows scored | model ms/frame | pose share | people ids "
                  "| starts | start lag median/max s | load |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in out["rtf"]:
            share = r["pose_s_per_frame"] / max(r["step_s_per_frame"], 1e-9)
            lines.append(f"| {r['setup']} | {r['frames_read']} | {r['frames_processed']} | {r['frames_dropped']} | "
                         f"{r['processed_fps']:.1f} | {r['rtf']:.2f} | {r['headroom']:.2f} | "
                         f"{r['decode_s_per_frame'] * 1e3:.1f} | {r['pose_s_per_frame'] * 1e3:.0f} | "
                         f"{r['model_s_per_window'] * 1e3:.1f} | {r['windows_scored']} | "
                         f"{r['model_s_per_frame'] * 1e3:.1f} | {share:.0%} | {r['people_followed']} | {r['starts']} | "
                         f"{_f(r['start_lag_s_median'])}/{_f(r['start_lag_s_max'])} | {r['load_1min']} |")
        o = out["onnx"]
        lines += ["", f"ONNX: the model is not run through ONNX anywhere in `actlm live` (only `actlm bench --onnx` "
                  f"and `actlm export` use onnxruntime). The network of one live window ({o['input_shape']}) at "
                  f"batch 1, one thread: torch {o['torch_ms']} ms, " + (
                      f"onnxruntime {o['onnx_ms']} ms (max |diff| {o['max_abs_diff']:.1e}), median of 50." if o.get("onnx_ms")
                      else f"median of 50; onnxruntime: none, the export fails ({o.get('onnx_error')})."), ""]
    if "hour" in out:
        lines += ["## (b) Memory over an hour of stream", ""]
        for h in out["hour"]:
            who = ("one person" if h["people"] == 1 else
                   f"two people, new ids every 2 minutes ({h['people_seen']} people followed in all)")
            lines += [f"Skeleton path without pose estimation, {who}: {h['frames']} frames ({h['minutes']:g} min at "
                      f"30 fps) in {h['wall_s']} s; window {h['window']}, stride {h['stride']}; {h['events']} events. "
                      f"RSS {h['rss_first_mb']} MB at the start, {h['rss_min_mb']}-{h['rss_max_mb']} MB after, "
                      f"slope {h['slope_mb_per_hour']:+.2f} MB per hour of stream (least squares, samples after the first).",
                      "", "| stream min | RSS MB | buffered poses | recognisers | events | windows scored | wall s |",
                      "|---|---|---|---|---|---|---|"]
            lines += [f"| {x['stream_min']} | {x['rss_mb']} | {x['buffered_poses']} | {x['recognizers']} | {x['events']} | "
                      f"{x['windows_scored']} | {x['wall_s']} |" for x in h["samples"]]
            lines.append("")
    if "pose_loop" in out:
        p = out["pose_loop"]
        lines += [f"With BlazePose on the looped 10 s clip (every frame processed, unpaced): {p['frames']} frames "
                  f"({p['minutes']:g} min of stream) in {p['wall_s']} s ({p['s_per_frame'] * 1e3:.0f} ms a frame); "
                  f"RSS {p['rss_first_mb']} MB at the start, {p['rss_min_mb']}-{p['rss_max_mb']} MB after, "
                  f"{p['rss_last_mb'] - p['rss_first_mb']:+.1f} MB from first to last sample (no trend: the "
                  f"spread is mediapipe's working memory, not growth).", "",
                  "| stream min | RSS MB | buffered poses | events | wall s |", "|---|---|---|---|---|"]
        lines += [f"| {x['stream_min']} | {x['rss_mb']} | {x['buffered_poses']} | {x['events']} | {x['wall_s']} |"
                  for x in p["samples"]]
        lines.append("")
    if "faults" in out:
        lines += ["## (c) A source that stalls or fails mid-way", "",
                  "9 s of clean_and_jerk delivered at its frame rate, then the source blocks (stall; `--stall 2`) or raises "
                  "`ConnectionError` (fail). Real BlazePose and model, the stored settings "
                  f"({_model_words(_run_model(out, 'c'))}). " + _faults_note(out["faults"]), "",
                  "| source | reason | stream s | wall s | processed | dropped | events | every start ended |",
                  "|---|---|---|---|---|---|---|---|"]
        for f in out["faults"]:
            ev = ", ".join(f"{e['event']} {e['action']} {e['time_s']:.2f} s" for e in f["events"]) or "none"
            lines.append(f"| {f['source']} | {f['reason']} | {f['stream_s']} | {f['wall_s']} | {f['frames_processed']} | "
                         f"{f['frames_dropped']} | {ev} | {f['every_start_ended']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _faults_note(faults: list[dict]) -> str:
    """Whether an action was going on when the source stopped (the events of the fault runs)."""
    started = [f for f in faults if any(e["event"] == "start" for e in f["events"])]
    # an action going on when the source stops is ended there: its end is the run's last event, after the
    # last frame was read (an end the decoder gave on its own comes a window after its last action frame)
    at_stop = [f for f in faults if f["events"] and f["events"][-1]["event"] == "end"
               and f["events"][-1]["time_s"] >= f["stream_s"] - 0.5]
    test = ("that an action going on is ended at a stall is tested with a fake model "
            "(tests/test_live.py::test_a_stalled_stream_ends_every_persons_action)")
    if not started:
        return f"No action is announced in these 9 s, so none is going on when the source stops; {test}."
    return (f"Actions are announced in {len(started)} of {len(faults)} runs; every start is "
            f"{'ended' if all(f['every_start_ended'] for f in faults) else 'NOT ended'}, "
            f"{len(at_stop)} of them at the stop (the rest ended by the decoder before it); {test}.")


#: what each part adds to live.json
PART_KEYS = {"a": ("sizes", "rtf", "onnx"), "b": ("hour", "pose_loop"), "c": ("faults",)}
RUN_KEYS = ("command", "commit", "date", "seconds", "load_before", "load_after", "cpus", "omp_threads", "model")


def _part_of(run: dict) -> str:
    return run.get("part") or run["command"].split("--parts ")[-1].split()[0]


def merge() -> None:
    """live.json and live.md from the parts' files (live_a.json, live_b.json, live_c.json; removed once
    merged). A part with no new file keeps what live.json holds of it, so rerunning one part loses none."""
    earlier = json.loads((RESULTS / "live.json").read_text()) if (RESULTS / "live.json").is_file() else {"runs": []}
    runs = {_part_of(r): r for r in earlier["runs"]}
    out: dict = {k: v for k, v in earlier.items() if k != "runs"}
    merged = []
    for tag in ("a", "b", "c"):
        path = RESULTS / f"live_{tag}.json"
        if path.is_file():
            part = json.loads(path.read_text())
            runs[tag] = {**{k: part.get(k) for k in RUN_KEYS}, "part": tag}
            out.update({k: part[k] for k in PART_KEYS[tag] if k in part})
            merged.append(path)
    out = {"runs": [runs[t] for t in ("a", "b", "c") if t in runs], **out}
    (RESULTS / "live.json").write_text(json.dumps(out, indent=1, default=str) + "\n")
    (RESULTS / "live.md").write_text(report(out))
    for path in merged:
        path.unlink()
    print(f"wrote {RESULTS / 'live.md'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hour-minutes", type=float, default=60.0)
    ap.add_argument("--pose-minutes", type=float, default=3.0)
    ap.add_argument("--parts", default="a,b,c")
    ap.add_argument("--merge", action="store_true", help="only write live.json/.md from live_a/b/c.json")
    args = ap.parse_args()
    if args.merge:
        return merge()
    parts = args.parts.split(",")
    checkpoint = default_checkpoint()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    out: dict = {"command": "OMP_NUM_THREADS=1 python -m experiments.live_benchmark " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "merge"),
        "commit": commit, "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_avg(), "cpus": os.cpu_count(), "omp_threads": os.environ.get("OMP_NUM_THREADS"),
        "model": model_record(checkpoint)}
    t_all = time.perf_counter()
    src = data_root() / "videos"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fps = 29.97
        if "a" in parts:
            n = 300
            tai = list(read_frames(src / "tai_chi.mp4"))[:n]
            left, right = clip_frames("tai_chi.mp4", n), clip_frames("clean_and_jerk.mp4", n)
            k = min(len(left), len(right))
            pair = side_by_side(left[:k], right[:k])
            grid = [np.concatenate([a, b], 0) for a, b in zip(pair, side_by_side(
                clip_frames("skateboarding.mp4", k), clip_frames("tai_chi.mp4", k + 45, mirror=True)[45:]))]
            one = write_clip(tai, fps, tmp / "one.mp4")
            two = write_clip(pair, fps, tmp / "two.mp4")
            four = write_clip(grid, fps, tmp / "four.mp4")
            out["sizes"] = {"1": list(tai[0].shape[1::-1]), "2": list(pair[0].shape[1::-1]),
                            "4": list(grid[0].shape[1::-1])}
            runs = [rtf_run("1 person, BlazePose (actlm live)", one, 0, checkpoint),
                    rtf_run("1 person, --people 1", one, 1, checkpoint),
                    rtf_run("1 person, --people 1 (again)", one, 1, checkpoint),
                    rtf_run("1 person, BlazePose (actlm live) (again)", one, 0, checkpoint),
                    rtf_run("2 people side by side, --people 2", two, 2, checkpoint),
                    rtf_run("4 people 2x2 grid, --people 4 (whole frame)", four, 4, checkpoint),
                    rtf_run("4 people 2x2 grid, --people 4 (2x2 tiles)", four, 4, checkpoint, tiles=(2, 2))]
            out["rtf"] = runs
            out["onnx"] = onnx_part(checkpoint)
            print(json.dumps(runs, indent=1, default=str), json.dumps(out["onnx"]), flush=True)
        if "b" in parts:
            frames10 = list(read_frames(src / "tai_chi.mp4"))[:300]
            poses = clip_poses(frames10)
            size = frames10[0].shape[1::-1]
            out["hour"] = [hour_part(checkpoint, poses, size, args.hour_minutes, 1),
                           hour_part(checkpoint, poses, size, args.hour_minutes, 2)]
            print(json.dumps(out["hour"], default=str), flush=True)
            out["pose_loop"] = pose_loop_part(checkpoint, frames10, args.pose_minutes)
            print(json.dumps(out["pose_loop"], default=str), flush=True)
        if "c" in parts:          # a clip of an action the general model knows, so there is something to end
            frames10 = list(read_frames(src / "clean_and_jerk.mp4"))[:300]
            out["faults"] = fault_part(checkpoint, frames10, fps)
    out["seconds"] = round(time.perf_counter() - t_all, 1)
    out["load_after"] = load_avg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"live_{''.join(parts)}.json").write_text(json.dumps(out, indent=1, default=str) + "\n")
    if parts == ["a", "b", "c"]:
        (RESULTS / "live_abc.json").rename(RESULTS / "live_a.json")
        merge()


if __name__ == "__main__":
    main()
