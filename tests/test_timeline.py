"""Long videos as an action timeline (issue 43): true timings of ``actlm predict``, sliding windows,
smoothing with a 'no known action' state, segments, JSON Lines and PNG out, and the segmentation
metrics of the benchmark."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main

import cv2  # noqa: E402  (OpenCV comes with the video extra)


def _first_frames(src: Path, out: Path, frames: int) -> Path:
    """The first ``frames`` frames of ``src`` as an mp4 (a short real clip keeps pose estimation quick)."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    for _ in range(frames):
        ok, frame = cap.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (frame.shape[1], frame.shape[0]))
        writer.write(frame)
    cap.release()
    writer.release()
    return out


@pytest.fixture(scope="module")
def short_tai_chi(shared_data, tmp_path_factory) -> Path:
    return _first_frames(shared_data / "videos" / "tai_chi.mp4", tmp_path_factory.mktemp("clip") / "tai_chi_24.mp4", 24)


def test_predict_json_timings_measure_what_they_name(short_tai_chi, tmp_path):
    """pose_s covers decoding + BlazePose (it was ~1e-6 s when the CLI estimated the pose before
    predict_video started its clock), and the parts add up to no more than the total, which is
    no more than the command's own wall time."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["predict", str(short_tai_chi), "--json", str(tmp_path / "p.json")])
    wall = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    timings = json.loads((tmp_path / "p.json").read_text())["timings"]
    assert set(timings) == {"pose_s", "load_s", "model_s", "explain_s", "total_s"}
    # at least 1 ms a frame: BlazePose really ran inside the clock (a share of the total would
    # depend on the host's load: loading and explaining can take longer than 24 frames of pose)
    assert timings["pose_s"] > 24 * 1e-3 and timings["total_s"] > 0
    parts = sum(v for k, v in timings.items() if k != "total_s")
    assert parts <= timings["total_s"] <= wall


def test_a_pose_given_by_the_caller_is_timed_only_when_the_caller_says_how_long(short_tai_chi):
    from actlm.pipeline import estimate_pose, predict_video

    pose = estimate_pose(short_tai_chi)
    prediction, _ = predict_video(short_tai_chi, pose=pose)
    assert "pose_s" not in prediction.timings
    prediction, _ = predict_video(short_tai_chi, pose=pose, pose_seconds=2.5)
    assert prediction.timings["pose_s"] == 2.5 and prediction.timings["total_s"] > 2.5


# --- the timeline: windows, smoothing, segments ------------------------------------------------
from actlm.timeline import (NO_ACTION, OnlineDecoder, Windows, WindowScores, decode, frame_labels,  # noqa: E402
                            online_frame_labels, runs, segments_of, window_argmax)


def _probs(states: list[int], k: int = 3, p: float = 0.9) -> np.ndarray:
    """Window probabilities: ``p`` on each window's state (``k``: nothing sure, uniform)."""
    out = np.full((len(states), k), (1 - p) / (k - 1))
    for i, s in enumerate(states):
        if s < k:
            out[i, s] = p
        else:
            out[i] = 1 / k
    return out


def test_windows_cover_the_whole_sequence_at_the_models_clip_length():
    w = Windows.for_model([{"type": "SpineAlign"}, {"type": "ValidCropResize", "length": 32}])
    assert (w.length, w.stride) == (32, 8)
    starts = w.starts(100)
    assert starts[0] == 0 and starts[-1] + 32 == 100 and np.all(np.diff(starts) <= 8)
    assert list(Windows(32, 8).starts(20)) == [0]              # shorter than a window: one window
    with pytest.raises(Exception, match="stride"):
        Windows(10, 20)


def test_viterbi_removes_a_one_window_blip_and_names_unsure_stretches_no_known_action():
    probs = _probs([0] * 6 + [1] + [0] * 5 + [3] * 6 + [2] * 6)   # class 0, a blip of 1, 0, unsure, class 2
    raw = window_argmax(probs, 0.6)
    assert raw[6] == 1                                           # the unsmoothed baseline keeps the blip
    path = decode(probs, threshold=0.6, switch_penalty=2.0)   # a blip costs 2.9 to bridge, two switches 4
    assert [k for _, _, k in runs(path)] == [0, 3, 2]            # 3 = no known action
    assert list(decode(probs, 0.6, 0.0)) == list(raw)            # no penalty: the per-window answer


def test_frames_and_segments_follow_the_windows():
    w = Windows(8, 4)
    starts = w.starts(40)
    states = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])[: len(starts)]
    labels = frame_labels(states, starts, w, 40)
    assert len(labels) == 40 and labels[0] == 0 and labels[-1] == 1
    segs = segments_of(labels, _probs(list(states), 2 + 1), starts, w, ["a", "b", "c"], fps=10.0,
                       frame_index=np.arange(40) + 5)
    assert [s.action for s in segs] == ["a", "b"] and segs[0].start == 5 and segs[1].end == 45
    assert segs[0].end == segs[1].start == 5 + int(np.argmax(labels == 1))         # video frames: offset by 5
    assert segs[1].end_s == 4.5 and all(0 < s.confidence <= 1 for s in segs)


def test_online_decoder_announces_after_hold_windows_and_closes_at_the_end():
    dec = OnlineDecoder(["a", "b"], threshold=0.6, hold=2)
    seen = []
    windows = np.array([[0.5, 0.5], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.1],
                        [0.1, 0.9], [0.1, 0.9], [0.1, 0.9]])
    for i, p in enumerate(windows):
        seen += [(e["event"], e["action"], e["frame"]) for e in dec.feed(p, frame=10 * i)]
    seen += [(e["event"], e["action"], e["frame"]) for e in dec.close(frame=99)]
    # 'a' needs two windows (frames 10, 20), the single 'b' at 40 is ignored, 'b' from 60, 70
    assert seen == [("start", "a", 20), ("end", "a", 70), ("start", "b", 70), ("end", "b", 99)]
    assert dec.close(100) == []


def test_online_labels_lag_the_windows_they_come_from():
    w = Windows(8, 4)
    starts = w.starts(40)
    scores = WindowScores(_probs([0] * len(starts), k=2), starts, np.full(len(starts), 0.05))
    labels, events = online_frame_labels(scores, w, 40, threshold=0.6, hold=2)
    assert events[0]["event"] == "start" and events[0]["frame"] == 12         # second window ends at frame 12
    assert (labels[:11] == 2).all() and (labels[11:] == 0).all()


def test_a_window_that_hardly_moves_is_no_action_whatever_the_model_says():
    starts = np.arange(0, 48, 4)
    motion = np.array([0.05] * 4 + [0.005] * 4 + [0.05] * 4)           # moving, held still, moving
    scores = WindowScores(_probs([0] * 12, k=2, p=0.95), starts, motion)
    # two changes (penalty 1 each) cost less than four still windows called '0' (5 each), and staying
    # 'no known action' throughout would cost 0.46 on each of the eight moving windows
    assert [k for *_, k in runs(decode(scores, 0.6, 1.0, still_below=0.01))] == [0, 2, 0]
    assert (decode(scores, 0.6, 1.0, still_below=0.0) == 0).all()       # the rule off: the model's answer
    labels, events = online_frame_labels(scores, Windows(8, 4), 52, threshold=0.6, hold=2, still_below=0.01)
    assert [e["event"] for e in events] == ["start", "end", "start"]


# --- the benchmark's metrics, from their definitions (Lea et al. 2017) -------------------------
def test_segmental_f1_and_edit_from_their_definitions():
    from experiments.timeline_benchmark import edit_score, f1_counts, scores

    bg = 9
    truth = np.array([bg] * 2 + [0] * 4 + [bg] * 2 + [1] * 4)
    assert scores([truth], [truth], bg) == {"frame_acc": 100.0, "f1@10": 100.0, "f1@25": 100.0, "f1@50": 100.0,
                                           "edit": 100.0}
    split = np.array([bg] * 2 + [0, 0, 1, 0] + [bg] * 2 + [1] * 4)   # over-segmented: 0, 1, 0, 1
    assert edit_score(split, truth, bg) == 50.0                      # 2 edits, longer sequence 4
    # the first '0' piece has IoU 2/4 with the true 0, the second 1/4 (and the true 0 is taken); the '1' piece 0
    assert f1_counts(split, truth, bg, 0.5) == (2, 2, 0) and f1_counts(split, truth, bg, 0.25) == (2, 2, 0)
    assert f1_counts(split, truth, bg, 0.6) == (1, 3, 1)
    shifted = np.array([bg] * 4 + [0] * 4 + [1] * 4)                 # IoU 2/6 with the true 0
    assert f1_counts(shifted, truth, bg, 0.5) == (1, 1, 1) and f1_counts(shifted, truth, bg, 0.25) == (2, 0, 0)


def test_streams_have_known_labels_idle_and_transitions():
    from actlm.data.store import Sample
    from experiments.timeline_benchmark import build_streams

    rng = np.random.default_rng(0)
    seqs = [Sample(np.full((1, 10 + i, 20, 3), float(i), np.float32), i, f"s{i}", {}) for i in range(3)]
    (stream,) = build_streams(seqs, 3, background=10, rng=np.random.default_rng(1))
    labels, data = stream["labels"], stream["data"]
    assert data.shape[:1] == (1,) and data.shape[1] == len(labels)
    action_runs = [(a, b, k) for a, b, k in runs(labels) if k != 10]
    assert sorted(k for *_, k in action_runs) == [0, 1, 2] and labels[0] == 10       # starts idle
    for a, b, k in action_runs:
        assert b - a == 10 + k and np.allclose(data[0, a:b], float(k))               # the real frames, unchanged
    gap = data[0, action_runs[0][1]:action_runs[1][0], 0, 0]
    assert gap.min() >= -0.02 and gap.max() <= max(action_runs[0][2], action_runs[1][2]) + 0.02   # interpolated, then held


# --- the command -------------------------------------------------------------------------------
def test_predict_timeline_writes_segments_and_a_picture(short_tai_chi, tmp_path):
    result = CliRunner().invoke(main, ["predict", str(short_tai_chi), "--timeline", str(tmp_path / "t.jsonl"),
                                       "--timeline-png", str(tmp_path / "t.png"), "--window", "12", "--stride", "4",
                                       "--json", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    assert ("action:" in result.output or "low confidence" in result.output          # the one-clip answer as before
            or "this may be none of the" in result.output)
    assert "timeline:" in result.output
    segs = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert segs and segs[0]["start"] == 0 and segs[-1]["end"] == 24
    assert all(a["end"] == b["start"] for a, b in zip(segs, segs[1:]))          # contiguous, in order
    classes = json.loads((tmp_path / "p.json").read_text())["classes"]          # the default model's
    for s in segs:
        assert s["action"] in classes + [NO_ACTION] and 0 <= s["confidence"] <= 1
        assert (s["explanation"] is not None) == (s["action"] != NO_ACTION)
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("pose_fps, pose_frames", [(None, 24), ("10", 8)])
def test_predict_timeline_measures_the_camera_once(short_tai_chi, tmp_path, monkeypatch, pose_fps, pose_frames):
    """``predict --timeline``: the camera's motion is measured once, by the prediction, and the
    segments' explanations read that mask; the video is decoded twice in all (the poses, the
    camera), not a third time for the timeline. With ``--pose-fps 10`` (every 3rd frame of the
    30 fps clip) the mask is one bool per pose frame and the segments still cover the video's 24 frames."""
    import actlm.pipeline as pipeline
    import actlm.pose.camera as camera
    import actlm.pose.video as video
    import actlm.timeline as tl

    decoded, measured, read = [], [], []

    def counted(calls, original):
        return lambda *a, **k: calls.append(a[0]) or original(*a, **k)

    monkeypatch.setattr(pipeline, "read_frames", counted(decoded, pipeline.read_frames))
    monkeypatch.setattr(video, "read_frames", counted(decoded, video.read_frames))
    monkeypatch.setattr(camera, "measure_camera", counted(measured, camera.measure_camera))
    build = tl.build_timeline
    monkeypatch.setattr(tl, "build_timeline", lambda *a, **k: read.append(k["camera_moving"]) or build(*a, **k))
    result = CliRunner().invoke(main, ["predict", str(short_tai_chi), "--timeline", str(tmp_path / "t.jsonl"),
                                       "--window", "12", "--stride", "4"] + (["--pose-fps", pose_fps] if pose_fps else []))
    assert result.exit_code == 0, result.output
    assert len(measured) == 1 and len(decoded) == 2, (measured, decoded)
    assert len(read) == 1 and read[0] is not None and len(read[0]) == pose_frames   # the prediction's, per pose frame
    segs = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert segs[0]["start"] == 0 and segs[-1]["end"] == 24


# --- the settings a checkpoint ships with ------------------------------------------------------
STORED = {"threshold": 0.37, "switch_penalty": 2.5, "still_below": 0.015, "online_threshold": 0.61,
          "online_hold": 3, "online_still_below": 0.005, "source": "a test"}


def checkpoint_with(folder: Path, timeline: dict | None) -> Path:
    """The shipped general model copied to ``folder``, its config.json's ``timeline`` key set to
    ``timeline`` (None: removed, a checkpoint written before the key existed); weights linked, not copied."""
    from actlm.pipeline import default_checkpoint

    src = Path(default_checkpoint())
    folder.mkdir(parents=True)
    for f in src.iterdir():
        if f.name != "config.json":
            (folder / f.name).symlink_to(f.resolve())
    raw = json.loads((src / "config.json").read_text())
    raw.pop("timeline", None)
    if timeline is not None:
        raw["timeline"] = timeline
    (folder / "config.json").write_text(json.dumps(raw, indent=1))
    return folder


def _synthetic_pose(frames: int = 40):
    """One person in body-13 image coordinates waving an arm (no pose estimation: fast)."""
    from actlm.pose.backends import PoseSequence

    base = np.random.default_rng(0).normal(0, 1, (13, 2)) * 15 + [320, 240]
    arm = np.zeros((13, 2))
    arm[5:7] = 1.0
    image = np.stack([base + arm * [30 * np.sin(t / 3), -40 * np.cos(t / 3)] for t in range(frames)])
    image = image[None].astype(np.float32)
    return PoseSequence("body-13", image, np.ones(image.shape[:3], np.float32), None, 30.0, (640, 480))


def test_a_timeline_uses_the_checkpoints_stored_settings_unless_given(tmp_path):
    from actlm.timeline import (DEFAULT_STILL_BELOW, DEFAULT_SWITCH_PENALTY, DEFAULT_THRESHOLD, stored_settings,
                                video_timeline, video_timelines)
    from actlm.engine.checkpoint import read_meta

    stored = checkpoint_with(tmp_path / "stored", STORED)
    old = checkpoint_with(tmp_path / "old", None)
    pose = _synthetic_pose()
    t = video_timeline(pose, stored, explain=False)
    assert (t.threshold, t.switch_penalty, t.still_below) == (0.37, 2.5, 0.015)
    assert f"below {0.37:.0%}" in t.summary()
    t = video_timelines(pose, stored, threshold=0.8, still_below=0.0, explain=False)[0]     # given values win
    assert (t.threshold, t.switch_penalty, t.still_below) == (0.8, 2.5, 0.0)
    t = video_timeline(pose, old, explain=False)                                            # no key: the constants
    assert (t.threshold, t.switch_penalty, t.still_below) == (DEFAULT_THRESHOLD, DEFAULT_SWITCH_PENALTY,
                                                              DEFAULT_STILL_BELOW)
    partial = stored_settings(read_meta(checkpoint_with(tmp_path / "partial", {"threshold": 0.2})))
    assert partial["threshold"] == 0.2 and partial["switch_penalty"] == DEFAULT_SWITCH_PENALTY


def test_predict_timeline_reads_the_stored_threshold_and_the_option_overrides_it(tmp_path, monkeypatch):
    """``actlm predict --timeline`` (its ``_write_timeline``, on poses already estimated): no
    ``--unknown-below``, the checkpoint's stored threshold; one given, that one."""
    from actlm import timeline as tl
    from actlm.cli import video_cmds

    stored = checkpoint_with(tmp_path / "stored", STORED)
    made, original = [], tl.video_timeline
    monkeypatch.setattr(tl, "video_timeline", lambda *a, **k: made.append(original(*a, **{**k, "explain": False}))
                        or made[-1])
    for given, expected in ((None, 0.37), (0.9, 0.9)):
        video_cmds._write_timeline(_synthetic_pose(), str(stored), "clip.mp4", str(tmp_path / "t.jsonl"), None,
                                   None, None, given, echo=False)
        assert made[-1].threshold == expected and made[-1].switch_penalty == 2.5
        assert [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]


def test_stored_settings_are_checked(tmp_path):
    from actlm.data.errors import ConfigError
    from actlm.engine.checkpoint import read_meta
    from actlm.timeline import stored_settings

    for bad in ({"threshold": "high"}, {"online_hold": 0}, {"threshold": 1.5}, [0.5]):
        folder = checkpoint_with(tmp_path / f"bad{len(list(tmp_path.iterdir()))}", bad)
        with pytest.raises(ConfigError, match="timeline"):
            stored_settings(read_meta(folder))


def test_the_shipped_checkpoints_carry_their_calibrated_settings():
    from actlm.engine.checkpoint import read_meta
    from actlm.timeline import FALLBACK_SETTINGS, stored_settings

    root = Path(__file__).parents[1] / "actlm" / "checkpoints"
    ucla = read_meta(root / "nw-ucla-joint")
    assert stored_settings(ucla) == FALLBACK_SETTINGS          # the constants were calibrated for it
    general = read_meta(root / "general-2d")
    assert set(general.extra["timeline"]) >= set(FALLBACK_SETTINGS) | {"source"}
    assert (root.parents[1] / general.extra["timeline"]["source"]).exists()
    from experiments.make_general_checkpoint import TIMELINE
    assert general.extra["timeline"] == TIMELINE                 # re-shipping the model keeps them


def test_the_general_models_stored_stillness_does_not_silence_a_real_action(shared_data):
    """A stillness level chosen on synthetic idle (a held pose with 3 mm of jitter) once silenced
    every real action (0.03 body sizes a frame; real 30 fps windows move 0.01-0.02): the shipped
    model's stored level must let the windows of a real squat through."""
    import scipy.io as sio

    from actlm.data.merged import to_common_body
    from actlm.engine.checkpoint import load_checkpoint
    from actlm.timeline import Windows, is_still, score_windows, stored_settings

    model, meta = load_checkpoint(Path(__file__).parents[1] / "actlm" / "checkpoints" / "general-2d")
    mat = sio.loadmat(shared_data / "utd-mhad" / "a27_s2_t1_skeleton.mat")
    joints = next(v for k, v in mat.items() if not k.startswith("_")).transpose(2, 0, 1).astype(np.float32)[None]
    scores = score_windows(model, meta.test_pipeline, "body-13", to_common_body(joints, "utd-mhad", "utd-mhad"),
                           Windows(32, 8))
    settings = stored_settings(meta)
    assert not is_still(scores, settings["still_below"]).any()
    assert not is_still(scores, settings["online_still_below"]).any()


def test_each_drawn_person_is_labelled_with_their_current_segment():
    """The annotated video's label per person and frame: the tracked person's timeline segment
    (with the person's id), else their whole-clip action; nothing for an empty slot."""
    from actlm.pipeline import person_labels
    from actlm.pose.backends import PoseSequence
    from actlm.timeline import Segment

    vis = np.ones((2, 6, 33), np.float32)
    vis[1, :2] = 0                                       # slot 1 empty in frames 0-1
    ids = np.array([[7] * 6, [-1, -1, 9, 9, 9, 9]])
    pose = PoseSequence("blazepose-33", np.zeros((2, 6, 33, 2), np.float32), vis, None, 30.0, (64, 64), ids)
    segments = [Segment(7, 0, 3, "wave", 0.8), Segment(7, 3, 6, NO_ACTION, 0.6), Segment(9, 2, 6, "clap", 0.7)]
    labels = person_labels(pose, segments)
    assert labels[0] == {0: "7: wave 80%"} and labels[4] == {0: "7: no known action 60%", 1: "9: clap 70%"}
    whole = person_labels(pose, None, [{"person": 9, "top": [("hug", 0.55)]}])
    assert whole[1] == {} and whole[2] == {1: "9: hug 55%"}
    untracked = PoseSequence("blazepose-33", np.zeros((1, 6, 33, 2), np.float32), vis[:1], None, 30.0, (64, 64))
    assert person_labels(untracked, [Segment(0, 0, 6, "walk", 0.9)])[5] == {0: "walk 90%"}
    assert person_labels(untracked) == [{}] * 6


def test_predict_out_with_a_timeline_draws_the_current_label(short_tai_chi, tmp_path):
    plain, labelled = tmp_path / "plain.mp4", tmp_path / "labelled.mp4"
    assert CliRunner().invoke(main, ["predict", str(short_tai_chi), "--out", str(plain)]).exit_code == 0
    result = CliRunner().invoke(main, ["predict", str(short_tai_chi), "--out", str(labelled),
                                       "--timeline", str(tmp_path / "t.jsonl")])
    assert result.exit_code == 0, result.output

    def frames(path):
        cap = cv2.VideoCapture(str(path))
        out = []
        ok, frame = cap.read()
        while ok:
            out.append(frame)
            ok, frame = cap.read()
        return np.stack(out)

    a, b = frames(plain), frames(labelled)
    assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).max() > 100   # the label's white text


def test_a_video_timeline_explains_its_segments_as_predict_reads_the_video(monkeypatch):
    """A segment's explanation reads the video as ``predict``'s does: the frames without a person
    kept in place (its problems name video frames) and no whole-body fact where the camera moves
    (``camera_for_video`` of the video). A camera moving all clip long is said over each segment's
    own video frames, across the 10 frames without a person (20-29)."""
    import actlm.pipeline as pipeline
    from actlm.pipeline import default_checkpoint
    from actlm.timeline import video_timelines

    pose = _synthetic_pose(60)
    pose.visibility[:, 20:30] = 0                                  # nobody in frames 20-29
    asked = []
    monkeypatch.setattr(pipeline, "camera_for_video", lambda video, p: asked.append(video) or np.ones(p.frames, bool))
    timeline = video_timelines(pose, default_checkpoint(), threshold=0.01, still_below=0.0, video="clip.mp4")[0]
    assert asked == ["clip.mp4"]
    explained = [s for s in timeline.segments if s.explanation]
    assert explained
    for seg in explained:
        assert f"the camera moves in frames {seg.start}-{seg.end - 1}" in seg.explanation, seg.explanation
    assert any(s.start < 20 and s.end > 30 for s in explained)    # a segment across the gap: video frames
    asked.clear()
    video_timelines(pose, default_checkpoint(), threshold=0.01, still_below=0.0, explain=False, video="clip.mp4")
    assert asked == []                                             # nothing explained: the camera is not read


def test_a_late_segment_is_not_said_untracked_before_it_starts():
    """A segment read on the video's timeline (its first frame 200) has nothing before it in its own
    reading; those frames are other segments', not a lost track: no 'not tracked before frame 200'.
    Its problems name video frames (the camera's 200-259)."""
    from actlm.engine.checkpoint import load_checkpoint
    from actlm.pipeline import default_checkpoint, skeleton_for_model
    from actlm.timeline import explain_segment

    model, meta = load_checkpoint(default_checkpoint())
    data, kept = skeleton_for_model(_synthetic_pose(60), meta.layout, 1, 2)
    moving = np.ones(300, bool)
    text = explain_segment(model, meta, data, None, "late", 30.0, kept + 200, moving)
    assert "not tracked before" not in text and "the camera moves in frames 200-259" in text, text


def test_a_late_segment_is_explained_as_the_same_frames_at_the_start_in_video_frames():
    """The segment is laid from its own first frame: read at video frame 200 it says what it says at
    frame 0 (the same facts and problems), every frame it names 200 later; the 10 frames without a
    person (20-29) stay a gap."""
    import re

    from actlm.engine.checkpoint import load_checkpoint
    from actlm.pipeline import default_checkpoint, skeleton_for_model
    from actlm.explain.evidence import renumber_frames
    from actlm.timeline import explain_segment

    model, meta = load_checkpoint(default_checkpoint())
    pose = _synthetic_pose(60)
    pose.visibility[:, 20:30] = 0
    data, kept = skeleton_for_model(pose, meta.layout, 1, 2)
    assert len(kept) == 50
    first = explain_segment(model, meta, data, None, "clip", 30.0, kept, None)
    late = explain_segment(model, meta, data, None, "clip", 30.0, kept + 200, None)
    assert re.search(r"frames \d+-\d+", first), first                     # it names frames at all
    assert late == renumber_frames(first, lambda n: n + 200), (first, late)   # every run of every list, 200 later
    assert re.search(r"frames \d+-\d+ and \d+-\d+", first), first           # a problem naming two runs is among them


def test_window_motion_is_the_mean_coordinate_step_of_the_person_who_moves_most():
    """A joint stepping (3, 4) a frame moves 3.5 (the unit the stored stillness settings were
    calibrated in); a second, still person (or an empty, padded one) does not dilute the mover; for
    one person it is what the shipped settings were calibrated on (mean |step| over coordinates)."""
    from actlm.timeline import window_motion

    x = np.zeros((1, 2, 5, 2, 2), np.float32)                   # (N, M, T, V, C)
    x[0, 0, :, 0] = np.arange(5)[:, None] * np.array([3.0, 4.0])  # person 0, joint 0 walks; joint 1 stays
    assert window_motion(x) == pytest.approx([3.5 / 2])           # (3.5 + 0) / 2 joints
    x[0, 1] = 7.0                                                 # person 1 stands still elsewhere
    assert window_motion(x) == pytest.approx([3.5 / 2])
    one = np.random.default_rng(0).normal(size=(3, 1, 8, 4, 3))
    calibrated_on = np.linalg.norm(np.diff(one, axis=2), axis=1).mean(axis=(1, 2, 3))   # the old formula, one person
    assert window_motion(one) == pytest.approx(calibrated_on)
