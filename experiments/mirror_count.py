"""How many real Kinect clips the world frame reads as seen from behind (``World.mirrored``).

An independent check of the mirror rule: UTD-MHAD's subjects always face the sensor, so every
UTD-MHAD clip read as mirrored is a false alarm. NW-UCLA is counted per view (view 3 has true
back views). Each clip goes the detector's own way up to the world frame (main person, tracking
checks with the importer's visibility) and no further.

Usage: ``python -m experiments.mirror_count [--names]`` (ACTLM_DATA set).
"""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

from actlm.data.layouts import get_layout
from actlm.explain.facts import _main_person, check_tracking
from actlm.explain.world import world_frame
from experiments.facts_handcheck import Source, load

FOLDERS = {"utd-mhad": ("utd-mhad", ".mat"), "nw-ucla": ("nw-ucla/all_sqe", ".json")}


def is_mirrored(dataset: str, path: Path) -> bool:
    """Whether the detector's world frame reads this clip as seen from behind."""
    data, layout_name, visibility, _, _ = load(Source(dataset, path, ""))
    layout = get_layout(layout_name)
    persons = _main_person(data)
    if not persons:
        return False
    vis = None if visibility is None else np.asarray(visibility)
    if vis is not None and vis.ndim == 3:
        vis = vis[persons[0]]
    x, tracking = check_tracking(data[persons[0]], layout, vis)
    return not tracking.blocked and world_frame(x, layout).mirrored


def mirrored_clips(root: Path, dataset: str) -> tuple[int, list[str]]:
    """(clips read, names of those read as mirrored)."""
    folder, ext = FOLDERS[dataset]
    paths = sorted((root / folder).glob(f"*{ext}"))
    return len(paths), [p.stem for p in paths if is_mirrored(dataset, p)]


def main(argv: list[str] | None = None) -> None:
    from actlm.paths import data_root
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", action="store_true", help="also list the mirrored clips")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)
    for dataset in FOLDERS:
        total, names = mirrored_clips(Path(data_root()), dataset)
        views = {v: sum(n.endswith(v) for n in names) for v in ("v01", "v02", "v03")} if dataset == "nw-ucla" else {}
        print(f"{dataset}: {len(names)} of {total} read as mirrored {views or ''}".rstrip())
        if args.names:
            print("   ", " ".join(names))


if __name__ == "__main__":
    main()
