"""A simple articulated body, written for this suite and independent of actlm's explainer.

The world frame is right-handed with ``y`` up and the floor at ``y = 0`` (metres). A body's
posture in every frame is given by a :class:`Pose` (where the pelvis is, which way the body
faces, how far the trunk bends, where the ankles and wrists should be); :func:`skeleton` turns
it into named joint positions with constant bone lengths (two-bone inverse kinematics for the
arms and legs, so a bone never stretches).

Directions of a body facing ``yaw`` (radians, 0 = facing +z): ``forward = (sin yaw, 0, cos yaw)``
and ``left = up x forward = (cos yaw, 0, -sin yaw)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UP = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True)
class Dimensions:
    """Segment lengths in metres (an adult of about 1.70 m by default)."""

    ankle_height: float = 0.07
    shank: float = 0.42
    thigh: float = 0.41
    pelvis_above_hips: float = 0.04     # hip_center above the hip joints
    hip_half_width: float = 0.09
    spine_lower: float = 0.22           # hip_center -> spine_mid
    spine_upper: float = 0.24           # spine_mid -> shoulder_center
    shoulder_drop: float = 0.02         # shoulders below shoulder_center
    shoulder_half_width: float = 0.18
    neck: float = 0.06                  # shoulder_center -> neck (Kinect v2's neck joint)
    head: float = 0.20                  # shoulder_center -> head centre
    head_top: float = 0.10              # head centre -> top of the head
    upper_arm: float = 0.29
    forearm: float = 0.25
    hand: float = 0.08                  # wrist -> hand centre
    hand_tip: float = 0.17              # wrist -> finger tips
    toe: float = 0.15                   # ankle -> toe, along the foot
    heel: float = 0.06
    stance_half_width: float = 0.11     # ankles apart from the body's midline when standing

    def scaled(self, factor: float) -> "Dimensions":
        return Dimensions(**{name: value * factor for name, value in self.__dict__.items()})

    @property
    def leg(self) -> float:
        return self.thigh + self.shank

    @property
    def arm(self) -> float:
        return self.upper_arm + self.forearm

    @property
    def standing_pelvis_height(self) -> float:
        """hip_center above the floor when standing with almost straight legs."""
        return self.ankle_height + 0.995 * self.leg + self.pelvis_above_hips

    @property
    def stature(self) -> float:
        return self.standing_pelvis_height + self.spine_lower + self.spine_upper + self.head + self.head_top

    @property
    def shoulder_height(self) -> float:
        """Height of the shoulder joints when standing upright."""
        return self.standing_pelvis_height + self.spine_lower + self.spine_upper - self.shoulder_drop

    @property
    def head_height(self) -> float:
        """Height of the head joint (head centre) when standing upright."""
        return self.standing_pelvis_height + self.spine_lower + self.spine_upper + self.head


ADULT = Dimensions()
CHILD = ADULT.scaled(0.7)      # about 1.19 m
BODIES = {"adult": ADULT, "child": CHILD}


@dataclass
class Pose:
    """A posture per frame (all arrays have T rows).

    ``pelvis`` (T, 3): the hip_center in the world; ``yaw`` (T,): the facing direction;
    ``pitch`` (T,): trunk bend about the hips, radians, positive = forward; ``roll`` (T,): trunk
    tilt to the body's left. ``ankle`` and ``wrist``: side -> (T, 3) world targets for the limb
    ends (reached exactly unless out of reach). ``elbow_pole``: side -> (T, 3) world direction the
    elbow points to.
    """

    pelvis: np.ndarray
    yaw: np.ndarray
    pitch: np.ndarray
    roll: np.ndarray
    ankle: dict[str, np.ndarray]
    wrist: dict[str, np.ndarray]
    elbow_pole: dict[str, np.ndarray]


def heading_axes(yaw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(forward, left), each (T, 3), of a body facing ``yaw``; both horizontal."""
    forward = np.stack([np.sin(yaw), np.zeros_like(yaw), np.cos(yaw)], axis=1)
    left = np.stack([np.cos(yaw), np.zeros_like(yaw), -np.sin(yaw)], axis=1)
    return forward, left


def trunk_axes(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(forward, left, up) of the trunk: the heading frame bent forward by ``pitch``, then
    tilted sideways by ``roll``."""
    forward, left = heading_axes(yaw)
    c, s = np.cos(pitch)[:, None], np.sin(pitch)[:, None]
    up_t = c * UP + s * forward
    fwd_t = c * forward - s * UP
    cr, sr = np.cos(roll)[:, None], np.sin(roll)[:, None]
    return fwd_t, cr * left - sr * up_t, cr * up_t + sr * left


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def two_bone(root: np.ndarray, target: np.ndarray, pole: np.ndarray, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Middle and end joints of a limb with segments ``a`` and ``b`` from ``root`` towards
    ``target``, the middle joint bent towards ``pole``. Out-of-reach targets are clamped to the
    limb's reach, so the segment lengths hold exactly."""
    reach = target - root
    dist = np.linalg.norm(reach, axis=1, keepdims=True)
    dist_ok = np.clip(dist, abs(a - b) + 1e-3, a + b - 1e-4)
    along = _unit(reach)
    side = pole - along * np.sum(pole * along, axis=1, keepdims=True)
    side = np.where(np.linalg.norm(side, axis=1, keepdims=True) < 1e-6, _any_normal(along), _unit(side))
    cos_root = np.clip((a * a + dist_ok ** 2 - b * b) / (2 * a * dist_ok), -1.0, 1.0)
    middle = root + a * (cos_root * along + np.sqrt(1 - cos_root ** 2) * side)
    end = middle + b * _unit(root + along * dist_ok - middle)
    return middle, end


def _any_normal(v: np.ndarray) -> np.ndarray:
    helper = np.where(np.abs(v[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0, 0, 1.0]]))
    return _unit(np.cross(v, helper))


def shoulder_point(pelvis: np.ndarray, yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray,
                   dims: Dimensions, side: str) -> np.ndarray:
    """Where the ``side`` shoulder joint is, (T, 3): arm targets are placed relative to it."""
    _, left, up = trunk_axes(yaw, pitch, roll)
    sign = 1.0 if side == "left" else -1.0
    return (pelvis + up * (dims.spine_lower + dims.spine_upper - dims.shoulder_drop)
            + left * sign * dims.shoulder_half_width)


def skeleton(pose: Pose, dims: Dimensions) -> dict[str, np.ndarray]:
    """Named joint positions, each (T, 3), of a posture: the union of every layout's joints."""
    d = dims
    fwd, left, up = trunk_axes(pose.yaw, pose.pitch, pose.roll)
    hip_fwd, hip_left = heading_axes(pose.yaw)       # the pelvis keeps the heading; the trunk bends
    p = pose.pelvis
    j: dict[str, np.ndarray] = {"hip_center": p}
    j["spine_mid"] = p + up * d.spine_lower
    j["shoulder_center"] = j["spine_mid"] + up * d.spine_upper
    j["neck"] = j["shoulder_center"] + up * d.neck
    head = j["shoulder_center"] + up * d.head
    j["head"] = head
    j["nose"] = head + fwd * 0.45 * d.head - up * 0.1 * d.head
    for side, sign in (("left", 1.0), ("right", -1.0)):
        out = left * sign
        j[f"{side}_eye"] = head + fwd * 0.4 * d.head + up * 0.1 * d.head + out * 0.15 * d.head
        j[f"{side}_eye_inner"] = j[f"{side}_eye"] - out * 0.08 * d.head
        j[f"{side}_eye_outer"] = j[f"{side}_eye"] + out * 0.08 * d.head
        j[f"{side}_ear"] = head + out * 0.38 * d.head
        j[f"mouth_{side}"] = head + fwd * 0.42 * d.head - up * 0.3 * d.head + out * 0.12 * d.head
        shoulder = shoulder_point(p, pose.yaw, pose.pitch, pose.roll, d, side)
        j[f"{side}_shoulder"] = shoulder
        elbow, wrist = two_bone(shoulder, pose.wrist[side], pose.elbow_pole[side], d.upper_arm, d.forearm)
        j[f"{side}_elbow"], j[f"{side}_wrist"] = elbow, wrist
        along = _unit(wrist - elbow)
        thumb_side = _unit(np.cross(out, along))
        j[f"{side}_hand"] = wrist + along * d.hand
        j[f"{side}_hand_tip"] = wrist + along * d.hand_tip
        j[f"{side}_thumb"] = wrist + along * 0.6 * d.hand + thumb_side * 0.5 * d.hand
        j[f"{side}_index"] = wrist + along * d.hand_tip * 0.8 + thumb_side * 0.2 * d.hand
        j[f"{side}_pinky"] = wrist + along * d.hand_tip * 0.7 - thumb_side * 0.3 * d.hand
        hip = p - UP * d.pelvis_above_hips + hip_left * sign * d.hip_half_width
        j[f"{side}_hip"] = hip
        knee, ankle = two_bone(hip, pose.ankle[side], hip_fwd + 0.15 * hip_left * sign, d.thigh, d.shank)
        j[f"{side}_knee"], j[f"{side}_ankle"] = knee, ankle
        j[f"{side}_foot_index"] = ankle + hip_fwd * d.toe - UP * d.ankle_height * 0.85
        j[f"{side}_foot"] = ankle + hip_fwd * 0.7 * d.toe - UP * d.ankle_height * 0.8
        j[f"{side}_heel"] = ankle - hip_fwd * d.heel - UP * d.ankle_height * 0.85
    # joints that other sensors name differently
    j["spine_base"] = j["hip_center"]
    j["spine"] = j["spine_mid"]
    j["spine_shoulder"] = j["shoulder_center"]
    j["torso"] = j["spine_mid"]                        # OpenNI's torso joint (SBU)
    return j


#: bones whose length the generator keeps constant (checked by the tests)
RIGID_BONES = (
    ("hip_center", "spine_mid"), ("spine_mid", "shoulder_center"), ("shoulder_center", "head"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"), ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
)
