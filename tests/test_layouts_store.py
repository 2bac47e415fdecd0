"""Skeleton layouts, joint mappings and the prepared-dataset format."""
from __future__ import annotations

import json

import numpy as np
import pytest

from actlm.data import DataError, DatasetWriter, LAYOUTS, Sample, SkeletonSet, get_layout, get_mapping
from actlm.data.layouts import BODY_PARTS, MAPPING_NOTES, MAPPINGS


@pytest.mark.parametrize("name, joints", [("kinect-v2", 25), ("kinect-v1", 20), ("coco-17", 17), ("blazepose-33", 33)])
def test_layouts_are_consistent_trees(name, joints):
    lay = get_layout(name)
    lay.validate()
    assert lay.num_joints == joints and len(lay.bones) == joints - 1
    assert set(BODY_PARTS) <= set(lay.parts)
    assert (lay.parents()[lay.root] == lay.root)
    assert np.isfinite(lay.hop_distance()).all()


def test_aliases_and_unknown_layout():
    assert get_layout("ntu") is LAYOUTS["kinect-v2"] and get_layout("mediapipe").name == "blazepose-33"
    with pytest.raises(KeyError, match="known"):
        get_layout("openpose-18")


def test_every_mapping_is_documented_and_row_stochastic():
    for key, mapping in MAPPINGS.items():
        assert key in MAPPING_NOTES
        np.testing.assert_allclose(mapping.weights.sum(axis=1), 1.0, rtol=1e-6)


def test_blazepose_to_kinect_v1_on_a_pose():
    bp, k1 = get_layout("blazepose-33"), get_layout("kinect-v1")
    pose = np.random.default_rng(0).normal(size=(1, 1, 33, 3)).astype(np.float32)
    out = get_mapping(bp, k1).apply(pose)[0, 0]
    mid_hip = pose[0, 0, [bp.index("left_hip"), bp.index("right_hip")]].mean(axis=0)
    np.testing.assert_allclose(out[k1.index("hip_center")], mid_hip, rtol=1e-5)
    np.testing.assert_allclose(out[k1.index("left_elbow")], pose[0, 0, bp.index("left_elbow")])
    with pytest.raises(ValueError, match="expects 33 joints"):
        get_mapping(bp, k1).apply(np.zeros((1, 1, 20, 3), np.float32))
    with pytest.raises(KeyError, match="no joint mapping"):
        get_mapping("kinect-v1", "blazepose-33")


def test_kinect_v2_to_v1_is_exact_on_shared_joints():
    k2, k1 = get_layout("kinect-v2"), get_layout("kinect-v1")
    x = np.random.default_rng(1).normal(size=(2, 5, 25, 3)).astype(np.float32)
    y = get_mapping(k2, k1).apply(x)
    assert y.shape == (2, 5, 20, 3)
    np.testing.assert_array_equal(y[..., k1.index("spine"), :], x[..., k2.index("spine_mid"), :])
    np.testing.assert_array_equal(y[..., k1.index("right_wrist"), :], x[..., k2.index("right_wrist"), :])


def _write(root, samples, max_persons=2):
    with DatasetWriter(root, "toy", "coco-17", ["x", "y"], ["a", "b"], max_persons) as writer:
        for s in samples:
            writer.add(s)
        writer.close({"train": [s.sample_id for s in samples[:2]], "test": [samples[-1].sample_id]})


def test_round_trip_memmap_and_person_padding(tmp_path):
    rng = np.random.default_rng(0)
    samples = [Sample(rng.normal(size=(m, t, 17, 2)).astype(np.float32), i % 2, f"s{i}", {"subject": i})
               for i, (m, t) in enumerate([(1, 5), (2, 9), (1, 3)])]
    _write(tmp_path / "toy", samples)
    ds = SkeletonSet(tmp_path / "toy")
    assert isinstance(ds.frames, np.memmap) and ds.frames.shape == (17, 2, 17, 2)
    assert len(ds) == 3 and ds.split("train").sample_ids == ["s0", "s1"] and len(ds.split("test")) == 1
    got = ds[0]
    assert got.data.shape == (2, 5, 17, 2) and not got.data[1].any()
    np.testing.assert_array_equal(got.data[0], samples[0].data[0])
    assert got.meta == {"subject": 0} and ds.find("s2") == 2
    with pytest.raises(DataError, match="no split 'val'"):
        ds.split("val")


def test_failed_writer_leaves_no_dataset_and_bad_shapes_are_refused(tmp_path):
    good = Sample(np.ones((1, 4, 17, 2), np.float32), 0, "ok")
    with pytest.raises(RuntimeError):
        with DatasetWriter(tmp_path / "toy", "toy", "coco-17", ["x", "y"], ["a"], 1) as writer:
            writer.add(good)
            raise RuntimeError("killed")
    assert not (tmp_path / "toy").exists() and not list(tmp_path.iterdir())
    with DatasetWriter(tmp_path / "toy", "toy", "coco-17", ["x", "y"], ["a"], 1) as writer:
        with pytest.raises(DataError, match="expected"):
            writer.add(Sample(np.ones((1, 4, 20, 2), np.float32), 0, "wrong_joints"))
        writer.add(good)
        writer.close()


def test_damaged_dataset_files_give_a_clear_error(tmp_path):
    _write(tmp_path / "toy", [Sample(np.ones((1, 3, 17, 2), np.float32), 0, f"s{i}") for i in range(3)])
    index = (tmp_path / "toy" / "index.json").read_text()
    (tmp_path / "toy" / "index.json").write_text("{not json")
    with pytest.raises(DataError, match="damaged dataset files"):
        SkeletonSet(tmp_path / "toy")
    with pytest.raises(DataError, match="not a prepared actlm dataset"):
        SkeletonSet(tmp_path)
    (tmp_path / "toy" / "index.json").write_text(index)
    info = json.loads((tmp_path / "toy" / "dataset.json").read_text())
    info["format_version"] = 99
    (tmp_path / "toy" / "dataset.json").write_text(json.dumps(info))
    with pytest.raises(DataError, match="format version"):
        SkeletonSet(tmp_path / "toy")
