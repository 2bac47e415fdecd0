"""Grounded explanations: what the model used, what was measured there, and why not the runner-up.

An explanation is built from evidence, never the other way round:

1. **What the model used.** Every body part of the layout, each side's whole arm (arm and hand),
   and every union of two of these (both arms and hands, an arm and the torso, ...) is frozen at
   its first-frame position (its motion removed) in one batched forward pass; the drop of the
   predicted class's probability is that set's measured effect (``set_drops``). The cited set
   (``used_parts``) is the single one whose freezing narrows the predicted class's logit margin
   over the best other class most (class-specific: what brings a rival closest to winning), or the
   pair first by that margin when freezing it costs 10 probability points more; ``used_drop`` is
   what freezing exactly that set costs in probability.
   The span is the time window (a quarter of the clip, or half) whose freezing costs most
   (``span_drop``). Occlusion is used rather than gradient x input because it measures the effect
   it reports (gradient x input, tried first, ranked joints barely better than random on NW-UCLA).
2. **What was measured there.** The sample's kinematic facts (``explain.facts``: thresholds
   in body units, numbers measured on this sample) about those parts are the facts the
   explanation cites.
3. **Why not the runner-up.** When the runner-up class is close, the cue is a measured fact of
   this sample that separates the two classes in the training data (a class *fact profile*: how
   often each motion occurs in each class's training sequences), or a motion the runner-up
   usually shows that was *not* measured here; and the part whose freezing narrows the margin
   between the two logits most.
4. **Verification.** :func:`verify` drops every clause of a text whose claims the sample's
   measurements do not support or whose numbers do not occur in them; the template text passes
   by construction, a language model's text (:func:`write_with_lm`) is filtered by it, so no
   unsupported claim reaches the user.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable

import numpy as np
import torch

from ..data.layouts import Layout, get_layout
from .attribution import MIN_EFFECT, occlude, set_key
from .contrast import contrastive_cue
from .errors import ExplainError
from .facts import MOTIONS, Fact, Reading, read_motion, without_orphan_lowers
from .quality import Problem

#: The body parts a measured fact is about (its ``part``), as the layouts' body-part groups.
FACT_PARTS: dict[str, tuple[str, ...]] = {
    "right_hand": ("right_hand", "right_arm"), "right_arm": ("right_arm", "right_hand"),
    "left_hand": ("left_hand", "left_arm"), "left_arm": ("left_arm", "left_hand"),
    "both_hands": ("right_hand", "left_hand", "right_arm", "left_arm"),
    "both_arms": ("right_arm", "left_arm", "right_hand", "left_hand"),
    "torso": ("torso", "head"), "legs": ("left_leg", "right_leg", "feet"),
    "body": ("torso", "left_leg", "right_leg"), "people": (),
}
#: The whole-body motions that carry the head with the hips, so that a fact of them is also about the
#: head (:func:`fact_parts`): a body rising, sitting, squatting or walking moves its head by about as
#: much (a stand-up is stated only where the head rises at least half as much as the hips). Without it
#: a cited head found no fact in clean_and_jerk.mp4's stand-up and the text said 'No movement of the
#: head' (video hand-check: false). A turn is not one: it turns the body about its upright axis, on
#: which a head joint (Kinect's) hardly moves, and it is read from the shoulders, not the head.
HEAD_CARRYING_MOTIONS = ("sit_down", "stand_up", "squat", "walk")
#: Tracking problems that leave nothing to explain: no person, a single frame, NaN/inf values.
UNUSABLE_INPUT = ("no_person", "single_frame", "nan")
#: The motions of the body as a whole, read in the image's frame: a moving camera moves them too.
CAMERA_MOTIONS = ("squat", "sit_down", "stand_up", "walk", "approach", "depart", "bend", "lean_back")
#: a gap of this many frames or more without a person ends what was seen (:func:`unseen_edge_facts`);
#: a frame or two is a missed detection (under a tenth of a second at 30 fps), in which a body
#: moves too little to matter
SPLIT_GAP = 3
#: A runner-up with at least this probability makes a close call that gets a contrastive cue.
CLOSE_CALL = 0.1
#: classes of the model's ranking kept in the evidence (and shown to the reasoner)
RANKED = 3

@dataclass
class Evidence:
    """Everything an explanation may say, each item measured on the sample or the model."""

    sample_id: str
    action: str
    confidence: float
    runner_up: str
    runner_up_confidence: float
    parts: dict[str, float]                   # probability drop when each body part alone is frozen
    used_parts: list[str]                     # the cited set: the parts the decision rests on ([] when none does)
    span: tuple[float, float]                 # normalised time [start, end) whose freezing costs most
    facts: list[Fact]                         # all measured facts of the sample
    cited: list[Fact]                         # the facts about the used parts
    contrast_parts: dict[str, float] = field(default_factory=dict)   # how much freezing each part narrows the top - runner-up probability margin
    cue: str | None = None                    # the separating cue (a verified sentence), if any
    cue_fact: dict[str, Any] | None = None    # what the cue rests on: key, present?, class shares
    label: str | None = None
    ranking: dict[str, float] = field(default_factory=dict)         # the model's top classes, probabilities
    problems: list[Problem] = field(default_factory=list)           # what the tracking cannot support, said first
    used_drop: float = 0.0                    # probability drop when the cited set (else the best one) is frozen
    best_set: list[str] = field(default_factory=list)               # the best set, cited or not
    set_drops: dict[str, float] = field(default_factory=dict)       # 'left_arm+right_arm' -> its measured drop
    span_drop: float = 0.0                    # probability drop when the span is frozen
    dims: int = 3                             # the keypoints' dimensions (2: an image's, where no turn is read)

    @property
    def close_call(self) -> bool:
        return self.runner_up_confidence >= CLOSE_CALL

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["facts"] = [f.as_dict() for f in self.facts]
        d["cited"] = [f.as_dict() for f in self.cited]
        d["close_call"] = self.close_call
        return d


def fact_parts(fact: Fact) -> tuple[str, ...]:
    """The body parts (layout groups) whose motion ``fact`` is about: those of its ``part``
    (FACT_PARTS), and the head where the motion carries it (HEAD_CARRYING_MOTIONS)."""
    parts = FACT_PARTS.get(fact.part, ())
    return parts + ("head",) if fact.motion in HEAD_CARRYING_MOTIONS and "head" not in parts else parts


def cite(facts: list[Fact], used: list[str], span: tuple[float, float], most: int = 3) -> list[Fact]:
    """The measured facts about the used parts that peak inside the cited ``span`` (normalised
    time), at most ``most``, those nearest to the span's middle first; returned in temporal order.
    A fact of those parts that peaks outside the span is not cited: the explanation says the cited
    facts were measured "there"."""
    a, b = span
    about = [f for f in facts if f.motion != "still" and set(fact_parts(f)) & set(used) and a <= f.time <= b]
    nearest = sorted(about, key=lambda f: abs(f.time - (a + b) / 2))[:most]
    return sorted(nearest, key=lambda f: f.time)


# --- the whole evidence ---------------------------------------------------------------------
def check_layout(data: np.ndarray, layout: str | Layout, sample_id: str) -> Layout:
    """The layout, once ``data`` (M, T, V, C) is known to fit it; else a clear ExplainError."""
    layout = get_layout(layout)
    if data.ndim != 4 or data.shape[2] != layout.num_joints:
        raise ExplainError(f"{sample_id}: the skeleton has shape {tuple(data.shape)}, the model's layout "
                           f"{layout.name} expects (persons, frames, {layout.num_joints}, channels)")
    return layout


def on_timeline(data: np.ndarray, frames: np.ndarray, visibility: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """``data`` (M, T', V, C) of the input frames ``frames`` (T',) laid on their own stretch of the
    input's timeline, from ``frames[0]`` to ``frames[-1]`` (M, frames[-1] - frames[0] + 1, V, C), the
    frames in between without a person (zeros, as a dataset marks them), and ``visibility``
    (M, T', V) likewise (0): the facts are read with the gaps in place
    (:func:`actlm.explain.quality.check_tracking` keeps them as unreadable). Frame ``i`` of the laid
    sequence is input frame ``frames[0] + i`` (:func:`in_input_frames`); what comes before
    ``frames[0]`` (another segment of a long video) is no part of it."""
    return _laid(data, frames), _laid(visibility, frames)


def _laid(values: np.ndarray | None, frames: np.ndarray) -> np.ndarray | None:
    """``values`` (M, T', ...) of the input frames ``frames`` laid on their stretch of the input's
    timeline (see :func:`on_timeline`), zeros (False) in the frames between; None stays None."""
    if values is None:
        return None
    at = np.asarray(frames, int) - int(frames[0])
    out = np.zeros((values.shape[0], int(at[-1]) + 1, *values.shape[2:]), values.dtype)
    out[:, at] = values
    return out


#: a frame number in a problem's text ('frame 12', 'frames 12-40'); a count ('12 frames') is not one
#: 'frame N', 'frames N-M', and lists of them ('frames 0-4, 20-29 and 35-51', 'frames 38 and 48-51')
_FRAME_LIST = re.compile(r"\bframes? \d+(?:-\d+)?(?:(?:, | and )\d+(?:-\d+)?)*")
_NUMBER = re.compile(r"\d+")


def renumber_frames(text: str, frame: Callable[[int], int]) -> str:
    """``text`` with every frame number it names ('frame N', 'frames N-M' and lists of such runs)
    mapped by ``frame``; counts of frames ('12 frames') are left as they are."""
    return _FRAME_LIST.sub(lambda m: _NUMBER.sub(lambda n: str(frame(int(n.group()))), m.group()), text)


def renumbered(problem: Problem, frame: Callable[[int], int]) -> Problem:
    """``problem`` with its frames and every frame number its text names mapped by ``frame``."""
    a, b = problem.frames
    return replace(problem, frames=(frame(int(a)), frame(int(b))), text=renumber_frames(problem.text, frame))


def in_input_frames(problem: Problem, first: int) -> Problem:
    """``problem`` of a sequence laid by :func:`on_timeline` (its frames counted from 0) with its
    frames, and the frame numbers its text names, as input frames (``first``: the input frame of
    the sequence's frame 0)."""
    return renumbered(problem, lambda n: n + first) if first else problem


def kept_clock(fact: Fact, frames: np.ndarray) -> Fact:
    """A fact read on the timeline of :func:`on_timeline` (times are fractions of the frames from
    ``frames[0]`` to ``frames[-1]``) with its times as fractions of ``frames`` itself, the clock of
    the model's input and its span: each time goes to the nearest frame of ``frames``."""
    frames = np.asarray(frames, int)
    if len(frames) < 2 or frames[-1] - frames[0] + 1 == len(frames):
        return fact

    def carried(t: float | None) -> float | None:
        if t is None:
            return None
        at = frames[0] + t * (frames[-1] - frames[0])
        return round(float(np.argmin(np.abs(frames - at))) / (len(frames) - 1), 3)

    return replace(fact, time=carried(fact.time), start=carried(fact.start), end=carried(fact.end))


def read_on_timeline(data: np.ndarray, layout: Layout, frames: np.ndarray | None,
                     visibility: np.ndarray | None = None, max_facts: int = 8,
                     camera_moving: np.ndarray | None = None, fps: float | None = None,
                     guessed: np.ndarray | None = None) -> Reading:
    """:func:`read_motion` of ``data``; with ``frames`` (the input frame of each of its frames, e.g.
    a video's frames with a person) read with the frames between them missing, its problems in
    input frames and its facts' times on ``data``'s own clock (:func:`kept_clock`); with
    ``camera_moving`` (one bool per input frame, ``actlm.pose.camera``) without the whole-body
    facts of the frames where the camera moves (:func:`drop_camera_moved_facts`); ``fps`` the frame
    rate its durations are read at (None: 30); ``guessed`` the source's per-frame flags of joint
    positions that are estimates (``Sample.guessed``; see :func:`read_motion`)."""
    if frames is None:
        reading = read_motion(data, layout, visibility=visibility, max_facts=max_facts, fps=fps, guessed=guessed)
        frames = np.arange(data.shape[1])
    else:
        frames = np.asarray(frames, int)
        full, vis = on_timeline(data, frames, visibility)
        flags = None if guessed is None else _laid(np.asarray(guessed)[None], frames)[0]   # (T, V): no person between
        reading = read_motion(full, layout, visibility=vis, max_facts=max_facts, fps=fps, guessed=flags)
        reading.problems = [in_input_frames(p, int(frames[0])) for p in reading.problems]
        reading.facts = [kept_clock(f, frames) for f in reading.facts]
        reading.facts = unseen_edge_facts(reading.facts, frames)
    if camera_moving is not None and not reading.blocked:
        drop_camera_moved_facts(reading, np.asarray(frames, int), np.asarray(camera_moving, bool))
    return reading


def seen_stretches(frames: np.ndarray, gap: int = SPLIT_GAP) -> list[np.ndarray]:
    """The stretches of ``frames`` (indices into it) separated by ``gap`` or more missing frames."""
    cuts = np.flatnonzero(np.diff(frames) > gap) + 1
    return np.split(np.arange(len(frames)), cuts)


def unseen_edge_facts(facts: list[Fact], frames: np.ndarray) -> list[Fact]:
    """``facts`` (times on ``frames``' own clock) without those that start right after or end right
    before a gap of SPLIT_GAP or more frames without a person: such a motion's other end was not
    seen (its measure compares the body with how it was before the gap, maybe elsewhere or another
    person)."""
    stretches = seen_stretches(frames)
    if len(stretches) < 2:
        return facts
    n = len(frames)
    edges = {int(r[0]) for r in stretches[1:]} | {int(r[-1]) for r in stretches[:-1]}

    def index(t: float) -> int:
        return int(round(t * (n - 1)))

    return without_orphan_lowers([f for f in facts if not ({index(f.start), index(f.end)} & edges)], facts)


def without_motions(profile: dict[str, Any] | None, motions: tuple[str, ...]) -> dict[str, Any] | None:
    """A class fact profile without the keys of ``motions`` (``'squat'``, ``'raise:left'`` ...), so
    that no contrast rests on a motion that could not be read."""
    if not profile:
        return profile
    share = {cls: {k: v for k, v in keys.items() if k.split(":")[0] not in motions}
             for cls, keys in profile["share"].items()}
    return {**profile, "share": share}


def _frame_of(t: float, frames: np.ndarray) -> int:
    return int(frames[int(round(t * (len(frames) - 1)))])


def drop_camera_moved_facts(reading: Reading, frames: np.ndarray, camera_moving: np.ndarray) -> None:
    """Drop, in place, the facts about the body as a whole (:data:`CAMERA_MOTIONS`: its place, height
    and trunk tilt, read in image coordinates that a panning or rolling camera moves as much) whose
    frames (start to end) meet a frame where the camera moves, and say where it moves; a hand
    measured against the body is not moved by the camera and stays."""
    moving = np.flatnonzero(camera_moving[frames[0]:frames[-1] + 1]) + frames[0]
    if not len(moving):
        return
    dropped = [f for f in reading.facts if f.motion in CAMERA_MOTIONS
               and camera_moving[_frame_of(f.start, frames):_frame_of(f.end, frames) + 1].any()]
    reading.facts = without_orphan_lowers([f for f in reading.facts if f not in dropped], reading.facts)
    stretches = int(np.sum(np.diff(moving) > 1)) + 1
    where = f"frames {moving[0]}-{moving[-1]}" + (f" ({len(moving)} frames in {stretches} stretches)" if stretches > 1 else "")
    reading.problems.append(Problem(
        "camera_motion", (), (int(moving[0]), int(moving[-1])),
        f"the camera moves in {where}: no motion of the whole body (walking, squatting, sitting down or standing "
        f"up, bending) is read there"))


def usable_reading(data: np.ndarray, layout: Layout, sample_id: str,
                   visibility: np.ndarray | None = None, fps: float | None = None, frames: np.ndarray | None = None,
                   camera_moving: np.ndarray | None = None, guessed: np.ndarray | None = None) -> Reading:
    """The sample's motion reading (``fps``: its frame rate, where known), or an ExplainError naming
    why nothing can be explained (NaN/inf values, no person, a single frame): the model cannot be
    run on such input either (NaN in, NaN out), so this is checked before its pipeline, and never
    shown as '(nan%)'. ``frames``: see :func:`read_on_timeline` (and ``camera_moving``, ``guessed``)."""
    try:
        reading = read_on_timeline(data, layout, frames, visibility, max_facts=8, camera_moving=camera_moving, fps=fps,
                                   guessed=guessed)
    except ValueError as exc:
        raise ExplainError(f"{sample_id}: cannot measure its motion ({exc})") from None
    unusable = [p for p in reading.problems if p.kind in UNUSABLE_INPUT]
    if unusable:
        raise ExplainError(f"{sample_id}: {unusable[0].text}; the model's decision on it means nothing")
    return reading


def gather_evidence(model: torch.nn.Module, x: torch.Tensor, data: np.ndarray, layout: str | Layout,
                    classes: list[str], sample_id: str = "sample", profile: dict[str, Any] | None = None,
                    label: str | None = None, visibility: np.ndarray | None = None,
                    reading: Reading | None = None, fps: float | None = None, frames: np.ndarray | None = None,
                    camera_moving: np.ndarray | None = None, guessed: np.ndarray | None = None) -> Evidence:
    """Evidence for the model's decision on one sample: ``x`` its model input (1, C, T, V, M),
    ``data`` the raw sequence (M, T, V, C) the facts are measured on; ``visibility`` (M, T, V) the
    pose estimator's per-joint visibility, when it gives one (joints it did not see are not read);
    ``reading`` the sample's :func:`usable_reading` when the caller has it already; ``fps`` the
    sequence's frame rate (frames/s), where known (None: 30); ``frames`` the input frame of each of
    ``data``'s frames when some were left out (a video's frames without a person): the facts are read
    with those gaps in place (:func:`read_on_timeline`); ``camera_moving`` (one bool per input frame)
    where the camera moves: no whole-body fact is read there; ``guessed`` the source's per-frame
    flags of guessed joint positions (``Sample.guessed``)."""
    layout = check_layout(data, layout, sample_id)
    reading = reading or usable_reading(data, layout, sample_id, visibility, fps, frames, camera_moving, guessed)
    facts = reading.facts
    occ = occlude(model, x, layout)
    probs = occ.probs
    order = np.argsort(-probs)
    top, runner = int(order[0]), int(order[1])
    best, best_drop = occ.cited_set(top)
    used = list(best) if best_drop >= MIN_EFFECT else []
    (start, end), span_drop = occ.span(top)
    cited = cite(facts, used, (start / occ.frames, end / occ.frames))
    ev = Evidence(sample_id, classes[top], float(probs[top]), classes[runner], float(probs[runner]),
                  {p: round(d, 4) for p, d in occ.part_drops(top).items()}, used,
                  (round(start / occ.frames, 3), round(end / occ.frames, 3)), facts, cited, label=label, problems=reading.problems,
                  ranking={classes[int(i)]: round(float(probs[i]), 4) for i in order[:RANKED]},
                  used_drop=round(best_drop, 4), best_set=list(best), span_drop=round(span_drop, 4),
                  set_drops={set_key(s): round(d, 4) for s, d in occ.set_drops(top).items()},
                  dims=int(np.asarray(data).shape[-1]))
    if ev.close_call:
        ev.contrast_parts = {p: round(d, 4) for p, d in occ.margin_drops(top, runner).items()}
        measured = read_on_timeline(data, layout, frames, visibility, max_facts=len(MOTIONS) * 3,   # every fact, for absences
                                    camera_moving=camera_moving, fps=fps, guessed=guessed).facts
        # sides in doubt (mirrored_sides): no verdict may rest on left vs right
        sides = not any(p.kind == "mirrored_sides" for p in reading.problems)
        if any(p.kind == "camera_motion" for p in reading.problems):
            profile = without_motions(profile, CAMERA_MOTIONS)   # not read there: neither cited nor said absent
        ev.cue, ev.cue_fact = contrastive_cue(facts, ev.action, ev.runner_up, profile, measured, sides)
    return ev
