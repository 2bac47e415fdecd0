"""The camera's own motion in a video, measured on the background, so that it is not read as the body's.

A body's image keypoints move when the body moves and when the camera pans, shakes, rolls or
zooms; a squat and a downward pan look the same in them. The background shows the camera alone:
corners found outside the person's box (the keypoints' bounding box, widened: BOX_MARGINS) on
small grey frames are followed to the next frame (pyramidal Lucas-Kanade), and a similarity
transform fitted to them with RANSAC gives the camera's shift and roll between the two frames
(its zoom is not used). Where the background cannot be followed (too few corners, a cut, heavy motion blur)
the camera's motion is unknown, which is not taken as still.

:func:`camera_moves` turns that into the frames where the camera moves more than a body-scaled
bound (:data:`MOVING_SHIFT` trunk lengths per frame, or :data:`MOVING_ROLL` degrees per frame),
in which no whole-body motion is read (``actlm.explain.evidence``). A pose read on every k-th frame
(``--pose-fps``) has its camera measured on the same frames, with k times those bounds.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

#: frames are measured at this width (pixels): the background's shift is still seen to a tenth of
#: a trunk length, and following ~100 corners costs about a millisecond a frame
WIDTH = 160
#: corners followed per frame pair, and the fewest that still give the camera's motion
CORNERS, FEWEST = 120, 12
#: the person's box is widened by this share of its size on each side before the background starts
#: (loose limbs, shadows and what the person holds move with the person); a person filling the
#: frame leaves too little background for the widest, so the next is tried
BOX_MARGINS = (0.5, 0.15, 0.0)
#: the camera moves when the background shifts by more than this many of the person's trunk lengths
#: (shoulders' middle to hips' middle, the clip's median, in pixels) per frame: a squat's depth
#: is about one trunk length, and this adds up to half of it in ten frames (a third of a second);
#: a camera held still measures below 0.01 (tai_chi, clean_and_jerk, ntu hugging: at most 0.012)
MOVING_SHIFT = 0.05
#: ... or rolls by more than this many degrees per frame (a trunk's tilt is read against the image's
#: vertical: a camera rolling 20 degrees in a second tilts every upright trunk by as much)
MOVING_ROLL = 0.7
#: frames over which the per-frame motion is averaged before the bounds (single-frame jitter of the
#: fit is no motion) and by which moving runs are widened (the pan starts before the fit sees it)
SMOOTHING = 5
#: keypoints at or above this visibility make the person's box (BlazePose guesses unseen limbs,
#: e.g. legs below the frame's edge, far outside the image)
SEEN = 0.5


@dataclass
class CameraMotion:
    """Per video frame t (T,): the background's shift (x, y) from frame t-1 to t in the pose's image
    pixels, its rotation in degrees, and whether it could be measured (frame 0: zero, measured)."""

    shift: np.ndarray
    roll: np.ndarray
    measured: np.ndarray


def person_boxes(image: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """(T, 4) x0, y0, x1, y1 of the keypoints seen (:data:`SEEN`) in each frame (pose image
    pixels), NaN where no one is; ``image`` (M, T, V, 2) and ``visibility`` (M, T, V) of everyone."""
    seen = visibility >= SEEN
    xs = np.where(seen, image[..., 0], np.nan)
    ys = np.where(seen, image[..., 1], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)           # frames without anyone: NaN
        return np.stack([np.nanmin(xs, axis=(0, 2)), np.nanmin(ys, axis=(0, 2)),
                         np.nanmax(xs, axis=(0, 2)), np.nanmax(ys, axis=(0, 2))], axis=1)


def _background_mask(shape: tuple[int, int], box: np.ndarray, scale: float, margin: float) -> np.ndarray:
    """uint8 mask (H, W) of the frame outside the person's box widened by ``margin`` of its size
    (all of the frame without a box)."""
    mask = np.full(shape, 255, np.uint8)
    if np.isfinite(box).all():
        w, h = box[2] - box[0], box[3] - box[1]
        x0, y0 = (box[0] - margin * w) * scale, (box[1] - margin * h) * scale
        x1, y1 = (box[2] + margin * w) * scale, (box[3] + margin * h) * scale
        mask[max(int(y0), 0):max(int(np.ceil(y1)), 0), max(int(x0), 0):max(int(np.ceil(x1)), 0)] = 0
    return mask


def _pair_motion(cv2, prev: np.ndarray, cur: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The similarity transform's shift (small-frame pixels) and rotation (degrees) taking the
    background of ``prev`` to ``cur``; None when it cannot be followed."""
    corners = cv2.goodFeaturesToTrack(prev, CORNERS, 0.01, 4, mask=mask)
    if corners is None or len(corners) < FEWEST:
        return None
    moved, status, _ = cv2.calcOpticalFlowPyrLK(prev, cur, corners, None, winSize=(15, 15), maxLevel=3)
    ok = status.ravel() == 1
    if ok.sum() < FEWEST:
        return None
    fit, inliers = cv2.estimateAffinePartial2D(corners[ok], moved[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0)
    if fit is None or inliers is None or inliers.sum() < FEWEST:
        return None
    return fit[:, 2].copy(), float(np.degrees(np.arctan2(fit[1, 0], fit[0, 0])))


def measure_camera(frames: Iterable[np.ndarray], boxes: np.ndarray, pose_size: tuple[int, int]) -> CameraMotion:
    """:class:`CameraMotion` of the RGB ``frames`` (the video's, in order), the person's ``boxes``
    (T, 4) in pose image pixels of a frame ``pose_size`` (width, height)."""
    import cv2

    t_max = len(boxes)
    shift, roll, measured = np.zeros((t_max, 2)), np.zeros(t_max), np.zeros(t_max, bool)
    prev = None
    for t, frame in enumerate(frames):
        if t >= t_max:
            break
        scale = WIDTH / frame.shape[1]
        small = cv2.cvtColor(cv2.resize(frame, (WIDTH, max(int(round(frame.shape[0] * scale)), 1)),
                                        interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        if prev is None:
            measured[t] = True
        else:
            box_scale = WIDTH / max(pose_size[0], 1)
            both = np.array([np.fmin(boxes[t - 1, 0], boxes[t, 0]), np.fmin(boxes[t - 1, 1], boxes[t, 1]),
                             np.fmax(boxes[t - 1, 2], boxes[t, 2]), np.fmax(boxes[t - 1, 3], boxes[t, 3])])
            got = None
            for margin in BOX_MARGINS:
                got = _pair_motion(cv2, prev, small, _background_mask(small.shape, both, box_scale, margin))
                if got is not None:
                    break
            if got is not None:
                shift[t] = got[0] / box_scale
                roll[t] = got[1]
                measured[t] = True
        prev = small
    return CameraMotion(shift, roll, measured)


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    pad = np.concatenate([np.repeat(x[:1], width // 2, axis=0), x, np.repeat(x[-1:], width // 2, axis=0)])
    kernel = np.ones(width) / width
    return np.convolve(pad, kernel, mode="valid")


def smoothing_width(step: int = 1) -> int:
    """:data:`SMOOTHING` video frames in measured frames ``step`` video frames apart: the odd
    number nearest to SMOOTHING / step, at least 1 (5 at full rate, 3 at every 2nd or 3rd frame)."""
    width = max(1, int(round(SMOOTHING / step)))
    return width if width % 2 else width + 1


def camera_moves(motion: CameraMotion, trunk_px: float, step: int = 1) -> np.ndarray:
    """(T,) bool: the frames where the camera moves (or may: unmeasured frames next to moving ones)
    more than :data:`MOVING_SHIFT` trunk lengths (``trunk_px`` pixels) or :data:`MOVING_ROLL`
    degrees per video frame, averaged over :data:`SMOOTHING` video frames, each run widened by that
    much. ``step``: video frames between two of ``motion``'s frames (``--pose-fps``): its motion
    between them is ``step`` video frames' worth, so the bounds are ``step`` times larger."""
    if not np.isfinite(trunk_px) or trunk_px <= 0 or len(motion.shift) == 0:
        return np.zeros(len(motion.shift), bool)
    width = smoothing_width(step)
    speed = _moving_average(np.linalg.norm(motion.shift, axis=1), width) / trunk_px
    turning = _moving_average(np.abs(motion.roll), width)
    moving = (speed > MOVING_SHIFT * step) | (turning > MOVING_ROLL * step)
    # a frame whose background could not be followed (the blur of a whip pan, a cut) moves when it
    # lies next to moving frames; alone it does not (a static shot of a plain wall)
    near = np.convolve(moving.astype(float), np.ones(2 * width + 1), mode="same") > 0
    moving |= ~motion.measured & near
    return np.convolve(moving.astype(float), np.ones(width), mode="same") > 0


def video_camera_moves(video: str | Path, image: np.ndarray, visibility: np.ndarray, size: tuple[int, int],
                       trunk_px: float, stride: int = 1) -> tuple[np.ndarray, CameraMotion]:
    """:func:`camera_moves` of a video file, with the person's boxes from the pose (``image``
    (M, T, V, 2), ``visibility`` (M, T, V), ``size`` the pose's frame size); ``stride``: the pose
    read every stride-th video frame (``PoseSequence.stride``), and so is the camera."""
    from .video import read_frames

    motion = measure_camera(read_frames(video, max_side=640, stride=stride), person_boxes(image, visibility), size)
    return camera_moves(motion, trunk_px, step=stride), motion
