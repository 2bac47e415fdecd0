"""Tracking quality, read before any fact: can this input support a reading, and where not?

A skeleton tracker fails in ways that look like motion: a joint that jumps reads as a swing, a
shoulder line that collapses when the body is seen edge-on reads as a turn, a hand tracked behind
the body (hidden from the sensor) reads as raised, a frozen track reads as standing still. Every
check here returns :class:`Problem` s (kind, joints, frames, a sentence for the user) and marks
the joint-frames that may not be read; :mod:`.facts` states nothing from them.

Checks, in order: no person, NaN/inf values, a single frame, too few frames, a dead track (the
whole skeleton frozen or collapsed to a point), frozen joints, jumping joints, hips tracked too
high (3D: the legs longer than when standing while the head stays), left and right
swapped by the tracker, a skeleton that is not one body (its trunk far from its usual length),
low visibility (on video: BlazePose's visibility score below 0.5, said as the estimator's doubt;
an annotation's hidden flag); and once
the world frame is known (:func:`view_problems`): collapsed shoulders (edge-on) and hands behind the
body, and (:func:`collapsed_skeleton`) a skeleton that drops and comes back up faster than a body
moves. Not masked but recorded for :mod:`.facts`: where the whole body jumps in one frame (a track
break) and, in 3D, where an arm's shoulder and elbow, or the neck and head, step away from the body
in one frame and stay (a chain step). Frames without a person between the first and the last with
one stay in place, unreadable: nothing is read across them, and every frame said is the input's.
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from ..data.layouts import Layout
from .world import head_joints, nanmean_joints

#: fewer frames than this cannot show a motion (a third of a second at 30 fps) ...
MIN_FRAMES = 10
#: ... and at another frame rate (check_tracking's ``fps``), fewer than this many seconds, or
#: fewer than MIN_FRAMES_ANY_RATE frames (the fewest a fact is read from)
MIN_SECONDS, MIN_FRAMES_ANY_RATE = 1 / 3, 5
#: a per-joint problem names at most this many separate runs of frames (more: their span)
RUNS_NAMED = 3


def frames(seconds: float, fps: float, least: int = 1) -> int:
    """A duration in frames at ``fps`` frames/s, rounded half up, at least ``least``."""
    return max(int(np.floor(seconds * fps + 0.5)), least)


def min_frames(fps: float | None) -> int:
    """The fewest frames a clip at ``fps`` frames/s needs (MIN_FRAMES when the rate is not given)."""
    if fps is None:
        return MIN_FRAMES
    return frames(MIN_SECONDS, fps, MIN_FRAMES_ANY_RATE)
#: a joint moving less than this (share of the body's size per frame) is not moving at all:
#: far below any sensor's noise, so only a frozen or copied track does it
FROZEN_STEP = 2e-4
#: a joint frozen for at least this many frames while the body moves (and its bones stretch) is a
#: tracking failure
FROZEN_RUN = 8
#: ... and one of its bones changes length by this share meanwhile (it is left behind)
FROZEN_BONE = 0.2
#: the joints of a limb below the shoulder or hip: a frozen one freezes those hanging from it
LIMB_JOINTS = ("elbow", "wrist", "hand", "thumb", "index", "pinky", "knee", "ankle", "foot", "heel")
#: the whole skeleton frozen for at least this many frames is a dead track
DEAD_RUN = 5
#: the whole body (its median joint) moving faster than this (body sizes per second; ~15 m/s
#: for a standing adult, where a sprint reaches ~10 and a jump, jog or fall's body centre 2-5)
#: between two frames has not moved: the track broke there (see :func:`track_breaks`)
BREAK_SPEED = 7.5
#: a broken track's stretch of at most this many frames at the clip's start or end does not block a
#: height change (see ``facts.without_heights_across_breaks``)
END_STUB = 2
#: a chain of joints (an arm's shoulder and elbow; the neck and head) that moves away from the rest of
#: the body faster than this (body sizes per second; ~7 m/s for a standing adult at 30 fps: 0.23 m
#: in one frame, where even a pitch turns the shoulder at ~4 m/s) in one frame, and at least
#: STEP_ALONE times as far as in the frame before and the frame after (a real fast motion speeds up
#: and slows down over several frames; a tracker's step does it in one and stays, so the jump check's
#: spike misses it), was stepped there by the tracker (see :func:`chain_steps`)
STEP_SPEED = 4.0
STEP_ALONE = 3.0
#: a joint whose position leaves the line of its neighbours by more than this share of the body's
#: size in one frame and comes back (a spike) jumped; no limb moves out and back that fast
JUMP_SPIKE = 0.15
#: a bone whose length differs from its median by more than this share (plus a tenth of a
#: bone's length for noise) is broken in that frame
BONE_STRETCH = 0.45
#: a leg (hip to ankle) longer than when standing by this share of the standing head-to-ankle
#: length (~4 cm) is overextended: a straight leg is as long as a leg gets, so a hip further from
#: its ankle than that was tracked too high (Kinect v1 lifts the hip joints 0.1-0.2 m for several
#: frames when something is held in front of the pelvis)
LEG_OVERREACH = 0.025
#: ... and the hip got further from the ankle than the head did by this share (~6 cm): the head
#: stays where it was while the pelvis rises, which no body does (standing up or on the toes lifts
#: the head as much)
HIP_RISE = 0.04
#: the standing frames of a leg: its head-to-ankle length at or above this percentile
STANDING_PERCENTILE = 80
#: while the hips are tracked too high, a knee whose shin is this much longer than when standing
#: was pulled up with them (a stretched thigh alone is the hip's doing) and is not read either
KNEE_STRETCH = 0.1
#: the shoulder line turning by more than this between two frames is a left/right swap
SWAP_ANGLE = 120
#: joints below this BlazePose visibility are not seen (MediaPipe's own threshold)
MIN_VISIBILITY = 0.5
#: a trunk longer or shorter than these times its median length over the clip is not one body's
#: (:func:`_not_one_body`); a trunk bent towards the camera keeps at least half its image length
#: up to a 60 degree bow, so the short bound leaves real bows alone
TRUNK_LONGER, TRUNK_SHORTER = 1.6, 0.5
#: a problem on a joint is reported once it covers this share of the frames (shorter failures
#: are still masked, not worth a sentence)
REPORT_SHARE = 0.1
#: a hand this far behind the shoulders' plane (statures) is hidden from a sensor in front
BEHIND_BODY = 0.06
#: ... and within this share of the shoulder width of the torso's middle, as the camera sees it
SILHOUETTE = 0.45
#: the shoulder line is reported as collapsed when it is unreadable in this share of frames
COLLAPSED_SHARE = 0.2
#: no hand gets further than this from its shoulder (statures; shoulder to fingertip is ~0.44,
#: less in a 2D image): a hand tracked further away in a few frames is a tracker's guess
ARM_REACH = 0.55
#: ... in at least this many frames (one frame is a spike, masked by the jump check), and then the
#: whole track of that hand is a guess (a tracker that lost the hand keeps guessing in between)
GUESSED_FRAMES = 2
#: nor further than this from its elbow (statures; elbow to fingertip is ~0.25)
FOREARM_REACH = 0.33
#: the same bounds in torso lengths (shoulders' middle to hips' middle, ~0.3 statures standing),
#: the larger of the two counting: a body lying, sitting or cropped in a 2D image has a small
#: stature but its torso keeps its length, so its arms would otherwise exceed a stature bound
ARM_REACH_TORSOS, FOREARM_REACH_TORSOS = 1.8, 1.1


@dataclass(frozen=True)
class Problem:
    """Something the input cannot support. ``frames`` is (first, last) in input frames;
    ``blocking`` means no motion can be read at all."""

    kind: str
    joints: tuple[str, ...]
    frames: tuple[int, int]
    text: str
    blocking: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Tracking:
    """The problems found and the joint-frames that may be read."""

    problems: list[Problem] = field(default_factory=list)
    valid: np.ndarray | None = None          # (T, V) bool over the person's frames
    frames: np.ndarray | None = None         # the input frame index of each of those frames
    jumped: np.ndarray | None = None         # (T, V) the joint-frames the jump check flagged
    #: the input frames after which the whole body jumps (see :func:`track_breaks`), and its step there
    breaks: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    break_steps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: the input frames after which a chain of joints steps away from the body in one frame (see
    #: :func:`chain_steps`), and the chain's name there ('left_arm', 'right_arm', 'neck')
    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    step_chains: tuple[str, ...] = ()
    #: (T,) the frames whose hips rise as in :func:`_risen_hips` on every leg read there, though
    #: one leg is not read (see :func:`_risen_hips`); None when not checked
    lifted: np.ndarray | None = None

    @property
    def blocked(self) -> bool:
        return any(p.blocking for p in self.problems)

    def block(self, kind: str, text: str, frames: tuple[int, int] = (0, 0)) -> "Tracking":
        self.problems.append(Problem(kind, (), frames, text, blocking=True))
        return self


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs, end exclusive, of the True runs of a 1D mask."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return list(zip(edges[::2], edges[1::2]))


def _frames_words(first: int, last: int) -> str:
    return f"frame {first}" if first == last else f"frames {first}-{last}"


def _runs_words(rows: np.ndarray, most: int = RUNS_NAMED) -> str:
    """The frames ``rows`` (sorted frame numbers) in words, run by run ('frames 6-7 and 15-16'): the
    frames between two runs are read, and a problem that says 'no motion is read there' of the span
    from the first to the last would say so of them too (hand-check round 16, NW-UCLA a01_s08_e00:
    'frames 6-16', while the hand was read in 8-14). More than ``most`` runs: their span and count."""
    breaks = np.flatnonzero(np.diff(rows) > 1)
    runs = list(zip(np.r_[rows[:1], rows[breaks + 1]], np.r_[rows[breaks], rows[-1:]]))
    if len(runs) > most:
        return f"{_frames_words(int(rows[0]), int(rows[-1]))} ({len(runs)} separate stretches)"
    words = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs]
    many = len(runs) > 1 or runs[0][0] != runs[0][1]
    return f"frame{'s' if many else ''} " + (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0])


def _joint_names(layout: Layout, joints: list[int]) -> str:
    if len(joints) == len(layout.joints) > 1:
        return "whole skeleton's joints"          # not twenty names in a row ("the ... jump")
    names = [layout.joints[j].replace("_", " ") for j in joints]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _present(x: np.ndarray) -> np.ndarray:
    """Frames (T,) holding a person: any value that is non-zero (NaN/inf count: they are there, broken)."""
    flat = x.reshape(len(x), -1)
    return (np.abs(np.nan_to_num(flat, nan=1.0, posinf=1.0, neginf=1.0)) > 0).any(axis=1)


def check_tracking(x: np.ndarray, layout: Layout, visibility: np.ndarray | None = None,
                   fps: float | None = None) -> tuple[np.ndarray, Tracking]:
    """The person's frames of ``x`` (T, V, C) with every unreadable joint-frame set to NaN, and
    the :class:`Tracking` that says why. ``visibility`` (T, V) in [0, 1] when the source gives it;
    ``fps`` the clip's frame rate (the shortest clip read is MIN_SECONDS long; see :func:`min_frames`)."""
    least = min_frames(fps)
    track = Tracking()
    present = _present(x)
    frames = np.flatnonzero(present)
    track.frames = frames
    if len(frames) == 0:
        return x[:0].astype(float), track.block("no_person", "no person in any frame: no motion can be read")
    x = x[frames].astype(float)
    finite = np.isfinite(x).all(axis=-1)                                      # (T, V)
    if not finite.all():
        _report_nonfinite(track, finite, frames, layout)
    if len(frames) == 1:
        return x, track.block("single_frame", "a single frame: motion cannot be read from one frame",
                              (int(frames[0]), int(frames[0])))
    x = np.where(finite[..., None], x, np.nan)
    valid = finite.copy()
    if finite.any(axis=1).sum() < least and not track.blocked:
        n = int(finite.any(axis=1).sum())
        return x, track.block("too_short", f"{n} frames only: too short to read motion (at least {least} are needed)",
                              (int(frames[0]), int(frames[-1])))
    size = body_size(x)
    valid &= ~_dead_frames(x, size, track, frames)
    valid &= ~_frozen_joints(x, size, valid, track, frames, layout)
    jumped = _jumping_joints(x, size, track, frames, layout)
    valid &= ~jumped
    if x.shape[-1] == 3:
        valid &= ~_risen_hips(np.where(valid[..., None], x, np.nan), track, frames, layout)
    valid &= ~_swapped_sides(x, track, frames, layout)
    valid &= ~_not_one_body(x, track, frames, layout)
    if visibility is not None:
        valid &= ~_invisible(np.asarray(visibility, float)[frames], track, frames, layout)
    seen = finite if visibility is None else finite & (np.asarray(visibility, float)[frames] >= MIN_VISIBILITY)
    track.breaks, track.break_steps = track_breaks(x, seen, size, frames, fps)
    if x.shape[-1] == 3:
        track.steps, track.step_chains = chain_steps(x, seen, size, frames, fps, layout)
    if valid.any(axis=1).sum() < least and not track.blocked:
        track.block("too_short", f"only {int(valid.any(axis=1).sum())} of {len(frames)} frames can be read: too few "
                                 f"to read motion (at least {least} are needed)", (int(frames[0]), int(frames[-1])))
    x, track.valid, track.frames = _keep_gaps(np.where(valid[..., None], x, np.nan), valid, frames)
    if track.lifted is not None:
        track.lifted = _in_place(track.lifted[:, None], frames)[:, 0]
    track.jumped = _in_place(jumped, frames)
    return x, track


def _in_place(mask: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """A (T, V) mask of the person's frames laid on the input's timeline as :func:`_keep_gaps` lays
    the keypoints (False in the frames without a person)."""
    full = np.zeros((int(frames[-1]) - int(frames[0]) + 1, mask.shape[1]), bool)
    full[frames - frames[0]] = mask
    return full


def _keep_gaps(x: np.ndarray, valid: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x`` (T, V, C) and ``valid`` (T, V) of the person's frames laid back on the input's own
    timeline from their first frame to their last, each input frame without a person kept in
    its place as unreadable (NaN) rather than skipped, and those input frames: a body seen
    before and after a gap (no person found, a cut) is not read as moving between two
    neighbouring frames, and every frame index said is the input's."""
    first, last = int(frames[0]), int(frames[-1])
    if last - first + 1 == len(frames):
        return x, valid, frames
    rows = frames - first
    full = np.full((last - first + 1, *x.shape[1:]), np.nan)
    full[rows] = x
    return full, _in_place(valid, frames), np.arange(first, last + 1)


def _report_nonfinite(track: Tracking, finite: np.ndarray, frames: np.ndarray, layout: Layout) -> None:
    bad_frames = np.flatnonzero(~finite.all(axis=1))
    if (~finite).all():
        track.block("nan", "every value of the skeleton is NaN or infinite: no motion can be read",
                    (int(frames[0]), int(frames[-1])))
        return
    joints = np.flatnonzero((~finite).any(axis=0)).tolist()
    first, last = int(frames[bad_frames[0]]), int(frames[bad_frames[-1]])
    track.problems.append(Problem("nan", tuple(layout.joints[j] for j in joints), (first, last),
                                  f"NaN or infinite values in {_frames_words(first, last)} "
                                  f"({len(joints)} joint{'s' if len(joints) > 1 else ''}): no motion is read from them"))


def body_size(x: np.ndarray) -> float:
    """A robust size of the body in data units (the median extent of the skeleton), for thresholds
    that must hold before the world frame is known."""
    extent = np.nanmax(x, axis=1) - np.nanmin(x, axis=1)                     # (T, C)
    size = np.nanmedian(np.linalg.norm(extent, axis=1))
    return float(size) if np.isfinite(size) and size > 0 else 1.0


def exact_repeats(x: np.ndarray, size: float) -> np.ndarray:
    """(T-1, V): whether each joint's step to the next frame is below FROZEN_STEP of the body's
    ``size``, i.e. the value repeats (a sensor's joint always jitters; an unread step is no repeat)."""
    return np.nan_to_num(np.linalg.norm(np.diff(x, axis=0), axis=-1), nan=np.inf) < FROZEN_STEP * size


def _dead_frames(x: np.ndarray, size: float, track: Tracking, frames: np.ndarray) -> np.ndarray:
    """Frames (T,) of a dead track: the whole skeleton frozen (no joint moves) for DEAD_RUN
    frames or more, or collapsed to a single point."""
    step = np.nanmax(np.linalg.norm(np.diff(x, axis=0), axis=-1), axis=1)       # (T-1,)
    still = np.concatenate([[False], np.nan_to_num(step, nan=0.0) < FROZEN_STEP * size])
    extent = np.nanmax(np.linalg.norm(x - np.nanmean(x, axis=1, keepdims=True), axis=-1), axis=1)
    point = np.nan_to_num(extent, nan=0.0) < FROZEN_STEP * size
    dead = np.zeros(len(x), bool)
    for a, b in true_runs(still):
        if b - a + 1 >= DEAD_RUN:
            dead[a:b] = True          # frame a-1, which they all copy, is still live
    dead |= point
    if dead.any():
        first = int(frames[np.flatnonzero(dead)[0]])
        live = int((~dead).sum())
        to_end = dead[np.flatnonzero(dead)[0]:].all()
        where = f"from frame {first}" if to_end else _frames_words(first, int(frames[np.flatnonzero(dead)[-1]]))
        text = (f"the track is dead {where} (every joint frozen in place): no motion is stated "
                f"{'there' if live >= MIN_FRAMES else 'at all'}")
        track.problems.append(Problem("dead_track", (), (first, int(frames[np.flatnonzero(dead)[-1]])), text,
                                      blocking=live < MIN_FRAMES))
    return np.repeat(dead[:, None], x.shape[1], axis=1)


def _frozen_joints(x: np.ndarray, size: float, valid: np.ndarray, track: Tracking, frames: np.ndarray,
                   layout: Layout) -> np.ndarray:
    """Joint-frames (T, V) of single joints frozen for FROZEN_RUN frames while the body moves."""
    step = np.linalg.norm(np.diff(x, axis=0), axis=-1)                          # (T-1, V)
    moving = np.nan_to_num(np.nanmax(step, axis=1), nan=0.0) >= FROZEN_STEP * size
    frozen = np.zeros(x.shape[:2], bool)
    neighbours = {v: [p if c == v else c for c, p in layout.bones if v in (c, p)] for v in range(x.shape[1])}
    repeats = exact_repeats(x, size)
    runs = {v: [(a, b) for a, b in true_runs(repeats[:, v] & moving) if b - a >= FROZEN_RUN] for v in range(x.shape[1])}
    for v, stretches in runs.items():
        for a, b in stretches:
            if _bones_change(x[a : b + 1], v, neighbours[v], size):
                frozen[a : b + 1, v] = True
    _spread_frozen(frozen, runs, layout)
    frozen &= valid
    _report_joints(track, frozen, frames, layout, "frozen_joint", ("is frozen in place while the body moves",
                                                                               "are frozen in place while the body moves"))
    return frozen


def _spread_frozen(frozen: np.ndarray, runs: dict[int, list[tuple[int, int]]], layout: Layout) -> None:
    """Mark, in place, the limb joints frozen together with their frozen parent joint: a limb
    that stops updating as a block (knee and ankle both stuck) keeps the bone between them, so
    only the joint next to the moving body shows a stretched bone; the joints hanging from it
    (LIMB_JOINTS only: a limb hangs from the trunk, never the other way round), not moving at
    all in the same frames (FROZEN_STEP), are just as stuck."""
    children = [(c, p) for c, p in layout.bones if any(k in layout.joints[c] for k in LIMB_JOINTS)]
    changed = True
    while changed:
        changed = False
        for child, parent in children:
            for a, b in runs[child]:
                stuck = frozen[a : b + 1, parent] & ~frozen[a : b + 1, child]
                if frozen[a : b + 1, parent].sum() >= FROZEN_RUN and stuck.any():
                    frozen[a : b + 1, child] |= frozen[a : b + 1, parent]
                    changed = True


def _bones_change(x: np.ndarray, joint: int, neighbours: list[int], size: float) -> bool:
    """Whether a bone of ``joint`` changes length over these frames: a joint that stays put while
    its neighbour moves away is stuck (a planted foot, or an annotator's unchanged click, keeps its
    bones and is not)."""
    for other in neighbours:
        length = np.linalg.norm(x[:, joint] - x[:, other], axis=-1)
        if np.isfinite(length).sum() >= 2 and np.nanmax(length) - np.nanmin(length) > FROZEN_BONE * np.nanmedian(length) + 0.01 * size:
            return True
    return False


def _jumping_joints(x: np.ndarray, size: float, track: Tracking, frames: np.ndarray, layout: Layout) -> np.ndarray:
    """Joint-frames (T, V) where a joint spikes away and back, or stretches its bones beyond what
    a body allows."""
    bad = np.zeros(x.shape[:2], bool)
    if len(x) >= 3:
        spike = np.linalg.norm(x[1:-1] - (x[:-2] + x[2:]) / 2, axis=-1)
        between = (frames[2:] - frames[:-2] == 2)[:, None]       # not across a gap without a person
        bad[1:-1] |= (np.nan_to_num(spike, nan=0.0) > JUMP_SPIKE * size) & between
    broken = np.zeros(x.shape[:2], int)
    degree = np.zeros(x.shape[1], int)
    for child, parent in layout.bones:
        length = np.linalg.norm(x[:, child] - x[:, parent], axis=-1)
        med = np.nanmedian(length) if np.isfinite(length).any() else np.nan
        if not np.isfinite(med) or med <= 0:
            continue
        off = np.nan_to_num(np.abs(length - med), nan=0.0) > BONE_STRETCH * med + 0.1 * med + 0.02 * size
        broken[:, child] += off
        broken[:, parent] += off
        degree[child] += 1
        degree[parent] += 1
    # a joint is to blame when every bone it has (its only one, for a hand or foot) broke, or two did
    bad |= (broken >= np.minimum(degree, 2)[None]) & (broken > 0)
    _report_joints(track, bad, frames, layout, "jumping_joint", ("jumps implausibly (a spike or a stretched bone)",
                                                                        "jump implausibly (spikes or stretched bones)"))
    return bad


def _risen_hips(x: np.ndarray, track: Tracking, frames: np.ndarray, layout: Layout) -> np.ndarray:
    """Joint-frames (T, V) of the pelvis (and knees pulled up with it) in frames where both legs are
    longer than when standing (LEG_OVERREACH) and their hips rose further from the ankles than
    the head (HIP_RISE): bones keep their length, so the hips are tracked too high there. The
    tracker drifts in and out of the fault: each run is grown over the frames next to it where one
    leg is still beyond both thresholds and the other at least longer than standing with its hip
    risen more than the head (hand-check
    round 15, NW-UCLA a08_s02_e01_v03: the pelvis 0.63 -> 0.77 statures in frames 19-21, before
    the run the thresholds find, read as a 0.24 m squat), then widened by a frame on both sides.
    The same frames found with a leg that is not read there (a frozen ankle) left out are set as
    ``track.lifted``, which only the trunk's tilt heeds (hand-check round 43, NW-UCLA
    a08_s03_e01_v01: the pelvis 1.11 -> 1.37 -> 1.16 m in frames 18-24 over a frozen right ankle,
    read as a 30 degree bend); its pelvis stays readable (a hand's raise is read against the trunk)."""
    bad = np.zeros(x.shape[:2], bool)
    legs = [layout.parts.get(f"{s}_leg", ()) for s in ("left", "right")]
    head = head_joints(layout)
    if any(len(leg) < 3 for leg in legs) or not head:
        return bad
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        top = nanmean_joints(x, head)
        risen = np.ones(len(x), bool)
        drifting = np.ones(len(x), bool)
        lifted = np.ones(len(x), bool)           # ... on every leg read (a masked leg does not veto)
        lifting = np.ones(len(x), bool)
        one_risen = np.zeros(len(x), bool)
        stretched = {}
        for hip, knee, ankle in (leg[:3] for leg in legs):
            leg = np.linalg.norm(x[:, hip] - x[:, ankle], axis=1)
            body = np.linalg.norm(top - x[:, ankle], axis=1)
            if np.isfinite(leg + body).sum() < MIN_FRAMES:
                return bad
            standing = np.isfinite(leg + body) & (body >= np.nanpercentile(body, STANDING_PERCENTILE))
            length, height = np.median(leg[standing]), np.median(body[standing])
            if not height > 0:
                return bad
            over = np.nan_to_num((leg - length) / height, nan=-1.0)
            rose = np.nan_to_num((leg - length - (body - height)) / height, nan=-1.0)
            unread = ~np.isfinite(leg + body)
            risen &= (over > LEG_OVERREACH) & (rose > HIP_RISE)
            one_risen |= (over > LEG_OVERREACH) & (rose > HIP_RISE)
            drifting &= (over > 0) & (rose > 0)
            lifted &= (over > LEG_OVERREACH) & (rose > HIP_RISE) | unread
            lifting &= (over > 0) & (rose > 0) | unread
            shin = np.linalg.norm(x[:, knee] - x[:, ankle], axis=1)
            stretched[knee] = shin > (1 + KNEE_STRETCH) * np.nanmedian(shin[standing])
    lifted = _grown_over(lifted & one_risen, lifting & one_risen)
    track.lifted = lifted | np.r_[lifted[1:], False] | np.r_[False, lifted[:-1]]
    if not risen.any():
        return bad
    risen = _grown_over(risen, drifting & one_risen)
    count = int(risen.sum())
    risen = risen | np.r_[risen[1:], False] | np.r_[False, risen[:-1]]
    pelvis = _pelvis_joints(x, layout, [leg[0] for leg in legs])
    bad[np.ix_(risen, pelvis)] = True
    for knee, pulled in stretched.items():
        bad[:, knee] |= risen & pulled
    if count >= 2:
        rows = np.flatnonzero(risen)
        first, last = int(frames[rows[0]]), int(frames[rows[-1]])
        joints = np.flatnonzero(bad.any(axis=0)).tolist()
        track.problems.append(Problem("risen_hips", tuple(layout.joints[j] for j in joints), (first, last),
                                      f"the hips are tracked too high in {count} frames ({_frames_words(first, last)}: "
                                      f"the legs longer than when standing while the head stays): no motion is read "
                                      f"from the {_joint_names(layout, joints)} there"))
    return bad


def _grown_over(core: np.ndarray, around: np.ndarray) -> np.ndarray:
    """``core`` (T,) bool grown over the frames of ``around`` next to it (the runs of ``around``
    that hold a ``core`` frame)."""
    grown = core.copy()
    for t in range(1, len(core)):
        grown[t] |= grown[t - 1] and around[t]
    for t in range(len(core) - 2, -1, -1):
        grown[t] |= grown[t + 1] and around[t]
    return grown


def _pelvis_joints(x: np.ndarray, layout: Layout, hips: list[int]) -> list[int]:
    """The hip joints, the spine's bottom and any joint tracked within a quarter of the spine's
    length of it (Kinect's lowest spine joint): a tracker that lifts the hips lifts them all."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bottom = nanmean_joints(x, layout.spine_bottom)
        spine = np.nanmedian(np.linalg.norm(nanmean_joints(x, layout.spine_top) - bottom, axis=1))
        near = np.nanmedian(np.linalg.norm(x - bottom[:, None], axis=-1), axis=0) < 0.25 * spine
    return sorted(set(hips) | set(layout.spine_bottom) | set(np.flatnonzero(near).tolist()))


def _swapped_sides(x: np.ndarray, track: Tracking, frames: np.ndarray, layout: Layout) -> np.ndarray:
    """Joint-frames (T, V) of both sides' joints while a tracker has swapped left and right: the
    shoulder line turns round (more than SWAP_ANGLE degrees) from one frame to the next, which no
    body does, and back again later (or never). Which side did what cannot be told there."""
    across = x[:, layout.left_shoulder] - x[:, layout.right_shoulder]
    norm = np.linalg.norm(across, axis=1)
    unit = across / np.where(norm > 0, norm, np.nan)[:, None]
    cos = np.einsum("tc,tc->t", unit[1:], unit[:-1])
    wide = norm >= 0.5 * np.nanpercentile(norm, 90)         # an edge-on (collapsed) line turns round by noise
    cos = np.where(wide[1:] & wide[:-1], cos, 1.0)
    flips = np.flatnonzero(np.nan_to_num(cos, nan=1.0) < np.cos(np.radians(SWAP_ANGLE))) + 1
    swapped = np.zeros(len(x), bool)
    for a, b in zip(flips[::2], list(flips[1::2]) + [len(x)]):
        swapped[a:b] = True
    bad = np.zeros(x.shape[:2], bool)
    if not swapped.any():
        return bad
    sided = [j for j, name in enumerate(layout.joints) if "left" in name or "right" in name]
    bad[np.ix_(swapped, sided)] = True
    rows = np.flatnonzero(swapped)
    first, last = int(frames[rows[0]]), int(frames[rows[-1]])
    track.problems.append(Problem("swapped_sides", (), (first, last),
                                  f"left and right are swapped in {_frames_words(first, last)} (the shoulder line "
                                  f"turns round between two frames): no motion of a side is read there"))
    return bad


def _not_one_body(x: np.ndarray, track: Tracking, frames: np.ndarray, layout: Layout) -> np.ndarray:
    """Joint-frames (T, V) of every joint in the frames where the trunk (shoulders' middle to hips'
    middle) is longer than TRUNK_LONGER or shorter than TRUNK_SHORTER times its median over the
    clip: a ratio to the person's own trunk, so it holds in any unit (image pixels, metres) and at
    any distance from the camera that changes slowly; a body's trunk keeps its length, so such a
    skeleton joins parts of two people or of the scene (an estimator's marks on both arm-wrestlers
    and the table) or is tracked in pieces, and nothing is read from it there."""
    bad = np.zeros(x.shape[:2], bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        trunk = np.linalg.norm(nanmean_joints(x, layout.spine_top) - nanmean_joints(x, layout.spine_bottom), axis=-1)
    if not _enough(trunk) or not np.nanmedian(trunk) > 0:
        return bad
    ratio = np.nan_to_num(trunk / np.nanmedian(trunk), nan=1.0)
    off = (ratio > TRUNK_LONGER) | (ratio < TRUNK_SHORTER)
    bad[off] = True
    if off.mean() >= REPORT_SHARE or off.sum() >= MIN_FRAMES:
        rows = np.flatnonzero(off)
        first, last = int(frames[rows[0]]), int(frames[rows[-1]])
        track.problems.append(Problem("not_one_body", (), (first, last),
                                      f"the skeleton is not one body in {int(off.sum())} frames ({_frames_words(first, last)}: "
                                      f"its trunk is over {TRUNK_LONGER:g} or under {TRUNK_SHORTER:g} times its usual "
                                      f"length): nothing is read there"))
    return bad


def body_steps(x: np.ndarray, seen: np.ndarray, size: float, frames: np.ndarray) -> np.ndarray:
    """(T-1,) the whole body's step from each frame to the next input frame that stays: the median
    over the joints ``seen`` in the frames compared of their displacement, in body sizes, the least
    of the steps from frame i to i + 1, to i + 2 and from i - 1 to i + 1 (a frame that jumps away
    and back is a spike, which the jump check masks, not a move). The median, not the mean: a hand's quick swing
    moves a few joints. NaN where the next frame is not the next input frame or half the joints are
    not seen in both."""
    least = max(x.shape[1] // 2, 1)

    def median_step(gap: int) -> np.ndarray:
        out = np.full(len(x) - 1, np.nan)
        if len(x) <= gap:
            return out
        both = seen[:-gap] & seen[gap:]
        step = np.where(both, np.linalg.norm(x[gap:] - x[:-gap], axis=-1), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(step, axis=1) / size
        ok = (both.sum(axis=1) >= least) & (frames[gap:] - frames[:-gap] == gap)
        out[: len(med)] = np.where(ok, med, np.nan)
        return out

    one, two = median_step(1), median_step(2)
    after = np.r_[two[:-1], one[-1:]]    # from frame i to i + 2 (the last step has no frame after it)
    before = np.r_[one[:1], two[:-1]]    # from frame i - 1 to i + 1 (frame i a spike that came back)
    return np.where(np.isfinite(one), np.fmin(one, np.fmin(after, before)), np.nan)


def track_breaks(x: np.ndarray, seen: np.ndarray, size: float, frames: np.ndarray,
                 fps: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(the input frames after which the track breaks, the whole body's step there in body sizes):
    where the whole body (the median joint, see :func:`body_steps`) moves farther in one frame than
    BREAK_SPEED allows and stays there, the tracker has shifted the skeleton, switched to someone or
    something else or re-initialised (hand-check round 30, NW-UCLA a06_s06_e00_v01: the hip centre
    moves 0.58 m in one frame to a skeleton that then stands frozen, read as 'sits down'). The pose
    often carries on across such a shift, so the frames on both sides stay readable: only a change of
    the hips' height is not read across it (see ``facts.without_heights_across_breaks``)."""
    step = body_steps(x, seen, size, frames)
    at = np.flatnonzero(np.nan_to_num(step, nan=0.0) > BREAK_SPEED / (fps or 30.0))
    return frames[at].astype(int), step[at]


def step_chains(layout: Layout) -> dict[str, tuple[int, ...]]:
    """The chains :func:`chain_steps` watches: each arm's shoulder and elbow (a hand alone moves
    fast in a real throw; the joints it hangs from do not), and the neck with the head."""
    chains = {side: layout.parts.get(side, ())[:2] for side in ("left_arm", "right_arm")}
    chains["neck"] = tuple(dict.fromkeys((*layout.spine_top, *head_joints(layout))))
    return {name: joints for name, joints in chains.items() if len(joints) >= 2}


def chain_steps(x: np.ndarray, seen: np.ndarray, size: float, frames: np.ndarray, fps: float | None,
                layout: Layout) -> tuple[np.ndarray, tuple[str, ...]]:
    """(the input frames after which a chain of :func:`step_chains` steps, the chain's names): every
    joint of the chain moves, against the body's median step, faster than STEP_SPEED in one frame
    and STEP_ALONE times as far as in the frames next to it (hand-check round 43, NW-UCLA
    a03_s02_e03_v01: the left shoulder, elbow and hand drop 0.24 / 0.40 / 0.48 m from frame 40 to
    41 and stay, their bones kept, read as 'lowers the left hand again'). Which side of the step
    holds the true pose is not known, so the frames next to it may not decide a fact (see
    ``facts.without_raises_left_by_steps``)."""
    if len(x) < 3:
        return np.zeros(0, int), ()
    step = np.diff(x, axis=0)                                                   # (T-1, V, C)
    both = seen[1:] & seen[:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        body = np.nanmedian(np.where(both[..., None], step, np.nan), axis=1, keepdims=True)
    apart = np.linalg.norm(step - body, axis=-1) / size                         # (T-1, V)
    apart = np.where(both & (np.diff(frames) == 1)[:, None], apart, np.nan)
    least = STEP_SPEED / (fps or 30.0)
    rows, names = [], []
    for name, joints in step_chains(layout).items():
        read = np.isfinite(apart[:, joints]).all(axis=1)
        chain = np.where(read, np.nan_to_num(apart[:, joints], nan=0.0).min(axis=1), np.nan)   # its slowest joint
        near = np.fmax(np.r_[np.nan, chain[:-1]], np.r_[chain[1:], np.nan])
        alone = np.nan_to_num(chain, nan=0.0) >= STEP_ALONE * np.nan_to_num(near, nan=np.inf)
        for r in np.flatnonzero((np.nan_to_num(chain, nan=0.0) > least) & alone):
            rows.append(int(frames[r]))
            names.append(name)
    order = np.argsort(rows, kind="stable")
    return np.asarray(rows, int)[order], tuple(names[i] for i in order)


def _enough(x: np.ndarray) -> bool:
    return int(np.isfinite(x).sum()) >= MIN_FRAMES


def _invisible(visibility: np.ndarray, track: Tracking, frames: np.ndarray, layout: Layout) -> np.ndarray:
    """Joint-frames below MIN_VISIBILITY. Only 0s and 1s are an annotation's flags (Penn Action's,
    through ``Sample.visibility``), not a pose estimator's score: the sentence says which."""
    hidden = visibility < MIN_VISIBILITY
    if np.isin(visibility, (0.0, 1.0)).all():
        _report_joints(track, hidden, frames, layout, "low_visibility",
                       ("is marked hidden by the annotation", "are marked hidden by the annotation"))
    else:      # a score says how sure the estimator is, not whether the joint is in view (a hand in view can score 0.3)
        _report_joints(track, hidden, frames, layout, "low_visibility",
                       ("is", "are"), f"the pose estimator is unsure where the {{names}} {{verb}} (visibility "
                                      f"score below {MIN_VISIBILITY})")
    return hidden


def _shares_words(shares: np.ndarray) -> str:
    """'30% of the frames' for one share, 'from 12% to 100% of the frames, by joint' for several
    that differ: the largest alone would be read as each joint's."""
    low, high = f"{shares.min():.0%}", f"{shares.max():.0%}"
    return f"{high} of the frames" if low == high else f"from {low} to {high} of the frames, by joint"


def _report_joints(track: Tracking, bad: np.ndarray, frames: np.ndarray, layout: Layout, kind: str,
                   what: tuple[str, str], subject: str = "the {names} {verb}") -> None:
    """One problem for the joints that fail in at least REPORT_SHARE of the frames; ``subject`` the
    sentence's start with the joints' ``{names}`` and ``{verb}`` (``what``: one joint's, several's)."""
    share = bad.mean(axis=0)
    joints = np.flatnonzero(share >= REPORT_SHARE).tolist()
    if not joints:
        return
    rows = np.flatnonzero(bad[:, joints].any(axis=1))
    first, last = int(frames[rows[0]]), int(frames[rows[-1]])
    names = _joint_names(layout, joints)
    verb = what[0] if len(joints) == 1 else what[1]
    track.problems.append(Problem(kind, tuple(layout.joints[j] for j in joints), (first, last),
                                  f"{subject.format(names=names, verb=verb)} in {_runs_words(frames[rows])} "
                                  f"({_shares_words(share[joints])}): no motion is read from "
                                  f"{'it' if len(joints) == 1 else 'them'} there"))


# --- a skeleton that collapses and comes back, once up is known (3D) ---------------------------
#: the hips going down and coming back up faster than this, in statures per second (~6.6 m/s for a
#: 1.65 m adult), were not moved by a body: falling freely from standing, the hips reach the floor at
#: about 2.5 statures/s, and a jump leaves it at under 2. Kinect's crouches overshoot (the tracker
#: snaps the legs shut as the body goes down: up to 3.5 statures/s in real pick-ups judged to hold),
#: so only a dip faster both ways than COLLAPSE_SPEED is a collapse
COLLAPSE_SPEED = 4.0
#: ... the fast fall and the fast rise within this many seconds of each other
COLLAPSE_WINDOW = 0.5
#: the legs show the collapse: a knee below its own ankle, or a shin shorter than this share of its
#: median length (Kinect does both in real crouches too: they only back a dip too fast for a body)
SHIN_COLLAPSE = 0.5
#: the collapse lasts while the hips are lower than their level on both sides of it by this (statures)
COLLAPSE_LEVEL = 0.02


def collapsed_skeleton(coords: np.ndarray, dims: int, layout: Layout, input_frames: np.ndarray,
                       fps: float | None) -> tuple[list[Problem], np.ndarray]:
    """Frames (T,) in which the tracked skeleton collapses and comes back: the hips (``coords`` in
    world coordinates, statures, height on axis 1; ``input_frames`` their input frame numbers) go
    down faster than COLLAPSE_SPEED and back up as fast within COLLAPSE_WINDOW, while the legs fold under the ankles or their shins shrink (hand-check
    round 47, NW-UCLA a04_s01_e00_v01: in mid-walk the pelvis 1.06 -> 0.21 -> 1.04 m in 0.4 s, the
    knees under the ankles, the shins 0.38 -> 0.08 m, read as a 0.81 m squat). Every joint drops with
    the hips, so no single joint jumps (:func:`_jumping_joints`), and nothing is read in those frames.
    3D only: in an image the figure's height changes with its distance from the camera."""
    collapsed = np.zeros(len(coords), bool)
    if dims != 3 or len(coords) < 3:
        return [], collapsed
    rate = fps or 30.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        hips = nanmean_joints(coords, layout.spine_bottom)[:, 1]
    speed = np.full(len(hips), np.nan)
    speed[1:-1] = (hips[2:] - hips[:-2]) * rate / 2
    falls = np.flatnonzero(np.nan_to_num(speed, nan=0.0) < -COLLAPSE_SPEED)
    rises = np.flatnonzero(np.nan_to_num(speed, nan=0.0) > COLLAPSE_SPEED)
    window = frames(COLLAPSE_WINDOW, rate)
    problems = []
    for fall in falls:
        rise = rises[(rises > fall) & (rises <= fall + window)]
        if not len(rise) or collapsed[fall]:
            continue
        first, last = _collapse_span(hips, int(fall), int(rise[0]), window)
        legs = _legs_collapse(coords[first : last + 1], layout, coords)
        if legs is None:
            continue
        collapsed[first : last + 1] = True
        depth = float(np.nanmax(hips[[max(first - 1, 0), min(last + 1, len(hips) - 1)]]) - np.nanmin(hips[first : last + 1]))
        a, b = int(input_frames[first]), int(input_frames[last])
        problems.append(Problem("collapsed_skeleton", (), (a, b),
                                f"the skeleton collapses in {_frames_words(a, b)}: the hips drop by {depth:.0%} of the "
                                f"body's height and come back up within {(last - first + 1) / rate:.1f} s, faster than a "
                                f"body moves, with {legs}: a tracking failure, nothing is read there"))
    return problems, collapsed


def _collapse_span(hips: np.ndarray, fall: int, rise: int, window: int) -> tuple[int, int]:
    """(first, last) frame of a collapse whose fastest fall is at ``fall`` and rise at ``rise``: the
    frames around its lowest point in which the hips are below the level they hold on both sides
    (the lower of the highest within ``window`` frames before the fall and after the rise) by more
    than COLLAPSE_LEVEL."""
    low = fall + int(np.nanargmin(hips[fall : rise + 1]))
    before, after = hips[max(fall - window, 0) : fall + 1], hips[rise : rise + window + 1]
    level = min(float(np.nanmax(before)), float(np.nanmax(after))) - COLLAPSE_LEVEL
    up = np.nan_to_num(hips, nan=-np.inf) >= level
    first = next((t + 1 for t in range(low, -1, -1) if up[t]), 0)
    last = next((t - 1 for t in range(low, len(hips)) if up[t]), len(hips) - 1)
    return first, last


def _legs_collapse(span: np.ndarray, layout: Layout, coords: np.ndarray) -> str | None:
    """What the legs do in the frames ``span`` (T', V, 3) of a fast dip, in words, when they show a
    collapse (a knee below its own ankle, a shin under SHIN_COLLAPSE of its median over ``coords``);
    None when they do not, or the layout has no knees and ankles."""
    under = short = False
    for side in ("left", "right"):
        leg = layout.parts.get(f"{side}_leg", ())
        if len(leg) < 3:
            return None
        knee, ankle = leg[1], leg[2]
        with np.errstate(invalid="ignore"):
            under |= bool((span[:, knee, 1] < span[:, ankle, 1]).any())
            shin = np.linalg.norm(coords[:, knee] - coords[:, ankle], axis=-1)
            if np.isfinite(shin).any():
                short |= bool((np.linalg.norm(span[:, knee] - span[:, ankle], axis=-1) < SHIN_COLLAPSE * np.nanmedian(shin)).any())
    if not (under or short):
        return None
    return " and ".join(w for w, on in (("a knee below its ankle", under), ("a shin shrunk to under half its length", short)) if on)


# --- problems of the view, once up and facing are known --------------------------------------
def view_problems(coords: np.ndarray, facing: np.ndarray, dims: int, layout: Layout, frames: np.ndarray,
                  hand_joints: dict[str, tuple[int, ...]], camera: np.ndarray | None = None) -> tuple[list[Problem], np.ndarray]:
    """Collapsed shoulders and hands behind the body, from world coordinates (T, V, 3) in statures,
    the per-frame facing (NaN where unreadable) and the camera's place on the floor plane (h1, h2)
    when the data is in camera coordinates. Returns the problems and the joint-frames (T, V) to
    drop (the hands while hidden behind the body)."""
    problems: list[Problem] = []
    drop = np.zeros(coords.shape[:2], bool)
    _guessed_hands(coords, layout, frames, hand_joints, problems, drop)
    if dims != 3:
        return problems, drop
    unreadable = ~np.isfinite(facing).all(axis=1)
    present = np.isfinite(coords[:, [layout.left_shoulder, layout.right_shoulder]]).all(axis=(1, 2))
    lost = unreadable & present
    if present.any() and lost[present].mean() >= COLLAPSED_SHARE:
        rows = np.flatnonzero(lost)
        first, last = int(frames[rows[0]]), int(frames[rows[-1]])
        problems.append(Problem("collapsed_shoulders", (layout.joints[layout.left_shoulder], layout.joints[layout.right_shoulder]),
                                (first, last), f"the shoulder line collapses (the body seen edge-on) in "
                                f"{lost[present].mean():.0%} of the frames ({_frames_words(first, last)}): turns and "
                                f"forward reaches are not read there"))
    hidden = _hidden_hands(coords, facing, layout, hand_joints, camera)
    for side, joints in hand_joints.items():
        if not joints:
            continue
        behind = hidden[side]
        drop[:, list(joints)] |= behind[:, None]
        if behind.mean() >= REPORT_SHARE:
            rows = np.flatnonzero(behind)
            first, last = int(frames[rows[0]]), int(frames[rows[-1]])
            problems.append(Problem("hand_behind_body", tuple(layout.joints[j] for j in joints), (first, last),
                                    f"the {side} hand is behind the body (hidden from the sensor) in "
                                    f"{_frames_words(first, last)}: its motion is not read there"))
    return problems, drop


def _guessed_hands(coords: np.ndarray, layout: Layout, frames: np.ndarray, hand_joints: dict[str, tuple[int, ...]],
                   problems: list[Problem], drop: np.ndarray) -> None:
    """A hand tracked further from its shoulder than an arm reaches (ARM_REACH), or from its elbow
    than a forearm (FOREARM_REACH), in GUESSED_FRAMES frames or more is a guess (a hand hidden behind the back, tracked at wandering places): none of
    its frames is read."""
    shoulders = {"right": layout.right_shoulder, "left": layout.left_shoulder}
    arm_bound, forearm_bound = ARM_REACH, FOREARM_REACH
    if "left_hip" in layout.joints and "right_hip" in layout.joints:
        hips = coords[:, [layout.joints.index("left_hip"), layout.joints.index("right_hip")]].mean(axis=1)
        middle = coords[:, [layout.left_shoulder, layout.right_shoulder]].mean(axis=1)
        with np.errstate(invalid="ignore"):
            torso = np.linalg.norm(middle - hips, axis=1)
        if np.isfinite(torso).any():
            torso_length = float(np.nanmedian(torso))
            arm_bound = max(arm_bound, ARM_REACH_TORSOS * torso_length)
            forearm_bound = max(forearm_bound, FOREARM_REACH_TORSOS * torso_length)
    for side, joints in hand_joints.items():
        if not joints:
            continue
        with np.errstate(invalid="ignore"):
            hand = np.nanmean(coords[:, list(joints)], axis=1)
        reach = np.linalg.norm(hand - coords[:, shoulders[side]], axis=1)
        far = np.nan_to_num(reach, nan=0.0) > arm_bound
        if f"{side}_elbow" in layout.joints:
            forearm = np.linalg.norm(hand - coords[:, layout.joints.index(f"{side}_elbow")], axis=1)
            far |= np.nan_to_num(forearm, nan=0.0) > forearm_bound
        if far.sum() < GUESSED_FRAMES:
            continue
        drop[:, list(joints)] = True
        rows = np.flatnonzero(far)
        first, last = int(frames[rows[0]]), int(frames[rows[-1]])
        problems.append(Problem("guessed_hand", tuple(layout.joints[j] for j in joints), (first, last),
                                f"the {side} hand is tracked further from the shoulder than an arm reaches in "
                                f"{int(far.sum())} frames ({_frames_words(first, last)}): the tracker guesses it, "
                                f"so its motion is not read at all"))


def _hidden_hands(coords: np.ndarray, facing: np.ndarray, layout: Layout, hand_joints: dict[str, tuple[int, ...]],
                  camera: np.ndarray | None) -> dict[str, np.ndarray]:
    """Per side, the frames (T,) in which the hand is behind the body: BEHIND_BODY behind the
    shoulders' plane by the facing, and, when the camera's place is known (data in camera
    coordinates, as Kinect gives it), also hidden from it: farther from the camera than the
    shoulders by BEHIND_BODY and inside the torso's silhouette (depth crossing the torso). A hand
    behind the back that the camera sees from behind is visible and read; so are hands in front
    of a person seen from behind."""
    shoulders = np.nanmean(coords[:, [layout.left_shoulder, layout.right_shoulder]][..., [0, 2]], axis=1)
    across = coords[:, layout.left_shoulder, [0, 2]] - coords[:, layout.right_shoulder, [0, 2]]
    width = np.linalg.norm(across, axis=1)
    typical = float(np.nanpercentile(width, 90)) if np.isfinite(width).any() else 0.0
    out = {}
    for side, joints in hand_joints.items():
        if not joints:
            out[side] = np.zeros(len(coords), bool)
            continue
        with np.errstate(invalid="ignore"):
            hand = np.nanmean(coords[:, list(joints)][..., [0, 2]], axis=1) if len(joints) > 1 else coords[:, joints[0], [0, 2]]
        rel = hand - shoulders
        hidden = np.einsum("tc,tc->t", rel, facing) < -BEHIND_BODY
        if camera is not None:
            ray = shoulders - camera
            ray = ray / np.linalg.norm(ray, axis=1, keepdims=True)
            depth = np.einsum("tc,tc->t", rel, ray)
            lateral = np.abs(rel[:, 0] * ray[:, 1] - rel[:, 1] * ray[:, 0])
            hidden &= (depth > BEHIND_BODY) & (lateral < SILHOUETTE * typical)
        out[side] = np.nan_to_num(hidden, nan=False).astype(bool)
    return out
