"""Hand-check of the shipped general model's explanations on real videos, against the frames.

``python -m experiments.video_handcheck`` runs ``actlm predict VIDEO`` as the product does (default
model general-2d, default settings, BlazePose) on each clip of ``$ACTLM_DATA/videos``, lists every
statement the explanation makes (motion facts with their start / peak / end frames, tracking
problems, 'no movement' statements, the contrast cue) and draws one contact sheet per statement
(small frames with their indices, no pose drawn) under ``--sheets`` (default /tmp/videocheck/sheets;
images are never committed). A person looks at the sheets and records a verdict per statement in
``results/video_handcheck.verdicts.json``; ``--write`` merges them into
``results/video_handcheck.{md,json}``.

A verdict's key holds the clip, the statement's kind, motion, part, text and frames, so a statement
that changes at a later commit (other words or other frames) shows as 'unchecked', never with an
old verdict. Fact times are fractions of the frames with a person (``kept``); they are carried to
video frames as ``actlm.pipeline.explained_fields`` carries the span. A tracking problem's frames are
video frames (the detector reads the video's timeline with the frames without a person left empty),
printed and looked at as they are (``stated_frames``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import numpy as np

from experiments.run_archive import head_commit

RESULTS = Path(__file__).parent / "results"
NAME = "video_handcheck"
CLIPS = ("tai_chi.mp4", "clean_and_jerk.mp4", "skateboarding.mp4", "arm_wrestling.mp4", "ntu_A055_hugging.avi")
SHEET_FRAMES = 12         # frames per contact sheet (about)
THUMB_WIDTH = 320         # pixels per frame on a sheet (the small clips are 340 wide)


def data_root(given: str | None) -> Path:
    from actlm.paths import data_root as actlm_data_root
    return Path(given) if given else Path(actlm_data_root())


# --- poses (cached: BlazePose is the slow part) ----------------------------------------------
def cached_pose(video: Path, cache: Path):
    """BlazePose poses of ``video`` as the product estimates them, cached by the video's bytes."""
    import mediapipe

    from actlm.pipeline import estimate_pose
    from actlm.pose.backends import PoseSequence

    digest = hashlib.sha1(video.read_bytes()).hexdigest()[:16]
    path = cache / f"{video.stem}-{digest}-mp{mediapipe.__version__}.npz"
    if path.exists():
        z = np.load(path, allow_pickle=False)
        return PoseSequence(str(z["layout"]), z["image"], z["visibility"], z["world"] if z["world"].size else None,
                            float(z["fps"]), tuple(int(v) for v in z["size"]))
    pose = estimate_pose(video, "blazepose")
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, layout=pose.layout, image=pose.image, visibility=pose.visibility,
             world=pose.world if pose.world is not None else np.zeros(0), fps=pose.fps, size=np.array(pose.size))
    return pose


# --- the statements of one clip --------------------------------------------------------------
def kept_frames(pose) -> np.ndarray:
    """The video frames the model and the facts read (those with a person), as predict_video keeps them."""
    from actlm.engine.checkpoint import load_checkpoint
    from actlm.pipeline import default_checkpoint, resolve_checkpoint, skeleton_for_model

    _, meta = load_checkpoint(resolve_checkpoint(default_checkpoint()))
    _, kept = skeleton_for_model(pose, meta.layout, meta.model.args.get("num_persons", 1),
                                 meta.model.args.get("in_channels"))
    return np.asarray(kept)


def to_video_frame(fraction: float, kept: np.ndarray) -> int:
    return int(kept[int(round(fraction * (len(kept) - 1)))])


def statements(clip: str, prediction, kept: np.ndarray) -> list[dict]:
    """Every checkable statement of the explanation, with the video frames it is about."""
    ev = prediction.evidence
    rows = []
    for f in ev["facts"]:
        frames = {"start": to_video_frame(f["start"], kept), "peak": to_video_frame(f["time"], kept),
                  "end": to_video_frame(f["end"], kept)}
        rows.append({"kind": "fact", "motion": f["motion"], "part": f["part"], "text": f["text"],
                     "phase": f.get("phase"), "time": {k: f[k] for k in ("start", "time", "end")}, "frames": frames})
    for p in ev.get("problems") or []:
        a, b = (int(i) for i in p["frames"])                              # video frames
        rows.append({"kind": "problem", "motion": p["kind"], "part": "+".join(p["joints"]), "text": p["text"],
                     "frames": {"start": a, "peak": (a + b) // 2, "end": b}, "stated_frames": list(p["frames"])})
    for sentence in re.findall(r"No (?:movement|motion) [^;.(]*(?:\([^)]*\))?", prediction.explanation):
        a, b = prediction.span
        rows.append({"kind": "no_movement", "motion": "still", "part": "+".join(ev["used_parts"]), "text": sentence,
                     "frames": {"start": int(a), "peak": int((a + b - 1) // 2), "end": int(b - 1)}})
    if ev.get("cue"):
        rows.append({"kind": "contrast", "motion": "cue", "part": "", "text": ev["cue"], "frames": {}})
    for r in rows:
        r["key"] = statement_key(clip, r)
    return rows


def statement_key(clip: str, row: dict) -> str:
    fr = row["frames"]
    span = f"{fr['start']}-{fr['peak']}-{fr['end']}" if fr else "-"
    return f"{clip}|{row['kind']}|{row['motion']}|{row['part']}|{row['text']}|{span}"


def sheet_frames(frames: dict, total: int) -> list[int]:
    """Frames to look at: a little before the start, evenly through start..end, the peak, a little after."""
    if not frames:
        return []
    a, p, b = frames["start"], frames["peak"], frames["end"]
    pad = max(3, (b - a) // 6)
    picks = set(np.linspace(max(a - pad, 0), min(b + pad, total - 1), SHEET_FRAMES - 3).round().astype(int).tolist())
    picks |= {a, p, b}
    return sorted(int(i) for i in picks if 0 <= i < total)


def problem_marks(pose, joints: list[str], frames: list[int]) -> dict[int, list[tuple]]:
    """For a tracking problem only (it is a claim about the pose): where the estimator put the named
    joints (both shoulders for swapped sides), as (x, y) in [0, 1] of the frame, 'L'/'R' and visibility.
    Motion facts are judged on bare frames."""
    from actlm.data.layouts import get_layout

    names = list(get_layout(pose.layout).joints)
    wanted = [j for j in joints if j in names] or ["left_shoulder", "right_shoulder"]
    w, h = pose.size
    marks = {}
    for t in frames:
        marks[t] = [(float(pose.image[0, t, names.index(j), 0]) / w, float(pose.image[0, t, names.index(j), 1]) / h,
                     "L" if j.startswith("left") else "R", float(pose.visibility[0, t, names.index(j)]))
                    for j in wanted if pose.visibility[0, t].max() > 0]
    return marks


def contact_sheet(video: Path, frames: list[int], title: str, path: Path,
                  marks: dict[int, list[tuple]] | None = None) -> None:
    """One PNG row-major grid of the given frames (index written on each); pose marks only where given
    (tracking problems): L blue, R red, hollow when the estimator's visibility is below 0.5."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    thumbs = []
    for i in frames:
        cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        ok, img = cap.read()
        if not ok:
            continue
        h, w = img.shape[:2]
        img = cv2.resize(img, (THUMB_WIDTH, int(h * THUMB_WIDTH / w)))
        for x, y, side, vis in (marks or {}).get(i, []):
            at = (int(x * img.shape[1]), int(y * img.shape[0]))
            colour = (255, 80, 0) if side == "L" else (0, 0, 255)
            cv2.circle(img, at, 4, colour, -1 if vis >= 0.5 else 1)
            cv2.putText(img, side, (at[0] + 4, at[1] - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.35, colour, 1)
        cv2.putText(img, str(i), (4, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 255, 255), 2)
        thumbs.append(img)
    cap.release()
    if not thumbs:
        return
    cols = 4
    while len(thumbs) % cols:
        thumbs.append(np.zeros_like(thumbs[0]))
    grid = np.vstack([np.hstack(thumbs[r:r + cols]) for r in range(0, len(thumbs), cols)])
    banner = np.zeros((24, grid.shape[1], 3), np.uint8)
    cv2.putText(banner, title[:110], (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.vstack([banner, grid]))


def collect(root: Path, cache: Path, sheets: Path | None) -> list[dict]:
    from actlm.pipeline import predict_video
    from actlm.pose.video import probe

    clips = []
    for name in CLIPS:
        video = root / "videos" / name
        pose = cached_pose(video, cache)
        prediction, _ = predict_video(video, pose=pose)
        kept = kept_frames(pose)
        rows = statements(video.stem, prediction, kept)
        total = probe(video).frames
        for n, r in enumerate(rows):
            r["looked_at"] = sheet_frames(r["frames"], total)
            if sheets is not None and r["looked_at"]:
                marks = problem_marks(pose, r["part"].split("+"), r["looked_at"]) if r["kind"] == "problem" else None
                contact_sheet(video, r["looked_at"], f"{video.stem} #{n} {r['kind']}: {r['text']}",
                              sheets / f"{video.stem}_{n:02d}.png", marks)
        clips.append({"clip": video.stem, "frames": total, "frames_with_person": int(len(kept)),
                      "top": [(c, round(p, 3)) for c, p in prediction.top[:3]], "span": list(prediction.span),
                      "explanation": prediction.explanation, "measured": prediction.measured, "statements": rows})
    return clips


# --- the table ------------------------------------------------------------------------------
def _frames_text(r: dict) -> str:
    fr = r["frames"]
    return f"{fr['start']}/{fr['peak']}/{fr['end']}" if fr else "-"


def _counts_text(c: dict) -> str:
    return ", ".join(f"{k} {c.get(k, 0)}" for k in ("holds", "false", "ambiguous", "unchecked") if c.get(k, 0) or k != "unchecked")


def _per_clip_text(clips: list[dict]) -> str:
    """Facts that hold / false per clip, e.g. 'tai_chi 2/1'."""
    parts = []
    for c in clips:
        facts = [r["verdict"] for r in c["statements"] if r["kind"] == "fact"]
        parts.append(f"{c['clip']} {facts.count('holds')}/{facts.count('false')}")
    return "holds/false per clip: " + ", ".join(parts)


def write(clips: list[dict], verdicts: dict, baseline: dict) -> dict:
    counts = {"fact": {}, "other": {}}
    lines = []
    for clip in clips:
        for r in clip["statements"]:
            verdict, why = verdicts.get(r["key"], ["unchecked", ""])
            r["verdict"], r["reason"] = verdict, why
            group = counts["fact" if r["kind"] == "fact" else "other"]
            group[verdict] = group.get(verdict, 0) + 1
            looked = ",".join(map(str, r["looked_at"])) or "-"
            lines.append(f"| {clip['clip']} | {r['kind']} | {r['text']} | {_frames_text(r)} | {looked} | {verdict} | {why} |")

    def share(c: dict) -> str:
        h, f = c.get("holds", 0), c.get("false", 0)
        return f"{h / (h + f):.2f}" if h + f else "n/a"

    base = {"holds": sum(v[0] == "holds" for v in baseline.values()),
            "false": sum(v[0] == "false" for v in baseline.values()),
            "ambiguous": sum(v[0] == "ambiguous" for v in baseline.values())}
    summary = {k: dict(v, precision=share(v)) for k, v in counts.items()} | {"baseline": dict(base, precision=share(base))}
    md = [f"# Hand-check of the shipped general model's explanations on real videos", "",
          "Command: `python -m experiments.video_handcheck --write` (contact sheets: `--sheets DIR`)  ",
          f"Commit: {head_commit()} (working tree at run time)  ",
          f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC  ",
          "Model: general-2d (the default of `actlm predict`), BlazePose, default settings.", "",
          "Each statement was judged by a person LOOKING AT THE VIDEO FRAMES (contact sheets of the frames listed, "
          "some zoomed), not at the pose: motion facts on bare frames; a tracking problem (a claim about the pose) on "
          "frames with the estimator's marks for the joints it names. Frames are video frame indices start/peak/end "
          "(a problem's printed frames are video frames since the fix of the gaps; before it they were kept-frame "
          "indices, and the verdicts written then say so). *holds*: the frames show it; "
          "*false*: they show it did not happen or something else did (wrong side, wrong direction, wrong size by far); "
          "*ambiguous*: the frames cannot decide it (too small, occluded, borderline). The person's right is "
          "the image's left when they face the camera. Verdicts: video_handcheck.verdicts.json, keyed by clip, "
          "statement and frames (a changed statement shows 'unchecked').", "",
          f"**Motion facts**: {_counts_text(counts['fact'])}; precision holds/(holds+false) = **{summary['fact']['precision']}**"
          f" ({_per_clip_text(clips)}).  ",
          f"**Tracking problems, 'no movement' and contrast statements**: {_counts_text(counts['other'])}; "
          f"precision {summary['other']['precision']}.  ",
          f"**Trivial baseline** (per clip, 'the <most moving part in the image> moves', the part whose "
          f"joints' image paths are longest): {_counts_text(base)}; precision {summary['baseline']['precision']}.", "",
          "| clip | predicted (top 3) | frames with person / frames |", "|---|---|---|"]
    md += [f"| {c['clip']} | {', '.join(f'{n} {p:.0%}' for n, p in c['top'])} | {c['frames_with_person']}/{c['frames']} |"
           for c in clips]
    md += ["", "| clip | kind | statement | frames s/p/e | frames looked at | verdict | what the frames show |",
           "|---|---|---|---|---|---|---|", *lines, "", "## Baseline statements", "",
           "| clip | statement | verdict | reason |", "|---|---|---|---|"]
    md += [f"| {k.split('|')[0]} | {k.split('|')[1]} | {v[0]} | {v[1]} |" for k, v in baseline.items()]
    (RESULTS / f"{NAME}.md").write_text("\n".join(md) + "\n")
    (RESULTS / f"{NAME}.json").write_text(json.dumps({"summary": summary, "clips": clips}, indent=1))
    return summary


def most_moving_part(clip: str, root: Path, cache: Path) -> str:
    """The trivial baseline's part: the body part whose image joints travel furthest (visible frames only)."""
    from actlm.data.layouts import get_layout

    pose = cached_pose(next((root / "videos").glob(f"{clip}.*")), cache)
    names = list(get_layout(pose.layout).joints)
    img, vis = pose.image[0], pose.visibility[0]
    step = np.linalg.norm(np.diff(img, axis=0), axis=-1) * ((vis[1:] > 0.5) & (vis[:-1] > 0.5))
    path = step.sum(0)
    groups = {"left wrist": ["left_wrist"], "right wrist": ["right_wrist"], "left ankle": ["left_ankle"],
              "right ankle": ["right_ankle"], "head": ["nose"], "hips": ["left_hip", "right_hip"]}
    scores = {g: float(np.mean([path[names.index(j)] for j in js if j in names])) for g, js in groups.items()}
    return max(scores, key=scores.get)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--cache", default="/tmp/videocheck/poses", help="pose cache folder")
    parser.add_argument("--sheets", default="/tmp/videocheck/sheets", help="contact sheet folder ('' for none)")
    parser.add_argument("--write", action="store_true", help=f"write results/{NAME}.{{md,json}} with the verdicts")
    args = parser.parse_args(argv)
    root, cache = data_root(args.data_root), Path(args.cache)
    clips = collect(root, cache, Path(args.sheets) if args.sheets else None)
    verdict_file = json.loads((RESULTS / f"{NAME}.verdicts.json").read_text()) \
        if (RESULTS / f"{NAME}.verdicts.json").exists() else {}
    verdicts, baseline_verdicts = verdict_file.get("statements", {}), verdict_file.get("baseline", {})
    baseline = {}
    for c in clips:
        key = f"{c['clip']}|the {most_moving_part(c['clip'], root, cache)} moves"
        baseline[key] = baseline_verdicts.get(key, ["unchecked", ""])
    for c in clips:
        print(f"== {c['clip']}  top {c['top']}  person {c['frames_with_person']}/{c['frames']}  span {c['span']}")
        for n, r in enumerate(c["statements"]):
            v = verdicts.get(r["key"], ["unchecked"])[0]
            print(f"  #{n:02d} [{v}] {r['kind']}: {r['text']}  frames {_frames_text(r)}  looked {r['looked_at']}")
            print(f"       key: {r['key']}")
    for k, v in baseline.items():
        print(f"  baseline [{v[0]}] {k}")
    if args.write:
        print(json.dumps(write(clips, verdicts, baseline)))


if __name__ == "__main__":
    main()
