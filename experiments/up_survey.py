"""How far the detector's 'up' (``actlm.explain.world._up_3d``) lies from gravity on real 3D clips.

Gravity per camera is the normal of the floor plane that ``experiments.facts_handcheck`` fits to the
ankles of many clips of that camera (NW-UCLA: each view's 'walk around' clips; UTD-MHAD: every 6th
file), independent of the detector. Every NW-UCLA and UTD-MHAD clip (every ``--step``-th) is read
through the detector's tracking check; the angle between its up and its camera's floor normal is
summarised per data set, split by whether the clip has a straight standing frame (``world._straight``
finds one) or not (up then falls back to all the tallest frames, which may bend).

    ACTLM_DATA=... python -m experiments.up_survey [--step N] [--out results/up_survey.json]
"""
from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

from actlm.data import nwucla, utdmhad
from actlm.data.layouts import Layout, get_layout
from actlm.explain import world
from actlm.explain.quality import check_tracking
from experiments.facts_handcheck import camera_reference
from actlm.paths import data_root

LIMITS = (5.0, 10.0, 15.0)


def clips(root: Path, step: int) -> list[tuple[str, str, Path]]:
    """(data set, camera, file) of every ``step``-th clip of NW-UCLA and UTD-MHAD."""
    ucla = sorted((root / "nw-ucla" / "all_sqe").glob("*.json"))[::step]
    utd = sorted((root / "utd-mhad").glob("a*_s*_t*_skeleton.mat"))[::step]
    return [("nw-ucla", f.stem.split("_")[-1], f) for f in ucla] + [("utd-mhad", "v03", f) for f in utd]


def has_straight_frame(x: np.ndarray, layout: Layout) -> bool:
    """Whether ``world._straight`` finds straight standing frames among the tallest ones (it returns
    its ``tall`` argument itself, or None, when it finds none)."""
    head = world.nanmean_joints(x, world.head_joints(layout))
    length = np.linalg.norm(head - world.nanmean_joints(x, world.foot_joints(layout)), axis=1)
    ok = np.isfinite(length) & (length > 0)
    tall = ok & (length >= world.TALL_SHARE * np.percentile(length[ok], 95))
    chosen = world._straight(x, layout, length, tall)
    return chosen is not None and chosen is not tall


def degrees_between(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), -1, 1))))


def survey(step: int) -> list[dict]:
    normals: dict[tuple[str, str], np.ndarray] = {}
    rows = []
    for dataset, camera, path in clips(Path(data_root()), step):
        layout = get_layout("kinect-v1" if dataset == "nw-ucla" else "utd-mhad")
        reader = nwucla if dataset == "nw-ucla" else utdmhad
        x, tracking = check_tracking(reader.read_sequence(path).data[0].astype(float), layout)
        if tracking.blocked:
            continue
        if (dataset, camera) not in normals:
            normals[(dataset, camera)] = camera_reference(dataset, camera).up
        up = world._up_3d(x, layout)
        rows.append({"dataset": dataset, "camera": camera, "clip": path.stem, "frames": len(x),
                     "straight_frame": has_straight_frame(x, layout),
                     "degrees_off": round(degrees_between(up, normals[(dataset, camera)]), 2)})
    return rows


def summary(rows: list[dict]) -> list[str]:
    lines = ["| data set | straight standing frame | clips | median deg | 90th pct | " +
             " | ".join(f"> {v:g} deg" for v in LIMITS) + " |", "|---" * (5 + len(LIMITS)) + "|"]
    for dataset in ("nw-ucla", "utd-mhad"):
        for straight in (True, False):
            off = np.array([r["degrees_off"] for r in rows if r["dataset"] == dataset and r["straight_frame"] == straight])
            if not len(off):
                continue
            counts = " | ".join(str(int((off > v).sum())) for v in LIMITS)
            lines.append(f"| {dataset} | {'yes' if straight else 'no'} | {len(off)} | {np.median(off):.1f} | "
                         f"{np.percentile(off, 90):.1f} | {counts} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rows = survey(args.step)
    print("\n".join(summary(rows)))
    worst = sorted(rows, key=lambda r: -r["degrees_off"])[:15]
    print("\nfurthest off:", ", ".join(f"{r['clip']} {r['degrees_off']}" for r in worst))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
