"""Penn Action's per-frame visibility flags are kept at import (``meta['hidden']``) and come back
through ``Sample.visibility(layout, hidden=...)`` (T, V): by default only the joints never seen are 0
(what the fact detector reads: the flags removed no fact judged false and lost true ones);
``hidden="limbs"`` adds the hidden frames of elbows, wrists, knees and ankles, ``"all"`` every flag
(actlm/data/store.py states the rule and the measurement)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.io import loadmat

from actlm.data import penn
from actlm.data.layouts import BODY_13, PENN_13
from actlm.data.store import GUESSED_LIMB, Sample, SkeletonSet, hidden_runs
from actlm.explain.facts import read_motion

from test_penn_placeholders import prepare_clips

PENN = Path(__file__).resolve().parents[2] / "shared" / "data" / "penn-action"
#: 0001: a clip with hidden joint-frames but no placeholder; 0785: the left elbow and wrist never
#: read (placeholders all clip long); 0106: a pitch whose left wrist is hidden through its follow-through
CLIPS = ("0001", "0785", "0106")
J = PENN_13.index
LIMB = [J(name) for name in PENN_13.joints if name.endswith(GUESSED_LIMB)]
TRUNK = [J(name) for name in PENN_13.joints if not name.endswith(GUESSED_LIMB)]


def flags(name: str) -> np.ndarray:
    """The .mat file's own (frames, 13) visibility flags, read with scipy (not through actlm)."""
    path = PENN / f"{name}.mat"
    if not path.exists():
        pytest.skip(f"Penn Action data not found at {PENN}")
    return loadmat(str(path), variable_names=["visibility"])["visibility"].astype(np.float32)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> SkeletonSet:
    """The clips through the importer's prepare and back from the written index (the path
    ``actlm explain`` and the facts benchmarks take)."""
    for name in CLIPS:
        flags(name)
    return prepare_clips(tmp_path_factory.mktemp("penn"), CLIPS)[0]


@pytest.mark.parametrize("name", CLIPS)
def test_sample_visibility_is_the_annotations_flag_of_the_limb_joints(prepared, name):
    """``hidden="limbs"``: the file's flags on elbows, wrists, knees and ankles; head, shoulders and
    hips 0 only when never seen in the clip. ``hidden="all"`` is the file's flags everywhere,
    ``"none"`` (the default) the never-seen joints only."""
    sample = prepared[prepared.find(name)]
    visible, every = sample.visibility(PENN_13, hidden="limbs"), sample.visibility(PENN_13, hidden="all")
    assert visible.shape == sample.data.shape[1:3]
    np.testing.assert_array_equal(every, flags(name))
    np.testing.assert_array_equal(visible[:, LIMB], flags(name)[:, LIMB])
    unseen = [J(joint) for joint in sample.meta["unseen"]]
    np.testing.assert_array_equal(visible[:, TRUNK], np.where(np.isin(TRUNK, unseen), 0.0, 1.0)[None].repeat(len(visible), 0))
    none = sample.visibility(PENN_13, hidden="none")
    default = sample.visibility(PENN_13)
    assert (default is None and none is None) or np.array_equal(default, none)
    assert none is None if not unseen else (none[:, unseen] == 0).all() and none.sum() == none.size - len(unseen) * len(none)
    with pytest.raises(ValueError, match="limbs"):
        sample.visibility(PENN_13, hidden="trunk")


@pytest.mark.parametrize("name", CLIPS)
def test_sample_guessed_is_the_annotations_hidden_flag_of_every_joint(prepared, name):
    """``Sample.guessed`` (what ``actlm explain`` passes the fact detector as ``guessed``) is True
    exactly where the .mat file flags a joint-frame hidden; a sample without flags gives None."""
    sample = prepared[prepared.find(name)]
    np.testing.assert_array_equal(sample.guessed(PENN_13), flags(name) == 0)
    assert Sample(sample.data, 0, "x").guessed(PENN_13) is None


def test_known_hidden_joint_frames_are_pinned(prepared):
    """0001's right shoulder is hidden in frames 0-49, 70-84 and 100-114 (seen at 50, 69, 85, 115):
    read with the limbs' flags (a guessed shoulder), 0 there with ``hidden="all"``; 0785's left wrist is never
    read (all its frames 0)."""
    assert (prepared[prepared.find("0001")].visibility(PENN_13, hidden="limbs")[:, J("right_shoulder")] == 1).all()
    visible = prepared[prepared.find("0001")].visibility(PENN_13, hidden="all")
    shoulder = visible[:, J("right_shoulder")]
    assert (shoulder[0:50] == 0).all() and (shoulder[70:85] == 0).all() and (shoulder[100:115] == 0).all()
    assert shoulder[[50, 69, 85, 115]].tolist() == [1, 1, 1, 1]
    np.testing.assert_array_equal(shoulder, flags("0001")[:, J("right_shoulder")])
    never = prepared[prepared.find("0785")]
    assert "left_wrist" in never.meta["unseen"]
    assert (never.visibility(PENN_13)[:, J("left_wrist")] == 0).all()


def test_hidden_runs_round_trip_and_are_json_safe():
    rng = np.random.default_rng(0)
    hidden = rng.random((40, 13)) < 0.3
    hidden[:, J("head")] = False                       # a joint seen throughout has no entry
    runs = hidden_runs(hidden, PENN_13.joints)
    assert "head" not in runs and all(type(f) is int for r in runs.values() for f in r)
    sample = Sample(np.zeros((1, 40, 13, 2), np.float32), 0, "x", {"hidden": runs})
    np.testing.assert_array_equal(sample.visibility(PENN_13, hidden="all"), (~hidden).astype(np.float32))
    assert sample.visibility(PENN_13) is None           # by default the flags are kept, not read
    hidden[:, TRUNK] = False
    np.testing.assert_array_equal(sample.visibility(PENN_13, hidden="limbs"), (~hidden).astype(np.float32))


def test_a_copy_prepared_without_the_flags_still_marks_its_unseen_joints(prepared):
    """A version-2 copy's meta has ``unseen`` only: those joints are 0 in every frame, the rest 1;
    a sample whose meta marks nothing (other datasets) has no visibility."""
    sample = prepared[prepared.find("0785")]
    older = Sample(sample.data, sample.label, sample.sample_id,
                   {k: v for k, v in sample.meta.items() if k != "hidden"})
    visible = older.visibility(PENN_13)
    unseen = [J(name) for name in sample.meta["unseen"]]
    assert unseen and (visible[:, unseen] == 0).all()
    assert visible.sum() == visible.size - len(unseen) * visible.shape[0]
    assert Sample(sample.data, 0, "other", {"split": "train"}).visibility(PENN_13) is None


def test_a_copy_prepared_by_the_importer_before_the_flags_is_prepared_again():
    from actlm.data.registry import stale_importers
    assert stale_importers({"name": "penn-action", "importers": {"penn-action": 2}}) == ["penn-action v2 -> v3"]


def test_the_general_dataset_keeps_a_penn_samples_flags(prepared, monkeypatch):
    """The general dataset keeps a Penn sample's frames and maps penn-13 onto body-13 by joint name:
    its samples carry the flags, and Sample.visibility in body-13 is as in penn-13."""
    from actlm.data import merged, registry
    monkeypatch.setattr(registry, "load", lambda *args, **kwargs: prepared)
    common = {s.meta["source_id"]: s for s in merged.merged_samples("penn-action", "test")}
    assert set(common) == set(CLIPS)
    for name in CLIPS:
        np.testing.assert_array_equal(common[name].visibility(BODY_13, hidden="all"), flags(name))
        np.testing.assert_array_equal(common[name].visibility(BODY_13), prepared[prepared.find(name)].visibility(PENN_13))


def test_no_hand_fact_is_read_from_a_wrist_hidden_all_through_it(prepared):
    """Penn 0106 (a pitch): the left wrist is hidden in frames 62-81, the follow-through. With the
    joints never seen as the only mask, the guessed wrist 'reaches down towards the floor' there;
    with the per-frame flags no left-hand fact spans frames where the wrist is hidden throughout."""
    sample = prepared[prepared.find("0106")]
    hidden = flags("0106")[:, J("left_wrist")] == 0
    assert hidden[62:82].all()
    older = Sample(sample.data, sample.label, sample.sample_id, {"unseen": sample.meta["unseen"]})
    before = read_motion(sample.data, PENN_13, visibility=older.visibility(PENN_13)).facts
    assert any(f.motion == "reach_down" and f.part == "left_hand" for f in before)   # what the flags remove
    last = sample.data.shape[1] - 1
    for fact in read_motion(sample.data, PENN_13, visibility=sample.visibility(PENN_13, hidden="limbs")).facts:
        if fact.part in ("left_hand", "left_arm", "both_hands", "both_arms"):
            span = hidden[int(fact.start * last): int(fact.end * last) + 1]
            assert not span.all(), fact.text


def trunk_facts(name: str, hidden: str) -> list[str]:
    """The bend and lean facts read from a Penn clip with ``Sample.visibility(hidden=...)``."""
    flags(name)
    sample = penn.read_sequence(PENN / f"{name}.mat")
    reading = read_motion(sample.data, PENN_13, visibility=sample.visibility(PENN_13, hidden=hidden))
    return [f.text for f in reading.facts if f.motion in ("bend", "lean_back")]


def test_a_guessed_hip_or_shoulder_still_places_the_trunk():
    """Dropping a hidden hip moves the pelvis to the other hip. Penn 0711 (hand-check round 6): its
    80-degree bend, judged to hold, is read with no flags (the default) and the limbs' flags, and
    lost with every flag (a 20-degree lean back is read instead); Penn 0818 (a golfer facing the
    camera, whose lean back was judged false): no trunk fact without the trunk's flags, a 30-degree
    bend read from the one hip left when its right hip, hidden in 44 % of the frames, is dropped."""
    bend = "bends the upper body forward by about 80 degrees"
    assert bend in trunk_facts("0711", "limbs") and bend in trunk_facts("0711", "none")
    assert bend not in trunk_facts("0711", "all")
    assert trunk_facts("0818", "limbs") == trunk_facts("0818", "none") == []
    assert trunk_facts("0818", "all") != []


def test_the_problem_names_the_annotation_not_a_visibility_score(prepared):
    """An annotation's 0/1 flags are 'marked hidden by the annotation'; a pose estimator's graded
    score (BlazePose's) says what it is, the estimator's doubt, not that the joint is out of view."""
    sample = prepared[prepared.find("0106")]
    visible = sample.visibility(PENN_13, hidden="limbs")
    (flagged,) = [p.text for p in read_motion(sample.data, PENN_13, visibility=visible).problems if p.kind == "low_visibility"]
    assert "are marked hidden by the annotation" in flagged and "visibility below" not in flagged
    scored = np.where(visible > 0, 0.93, 0.2)
    (graded,) = [p.text for p in read_motion(sample.data, PENN_13, visibility=scored).problems if p.kind == "low_visibility"]
    assert graded.startswith("the pose estimator is unsure where the ") and "are (visibility score below 0.5)" in graded
    assert "not visible" not in graded and "hidden" not in graded
