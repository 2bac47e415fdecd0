"""BlazePose keypoints of the shared real clips, estimated once and cached outside the repository.

    python -m experiments.openset_poses [--videos ../shared/data/videos] [--cache ~/.cache/actlm/clip_poses]

The cache is one .npz per clip holding a :class:`actlm.pose.backends.PoseSequence`'s fields; it is
read back by :func:`cached_pose` (experiments/openset_benchmark.py uses it for the real clips).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

from actlm.pose.backends import PoseSequence

ROOT = Path(__file__).resolve().parents[1]
VIDEOS = ROOT.parent / "shared" / "data" / "videos"
CACHE = Path.home() / ".cache" / "actlm" / "clip_poses"
#: the shared clips and the action each shows (only clean and jerk is one of the general model's classes)
CLIPS = {"arm_wrestling.mp4": "arm wrestling", "clean_and_jerk.mp4": "clean and jerk",
         "ntu_A055_hugging.avi": "hugging", "skateboarding.mp4": "skateboarding", "tai_chi.mp4": "tai chi"}


def save_pose(pose: PoseSequence, path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f.name: getattr(pose, f.name) for f in fields(pose)}
    arrays = {k: (np.array([]) if v is None else np.asarray(v)) for k, v in arrays.items()}
    np.savez(path, pose_seconds=seconds, **arrays)


def load_pose(path: Path) -> tuple[PoseSequence, float]:
    d = np.load(path, allow_pickle=False)
    none_if_empty = lambda a: None if a.size == 0 else a          # noqa: E731
    pose = PoseSequence(layout=str(d["layout"]), image=d["image"], visibility=d["visibility"],
                        world=none_if_empty(d["world"]), fps=float(d["fps"]), size=tuple(int(s) for s in d["size"]),
                        track_ids=none_if_empty(d["track_ids"]))
    return pose, float(d["pose_seconds"])


def cached_pose(video: Path, cache: Path = CACHE) -> tuple[PoseSequence, float]:
    """(pose, seconds BlazePose took) of ``video``, from the cache or estimated and cached."""
    path = cache / (video.name + ".npz")
    if path.is_file():
        return load_pose(path)
    from actlm.pipeline import estimate_pose

    start = time.perf_counter()
    pose = estimate_pose(video)
    seconds = time.perf_counter() - start
    save_pose(pose, path, seconds)
    return pose, seconds


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--videos", type=Path, default=VIDEOS)
    p.add_argument("--cache", type=Path, default=CACHE)
    a = p.parse_args(argv)
    for name in CLIPS:
        pose, seconds = cached_pose(a.videos / name, a.cache)
        print(f"{name}: {pose.frames_with_person}/{pose.frames} frames with a person, {seconds:.1f} s")


if __name__ == "__main__":
    main()
