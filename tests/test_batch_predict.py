"""``actlm predict`` over several videos or a folder: one result each, a bad file reported and
skipped, results appended as each finishes, and a rerun that resumes (actlm/batch.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.batch import ResultLog, video_files
from actlm.cli import main

from test_general import _coco_json


@pytest.fixture(scope="module")
def penn_clips(tmp_path_factory) -> list[np.ndarray]:
    from actlm.data import load
    from actlm.data.penn import CLASSES as PENN

    test = load("penn-action", split="test")
    picks = [int(np.flatnonzero(test.labels == PENN.index(name))[0]) for name in ("jumping jacks", "squat")]
    return [test[i].data[0] for i in picks]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_a_folder_is_predicted_file_by_file_and_a_bad_file_loses_nothing_else(penn_clips, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    _coco_json(folder / "a_jacks.json", penn_clips[0])
    (folder / "b_broken.mp4").write_text("not a video")
    _coco_json(folder / "c_squat.json", penn_clips[1])
    (folder / "notes.txt").write_text("not a candidate")
    log = tmp_path / "out" / "results.jsonl"
    result = CliRunner().invoke(main, ["predict", str(folder), "--jsonl", str(log)])
    assert result.exit_code == 1, result.output            # one video has no result
    rows = _lines(log)
    assert [Path(r["video"]).name for r in rows] == ["a_jacks.json", "b_broken.mp4", "c_squat.json"]
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert "b_broken.mp4" in rows[1]["error"] and "not a video" in rows[1]["error"]
    assert rows[0]["top"][0][0] == "jumping jacks" and rows[2]["top"][0][0] == "squat"
    assert "1 failed" in result.output and "not predicted: " in result.output

    # the rerun resumes: the two results are kept, only what has none runs (the broken file replaced)
    (folder / "b_broken.mp4").unlink()
    _coco_json(folder / "b_fixed.json", penn_clips[1])
    again = CliRunner().invoke(main, ["predict", str(folder), "--jsonl", str(log)])
    assert again.exit_code == 0, again.output
    rows = _lines(log)
    assert [Path(r["video"]).name for r in rows[3:]] == ["b_fixed.json"]     # only the new file ran
    assert "2 already in" in again.output


def test_changed_settings_or_an_edited_file_are_not_taken_from_the_log(tmp_path, monkeypatch):
    from actlm.cli import video_cmds

    ran: list[str] = []

    class _Prediction:
        def __init__(self, top_k: int):
            self.top_k = top_k

        def as_dict(self) -> dict:
            return {"top": [["x", 1.0]] * self.top_k}

        def summary(self) -> str:
            return "x"

    def fake(video, top_k, **_):
        ran.append(Path(video).name)
        return _Prediction(top_k), None, None, None

    monkeypatch.setattr(video_cmds, "_explained_prediction", fake)
    clip = tmp_path / "jacks.json"
    clip.write_text("{}")
    log = tmp_path / "r.jsonl"
    assert CliRunner().invoke(main, ["predict", str(clip), str(clip), "--jsonl", str(log)]).exit_code == 0
    assert ran == ["jacks.json"]                      # the same file given twice runs once
    assert CliRunner().invoke(main, ["predict", str(clip), "--jsonl", str(log)]).exit_code == 0
    assert ran == ["jacks.json"]                      # done: skipped
    assert CliRunner().invoke(main, ["predict", str(clip), "--jsonl", str(log), "--top-k", "2"]).exit_code == 0
    assert len(ran) == 2 and len(_lines(log)[-1]["top"]) == 2      # other settings: run again
    clip.write_text('{"edited": true}')                 # the same path, other content
    assert CliRunner().invoke(main, ["predict", str(clip), "--jsonl", str(log), "--top-k", "2"]).exit_code == 0
    assert len(ran) == 3 and len(_lines(log)) == 3


def test_a_line_cut_short_by_a_crash_is_done_again(penn_clips, tmp_path):
    clip = _coco_json(tmp_path / "jacks.json", penn_clips[0])
    log = tmp_path / "r.jsonl"
    settings = {"k": 1}
    ResultLog(log, settings).append(clip, "ok", {"top": [["jumping jacks", 0.9]]})
    assert ResultLog(log, settings).finished(clip) and not ResultLog(log, {"k": 2}).finished(clip)
    log.write_text(log.read_text()[:-20])            # the process died while writing the line
    with pytest.warns(UserWarning, match="1 unreadable line"):
        cut = ResultLog(log, settings)
    assert not cut.finished(clip)
    cut.append(clip, "ok", {"top": []})
    assert json.loads(log.read_text().splitlines()[-1])["status"] == "ok"   # starts on a line of its own


def test_single_video_outputs_are_refused_for_a_batch_and_empty_folders_named(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: no video or keypoint files"):
        video_files([tmp_path / "empty"])
    result = CliRunner().invoke(main, ["predict", "a.mp4", "b.mp4", "--json", "x.json"])
    assert result.exit_code == 2 and "--json" in result.output and "--jsonl" in result.output
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no video or keypoint files" in result.output


@pytest.mark.parametrize("classes", [None, "jumping jacks: jumping with arms and legs spread; squat: bending the knees low"])
def test_a_batch_loads_the_model_and_its_texts_once_for_all_videos(penn_clips, tmp_path, monkeypatch, classes):
    """Two videos in one run: the checkpoint, its fact profile and (--classes) the class texts'
    scorer are loaded once and reused for both, and each video still gets its own answer."""
    import actlm.engine as engine
    import actlm.language.open_vocab as open_vocab
    import actlm.pipeline as pipeline

    loads: dict[str, int] = {"checkpoint": 0, "profile": 0, "texts": 0}

    def counted(key, original):
        def call(*a, **k):
            loads[key] += 1
            return original(*a, **k)
        return call

    monkeypatch.setattr(pipeline, "load_checkpoint", counted("checkpoint", pipeline.load_checkpoint))
    monkeypatch.setattr(engine, "load_checkpoint", counted("checkpoint", engine.load_checkpoint))
    monkeypatch.setattr(pipeline, "load_fact_profile", counted("profile", pipeline.load_fact_profile))
    monkeypatch.setattr(open_vocab, "scorer_for", counted("texts", open_vocab.scorer_for))
    a = _coco_json(tmp_path / "a_jacks.json", penn_clips[0])
    b = _coco_json(tmp_path / "b_squat.json", penn_clips[1])
    log = tmp_path / "r.jsonl"
    result = CliRunner().invoke(main, ["predict", str(a), str(b), "--jsonl", str(log),
                                       *(["--classes", classes] if classes else [])])
    assert result.exit_code == 0, result.output
    assert loads == {"checkpoint": 1, "profile": 1, "texts": 1 if classes else 0}, loads
    rows = _lines(log)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert [r["top"][0][0] for r in rows] == ["jumping jacks", "squat"]


@pytest.mark.parametrize("damage, problem", [
    (lambda doc: doc.update(fps="thirty"), "'fps' must be a non-negative number, got 'thirty'"),
    (lambda doc: doc["frames"][2].update(people=None), "frame 2: 'people' must be a list, got NoneType"),
    (lambda doc: doc["frames"].__setitem__(2, [1, 2]), "frame 2: expected an object"),
    (lambda doc: doc["frames"][2]["people"][0]["keypoints"].__setitem__(5, None),
     "frame 2: keypoint value 5 (left_eye score) is None, not a finite number"),
    (lambda doc: doc["frames"][4]["people"][0]["keypoints"].__setitem__(0, "NaN"),
     "frame 4: keypoint value 0 (nose x) is 'NaN', not a finite number"),
])
def test_a_damaged_coco_file_is_an_error_naming_file_frame_and_value(penn_clips, tmp_path, damage, problem):
    """Reliability audit: a wrong type in a COCO keypoint file was a traceback (fps text, people null, a
    frame not an object), and a null/"NaN" keypoint silently turned that frame into 'no person'. Each is
    now an error naming the file and the problem, alone and in a batch where the good file still runs."""
    good = _coco_json(tmp_path / "a_good.json", penn_clips[1])
    doc = json.loads(good.read_text())
    damage(doc)
    bad = tmp_path / "b_bad.json"
    bad.write_text(json.dumps(doc))
    alone = CliRunner().invoke(main, ["predict", str(bad)])
    assert alone.exit_code == 2 and "Traceback" not in alone.output
    assert f"{bad}: {problem}" in alone.output
    log = tmp_path / "results.jsonl"
    batch = CliRunner().invoke(main, ["predict", str(good), str(bad), "--jsonl", str(log)])
    assert batch.exit_code == 1
    status = {line["video"]: line["status"] for line in _lines(log)}
    assert status == {str(good): "ok", str(bad): "error"}
    assert problem in batch.output
    assert not any(kind in batch.output for kind in ("ValueError", "TypeError", "AttributeError"))
