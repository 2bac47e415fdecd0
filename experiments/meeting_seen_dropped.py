"""The Penn Action statements that ``_meeting_seen`` (commit 30862e4) drops, with the raw wrists to judge them.

Runs the detector (``read_motion``, loaded and called as ``facts_handcheck`` does) over every Penn Action
sequence twice: as it is, and with ``actlm.explain.facts._meeting_seen`` bypassed (patched here to
return True; actlm itself is not edited). Every statement that differs between the two runs is listed
with, for a reader to judge it, the wrists as the ``.mat`` annotation gives them (pixels, each wrist's
visibility flag) per frame, and their gap in statures (the 95th percentile of the head-to-ankles length
over the frames where head and both ankles are annotated seen: measured here, not by the detector).

Usage: ``ACTLM_DATA=/work/shared/data python -m experiments.meeting_seen_dropped [--out FILE.json]``
(prints the differing statements and each one's frames; ``--out`` saves them for the results files).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import scipy.io as sio

from actlm.explain import facts as detector
from experiments.facts_handcheck import Source, _penn_actions, fact_key, load, read_facts

HEAD, LEFT_WRIST, RIGHT_WRIST, LEFT_ANKLE, RIGHT_ANKLE = 0, 5, 6, 11, 12


def stated(source: Source, bypass: bool) -> tuple[list[tuple[str, float]], int]:
    """((key, normalised time) of each statement the detector makes on ``source``, its frame count);
    ``bypass``: with ``_meeting_seen`` always True."""
    original = detector._meeting_seen
    if bypass:
        detector._meeting_seen = lambda *args, **kwargs: True
    try:
        data, layout, visibility, guessed, _ = load(source)
        facts, _ = read_facts(data, layout, visibility, guessed)
    finally:
        detector._meeting_seen = original
    return [(fact_key(f), float(f.time)) for f in facts], int(data.shape[1])


def raw_stature(x: np.ndarray, y: np.ndarray, seen: np.ndarray) -> float:
    """Pixels per stature: the 95th percentile of the head-to-ankles-midpoint length over the
    frames where the head and both ankles are annotated seen (all frames if none is)."""
    rows = seen[:, HEAD] & seen[:, LEFT_ANKLE] & seen[:, RIGHT_ANKLE]
    rows = rows if rows.any() else np.ones(len(x), bool)
    mid = np.stack([(x[:, LEFT_ANKLE] + x[:, RIGHT_ANKLE]) / 2, (y[:, LEFT_ANKLE] + y[:, RIGHT_ANKLE]) / 2], 1)
    length = np.linalg.norm(np.stack([x[:, HEAD], y[:, HEAD]], 1) - mid, axis=1)
    return float(np.quantile(length[rows], 0.95))


def raw_wrists(path: Path) -> dict:
    """Per frame from the annotation: both wrists (pixels), their visibility flags, the gap in
    pixels and statures; plus the scale and the closest gaps with both wrists seen."""
    mat = sio.loadmat(path, variable_names=["x", "y", "visibility"])
    x, y, seen = mat["x"].astype(float), mat["y"].astype(float), mat["visibility"].astype(bool)
    scale = raw_stature(x, y, seen)
    gap = np.hypot(x[:, LEFT_WRIST] - x[:, RIGHT_WRIST], y[:, LEFT_WRIST] - y[:, RIGHT_WRIST])
    both = seen[:, LEFT_WRIST] & seen[:, RIGHT_WRIST]
    frames = [{"frame": t, "left": [round(x[t, LEFT_WRIST]), round(y[t, LEFT_WRIST]), int(seen[t, LEFT_WRIST])],
               "right": [round(x[t, RIGHT_WRIST]), round(y[t, RIGHT_WRIST]), int(seen[t, RIGHT_WRIST])],
               "gap_px": round(float(gap[t]), 1), "gap_st": round(float(gap[t] / scale), 3)} for t in range(len(x))]
    seen_gaps = gap[both] / scale
    return {"scale_px": round(scale, 1), "frames": frames, "both_seen_frames": int(both.sum()),
            "closest_both_seen_st": round(float(seen_gaps.min()), 3) if both.any() else None,
            "closest_both_seen_frame": int(np.flatnonzero(both)[np.argmin(seen_gaps)]) if both.any() else None}


def differences(counts: dict[str, int]) -> list[dict]:
    """Every statement that differs between the detector as it is and with ``_meeting_seen`` bypassed;
    ``counts`` gets the hands-together statements of each run ('now', 'bypassed')."""
    out = []
    for label, path in _penn_actions():
        source = Source("penn-action", path, label)
        now, frames = stated(source, bypass=False)
        before, _ = stated(source, bypass=True)
        now_keys, before_keys = {k for k, _ in now}, {k for k, _ in before}
        counts["now"] = counts.get("now", 0) + sum(k.startswith("hands_together|") for k in now_keys)
        counts["bypassed"] = counts.get("bypassed", 0) + sum(k.startswith("hands_together|") for k in before_keys)
        for key, time in before:
            if key not in now_keys:
                out.append({"sequence": path.stem, "class": label, "key": key, "change": "dropped",
                            "frame": int(round(time * max(frames - 1, 1)))})
        for key, time in now:
            if key not in before_keys:
                out.append({"sequence": path.stem, "class": label, "key": key, "change": "added",
                            "frame": int(round(time * max(frames - 1, 1)))})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    counts: dict[str, int] = {}
    rows = differences(counts)
    root = {p.stem: p for _, p in _penn_actions()}
    for row in rows:
        row["raw"] = raw_wrists(root[row["sequence"]])
        raw = row["raw"]
        print(f"\n{row['sequence']} {row['class']} {row['change']}: {row['key']} (stated at frame {row['frame']}); "
              f"scale {raw['scale_px']} px, both wrists seen in {raw['both_seen_frames']} frames, "
              f"closest seen {raw['closest_both_seen_st']} st at frame {raw['closest_both_seen_frame']}")
        for f in raw["frames"]:
            print(f"  {f['frame']:3d} L {f['left']} R {f['right']} gap {f['gap_px']:6.1f} px {f['gap_st']:.3f} st")
    print(f"\nhands-together statements: {counts.get('now', 0)} now, {counts.get('bypassed', 0)} with _meeting_seen bypassed")
    print(f"{len(rows)} statements differ: "
          f"{sum(r['change'] == 'dropped' for r in rows)} dropped, {sum(r['change'] == 'added' for r in rows)} added")
    if args.out:
        args.out.write_text(json.dumps({"hands_together_statements": counts, "differences": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
