"""A person's review of the walks the fact detector states on NW-UCLA's stationary classes.

facts_real counts 'walk' as false on every sequence of sit down, stand up, donning, doffing and
throw (the classes whose definition excludes walking). Some of those people really walk (a throw
with a run-up, steps while dressing). This script measures, with code of its own (not actlm's
facts/world), on the floor of each camera:

* each foot's travel (ankle joint, horizontal): net start -> end, and the largest distance from
  where it started;
* the **steps**: a foot moves (more than STEP_MOVING per frame) while the other stays (the moving
  one goes STEP_ALONE times as far in that frame), carried at least STEP_LENGTH over its frames;
  steps following each other within WALK_GAP frames make one walk, where consecutive steps of the
  same foot are one (a stride that paused); the **alternating steps** are the longest walk's
  steps (left, right, left ... each the other foot's turn);
* the pelvis (hip centre) travel: the largest distance between two of its positions over that
  walk's frames (a walk there and back covers its length, not its net).

Verdict per clip:

* ``walking``: at least WALK_STEPS alternating steps and the pelvis covers at least WALK_COVER
  over them;
* ``shuffle``: a step or more, but fewer alternating steps or a shorter way (a step to the side, a
  turn on the spot, a shuffle while dressing);
* ``no step``: no step at all: the feet's readings travel by tracking noise, jumps, or both
  feet sliding together (the skeleton drifting).

*Up* is the normal of the plane fitted to the ankle positions of all 'walk around' sequences of the
same camera view and subject (Kinect v1: the camera is tilted 12-18 degrees; view v01's floor
fitted over all subjects leaves 0.12 m of residual, 0.03-0.14 m per subject, so each subject gets
its own fit; the fit's residual is kept per clip); horizontal is the plane across it. Positions are median-smoothed over 3 frames (single-frame jitter).

The clips reviewed: every sequence of those classes (all views, as facts_real reads them) in
which the detector at the given commit states a walk; the same numbers are kept for every
sequence of those classes, so facts_real can count the detector's walks against the verdicts of
any later version. As a check on the measure itself, every 'walk around' sequence is measured
too (they should nearly all come out ``walking``).

    python -m experiments.facts_real_walk_review [--plot DIR] [--only ID ...]

writes experiments/results/facts_real_walk_review.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np

from actlm.data import nwucla
from actlm.paths import data_root
from experiments.run_archive import handwritten_notes, head_commit

RESULTS = Path(__file__).parent / "results"
NAME = "facts_real_walk_review"
#: the classes facts_real says exclude walking, and the class that is walking (the measure's check)
EXCLUDING = ("sit down", "stand up", "donning", "doffing", "throw")
WALKING_CLASS = "walk around"
#: Kinect v1 joint indices (actlm's kinect-v1 layout = the file's order)
PELVIS, LEFT_ANKLE, RIGHT_ANKLE = 0, 14, 18
#: a foot moves in a frame when its ankle goes more than this (metres per frame; a planted foot's
#: reading jitters by 1-2 cm, a stepping foot goes 10-30 cm per frame at NW-UCLA's frame rate)
STEP_MOVING = 0.03
#: ... while the other foot stays: the moving one goes at least this many times as far in that frame
#: (a planted foot's reading jitters, and Kinect drags it along with the swinging one by up to half
#: its speed; in a run both feet are off the ground briefly, never both fast)
STEP_ALONE = 1.5
#: a step carries the foot at least this far (metres; a walking step is 0.3-0.8 m)
STEP_LENGTH = 0.15
#: walking: at least this many alternating steps, the pelvis covering at least this (metres)
WALK_STEPS, WALK_COVER = 2, 0.5
#: a step starting more than this many frames after the previous one ended belongs to another walk
#: (99 % of the consecutive steps in NW-UCLA's walk-around clips start within 10 frames, the median
#: 1; a throw's stride long after a shuffle, or a step at the start and another at the end of
#: dressing, are not one walk)
WALK_GAP = 10
#: the stricter setting also reported (how much the verdicts depend on these two choices)
STRICTER = {"STEP_ALONE": 2.0, "WALK_GAP": 6}


@lru_cache(maxsize=None)
def floor_axes(view: int, subject: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(up, e1, e2, residual sd in metres) from the ankles of the subject's walk-around sequences in
    that view (the whole view's if the subject has fewer than 200 ankle readings there)."""
    def ankles(pattern: str) -> np.ndarray:
        pts = [load(p)[:, [LEFT_ANKLE, RIGHT_ANKLE]].reshape(-1, 3)
               for p in sorted((data_root() / "nw-ucla" / "all_sqe").glob(pattern))]
        return np.concatenate(pts) if pts else np.zeros((0, 3))

    points = ankles(f"a04_s{subject:02d}_e*_v{view:02d}.json")
    if len(points) < 200:
        points = ankles(f"a04_s*_e*_v{view:02d}.json")
    for _ in range(2):                                  # fit, drop readings > 3 sd off the plane, refit
        centre = points.mean(axis=0)
        _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
        up = vt[2] * np.sign(vt[2][1])
        residual = (points - centre) @ up
        points = points[np.abs(residual) <= 3 * residual.std() + 1e-9]
    e1 = np.cross(up, [1.0, 0.0, 0.0])
    e1 /= np.linalg.norm(e1)
    return up, e1, np.cross(up, e1), float(residual.std())


def load(path: Path) -> np.ndarray:
    """(T, 20, 3) float, frames with no skeleton (all zero) dropped."""
    x = nwucla.read_sequence(path).data[0].astype(float)
    return x[np.abs(x).reshape(len(x), -1).sum(axis=1) > 0]


def smooth3(x: np.ndarray) -> np.ndarray:
    """Centred median over 3 frames; the end frames take their neighbour's value."""
    if len(x) < 3:
        return x
    out = x.copy()
    out[1:-1] = np.median(np.stack([x[:-2], x[1:-1], x[2:]]), axis=0)
    out[0], out[-1] = out[1], out[-2]       # an end frame has no two neighbours: its jumps (a tracker
    return out                              # settling on the body in the first frame) are not read


def on_floor(x: np.ndarray, joint: int, axes) -> np.ndarray:
    _, e1, e2, _ = axes
    p = x[:, joint]
    return smooth3(np.stack([p @ e1, p @ e2], axis=1))


def steps_of(feet: dict[str, np.ndarray]) -> list[dict]:
    """The steps, time-ordered: runs of frames in which one foot moves (> STEP_MOVING per frame)
    and the other stays (moves less than 1/STEP_ALONE as far in that frame), carrying the foot
    >= STEP_LENGTH over the run. Consecutive steps of one foot merge (a stride that paused)."""
    speed = {s: np.r_[0.0, np.linalg.norm(np.diff(f, axis=0), axis=1)] for s, f in feet.items()}
    label = np.zeros(len(speed["left"]), dtype=int)
    label[(speed["left"] > STEP_MOVING) & (speed["left"] > STEP_ALONE * speed["right"])] = 1
    label[(speed["right"] > STEP_MOVING) & (speed["right"] > STEP_ALONE * speed["left"])] = -1
    found = []
    for side, mark in (("left", 1), ("right", -1)):
        frames = np.flatnonzero(label == mark)
        for run in np.split(frames, np.flatnonzero(np.diff(frames) > 1) + 1) if len(frames) else []:
            a, b = int(run[0]) - 1, int(run[-1])          # from the frame before it moved to the last moving one
            length = float(np.linalg.norm(feet[side][b] - feet[side][a]))
            if length >= STEP_LENGTH:
                found.append({"side": side, "start": a, "end": b, "length": round(length, 3)})
    return sorted(found, key=lambda s: s["start"])


def chains_of(steps: list[dict]) -> list[list[dict]]:
    """The steps grouped into walks: a step starting within WALK_GAP frames of the previous one's
    end continues the walk (a step of the same foot as the previous one merges with it: a stride
    that paused); a longer pause starts a new one. Each walk's length is its alternating steps."""
    chains: list[list[dict]] = []
    for s in steps:
        if chains and s["start"] - chains[-1][-1]["end"] <= WALK_GAP:
            last = chains[-1][-1]
            if last["side"] == s["side"]:
                chains[-1][-1] = {**last, "end": max(last["end"], s["end"]), "length": round(last["length"] + s["length"], 3)}
            else:
                chains[-1].append(dict(s))
        else:
            chains.append([dict(s)])
    return chains


def diameter(p: np.ndarray) -> float:
    """The largest distance between two of the positions."""
    if len(p) < 2:
        return 0.0
    d = np.linalg.norm(p[:, None] - p[None], axis=-1)
    return float(d.max())


def measure(path: Path) -> dict:
    """The numbers that decide one clip's verdict (metres)."""
    meta = nwucla.read_sequence(path).meta
    x = load(path)
    axes = floor_axes(meta["view"], meta["subject"])
    feet = {"left": on_floor(x, LEFT_ANKLE, axes), "right": on_floor(x, RIGHT_ANKLE, axes)}
    pelvis = on_floor(x, PELVIS, axes)
    k = min(3, len(x))
    foot = {}
    for side, f in feet.items():
        start = f[:k].mean(axis=0)
        foot[side] = {"net": round(float(np.linalg.norm(f[-k:].mean(axis=0) - start)), 3),
                      "farthest": round(float(np.linalg.norm(f - start, axis=1).max()), 3)}
    steps = steps_of(feet)
    walks = [(len(c), diameter(pelvis[c[0]["start"]: c[-1]["end"] + 1]), c) for c in chains_of(steps)]
    alternating, cover, best = max(walks, key=lambda w: w[:2]) if walks else (0, 0.0, [])
    span = (best[0]["start"], best[-1]["end"]) if best else (0, 0)
    if alternating >= WALK_STEPS and cover >= WALK_COVER:
        verdict = "walking"
    elif alternating >= 1:
        verdict = "shuffle"
    else:
        verdict = "no step"
    return {"id": path.stem, "frames": len(x), "floor_residual": round(axes[3], 3), "foot": foot,
            "pelvis_net": round(float(np.linalg.norm(pelvis[-k:].mean(axis=0) - pelvis[:k].mean(axis=0))), 3),
            "pelvis_extent": round(diameter(pelvis), 3), "steps": steps, "walk": best, "alternating_steps": alternating,
            "step_span": list(span), "pelvis_cover_over_steps": round(cover, 3), "verdict": verdict}


def stricter_verdicts(paths: list[Path]) -> dict[str, str]:
    """id -> verdict with the STRICTER step rules (the module's constants restored after)."""
    global STEP_ALONE, WALK_GAP
    kept = STEP_ALONE, WALK_GAP
    STEP_ALONE, WALK_GAP = STRICTER["STEP_ALONE"], STRICTER["WALK_GAP"]
    try:
        return {p.stem: measure(p)["verdict"] for p in paths}
    finally:
        STEP_ALONE, WALK_GAP = kept


def detector_walks(paths: list[Path]) -> dict[str, str]:
    """id -> the walk fact's text, for the clips in which actlm's detector states a walk."""
    from actlm.data.layouts import get_layout
    from actlm.explain.facts import read_motion
    layout = get_layout("kinect-v1")
    out = {}
    for p in paths:
        reading = read_motion(nwucla.read_sequence(p).data, layout, max_facts=8)
        walks = [f.text for f in reading.facts if f.motion == "walk"]
        if walks:
            out[p.stem] = walks[0]
    return out


def plot(row: dict, path: Path, out: Path) -> None:
    """Top view of both feet and the pelvis on the floor, and each foot's per-frame travel with the
    steps marked (the measure's own check, looked at by a person)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    meta = nwucla.read_sequence(path).meta
    x = load(path)
    axes = floor_axes(meta["view"], meta["subject"])
    feet = {"left": on_floor(x, LEFT_ANKLE, axes), "right": on_floor(x, RIGHT_ANKLE, axes)}
    pelvis = on_floor(x, PELVIS, axes)
    fig, (top, time) = plt.subplots(1, 2, figsize=(12, 5))
    for side, colour in (("left", "tab:blue"), ("right", "tab:red")):
        f = feet[side]
        top.plot(f[:, 0], f[:, 1], "-o", ms=3, color=colour, label=f"{side} ankle")
        top.annotate("start", f[0], color=colour)
        time.plot(np.r_[0.0, np.linalg.norm(np.diff(f, axis=0), axis=1)], color=colour, label=f"{side} m/frame")
    top.plot(pelvis[:, 0], pelvis[:, 1], "-", color="grey", label="pelvis")
    top.set_aspect("equal")
    top.legend(fontsize=7)
    top.set_title(f"{row['id']} ({row.get('class', '')}) floor, metres")
    for s in row["walk"]:
        time.axvspan(s["start"], s["end"], color="tab:blue" if s["side"] == "left" else "tab:red", alpha=0.15)
    time.axhline(STEP_MOVING, color="k", lw=0.5)
    time.set_title(f"{row['verdict']}: {row['alternating_steps']} alt. steps, pelvis {row['pelvis_cover_over_steps']} m")
    time.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / f"{row['id']}.png", dpi=80)
    plt.close(fig)


def files_of(classes: tuple[str, ...]) -> list[tuple[str, Path]]:
    folder = data_root() / "nw-ucla" / "all_sqe"
    out = []
    for cls in classes:
        action = nwucla.ACTION_IDS[nwucla.CLASSES.index(cls)]
        out += [(cls, p) for p in sorted(folder.glob(f"a{action:02d}_*.json"))]
    return out


def write(flagged: list[dict], everyone: list[dict], check: dict, command: str) -> None:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    verdicts = Counter(r["verdict"] for r in flagged)
    summary = {"excluding_sequences": len(everyone), "detector_walks": len(flagged),
               "detector_walk_rate": round(len(flagged) / len(everyone), 3),
               "verdicts_of_detector_walks": dict(verdicts),
               "detector_walks_not_walking": sum(r["verdict"] != "walking" for r in flagged),
               "rate_not_walking": round(sum(r["verdict"] != "walking" for r in flagged) / len(everyone), 3),
               "excluding_sequences_walking": sum(r["verdict"] == "walking" for r in everyone),
               "walk_around_check": check}
    rules = {"STEP_MOVING_m_per_frame": STEP_MOVING, "STEP_ALONE_ratio": STEP_ALONE, "STEP_LENGTH_m": STEP_LENGTH,
             "WALK_STEPS": WALK_STEPS, "WALK_COVER_m": WALK_COVER}
    commit = head_commit()
    (RESULTS / f"{NAME}.json").write_text(json.dumps(
        {"command": command, "commit": commit, "date": when, "rules": rules, "summary": summary,
         "reviewed": flagged, "all_excluding": {r["id"]: r["verdict"] for r in everyone}}, indent=1) + "\n")
    lines = ["# Walks stated on NW-UCLA's stationary classes, reviewed (issue 40, item 1b)", "",
             f"Command: `{command}`  ", f"Commit: {commit} (working tree at run time)  ", f"Date: {when}", "",
             f"Sequences of {', '.join(EXCLUDING)} (all views): {len(everyone)}; the detector states a walk on "
             f"**{len(flagged)}** ({summary['detector_walk_rate']}). Own measurement of each (see the script's "
             f"docstring; rules: a foot moves > {STEP_MOVING} m/frame while the other moves < 1/{STEP_ALONE} as far, "
             f"a step >= {STEP_LENGTH} m; walking = >= {WALK_STEPS} alternating steps with the pelvis covering "
             f">= {WALK_COVER} m):", "",
             "| verdict | clips |", "|---|---|", *[f"| {v} | {verdicts.get(v, 0)} |" for v in ("walking", "shuffle", "no step")], "",
             f"Detector walks on clips that do not walk: {summary['detector_walks_not_walking']} of {len(everyone)} "
             f"= **{summary['rate_not_walking']}**. Sequences of these classes that walk by this measure (whether or "
             f"not the detector says so): {summary['excluding_sequences_walking']}.", "",
             f"Check of the measure on the '{WALKING_CLASS}' sequences (all views): {check['walking']} of "
             f"{check['n']} come out walking ({check['share']}); {check['shuffle']} shuffle, {check['no step']} no step.", "",
             f"Stricter step rules (the moving foot {STRICTER['STEP_ALONE']} times as fast as the other, steps within "
             f"{STRICTER['WALK_GAP']} frames): {sum(r['verdict_stricter'] == 'walking' for r in flagged)} of the "
             f"{len(flagged)} detector walks come out walking; walk around {check['stricter_walking']} of {check['n']}. "
             "Column 'stricter' below.", "",
             "| clip | class | detector says | L net / farthest | R net / farthest | pelvis net / extent | steps | alt. steps of the longest walk (side:length m) | pelvis over them | verdict | stricter |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in flagged:
        steps = " ".join(f"{s['side'][0].upper()}:{s['length']:.2f}" for s in r["walk"]) or "-"
        lines.append(f"| {r['id']} | {r['class']} | {r['detector']} | {r['foot']['left']['net']:.2f} / "
                     f"{r['foot']['left']['farthest']:.2f} | {r['foot']['right']['net']:.2f} / {r['foot']['right']['farthest']:.2f} | "
                     f"{r['pelvis_net']:.2f} / {r['pelvis_extent']:.2f} | {len(r['steps'])} | {r['alternating_steps']} ({steps}) | "
                     f"{r['pelvis_cover_over_steps']:.2f} | {r['verdict']} | {r['verdict_stricter']} |")
    path = RESULTS / f"{NAME}.md"
    path.write_text("\n".join(lines) + "\n" + handwritten_notes(path))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plot", type=Path, help="write a PNG per reviewed clip (and per --only clip) here")
    parser.add_argument("--only", nargs="*", help="measure and print only these clips (no results written)")
    args = parser.parse_args(argv)
    command = "python -m experiments.facts_real_walk_review " + " ".join(argv if argv is not None else sys.argv[1:])
    warnings.simplefilter("ignore", RuntimeWarning)
    if args.only:
        folder = data_root() / "nw-ucla" / "all_sqe"
        for name in args.only:
            row = measure(folder / f"{name}.json")
            print(json.dumps(row))
            if args.plot:
                args.plot.mkdir(parents=True, exist_ok=True)
                plot(row, folder / f"{name}.json", args.plot)
        return
    files = files_of(EXCLUDING)
    walks = detector_walks([p for _, p in files])
    everyone, flagged = [], []
    for cls, p in files:
        row = {**measure(p), "class": cls}
        everyone.append(row)
        if p.stem in walks:
            flagged.append({**row, "detector": walks[p.stem]})
            if args.plot:
                args.plot.mkdir(parents=True, exist_ok=True)
                plot(row, p, args.plot)
    check_rows = [measure(p) for _, p in files_of((WALKING_CLASS,))]
    stricter = stricter_verdicts([p for _, p in files if p.stem in walks] + [p for _, p in files_of((WALKING_CLASS,))])
    c = Counter(r["verdict"] for r in check_rows)
    check = {"n": len(check_rows), "walking": c["walking"], "shuffle": c["shuffle"], "no step": c["no step"],
             "share": round(c["walking"] / len(check_rows), 3)}
    check["stricter_walking"] = sum(stricter[r["id"]] == "walking" for r in check_rows)
    for r in flagged:
        r["verdict_stricter"] = stricter[r["id"]]
    print(json.dumps(check), Counter(r["verdict"] for r in flagged))
    write(flagged, everyone, check, command.strip())


if __name__ == "__main__":
    main()
