"""Known motions, scripted frame by frame, each with the truth of what happened.

A performance is built from channels that a person can do at the same time: the legs (stand
still, walk, turn, squat, sit down, stand up), the trunk (bend forward, lean back) and each arm
(raise, wave, reach forward, bring the hands together). Every script records a
:class:`TrueMotion` for what it does: ``required`` motions are the ones the suite expects a
detector to state; ``optional`` ones are true as well (a hand raised to wave *was* raised) but
are not demanded. Anything a detector says outside both lists is false.

Truth words are the motions of issue 40 (raise, lower, wave, reach_forward, reach_down, bend,
lean_back, squat, sit_down, stand_up, walk, turn, hands_together, still). ``side`` is
right/left/both for the arms, the direction (forward/backward/sideways) for a walk, None otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .body import Dimensions, Pose, heading_axes, shoulder_point

FPS = 30.0
#: A hand this far in front of its shoulder (metres, for an adult; at most 0.3 m below it) counts as
#: an arm stretched forward, wherever the motion comes from; the hand check uses the same rule.
REACH_FORWARD = 0.35


@dataclass(frozen=True)
class TrueMotion:
    """One motion that happened: frames ``start``..``end`` (inclusive), how much (``magnitude``
    in ``unit``), and the direction it moves along in the body's starting frame (x = its left,
    z = its front; None when vertical): 2D views cannot read a motion along the camera's line
    of sight, nor a rotation about the vertical (``yaw_only``)."""

    motion: str
    side: str | None
    start: int
    end: int
    magnitude: float
    unit: str
    detail: str = ""
    direction: tuple[float, float, float] | None = None
    yaw_only: bool = False       # a turn: no 2D image tells its angle (the shoulder line only narrows)

    def as_dict(self) -> dict:
        out = {"motion": self.motion, "side": self.side, "start": self.start, "end": self.end,
               "magnitude": round(self.magnitude, 3), "unit": self.unit}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class Performance:
    """A scripted performance: the posture per frame and its truth."""

    name: str
    pose: Pose
    dims: Dimensions
    required: list[TrueMotion]
    optional: list[TrueMotion] = field(default_factory=list)
    params: dict = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return len(self.pose.yaw)


# --- time profiles ------------------------------------------------------------------------
def ease(t: np.ndarray, start: float, end: float) -> np.ndarray:
    """0 before ``start``, 1 after ``end``, a smooth (cosine) ramp in between."""
    u = np.clip((t - start) / max(end - start, 1e-6), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def hold(t: np.ndarray, up: tuple[float, float], down: tuple[float, float] | None) -> np.ndarray:
    """Ramp up over ``up``, stay, ramp down over ``down`` (None: stay up to the end)."""
    out = ease(t, *up)
    return out if down is None else out * (1.0 - ease(t, *down))


@dataclass
class Script:
    """A performance under construction: the frames, the body, the random source and the truth."""

    frames: int
    dims: Dimensions
    rng: np.random.Generator
    required: list[TrueMotion] = field(default_factory=list)
    optional: list[TrueMotion] = field(default_factory=list)
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = np.arange(self.frames, dtype=float)
        self.t = t
        n = self.frames
        self.pelvis = np.tile([0.0, self.dims.standing_pelvis_height, 0.0], (n, 1))
        self.yaw = np.zeros(n)
        self.pitch = np.zeros(n)
        self.roll = np.zeros(n)
        forward, left = heading_axes(self.yaw)
        self.ankle = {s: np.tile([sign * self.dims.stance_half_width, self.dims.ankle_height, 0.0], (n, 1))
                      for s, sign in (("left", 1.0), ("right", -1.0))}
        # arm targets relative to the shoulder in the heading frame: (forward, outward, up)
        self.arm = {s: np.tile([0.03, 0.05, -0.97 * self.dims.arm], (n, 1)) for s in ("left", "right")}
        self.pole = {s: np.tile([-0.6, 0.6, -0.3], (n, 1)) for s in ("left", "right")}
        self.busy_arms: set[str] = set()

    def window(self, share: tuple[float, float], length: tuple[float, float], least: float = 0.15) -> tuple[int, int]:
        """A random span: starts at a share of the clip in ``share``, lasts ``length`` of it but at
        least ``least`` seconds (a deliberate raise takes half a second, not a tenth)."""
        start = int(self.rng.uniform(*share) * self.frames)
        end = min(self.frames - 1, start + max(int(self.rng.uniform(*length) * self.frames), int(least * FPS)))
        return start, end

    def later_span(self, after: int, gap: tuple[float, float], least: float = 0.5) -> tuple[int, int]:
        """A span starting a random share ``gap`` of the clip after frame ``after`` (a hold), at
        least ``least`` seconds long, clipped to the clip."""
        first = min(self.frames - 2, after + int(self.rng.uniform(*gap) * self.frames))
        return first, min(self.frames - 1, first + max(int(self.rng.uniform(0.12, 0.22) * self.frames), int(least * FPS)))

    def add(self, motion: TrueMotion, required: bool = True) -> None:
        (self.required if required else self.optional).append(motion)

    def pose(self) -> Pose:
        """The posture: arm targets turned into world positions from the shoulders."""
        forward, left = heading_axes(self.yaw)
        wrist, poles = {}, {}
        for side, sign in (("left", 1.0), ("right", -1.0)):
            shoulder = shoulder_point(self.pelvis, self.yaw, self.pitch, self.roll, self.dims, side)
            a, p = self.arm[side], self.pole[side]
            up = np.array([0.0, 1.0, 0.0])
            wrist[side] = shoulder + a[:, :1] * forward + a[:, 1:2] * left * sign + a[:, 2:] * up
            poles[side] = p[:, :1] * forward + p[:, 1:2] * left * sign + p[:, 2:] * up
        return Pose(self.pelvis, self.yaw, self.pitch, self.roll, self.ankle, wrist, poles)

    def performance(self, name: str) -> Performance:
        return Performance(name, self.pose(), self.dims, self.required, self.optional, self.params)


def _sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "both" else (side,)


# --- natural small movement ---------------------------------------------------------------
def add_sway(s: Script) -> None:
    """Standing is never perfectly still: the body sways by a centimetre or two, the trunk by a
    degree, the hands drift; breathing moves the shoulders."""
    t = s.t / FPS
    r = s.rng
    for axis in (0, 2):
        s.pelvis[:, axis] += r.uniform(0.005, 0.015) * np.sin(2 * np.pi * r.uniform(0.15, 0.4) * t + r.uniform(0, 6))
    s.pitch += np.radians(r.uniform(0.5, 1.5)) * np.sin(2 * np.pi * r.uniform(0.1, 0.3) * t + r.uniform(0, 6))
    s.roll += np.radians(r.uniform(0.3, 1.0)) * np.sin(2 * np.pi * r.uniform(0.1, 0.3) * t + r.uniform(0, 6))
    for side in ("left", "right"):
        s.arm[side] = s.arm[side] + r.uniform(0.005, 0.02) * np.sin(
            2 * np.pi * r.uniform(0.1, 0.4) * t[:, None] + r.uniform(0, 6, size=3))


# --- arms ---------------------------------------------------------------------------------
def _arm_direction(elevation: np.ndarray, azimuth: float) -> np.ndarray:
    """Unit arm direction (forward, outward, up) for an elevation from hanging (0) to straight up
    (pi) in the vertical plane at ``azimuth`` (0 = forward, pi/2 = out to the side)."""
    return np.stack([np.sin(elevation) * np.cos(azimuth), np.sin(elevation) * np.sin(azimuth),
                     -np.cos(elevation)], axis=1)


REST = np.radians(4.0)      # a hanging arm's elevation


def _swing_straight_arm(s: Script, side: str, elevation: float, azimuth: float, comes_back: bool,
                        pole: tuple[float, float, float]) -> tuple[int, int, tuple[int, int] | None]:
    """Move the straight arm(s) from hanging up to ``elevation`` at ``azimuth`` over 0.6-1.2 s,
    hold, and bring them back down (when ``comes_back``) at the same pace. Returns (start,
    top, (back_start, back_end) or None)."""
    r = s.rng
    start, top = s.window((0.1, 0.3), (0.12, 0.25), least=r.uniform(0.6, 1.2))
    back = s.later_span(top, (0.08, 0.2), least=r.uniform(0.6, 1.2)) if comes_back else None
    profile = hold(s.t, (start, top), back)
    for one in _sides(side):
        s.arm[one] = _arm_direction(REST + (elevation - REST) * profile, azimuth) * 0.97 * s.dims.arm
        s.pole[one] = np.tile(pole, (s.frames, 1))
        s.busy_arms.add(one)
    return start, top, back


def arm_raise(s: Script, side: str, height: str, comes_down: bool) -> None:
    """Raise straight arm(s) to ``height`` (shoulder, head, above_head), hold, maybe lower again."""
    d, r = s.dims, s.rng
    reach = 0.97 * d.arm
    if height == "shoulder":
        rise_above_shoulder = r.uniform(-0.01, 0.06)
    elif height == "head":
        rise_above_shoulder = d.head_height - d.shoulder_height + r.uniform(0.03, 0.1)
    else:
        rise_above_shoulder = reach * -np.cos(np.radians(r.uniform(150, 170)))
    target = np.arccos(np.clip(-rise_above_shoulder / reach, -1, 1))
    azimuth = np.radians(r.uniform(10, 90))
    start, top, down = _swing_straight_arm(s, side, target, azimuth, comes_down, (-0.4, 0.5, -0.6))
    rise = rise_above_shoulder + reach * np.cos(REST)
    end = down[1] if comes_down else s.frames - 1
    held = down[0] if comes_down else s.frames - 1      # the span: rising, and held up until it comes down
    s.add(TrueMotion("raise", side, start, held, rise, "m", f"to {height.replace('_', ' ')} height"))
    if comes_down:
        s.add(TrueMotion("lower", side, down[0], down[1], rise, "m"))
    forward_reach = reach * np.sin(target) * np.cos(azimuth)
    if forward_reach >= REACH_FORWARD * d.stature / 1.7:     # an arm raised in front is also held out forward
        s.add(TrueMotion("reach_forward", side, start, end, forward_reach, "m"), required=False)
    s.params[f"raise_{side}"] = {"height": height, "rise_m": round(rise, 3), "azimuth_deg": round(np.degrees(azimuth))}


#: a hand waved for fewer cycles than this (one to and fro) is not required to be called a wave
WAVE_CYCLES = 1.0


def arm_wave(s: Script, side: str) -> None:
    """Bring the hand(s) up beside the head and wave from side to side, then maybe lower."""
    d, r = s.dims, s.rng
    start, end = s.window((0.05, 0.25), (0.55, 0.7))
    lift = int(r.uniform(0.4, 0.8) * FPS)
    scale = d.stature / 1.7
    outward = r.uniform(0.2, 0.32) * scale                 # beside the head, not in front of the face
    centre = np.array([r.uniform(0.05, 0.2) * scale, outward,
                       d.head_height - d.shoulder_height + r.uniform(-0.05, 0.08) * scale])
    amplitude, freq = r.uniform(0.08 * scale, min(0.18 * scale, outward - 0.1 * scale)), r.uniform(1.5, 2.5)
    comes_down = r.random() < 0.7
    up = ease(s.t, start, start + lift)
    down = 1 - ease(s.t, end - lift, end) if comes_down else np.ones(s.frames)
    level = up * down
    swing = amplitude * np.sin(2 * np.pi * freq * (s.t - start - lift) / FPS)
    swing *= ease(s.t, start + lift, start + lift + 3) * (1 - ease(s.t, end - lift - 3, end - lift))
    for one in _sides(side):
        rest = s.arm[one].copy()
        target = np.tile(centre, (s.frames, 1))
        target[:, 1] += swing
        s.arm[one] = rest + (target - rest) * level[:, None]
        s.pole[one] = np.tile([-0.2, 0.7, -1.0], (s.frames, 1))
        s.busy_arms.add(one)
    cycles = freq * (end - start - 2 * lift) / FPS
    # a wave goes to and fro at least once; a hand that only gets half-way through one swing
    # before coming down (short clips with a slow lift) waved in no one's eyes: then optional
    s.add(TrueMotion("wave", side, start + lift, end - lift, cycles, "cycles", f"amplitude {amplitude:.2f} m",
                     direction=(1.0, 0.0, 0.0)), required=cycles >= WAVE_CYCLES)
    s.add(TrueMotion("swing", side, start + lift, end - lift, amplitude, "m"), required=False)  # waving is swinging
    rise = centre[2] + 0.97 * d.arm
    s.add(TrueMotion("raise", side, start, start + lift, rise, "m"), required=False)
    if comes_down:
        s.add(TrueMotion("lower", side, end - lift, end, rise, "m"), required=False)
    s.params[f"wave_{side}"] = {"amplitude_m": round(amplitude, 3), "hz": round(freq, 2)}


def arm_reach(s: Script, side: str) -> None:
    """Stretch the arm(s) forward to about shoulder height, hold, bring them back."""
    r = s.rng
    reach = 0.97 * s.dims.arm
    target = np.radians(90 + r.uniform(-20, 8))          # below to a little above the horizontal
    azimuth = np.radians(r.uniform(0, 20))
    comes_back = r.random() < 0.7
    start, top, back = _swing_straight_arm(s, side, target, azimuth, comes_back, (-0.3, 0.6, -0.8))
    forward = reach * np.sin(target) * np.cos(azimuth)
    end = back[1] if comes_back else s.frames - 1
    held = back[0] if comes_back else s.frames - 1
    s.add(TrueMotion("reach_forward", side, start, held, forward, "m", direction=(0.0, 0.0, 1.0)))
    rise = reach * (np.cos(REST) - np.cos(target))
    s.add(TrueMotion("raise", side, start, held, rise, "m"), required=False)
    if comes_back:
        s.add(TrueMotion("lower", side, back[0], end, rise, "m"), required=False)
    s.params[f"reach_{side}"] = {"forward_m": round(forward, 3), "elevation_deg": round(np.degrees(target))}


def hands_together(s: Script) -> None:
    """Bring both hands together in front of the chest (a clap, one or several times)."""
    d, r = s.dims, s.rng
    start, end = s.window((0.1, 0.3), (0.45, 0.65))
    lift = int(r.uniform(0.3, 0.6) * FPS)
    scale = d.stature / 1.7
    front, height = r.uniform(0.28, 0.4) * scale, r.uniform(-0.2, -0.05) * scale
    inward = -(d.shoulder_half_width - 0.035)
    claps = int(r.integers(1, 4))
    level = ease(s.t, start, start + lift) * (1 - ease(s.t, end - lift, end))
    gap = np.zeros(s.frames)
    if claps > 1:     # open and close between claps
        phase = np.clip((s.t - start - lift) / max(end - start - 2 * lift, 1), 0, 1)
        gap = 0.12 * np.sin(np.pi * claps * phase) ** 2
    for one in ("left", "right"):
        rest = s.arm[one].copy()
        target = np.stack([np.full(s.frames, front), inward + gap, np.full(s.frames, height)], axis=1)
        s.arm[one] = rest + (target - rest) * level[:, None]
        s.pole[one] = np.tile([-0.2, 1.0, -0.6], (s.frames, 1))
        s.busy_arms.add(one)
    s.add(TrueMotion("hands_together", "both", start + lift // 2, end - lift // 2, claps, "claps",
                     direction=(1.0, 0.0, 0.0)))
    if front >= REACH_FORWARD * scale:      # hands met far out in front: the arms are nearly stretched
        s.add(TrueMotion("reach_forward", "both", start, end, front, "m"), required=False)
    rise = height + 0.97 * d.arm
    s.add(TrueMotion("raise", "both", start, start + lift, rise, "m"), required=False)
    s.add(TrueMotion("lower", "both", end - lift, end, rise, "m"), required=False)
    s.params["hands_together"] = {"claps": claps, "front_m": round(front, 3)}


def walk_arm_swing(s: Script, phase: np.ndarray, amount: np.ndarray) -> None:
    """Arms swing opposite to the legs while walking (only arms not busy with a gesture)."""
    for side, sign in (("left", 1.0), ("right", -1.0)):
        if side not in s.busy_arms:
            s.arm[side][:, 0] += sign * 0.12 * amount * np.sin(phase)


def hands_to(s: Script, offset: tuple[float, float, float], profile: np.ndarray) -> None:
    """Move the idle hands (not busy with a gesture) towards ``offset`` (forward, outward, up from
    the shoulder, metres for an adult) as ``profile`` goes 0 -> 1: people sitting put their hands
    on the thighs, people squatting on the hips, rather than letting them dangle to the floor."""
    scale = s.dims.stature / 1.7
    target = np.array(offset) * scale
    for side in ("left", "right"):
        if side not in s.busy_arms:
            s.arm[side] = s.arm[side] + (target - s.arm[side]) * profile[:, None]


# --- trunk --------------------------------------------------------------------------------
def trunk_bend(s: Script, degrees: float, comes_back: bool) -> None:
    """Bend the upper body forward (positive degrees) or lean back (negative), from the hips."""
    start, bottom = s.window((0.1, 0.3), (0.15, 0.3), least=0.6)
    back = s.later_span(bottom, (0.05, 0.2), least=0.6) if comes_back else None
    profile = hold(s.t, (start, bottom), back)
    angle = np.radians(degrees)
    s.pitch += angle * profile
    forward, _ = heading_axes(s.yaw)
    s.pelvis -= forward * (0.25 * s.dims.spine_lower * np.sin(angle) * profile)[:, None]   # balance
    end = back[1] if back else s.frames - 1
    if degrees > 0:
        s.add(TrueMotion("bend", None, start, bottom, degrees, "deg", direction=(0.0, 0.0, 1.0)))
        hand_low = s.dims.standing_pelvis_height + np.cos(angle) * (s.dims.spine_lower + s.dims.spine_upper) - 0.97 * s.dims.arm
        if hand_low < s.dims.ankle_height + s.dims.shank + 0.15:        # bent >= ~60 deg: the hands hang to the knees
            s.add(TrueMotion("reach_down", "both", start, end, hand_low, "m above floor"), required=False)
    else:
        s.add(TrueMotion("lean_back", None, start, bottom, -degrees, "deg", direction=(0.0, 0.0, 1.0)))
    s.params["trunk_deg"] = round(degrees, 1)


# --- legs ---------------------------------------------------------------------------------
def step_feet(s: Script, start: int, end: int, steps: int, lead: np.ndarray) -> np.ndarray:
    """Move the feet with the pelvis from ``start`` to ``end`` in ``steps`` alternating steps:
    each foot is planted except while it swings to where the body will be (plus ``lead``, a
    (3,) offset along the travel for a step ahead; the last two steps land where the body stops).
    Returns the gait phase per frame (for the arm swing)."""
    forward, left = heading_axes(s.yaw)
    ground = s.pelvis * np.array([1.0, 0.0, 1.0])
    bounds = np.linspace(start, end, steps + 1)
    planted = {side: s.ankle[side][start].copy() for side in ("left", "right")}
    offset = {side: sign * s.dims.stance_half_width for side, sign in (("left", 1.0), ("right", -1.0))}
    first = "right" if s.rng.random() < 0.5 else "left"
    for k in range(steps):
        side = first if k % 2 == 0 else ("left" if first == "right" else "right")
        a, b = int(round(bounds[k])), int(round(bounds[k + 1]))
        land_at = min(b, s.frames - 1) if k < steps - 2 else min(end, s.frames - 1)   # the last two close the feet
        landing = ground[land_at] + left[land_at] * offset[side] + (lead if k < steps - 2 else 0.0)
        landing[1] = s.dims.ankle_height
        u = ease(np.arange(a, b + 1, dtype=float), a, b)[:, None]
        path = planted[side] + (landing - planted[side]) * u
        path[:, 1] += 0.07 * s.dims.stature / 1.7 * np.sin(np.pi * u[:, 0])
        s.ankle[side][a:b + 1] = path
        s.ankle[side][b + 1:] = landing
        planted[side] = landing
    phase = np.pi * np.clip((s.t - start) / max(end - start, 1), 0, 1) * steps
    return phase


def keep_legs_reachable(s: Script) -> None:
    """Lower the pelvis where the feet are too far for straight legs (walking drops it a few cm)."""
    forward, left = heading_axes(s.yaw)
    limit = 0.995 * s.dims.leg
    height = s.pelvis[:, 1].copy()
    for side, sign in (("left", 1.0), ("right", -1.0)):
        hip = s.pelvis + left * sign * s.dims.hip_half_width
        flat = np.linalg.norm((s.ankle[side] - hip)[:, [0, 2]], axis=1)
        most = s.ankle[side][:, 1] + np.sqrt(np.maximum(limit ** 2 - flat ** 2, 0.0)) + s.dims.pelvis_above_hips
        height = np.minimum(height, most)
    s.pelvis[:, 1] = height


def legs_walk(s: Script, direction: str, distance: float) -> None:
    """Walk ``distance`` metres forward, backward or sideways (left/right) with real steps."""
    r = s.rng
    scale = s.dims.stature / 1.7
    start, end = s.window((0.05, 0.2), (0.65, 0.8))
    forward, left = heading_axes(s.yaw)
    unit = {"forward": forward[start], "backward": -forward[start], "sideways_left": left[start],
            "sideways_right": -left[start]}[direction]
    step = {"forward": 0.65, "backward": 0.4}.get(direction, 0.35) * scale * r.uniform(0.85, 1.1)
    steps = max(2, int(np.ceil(distance / step))) + 1
    travel = ease(s.t, start, end)[:, None] * unit * distance
    s.pelvis += travel
    lead = unit * (0.5 * distance / (steps - 1) if direction in ("forward", "backward") else 0.0)
    phase = step_feet(s, start, end, steps, lead)
    moving = ease(s.t, start, start + 10) * (1 - ease(s.t, end - 10, end))
    s.pelvis[:, 1] += 0.012 * scale * np.cos(2 * phase) * moving
    keep_legs_reachable(s)
    if direction in ("forward", "backward"):
        walk_arm_swing(s, phase, moving)
    way = "sideways" if direction.startswith("sideways") else direction
    s.add(TrueMotion("walk", way, start, end, distance, "m", f"{steps} steps", tuple(unit)))
    s.params["walk"] = {"direction": direction, "distance_m": round(distance, 3), "steps": steps}


def legs_turn(s: Script, degrees: float) -> None:
    """Turn on the spot by ``degrees`` (positive = to the left), stepping round."""
    start, end = s.window((0.1, 0.3), (0.4, 0.6), least=1.0)
    s.yaw += np.radians(degrees) * ease(s.t, start, end)
    steps = max(2, int(abs(degrees) // 45)) + 1
    step_feet(s, start, end, steps, np.zeros(3))
    keep_legs_reachable(s)
    s.add(TrueMotion("turn", None, start, s.frames - 1, abs(degrees), "deg",      # and stays turned
                     "left" if degrees > 0 else "right", yaw_only=True))
    s.params["turn_deg"] = round(degrees, 1)


def legs_lower(s: Script, drop: float, back: float, trunk_deg: float,
               span: tuple[int, int], down: bool) -> np.ndarray:
    """Move the pelvis down by ``drop`` and back by ``back`` over ``span`` (or up from there when
    not ``down``) with the feet planted; the trunk inclines forward by ``trunk_deg`` on the way.
    Returns the 0..1 profile (1 = low)."""
    start, end = span
    profile = ease(s.t, start, end) if down else 1 - ease(s.t, start, end)
    forward, _ = heading_axes(s.yaw)
    s.pelvis[:, 1] -= drop * profile
    s.pelvis -= forward * (back * profile)[:, None]
    transit = np.sin(np.pi * np.clip((s.t - start) / max(end - start, 1), 0, 1))
    s.pitch += np.radians(trunk_deg) * transit + np.radians(6) * profile
    return profile


def legs_squat(s: Script, depth: float, arms_forward: bool) -> None:
    """Squat down by ``depth`` metres (pelvis drop) and come back up."""
    r = s.rng
    start, bottom = s.window((0.1, 0.3), (0.2, 0.3), least=0.6)
    rise_start = bottom + int(r.uniform(0.05, 0.15) * s.frames)
    rise_end = min(s.frames - 1, rise_start + (bottom - start))
    trunk = r.uniform(10, 30) * depth / 0.45
    forward, _ = heading_axes(s.yaw)
    profile = hold(s.t, (start, bottom), (rise_start, rise_end))
    s.pelvis[:, 1] -= depth * profile
    s.pelvis -= forward * (0.45 * depth * profile)[:, None]
    s.pitch += np.radians(trunk) * profile
    s.add(TrueMotion("squat", None, start, rise_end, depth, "m"))
    if trunk >= 15:     # the trunk inclines on the way down: "bends forward" is true too
        s.add(TrueMotion("bend", None, start, rise_end, trunk, "deg"), required=False)
    arms_forward = arms_forward and not s.busy_arms      # a gesture in a combination keeps its arm
    if not arms_forward:
        hands_to(s, (0.06, -0.03, -0.42), profile)
    else:                 # UTD-MHAD's squat: both arms stretched out in front
        reach = 0.97 * s.dims.arm
        for one in ("left", "right"):
            s.arm[one] = _arm_direction(np.radians(4 + 84 * profile), 0.1) * reach
            s.busy_arms.add(one)
        s.add(TrueMotion("reach_forward", "both", start, rise_end, reach, "m"), required=False)
        s.add(TrueMotion("raise", "both", start, bottom, 0.97 * s.dims.arm, "m"), required=False)
        s.add(TrueMotion("lower", "both", rise_start, rise_end, 0.97 * s.dims.arm, "m"), required=False)
    s.params["squat"] = {"depth_m": round(depth, 3), "trunk_deg": round(trunk, 1), "arms_forward": arms_forward}


def seated_drop(dims: Dimensions) -> tuple[float, float]:
    """(pelvis drop, pelvis shift back) from standing to sitting on a chair of knee height."""
    seated = dims.ankle_height + dims.shank + dims.pelvis_above_hips + 0.03
    return dims.standing_pelvis_height - seated, 0.85 * dims.thigh


def legs_sit(s: Script, down: bool) -> None:
    """Sit down on a chair and stay (``down``), or start seated and stand up."""
    r = s.rng
    start, end = s.window((0.15, 0.3), (0.25, 0.4), least=0.8)
    drop, back = seated_drop(s.dims)
    trunk = r.uniform(20, 40)
    profile = legs_lower(s, drop, back, trunk, (start, end), down)
    hands_to(s, (0.3, -0.04, -0.40), profile)
    name = "sit_down" if down else "stand_up"
    s.add(TrueMotion(name, None, start, end, drop, "m"))
    if trunk >= 15:     # the trunk inclines forward on the way
        s.add(TrueMotion("bend", None, start, end, trunk, "deg"), required=False)
    s.params[name] = {"drop_m": round(drop, 3), "trunk_deg": round(trunk, 1)}


def stand_still(s: Script) -> None:
    s.add(TrueMotion("still", None, 0, s.frames - 1, 0.0, "m"))
