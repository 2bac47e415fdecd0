"""Online detection of MSRC-12's action points in its continuous recordings (issue 43, item 4).

    python -m experiments.msrc12_online                  # the shipped general model, train persons calibrate
    python -m experiments.msrc12_online --every 4        # every 4th recording (CPU time)

MSRC-12 (Fothergill et al., CHI 2012) is 593 Kinect recordings of 30 people, each repeating one of
12 gestures about ten times; the dataset marks, per repetition, the *action point*: the frame at
which an interactive system should fire. Its protocol is online detection: a detection counts
when it has the recording's gesture and falls within a time tolerance of an action point, each
action point matched at most once; precision, recall and F-score over all recordings.

The detector here is what ``actlm live`` does, on skeletons instead of video: the shipped general
model (``actlm/checkpoints/general-2d``: 2D, common 13-joint body; it knows the 12 gestures among
its 59 classes, trained on the odd-numbered persons' segments, at most three per recording) scores
windows of :data:`WINDOW` frames (the length of its MSRC-12 training segments) every
:data:`STRIDE` frames, each window seen from the front as a camera would; the probabilities of
the 12 gestures (renormalised among them: the application's vocabulary) are read as the stream
goes, and a gesture fires when its probability rises through ``on`` and re-arms once it has
fallen below ``on - gap`` (hysteresis), no sooner than ``refractory`` seconds after its last
firing. A detection's time is the end of the window that made it: the detector never looks ahead.

``on``, ``gap`` and ``refractory`` are chosen on the odd-numbered (training) persons' recordings
by the F-score at the calibration tolerance; the numbers reported are on the even-numbered persons,
whom the model never saw. Baselines, calibrated the same way: the whole body's motion energy firing
on its rises, labelled with the recording's *true* gesture (an oracle label: this isolates timing),
and the same timing with the most common training gesture (the class prior).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from actlm.data.merged import merged_label, to_common_body
from actlm.data.msrc12 import CLASSES
from actlm.engine.checkpoint import load_checkpoint
from actlm.paths import data_root
from actlm.timeline import Windows, score_windows

from .run_archive import handwritten_notes, head_commit

RESULTS = Path(__file__).parent / "results"
WINDOW, STRIDE = 60, 3
TOLERANCES_S = (0.33, 0.5, 1.0)
CALIBRATION_TOLERANCE_S = 0.5
ON_GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
GAP_GRID = (0.1, 0.2, 0.3)
REFRACTORY_GRID_S = (0.5, 1.0, 1.5)
_NAME = re.compile(r"^P\d+_\d+_(\d+)[A-Z]?_p(\d+)$")


class Recording:
    """One continuous recording: its gesture (0..11), person, frame times (s) and action points."""

    def __init__(self, path: Path):
        match = _NAME.match(path.stem)
        if not match:
            raise ValueError(f"{path}: file name is not P{{A}}_{{B}}_{{G}}_p{{D}}.npz")
        self.path, self.gesture, self.person = path, int(match.group(1)) - 1, int(match.group(2))
        with np.load(path, allow_pickle=False) as npz:
            joints = npz["joints"].astype(np.float32)
            self.times = (npz["time_usec"] - npz["time_usec"][0]) / 1e6
            self.points = np.asarray(npz["action_point_frames"], dtype=np.int64)
        if not np.isfinite(joints).all():
            raise ValueError(f"{path}: joints hold NaN/inf")
        self.body = to_common_body(joints[None], "kinect-v1", "msrc-12")      # (1, T, 13, 3)

    @property
    def frames(self) -> int:
        return self.body.shape[1]


# --- the stream's scores ------------------------------------------------------------------------
def weights_digest(checkpoint: Path) -> str:
    """The first 12 hex digits of the SHA-256 of ``checkpoint``'s model.safetensors."""
    import hashlib

    return hashlib.sha256((checkpoint / "model.safetensors").read_bytes()).hexdigest()[:12]


def gesture_columns(classes: list[str]) -> list[int]:
    """Columns of the general model's output that are MSRC-12's gestures, in G1..G12 order."""
    from actlm.data.merged import CLASSES as MERGED
    names = list(MERGED)
    return [classes.index(names[merged_label("msrc-12", c)]) for c in CLASSES]


def stream_scores(model, meta, rec: Recording, columns: list[int]) -> dict[str, np.ndarray]:
    """Per window: end frame, the 12 gestures' probabilities among all the model's classes, and the motion energy."""
    scores = score_windows(model, meta.test_pipeline, "body-13", rec.body, Windows(WINDOW, STRIDE), batch=128)
    probs = scores.probs[:, columns]
    ends = np.minimum(scores.starts + WINDOW - 1, rec.frames - 1)
    return {"ends": ends, "probs": probs.astype(np.float32), "motion": scores.motion.astype(np.float32)}


# --- detection ------------------------------------------------------------------------------------
def fire(signal: np.ndarray, times: np.ndarray, on: float, gap: float, refractory: float) -> np.ndarray:
    """Indices where ``signal`` rises through ``on`` (armed again below ``on - gap``, and no sooner
    than ``refractory`` seconds after the last firing). Causal: each decision uses the past only."""
    out, armed, last = [], True, -np.inf
    for i, value in enumerate(signal):
        if armed and value >= on and times[i] - last >= refractory:
            out.append(i)
            armed, last = False, times[i]
        elif not armed and value < on - gap:
            armed = True
    return np.asarray(out, dtype=np.int64)


def detections(score: dict[str, np.ndarray], times: np.ndarray, on: float, gap: float, refractory: float,
               label: int | None = None, among_gestures: bool = True) -> list[tuple[float, int]]:
    """(time in s, gesture) of every firing: per gesture from the model's probabilities (renormalised
    among the 12 gestures, or as they are among all its classes), or, with ``label``, from the motion
    energy (normalised to its recording's 95th percentile) with that label."""
    t = times[score["ends"]]
    if label is not None:
        energy = score["motion"] / max(float(np.percentile(score["motion"], 95)), 1e-9)
        return [(float(t[i]), label) for i in fire(energy, t, on, gap, refractory)]
    probs = score["probs"]
    if among_gestures:
        probs = probs / np.clip(probs.sum(1, keepdims=True), 1e-9, None)
    out = []
    for k in range(probs.shape[1]):
        out += [(float(t[i]), k) for i in fire(probs[:, k], t, on, gap, refractory)]
    return sorted(out)


def match(found: list[tuple[float, int]], points: np.ndarray, gesture: int, tolerance: float) -> tuple[int, list[float]]:
    """True positives (each action point matched once, to the earliest unmatched detection of the
    right gesture within ``tolerance`` s) and their latencies (detection minus action point, s)."""
    times = sorted(t for t, k in found if k == gesture)
    used = [False] * len(times)
    hits, delays = 0, []
    for point in points:
        for j, t in enumerate(times):
            if not used[j] and abs(t - point) <= tolerance:
                used[j] = True
                hits += 1
                delays.append(t - point)
                break
    return hits, delays


def score_set(recs: list[Recording], scores: dict[str, dict], params: dict, tolerance: float,
              label_of=None) -> dict:
    tp = fp = fn = 0
    delays: list[float] = []
    per_gesture = np.zeros((len(CLASSES), 3), dtype=np.int64)       # tp, detections, points
    for rec in recs:
        label = None if label_of is None else label_of(rec)
        found = detections(scores[rec.path.stem], rec.times, params["on"], params["gap"], params["refractory"], label,
                           params.get("among_gestures", True))
        points = rec.times[np.clip(rec.points, 0, rec.frames - 1)]
        hits, d = match(found, points, rec.gesture, tolerance)
        tp, fp, fn = tp + hits, fp + len(found) - hits, fn + len(points) - hits
        delays += d
        per_gesture[rec.gesture] += (hits, len(found), len(points))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f": f,
            "latency_median_s": float(np.median(delays)) if delays else None,
            "latency_p90_s": float(np.percentile(delays, 90)) if delays else None,
            "per_gesture_f": [float(2 * a / (b + c)) if b + c else 0.0 for a, b, c in per_gesture]}


def calibrate(recs, scores, label_of=None) -> dict:
    best, best_f = None, -1.0
    for among in ((True, False) if label_of is None else (True,)):
        for on in ON_GRID:
            for gap in GAP_GRID:
                for refractory in REFRACTORY_GRID_S:
                    params = {"on": on, "gap": gap, "refractory": refractory, "among_gestures": among}
                    f = score_set(recs, scores, params, CALIBRATION_TOLERANCE_S, label_of)["f"]
                    if f > best_f:
                        best, best_f = params, f
    return {**best, "calibration_f": best_f}


# --- the run --------------------------------------------------------------------------------------
def load_recordings(every: int) -> tuple[list[Recording], list[str]]:
    files = sorted((data_root() / "msrc-12").glob("*.npz"))[::every]
    recs, skipped = [], []
    for path in files:
        try:
            recs.append(Recording(path))
        except (ValueError, OSError, KeyError) as exc:
            skipped.append(str(exc))
    return recs, skipped


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", default=str(Path(__file__).parents[1] / "actlm" / "checkpoints" / "general-2d"))
    p.add_argument("--every", type=int, default=1, help="every k-th recording (CPU time); 1 = all 593")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--name", default="msrc12_online")
    p.add_argument("--cache", default="runs/msrc12_online_scores",
                   help="window scores kept per recording, in a folder per model weights (reused when the detector's "
                        "rule changes); '' for none")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    started = time.time()
    model, meta = load_checkpoint(a.checkpoint)
    model.eval()
    columns = gesture_columns(list(meta.classes))
    recs, skipped = load_recordings(a.every)
    scores, scoring_s, frames = {}, 0.0, 0
    # one folder per model: the weights' hash, so that scores of other weights are never reused
    cache = Path(a.cache) / weights_digest(Path(meta.path)) if a.cache else None
    for i, rec in enumerate(recs):
        kept = cache / f"{rec.path.stem}.npz" if cache else None
        if kept is not None and kept.exists():
            with np.load(kept) as z:
                scores[rec.path.stem] = {k: z[k] for k in ("ends", "probs", "motion", "seconds")}
        else:
            t0 = time.perf_counter()
            scores[rec.path.stem] = {**stream_scores(model, meta, rec, columns),
                                     "seconds": np.float64(time.perf_counter() - t0)}
            if kept is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                np.savez(kept, **scores[rec.path.stem])
        scoring_s += float(scores[rec.path.stem]["seconds"])
        frames += rec.frames
        if (i + 1) % 25 == 0:
            print(f"scored {i + 1}/{len(recs)} recordings ({time.time() - started:.0f} s)", file=sys.stderr)
    train = [r for r in recs if r.person % 2 == 1]
    test = [r for r in recs if r.person % 2 == 0]
    prior = int(np.bincount([r.gesture for r in train], minlength=len(CLASSES)).argmax())
    methods = {"model (general-2d, 12 gestures)": None,
               "motion energy + true gesture (oracle label)": lambda r: r.gesture,
               "motion energy + most common gesture (prior)": lambda r: prior}
    results = {"command": "python -m experiments.msrc12_online " + " ".join(argv if argv is not None else sys.argv[1:]),
               "commit": head_commit(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "checkpoint": a.checkpoint, "window": WINDOW, "stride": STRIDE,
               "recordings": {"train": len(train), "test": len(test), "skipped": skipped},
               "action_points": {"train": int(sum(len(r.points) for r in train)),
                                 "test": int(sum(len(r.points) for r in test))},
               "frames": frames, "scoring_s": scoring_s,
               "model_ms_per_frame": 1000 * scoring_s / max(frames, 1),
               "calibration_tolerance_s": CALIBRATION_TOLERANCE_S, "methods": {}}
    for name, label_of in methods.items():
        params = calibrate(train, scores, label_of)
        results["methods"][name] = {"params": params, "test": {
            str(tol): score_set(test, scores, params, tol, label_of) for tol in TOLERANCES_S}}
    results["run_s"] = time.time() - started
    write(results, a.name)


def write(results: dict, name: str) -> None:
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    md = RESULTS / f"{name}.md"
    notes = handwritten_notes(md)
    r = results
    lines = ["# MSRC-12: online detection of the action points in continuous recordings (issue 43)", "",
             f"`{r['command']}` at commit {r['commit']}, {r['date']}, {r['run_s']:.0f} s on the shared 2-core host.", "",
             f"Model: {r['checkpoint']} (2D, front view of the Kinect skeleton, 13-joint body); windows of "
             f"{r['window']} frames every {r['stride']} frames; a detection's time is its window's end. "
             f"Persons: odd numbers calibrate ({r['recordings']['train']} recordings, {r['action_points']['train']} "
             f"action points), even numbers are tested ({r['recordings']['test']} recordings, "
             f"{r['action_points']['test']} action points; never seen by the model). Skipped files: "
             f"{len(r['recordings']['skipped'])}.", "",
             "A detection is correct when it names the recording's gesture within the tolerance of an action point "
             "(each matched once); precision, recall and F-score over all test recordings; latency = detection "
             f"minus action point of the matched ones. Settings chosen on the calibration persons at +-{r['calibration_tolerance_s']} s.", "",
             "| method | settings (on, gap, refractory s; probabilities among the 12 gestures or all classes) | " + " | ".join(f"P / R / F at +-{t} s" for t in TOLERANCES_S)
             + " | latency median (p90) at +-1 s |",
             "|---|---|" + "---|" * len(TOLERANCES_S) + "---|"]
    for method, m in r["methods"].items():
        cells = [f"{100 * m['test'][str(t)]['precision']:.1f} / {100 * m['test'][str(t)]['recall']:.1f} / "
                 f"**{100 * m['test'][str(t)]['f']:.1f}**" for t in TOLERANCES_S]
        lat = m["test"][str(TOLERANCES_S[-1])]
        latency = (f"{lat['latency_median_s']:+.2f} s ({lat['latency_p90_s']:+.2f} s)"
                   if lat["latency_median_s"] is not None else "-")
        p = m["params"]
        among = "12 gestures" if p.get("among_gestures", True) else "all classes"
        lines.append(f"| {method} | {p['on']}, {p['gap']}, {p['refractory']}; {among} | " + " | ".join(cells) + f" | {latency} |")
    model = r["methods"]["model (general-2d, 12 gestures)"]["test"][str(CALIBRATION_TOLERANCE_S)]
    lines += ["", f"F-score per gesture (model, +-{CALIBRATION_TOLERANCE_S} s): " + ", ".join(
        f"{c} {100 * f:.0f}" for c, f in zip(CLASSES, model["per_gesture_f"])), "",
        f"Cost: the model scores a stream at {r['model_ms_per_frame']:.2f} ms per frame on one CPU thread "
        f"({r['frames']} frames in {r['scoring_s']:.0f} s; a window every {r['stride']} frames), i.e. "
        f"{1000 / 30 / max(r['model_ms_per_frame'], 1e-9):.0f}x real time at 30 frames/s without pose estimation "
        "(the Kinect gives the skeleton).", ""]
    md.write_text("\n".join(lines) + ("\n" + notes if notes else ""))
    print(md.read_text())


if __name__ == "__main__":
    main()
