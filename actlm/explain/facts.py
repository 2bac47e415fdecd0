"""Measured kinematic facts: what the body parts of a skeleton sequence do, in words.

This is the model-free reading of a sequence that the ``kinematic`` describer turns into a
description, that the semantic tokenizer uses to name its codes, and that explanation
faithfulness is checked against. Every fact comes from a measurement with a threshold in
*body units* (one unit = the mean spine length, hip centre to neck), so it does not depend on
the camera, the subject's size or the dataset's coordinate units.

The body frame: origin at the centre joint of the first frame, ``up`` = mean spine direction,
``across`` = the first frame's right->left shoulder line made orthogonal to ``up``, ``forward`` =
their cross product (zero for 2D data). Heights are measured along ``up``, reaches along
``forward``. Works for every layout that defines the body-part groups (kinect-v1/v2, COCO-17,
BlazePose-33); parts a layout lacks (COCO has no hand joints) fall back to the nearest joint
group (the wrist end of the arm).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..data.layouts import Layout, get_layout

#: The motion vocabulary; explanations are scored against these (see ``faithfulness``).
MOTIONS = (
    "raise", "lower", "wave", "reach_forward", "reach_down", "touch_head", "hands_together",
    "swing", "bend", "lean_back", "squat", "sit_down", "stand_up", "walk", "turn", "approach",
    "depart", "still",
)
PHASES = ("at the start", "in the middle", "at the end", "throughout")


@dataclass(frozen=True)
class Fact:
    """One measured statement. ``part`` is a body-part group (or ``body``/``people``), ``motion``
    one of :data:`MOTIONS`, ``time`` the normalised time (0..1) of its peak, ``strength`` the
    measured magnitude in body units (or degrees for angles)."""

    part: str
    motion: str
    time: float
    strength: float
    text: str

    @property
    def phase(self) -> str:
        return PHASES[0] if self.time < 0.34 else PHASES[1] if self.time < 0.67 else PHASES[2]

    def as_dict(self) -> dict:
        return {**asdict(self), "phase": self.phase}


# --- geometry -----------------------------------------------------------------------------
def _mean_joint(x: np.ndarray, joints: tuple[int, ...]) -> np.ndarray:
    return x[..., list(joints), :].mean(axis=-2)


def _smooth(x: np.ndarray, width: int = 5) -> np.ndarray:
    """Moving average over time (axis 0); Kinect v1 joints jitter by a few centimetres."""
    if len(x) < width:
        return x
    kernel = np.ones(width) / width
    pad = np.concatenate([np.repeat(x[:1], width // 2, 0), x, np.repeat(x[-1:], width // 2, 0)])
    return np.apply_along_axis(lambda s: np.convolve(s, kernel, mode="valid"), 0, pad)


def body_frame(x: np.ndarray, layout: Layout, ref: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Coordinates of one person (T, V, C) in the body frame of ``ref`` (default: itself).

    Returns (T, V, 3) as (across, up, forward) in body units, and the body unit itself.
    """
    ref = x if ref is None else ref
    xyz = np.zeros(x.shape[:-1] + (3,))
    xyz[..., : x.shape[-1]] = x
    r = np.zeros(ref.shape[:-1] + (3,))
    r[..., : ref.shape[-1]] = ref
    spine = _mean_joint(r, layout.spine_top) - _mean_joint(r, layout.spine_bottom)
    unit = float(np.linalg.norm(spine, axis=-1).mean()) or 1.0
    up = spine[: max(len(spine) // 4, 1)].mean(axis=0)   # the first quarter: before any bending
    up /= np.linalg.norm(up) or 1.0
    across = r[0, layout.left_shoulder] - r[0, layout.right_shoulder]
    across = across - up * (across @ up)
    if np.linalg.norm(across) < 1e-8:
        across = np.array([1.0, 0.0, 0.0]) - up * up[0]
    across /= np.linalg.norm(across) or 1.0
    forward = np.cross(across, up) if x.shape[-1] == 3 else np.zeros(3)
    origin = _mean_joint(r[0], layout.center)
    basis = np.stack([across, up, forward], axis=1)          # columns
    return (xyz - origin) @ basis / unit, unit


def _end(layout: Layout, part: str) -> tuple[int, ...]:
    """The joints standing for a part; a missing hand falls back to the arm's last joint."""
    joints = layout.parts.get(part, ())
    if joints:
        return joints
    if part.endswith("_hand"):
        arm = layout.parts.get(part.replace("_hand", "_arm"), ())
        return arm[-1:]
    if part == "feet":
        return tuple(j for leg in ("left_leg", "right_leg") for j in layout.parts.get(leg, ())[-1:])
    return ()


def _present(x: np.ndarray) -> np.ndarray:
    return np.abs(x).reshape(len(x), -1).sum(axis=1) > 0


# --- the facts ----------------------------------------------------------------------------
@dataclass
class _Body:
    """Per-frame trajectories of one person in body units (all (T, 3) or (T,))."""

    hand: dict[str, np.ndarray]
    shoulder: dict[str, np.ndarray]
    head: np.ndarray
    center: np.ndarray
    knee_height: np.ndarray
    spine: np.ndarray
    shoulder_line: np.ndarray


def _trajectories(b: np.ndarray, layout: Layout) -> _Body:
    def joint(part: str) -> np.ndarray:
        idx = _end(layout, part)
        return _smooth(_mean_joint(b, idx)) if idx else np.zeros((len(b), 3))

    legs = [j for leg in ("left_leg", "right_leg") for j in layout.parts.get(leg, ())[1:2]]  # knees
    knee = _smooth(_mean_joint(b, tuple(legs)))[:, 1] if legs else np.full(len(b), -1.5)
    return _Body(
        hand={s: joint(f"{s}_hand") for s in ("right", "left")},
        shoulder={"right": _smooth(b[:, layout.right_shoulder]), "left": _smooth(b[:, layout.left_shoulder])},
        head=joint("head"),
        center=_smooth(_mean_joint(b, layout.center)),
        knee_height=knee,
        spine=_smooth(_mean_joint(b, layout.spine_top) - _mean_joint(b, layout.spine_bottom)),
        shoulder_line=_smooth(b[:, layout.left_shoulder] - b[:, layout.right_shoulder]),
    )


def _t(i: int, n: int) -> float:
    return float(i) / max(n - 1, 1)


def _hand_facts(body: _Body, n: int) -> list[Fact]:
    facts: list[Fact] = []
    for side in ("right", "left"):
        hand, shoulder = body.hand[side], body.shoulder[side]
        height = hand[:, 1]
        rise = height - height[: max(n // 8, 1)].mean()
        top = int(np.argmax(height))
        if rise[top] > 0.45 and height[top] > shoulder[top, 1] - 0.1:
            where = "above the head" if height[top] > body.head[top, 1] else "to shoulder height"
            facts.append(Fact(f"{side}_hand", "raise", _t(top, n), float(rise[top]),
                              f"raises the {side} hand {where}"))
            if top < n - 2 and height[top] - height[top:].min() > 0.45:
                low = top + int(np.argmin(height[top:]))
                facts.append(Fact(f"{side}_hand", "lower", _t(low, n), float(height[top] - height[low]),
                                  f"lowers the {side} hand again"))
        reach = hand[:, 2] - shoulder[:, 2]
        far = int(np.argmax(reach))
        if reach[far] > 0.55 and reach[far] - reach[: max(n // 8, 1)].mean() > 0.25:
            facts.append(Fact(f"{side}_arm", "reach_forward", _t(far, n), float(reach[far]),
                              f"stretches the {side} arm forward"))
        low = int(np.argmin(height))
        if height[low] < body.knee_height[low] + 0.1 and height[low] < height[0] - 0.3:
            facts.append(Fact(f"{side}_hand", "reach_down", _t(low, n), float(height[0] - height[low]),
                              f"reaches down towards the floor with the {side} hand"))
        near_head = np.linalg.norm(hand - body.head, axis=1)
        close = int(np.argmin(near_head))
        if near_head[close] < 0.45 and near_head[0] > 0.7:
            facts.append(Fact(f"{side}_hand", "touch_head", _t(close, n), float(near_head[close]),
                              f"brings the {side} hand up to the head"))
        speed = np.linalg.norm(np.diff(hand, axis=0), axis=1)
        lateral = np.diff(hand[:, 0])
        if n > 10:
            strong = np.abs(lateral) > 0.02
            flips = int(np.sum(np.diff(np.sign(lateral[strong])) != 0)) if strong.sum() > 2 else 0
            if flips >= 4 and (height > shoulder[:, 1] - 0.2).mean() > 0.3:
                facts.append(Fact(f"{side}_hand", "wave", _t(int(np.argmax(speed)), n), float(flips),
                                  f"waves the {side} hand from side to side"))
            peak = int(np.argmax(speed))
            if speed[peak] > 0.25 and speed[peak] > 4 * (np.median(speed) + 1e-3):
                facts.append(Fact(f"{side}_arm", "swing", _t(peak, n), float(speed[peak]),
                                  f"swings the {side} arm quickly"))
    gap = np.linalg.norm(body.hand["right"] - body.hand["left"], axis=1)
    together = int(np.argmin(gap))
    if gap[together] < 0.35 and gap[0] > 0.5:
        facts.append(Fact("both_hands", "hands_together", _t(together, n), float(gap[together]),
                          "brings both hands together in front of the body"))
    return facts


def _torso_facts(body: _Body, n: int) -> list[Fact]:
    facts: list[Fact] = []
    spine = body.spine / (np.linalg.norm(body.spine, axis=1, keepdims=True) + 1e-8)
    tilt = np.degrees(np.arccos(np.clip(spine[:, 1], -1, 1)))
    peak = int(np.argmax(tilt))
    if tilt[peak] > 25 and tilt[peak] - tilt[: max(n // 8, 1)].mean() > 15:
        if spine[peak, 2] >= 0:
            facts.append(Fact("torso", "bend", _t(peak, n), float(tilt[peak]),
                              f"bends the upper body forward by about {int(round(tilt[peak], -1))} degrees"))
        else:
            facts.append(Fact("torso", "lean_back", _t(peak, n), float(tilt[peak]), "leans the upper body back"))
    height = body.center[:, 1]
    head = max(n // 6, 1)
    start, end, lowest = height[:head].mean(), height[-head:].mean(), int(np.argmin(height))
    if start - end > 0.35:
        facts.append(Fact("body", "sit_down", _t(n - 1, n), float(start - end), "lowers the body and stays down, as when sitting down"))
    elif end - start > 0.35:
        facts.append(Fact("body", "stand_up", _t(n - 1, n), float(end - start), "rises from a low position to standing"))
    elif start - height[lowest] > 0.3:
        facts.append(Fact("legs", "squat", _t(lowest, n), float(start - height[lowest]),
                          "bends the knees and lowers the body, then comes back up"))
    ground = body.center[:: max(n // 10, 1), [0, 2]]      # coarse steps: joint jitter must not add up
    travel = np.linalg.norm(np.diff(ground, axis=0), axis=1).sum()
    net = ground[-1] - ground[0]
    if travel > 2.0 or np.linalg.norm(net) > 1.2:
        direction = ("forward" if net[1] > 0 else "backward") if abs(net[1]) > abs(net[0]) else "sideways"
        facts.append(Fact("legs", "walk", 1.0, float(travel),
                          f"walks {direction}, covering about {travel:.0f} body lengths" if np.linalg.norm(net) > 1.2
                          else "walks around, ending near where it started"))
    line = body.shoulder_line[:, [0, 2]]
    angle = np.unwrap(np.arctan2(line[:, 1], line[:, 0]))
    turned = np.degrees(np.abs(angle - angle[0]))
    if n > 2 and turned.max() > 60:
        top = int(np.argmax(turned))
        facts.append(Fact("body", "turn", _t(top, n), float(turned[top]), "turns the body around"))
    return facts


def _pair_facts(a: np.ndarray, b: np.ndarray, n: int) -> list[Fact]:
    dist = np.linalg.norm(a[:, [0, 2]] - b[:, [0, 2]], axis=1)
    head = max(n // 6, 1)
    start, end = dist[:head].mean(), dist[-head:].mean()
    if start - end > 0.6:
        return [Fact("people", "approach", _t(int(np.argmin(dist)), n), float(start - end), "the two people move towards each other")]
    if end - start > 0.6:
        return [Fact("people", "depart", _t(n - 1, n), float(end - start), "the two people move apart")]
    return []


def kinematic_facts(data: np.ndarray, layout: str | Layout, max_facts: int = 6) -> list[Fact]:
    """Facts about a sequence ``data`` (M, T, V, C), ordered by time; never empty.

    Raises ``ValueError`` for a sequence with fewer than 2 frames with a person.
    """
    layout = get_layout(layout)
    if data.ndim != 4 or data.shape[2] != layout.num_joints:
        raise ValueError(f"expected (M, T, {layout.num_joints}, C) for layout {layout.name}; got {data.shape}")
    present = [m for m in range(data.shape[0]) if _present(data[m]).sum() >= 2]
    if not present:
        raise ValueError("the sequence has fewer than 2 frames with a person in it")
    main = data[present[0]]
    keep = _present(main)
    main = main[keep]
    n = len(main)
    frame, _ = body_frame(main, layout)
    facts = _hand_facts(_trajectories(frame, layout), n) + _torso_facts(_trajectories(frame, layout), n)
    if len(present) > 1:
        other = data[present[1]][keep]
        if _present(other).all():
            other_frame, _ = body_frame(other, layout, ref=main)
            facts += _pair_facts(_trajectories(frame, layout).center, _trajectories(other_frame, layout).center, n)
    facts = _most_salient(_merge_sides(facts), max_facts)
    if not facts:
        facts = [Fact("body", "still", 0.5, 0.0, "stays mostly in place with only small movements")]
    return sorted(facts, key=lambda f: f.time)


#: Magnitude at which a motion counts (body units; degrees for bend/turn; flips for wave).
THRESHOLDS = {"raise": 0.45, "lower": 0.45, "reach_forward": 0.55, "reach_down": 0.3, "touch_head": 0.45,
              "wave": 4, "swing": 0.25, "hands_together": 0.35, "bend": 25, "lean_back": 25, "squat": 0.3,
              "sit_down": 0.35, "stand_up": 0.35, "walk": 2.0, "turn": 60, "approach": 0.6, "depart": 0.6}


def _merge_sides(facts: list[Fact]) -> list[Fact]:
    """'raises the right hand' + 'raises the left hand' at about the same time -> 'raises both hands'."""
    out, used = [], set()
    for i, f in enumerate(facts):
        if i in used:
            continue
        if f.part.startswith("right_"):
            twin = next((j for j, g in enumerate(facts) if j not in used and g.motion == f.motion
                         and g.part == "left_" + f.part[6:] and abs(g.time - f.time) < 0.2), None)
            if twin is not None:
                used.add(twin)
                limb = f.part[6:]
                text = f.text.replace(f"the right {limb}", f"both {limb}s").replace(f"with the right {limb}", f"with both {limb}s")
                f = Fact(f"both_{limb}s", f.motion, (f.time + facts[twin].time) / 2,
                         max(f.strength, facts[twin].strength), text)
        out.append(f)
    return out


def _most_salient(facts: list[Fact], k: int) -> list[Fact]:
    """The k facts that exceed their threshold the most (hands_together/touch_head: the closest)."""
    def salience(f: Fact) -> float:
        th = THRESHOLDS.get(f.motion, 1.0)
        return th / max(f.strength, 1e-3) if f.motion in ("hands_together", "touch_head") else f.strength / th
    return sorted(facts, key=salience, reverse=True)[:k]


def narrate(facts: list[Fact], subject: str = "The person") -> str:
    """Plain-English description in temporal order: 'The person first ..., then ..., and finally ...'."""
    own = [f for f in facts if f.part != "people" and f.motion not in ("walk", "still")]
    clauses = [f.text for f in own]
    if len(clauses) == 0:
        sentences = []
    elif len(clauses) == 1:
        sentences = [f"{subject} {clauses[0]}."]
    else:
        middle = "".join(f", then {c}" for c in clauses[1:-1])
        sentences = [f"{subject} first {clauses[0]}{middle}, and finally {clauses[-1]}."]
    for f in facts:
        if f.motion in ("walk", "still"):
            sentences.append(f"{'Meanwhile the person' if sentences else subject} {f.text}.")
        elif f.part == "people":
            sentences.append(f.text[0].upper() + f.text[1:] + ".")
    return " ".join(sentences) or f"{subject} stays mostly in place."
