"""Root motion for hip-centred 3D landmarks (BlazePose world landmarks).

BlazePose's world landmarks are centred between the hips in every frame, so a person who walks,
sits down or stands up never moves in them: only the limbs move relative to the hips. The
image landmarks do show where the body is. The hips' image trajectory, scaled from pixels to
metres by the body's own size (the torso's length in metres over its length in pixels, per
frame and smoothed), gives the root's sideways and vertical motion; the change of that scale
(the body looks smaller as it moves away, for a pinhole camera of an assumed field of view)
gives its motion in depth. Added back, walking, sitting and standing become measurable.
"""
from __future__ import annotations

import numpy as np

#: horizontal field of view assumed for depth from apparent size (typical phone/webcam lens)
FIELD_OF_VIEW_DEG = 60.0
#: landmarks below this visibility do not set the scale
MIN_VISIBILITY = 0.5
#: frames over which the pixel-to-metre scale is smoothed (the torso's pixel length jitters)
SCALE_SMOOTHING = 9

_SHOULDERS, _HIPS = (11, 12), (23, 24)      # BlazePose-33 indices


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    ok = np.isfinite(x)
    if ok.sum() == 0 or len(x) < width:
        return x
    filled = np.interp(np.arange(len(x)), np.flatnonzero(ok), x[ok])
    pad = np.concatenate([np.repeat(filled[:1], width // 2), filled, np.repeat(filled[-1:], width // 2)])
    return np.convolve(pad, np.ones(width) / width, mode="valid")


def add_root_motion(world: np.ndarray, image: np.ndarray, visibility: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``world`` (T, 33, 3) hip-centred metres (x right, y up, z towards the camera) with the root
    motion added: the hips' image displacement from the first frame with a person, in metres.
    ``image`` (T, 33, 2) pixels (y down), ``visibility`` (T, 33), ``size`` (width, height)."""
    out = world.astype(np.float32).copy()
    seen = visibility.max(axis=1) > 0
    torso_m = np.linalg.norm(world[:, _SHOULDERS].mean(1) - world[:, _HIPS].mean(1), axis=-1)
    torso_px = np.linalg.norm(image[:, _SHOULDERS].mean(1) - image[:, _HIPS].mean(1), axis=-1)
    trusted = seen & (visibility[:, _SHOULDERS + _HIPS].min(axis=1) >= MIN_VISIBILITY) & (torso_px > 1)
    if trusted.sum() < 2:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        metres_per_px = np.where(trusted, torso_m / torso_px, np.nan)
    scale = _smooth(metres_per_px, SCALE_SMOOTHING)                       # metres per pixel, per frame
    hips = image[:, _HIPS].mean(axis=1)                                   # (T, 2) pixels
    first = int(np.flatnonzero(trusted)[0])
    focal = size[0] / (2 * np.tan(np.radians(FIELD_OF_VIEW_DEG) / 2)) if size[0] > 0 else 0.0
    depth = focal * scale                                                 # distance from the camera, metres
    centre = np.array(size, dtype=float) / 2
    # pinhole: a pixel offset from the image centre at distance d is offset * d / focal metres
    lateral = (hips - centre) * (depth / focal)[:, None] if focal > 0 else (hips - hips[first]) * scale[:, None]
    root = np.zeros((len(world), 3), np.float32)
    root[:, 0] = lateral[:, 0] - lateral[first, 0]
    root[:, 1] = -(lateral[:, 1] - lateral[first, 1])                    # image y points down
    root[:, 2] = -(depth - depth[first]) if focal > 0 else 0.0           # farther away = less towards the camera
    out[seen] += root[seen, None, :]
    return out
