"""Layouts declared in a YAML/JSON file: validation, storage with datasets and checkpoints, real data
in a joint order that is not Kinect v1's (UTD-MHAD)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import actlm.data
from actlm.cli import main
from actlm.data import DataError, SkeletonSet, prepare
from actlm.data.layout_file import read_layout_file, resolve_layout
from actlm.data.layouts import KINECT_V1, LAYOUTS, Layout, get_layout, register_layout
from actlm.engine.checkpoint import CheckpointError, CheckpointMeta, ModelSpec, read_meta

UTD_LAYOUT = Path(actlm.data.__file__).parent / "resources" / "utd-mhad_layout.yaml"


def _spec(**change) -> dict:
    spec = yaml.safe_load(UTD_LAYOUT.read_text())
    spec["name"] = "my-order"
    spec.update(change)
    return spec


def _write(tmp_path: Path, spec: dict, name: str = "layout.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(spec) if name.endswith(".json") else yaml.safe_dump(spec))
    return path


@pytest.fixture
def forget_layout(monkeypatch):
    """Registered layouts are forgotten after the test (as on another machine)."""
    monkeypatch.setattr("actlm.data.layouts.LAYOUTS", dict(LAYOUTS))
    from actlm.data import layouts
    return lambda name: layouts.LAYOUTS.pop(name, None)


def test_the_utd_file_layout_has_kinect_v1_bones_in_its_own_joint_order(shared_data):
    """Read by the file layout, a real UTD-MHAD frame has the same bones as the same joints read
    into Kinect v1's order; read by the built-in kinect-v1 layout (the silent mistake), it does not."""
    from scipy.io import loadmat

    lay = read_layout_file(UTD_LAYOUT)
    frame = loadmat(shared_data / "utd-mhad" / "a1_s1_t1_skeleton.mat")["d_skel"][:, :, 0]   # (20, 3)
    assert lay.joints[:4] == ("head", "shoulder_center", "spine", "hip_center")
    assert frame[lay.index("head"), 1] > frame[lay.index("hip_center"), 1] + 0.4      # head above the hips
    as_kinect = frame[[lay.index(j) for j in KINECT_V1.joints]]
    lengths = lambda x, l: sorted(np.linalg.norm(x[c] - x[p]) for c, p in l.bones)  # noqa: E731
    assert np.allclose(lengths(frame, lay), lengths(as_kinect, KINECT_V1))
    assert not np.allclose(lengths(frame, KINECT_V1), lengths(as_kinect, KINECT_V1))
    assert lay.parts["head"] == (0,) and lay.root == 3 and lay.center == (2,)
    assert [lay.joints[i] for i in lay.mirror_order()[4:8]] == ["right_shoulder", "right_elbow", "right_wrist", "right_hand"]


def test_to_dict_from_dict_round_trip_for_every_built_in_layout():
    for lay in list(LAYOUTS.values()):
        back = Layout.from_dict(lay.to_dict())
        assert back == lay and back.parts == lay.parts and back.to_dict() == lay.to_dict()


def test_defaults_by_name_and_json_files(tmp_path, forget_layout):
    spec = _spec(name="short-json")
    for key in ("spine_bottom", "spine_top"):
        del spec[key]
    spec["parts"] = {"head": ["head"]}
    lay = resolve_layout(_write(tmp_path, spec, "mine.json"))
    assert lay.spine_bottom == (lay.index("hip_center"),) and lay.spine_top == (lay.index("shoulder_center"),)
    assert lay.parts["feet"] == () and lay.parts["head"] == (0,) and get_layout("short-json") is lay


@pytest.mark.parametrize("change, message", [
    ({"bones": _spec()["bones"][:-1] + [["right_foot", "elbow"]]}, "unknown joint 'elbow'"),
    ({"bones": _spec()["bones"][:-1]}, "not connected: 20 joints need 19 bones.*got 18.*right_foot"),
    ({"bones": _spec()["bones"][1:] + [["hip_center", "spine"], ["spine", "hip_center"]]}, "two parents|cycle"),
    ({"bones": _spec()["bones"][:-2] + [["right_ankle", "right_foot"], ["right_foot", "right_ankle"]]},
     "cycle: right_ankle -> right_foot -> right_ankle|cycle: right_foot -> right_ankle -> right_foot"),
    ({"center": None}, "no 'center' given"),
    ({"center": "pelvis"}, "'center' names unknown joint 'pelvis'"),
    ({"joints": _spec()["joints"][:-1] + ["head"]}, "joint 'head' is listed twice"),
    ({"parts": {"tail": ["head"]}}, "unknown body part.*tail"),
    ({"parts": {"head": ["nose"]}}, "parts.head' names unknown joint 'nose'"),
    ({"mirror": [["left_hand"]]}, "pair"),
    ({"colour": "red"}, "unknown key.*colour"),
])
def test_bad_layout_files_are_named_with_the_problem(tmp_path, change, message):
    path = _write(tmp_path, _spec(**change))
    with pytest.raises(DataError, match=message) as info:
        read_layout_file(path)
    assert str(path) in str(info.value)


def test_unreadable_files_and_taken_names(tmp_path, forget_layout):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\njoints: [a, b\n")
    with pytest.raises(DataError, match=r"broken.yaml:\d+: unreadable YAML"):
        read_layout_file(broken)
    with pytest.raises(DataError, match="layout file not found"):
        resolve_layout(tmp_path / "missing.yaml")
    with pytest.raises(DataError, match="differs from the built-in layout"):
        resolve_layout(_write(tmp_path, _spec(name="kinect-v1")))
    register_layout(read_layout_file(UTD_LAYOUT))
    assert register_layout(read_layout_file(UTD_LAYOUT)) is get_layout("utd-mhad")   # same definition: fine


def _utd_folder(shared_data: Path, tmp_path: Path) -> Path:
    """Four real UTD-MHAD sequences as a custom dataset (.npy in the file's joint order)."""
    from scipy.io import loadmat

    raw = tmp_path / "raw"
    raw.mkdir()
    rows = ["sample,label,split"]
    for i, (action, subject) in enumerate([(1, 1), (5, 1), (1, 2), (5, 2)]):
        skel = loadmat(shared_data / "utd-mhad" / f"a{action}_s{subject}_t1_skeleton.mat")["d_skel"]
        np.save(raw / f"s{i}.npy", skel.transpose(2, 0, 1).astype(np.float32))
        rows.append(f"s{i},a{action},{'train' if subject == 1 else 'test'}")
    (raw / "labels.csv").write_text("\n".join(rows) + "\n")
    return raw


def test_prepare_custom_with_a_layout_file_stores_it_and_opens_without_it(shared_data, tmp_path, forget_layout):
    raw = _utd_folder(shared_data, tmp_path)
    layout_file = _write(tmp_path, _spec(name="my-order"), "my_layout.yaml")
    result = CliRunner().invoke(main, ["prepare", "custom", "--raw", str(raw), "--labels", str(raw / "labels.csv"),
                                       "--layout", str(layout_file), "--name", "mine", "--out", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output
    info = json.loads((tmp_path / "mine" / "dataset.json").read_text())
    assert info["layout"] == "my-order" and info["layout_spec"]["joints"][0] == "head"

    forget_layout("my-order")      # another machine: no file, no registration
    layout_file.unlink()
    ds = SkeletonSet(tmp_path / "mine")
    assert ds.layout.name == "my-order" and ds.layout.bones == read_layout_file(UTD_LAYOUT).bones
    x = ds[0].data[0, 0]
    assert x[ds.layout.index("head"), 1] > x[ds.layout.index("hip_center"), 1]

    meta = CheckpointMeta(ModelSpec("hglnet", {"layout": "my-order"}), ds.classes, "my-order", "mine")
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "model.safetensors").write_bytes(b"")
    (ckpt / "config.json").write_text(json.dumps(meta.to_json()))
    assert json.loads((ckpt / "config.json").read_text())["layout_spec"]["name"] == "my-order"
    forget_layout("my-order")
    assert read_meta(ckpt).layout_spec["joints"] == list(ds.layout.joints) and get_layout("my-order").num_joints == 20


def test_a_stored_spec_that_contradicts_a_built_in_layout_is_refused(tmp_path):
    spec = _spec(name="kinect-v1")
    meta = CheckpointMeta(ModelSpec("hglnet", {}), ["a"], "kinect-v1", layout_spec=spec)
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "config.json").write_text(json.dumps(meta.to_json()))
    with pytest.raises(CheckpointError, match="config.json.*differs from the built-in layout"):
        read_meta(tmp_path)
    assert "layout_spec" not in CheckpointMeta(ModelSpec("hglnet", {}), ["a"], "kinect-v1").to_json()


def test_a_checkpoint_trained_on_a_file_layout_loads_where_the_layout_is_unknown(shared_data, tmp_path, forget_layout):
    """Train one tiny epoch on real UTD-MHAD sequences (file layout utd-mhad), forget the layout,
    and load the checkpoint: its config.json carries the definition."""
    from actlm.engine import load_checkpoint
    from actlm.engine.config import load_config
    from actlm.engine.trainer import train

    raw = tmp_path / "raw"
    raw.mkdir()
    for action in (1, 2):
        for subject in (1, 2):
            name = f"a{action}_s{subject}_t1_skeleton.mat"
            (raw / name).symlink_to(shared_data / "utd-mhad" / name)
    prepare("utd-mhad", raw=raw, out=tmp_path / "utd")
    overrides = ["model.args.stages=[[16,1,1],[32,1,2]]", "model.args.groups=4", "model.args.heads=2",
                 f"data.dataset={tmp_path / 'utd'}", f"train.work_dir={tmp_path / 'run'}", "train.epochs=1",
                 "train.batch_size=2", "train.test_batch_size=2", "train.threads=1", "schedule.warmup_epochs=0"]
    train(load_config("utd-mhad/hglnet_joint", overrides))
    saved = json.loads((tmp_path / "run" / "best" / "config.json").read_text())
    assert saved["layout"] == "utd-mhad" and saved["layout_spec"]["joints"][:2] == ["head", "shoulder_center"]
    forget_layout("utd-mhad")
    model, meta = load_checkpoint(tmp_path / "run")
    assert meta.layout == "utd-mhad" and get_layout("utd-mhad").joints[0] == "head"
