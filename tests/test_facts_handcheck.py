"""The hand-check's own trunk angle (experiments/facts_handcheck.py, round 7 on): measured from the
person's own upright trunk in the clip, not from a dataset-wide standing lean."""
import numpy as np

from actlm.data.layouts import get_layout
from experiments.facts_handcheck import Body

UP = np.array([0.0, 1.0, 0.0])
SIDEWAYS_STANDING_TILT_DEG = 12.0   # a standing trunk tracked 12 deg off up, to the side (as NW-UCLA a03_s06_e02)
BEND_DEG = 35.0                     # then a forward bend of 35 deg from that upright trunk


def _rotation(axis: np.ndarray, deg: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    a = np.radians(deg)
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k @ k


def _clip(frames_upright: int = 10, frames_bent: int = 10) -> np.ndarray:
    """A Kinect v1 body facing +z (left shoulder at +x: the script's forward is left-right x up),
    standing, then bent forward about its hips."""
    joints = get_layout("kinect-v1").joints
    legs = {"hip_center": (0, 1.0, 0), "left_hip": (0.1, 0.95, 0), "right_hip": (-0.1, 0.95, 0),
            "left_knee": (0.1, 0.5, 0), "right_knee": (-0.1, 0.5, 0), "left_ankle": (0.1, 0.08, 0),
            "right_ankle": (-0.1, 0.08, 0), "left_foot": (0.1, 0.0, 0.1), "right_foot": (-0.1, 0.0, 0.1)}
    upper = {"spine": (0, 1.2, 0), "shoulder_center": (0, 1.45, 0), "head": (0, 1.65, 0),
             "left_shoulder": (0.18, 1.42, 0), "right_shoulder": (-0.18, 1.42, 0),
             "left_elbow": (0.22, 1.15, 0), "right_elbow": (-0.22, 1.15, 0),
             "left_wrist": (0.22, 0.92, 0), "right_wrist": (-0.22, 0.92, 0),
             "left_hand": (0.22, 0.85, 0), "right_hand": (-0.22, 0.85, 0)}
    hip = np.array(legs["hip_center"], float)
    side = _rotation(np.array([0.0, 0.0, 1.0]), SIDEWAYS_STANDING_TILT_DEG)     # tilt to the body's side
    bend = _rotation(np.array([1.0, 0.0, 0.0]), BEND_DEG)                      # top towards +z: forward
    frames = []
    for t in range(frames_upright + frames_bent):
        turn = side if t < frames_upright else bend @ side
        pose = [np.array(legs[j], float) if j in legs else hip + turn @ (np.array(upper[j], float) - hip) for j in joints]
        frames.append(pose)
    return np.array(frames)[None]


def test_own_upright_measures_the_bend_from_the_persons_standing_trunk():
    body = Body(_clip(), "kinect-v1", UP, upright_deg=-8.7)
    own, info = body.trunk_from_own_upright()
    assert "own_upright_fallback" not in info
    assert abs(info["own_upright_off_up_deg"] - SIDEWAYS_STANDING_TILT_DEG) < 1.0
    assert abs(np.nanmax(own) - BEND_DEG) < 2.0
    # the old angle counts the sideways standing tilt as forward and adds the dataset's lean: far off
    assert np.nanmax(body.trunk_angle()) - BEND_DEG > 5.0


def test_no_upright_frames_falls_back_to_the_dataset_upright():
    body = Body(_clip(frames_upright=0, frames_bent=12), "kinect-v1", UP, upright_deg=-8.7)
    own, info = body.trunk_from_own_upright()
    assert info.get("own_upright_fallback") == 1.0
    np.testing.assert_allclose(own, body.trunk_angle())
