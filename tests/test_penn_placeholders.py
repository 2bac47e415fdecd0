"""Penn Action's placeholder joints (invisible joints put at the image's origin) are replaced at
import by estimates; real readings pass through untouched (actlm/data/penn.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.io import loadmat, savemat

from actlm.data import penn
from actlm.data.errors import DataError, PrepareReport
from actlm.data.layouts import PENN_13
from actlm.data.store import SkeletonSet

PENN = Path(__file__).resolve().parents[2] / "shared" / "data" / "penn-action"
#: 0785: a clean and jerk whose left elbow and wrist are placeholders all clip long and whose left
#: hip is one in 300 of 318 frames; 1776: a squat with the left shoulder and both ankles never read;
#: 0001: a clip without placeholders
CLIPS = ("0785", "1776", "0001")
J = PENN_13.index


def raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The file's (frames, 13, 2) coordinates and its placeholder mask."""
    path = PENN / f"{name}.mat"
    if not path.exists():
        pytest.skip(f"Penn Action data not found at {PENN}")
    mat = loadmat(str(path))
    return np.stack([mat["x"], mat["y"]], axis=-1), penn.placeholders(mat["x"], mat["y"], mat["visibility"])


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[SkeletonSet, str]:
    """The three clips through the importer's prepare (the path every model's data takes)."""
    for name in CLIPS:
        raw(name)
    prepared, report = prepare_clips(tmp_path_factory.mktemp("penn"), CLIPS)
    return prepared, report.summary()


def prepare_clips(folder: Path, names: tuple[str, ...] | list[str]) -> tuple[SkeletonSet, PrepareReport]:
    """Penn Action clips ``names`` (linked from the shared data) through the importer's prepare into
    ``folder``: the prepared set read back from its index, and the import report."""
    (folder / "raw").mkdir()
    for name in names:
        (folder / "raw" / f"{name}.mat").symlink_to(PENN / f"{name}.mat")
    report = penn.prepare(folder / "raw", folder / "prepared")
    return SkeletonSet(folder / "prepared"), report


def stored(ds: SkeletonSet, name: str) -> tuple[np.ndarray, dict]:
    sample = ds[ds.find(name)]
    return sample.data[0], sample.meta


@pytest.mark.parametrize("name", ["0785", "1776"])
def test_a_clip_with_placeholders_has_none_after_import(imported, name):
    xy, placeholder = raw(name)
    data, meta = stored(imported[0], name)
    assert placeholder.any()
    assert np.linalg.norm(data[placeholder], axis=-1).min() > penn.PLACEHOLDER_PX
    assert meta["filled"] == placeholder.sum()
    assert meta["unseen"] == [PENN_13.joints[j] for j in np.flatnonzero(placeholder.all(axis=0))]


@pytest.mark.parametrize("name", CLIPS)
def test_real_readings_are_stored_bit_for_bit(imported, name):
    xy, placeholder = raw(name)
    data, _ = stored(imported[0], name)
    assert np.array_equal(data[~placeholder], xy[~placeholder].astype(np.float32))


def test_the_import_report_counts_the_replaced_readings(imported):
    total = sum(raw(name)[1].sum() for name in CLIPS)
    assert f"replaced {total} placeholder joint readings at the image origin in 2 clips" in imported[1]


def test_a_gap_in_time_is_filled_between_its_neighbours(imported):
    """0785's left hip: placeholders before, between and after real readings."""
    xy, placeholder = raw("0785")
    data, _ = stored(imported[0], "0785")
    hip = J("left_hip")
    real = np.flatnonzero(~placeholder[:, hip])
    assert 0 < len(real) < len(xy)
    for t in np.flatnonzero(placeholder[:, hip]):
        before, after = real[real < t], real[real > t]
        ends = [xy[f, hip] for f in (before[-1:].tolist() + after[:1].tolist())]
        low, high = np.min(ends, axis=0), np.max(ends, axis=0)
        assert np.all(data[t, hip] >= low - 1e-4) and np.all(data[t, hip] <= high + 1e-4), t
        if len(ends) == 1:                                   # before the first or after the last reading: held
            np.testing.assert_allclose(data[t, hip], ends[0], atol=1e-4)


def test_a_joint_hidden_all_clip_is_estimated_closer_to_the_truth_than_the_origin():
    """On a clip where the annotator saw every joint, hide both ankles (the most common real
    pattern) and the left shoulder and hip: the estimates lie within a torso length of the truth
    in most frames, against about five for the origin."""
    xy, placeholder = raw("0001")
    assert not placeholder.any()
    hidden = [J("left_ankle"), J("right_ankle"), J("left_shoulder"), J("left_hip")]
    mask = np.zeros(placeholder.shape, bool)
    mask[:, hidden] = True
    estimate, unseen = penn.fill_placeholders(np.where(mask[..., None], 1.0, xy), mask)
    torso = np.median(np.linalg.norm(xy[:, [J("left_shoulder"), J("right_shoulder")]].mean(1)
                                     - xy[:, [J("left_hip"), J("right_hip")]].mean(1), axis=-1))
    error = np.linalg.norm(estimate[:, hidden] - xy[:, hidden], axis=-1) / torso
    origin = np.linalg.norm(1.0 - xy[:, hidden], axis=-1) / torso
    assert unseen == [PENN_13.joints[j] for j in sorted(hidden)]
    assert np.median(error) < 1.0 and np.median(error) < np.median(origin) / 4


def body() -> np.ndarray:
    """One frame of a standing body facing the camera (pixels, y down), as two identical frames."""
    pose = {"head": (100, 20), "left_shoulder": (120, 50), "right_shoulder": (80, 50), "left_elbow": (125, 80),
            "right_elbow": (75, 80), "left_wrist": (128, 110), "right_wrist": (70, 108), "left_hip": (112, 120),
            "right_hip": (88, 120), "left_knee": (113, 160), "right_knee": (87, 160), "left_ankle": (114, 200),
            "right_ankle": (86, 200)}
    return np.repeat(np.array([pose[j] for j in PENN_13.joints], float)[None], 2, axis=0)


def hide(xy: np.ndarray, *joints: str) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros(xy.shape[:2], bool)
    mask[:, [J(j) for j in joints]] = True
    return np.where(mask[..., None], 0.75, xy), mask


def test_a_joint_never_read_takes_its_twin_moved_by_the_sides_offset():
    """Left wrist never read: the right wrist moved by the shoulders' left-right offset (+40, 0)."""
    xy = body()
    out, unseen = penn.fill_placeholders(*hide(xy, "left_wrist"))
    np.testing.assert_allclose(out[:, J("left_wrist")], [[110, 108]] * 2)
    assert unseen == ["left_wrist"]


def test_a_joint_whose_twin_is_never_read_either_takes_the_nearest_joints_along_the_bones():
    """Both ankles never read: each takes its knee; the head: the shoulders' midpoint; a knee
    between a read hip and ankle whose twin is not read: the midpoint of hip and ankle."""
    xy = body()
    out, _ = penn.fill_placeholders(*hide(xy, "left_ankle", "right_ankle", "head"))
    np.testing.assert_allclose(out[:, J("left_ankle")], xy[:, J("left_knee")])
    np.testing.assert_allclose(out[:, J("right_ankle")], xy[:, J("right_knee")])
    np.testing.assert_allclose(out[:, J("head")], [[100, 50]] * 2)
    out, _ = penn.fill_placeholders(*hide(xy, "left_knee", "right_knee"))
    np.testing.assert_allclose(out[:, J("left_knee")], [[113, 160]] * 2)


def test_a_file_of_only_placeholders_is_skipped_with_its_reason(tmp_path):
    frames = np.full((5, 13), 0.75)
    path = tmp_path / "0001.mat"
    savemat(str(path), {"x": frames, "y": frames, "visibility": np.zeros((5, 13)), "action": "squat",
                        "train": np.array([[1]])})
    with pytest.raises(DataError, match="every joint is a placeholder"):
        penn.read_sequence(path)


def test_the_joints_a_clip_never_shows_reach_the_fact_detector_as_not_visible(imported):
    """A twin-copied limb is an estimate: Sample.visibility marks it in every frame (read_motion then
    masks it); the other joints' flags: tests/test_penn_visibility.py."""
    ds = imported[0]
    with_unseen = ds[ds.find("0785")]
    visible = with_unseen.visibility(PENN_13)
    hidden = [PENN_13.joints.index(name) for name in with_unseen.meta["unseen"]]
    assert hidden and visible.shape == with_unseen.data.shape[1:3]
    assert (visible[:, hidden] == 0).all()
    flags = loadmat(str(PENN / "0785.mat"), variable_names=["visibility"])["visibility"]
    np.testing.assert_array_equal(with_unseen.visibility(PENN_13, hidden="all"), flags)
