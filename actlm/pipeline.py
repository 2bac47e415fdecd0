"""From a plain video to an explained action: video -> pose -> skeleton -> model (-> reasoner).

``predict_video`` runs the whole chain and returns a :class:`VideoPrediction`: the top-k
actions with probabilities, whether the model is confident enough to name one, the grounded
explanation (``actlm.explain``: which body parts and time span the model used, measured by
freezing them, the measured facts about those parts, why not the runner-up) and, when a reasoner
is given, its written answer after verification against the measurements.
``write_annotated_video`` draws the skeleton on the frames with those joints and that span
highlighted.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from .data.errors import DataError, file_error
from .data.layouts import get_layout, get_mapping
from .data.transforms import build_pipeline
from .engine.checkpoint import load_checkpoint
from .engine.openset import load_openset, pooled_features
from .explain.attribution import part_weights_per_joint
from .explain.contrast import load_fact_profile
from .explain.errors import ExplainError
from .explain.evidence import Evidence, gather_evidence, renumber_frames, renumbered
from .explain.text import template_explanation
from .explain.facts import known_fps, narrate
from .explain.quality import Problem
from .reasoner.writer import reasoner_line
from .pose.backends import CocoJsonBackend, PoseSequence, get_backend
from .pose.video import probe, read_frames

DEFAULT_CHECKPOINT = "general-2d"
#: the models shipped inside the package, by name (``--checkpoint NAME``)
SHIPPED_CHECKPOINTS = ("general-2d", "nw-ucla-video")


class NoPersonFound(DataError):
    """The pose estimator found nobody in the video."""


@dataclass
class LoadedModel:
    """A checkpoint loaded once and reused for many videos (``actlm predict`` over several videos or
    a folder): the model in eval mode, its meta and its class fact profile."""

    model: torch.nn.Module
    meta: Any
    profile: dict[str, Any] | None


def load_model(checkpoint: str | Path | None) -> LoadedModel:
    """The model at ``checkpoint`` (a folder or a shipped name; None: the default), ready to predict."""
    model, meta = load_checkpoint(resolve_checkpoint(checkpoint))
    model.eval()
    return LoadedModel(model, meta, load_fact_profile(meta.path))


def default_checkpoint() -> Path:
    """The small checkpoint shipped inside the package (see README: classes and accuracy)."""
    return shipped_checkpoint(DEFAULT_CHECKPOINT)


def shipped_checkpoint(name: str) -> Path:
    """A model shipped inside the package by name: ``general-2d`` (the default) or ``nw-ucla-video``."""
    path = Path(str(resources.files("actlm") / "checkpoints" / name))
    if not (path / "config.json").exists():
        raise DataError(f"the shipped checkpoint {name} is missing at {path}; reinstall actlm or pass --checkpoint")
    return path


def resolve_checkpoint(checkpoint: str | Path | None) -> Path:
    """``checkpoint`` as a path: a run or checkpoint folder, the name of a shipped model, or the default."""
    if checkpoint is None:
        return default_checkpoint()
    if not Path(checkpoint).exists() and str(checkpoint) in SHIPPED_CHECKPOINTS:
        return shipped_checkpoint(str(checkpoint))
    if not Path(checkpoint).exists():
        raise DataError(f"checkpoint {checkpoint}: no such file or folder, nor a shipped model "
                        f"({', '.join(SHIPPED_CHECKPOINTS)})")
    return Path(checkpoint)


@dataclass
class VideoPrediction:
    video: str
    frames: int
    frames_with_person: int
    fps: float
    classes: list[str]
    layout: str                                   # the model's skeleton layout
    top: list[tuple[str, float]]
    confident: bool
    min_confidence: float
    joints: list[tuple[str, float]] = field(default_factory=list)   # the cited body parts, each with the score drop when frozen alone
    span: tuple[int, int] = (0, 0)                # video frames [start, end) that mattered most
    measured: str = ""                            # kinematic facts, model-free
    explanation: str | None = None
    narrative: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    joint_importance: list[float] = field(default_factory=list, repr=False)
    evidence: dict[str, Any] = field(default_factory=dict, repr=False)
    reasoner: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None     # --classes: calibrated stacking of the trained classes (open_vocab.Calibration)
    #: how far the video is from the checkpoint's training samples (engine.openset.TrainingNeighbours.verdict);
    #: None when the checkpoint ships no neighbours or the classes were given as text
    novelty: dict[str, Any] | None = None
    #: per pose frame (per video frame unless --pose-fps), whether the camera moves (camera_for_video; None
    #: for a keypoint file): kept so that a rescoring (--classes) and the timeline read the same frames without
    #: decoding the video again; not in as_dict
    camera_moving: np.ndarray | None = field(default=None, repr=False)
    #: video frames per pose frame (--pose-fps): ``frames`` and ``fps`` are the pose's (every
    #: pose_stride-th video frame); the span and the problems' frames are the video's
    pose_stride: int = 1

    @property
    def unlike_training(self) -> bool:
        """The movement is farther from the training samples than the checkpoint's threshold allows."""
        return self.novelty is not None and not self.novelty["known_like"]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("camera_moving")
        return out

    def summary(self) -> str:
        lines = [f"{self.video}: person found in {self.frames_with_person}/{self.frames} frames"
                 + (f" (pose read on every {ordinal(self.pose_stride)} video frame: {self.fps:.1f} fps)"
                    if self.pose_stride > 1 else "")]
        best, p = self.top[0]
        if self.unlike_training:
            n = self.novelty
            lines.append(f"this may be none of the {len(self.classes)} actions this model knows: the movement is "
                         f"farther from its training examples than {n['keep']:.0%} of them are (cosine to the {n['k']} "
                         f"nearest: {n['score']:.3f} < {n['threshold']:.3f}); closest class: '{best}' ({p:.0%}). "
                         f"Known actions: {', '.join(self.classes)}")
        elif self.confident:
            lines.append(f"action: {best} ({p:.0%})")
        elif self.novelty is not None:
            n = self.novelty
            lines.append(f"low confidence ({p:.0%} for '{best}'): the movement resembles this model's training "
                         f"examples (cosine to the {n['k']} nearest: {n['score']:.3f} >= {n['threshold']:.3f}), but no "
                         f"one of its {len(self.classes)} actions stands out")
        else:
            lines.append(f"low confidence ({p:.0%} for '{best}'): the action may be none of the {len(self.classes)} "
                         f"actions this model knows ({', '.join(self.classes)})")
        lines += [f"  {i + 1}. {name:<26} {prob:6.1%}" for i, (name, prob) in enumerate(self.top)]
        if self.calibration and self.calibration.get("note"):
            lines.append(self.calibration["note"])
        together = self.evidence.get("used_drop")
        lines.append((f"mattered most (freezing them together lowers the score by {together * 100:.0f} points): "
                      if together is not None and self.joints else "mattered most: ")
                     + (", ".join(j for j, _ in self.joints) or "no one or two body parts")
                     + f"; frames {self.span[0]}-{self.span[1] - 1}")
        lines.append(f"measured motion: {self.measured}")
        if self.explanation is not None:
            lines.append(f"why: {self.explanation}")
        if self.narrative is not None:
            lines.append(f"tokens: {self.narrative}")
        if self.reasoner is not None:
            lines.append(reasoner_line(self.reasoner))
        return "\n".join(lines)


def ordinal(n: int) -> str:
    """2 -> '2nd', 3 -> '3rd', 11 -> '11th'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pose_stride(video_fps: float, pose_fps: float | None) -> int:
    """Video frames per pose frame for ``--pose-fps``: max(1, round(video_fps / pose_fps)); None:
    every frame (1). A video of unknown rate (0) is taken as 30 fps. ``pose_fps`` <= 0: a DataError."""
    if pose_fps is None:
        return 1
    if not np.isfinite(pose_fps) or pose_fps <= 0:
        raise DataError(f"--pose-fps must be a positive number of frames per second; got {pose_fps!r}")
    return max(1, int(round(video_rate(video_fps) / pose_fps)))


def video_rate(fps: float | None) -> float:
    """A video's frame rate, 30 where it tells none (as the facts read such a clip)."""
    return known_fps(fps) or 30.0


def every_kth_pose(pose: PoseSequence, stride: int) -> PoseSequence:
    """``pose`` (read on every frame, e.g. a keypoint file) on every ``stride``-th frame, its fps divided."""
    if stride == 1:
        return pose
    ids = None if pose.track_ids is None else pose.track_ids[:, ::stride]
    world = None if pose.world is None else pose.world[:, ::stride]
    return replace(pose, image=pose.image[:, ::stride], visibility=pose.visibility[:, ::stride], world=world,
                   fps=video_rate(pose.fps) / stride, track_ids=ids, stride=pose.stride * stride)


def estimate_pose(video: str | Path, backend: str = "blazepose", progress: Callable | None = None,
                  pose_fps: float | None = None) -> PoseSequence:
    """The poses of ``video``: decoded and estimated (``blazepose``) or read from a keypoint file
    (``coco-json``). ``pose_fps``: estimated on every k-th frame only, k = max(1, round(video fps /
    pose_fps)) (the pose model is most of predict's time); the result's ``fps`` is the video's / k
    and its ``stride`` k (pose frame t is video frame t * k). None: every frame."""
    if backend == "coco-json":
        pose = CocoJsonBackend().read(video)
        pose = every_kth_pose(pose, pose_stride(pose.fps, pose_fps))
    else:
        video_fps = probe(video).fps
        stride = pose_stride(video_fps, pose_fps)
        pose = get_backend(backend).estimate(read_frames(video, stride=stride), video_rate(video_fps) / stride
                                             if stride > 1 else video_fps, progress)
        pose = replace(pose, stride=stride)
    if pose.frames_with_person == 0:
        raise NoPersonFound(f"{video}: no person found in any of its {pose.frames} frames")
    return pose


def skeleton_for_model(pose: PoseSequence, layout: str, num_persons: int,
                       channels: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Keypoints in the model's layout (M, T', V, C) over the frames with a person, and those frames.
    A model of 2D keypoints (``channels`` 2, e.g. the general model) reads the image coordinates."""
    data = pose.image if channels == 2 else pose.skeleton()
    try:
        mapping = get_mapping(pose.layout, layout)
    except KeyError as exc:
        raise DataError(f"the model expects layout {layout}; {exc.args[0]}") from None
    kept = np.flatnonzero(pose.visibility.max(axis=(0, 2)) > 0)
    if channels is not None and data.shape[-1] != channels:
        raise DataError(f"the pose source gives {data.shape[-1]}D keypoints but the model was trained on "
                        f"{channels} values per joint: use a checkpoint trained on {data.shape[-1]}D data "
                        f"(e.g. a dataset prepared from the same kind of keypoints)")
    mapped = mapping.apply(data[:, kept])
    m = mapped.shape[0]
    if m < num_persons:
        mapped = np.concatenate([mapped, np.zeros((num_persons - m, *mapped.shape[1:]), np.float32)])
    return mapped[:num_persons].astype(np.float32), kept


def explained_fields(ev: Evidence, kept: np.ndarray, layout: str, stride: int = 1) -> dict[str, Any]:
    """The :class:`VideoPrediction` fields that come from the evidence: the cited parts, the span
    they mattered in (in video frames: ``kept`` are pose frames, each ``stride`` video frames), the
    measured motion and the explanation."""
    joint_w = part_weights_per_joint({part: ev.parts[part] for part in ev.used_parts}, get_layout(layout))
    a, b = (int(round(t * (len(kept) - 1))) for t in ev.span)     # normalised time -> kept frames -> video frames
    return {"joints": [(part.replace("_", " "), float(ev.parts[part])) for part in ev.used_parts],
            "span": (int(kept[a]) * stride, int(kept[max(b, a)]) * stride + 1), "measured": narrate(ev.facts),
            "explanation": template_explanation(ev), "joint_importance": [float(w) for w in joint_w],
            "evidence": ev.as_dict()}


def visibility_for_model(pose: PoseSequence, layout: str, num_persons: int, kept: np.ndarray) -> np.ndarray:
    """The pose estimator's per-joint visibility (M, T', V) carried to the model's layout over the
    kept frames (a model joint made of several pose joints is as visible as their weighted mean),
    so that the facts are not read from joints the estimator did not see."""
    weights = get_mapping(pose.layout, layout).weights                      # (V_model, V_pose)
    vis = np.einsum("uv,mtv->mtu", np.abs(weights) / np.maximum(np.abs(weights).sum(1, keepdims=True), 1e-9),
                    pose.visibility[:, kept])
    if vis.shape[0] < num_persons:
        vis = np.concatenate([vis, np.ones((num_persons - vis.shape[0], *vis.shape[1:]), vis.dtype)])
    return vis[:num_persons]


def camera_for_video(video: str | Path, pose: PoseSequence, everyone: PoseSequence | None = None) -> np.ndarray | None:
    """Per pose frame (each video frame, or each ``pose.stride``-th), whether the camera moves
    (``actlm.pose.camera``: the background's shift or roll, bounded in the person's trunk lengths); None when ``video`` is no video (a keypoint file)
    or nobody's trunk is seen. ``everyone``: all the people tracked in the video (``--people``),
    whose boxes are left out of the background too (default: ``pose``'s)."""
    from .pose.camera import video_camera_moves

    lay = get_layout(pose.layout)
    seen = pose.visibility[0] >= 0.5
    top, bottom = list(lay.spine_top), list(lay.spine_bottom)
    trusted = seen[:, top + bottom].all(axis=1)
    if not trusted.any():
        return None
    trunk = np.linalg.norm(pose.image[0][:, top].mean(1) - pose.image[0][:, bottom].mean(1), axis=1)[trusted]
    try:
        boxes = everyone if everyone is not None else pose
        moving, _ = video_camera_moves(video, boxes.image, boxes.visibility, pose.size, float(np.median(trunk)),
                                       stride=pose.stride)
    except DataError:
        return None
    if len(moving) < pose.frames:
        moving = np.concatenate([moving, np.zeros(pose.frames - len(moving), bool)])
    return moving


def evidence_for_video(model: torch.nn.Module, x: torch.Tensor, data: np.ndarray, layout: str, classes: list[str],
                       video: str | Path, profile: dict[str, Any] | None = None,
                       visibility: np.ndarray | None = None, fps: float | None = None,
                       kept: np.ndarray | None = None, camera_moving: np.ndarray | None = None,
                       stride: int = 1) -> Evidence:
    """:func:`gather_evidence` for a video's skeleton (``fps``: the video's frame rate, its facts'
    durations are read at; unknown or 0: 30); a skeleton too short to measure is reported as the
    video's problem. ``kept``: the video frame of each of ``data``'s frames (those with a person):
    the facts are read with the frames without one in place, and problems name video frames;
    ``camera_moving`` (:func:`camera_for_video`): no whole-body fact is read where the camera moves.
    ``stride`` (``--pose-fps``): ``kept`` are pose frames, each ``stride`` video frames, ``fps`` their
    rate; the facts are read on the pose frames, and the problems name video frames (:func:`in_video_frames`)."""
    try:
        ev = gather_evidence(model, x, data, layout, classes, Path(str(video)).stem, profile,
                             visibility=visibility, fps=known_fps(fps), frames=kept, camera_moving=camera_moving)
    except ExplainError as exc:
        raise NoPersonFound(in_video_frames_text(str(exc), stride)) from None
    ev.problems = [in_video_frames(p, stride) for p in ev.problems]
    return ev


def in_video_frames_text(text: str, stride: int) -> str:
    """``text`` with every frame number ('frame N', 'frames N-M', lists of runs) of a pose read every
    ``stride``-th video frame as the video's frame number (N * stride); counts of frames are left as they are."""
    return text if stride == 1 else renumber_frames(text, lambda n: n * stride)


def in_video_frames(problem: Problem, stride: int) -> Problem:
    """A problem read on pose frames every ``stride``-th video frame, with the video's frame numbers."""
    return problem if stride == 1 else renumbered(problem, lambda n: n * stride)


def novelty_of(model: torch.nn.Module, x: torch.Tensor, checkpoint_dir: Path) -> dict[str, Any] | None:
    """How the input compares with the checkpoint's training samples (kNN cosine of the pooled
    feature, experiments/results/openset.md), when the checkpoint ships them; else None."""
    neighbours = load_openset(checkpoint_dir)
    if neighbours is None:
        return None
    with torch.no_grad():
        features = pooled_features(model, x).numpy()
    return neighbours.verdict(features[0])


def predict_video(video: str | Path, checkpoint: str | Path | LoadedModel | None = None, backend: str = "blazepose",
                  top_k: int = 5, min_confidence: float = 0.8, reasoner: Any = None,
                  progress: Callable | None = None, pose: PoseSequence | None = None,
                  pose_seconds: float | None = None, everyone: PoseSequence | None = None,
                  pose_fps: float | None = None) -> tuple[VideoPrediction, PoseSequence]:
    """The explained prediction for ``video``. ``timings`` measures what each key names: ``pose_s``
    decoding and pose estimation (absent when the caller gives ``pose`` without ``pose_seconds``,
    the time it took), ``load_s`` loading the model and its fact profile (next to nothing when
    ``checkpoint`` is a :class:`LoadedModel`, loaded once for many videos), ``model_s`` its forward pass, ``explain_s``
    the evidence and explanation (with the camera's motion, a second decoding of the video),
    ``reasoner_s`` the reasoner, ``total_s`` all of these. ``everyone`` (``--people``: every tracked
    person, ``pose`` the one explained): their boxes are no background for the camera's motion.
    ``pose_fps`` (:func:`estimate_pose`): the pose read on every k-th frame only; the skeleton's
    durations are read at the rate sampled, and every frame shown is the video's."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    before = 0.0                  # seconds spent on this prediction before t0 (the caller's pose estimation)
    if pose is None:
        pose = estimate_pose(video, backend, progress, pose_fps)
        timings["pose_s"] = time.perf_counter() - t0
    elif pose_seconds is not None:
        timings["pose_s"] = before = float(pose_seconds)
    t_load = time.perf_counter()
    loaded = checkpoint if isinstance(checkpoint, LoadedModel) else load_model(checkpoint)
    model, meta = loaded.model, loaded.meta
    timings["load_s"] = time.perf_counter() - t_load
    layout = meta.layout
    num_persons = meta.model.args.get("num_persons", 1)
    data, kept = skeleton_for_model(pose, layout, num_persons, meta.model.args.get("in_channels"))
    if len(kept) < 2:
        raise NoPersonFound(f"{video}: a person was found in only {len(kept)} frame(s); too short to recognise an action")
    pipeline = build_pipeline(meta.test_pipeline, layout)
    x = torch.from_numpy(pipeline(data, np.random.default_rng(0)))[None]
    t1 = time.perf_counter()
    with torch.no_grad():
        probs = model(x).softmax(1)[0].numpy()
    timings["model_s"] = time.perf_counter() - t1
    novelty = novelty_of(model, x, meta.path)
    order = np.argsort(-probs)[:top_k]
    classes = meta.classes
    t_explain = time.perf_counter()
    camera_moving = camera_for_video(video, pose, everyone) if backend != "coco-json" else None
    ev = evidence_for_video(model, x, data, layout, classes, video, loaded.profile,
                            visibility_for_model(pose, layout, num_persons, kept), pose.fps, kept, camera_moving,
                            pose.stride)
    explained = explained_fields(ev, kept, layout, pose.stride)
    timings["explain_s"] = time.perf_counter() - t_explain
    prediction = VideoPrediction(str(video), pose.frames, pose.frames_with_person, pose.fps, classes, layout,
                                 [(classes[i], float(probs[i])) for i in order],
                                 bool(probs[order[0]] >= min_confidence) and (novelty is None or novelty["known_like"]),
                                 min_confidence, timings=timings, novelty=novelty,
                                 camera_moving=camera_moving, pose_stride=pose.stride, **explained)
    if reasoner is not None:      # only a reasoner of this very model: its answer is about this decision
        if not reasoner.reads(model):
            raise ExplainError(f"the reasoner reads another encoder than {meta.path.name}, the model that made "
                               f"this prediction; its sentence would explain a decision this model did not make")
        t_reasoner = time.perf_counter()
        prediction.reasoner = reasoner.answer(data, Path(str(video)).stem)   # only what the measurements support is shown
        prediction.narrative = prediction.reasoner["narrative"]
        timings["reasoner_s"] = time.perf_counter() - t_reasoner
    timings["total_s"] = time.perf_counter() - t0 + before
    return prediction, pose


def person_labels(pose: PoseSequence, segments: list | None = None, per_person: list[dict] | None = None
                  ) -> list[dict[int, str]]:
    """What to write above each drawn person, per frame: ``{slot m: label}``. From a timeline's
    ``segments`` (each person's current segment: the action, or 'no known action') when given, else
    from ``per_person`` predictions (each tracked person's action over all their frames); the slot's
    person is ``pose.track_ids[m, t]`` for tracked people, 0 otherwise. Empty dicts without either.
    One dict per pose frame; the segments are in video frames (pose frame t is video frame t * ``pose.stride``)."""
    out: list[dict[int, str]] = [{} for _ in range(pose.frames)]
    if not segments and not per_person:
        return out
    tracked = pose.track_ids is not None
    whole = {p["person"]: f"{p['top'][0][0]} {p['top'][0][1]:.0%}" for p in per_person or [] if p.get("top")}
    for t in range(pose.frames):
        for m in range(pose.image.shape[0]):
            if pose.visibility[m, t].max() <= 0:
                continue
            person = int(pose.track_ids[m, t]) if tracked else 0
            if person < 0:
                continue
            label = next((f"{seg.action} {seg.confidence:.0%}" for seg in segments or []
                          if seg.person == person and seg.start <= t * pose.stride < seg.end), whole.get(person))
            if label is not None:
                out[t][m] = f"{person}: {label}" if tracked else label
    return out


def write_annotated_video(video: str | Path, pose: PoseSequence, prediction: VideoPrediction, out: str | Path,
                          labels: list[dict[int, str]] | None = None) -> Path:
    """The video with the skeleton drawn, the joints of the cited body parts enlarged in red, the
    span the model used framed in red and named at the bottom; with ``labels`` (:func:`person_labels`)
    each drawn person's current label above their head. A pose read every k-th frame (``pose.stride``)
    is drawn on each frame from its last pose frame (``labels`` are per pose frame)."""
    import cv2

    out = Path(out)
    pose_layout = get_layout(pose.layout)
    weights = _pose_joint_weights(pose.layout, prediction)
    writer = None
    best, p = prediction.top[0]
    label = f"{best} {p:.0%}" if prediction.confident else f"unsure: {best}? {p:.0%}"
    for i, frame in enumerate(read_frames(video)):
        img = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
        if writer is None:
            h, w = img.shape[:2]
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"),
                                     prediction.fps * pose.stride or 25.0, (w, h))   # the video's own rate
            if not writer.isOpened():                 # OpenCV would drop every frame without a word
                raise file_error(out, "cannot write a video there (an existing folder, and a suffix such as .mp4?)")
        sx = img.shape[1] / max(pose.size[0], 1)
        sy = img.shape[0] / max(pose.size[1], 1)
        t = i // pose.stride                     # the pose frame read at or last before video frame i
        if t < pose.frames:
            for m in range(pose.image.shape[0]):
                if pose.visibility[m, t].max() <= 0:
                    continue
                pts = pose.image[m, t] * [sx, sy]
                for child, parent in pose_layout.bones:
                    cv2.line(img, tuple(int(v) for v in pts[child]), tuple(int(v) for v in pts[parent]), (255, 200, 0), 2)
                for j, (px, py) in enumerate(pts):
                    hot = weights[j] > 0.05              # a joint of a body part the explanation cites
                    cv2.circle(img, (int(px), int(py)), 6 if hot else 2, (0, 0, 255) if hot else (0, 255, 255), -1)
                if labels is not None and m in labels[t]:
                    seen = pose.visibility[m, t] > 0
                    x0, y0 = int(pts[seen, 0].min()), int(max(pts[seen, 1].min() - 10, 16))
                    cv2.putText(img, labels[t][m], (x0, y0), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 4, cv2.LINE_AA)
                    cv2.putText(img, labels[t][m], (x0, y0), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1,
                                cv2.LINE_AA)
        if prediction.span[0] <= i < prediction.span[1]:
            cv2.rectangle(img, (0, 0), (img.shape[1] - 1, img.shape[0] - 1), (0, 0, 255), 4)
        cv2.putText(img, label, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
        if prediction.span[0] <= i < prediction.span[1] and prediction.joints:
            cited = "used: " + ", ".join(name for name, _ in prediction.joints)
            cv2.putText(img, cited, (8, img.shape[0] - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 255), 2, cv2.LINE_AA)
        writer.write(img)
    if writer is not None:
        writer.release()
    return out


def _pose_joint_weights(pose_layout: str, prediction: VideoPrediction) -> np.ndarray:
    """Model-joint importance carried back to the pose layout's joints, scaled to max 1."""
    mapping = get_mapping(pose_layout, prediction.layout)
    back = mapping.weights.T @ np.asarray(prediction.joint_importance)
    return back / (back.max() or 1.0)


def person_predictions(pose: PoseSequence, checkpoint: str | Path | tuple, top_k: int = 3, min_frames: int = 8) -> list[dict]:
    """Each tracked person's action over all their frames by the model at ``checkpoint`` (or a
    loaded ``(model, meta)``): ``{"person", "frames", "first", "last", "top": [(class, p), ...]}``,
    most frames first (people seen in fewer than ``min_frames`` frames are left out); ``frames`` counts
    pose frames, ``first`` and ``last`` are video frames."""
    from .pose.people import people_ids, person_sequence

    model, meta = checkpoint if isinstance(checkpoint, tuple) else load_checkpoint(resolve_checkpoint(checkpoint))
    model.eval()
    pipeline = build_pipeline(meta.test_pipeline, meta.layout)
    out = []
    for person in people_ids(pose):
        one = person_sequence(pose, person)
        data, kept = skeleton_for_model(one, meta.layout, meta.model.args.get("num_persons", 1),
                                        meta.model.args.get("in_channels"))
        if len(kept) < min_frames:
            continue
        with torch.no_grad():
            probs = model(torch.from_numpy(pipeline(data, np.random.default_rng(0)))[None]).softmax(1)[0].numpy()
        order = np.argsort(-probs)[:top_k]
        out.append({"person": person, "frames": int(len(kept)), "first": int(kept[0]) * pose.stride,
                    "last": int(kept[-1]) * pose.stride,
                    "top": [(meta.classes[i], round(float(probs[i]), 4)) for i in order]})
    return out
