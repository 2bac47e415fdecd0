"""A long skeleton sequence as an action timeline: which action, from when to when, and why.

One tracked person (several tracked people: one timeline each, :func:`video_timelines`). The
sequence is cut into overlapping windows (``Windows``: by default as many frames as the model's
clips are resized to, so a window reaches the model at its recorded speed, and a quarter of that as
the stride); the model scores every window (``score_windows``); the window scores are smoothed into
one label per window (``decode``) and the labels carried to the frames (``frame_labels``) and cut
into segments (``segments_of``).

Smoothing is a Viterbi path over the windows with one state per class and a 'no known action'
state: a class state scores ``log p(class | window)``, the no-action state scores
``log threshold`` (so it wins a window whose best class is below ``threshold``) or is certain in a
window that hardly moves (``still_below``: a held pose is no action, whatever the model says of
it), and every change of state costs ``switch_penalty`` (a log-probability). Offline this sees the whole sequence;
``OnlineDecoder`` is the causal version for live streams: it announces a state once the window
argmax (with the same no-action rule) has agreed on it ``hold`` windows in a row, so an event
comes at most ``window length + hold * stride`` frames after the action's first frame.

``threshold``, ``switch_penalty`` and ``still_below`` (and the online decoder's threshold, hold and
stillness) are calibrated per model by ``python -m experiments.timeline_benchmark --checkpoint DIR``
on streams built from training data only, and shipped with the model: the optional ``timeline`` key
of its config.json (:func:`stored_settings`; general-2d: experiments/results/timeline_general.md,
nw-ucla-joint: experiments/results/timeline.md). A value given by the caller (the CLI's options)
wins; a checkpoint without the key gets the module constants below.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch

from .data.errors import ConfigError, DataError
from .data.transforms import build_pipeline

#: the label of windows and frames where no known action fits
NO_ACTION = "no known action"
#: the offline timeline's settings for a checkpoint that stores none (its config.json without a ``timeline``
#: key): calibrated for nw-ucla-joint on streams of NW-UCLA's training views and UTD-MHAD's training subjects
#: (experiments/results/timeline.md); the shipped models carry their own (:func:`stored_settings`)
DEFAULT_THRESHOLD = 0.5
DEFAULT_SWITCH_PENALTY = 0.5
DEFAULT_STILL_BELOW = 0.04
#: the online decoder's (``actlm live``), calibrated the same way
ONLINE_THRESHOLD = 0.7
ONLINE_HOLD = 1
ONLINE_STILL_BELOW = 0.02
#: the section of a checkpoint's config.json with its calibrated timeline settings (optional)
TIMELINE = "timeline"
#: its entries and the constants a checkpoint without them gets
FALLBACK_SETTINGS: dict[str, float] = {
    "threshold": DEFAULT_THRESHOLD, "switch_penalty": DEFAULT_SWITCH_PENALTY, "still_below": DEFAULT_STILL_BELOW,
    "online_threshold": ONLINE_THRESHOLD, "online_hold": ONLINE_HOLD, "online_still_below": ONLINE_STILL_BELOW}
#: what a still window costs every class (a log-probability: a factor of e^-5, about 1/150)
STILL_COST = -5.0


def stored_settings(meta: Any) -> dict[str, float]:
    """The timeline settings a checkpoint ships with (its config.json's ``timeline`` key: see the
    module docstring), each one it does not give the module constant (:data:`FALLBACK_SETTINGS`)."""
    section = meta.get(TIMELINE) if meta is not None else None
    if section is None:
        return dict(FALLBACK_SETTINGS)
    where = (meta.get("_path") or "the checkpoint") + "/config.json"
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: {TIMELINE} must be an object of settings, got {section!r}")
    out = dict(FALLBACK_SETTINGS)
    for key in FALLBACK_SETTINGS:
        value = section.get(key, out[key])
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            raise ConfigError(f"{where}: {TIMELINE}.{key} must be a non-negative number, got {value!r}")
        out[key] = int(value) if key == "online_hold" else float(value)
    if not 0 < out["threshold"] <= 1 or not 0 < out["online_threshold"] <= 1 or out["online_hold"] < 1:
        raise ConfigError(f"{where}: {TIMELINE} needs thresholds in (0, 1] and online_hold >= 1, got {section!r}")
    return out


def settings_for(meta: Any, **given: float | None) -> dict[str, float]:
    """The checkpoint's stored settings with every value ``given`` (not None) in its place."""
    return {**stored_settings(meta), **{k: v for k, v in given.items() if v is not None}}


@dataclass(frozen=True)
class Windows:
    """Sliding windows over a sequence: ``length`` frames every ``stride`` frames."""

    length: int
    stride: int

    def __post_init__(self) -> None:
        if self.length < 2 or not 1 <= self.stride <= self.length:
            raise DataError(f"timeline windows need length >= 2 and 1 <= stride <= length; got length "
                            f"{self.length}, stride {self.stride}")

    @classmethod
    def for_model(cls, test_pipeline: list[dict[str, Any]], length: int | None = None,
                  stride: int | None = None, pose_stride: int = 1) -> "Windows":
        """The model's own clip length (its test pipeline's resize length) unless given; stride a quarter of it.
        ``length`` and ``stride`` count video frames; a pose read every ``pose_stride``-th video frame
        (``--pose-fps``) gets windows of the same seconds in its own frames (:meth:`in_pose_frames`)."""
        resized = [int(t["length"]) for t in test_pipeline if "length" in t]
        length = length or (resized[0] if resized else 32)
        return cls(length, stride or max(1, length // 4)).in_pose_frames(pose_stride)

    def in_pose_frames(self, pose_stride: int) -> "Windows":
        """These windows (in video frames) over a pose read every ``pose_stride``-th video frame: length
        and stride divided by it (rounded; at least 2 and 1), so that a window covers the same seconds
        and reaches the model, which resamples it to its clip length, at the same speed."""
        if pose_stride == 1:
            return self
        length = max(2, int(round(self.length / pose_stride)))
        return Windows(length, min(length, max(1, int(round(self.stride / pose_stride)))))

    def starts(self, frames: int) -> np.ndarray:
        """First frame of every window; the last window ends at the last frame (a sequence shorter
        than one window is one window)."""
        if frames <= self.length:
            return np.array([0])
        starts = np.arange(0, frames - self.length + 1, self.stride)
        if starts[-1] + self.length < frames:
            starts = np.append(starts, frames - self.length)
        return starts


@dataclass
class Segment:
    """A stretch of frames [start, end) of one person with one label."""

    person: int
    start: int
    end: int
    action: str
    confidence: float                    # mean probability of the action over the segment's windows (no action: 1 - best)
    start_s: float = 0.0
    end_s: float = 0.0
    explanation: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WindowScores:
    """What the model and the motion say about each window: ``probs`` (W, K), ``starts`` (W,),
    ``motion`` (W,): how much the model's input moves (:func:`window_motion`, body sizes per resized frame)."""

    probs: np.ndarray
    starts: np.ndarray
    motion: np.ndarray


def score_windows(model: torch.nn.Module, test_pipeline: list[dict[str, Any]], layout: str, data: np.ndarray,
                  windows: Windows, batch: int = 64) -> WindowScores:
    """The model's class probabilities for every window of ``data`` (M, T, V, C), and how much each window moves."""
    pipeline = build_pipeline(test_pipeline, layout)
    starts = windows.starts(data.shape[1])
    probs, motion = [], []
    with torch.no_grad():
        for i in range(0, len(starts), batch):
            x = np.stack([pipeline(data[:, s:s + windows.length], np.random.default_rng(0)) for s in starts[i:i + batch]])
            probs.append(model(torch.from_numpy(x)).softmax(1).numpy())
            motion.append(window_motion(x))
    return WindowScores(np.concatenate(probs), starts, np.concatenate(motion))


def window_motion(x: np.ndarray) -> np.ndarray:
    """How much each window (N, M, T, V, C: the model's input) moves: the mean absolute step of the
    joints' coordinates between resized frames (over frames, joints and the C coordinates), for the
    person who moves most (a padded, empty person moves 0 and does not dilute it). The calibrated
    stillness settings (``still_below``) are in this unit: a joint stepping (3, 4) moves 3.5, not 5."""
    step = np.abs(np.diff(x, axis=2))                             # (N, M, T-1, V, C)
    return step.mean(axis=(2, 3, 4)).max(axis=1)


def viterbi(scores: np.ndarray, switch_penalty: float) -> np.ndarray:
    """The state path (W,) maximising the summed ``scores`` (W, S) minus ``switch_penalty`` per change."""
    w, s = scores.shape
    best = scores[0].copy()
    back = np.zeros((w, s), np.int64)
    for t in range(1, w):
        stay, leave_from = best, int(np.argmax(best))
        switch = best[leave_from] - switch_penalty
        back[t] = np.where(stay >= switch, np.arange(s), leave_from)
        best = np.maximum(stay, switch) + scores[t]
    path = np.empty(w, np.int64)
    path[-1] = int(np.argmax(best))
    for t in range(w - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def state_scores(probs: np.ndarray, threshold: float, still: np.ndarray | None = None) -> np.ndarray:
    """Per-window scores (W, K + 1): log p for each class, then log ``threshold`` for 'no known
    action'. In a window marked ``still`` (nobody acts without moving) 'no known action' scores
    log 1 and every class ``STILL_COST`` less: a held pose is no action unless the windows around
    it make bridging it cheaper than two changes of state."""
    logp = np.log(np.clip(probs, 1e-9, 1.0))
    none = np.full((len(probs), 1), np.log(threshold))
    if still is not None:
        still = np.asarray(still, bool)
        none[still] = 0.0
        logp[still] += STILL_COST
    return np.concatenate([logp, none], axis=1)


def is_still(scores: WindowScores, still_below: float) -> np.ndarray:
    """Windows moving less than ``still_below`` (body sizes per resized frame; 0: none)."""
    return scores.motion < still_below


def decode(scores: WindowScores | np.ndarray, threshold: float = DEFAULT_THRESHOLD,
           switch_penalty: float = DEFAULT_SWITCH_PENALTY, still_below: float = 0.0) -> np.ndarray:
    """One state per window (class index, or K for 'no known action'), smoothed by Viterbi."""
    if isinstance(scores, np.ndarray):
        return viterbi(state_scores(scores, threshold), switch_penalty)
    return viterbi(state_scores(scores.probs, threshold, is_still(scores, still_below)), switch_penalty)


def window_argmax(probs: np.ndarray, threshold: float = 0.0, still: np.ndarray | None = None) -> np.ndarray:
    """The unsmoothed answer: each window's best class, or K where it is below ``threshold`` (or ``still``)."""
    top = probs.argmax(1)
    unknown = probs.max(1) < threshold
    if still is not None:
        unknown |= np.asarray(still, bool)
    return np.where(unknown, probs.shape[1], top)


def frame_labels(window_states: np.ndarray, starts: np.ndarray, windows: Windows, frames: int) -> np.ndarray:
    """Window states carried to frames: each frame takes the state of the window whose centre is nearest."""
    centres = starts + windows.length / 2
    idx = np.searchsorted(centres, np.arange(frames) + 0.5)
    left = np.clip(idx - 1, 0, len(centres) - 1)
    right = np.clip(idx, 0, len(centres) - 1)
    nearer = np.where(np.abs(centres[left] - np.arange(frames)) <= np.abs(centres[right] - np.arange(frames)), left, right)
    return window_states[nearer]


def runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of equal labels as (start, end, label), end exclusive."""
    if len(labels) == 0:
        return []
    cuts = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.concatenate([[0], cuts, [len(labels)]])
    return [(int(a), int(b), int(labels[a])) for a, b in zip(bounds[:-1], bounds[1:])]


def segments_of(labels: np.ndarray, probs: np.ndarray, starts: np.ndarray, windows: Windows, classes: list[str],
                fps: float, person: int = 0, frame_index: np.ndarray | None = None,
                pose_stride: int = 1) -> list[Segment]:
    """Segments of the frame ``labels``, each with its confidence over the windows whose centre
    falls in it; ``frame_index`` maps sequence frames to pose frames (frames with a person), and
    ``pose_stride`` pose frames to video frames: pose frame i is video frames [i * k, (i + 1) * k), so
    a segment's start and end are video frames and ``fps`` (the video's rate) gives their seconds."""
    centres = starts + windows.length / 2
    index = np.arange(len(labels)) if frame_index is None else np.asarray(frame_index)
    out = []
    for a, b, k in runs(labels):
        inside = (centres >= a) & (centres < b)
        p = probs[inside] if inside.any() else probs[[int(np.argmin(np.abs(centres - (a + b) / 2)))]]
        confidence = float(p[:, k].mean()) if k < len(classes) else float(1 - p.max(1).mean())
        start, end = int(index[a]) * pose_stride, (int(index[b - 1]) + 1) * pose_stride
        out.append(Segment(person, start, end, classes[k] if k < len(classes) else NO_ACTION, round(confidence, 4),
                           round(start / fps, 3) if fps else 0.0, round(end / fps, 3) if fps else 0.0))
    return out


@dataclass
class Timeline:
    """The segments of one person's sequence, with what made them."""

    segments: list[Segment]
    classes: list[str]
    windows: Windows
    threshold: float
    switch_penalty: float
    frames: int                          # video frames
    fps: float                           # the video's rate: the segments' frames are video frames
    still_below: float = 0.0
    #: video frames per pose frame (``--pose-fps``); ``windows`` count pose frames
    pose_stride: int = 1

    def summary(self) -> str:
        still = f" or a window moving less than {self.still_below:g} body sizes a frame" if self.still_below else ""
        from .pipeline import ordinal

        k = self.pose_stride
        read = f", the pose read on every {ordinal(k)} video frame" if k > 1 else ""
        lines = [f"timeline: {len(self.segments)} segments over {self.frames} frames (windows of "
                 f"{self.windows.length * k} frames every {self.windows.stride * k}{read}; '{NO_ACTION}' below "
                 f"{self.threshold:.0%}{still})"]
        several = len({s.person for s in self.segments}) > 1
        for s in self.segments:
            who = f"person {s.person}  " if several else ""
            lines.append(f"  {who}{s.start_s:7.2f}-{s.end_s:7.2f} s  frames {s.start}-{s.end - 1}  {s.action} ({s.confidence:.0%})")
        return "\n".join(lines)


def build_timeline(model: torch.nn.Module, meta: Any, data: np.ndarray, fps: float, *,
                   frame_index: np.ndarray | None = None, visibility: np.ndarray | None = None,
                   windows: Windows | None = None, threshold: float | None = None,
                   switch_penalty: float | None = None, still_below: float | None = None,
                   explain: bool = True, name: str = "sequence", camera_moving: np.ndarray | None = None,
                   pose_stride: int = 1) -> Timeline:
    """The timeline of ``data`` (M, T, V, C) in the model's layout; ``explain`` adds the grounded
    explanation (``actlm.explain``) of every action segment, measured on that segment alone, as
    ``predict`` reads a video: with the frames without a person in place (``frame_index``, the
    input frame of each of ``data``'s frames) and no whole-body fact where the camera moves
    (``camera_moving``, one bool per input frame: ``actlm.pipeline.camera_for_video``).
    ``pose_stride`` (``--pose-fps``): the input frames are pose frames, each that many video frames,
    and ``fps`` their rate: ``windows`` count pose frames, the segments and their explanations name
    video frames and their seconds are the video's.
    Settings not given: the checkpoint's stored ones (:func:`stored_settings`)."""
    chosen = settings_for(meta, threshold=threshold, switch_penalty=switch_penalty, still_below=still_below)
    threshold, switch_penalty, still_below = chosen["threshold"], chosen["switch_penalty"], chosen["still_below"]
    windows = windows or Windows.for_model(meta.test_pipeline)
    scores = score_windows(model, meta.test_pipeline, meta.layout, data, windows)
    labels = frame_labels(decode(scores, threshold, switch_penalty, still_below), scores.starts, windows, data.shape[1])
    segments = segments_of(labels, scores.probs, scores.starts, windows, meta.classes, fps * pose_stride,
                           frame_index=frame_index, pose_stride=pose_stride)
    if explain:
        for seg, (a, b, k) in zip(segments, runs(labels)):
            if k < len(meta.classes):
                seg.explanation = explain_segment(model, meta, data[:, a:b],
                                                  None if visibility is None else visibility[:, a:b], f"{name}@{a}", fps,
                                                  None if frame_index is None else np.asarray(frame_index)[a:b],
                                                  camera_moving, pose_stride)
    frames = data.shape[1] if frame_index is None else int(np.asarray(frame_index)[-1]) + 1
    return Timeline(segments, list(meta.classes), windows, threshold, switch_penalty, frames * pose_stride,
                    fps * pose_stride, still_below, pose_stride)


def explain_segment(model: torch.nn.Module, meta: Any, data: np.ndarray, visibility: np.ndarray | None,
                    name: str, fps: float | None = None, frames: np.ndarray | None = None,
                    camera_moving: np.ndarray | None = None, pose_stride: int = 1) -> str:
    """The template explanation of the model's decision on one segment, as if it were a clip of its
    own (its facts' durations read at ``fps``, the sequence's frame rate; unknown or 0: 30); ``frames``
    the input frame of each of its frames and ``camera_moving`` as in :func:`build_timeline`; with
    ``pose_stride`` k those are pose frames and every frame it names is the video's (pose frame i:
    video frame i * k, as ``predict`` names them)."""
    from .explain.contrast import load_fact_profile
    from .explain.errors import ExplainError
    from .explain.evidence import gather_evidence
    from .explain.facts import known_fps
    from .explain.text import template_explanation
    from .pipeline import in_video_frames, in_video_frames_text

    x = torch.from_numpy(build_pipeline(meta.test_pipeline, meta.layout)(data, np.random.default_rng(0)))[None]
    try:
        ev = gather_evidence(model, x, data, meta.layout, meta.classes, name, load_fact_profile(meta.path),
                             visibility=visibility, fps=known_fps(fps), frames=frames, camera_moving=camera_moving)
    except ExplainError as exc:
        return f"not explained: {in_video_frames_text(str(exc), pose_stride)}"
    ev.problems = [in_video_frames(p, pose_stride) for p in ev.problems]
    return template_explanation(ev)


class OnlineDecoder:
    """The causal smoother of a live stream: feed it each window's probabilities as the window
    ends; it returns the events of that moment (an action ending, another starting). A state is
    announced once the window argmax (below ``threshold``: no known action) has named it ``hold``
    windows in a row. Holds O(1) state: nothing grows with the stream."""

    def __init__(self, classes: list[str], threshold: float = DEFAULT_THRESHOLD, hold: int = 2):
        self.classes, self.threshold, self.hold = list(classes), threshold, hold
        self.state = len(classes)            # no known action until something is seen
        self.since: int | None = None         # the frame the current state was announced at
        self._candidate, self._count = len(classes), 0
        self._confidence = [0.0, 0]          # sum and count of the current state's window confidences (O(1) over an hour)

    def name(self, state: int) -> str:
        return self.classes[state] if state < len(self.classes) else NO_ACTION

    def feed(self, probs: np.ndarray, frame: int, still: bool = False) -> list[dict[str, Any]]:
        """Events caused by a window ending at ``frame`` (``still``: it hardly moved, so no action):
        ``{"event": "end"|"start", "action", "frame", ...}``."""
        k = int(window_argmax(probs[None], self.threshold, np.array([still]))[0])
        self._count = self._count + 1 if k == self._candidate else 1
        self._candidate = k
        if k == self.state:
            self._confidence[0] += float(probs[k]) if k < len(self.classes) else 1 - float(probs.max())
            self._confidence[1] += 1
            return []
        if self._count < self.hold:
            return []
        events = self.close(frame)
        self.state, self.since = k, frame
        self._confidence = [float(probs[k]) if k < len(self.classes) else 1 - float(probs.max()), 1]
        if k < len(self.classes):
            events.append({"event": "start", "action": self.name(k), "frame": frame,
                           "confidence": round(float(probs[k]), 4)})
        return events

    def close(self, frame: int) -> list[dict[str, Any]]:
        """The end event of the current action, if one is going on (at a change, or when the stream ends)."""
        if self.state >= len(self.classes):
            return []
        event = {"event": "end", "action": self.name(self.state), "frame": frame, "started": self.since,
                 "confidence": round(self._confidence[0] / self._confidence[1], 4) if self._confidence[1] else None}
        self.state, self._confidence = len(self.classes), [0.0, 0]
        return [event]


def online_frame_labels(scores: WindowScores, windows: Windows, frames: int, threshold: float = DEFAULT_THRESHOLD,
                        hold: int = 2, still_below: float = 0.0) -> tuple[np.ndarray, list[dict]]:
    """What a live stream would have shown: each frame labelled with the state announced by then
    (the decoder sees a window only once it has ended), and the events in order."""
    probs = scores.probs
    decoder = OnlineDecoder([str(i) for i in range(probs.shape[1])], threshold, hold)
    labels = np.full(frames, probs.shape[1], np.int64)
    events: list[dict] = []
    for p, s, still in zip(probs, scores.starts, is_still(scores, still_below)):
        end = int(min(s + windows.length, frames))
        for e in decoder.feed(p, end, bool(still)):
            events.append({**e, "state": int(e["action"]) if e["action"] != NO_ACTION else probs.shape[1]})
        labels[end - 1:] = decoder.state
    return labels, events


# --- outputs -----------------------------------------------------------------------------------
def write_jsonl(timeline: Timeline, path: str | Path) -> Path:
    """One JSON object per segment, in time order."""
    path = Path(path)
    with path.open("w") as f:
        for seg in timeline.segments:
            f.write(json.dumps(seg.as_dict()) + "\n")
    return path


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    for line in Path(path).read_text().splitlines():
        if line.strip():
            yield json.loads(line)


def plot_timeline(timeline: Timeline, path: str | Path, title: str = "") -> Path:
    """A picture of who did what when: one row per person, a coloured bar per action segment,
    grey for 'no known action', labelled with the action and its confidence."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = plt.get_cmap("tab10" if len(timeline.classes) <= 10 else "tab20")
    people = sorted({s.person for s in timeline.segments}) or [0]
    fig, ax = plt.subplots(figsize=(12, 1.2 + 0.8 * len(people)))
    scale = timeline.fps or 1.0
    for seg in timeline.segments:
        row = people.index(seg.person)
        known = seg.action != NO_ACTION
        colour = colours(timeline.classes.index(seg.action) % colours.N) if known else (0.85, 0.85, 0.85)
        ax.barh(row, (seg.end - seg.start) / scale, left=seg.start / scale, height=0.6, color=colour,
                edgecolor="black", linewidth=0.4)
        ax.text((seg.start + seg.end) / 2 / scale, row, f"{seg.action}\n{seg.confidence:.0%}" if known else NO_ACTION,
                ha="center", va="center", fontsize=7, clip_on=True, color="black" if known else "dimgray")
    ax.set_yticks(range(len(people)), [f"person {p}" for p in people])
    ax.set_xlabel("seconds" if timeline.fps else "frames")
    ax.set_xlim(0, timeline.frames / scale if not timeline.segments else max(s.end for s in timeline.segments) / scale)
    ax.set_title(title or f"actions over time ({NO_ACTION}: grey)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def video_timeline(pose: Any, checkpoint: str | Path, *, window: int | None = None, stride: int | None = None,
                   threshold: float | None = None, switch_penalty: float | None = None,
                   still_below: float | None = None, explain: bool = True, name: str = "video",
                   video: str | Path | None = None, camera_moving: np.ndarray | None = None,
                   video_frames: int | None = None) -> Timeline:
    """The timeline of the tracked person in a video's poses (:class:`actlm.pose.backends.PoseSequence`),
    by the model at ``checkpoint``; segments are in video frames (frames without a person are skipped).
    A pose read every k-th video frame (``pose.stride``, ``--pose-fps``): ``window`` and ``stride``
    still count video frames and are divided by k (:meth:`Windows.in_pose_frames`: the same seconds);
    pose frame i is video frames [i * k, (i + 1) * k), the last segment ending at ``video_frames``
    when given (the video's frame count; else the end of the last pose frame's k frames).
    ``video``: the video file the poses are of, whose camera motion the explanations read (as
    ``predict``'s: no whole-body fact where the camera moves); None (a keypoint file): not read.
    ``camera_moving``: that camera motion (one bool per pose frame: per video frame at k = 1) when the
    caller measured it already (``predict``'s :attr:`actlm.pipeline.VideoPrediction.camera_moving`):
    used as it is, the video is neither decoded nor measured again.
    ``threshold``, ``switch_penalty``, ``still_below`` not given: the checkpoint's stored settings
    (:func:`stored_settings`; the module constants for a checkpoint without them).
    Poses of several tracked people (``pose.track_ids``): every person's timeline (:func:`video_timelines`),
    their segments together, each with its ``person`` id (one row per person in :func:`plot_timeline`)."""
    people = video_timelines(pose, checkpoint, window=window, stride=stride, threshold=threshold,
                             switch_penalty=switch_penalty, still_below=still_below, explain=explain, name=name,
                             video=video, camera_moving=camera_moving, video_frames=video_frames)
    if len(people) == 1:
        return next(iter(people.values()))
    first = next(iter(people.values()))
    segments = [seg for timeline in people.values() for seg in timeline.segments]
    return Timeline(segments, first.classes, first.windows, first.threshold, first.switch_penalty, first.frames,
                    first.fps, first.still_below, first.pose_stride)


def video_end(pose_frames: int, pose_stride: int, video_frames: int | None = None) -> int:
    """The video's frame count as far as ``pose_frames`` read every ``pose_stride``-th frame tell it:
    ``video_frames`` (a header's count) where it agrees with them, else the end of the last pose frame's."""
    last_read, after = (pose_frames - 1) * pose_stride + 1, pose_frames * pose_stride
    return after if video_frames is None or not last_read <= video_frames <= after else int(video_frames)


def ended_at(timeline: Timeline, frames: int) -> Timeline:
    """``timeline`` over a video of ``frames`` frames: no segment past its end (a pose frame read every
    k-th video frame stands for k frames, of which the video's last pose frame may have fewer)."""
    fps = timeline.fps
    for seg in timeline.segments:
        seg.start, seg.end = min(seg.start, frames), min(seg.end, frames)
        seg.start_s, seg.end_s = (round(seg.start / fps, 3), round(seg.end / fps, 3)) if fps else (0.0, 0.0)
    timeline.segments = [seg for seg in timeline.segments if seg.end > seg.start]
    timeline.frames = frames
    return timeline


def video_timelines(pose: Any, checkpoint: str | Path, *, window: int | None = None, stride: int | None = None,
                    threshold: float | None = None, switch_penalty: float | None = None,
                    still_below: float | None = None, explain: bool = True, name: str = "video",
                    min_frames: int = 8, video: str | Path | None = None,
                    camera_moving: np.ndarray | None = None, video_frames: int | None = None) -> dict[int, Timeline]:
    """One timeline per person: the tracked people of ``pose`` (``track_ids``; those seen in fewer
    than ``min_frames`` pose frames left out), most frames first, or the one person of an untracked pose (id 0).
    ``video``: as in :func:`video_timeline` (the camera is measured once, on the background outside
    everyone's boxes, in the first slot's trunk lengths) unless ``camera_moving`` gives it measured;
    ``window``, ``stride`` and ``video_frames`` as in :func:`video_timeline` (video frames)."""
    from .engine.checkpoint import load_checkpoint
    from .pipeline import camera_for_video, skeleton_for_model, visibility_for_model
    from .pose.people import people_ids, person_sequence

    model, meta = load_checkpoint(checkpoint)
    model.eval()
    chosen = settings_for(meta, threshold=threshold, switch_penalty=switch_penalty, still_below=still_below)
    num_persons = meta.model.args.get("num_persons", 1)
    out: dict[int, Timeline] = {}
    tracked = getattr(pose, "track_ids", None) is not None
    if not explain:
        camera_moving = None
    elif camera_moving is None and video is not None:
        camera_moving = camera_for_video(video, pose)
    if camera_moving is not None and len(camera_moving) != pose.frames:
        raise DataError(f"{name}: the camera mask has {len(camera_moving)} values for {pose.frames} pose frames "
                        f"(one per pose frame: the pose read every {pose.stride} video frame(s))")
    windows = Windows.for_model(meta.test_pipeline, window, stride, pose.stride)
    end = video_end(pose.frames, pose.stride, video_frames)
    for person in people_ids(pose):
        one = person_sequence(pose, person)
        data, kept = skeleton_for_model(one, meta.layout, num_persons, meta.model.args.get("in_channels"))
        if tracked and len(kept) < max(2, min_frames):
            continue
        if len(kept) < 2:
            raise DataError(f"{name}: a person was found in only {len(kept)} frame(s); no timeline to make")
        visibility = visibility_for_model(one, meta.layout, num_persons, kept)
        timeline = build_timeline(model, meta, data, pose.fps, frame_index=kept, visibility=visibility,
                                  windows=windows, threshold=chosen["threshold"],
                                  switch_penalty=chosen["switch_penalty"], still_below=chosen["still_below"],
                                  explain=explain, name=f"{name}/person{person}" if tracked else name,
                                  camera_moving=camera_moving, pose_stride=pose.stride)
        for seg in timeline.segments:
            seg.person = person
        out[person] = ended_at(timeline, end)
    if not out:
        raise DataError(f"{name}: nobody was tracked in {min_frames} frames or more; no timeline to make")
    return out
