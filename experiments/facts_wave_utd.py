"""UTD-MHAD 'wave' (a3) sequences the fact detector reads no wave in: what the hand does, and which rule says no.

Two readings per sequence:

* **raw** (independent of actlm: the .mat file's own joints, metres, 30 frames/s): the right hand
  (joint 12) against the shoulder centre (joint 2), side to side along the sequence's mean shoulder
  line (left minus right shoulder, horizontal) and along the sensor's x (the image's horizontal); its
  height over the right shoulder (joint 9); the frames it is above the shoulder; its turn-backs there
  by 2 and 4 cm each way; the wrist's (joint 11) turn-backs by 2 cm over the same frames (a hand waved
  from the wrist moves while the wrist stays); and the sensor's noise in the same sequence: the
  hand's frame-to-frame jitter (robust spread of each frame's offset from its neighbours' midpoint).
* **detector**: the wave rule's own intermediate values (``actlm.explain.facts._wave_swing_facts``,
  its helpers called in the same order): the range (5th-95th percentile, metres), the hysteresis a
  turn must clear and what set it, the reversals counted, the depth-to-range ratio, and the rule
  that rejects; its verdict is checked against ``read_motion``'s.

    python -m experiments.facts_wave_utd [--all]       (ACTLM_DATA set; --all: all 32 waves)
"""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import scipy.io as sio

import actlm.explain.facts as F
from actlm.data import utdmhad
from actlm.data.layouts import get_layout
from actlm.explain.world import end_joints, world_frame
from actlm.paths import data_root

FPS = 30
HEAD, SHOULDER_CENTRE, LEFT_SHOULDER, RIGHT_SHOULDER, RIGHT_WRIST, RIGHT_HAND = 0, 1, 4, 8, 10, 11
MISSES = ("a3_s7_t1", "a3_s7_t2", "a3_s7_t3", "a3_s8_t1", "a3_s8_t2", "a3_s8_t3")


def _root() -> Path:
    return data_root() / "utd-mhad"


def turn_backs(x: np.ndarray, size: float) -> list[int]:
    """Indices where ``x`` turns back after moving at least ``size`` one way and then ``size`` back."""
    direction, extreme, at, out = 0, x[0], 0, []
    low = high = x[0]
    low_at = high_at = 0
    for i, v in enumerate(x):
        if direction == 0:
            low, low_at = (v, i) if v < low else (low, low_at)
            high, high_at = (v, i) if v > high else (high, high_at)
            if high - v >= size:
                direction, extreme, at = -1, v, i
            elif v - low >= size:
                direction, extreme, at = 1, v, i
        elif direction * (v - extreme) > 0:
            extreme, at = v, i
        elif abs(v - extreme) >= size:
            out.append(at)
            direction, extreme, at = -direction, v, i
    return out


def jitter(x: np.ndarray) -> float:
    """Frame-to-frame noise: robust spread of each frame's offset from its neighbours' midpoint."""
    off = x[1:-1] - (x[:-2] + x[2:]) / 2
    return float(1.4826 * np.median(np.abs(off - np.median(off))) / np.sqrt(1.5))


def raw_reading(name: str) -> dict:
    """The right hand's side to side, height and turn-backs read from the .mat joints."""
    s = np.transpose(sio.loadmat(_root() / f"{name}_skeleton.mat")["d_skel"], (2, 0, 1))
    line = (s[:, LEFT_SHOULDER] - s[:, RIGHT_SHOULDER])[:, [0, 2]].mean(axis=0)
    line /= np.linalg.norm(line)
    hand = s[:, RIGHT_HAND] - s[:, SHOULDER_CENTRE]
    wrist = s[:, RIGHT_WRIST] - s[:, SHOULDER_CENTRE]
    height = s[:, RIGHT_HAND, 1] - s[:, RIGHT_SHOULDER, 1]
    up = np.flatnonzero(height > 0)
    up = max(np.split(up, np.flatnonzero(np.diff(up) > 1) + 1), key=len)   # the longest raised run
    across, image = hand[up][:, [0, 2]] @ line, hand[up, 0]
    turns2 = turn_backs(across, 0.02)
    return dict(frames=f"{up[0]}-{up[-1]}", seconds=len(up) / FPS,
                across=float(np.ptp(across)), image=float(np.ptp(image)),
                height=float(np.median(height[up])), under_head=float(np.median(s[up, RIGHT_HAND, 1] - s[up, HEAD, 1])),
                turns2=len(turns2), turns4=len(turn_backs(across, 0.04)),
                at=[int(up[i]) for i in turns2],
                swings=[round(abs(float(across[b] - across[a])) * 100) for a, b in zip(turns2[:-1], turns2[1:])],
                wrist2=len(turn_backs(wrist[up][:, [0, 2]] @ line, 0.02)),
                noise=jitter(s[:, RIGHT_HAND, 0] - s[:, SHOULDER_CENTRE, 0]))


def detector_reading(name: str, side: str = "right") -> dict:
    """The wave rule's intermediate values (metres where a length), in the detector's own order."""
    data = utdmhad.read_sequence(_root() / f"{name}_skeleton.mat").data
    layout, rate = get_layout("utd-mhad"), F._rate(None)
    x, tracking = F.check_tracking(data[0], layout, None, fps=rate.fps)
    world = world_frame(x, layout)
    hands = {s: end_joints(layout, f"{s}_hand") for s in ("right", "left")}
    _, drop = F.view_problems(world.coords, world.facing, world.dims, layout, tracking.frames, hands, world.camera())
    world.coords = np.where(drop[..., None], np.nan, world.coords)
    body = F._body(world.coords, layout, world.mirrored, rate.fps, None)
    m = world.stature
    anchor = F._arm_side_reference(body).copy()
    anchor[:, 1] = body.shoulder[side][:, 1]
    rel, jittery = body.raw_hand[side] - anchor, body.step_hand[side] - anchor
    turn = F._body_turn(body)
    if turn is not None:
        rel, jittery = F._turned_back(rel, turn), F._turned_back(jittery, turn)
    raised = rel[:, 1] > 0
    ok = np.isfinite(rel).all(axis=1) & raised
    lowered = np.isfinite(rel).all(axis=1) & ~raised
    if not (ok.sum() >= rate.frames(F.WAVE_RAISED) and raised[np.isfinite(rel[:, 1])].mean() > 0.3):
        return dict(verdict="not raised long enough")
    rows = np.flatnonzero(ok)
    pts = rel[ok][:, [0, 2]] - rel[ok][:, [0, 2]].mean(axis=0)
    axis = F._side_to_side(body, ok, pts, turn, world.dims)
    along = pts @ axis
    amplitude = float(np.subtract(*np.percentile(along, [95, 5])))
    depth = F._depth_range(pts, axis) / amplitude
    noise = F.WAVE_JITTER * F._jitter(jittery[:, [0, 2]] @ axis)

    def attempt(share: float, turns: int) -> dict:
        swing = max(F.WAVE_SWING, share * amplitude, noise)
        flips = F._arm_run_reversals(along, rows, swing, lowered, rate=rate)
        gap_ok = F._arm_not_with_other_hand(body, side, ok, axis, turn, amplitude, share, turns)
        by = "floor" if swing == F.WAVE_SWING else "share" if swing == share * amplitude else "jitter"
        fails = [f"{flips} reversals < {turns}"] if flips < turns else []
        fails += [] if gap_ok else ["gap to the other hand does not turn back as often"]
        return dict(swing=swing * m, by=by, flips=flips, fails=fails)

    first = attempt(F.WAVE_SHARE, F.THRESHOLDS["wave"])
    small = (attempt(F.WAVE_SHARE_SMALL, F.THRESHOLDS["wave"] + 1) if first["flips"] < F.THRESHOLDS["wave"]
             else None)
    fails = []
    if depth > F.WAVE_DEPTH:
        fails.append(f"in depth {depth:.2f} > {F.WAVE_DEPTH}")
    if amplitude < F.WAVE_RANGE:
        fails.append(f"range {amplitude * m:.3f} m < {F.WAVE_RANGE * m:.3f}")
    if not F._smooth_swings(along, rows):
        fails.append("steps not smooth")
    if F._hands_joined(body, side, ok):
        fails.append("hands joined")
    if small is None:
        fails += first["fails"]
    elif depth > F.WAVE_DEPTH_SMALL:
        fails += first["fails"] + [f"small swings need depth <= {F.WAVE_DEPTH_SMALL:.2f}, is {depth:.2f}"]
    else:
        fails += ["small swings: " + f for f in small["fails"]]
    return dict(range=amplitude * m, depth=depth, noise=noise * m, first=first, small=small,
                along=" ".join(f"{v * m * 100:.0f}" for v in along), verdict="wave" if not fails else "; ".join(fails))


def table(names: list[str]) -> str:
    lines = ["| sequence | raised (frames, s) | hand across / image x (m) | height over shoulder / head (m) | "
             "turn-backs 2 cm / 4 cm (frames) | swings between them (cm) | wrist turn-backs 2 cm | hand noise (m) | detector: range (m), depth ratio | "
             "0.45-share swing (m, by) -> reversals | 0.3-share swing -> reversals | detector's verdict |",
             "|" + "---|" * 12]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in names:
            r, d = raw_reading(name), detector_reading(name)
            stated = any(f.motion == "wave" for f in F.read_motion(
                utdmhad.read_sequence(_root() / f"{name}_skeleton.mat").data, "utd-mhad").facts)
            assert stated == (d["verdict"] == "wave"), (name, d["verdict"], stated)
            small = d.get("small")
            lines.append(
                f"| {name} | {r['frames']}, {r['seconds']:.2f} | {r['across']:.3f} / {r['image']:.3f} | "
                f"{r['height']:.3f} / {r['under_head']:+.3f} | {r['turns2']} / {r['turns4']} ({', '.join(map(str, r['at']))}) | "
                f"{', '.join(map(str, r['swings']))} | "
                f"{r['wrist2']} | {r['noise']:.4f} | "
                + (f"{d['range']:.3f}, {d['depth']:.2f} | {d['first']['swing']:.3f} {d['first']['by']} -> {d['first']['flips']} | "
                   + (f"{small['swing']:.3f} {small['by']} -> {small['flips']}" if small else "not tried")
                   if "range" in d else "- | - | -")
                + f" | {d['verdict']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="all 32 waves, not only the six misses of commit 8b7afe7")
    args = parser.parse_args()
    names = [f"a3_s{s}_t{t}" for s in range(1, 9) for t in range(1, 5)] if args.all else list(MISSES)
    print(table(names))


if __name__ == "__main__":
    main()
