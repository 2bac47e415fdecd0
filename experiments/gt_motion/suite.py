"""The suite: performances of every motion family, seen by random cameras in every layout.

``build_suite(seed, ...)`` returns :class:`GeneratedSample` s, each with its data in the layout's
own coordinates (1, T, V, C), its camera, and its truth. Every sample draws from its own random
stream (``seed``, family, index), so any slice of the suite is the same sample for sample.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from actlm.data.layouts import LAYOUTS, get_layout

from . import failures as fail
from .body import BODIES, Dimensions, skeleton
from .camera import IMAGE_2D, Camera, add_sensor_noise, random_camera, sensor_output, to_camera
from .motions import (FPS, Performance, Script, TrueMotion, add_sway, arm_raise, arm_reach, arm_wave,
                      hands_together, legs_sit, legs_squat, legs_turn, legs_walk, stand_still, trunk_bend)

FAMILIES = ("still", "raise", "wave", "reach_forward", "bend", "lean_back", "squat", "sit_down", "stand_up",
            "walk", "turn", "hands_together", "combo")
ARM_FAMILIES = ("raise", "wave", "reach_forward", "hands_together")
LEG_FAMILIES = ("walk", "turn", "squat", "sit_down", "stand_up")


def suite_layouts() -> tuple[str, ...]:
    """Every layout actlm knows at import time, UTD-MHAD's (registered by its importer) included."""
    import actlm.data.utdmhad  # noqa: F401  (registers the utd-mhad layout)
    return tuple(sorted(LAYOUTS))


@dataclass
class GeneratedSample:
    sample_id: str
    family: str
    layout: str
    data: np.ndarray                      # (1, T, V, C) float32, the layout's own coordinates
    camera: Camera
    body: str
    required: list[TrueMotion]
    optional: list[TrueMotion]
    params: dict = field(default_factory=dict)
    failure: fail.Failure | None = None
    clean: np.ndarray | None = None       # the same sample without the failure (failure cases)
    fps: float = FPS

    def truth_dict(self) -> dict:
        return {"required": [m.as_dict() for m in self.required], "optional": [m.as_dict() for m in self.optional],
                "failure": self.failure.as_dict() if self.failure else None}


# --- performances -------------------------------------------------------------------------
def _duration(rng: np.random.Generator, low: float, high: float) -> int:
    return int(rng.uniform(low, high) * FPS)


def _pick(rng: np.random.Generator, options: dict[str, float]) -> str:
    names = list(options)
    p = np.array(list(options.values()), dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def _walk_plan(rng: np.random.Generator) -> tuple[str, float, int]:
    direction = _pick(rng, {"forward": 0.4, "backward": 0.2, "sideways_left": 0.2, "sideways_right": 0.2})
    distance = rng.uniform(1.0, 4.0) if direction == "forward" else rng.uniform(1.0, 2.5)
    speed = {"forward": rng.uniform(0.9, 1.3), "backward": rng.uniform(0.5, 0.7)}.get(direction, rng.uniform(0.4, 0.6))
    return direction, distance, int(distance / speed / 0.72 * FPS) + 10


def _arm_gesture(s: Script, family: str) -> None:
    r = s.rng
    if family == "raise":
        arm_raise(s, _pick(r, {"right": 0.4, "left": 0.3, "both": 0.3}),
                  str(r.choice(["shoulder", "head", "above_head"])), r.random() < 0.6)
    elif family == "wave":
        arm_wave(s, _pick(r, {"right": 0.45, "left": 0.35, "both": 0.2}))
    elif family == "reach_forward":
        arm_reach(s, _pick(r, {"right": 0.4, "left": 0.3, "both": 0.3}))
    else:
        hands_together(s)


def _legs(s: Script, family: str, walk: tuple[str, float] | None = None) -> None:
    r = s.rng
    scale = s.dims.stature / 1.7
    if family == "walk":
        legs_walk(s, *walk)
    elif family == "turn":
        legs_turn(s, r.uniform(90, 180) * (1 if r.random() < 0.5 else -1))
    elif family == "squat":
        legs_squat(s, r.uniform(0.25, 0.45) * scale, r.random() < 0.5)
    else:
        legs_sit(s, down=family == "sit_down")


def perform(family: str, rng: np.random.Generator, dims: Dimensions) -> Performance:
    """A random performance of ``family`` (``combo``: a leg motion and an arm gesture together)."""
    walk = _walk_plan(rng) if family in ("walk", "combo") else None
    legs = str(rng.choice(LEG_FAMILIES)) if family == "combo" else family
    if legs == "walk":
        frames = walk[2]
    elif family in ("wave", "combo"):
        frames = _duration(rng, 2.5, 5.0)
    else:
        frames = _duration(rng, 2.0, 4.0)
    s = Script(frames, dims, rng)
    if family in ARM_FAMILIES:
        _arm_gesture(s, family)
    elif family in ("bend", "lean_back"):
        degrees = rng.uniform(30, 90) if family == "bend" else -rng.uniform(20, 35)
        trunk_bend(s, degrees, rng.random() < 0.7)
    elif family == "still":
        stand_still(s)
    elif family == "combo":
        _arm_gesture(s, str(rng.choice(ARM_FAMILIES)))
        _legs(s, legs, walk[:2] if walk else None)
    else:
        _legs(s, family, walk[:2] if walk else None)
    add_sway(s)
    name = f"{legs}+{s.required[0].motion}" if family == "combo" else family
    return s.performance(name)


def hands_behind_back(rng: np.random.Generator, dims: Dimensions) -> Performance:
    """Standing still with the hands clasped behind the back."""
    s = Script(_duration(rng, 2.0, 4.0), dims, rng)
    for side in ("left", "right"):
        s.arm[side] = np.tile([-0.17, -0.07, -0.44 * dims.arm / 0.54], (s.frames, 1))
        s.pole[side] = np.tile([-0.5, 1.0, 0.0], (s.frames, 1))
        s.busy_arms.add(side)
    stand_still(s)
    add_sway(s)
    return s.performance("hands_behind")


# --- rendering ----------------------------------------------------------------------------
def camera_space(perf: Performance, layout: str, camera: Camera, rng: np.random.Generator | None) -> np.ndarray:
    """The layout's joints (T, V, 3) in camera space, with sensor noise when ``rng`` is given."""
    names = get_layout(layout).joints
    joints = skeleton(perf.pose, perf.dims)
    world = np.stack([joints[n] for n in names], axis=1)
    target = perf.pose.pelvis[0] * np.array([1.0, 0.0, 1.0])
    cam = to_camera(world, camera, target, float(perf.pose.yaw[0]))
    return add_sensor_noise(cam, names, layout, rng) if rng is not None else cam


def readable_truth(perf: Performance, layout: str, camera: Camera) -> tuple[list[TrueMotion], list[TrueMotion]]:
    """(required, optional) for this view: in a 2D image a motion along the line of sight
    (walking towards the camera, bending towards it, waving seen from the side) and a turn's
    angle cannot be read, so they are not required there (stating them is still correct)."""
    if layout not in IMAGE_2D:
        return list(perf.required), list(perf.optional)
    _, _, _, look = camera.axes(np.zeros(3), float(perf.pose.yaw[0]))
    required, optional = [], list(perf.optional)
    for m in perf.required:
        along_sight = m.direction is not None and abs(float(np.dot(m.direction, look))) > np.cos(np.radians(45))
        if along_sight or m.yaw_only:
            why = "along the line of sight" if along_sight else "a turn (yaw) in a 2D image"
            optional.append(replace(m, detail=f"{m.detail}; {why}".strip("; ")))
        else:
            required.append(m)
    return required, optional


def _sample_rng(seed: int, family: str, index: int) -> np.random.Generator:
    key = sum(ord(c) * 31 ** i for i, c in enumerate(family)) % (2 ** 31)
    return np.random.default_rng([seed, key, index])


def _min_distance(perf: Performance) -> float:
    """Keep the camera clear of the path the person walks."""
    travel = np.linalg.norm(perf.pose.pelvis[-1, [0, 2]] - perf.pose.pelvis[0, [0, 2]])
    return float(travel + 1.8)


def clean_sample(family: str, layout: str, seed: int, index: int) -> GeneratedSample:
    """Sample ``index`` of a motion family in ``layout``."""
    rng = _sample_rng(seed, family, index)
    body = "child" if rng.random() < 0.25 else "adult"
    perf = perform(family, rng, BODIES[body])
    camera = random_camera(rng, min_distance=_min_distance(perf))
    cam = camera_space(perf, layout, camera, rng)
    data = sensor_output(cam, layout, camera, get_layout(layout).joints)
    required, optional = readable_truth(perf, layout, camera)
    step = 2 if rng.random() < 1 / 3 else 1      # a third at 15 frames/s, as short NW-UCLA clips are
    return GeneratedSample(f"{perf.name}-{layout}-{index}", family, layout, data[None, ::step].astype(np.float32),
                           camera, body, _every(required, step), _every(optional, step), perf.params, fps=FPS / step)


def clean_sample_at(family: str, layout: str, seed: int, index: int, fps: float) -> GeneratedSample:
    """Sample ``index`` of a motion family filmed at ``fps`` frames/s: the same performance and
    camera as :func:`clean_sample` draws (generated at FPS), its noise-free joints resampled in time
    (a cubic spline through the FPS frames: at 15 frames/s every second frame, at 60 a frame between
    each two), then the sensor's noise added per frame at the new rate (a sensor jitters per frame
    whatever its rate) and the truth's frames moved to the new rate. All at the given rate: unlike
    :func:`clean_sample`, no third at 15 frames/s."""
    rng = _sample_rng(seed, family, index)
    body = "child" if rng.random() < 0.25 else "adult"
    perf = perform(family, rng, BODIES[body])
    camera = random_camera(rng, min_distance=_min_distance(perf))
    names = get_layout(layout).joints
    cam = add_sensor_noise(resample_frames(camera_space(perf, layout, camera, None), FPS, fps), names, layout, rng)
    data = sensor_output(cam, layout, camera, names)
    required, optional = readable_truth(perf, layout, camera)
    ratio, last = fps / FPS, len(data) - 1
    return GeneratedSample(f"{perf.name}-{layout}-{index}@{fps:g}", family, layout, data[None].astype(np.float32), camera,
                           body, _at_rate(required, ratio, last), _at_rate(optional, ratio, last), perf.params, fps=fps)


def resample_frames(x: np.ndarray, fps: float, to_fps: float) -> np.ndarray:
    """``x`` (T, ...) sampled at ``fps`` resampled to ``to_fps`` over the same time span (a cubic
    spline through the frames; the frames themselves where the new times fall on them)."""
    from scipy.interpolate import CubicSpline

    times = np.arange(len(x)) / fps
    new = np.arange(int(np.floor((len(x) - 1) * to_fps / fps + 1e-9)) + 1) / to_fps
    return CubicSpline(times, x, axis=0)(np.minimum(new, times[-1]))


def _at_rate(truth: list[TrueMotion], ratio: float, last: int) -> list[TrueMotion]:
    """The truth of a clip resampled by ``ratio`` (new frames per old frame), frames ``0..last``."""
    return [replace(m, start=min(int(round(m.start * ratio)), last), end=min(int(round(m.end * ratio)), last))
            for m in truth]


def _every(truth: list[TrueMotion], step: int) -> list[TrueMotion]:
    """The truth of a clip keeping every ``step``-th frame."""
    return [replace(m, start=m.start // step, end=m.end // step) for m in truth]


def failure_sample(kind: str, layout: str, seed: int, index: int) -> GeneratedSample:
    """Sample ``index`` of a tracking failure in ``layout``, with its clean twin."""
    rng = _sample_rng(seed, "fail:" + kind, index)
    body = "child" if rng.random() < 0.25 else "adult"
    names = get_layout(layout).joints
    if kind == "hands_behind":
        perf = hands_behind_back(rng, BODIES[body])
    else:
        family = str(rng.choice(["still", "raise", "wave", "bend", "squat", "walk", "sit_down", "turn", "reach_forward"]
                                if kind != "edge_on_shoulders" else ["still", "raise", "bend", "squat", "wave"]))
        perf = perform(family, rng, BODIES[body])
    view = {"edge_on_shoulders": "side", "hands_behind": str(rng.choice(["front", "oblique"]))}.get(kind)
    camera = random_camera(rng, view, min_distance=_min_distance(perf))
    if kind == "edge_on_shoulders":
        camera = replace(camera, view_deg=float(np.sign(camera.view_deg) * rng.uniform(85, 95)))
    cam = camera_space(perf, layout, camera, rng)
    clean = sensor_output(cam, layout, camera, names)
    broken_cam = cam.copy()
    if kind == "edge_on_shoulders":
        failure = fail.collapse_shoulders(broken_cam, names, rng)
    elif kind == "hands_behind":
        failure = fail.hidden_hands(broken_cam, names, rng)
    elif kind == "frozen_joints":
        failure = fail.freeze_joints(broken_cam, names, rng)
    elif kind == "jumping_joints":
        failure = fail.jump_joints(broken_cam, names, rng)
    data = sensor_output(broken_cam, layout, camera, names)
    if kind == "dead_track":
        failure = fail.kill_track(data, rng)
    elif kind == "short_clip":
        data, failure = fail.cut_short(data, rng)
    elif kind == "nan_values":
        failure = fail.spoil_numbers(data, rng)
    required, optional = readable_truth(perf, layout, camera)
    return GeneratedSample(f"{kind}-{perf.name}-{layout}-{index}", kind, layout, data[None].astype(np.float32),
                           camera, body, required, optional, perf.params, failure, clean[None].astype(np.float32))


def build_suite(seed: int = 40, per_family: int = 280, per_failure: int = 70,
                layouts: tuple[str, ...] | None = None) -> list[GeneratedSample]:
    """The whole suite: ``per_family`` clean samples of every family and ``per_failure`` of every
    failure kind, layouts taken in turn."""
    layouts = layouts or suite_layouts()
    samples = [clean_sample(f, layouts[i % len(layouts)], seed, i) for f in FAMILIES for i in range(per_family)]
    samples += [failure_sample(k, layouts[i % len(layouts)], seed, i)
                for k in fail.FAILURE_KINDS for i in range(per_failure)]
    return samples
