"""Video -> pose -> action (issue 6): BlazePose on real clips, the shipped checkpoint, bad videos,
user videos as a dataset, ONNX export checked against torch."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.engine import load_config, train

from test_explain import decision
from test_timeline import _first_frames
from test_training import tiny_overrides

import cv2  # noqa: E402  (OpenCV comes with the video extra)


def _write_video(path: Path, frames: int, size: tuple[int, int], seed: int = 0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, size)
    rng = np.random.default_rng(seed)
    for _ in range(frames):
        writer.write(rng.integers(90, 110, (size[1], size[0], 3), dtype=np.uint8))   # grey noise, nobody in it
    writer.release()
    return path


@pytest.fixture(scope="module")
def tai_chi(shared_data) -> Path:
    return shared_data / "videos" / "tai_chi.mp4"


def test_blazepose_finds_the_person_in_real_clips(shared_data):
    from actlm.pose.backends import get_backend
    from actlm.pose.video import probe, read_frames

    clip = shared_data / "videos" / "ntu_A055_hugging.avi"          # 1920x1080: downscaled before pose
    info = probe(clip)
    assert (info.width, info.height) == (1920, 1080)
    frames = list(read_frames(clip))
    assert max(frames[0].shape[:2]) == 1280
    pose = get_backend("blazepose").estimate(frames, info.fps)
    assert pose.layout == "blazepose-33" and pose.world.shape == (1, len(frames), 33, 3)
    assert pose.frames_with_person >= 0.9 * len(frames)
    present = pose.visibility[0].max(axis=1) > 0
    up = pose.world[0, present, 0, 1] - pose.world[0, present, 27:29, 1].mean(axis=1)   # nose above ankles
    assert np.median(up) > 0.8


def test_predict_with_the_shipped_checkpoint_no_flags(tai_chi, tmp_path):
    result = CliRunner().invoke(main, ["predict", str(tai_chi), "--json", str(tmp_path / "p.json"),
                                       "--out", str(tmp_path / "annotated.mp4")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "p.json").read_text())
    from actlm.pipeline import default_checkpoint
    about = json.loads((default_checkpoint() / "ABOUT.json").read_text())
    assert report["person_found"] and report["frames_with_person"] == 300
    assert report["classes"] == about["classes"]
    probs = [p for _, p in report["top"]]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001
    novelty = report["novelty"]     # the shipped model ships its training neighbours (experiments/results/openset.md)
    assert novelty is not None and novelty["threshold"] > 0
    assert report["confident"] == (probs[0] >= 0.8 and novelty["known_like"])
    assert 0 <= report["span"][0] < report["span"][1] <= 300 and len(report["joints"]) <= 4
    assert ("action:" in result.output or "low confidence" in result.output
            or "this may be none of the" in result.output)
    # the explanation is grounded: it names the parts that mattered and only measured motion
    evidence = report["evidence"]
    problems = [p["text"] for p in report["evidence"]["problems"]]
    assert decision(report["explanation"], problems).startswith(report["top"][0][0])
    assert [name for name, _ in report["joints"]] == [p.replace("_", " ") for p in evidence["used_parts"]]
    assert all(f["text"] in report["explanation"] for f in evidence["cited"][:3])
    cap = cv2.VideoCapture(str(tmp_path / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 300
    # the template alone by default (the reasoner is opt-in, and the shipped one reads another encoder)
    assert report["reasoner"] is None and "reasoner (" not in result.output


@pytest.mark.parametrize("kind", ["text", "empty", "random", "zero_frames"])
def test_bad_video_files_get_a_clear_error(kind, tmp_path):
    path = tmp_path / f"{kind}.mp4"
    if kind == "text":
        path.write_text("this is not a video")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "random":
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    else:
        _write_video(path, 0, (64, 48))
    result = CliRunner().invoke(main, ["predict", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error:") and str(path) in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("size", [(160, 120), (3840, 2160)])
def test_a_video_without_a_person_says_so(size, tmp_path):
    path = _write_video(tmp_path / "nobody.mp4", 4, size)
    result = CliRunner().invoke(main, ["predict", str(path), "--json", "-"])
    assert result.exit_code == 1, result.output
    assert "no person found" in result.output
    assert json.loads(result.output[result.output.index("{"): result.output.rindex("}") + 1])["person_found"] is False


def test_user_videos_become_a_dataset(tai_chi, tmp_path):
    raw = tmp_path / "mine"
    raw.mkdir()
    (raw / "tai_chi.mp4").symlink_to(tai_chi)
    (raw / "broken.mp4").write_bytes(b"\x00" * 100)
    (raw / "labels.csv").write_text("sample,label,split\ntai_chi,tai chi,train\nbroken,other,train\n")
    result = CliRunner().invoke(main, ["prepare", "videos", str(raw), "--name", "mine", "--out", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "wrote 1 sequences" in result.output and "broken.mp4" in result.output
    from actlm.data import SkeletonSet
    ds = SkeletonSet(tmp_path / "ds")
    assert ds.layout.name == "blazepose-33" and ds[0].data.shape[1] == 300
    assert ds.meta(0)["video"].endswith("tai_chi.mp4")


def test_onnx_export_matches_torch_on_real_samples(tiny_ucla, tmp_path):
    run = tmp_path / "run"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1)))
    result = CliRunner().invoke(main, ["export", str(run), "--onnx", str(tmp_path / "m.onnx"), "--samples", "8"])
    assert result.exit_code == 0, result.output
    from actlm.data import SkeletonSet
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint
    from actlm.export import compare_onnx
    _, meta = load_checkpoint(run)
    data = SkeletonDataset(SkeletonSet(tiny_ucla).split("test"), meta["test_pipeline"])
    x = np.stack([data[i][0].numpy() for i in range(8)])
    r = compare_onnx(run, tmp_path / "m.onnx", x, runs=3)
    assert r["max_abs_diff"] < 1e-4 and r["same_argmax"] == 1.0


def test_keypoint_json_input_and_a_dimension_mismatch_is_explained(tmp_path):
    frames = [{"people": [{"keypoints": (np.random.default_rng(i).random(51) * 100).tolist()}]} for i in range(10)]
    path = tmp_path / "kp.json"
    path.write_text(json.dumps({"fps": 10, "width": 100, "height": 100, "frames": frames}))
    result = CliRunner().invoke(main, ["predict", str(path), "--checkpoint", "nw-ucla-video"])   # a 3D model
    assert result.exit_code == 2 and "2D keypoints" in result.output
    path.write_text(json.dumps({"frames": [{"people": [{"keypoints": [1, 2]}]}]}))
    result = CliRunner().invoke(main, ["predict", str(path)])
    assert result.exit_code == 2 and "expected 17 x 3" in result.output


def test_out_for_a_keypoint_file_is_refused_before_any_work(tmp_path):
    """--out draws on the video's frames; a keypoint file has none: said at once, nothing estimated or written."""
    keypoints = tmp_path / "missing_keypoints.json"            # not even read: the refusal comes first
    result = CliRunner().invoke(main, ["predict", str(keypoints), "--out", str(tmp_path / "o.mp4")])
    assert result.exit_code != 0 and "keypoint files have no frames to draw on" in result.output
    assert not (tmp_path / "o.mp4").exists()


def test_outputs_in_folders_that_do_not_exist_are_written_and_an_unwritable_video_is_an_error(tai_chi, tmp_path):
    """Reliability audit: `--out new/dir/a.mp4` printed 'annotated video: ...' and wrote nothing (OpenCV's
    writer fails without a word), `--json`/`--timeline-png` there failed after the whole prediction; a
    suffix OpenCV cannot write (.txt) was silently no video. Folders are now made before any work, and a
    writer that does not open is an error naming the file."""
    clip = _first_frames(tai_chi, tmp_path / "clip.mp4", 40)
    new = tmp_path / "new" / "deeper"
    result = CliRunner().invoke(main, ["predict", str(clip), "--out", str(new / "a.mp4"), "--json",
                                       str(new / "j" / "r.json"), "--timeline-png", str(new / "p" / "t.png")])
    assert result.exit_code == 0, result.output
    cap = cv2.VideoCapture(str(new / "a.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 40
    assert json.loads((new / "j" / "r.json").read_text())["person_found"]
    assert (new / "p" / "t.png").stat().st_size > 0
    bad = CliRunner().invoke(main, ["predict", str(clip), "--out", str(tmp_path / "a.txt")])
    assert bad.exit_code != 0 and f"{tmp_path / 'a.txt'}: cannot write a video there" in bad.output
    in_the_way = CliRunner().invoke(main, ["predict", str(clip), "--json", str(clip / "r.json")])
    assert in_the_way.exit_code == 2 and "a file of that path is in the way" in in_the_way.output


def test_onnx_export_says_it_replaced_a_file_and_a_failed_export_keeps_it(tmp_path, monkeypatch):
    """An existing --onnx file was overwritten without a word, and an export that failed while writing
    (e.g. onnx missing) could leave it half-written; now the export goes to a side file first."""
    import torch

    import actlm

    shipped = Path(actlm.__file__).parent / "checkpoints" / "nw-ucla-joint"
    out = tmp_path / "m.onnx"
    out.write_bytes(b"an older export")
    runner = CliRunner()

    def failing_export(net, args, path, **kwargs):
        Path(path).write_bytes(b"half")
        raise ModuleNotFoundError("Module onnx is not installed!")

    with monkeypatch.context() as patch:
        patch.setattr(torch.onnx, "export", failing_export)
        result = runner.invoke(main, ["export", str(shipped), "--onnx", str(out), "--no-check"])
    assert result.exit_code == 2 and "Module onnx is not installed" in result.output, result.output
    assert out.read_bytes() == b"an older export" and [p.name for p in tmp_path.iterdir()] == ["m.onnx"]
    result = runner.invoke(main, ["export", str(shipped), "--onnx", str(out), "--no-check"])
    assert result.exit_code == 0 and "replaced the file that was there" in result.output, result.output
    assert out.stat().st_size > 10_000
