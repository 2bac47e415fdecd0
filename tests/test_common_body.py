"""The common body (issue 42.1): every layout maps onto body-13 by joint name; layouts with the
same joints in another order map with no code, also through `actlm eval --dataset`."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_eval_classes import _eval   # `actlm eval` of the shipped nw-ucla-joint model, as JSON

from actlm.data import DatasetWriter, SkeletonSet
from actlm.data.layouts import BODY_13, Layout, get_layout, get_mapping, name_mapping, register_layout


@pytest.mark.parametrize("source, approximate", [
    ("kinect-v1", ()), ("kinect-v2", ()), ("penn-13", ()), ("coco-17", ("head",)), ("blazepose-33", ("head",)),
    ("sbu-15", ("left_wrist", "right_wrist", "left_ankle", "right_ankle")),
])
def test_every_source_reaches_the_common_body(source, approximate):
    mapping = get_mapping(source, "body-13")
    src = get_layout(source)
    assert mapping.weights.shape == (13, src.num_joints)
    assert np.allclose(mapping.weights.sum(axis=1), 1.0)
    assert mapping.approximate == approximate
    for joint in BODY_13.joints:   # a joint the source has by name is taken as it is
        if joint in src.joints:
            assert mapping.weights[BODY_13.index(joint), src.index(joint)] == 1.0


def test_utd_mhad_order_maps_by_name():
    from actlm.data.utdmhad import LAYOUT as UTD
    x = np.random.default_rng(0).normal(size=(1, 5, 20, 3)).astype(np.float32)
    to_body = get_mapping(UTD, "body-13").apply(x)
    assert np.array_equal(to_body[..., BODY_13.index("head"), :], x[..., UTD.index("head"), :])
    assert np.array_equal(to_body[..., BODY_13.index("left_ankle"), :], x[..., UTD.index("left_ankle"), :])
    back = get_mapping(UTD, "kinect-v1").apply(x)    # same 20 names, another order: a permutation
    k1 = get_layout("kinect-v1")
    assert np.array_equal(back[..., [k1.index(j) for j in UTD.joints], :], x)


def test_stand_ins_average_the_face_landmarks():
    coco = get_layout("coco-17")
    x = np.zeros((1, 1, 17, 2), np.float32)
    for joint, value in (("nose", 3.0), ("left_ear", 6.0), ("right_ear", 0.0), ("left_eye", 100.0)):
        x[0, 0, coco.index(joint)] = value
    head = get_mapping(coco, BODY_13).apply(x)[0, 0, BODY_13.index("head")]
    assert head.tolist() == [3.0, 3.0]


def test_a_missing_joint_is_named():
    arms_only = Layout.from_dict({"name": "arms-only", "joints": ["head", "left_shoulder", "right_shoulder"],
                                  "bones": [["left_shoulder", "head"], ["right_shoulder", "head"]],
                                  "center": "head"})
    with pytest.raises(KeyError, match="arms-only has no joint named 'left_elbow', 'right_elbow'"):
        name_mapping(arms_only, BODY_13)


def _reordered_layout() -> Layout:
    """Kinect v1's joints, same names, reversed order: a user's layout file."""
    spec = get_layout("kinect-v1").to_dict()
    spec.update(name="kinect-v1-reversed", joints=spec["joints"][::-1])
    return register_layout(Layout.from_dict(spec, "kinect-v1-reversed.yaml"))


def _rewritten(tiny: Path, out: Path, layout: Layout) -> Path:
    """The test split of ``tiny`` with every sample's joints reordered into ``layout``."""
    source = SkeletonSet(tiny).split("test")
    order = [source.layout.index(j) for j in layout.joints]
    with DatasetWriter(out, out.name, layout, source.channels, source.classes, 1) as writer:
        ids = []
        for i in range(len(source)):
            sample = source[i]
            sample.data = np.ascontiguousarray(sample.data[..., order, :])
            writer.add(sample)
            ids.append(sample.sample_id)
        writer.close({"test": ids})
    return out


def test_eval_on_another_joint_order_maps_by_name(tiny_ucla, tmp_path):
    code, output, same = _eval("--dataset", str(tiny_ucla))
    assert code == 0, output
    reordered = _rewritten(tiny_ucla, tmp_path / "reordered", _reordered_layout())
    code, output, mapped = _eval("--dataset", str(reordered))
    assert code == 0, output
    assert mapped["pipeline"][0] == {"type": "MapLayout", "source": "kinect-v1-reversed", "target": "kinect-v1"}
    assert mapped["per_class"] == same["per_class"] and mapped["n"] == same["n"]
    # an own --pipeline is mapped too (the error's old advice could not be followed there)
    code, output, piped = _eval("--dataset", str(reordered), "--pipeline",
                                json.dumps(same["pipeline"]))
    assert code == 0, output
    assert piped["per_class"] == same["per_class"]


def test_eval_refuses_a_layout_that_lacks_joints(tiny_ucla, tmp_path):
    spec = get_layout("kinect-v1").to_dict()
    keep = [j for j in spec["joints"] if j not in ("left_foot", "right_foot")]
    spec.update(name="kinect-v1-no-feet", joints=keep,
                bones=[b for b in spec["bones"] if b[0] in keep and b[1] in keep],
                parts={k: [j for j in v if j in keep] for k, v in spec["parts"].items()},
                mirror=[])
    code, output, report = _eval("--dataset", str(_rewritten(tiny_ucla, tmp_path / "nofeet",
                                                             register_layout(Layout.from_dict(spec)))))
    assert code != 0 and report is None
    assert "'left_foot', 'right_foot'" in output and "Traceback" not in output
