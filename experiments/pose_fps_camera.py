"""The camera-motion detector at a reduced pose rate (``--pose-fps``), against a known camera path.

``experiments.camera_benchmark`` re-films the still clips (tai_chi, clean_and_jerk) with a virtual
camera on a scripted path (pans, a tilt, a roll, a shake, a slow drift under the bound) and scores
the detector per frame against the path. Here the same re-filmed clips are read as ``predict
--pose-fps`` reads them: the pose (the original BlazePose pose carried through the warp) and the
camera on every k-th frame (k = 1, 2, 3: 30, 15 and 10 fps), the detector's bounds k times larger
(``actlm.pose.camera.camera_moves(step=k)``). Truth per pose frame: the camera's place or roll
differs between it and the pose frame before (k video frames earlier). Pose frames that span part of
the slow drift are not scored (as in camera_benchmark); tolerant: without the pose frames within
EDGE video frames of a move's start or end. Also, on the original (still) clips, the moving frames
said at each k (false alarms).

``python -m experiments.pose_fps_camera`` writes results/pose_fps_camera.{md,json}.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

import numpy as np

from experiments.camera_benchmark import (CLIPS, EDGE, SCENARIOS, ZOOM, _commit, camera_path, edges_of, refilm,
                                          scores, trunk_px, warped_pose)

RESULTS = Path(__file__).parent / "results"
STRIDES = (1, 2, 3)


def truth_per_pose_frame(shift: np.ndarray, roll: np.ndarray, stride: int) -> np.ndarray:
    """Per pose frame (every ``stride``-th video frame): the camera's place or roll differs from the
    pose frame before (the first: False)."""
    at = np.arange(0, len(roll), stride)
    moved = np.zeros(len(at), bool)
    moved[1:] = (np.abs(np.diff(shift[at], axis=0)).max(axis=1) > 1e-9) | (np.abs(np.diff(roll[at])) > 1e-9)
    return moved


def spans_any(mask: np.ndarray, stride: int) -> np.ndarray:
    """Per pose frame j: any video frame of ``mask`` in ((j-1) * stride, j * stride]."""
    at = np.arange(0, len(mask), stride)
    return np.array([mask[max(t - stride + 1, 0):t + 1].any() for t in at])


def run(video: Path, cache: Path, tmp: Path, scenario: str) -> list[dict]:
    from actlm.pipeline import camera_for_video, every_kth_pose
    from actlm.pose.camera import MOVING_SHIFT
    from experiments.video_handcheck import cached_pose

    pose = cached_pose(video, cache)
    bound = MOVING_SHIFT * trunk_px(pose) * ZOOM
    shift, roll, kinds = camera_path(pose.frames, bound, SCENARIOS[scenario])
    out = tmp / f"{video.stem}_{scenario.replace(' ', '_')}.mp4"
    refilm(video, out, shift, roll, pose.fps)
    moved = warped_pose(pose, shift, roll)
    rows = []
    for k in STRIDES:
        said = camera_for_video(out, every_kth_pose(moved, k))
        still = camera_for_video(video, every_kth_pose(pose, k))
        truth = truth_per_pose_frame(shift, roll, k)
        counted = ~spans_any(kinds["slow drift"], k)
        edges = spans_any(edges_of(np.any([m for n, m in kinds.items() if n != "slow drift"], axis=0), EDGE), k)
        rows.append({"clip": video.stem, "scenario": scenario, "stride": k, "pose_frames": len(truth),
                     "strict": scores(said, truth, counted), "tolerant": scores(said, truth, counted & ~edges),
                     "still_clip_moving_frames": int(still.sum()),
                     "moving_video_frames": (np.flatnonzero(said) * k).tolist()})
        print(f"{video.stem:<16} {scenario:<16} k={k}: strict {rows[-1]['strict']}  still-clip alarms "
              f"{rows[-1]['still_clip_moving_frames']}", flush=True)
    return rows


def write(rows: list[dict], command: str) -> None:
    doc = {"command": command, "commit": _commit(),
           "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "edge": EDGE, "rows": rows}
    (RESULTS / "pose_fps_camera.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = ["# Camera-motion detector at a reduced pose rate, on a known camera path", "",
             f"Command: `{command}`  ", f"Commit: {doc['commit']}, date {doc['date']}.", "",
             "The re-filmed clips of camera_benchmark (same paths, zoom, scenarios), read on every k-th frame with "
             "the detector's bounds k times larger (per video frame, as at k = 1). Truth per pose frame: the "
             "camera's place or roll differs from the pose frame before. Precision / recall per pose frame; "
             f"tolerant: without the pose frames within {EDGE} video frames of a move's start or end; pose "
             "frames spanning the slow drift (under the bound) not scored. 'Still clip': moving frames said on "
             "the original clip (no camera motion: every one is a false alarm).", "",
             "| clip | scenario | k | pose frames | strict P / R | tolerant P / R | still clip: moving frames |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        s, t = r["strict"], r["tolerant"]
        lines.append(f"| {r['clip']} | {r['scenario']} | {r['stride']} | {r['pose_frames']} | "
                     f"{s['precision']} / {s['recall']} | {t['precision']} / {t['recall']} | "
                     f"{r['still_clip_moving_frames']} |")
    (RESULTS / "pose_fps_camera.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="data root (default: $ACTLM_DATA)")
    parser.add_argument("--cache", default="/tmp/videocheck/poses", help="pose cache folder")
    args = parser.parse_args()
    from actlm.paths import data_root

    root = Path(args.data) if args.data else Path(data_root())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for clip in CLIPS:
            for scenario in SCENARIOS:
                rows += run(root / "videos" / clip, Path(args.cache), Path(tmp), scenario)
    write(rows, "ACTLM_DATA=/work/shared/data OMP_NUM_THREADS=1 python -m experiments.pose_fps_camera")


if __name__ == "__main__":
    main()
