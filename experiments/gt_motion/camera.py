"""Seeing a performance: a camera placed around the person, and each layout's sensor output.

A :class:`Camera` stands ``distance`` metres from where the person starts, at ``view`` degrees
around them (0 = in front of them, 90 = at their left side, 180 = behind), at ``height``,
pitched down by ``pitch`` and rolled by ``roll`` degrees. Camera coordinates are (right, up,
depth). Each layout gets the coordinates its real source gives:

- Kinect-style 3D (kinect-v1, kinect-v2, utd-mhad, body-13): metres, x to the sensor's left,
  y up, z away from the sensor (the Kinect SDK's right-handed camera space);
- SBU (sbu-15): Kinect values normalised as the SBU release does (x and y image-like, y down,
  z depth scaled), then turned back into metres by the release's inverse, as actlm's SBU importer
  stores them (the data every reader of layout sbu-15 gets);
- BlazePose (blazepose-33): metres, x right, y up, z towards the camera (as actlm's video path
  stores world landmarks), relative to the first frame's hip centre (the root motion recovered);
- 2D (coco-17, penn-13): pinhole image pixels, y down, no metric scale.

Sensor noise is added in camera space: per-joint jitter (larger on hands and feet and along the
depth axis for depth sensors) and occasional outliers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINECT_3D = ("kinect-v1", "kinect-v2", "utd-mhad", "body-13")
IMAGE_2D = ("coco-17", "penn-13")
VIEWS = {"front": 0.0, "oblique": 45.0, "side": 90.0, "back": 180.0}


@dataclass(frozen=True)
class Camera:
    view: str
    view_deg: float          # around the person, from their front; positive = their left
    distance: float
    height: float
    pitch: float             # degrees, positive = looking down
    roll: float              # degrees
    focal: float = 1000.0    # pixels, for 2D layouts

    def as_dict(self) -> dict:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}

    def axes(self, target: np.ndarray, facing_yaw: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(centre, right, up, look) of the camera in the world for a person at ``target``
        (ground point) facing ``facing_yaw``."""
        around = facing_yaw + np.radians(self.view_deg)
        out = np.array([np.sin(around), 0.0, np.cos(around)])
        centre = target + out * self.distance
        centre[1] = self.height
        look = -out
        up = np.array([0.0, 1.0, 0.0])
        right = np.cross(look, up)
        p, r = np.radians(self.pitch), np.radians(self.roll)
        look, up = np.cos(p) * look - np.sin(p) * up, np.cos(p) * up + np.sin(p) * look
        right, up = np.cos(r) * right + np.sin(r) * up, np.cos(r) * up - np.sin(r) * right
        return centre, right, up, look


def random_camera(rng: np.random.Generator, view: str | None = None, min_distance: float = 2.0) -> Camera:
    """A camera of the suite's range: any view, 2-4.5 m away, pitch and roll up to 30 degrees."""
    view = view or str(rng.choice(list(VIEWS)))
    side = 1.0 if rng.random() < 0.5 else -1.0
    jitter = rng.uniform(-15, 15)
    view_deg = (VIEWS[view] + jitter) * (side if view in ("oblique", "side") else 1.0)
    if view == "back":
        view_deg = 180.0 + jitter
    pitch = rng.uniform(-30, 30) if rng.random() < 0.7 else rng.uniform(-8, 8)
    roll = rng.uniform(-30, 30) if rng.random() < 0.4 else rng.uniform(-5, 5)
    return Camera(view, float(view_deg), float(max(rng.uniform(2.0, 4.5), min_distance)),
                  float(rng.uniform(0.5, 2.0)), float(pitch), float(roll), float(rng.uniform(600, 1400)))


def to_camera(points: np.ndarray, camera: Camera, target: np.ndarray, facing_yaw: float) -> np.ndarray:
    """World points (..., 3) -> camera space (right, up, depth)."""
    centre, right, up, look = camera.axes(target, facing_yaw)
    rel = points - centre
    return np.stack([rel @ right, rel @ up, rel @ look], axis=-1)


def is_hand_or_foot(name: str) -> bool:
    return any(k in name for k in ("wrist", "hand", "thumb", "index", "pinky", "ankle", "foot", "heel"))


def add_sensor_noise(cam: np.ndarray, names: tuple[str, ...], layout: str, rng: np.random.Generator) -> np.ndarray:
    """Jitter and occasional outliers, in camera space (metres), as the layout's sensor has them."""
    sigma = {"kinect-v2": rng.uniform(0.005, 0.015), "blazepose-33": rng.uniform(0.015, 0.035)}.get(
        layout, rng.uniform(0.01, 0.03))
    if layout in IMAGE_2D:           # annotators / 2D detectors: about 0.5-1.5 % of the body height
        sigma = rng.uniform(0.008, 0.025)
    scale = np.array([1.5 if is_hand_or_foot(n) else 1.0 for n in names])[None, :, None]
    depth = np.array([1.0, 1.0, 1.6 if layout not in IMAGE_2D else 0.0])
    noisy = cam + rng.normal(0.0, sigma, cam.shape) * scale * depth
    outliers = rng.random(cam.shape[:2]) < 0.002
    noisy[outliers] += rng.normal(0.0, 1.0, (outliers.sum(), 3)) * rng.uniform(0.05, 0.15)
    return noisy


def sensor_output(cam: np.ndarray, layout: str, camera: Camera, names: tuple[str, ...]) -> np.ndarray:
    """Camera-space joints (T, V, 3) in the layout's own coordinates (T, V, C)."""
    right, up, depth = cam[..., 0], cam[..., 1], cam[..., 2]
    if layout in IMAGE_2D:
        z = np.maximum(depth, 0.3)
        return np.stack([640.0 + camera.focal * right / z, 360.0 - camera.focal * up / z], axis=-1)
    if layout == "sbu-15":
        # the release's file values, then the inverse that actlm's SBU importer (and the release's
        # README) applies: data of layout sbu-15 is in metres, y up, as every reader of it gets it
        # (fed the normalised file values, with x and y scaled differently, no detector could
        # measure a length or an angle)
        norm = np.stack([0.5 + right * 1000 / 2560, 0.5 - up * 1000 / 1920, depth * 0.78125], axis=-1)
        return np.stack([1280 - 2560 * norm[..., 0], 960 - 1920 * norm[..., 1], norm[..., 2] * 10000 / 7.8125],
                        axis=-1) / 1000
    if layout == "blazepose-33":
        world = np.stack([right, up, -depth], axis=-1)
        hips = [names.index("left_hip"), names.index("right_hip")]
        return world - world[:1, hips].mean(axis=1, keepdims=True)
    return np.stack([-right, up, depth], axis=-1)      # Kinect: x to the sensor's left


def channels(layout: str) -> int:
    return 2 if layout in IMAGE_2D else 3
