"""The world frame of one person's skeleton sequence: which way is up, where the floor is, how
tall the person stands, which way they face, and whether distances can be given in metres.

Up comes from gravity over the *whole* sequence, never from the first frames' spine (a person
who starts bent, or a camera pitched by 20 degrees, would tilt every later measurement):

* 3D data: the mean direction from the feet to the head, averaged with the spine's, over the
  frames in which the person stands tallest (bending, sitting and squatting shorten that line,
  standing does not), then
  corrected by the floor: when the feet travel, their lowest points lie on the floor, so up is
  made orthogonal to the direction they travelled (and, when they cover an area, up is the
  normal of the plane they span). A walk towards a pitched camera then stays level.
* 2D image data: the image's vertical (image y points down), flipped only when the head is
  below the feet in most frames (2D data already given with y up).

Distances are in statures (the head's height above the floor when standing) inside the
detector; they are shown in metres when the data has metric scale, told by a plausibility check
of that height (3D data whose standing head height lies between 1.0 m and 2.3 m), else in
statures. Facing (where the person's front points) is read from the shoulder line and is only
*readable* in frames where that line is not collapsed (a body seen edge-on); in 2D it is never
readable (one view cannot tell a turn from a shrug).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.layouts import Layout

#: frames whose feet-to-head length reaches this share of the sequence's 95th percentile count as
#: standing tall (the ones up is read from)
TALL_SHARE = 0.9
#: ... and of those, the frames whose trunk (spine bottom to top) lines up with the legs (feet to spine
#: bottom) within this many degrees of the straightest: a trunk bent forward or leaned back by 20-35
#: degrees shortens the feet-to-head line by only ~3-8 %, so those frames would count as tall too and
#: tilt up towards the bend (a held lean back then reads ~10 degrees short)
STRAIGHT_SLACK = 10.0
#: ... provided those straight frames are this tall (share of the tall frames' 95th percentile)
STRAIGHT_TALL = 0.95
#: without a straight standing frame, up is read from the legs (feet to spine bottom) over the frames
#: they are longest: this share of their 95th percentile or more (a leg folds, it does not stretch)
LEGS_LONG = 0.95
#: ... provided both knees are straighter than this many degrees there (median): a person seated or
#: crouched all clip long has no straight leg (folded legs, knees at 100-125 degrees, tilt up by 10-40)
LEGS_KNEE = 120.0
#: ... and only where the legs' direction is this many degrees off the tallest frames' feet-to-head line
#: and spine (those frames then bend). Measured against each camera's floor normal (the planes of
#: experiments/facts_handcheck.py; experiments/up_survey.py): of 2335 NW-UCLA and UTD-MHAD clips, 337 have
#: no straight standing frame, their up 7.4 degrees off at the median, 119 beyond 10; the legs move 9
#: of them, 8 closer by 7-20 degrees (a05_s04_e03_v01, a sit down that starts bending: 16.6 -> 9.8;
#: a01_s04_e01_v03, a crouch: 25.7 -> 6.1) and a stand-up further (a06_s04_e04_v02: 27 -> 45, see
#: LEGS_TRAVEL). With no such limit the legs move 289 (better by 2+ degrees: 147, worse: 41; beyond 10:
#: 119 -> 45), which re-sizes many facts judged to hold
LEGS_DISAGREE = 20.0
#: ... unless, where the ankles travel along a line (their 5th-95th percentile spread along it at least
#: LEGS_TRAVEL feet-to-head lengths, across it at most half that), the legs' up tilts that line further
#: from level than the tallest frames' up does, by more than LEGS_LEVEL_SLACK degrees: feet slide on the
#: floor. A person seated with the feet stretched forward has long legs 40-50 degrees off the floor's
#: normal (NW-UCLA a06_s04_e04_v02, a stand-up on view 2: the ankles slide 0.3 m, level within 5
#: degrees of the floor's plane; the legs' up tilts them by 26 and sat 45 degrees off it, the tallest
#: frames' by 3). Of the 337 clips without a straight standing frame the legs then move 8, all closer
#: (16.6-26.6 -> 3.4-9.8 degrees); 0.05-0.15 feet-to-head lengths and a slack of 5 all give the same 8
#: (no slack drops one of them: Kinect v1's ankles wander a few degrees)
LEGS_TRAVEL = 0.1
LEGS_LEVEL_SLACK = 5.0
#: the feet must travel at least this far (feet-to-head lengths, 5th to 95th percentile) along a
#: direction before the floor they walk on corrects up (shorter shuffles tilt more than they tell)
FLOOR_SPREAD = 0.6
#: the floor may tilt up by at most this much (degrees) from the feet-to-head direction
MAX_FLOOR_CORRECTION = 15.0
#: a standing head height (data units) in this range means the data is in metres
METRIC_HEIGHT = (1.0, 2.3)
#: a stature is at least this many spine lengths (hip centre to neck is ~0.3 of a standing head
#: height); guards against a person who never stands up in the clip
SPINE_TO_STATURE = 2.9
#: ... and at most this many (the standing head height is ~3.2 spine lengths)
MAX_SPINE_TO_STATURE = 4.2
#: a knee angle (hip-knee-ankle) below this many degrees is bent: it points to the true front
BENT_KNEE = 160
#: bent-knee frames (both legs counted) needed to call a skeleton mirrored: this many with knees
#: clearly bent, below MIRROR_BENT_KNEE degrees, or MIRROR_EVIDENCE_STRAIGHT with knees below
#: BENT_KNEE. A nearly straight leg (150-160, as a standing Kinect skeleton's knees often read) puts
#: its knee a few centimetres off the hip-ankle line, as far as the skeleton's own bias, so each such
#: frame tells front from back weakly (UTD-MHAD a2_s4_t3 faces the sensor, as every UTD subject,
#: yet 6 straight-knee frames sat 0.01-0.05 m behind the labelled front: its sides were swapped).
#: Requiring 6 clearly bent frames alone kept a2_s4_t3 but swapped back 19 NW-UCLA side facts judged
#: 'holds' on back views with straight legs (12-24 frames each); 10 straight frames (1/3 s) keep them
MIRROR_EVIDENCE, MIRROR_EVIDENCE_STRAIGHT = 6, 10
MIRROR_BENT_KNEE = 150
#: a nearly straight knee (MIRROR_BENT_KNEE to BENT_KNEE) is evidence only where its thigh and shank are
#: within this share of their lengths over the clip (medians): a knee placed off its bones is a tracking
#: error as large as the offset it reads (a few centimetres) (hand-check round 24, UTD-MHAD
#: a11_s4_t1 faces the sensor, as every UTD subject: its right knee sat 0.04 statures behind the
#: labelled front at 154-156 degrees for 15 frames with the thigh 37% long and the shank 16% short,
#: then jumped to its place, straight; its sides were swapped)
MIRROR_BONES = 0.15
#: ... the knees' mean offset behind the labelled front (statures) ...
MIRROR_OFFSET = 0.02
#: ... and the share of those frames that agree
MIRROR_AGREEMENT = 0.7
#: a trunk (spine bottom to top) leaning this many degrees from up is bent deeply: people bend forward,
#: so in a bent-knee frame it shows the true front more reliably than a knee a few centimetres off its
#: hip-ankle line. In a deep crouch Kinect often places a knee behind that line (NW-UCLA a01_s02_e01_v03:
#: 0.20-0.34 m behind while the trunk bends 30-43 degrees towards the camera; UTD-MHAD a21_s1_t1 faces
#: the sensor, as every UTD subject, its right knee 0.20-0.24 m behind), which read as a back view
DEEP_BEND = 30.0
#: bent-knee frames whose trunk bends deeply towards the labelled front that contradict the knees (a
#: mirror needs fewer such frames than frames bending deeply towards the labelled back)
CONTRADICTING_BENDS = 3
#: frames whose trunk bends deeply (DEEP_BEND) towards the labelled back, more than towards its front,
#: that make a mirror of knees behind the labelled front on average (bent-knee frames, at least
#: MIRROR_EVIDENCE of them) without the agreement MIRROR_AGREEMENT asks of knees alone: two weak signs
#: of a back view agreeing, as people bend forward (hand-check round 31, NW-UCLA a01_s10_e03_v01: seen
#: from behind walking away, 1.80 -> 3.33 m deep, its knees 0.03 statures behind on average, 70% agreeing,
#: its trunk bending 34-39 degrees towards the labelled back at the pick-up; said 'walks backward').
#: Sitting back leans the trunk back too, but its knees bend forward, ahead of the labelled front
#: of a person facing the sensor. Read so: 5 NW-UCLA clips more (2 v01, 2 v02, 1 v03), no UTD-MHAD one
BACK_BENDS = CONTRADICTING_BENDS
#: ... counted only where the trunk line keeps this share of its clip's median length: a trunk pulled
#: short (the hip centre tracked up towards the neck) tilts without bending (as facts.BEND_TRUNK_SHORT;
#: NW-UCLA a08_s02_e04_v01, judged in round 28: 3 of its 4 deep frames towards the labelled back
#: have the trunk at 0.68-0.73 of its length)
BACK_BEND_TRUNK = 0.75
#: hands held this many statures (~0.2 m) ahead of the shoulder line's centre along the labelled front
#: (see :func:`_hands_work_in_labelled_front`) ...
HANDS_AHEAD = 0.13
#: ... at or above their shoulder's height in at least this many frames (1/2 s at 30 fps) contradict a
#: mirror read from nearly straight knees. People reach and work in front of the body: a hand 0.2 m
#: behind the shoulder line, raised to shoulder height, needs the shoulder extended near its limit.
#: UTD-MHAD subjects all face the sensor; its 7 clips read mirrored from straight-ish knees hold a hand
#: so in 16-27 frames; the hand-checked NW-UCLA back views (a02_s02_e01_v01, a02_s07_e01_v03,
#: a08_s07_e03_v03, a12_s02_e03_v03, a12_s08_e03_v03) in 0-6
HANDS_AHEAD_FRAMES = 15
#: data whose origin lies this many statures away from the person is in camera coordinates
CAMERA_DISTANCE = 1.0
#: facing is readable when the horizontal shoulder width reaches this share of its typical width
READABLE_SHOULDERS = 0.55
#: ... and the typical width is at least this many statures (a real shoulder line, not a dot)
MIN_SHOULDER_WIDTH = 0.08


def nanmean_joints(x: np.ndarray, joints: tuple[int, ...] | list[int]) -> np.ndarray:
    """Mean of the given joints (..., V, C) -> (..., C), ignoring NaN joints (NaN if all are)."""
    sel = x[..., list(joints), :]
    ok = np.isfinite(sel).all(axis=-1, keepdims=True)
    total = np.where(ok, sel, 0.0).sum(axis=-2)
    count = ok.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def foot_joints(layout: Layout) -> tuple[int, ...]:
    """The lowest joints of the body: the feet group and the last joint of each leg (ankles)."""
    legs = tuple(leg[-1] for leg in (layout.parts.get("left_leg", ()), layout.parts.get("right_leg", ())) if leg)
    return tuple(dict.fromkeys(layout.parts.get("feet", ()) + legs))


def head_joints(layout: Layout) -> tuple[int, ...]:
    return layout.parts.get("head", ()) or layout.spine_top


def knee_angles(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """The hip-knee-ankle angle (degrees, 180 = a straight leg) per frame of tracks (T, C); NaN
    where a joint is unreadable or two of them coincide."""
    a, b = hip - knee, ankle - knee
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("...c,...c->...", a, b) / np.where(norms > 0, norms, np.nan)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v


@dataclass
class World:
    """Up, floor and size of one person, and their coordinates in that frame.

    ``coords`` (T, V, 3) holds each joint as (h1, height, h2) in statures: ``height`` above the
    floor along up, (h1, h2) a fixed right-handed horizontal basis, origin on the floor under the
    body's centre at its first frame. NaN marks joint-frames that may not be read."""

    up: np.ndarray              # (3,) unit vector in data coordinates
    stature: float              # standing head height above the floor, in data units
    unit: str                   # "m" when the data has metric scale, else "stature"
    dims: int                   # 2 or 3
    coords: np.ndarray          # (T, V, 3), statures
    facing: np.ndarray          # (T, 2) unit forward direction in (h1, h2), NaN where unreadable
    shoulder_width: np.ndarray  # (T,) horizontal shoulder width, statures
    basis: np.ndarray           # (3, 3) columns h1, up, h2
    origin: np.ndarray          # (3,) data point that is (0, 0, 0): the floor under the first centre
    mirrored: bool = False      # the labels' left/right (and front) are swapped: see :func:`mirrored_by_knees`

    def place(self, x: np.ndarray) -> np.ndarray:
        """Any points (..., C) in this world's coordinates (statures), e.g. a second person."""
        xyz = np.zeros(x.shape[:-1] + (3,))
        xyz[..., : x.shape[-1]] = x
        out = (xyz - self.origin) @ self.basis / self.stature
        if self.dims == 2:
            out[..., 2] = 0.0
        return out

    def distance_words(self, statures: float) -> str:
        """'about 1.5 m' (metric data) or 'about 0.9 statures' (otherwise)."""
        value, unit = (statures * self.stature, "m") if self.unit == "m" else (statures, "statures")
        return f"about {value:.1f} {unit}" if value >= 0.95 else f"about {value:.2f} {unit}"

    def camera(self) -> np.ndarray | None:
        """Where the camera stands on the floor plane, (h1, h2) in statures, when the data is in
        camera coordinates (the data's origin, at least a stature away from the person, as in
        Kinect data); None for body-centred data (BlazePose world landmarks) and 2D data."""
        if self.dims != 3:
            return None
        cam = self.place(np.zeros((1, 3)))[0, [0, 2]]
        return cam if float(np.linalg.norm(cam)) > CAMERA_DISTANCE else None

    @property
    def readable_facing(self) -> np.ndarray:
        return np.isfinite(self.facing).all(axis=1)


def _up_3d(x: np.ndarray, layout: Layout) -> np.ndarray:
    """Feet-to-head direction over the frames the person stands tallest, corrected by the floor."""
    head = nanmean_joints(x, head_joints(layout))
    feet = nanmean_joints(x, foot_joints(layout))
    line = head - feet
    length = np.linalg.norm(line, axis=1)
    ok = np.isfinite(length) & (length > 0)
    if not ok.any():
        spine = nanmean_joints(x, layout.spine_top) - nanmean_joints(x, layout.spine_bottom)
        return _unit(np.nanmean(spine, axis=0))
    tall = ok & (length >= TALL_SHARE * np.percentile(length[ok], 95))
    straight = _straight(x, layout, length, tall)
    legs = _legs_up(x, layout) if straight is None else None
    tall = tall if straight is None else straight
    up = _unit((line[tall] / length[tall, None]).mean(axis=0))
    spine = (nanmean_joints(x, layout.spine_top) - nanmean_joints(x, layout.spine_bottom))[tall]
    spine = spine[np.isfinite(spine).all(axis=1) & (np.linalg.norm(spine, axis=1) > 0)]
    if len(spine) and set(layout.spine_top) != set(layout.spine_bottom):
        # standing tall, the spine is upright too: averaging the two halves the error of either
        # (a foot tracked ahead of the body tilts the first, a slouch the second)
        up = _unit(up + _unit((spine / np.linalg.norm(spine, axis=1, keepdims=True)).mean(axis=0)))
    if legs is not None and _degrees(up, legs) > LEGS_DISAGREE and \
            _keeps_the_ankles_level(x, layout, legs, up, float(np.median(length[tall]))):
        up = legs                   # no straight standing frame: the tallest frames bend, the legs do not
    return _floor_corrected(x, layout, up, float(np.median(length[tall])))


def _legs_up(x: np.ndarray, layout: Layout) -> np.ndarray | None:
    """The legs' direction (feet to spine bottom) over the frames they are longest (LEGS_LONG of
    their 95th percentile): what stands straight in a clip without a straight standing frame.
    None where the legs cannot be read in at least 3 frames."""
    legs = nanmean_joints(x, layout.spine_bottom) - nanmean_joints(x, foot_joints(layout))
    length = np.linalg.norm(legs, axis=1)
    ok = np.isfinite(length) & (length > 0)
    if ok.sum() < 3 or set(layout.spine_bottom) & set(foot_joints(layout)):
        return None
    longest = ok & (length >= LEGS_LONG * np.percentile(length[ok], 95))
    if not np.nanmedian(_knee_angle(x, layout)[longest]) >= LEGS_KNEE:
        return None
    return _unit((legs[longest] / length[longest, None]).mean(axis=0))


def _degrees(a: np.ndarray, b: np.ndarray) -> float:
    """The angle between two unit vectors, in degrees."""
    return float(np.degrees(np.arccos(np.clip(a @ b, -1, 1))))


def _keeps_the_ankles_level(x: np.ndarray, layout: Layout, legs: np.ndarray, up: np.ndarray, tall: float) -> bool:
    """Whether the legs' up leaves the line the ankles travel along (when they travel along one, see
    LEGS_TRAVEL) no further from level than ``up`` does, LEGS_LEVEL_SLACK degrees allowed. True where
    the ankles do not travel along a line (nothing to tell)."""
    ankles = [leg[2] for leg in (layout.parts.get(side, ()) for side in ("left_leg", "right_leg")) if len(leg) >= 3]
    points = nanmean_joints(x, ankles) if ankles else np.zeros((0, 3))
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 3:
        return True
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    along, across = (float(np.subtract(*np.percentile(centred @ v, [95, 5]))) for v in vt[:2])
    if along < LEGS_TRAVEL * tall or across > 0.5 * along:
        return True
    return _off_level(legs, vt[0]) <= _off_level(up, vt[0]) + LEGS_LEVEL_SLACK


def _off_level(up: np.ndarray, direction: np.ndarray) -> float:
    """How many degrees a (unit) direction rises or falls from the level plane of ``up``."""
    return abs(90.0 - _degrees(up, direction))


def _straight(x: np.ndarray, layout: Layout, length: np.ndarray, tall: np.ndarray) -> np.ndarray | None:
    """The ``tall`` frames in which the body stands straight: the angle between the legs (feet to
    spine bottom) and the trunk (spine bottom to top) within STRAIGHT_SLACK degrees of its 10th
    percentile over the tall frames (a sensor's spine line may lean a few degrees off the legs in
    every standing frame; the straightest frames set the level). None, no straight standing frame
    (see :func:`_legs_up`), where the angle cannot be read in at least 3 of them with the knees
    straight (a clip that starts already bending and ends seated), or where the straightest frames
    are not among the tallest (their feet-to-head line shorter than STRAIGHT_TALL of the tallest)."""
    bottom = nanmean_joints(x, layout.spine_bottom)
    legs = bottom - nanmean_joints(x, foot_joints(layout))
    trunk = nanmean_joints(x, layout.spine_top) - bottom
    norms = np.linalg.norm(legs, axis=1) * np.linalg.norm(trunk, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        angle = np.degrees(np.arccos(np.clip(np.einsum("tc,tc->t", legs, trunk) / norms, -1, 1)))
    readable = tall & np.isfinite(angle) & (norms > 0) & ~_bent_knees(x, layout)
    if readable.sum() < 3 or set(layout.spine_top) == set(layout.spine_bottom):
        return None
    straight = readable & (angle <= np.percentile(angle[readable], 10) + STRAIGHT_SLACK)
    if np.median(length[straight]) < STRAIGHT_TALL * np.percentile(length[tall], 95):
        return None
    return straight


def _bent_knees(x: np.ndarray, layout: Layout) -> np.ndarray:
    """Per frame: either knee (hip-knee-ankle) bent below BENT_KNEE degrees; False where unreadable."""
    return np.nan_to_num(_knee_angle(x, layout), nan=180.0) < BENT_KNEE


def _knee_angle(x: np.ndarray, layout: Layout) -> np.ndarray:
    """Per frame, the more bent knee's angle (hip-knee-ankle, degrees; one unreadable knee is left
    out); NaN where neither is readable or the layout has no legs."""
    angles = [knee_angles(x[:, leg[0]], x[:, leg[1]], x[:, leg[2]])
              for leg in (layout.parts.get(side, ()) for side in ("left_leg", "right_leg")) if len(leg) >= 3]
    if not angles:
        return np.full(len(x), np.nan)
    return np.fmin.reduce(np.stack(angles), axis=0)


def _floor_corrected(x: np.ndarray, layout: Layout, up: np.ndarray, tall: float) -> np.ndarray:
    """Up made orthogonal to the floor the feet walk on (when they travel far enough to tell)."""
    feet = x[:, list(foot_joints(layout))]                          # (T, F, 3)
    heights = np.where(np.isfinite(feet).all(-1), feet @ up, np.inf)
    lowest = np.argmin(heights, axis=1)
    rows = np.isfinite(heights.min(axis=1))
    if rows.sum() < 8:
        return up
    points = feet[np.flatnonzero(rows), lowest[rows]]               # the foot on the floor, per frame
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    spread = [float(np.subtract(*np.percentile(centred @ v, [95, 5]))) for v in vt[:2]]
    if spread[0] < FLOOR_SPREAD * tall:
        return up
    if spread[1] >= FLOOR_SPREAD * tall:                            # an area: the floor's normal
        normal = vt[2] * np.sign(vt[2] @ up)
        corrected = normal
    else:                                                           # a line: up is orthogonal to it
        corrected = _unit(up - (up @ vt[0]) * vt[0])
    angle = np.degrees(np.arccos(np.clip(corrected @ up, -1, 1)))
    return corrected if angle <= MAX_FLOOR_CORRECTION else up


def _up_2d(x: np.ndarray, layout: Layout) -> np.ndarray:
    """Image y points down; flipped when the body's links (head over neck, neck over hips, hips over
    knees, knees over ankles) mostly point the other way. A vote over the links, not the head against
    the feet alone: feet out of the frame annotated on the image's top edge (Penn Action pull-ups)
    would turn the whole body upside down."""
    legs = [layout.parts.get(f"{s}_leg", ()) for s in ("left", "right")]
    links = [(head_joints(layout), layout.spine_top), (layout.spine_top, layout.spine_bottom)]
    links += [((leg[a],), (leg[a + 1],)) for leg in legs if len(leg) >= 3 for a in (0, 1)]
    votes = []
    for upper, lower in links:
        if set(upper) != set(lower):
            rise = nanmean_joints(x, upper)[:, 1] - nanmean_joints(x, lower)[:, 1]
            votes.append(rise[np.isfinite(rise)] > 0)
    votes = np.concatenate(votes) if votes else np.zeros(0, bool)
    y_up = len(votes) > 0 and votes.mean() > 0.5
    return np.array([0.0, 1.0, 0.0]) if y_up else np.array([0.0, -1.0, 0.0])


def _horizontal_basis(up: np.ndarray, x: np.ndarray, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(h1, h2) with (h1, up, h2) right-handed; h1 along the mean shoulder line where it exists."""
    line = np.nanmean(x[:, layout.left_shoulder] - x[:, layout.right_shoulder], axis=0)
    if not np.isfinite(line).all():
        line = np.array([1.0, 0.0, 0.0])
    h1 = line - (line @ up) * up
    if np.linalg.norm(h1) < 1e-8:
        h1 = np.array([1.0, 0.0, 0.0]) - up[0] * up
    h1 = _unit(h1)
    return h1, np.cross(h1, up)


def _stature(heights_head: np.ndarray, spine: float) -> float:
    """The head's height above the floor when standing tall, kept between SPINE_TO_STATURE and
    MAX_SPINE_TO_STATURE spine lengths: a clip in which the person never stands (sitting, squatting
    throughout) would shrink it, feet annotated far off the body (clips cropped at the knees)
    would inflate it. NaN when neither the head nor the spine is ever seen (a bench press whose
    annotator marked head and shoulders invisible): no scale, so no size can be said."""
    ok = np.isfinite(heights_head)
    tall = float(np.percentile(heights_head[ok], 90)) if ok.any() else 0.0
    if spine > 0:
        tall = min(max(tall, SPINE_TO_STATURE * spine), MAX_SPINE_TO_STATURE * spine)
    elif not tall > 0:
        return float("nan")
    return max(tall, 1e-6)


def world_frame(x: np.ndarray, layout: Layout) -> World:
    """The world frame of one person's sequence ``x`` (T, V, C), NaN where not readable."""
    dims = x.shape[-1]
    xyz = np.zeros(x.shape[:-1] + (3,))
    xyz[..., :dims] = x
    up = _up_3d(xyz, layout) if dims == 3 else _up_2d(xyz, layout)
    feet_h = np.where(np.isfinite(xyz[:, list(foot_joints(layout))]).all(-1),
                      xyz[:, list(foot_joints(layout))] @ up, np.nan)
    floor = float(np.nanpercentile(np.nanmin(feet_h, axis=1), 5)) if np.isfinite(feet_h).any() else \
        float(np.nanmin(xyz @ up))
    spine = np.linalg.norm(nanmean_joints(xyz, layout.spine_top) - nanmean_joints(xyz, layout.spine_bottom), axis=1)
    spine_len = float(np.nanmedian(spine)) if np.isfinite(spine).any() else 0.0
    stature = _stature(nanmean_joints(xyz, head_joints(layout)) @ up - floor, spine_len)
    metric = dims == 3 and METRIC_HEIGHT[0] <= stature <= METRIC_HEIGHT[1]
    h1, h2 = _horizontal_basis(up, xyz, layout)
    centre = nanmean_joints(xyz, layout.center)
    first = centre[np.isfinite(centre).all(axis=1)][0] if np.isfinite(centre).all(axis=1).any() else np.zeros(3)
    origin = first - (first @ up - floor) * up
    basis = np.stack([h1, up, h2], axis=1)
    coords = (xyz - origin) @ basis / stature
    if dims == 2:
        coords[..., 2] = 0.0
    facing, width = _facing(coords, layout, dims)
    mirrored = mirrored_by_knees(coords, facing, layout)
    if mirrored:
        facing = -facing
    return World(up, stature, "m" if metric else "stature", dims, coords, facing, width, basis, origin, mirrored)


def _facing(coords: np.ndarray, layout: Layout, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Forward direction per frame in (h1, h2), from the shoulder line (left minus right):
    forward = across x up in a right-handed frame. NaN where the shoulder line is collapsed
    (seen edge-on, or tracked as one point) or the data is 2D."""
    across = coords[:, layout.left_shoulder, [0, 2]] - coords[:, layout.right_shoulder, [0, 2]]
    width = np.linalg.norm(across, axis=1)
    facing = np.full((len(coords), 2), np.nan)
    if dims != 3 or not np.isfinite(width).any():
        return facing, width
    typical = float(np.nanpercentile(width, 90))
    readable = np.isfinite(width) & (width >= READABLE_SHOULDERS * typical) & (typical >= MIN_SHOULDER_WIDTH)
    a = across[readable] / width[readable, None]
    facing[readable] = np.stack([-a[:, 1], a[:, 0]], axis=1)          # (h1, up, h2) right-handed
    return facing, width


def mirrored_by_knees(coords: np.ndarray, facing: np.ndarray, layout: Layout) -> bool:
    """Whether the skeleton's left/right labels (hence the front told by the shoulder line) are
    mirrored: a Kinect assumes the person faces it, so someone seen from behind is tracked with
    left and right swapped. Bent knees tell the true front from geometry alone: a knee bends
    forward, ahead of the line from its hip to its ankle. Decided only on clear evidence (enough
    frames with clearly bent knees, below MIRROR_BENT_KNEE, or more with nearly straight ones, most
    of them agreeing, with and without the nearly straight knees off their bones: see
    :func:`_knee_on_its_bones`); with less the skeleton's own sides are kept. A trunk bending deeply
    towards the labelled front in the same crouch contradicts the knees (people bend forward, knees forward;
    Kinect misplaces knees in a deep crouch): then the labels are kept too. Knees behind the labelled
    front on average, too few agreeing to decide alone, with a trunk bending deeply towards the
    labelled back (see BACK_BENDS) mirror them."""
    bent_offsets, straight_offsets, placed_offsets = [], [], []
    crouched = np.zeros(len(coords), dtype=bool)
    for side in ("left_leg", "right_leg"):
        leg = layout.parts.get(side, ())
        if len(leg) < 3:
            return False
        hip, knee, ankle = coords[:, leg[0]], coords[:, leg[1]], coords[:, leg[2]]
        angle = knee_angles(hip, knee, ankle)
        ahead = np.einsum("tc,tc->t", (knee - (hip + ankle) / 2)[:, [0, 2]], facing)
        clearly_bent = (angle < MIRROR_BENT_KNEE) & np.isfinite(ahead)
        nearly_straight = (angle >= MIRROR_BENT_KNEE) & (angle < BENT_KNEE) & np.isfinite(ahead)
        bent_offsets.append(ahead[clearly_bent])
        straight_offsets.append(ahead[clearly_bent | nearly_straight])
        placed_offsets.append(ahead[clearly_bent | (nearly_straight & _knee_on_its_bones(hip, knee, ankle))])
        crouched |= np.nan_to_num(angle, nan=180.0) < BENT_KNEE
    # a nearly straight knee off its bones is no evidence of a back view; leaving it out only
    # takes mirror decisions away, it makes none (the rest may agree more without it)
    knees_say_mirrored = _knees_behind(np.concatenate(bent_offsets), MIRROR_EVIDENCE) or (
        _knees_behind(np.concatenate(straight_offsets), MIRROR_EVIDENCE_STRAIGHT)
        and _knees_behind(np.concatenate(placed_offsets), MIRROR_EVIDENCE_STRAIGHT))
    knees_lean_behind = _knees_lean_behind(np.concatenate(straight_offsets))
    trunk_says_mirrored = knees_lean_behind and _trunk_bends_to_labelled_back(coords, facing, layout)
    knees_kept = knees_say_mirrored and not _trunk_bends_to_labelled_front(coords, facing, layout, crouched)
    return (knees_kept or trunk_says_mirrored) and not _hands_work_in_labelled_front(coords, facing, layout)


def _knee_on_its_bones(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Per frame (T,): the knee is where the leg's bones put it, its thigh (hip to knee) and shank
    (knee to ankle) each within MIRROR_BONES of their median lengths over the clip."""
    ok = np.ones(len(knee), dtype=bool)
    for bone in (np.linalg.norm(knee - hip, axis=1), np.linalg.norm(knee - ankle, axis=1)):
        typical = np.nanmedian(bone) if np.isfinite(bone).any() else np.nan
        with np.errstate(invalid="ignore"):
            ok &= np.abs(bone - typical) <= MIRROR_BONES * typical
    return ok


def _trunk_bend_to_labelled_front(coords: np.ndarray, facing: np.ndarray, layout: Layout) -> np.ndarray:
    """Per frame (T,), the trunk's (spine bottom to top) angle from up towards the labelled front,
    degrees (< 0: towards the labelled back); NaN where unread or the layout has no spine."""
    if set(layout.spine_top) == set(layout.spine_bottom):
        return np.full(len(coords), np.nan)
    trunk = nanmean_joints(coords, layout.spine_top) - nanmean_joints(coords, layout.spine_bottom)
    forward = np.einsum("tc,tc->t", trunk[:, [0, 2]], facing)
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(forward, trunk[:, 1]))


def _trunk_bends_to_labelled_front(coords: np.ndarray, facing: np.ndarray, layout: Layout,
                                   crouched: np.ndarray) -> bool:
    """Whether, in the bent-knee frames ``crouched``, the trunk bends deeply (DEEP_BEND) towards the
    labelled front in at least CONTRADICTING_BENDS frames and more often than towards the labelled
    back: the person bends forward, so the labels' front is the true one, whatever the knees say."""
    bend = _trunk_bend_to_labelled_front(coords, facing, layout)[crouched]
    with np.errstate(invalid="ignore"):
        towards_front, towards_back = int((bend > DEEP_BEND).sum()), int((bend < -DEEP_BEND).sum())
    return towards_front >= CONTRADICTING_BENDS and towards_front > towards_back


def _trunk_bends_to_labelled_back(coords: np.ndarray, facing: np.ndarray, layout: Layout) -> bool:
    """Whether the trunk bends deeply (DEEP_BEND) towards the labelled back in at least BACK_BENDS
    frames, more often than towards the labelled front (any frame: a pick-up bends over nearly
    straight knees) with the trunk line at BACK_BEND_TRUNK of its length or more: a sign, with the
    knees', that the person's front is the labels' back."""
    bend = _trunk_bend_to_labelled_front(coords, facing, layout)
    length = np.linalg.norm(nanmean_joints(coords, layout.spine_top) - nanmean_joints(coords, layout.spine_bottom), axis=1)
    with np.errstate(invalid="ignore"):
        full = length >= BACK_BEND_TRUNK * np.nanmedian(length) if np.isfinite(length).any() else np.zeros(len(bend), bool)
        towards_front, towards_back = int((bend > DEEP_BEND).sum()), int(((bend < -DEEP_BEND) & full).sum())
    return towards_back >= BACK_BENDS and towards_back > towards_front


def end_joints(layout: Layout, part: str) -> tuple[int, ...]:
    """The joints standing for a part; a missing hand falls back to the arm's last joint."""
    joints = layout.parts.get(part, ())
    if joints:
        return joints
    if part.endswith("_hand"):
        return layout.parts.get(part.replace("_hand", "_arm"), ())[-1:]
    return ()


def _hands_work_in_labelled_front(coords: np.ndarray, facing: np.ndarray, layout: Layout) -> bool:
    """Whether a hand is held at least HANDS_AHEAD statures ahead of the shoulder line's centre along the
    labelled front, at or above its own shoulder's height, in HANDS_AHEAD_FRAMES frames or more: the
    labels' front is then the true one (people work with their hands in front of the body)."""
    top = nanmean_joints(coords, layout.spine_top)
    ahead_frames = np.zeros(len(coords), dtype=bool)
    for side, shoulder in (("left", layout.left_shoulder), ("right", layout.right_shoulder)):
        hand = end_joints(layout, f"{side}_hand")[:1]
        if not hand:
            continue
        ahead = np.einsum("tc,tc->t", (coords[:, hand[0]] - top)[:, [0, 2]], facing)
        with np.errstate(invalid="ignore"):
            ahead_frames |= (ahead > HANDS_AHEAD) & (
                coords[:, hand[0], 1] >= coords[:, shoulder, 1])
    return int(ahead_frames.sum()) >= HANDS_AHEAD_FRAMES


def _knees_lean_behind(ahead: np.ndarray) -> bool:
    """Whether the knees' offsets ahead of the labelled front (statures, one per bent-knee frame, at
    least MIRROR_EVIDENCE of them) lie behind it on average, however few agree."""
    return len(ahead) >= MIRROR_EVIDENCE and bool(np.mean(ahead) < 0)


def _knees_behind(ahead: np.ndarray, least: int) -> bool:
    """Whether the knees' offsets ahead of the labelled front (statures, one per bent-knee frame)
    put them behind it: at least ``least`` frames, a clear mean and most of them agreeing."""
    if len(ahead) < least:
        return False
    return bool(np.mean(ahead) < -MIRROR_OFFSET and np.mean(ahead < 0) >= MIRROR_AGREEMENT)
