"""Penn Action's placeholder joints (invisible joints the annotation put at the image's origin):
how many there are, and how close the importer's estimates (actlm.data.penn.fill_placeholders)
come to the truth where the truth is known.

    python -m experiments.penn_placeholders [--data-root ../shared/data]

Counts: over all 2,326 files. Truth: a placeholder has no truth, so the estimates are checked by
hiding joints the annotator saw (visible in every frame of a clip with no placeholder) and
estimating them as the importer would. For a joint hidden all clip long the hidden sets are the
real ones (the 20 most common sets of joints with no real reading in a clip, each applied to every
clean clip where all its joints are visible); for a gap in time, runs of GAP frames in the middle
of a visible track. Errors are in torso lengths (mid-shoulder to mid-hip, median over the clip),
per hidden reading, next to the baselines: the origin (what the importer stored before), the
body's centre (mean of the seen joints in the frame), and for gaps the last reading held.
Writes experiments/results/penn_placeholders.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from scipy.io import loadmat

from actlm.data import penn
from actlm.data.layouts import PENN_13
from experiments.run_archive import handwritten_notes, head_commit

RESULTS = Path("experiments/results/penn_placeholders")
#: frames hidden in the middle of a visible track for the gap check (1/3 s at Penn Action's 30 fps)
GAP = 10
#: the number of most common real hidden-joint sets applied to the clean clips
COMBOS = 20


def read(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mat = loadmat(str(path), variable_names=["x", "y", "visibility"])
    return mat["x"].astype(float), mat["y"].astype(float), mat["visibility"]


def torso_length(xy: np.ndarray) -> float:
    """Median over frames of the mid-shoulder to mid-hip distance (pixels)."""
    j = PENN_13.index
    shoulders = (xy[:, j("left_shoulder")] + xy[:, j("right_shoulder")]) / 2
    hips = (xy[:, j("left_hip")] + xy[:, j("right_hip")]) / 2
    return float(np.median(np.linalg.norm(shoulders - hips, axis=-1)))


def count(files: list[Path]) -> dict:
    """How many readings, frames and clips hold placeholders; the rule's margin on the data."""
    out = Counter()
    combos: Counter = Counter()
    smallest_real = np.inf
    for path in files:
        x, y, vis = read(path)
        ph = penn.placeholders(x, y, vis)
        out["readings"] += x.size
        out["invisible"] += int((vis == 0).sum())
        out["placeholders"] += int(ph.sum())
        out["visible_at_origin"] += int(((vis == 1) & (x < penn.PLACEHOLDER_PX) & (y < penn.PLACEHOLDER_PX)).sum())
        out["invisible_within_20px_not_2px"] += int(((vis == 0) & (x < 20) & (y < 20) & ~ph).sum())
        smallest_real = min(smallest_real, float(np.minimum(x, y)[~ph].min()))
        if ph.any():
            never = ph.all(axis=0)
            out["clips"] += 1
            out["frames"] += int(ph.any(axis=1).sum())
            out["joints_without_reading"] += int(never.sum())
            out["joints_interpolated_in_time"] += int((ph.any(axis=0) & ~never).sum())
            if never.any():
                combos[tuple(int(j) for j in np.flatnonzero(never))] += 1
    return {"files": len(files), **out, "smallest_real_coordinate_px": smallest_real,
            "common_hidden_sets": [[[PENN_13.joints[j] for j in c], n] for c, n in combos.most_common(COMBOS)]}


def errors_whole_clip(files: list[Path], hidden_sets: list[list[str]]) -> dict[str, list[float]]:
    """Per hidden reading, error / torso length of each estimate of joints hidden all clip long."""
    methods: dict[str, list[float]] = {"importer (twin, else nearest joints)": [], "nearest joints only": [],
                                       "body centre": [], "origin (stored before)": []}
    sets = [np.array([PENN_13.index(n) for n in names]) for names in hidden_sets]
    for path in files:
        x, y, vis = read(path)
        if penn.placeholders(x, y, vis).any():
            continue
        xy = np.stack([x, y], axis=-1)
        torso = torso_length(xy)
        if torso < 1:
            continue
        for hidden in sets:
            if not (vis[:, hidden] == 1).all():
                continue
            mask = np.zeros(vis.shape, bool)
            mask[:, hidden] = True
            estimate, _ = penn.fill_placeholders(np.where(mask[..., None], 1.0, xy), mask)
            seen = ~mask[0]
            nearest = np.stack([penn._from_the_nearest_joints(xy, j, seen) for j in hidden], axis=1)
            centre = xy[:, seen].mean(axis=1, keepdims=True)
            truth = xy[:, hidden]
            for name, guess in (("importer (twin, else nearest joints)", estimate[:, hidden]),
                                ("nearest joints only", nearest), ("body centre", centre),
                                ("origin (stored before)", np.ones_like(truth))):
                methods[name] += list((np.linalg.norm(guess - truth, axis=-1) / torso).ravel())
    return methods


def errors_gap(files: list[Path]) -> dict[str, list[float]]:
    """Per hidden reading, error / torso length of a GAP-frame gap in the middle of a visible track."""
    methods: dict[str, list[float]] = {"importer (linear in time)": [], "last reading held": [],
                                       "origin (stored before)": []}
    for path in files:
        x, y, vis = read(path)
        xy = np.stack([x, y], axis=-1)
        t = len(x)
        if t < GAP + 2 or penn.placeholders(x, y, vis).any():
            continue
        torso = torso_length(xy)
        if torso < 1:
            continue
        start = (t - GAP) // 2
        for joint in np.flatnonzero((vis == 1).all(axis=0)):
            mask = np.zeros(vis.shape, bool)
            mask[start:start + GAP, joint] = True
            estimate, _ = penn.fill_placeholders(np.where(mask[..., None], 1.0, xy), mask)
            truth = xy[start:start + GAP, joint]
            for name, guess in (("importer (linear in time)", estimate[start:start + GAP, joint]),
                                ("last reading held", np.broadcast_to(xy[start - 1, joint], truth.shape)),
                                ("origin (stored before)", np.ones_like(truth))):
                methods[name] += list(np.linalg.norm(guess - truth, axis=-1) / torso)
    return methods


def summary(methods: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {name: {"readings": len(e), "median": float(np.median(e)), "mean": float(np.mean(e)),
                   "p90": float(np.percentile(e, 90))} for name, e in methods.items()}


def table(rows: dict[str, dict[str, float]]) -> list[str]:
    lines = ["| estimate | hidden readings | median | mean | 90th percentile |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {r['readings']} | {r['median']:.2f} | {r['mean']:.2f} | {r['p90']:.2f} |"
              for name, r in rows.items()]
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", type=Path, default=Path("../shared/data"))
    a = p.parse_args()
    files = sorted((a.data_root / "penn-action").glob("[0-9][0-9][0-9][0-9].mat"))
    counts = count(files)
    hidden_sets = [names for names, _ in counts["common_hidden_sets"]]
    whole = summary(errors_whole_clip(files, hidden_sets))
    gap = summary(errors_gap(files))
    command = "python -m experiments.penn_placeholders " + " ".join(sys.argv[1:])
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    result = {"command": command.strip(), "commit": head_commit(), "date": stamp, "counts": counts,
              "whole_clip": whole, "gap": gap, "gap_frames": GAP}
    RESULTS.with_suffix(".json").write_text(json.dumps(result, indent=1))
    c = counts
    lines = [
        "# Penn Action's placeholder joints, replaced at import (actlm/data/penn.py)", "",
        f"`{command.strip()}` (commit {result['commit']}, {stamp}).", "",
        "## Counts (all files)", "",
        f"- {c['files']} files, {c['readings']} joint readings, {c['invisible']} marked invisible.",
        f"- Placeholders (invisible, x and y < {penn.PLACEHOLDER_PX:g} px): {c['placeholders']} readings "
        f"({100 * c['placeholders'] / c['readings']:.1f} % of all, {100 * c['placeholders'] / c['invisible']:.1f} % "
        f"of the invisible), in {c['frames']} frames of {c['clips']} clips.",
        f"- The rule's margin: visible joints below {penn.PLACEHOLDER_PX:g} px: {c['visible_at_origin']}; invisible "
        f"joints within 20 px of the origin that are not placeholders: {c['invisible_within_20px_not_2px']}; "
        f"smallest real coordinate: {c['smallest_real_coordinate_px']:.2f} px.",
        f"- Joints with no real reading in their clip (estimated from the body): {c['joints_without_reading']}; "
        f"joints with placeholders between real readings (interpolated in time): {c['joints_interpolated_in_time']}.",
        "- Most common sets of joints with no real reading in a clip: "
        + "; ".join(f"{', '.join(names)} ({n})" for names, n in c["common_hidden_sets"][:10]) + ".", "",
        "## Joints hidden all clip long: estimate vs truth (torso lengths)", "",
        f"The {COMBOS} most common real hidden sets, applied to the clips without placeholders wherever all "
        "their joints are visible in every frame.", "", *table(whole), "",
        f"## Gaps in time ({GAP} frames in the middle of a visible track): estimate vs truth (torso lengths)", "",
        *table(gap), ""]
    notes = handwritten_notes(RESULTS.with_suffix(".md"))     # kept when the numbers above are rewritten
    RESULTS.with_suffix(".md").write_text("\n".join(lines) + notes)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
