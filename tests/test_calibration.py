"""Calibrated stacking of `--classes` (issue 42): classes the model trained on, typed next to new
ones, lose gamma (cosine units, the checkpoint's open_vocabulary.seen_gamma) times the logit scale."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from actlm.cli import main
from actlm.data.errors import ConfigError
from actlm.engine import load_checkpoint
from actlm.engine.checkpoint import read_meta
from actlm.language.class_texts import resolve_class_texts
from actlm.language.open_vocab import calibrate, scorer_for, seen_classes, stored_seen_gamma
from actlm.pipeline import default_checkpoint
from experiments.make_general_checkpoint import OPEN_VOCABULARY

#: the gamma the general model ships with (re-shipping it keeps the constant and the file in step)
GAMMA = OPEN_VOCABULARY["seen_gamma"]

MIXED = ("Clean  and JERK: lifts a barbell overhead; waving: raises one hand and waves it; "
         "sitting down: lowers the body onto a chair")


@pytest.fixture(scope="module")
def general():
    model, meta = load_checkpoint(default_checkpoint())
    return model, meta


@pytest.fixture(scope="module")
def old_checkpoint(tmp_path_factory):
    """The shipped general model as a checkpoint written before open_vocabulary existed."""
    folder = tmp_path_factory.mktemp("old") / "general-2d"
    shutil.copytree(default_checkpoint(), folder)
    raw = json.loads((folder / "config.json").read_text())
    del raw["open_vocabulary"]
    (folder / "config.json").write_text(json.dumps(raw, indent=1))
    return folder


def test_the_shipped_general_model_stores_its_gamma_and_validates(general, old_checkpoint):
    _, meta = general
    assert stored_seen_gamma(meta) == GAMMA and meta.extra["open_vocabulary"]["seen_gamma"] == GAMMA
    assert meta.to_json() == json.loads((default_checkpoint() / "config.json").read_text())   # written back unchanged
    old = read_meta(old_checkpoint)
    assert "open_vocabulary" not in old.extra and stored_seen_gamma(old) == 0.0
    bad = dict(old.to_json(), open_vocabulary={"seen_gamma": "high"})
    with pytest.raises(ConfigError, match="open_vocabulary.seen_gamma must be a number"):
        stored_seen_gamma(bad)


def test_seen_classes_by_normalised_name_or_by_the_trained_description(general):
    _, meta = general
    assert seen_classes(meta, resolve_class_texts(MIXED)) == [True, False, False]
    trained = resolve_class_texts("general", None, meta.classes)
    typed = resolve_class_texts(f"my lift: {trained[meta.classes.index('clean and jerk')].description}; "
                                "tai chi: slow flowing arm movements")
    assert seen_classes(meta, typed) == [True, False]


def _uncalibrated(general, spec: str, samples: int):
    """The class texts of ``spec``, their scorer, random 2D clips and the scores before calibration."""
    model, meta = general
    texts = resolve_class_texts(spec)
    scorer = scorer_for(model, meta, texts)
    x = torch.randn(samples, 1, 32, 13, 2)
    with torch.no_grad():
        return texts, scorer, x, scorer(x)


def test_seen_scores_drop_by_exactly_gamma_times_the_logit_scale(general):
    texts, scorer, x, raw = _uncalibrated(general, MIXED, 3)
    model, meta = general
    with torch.no_grad():
        cal = calibrate(scorer, meta, texts)
        calibrated = scorer(x)
    scale = float(model.logit_scale.detach().exp())
    assert cal.applied and cal.gamma == GAMMA and cal.seen == ["Clean and JERK"] and cal.new == ["waving", "sitting down"]
    assert torch.allclose(raw[:, 0] - calibrated[:, 0], torch.full((3,), GAMMA * scale), atol=1e-4)
    assert torch.equal(raw[:, 1:], calibrated[:, 1:])
    assert cal.as_dict()["logit_offset"] == pytest.approx(GAMMA * scale) and f"{GAMMA:g}" in cal.note()
    with torch.no_grad():
        calibrate(scorer, meta, texts, 0.3, "--calibrate")
        assert torch.allclose(raw[:, 0] - scorer(x)[:, 0], torch.full((3,), 0.3 * scale), atol=1e-4)
        off = calibrate(scorer, meta, texts, 0.0, "--no-calibrate")
        assert not off.applied and torch.equal(scorer(x), raw) and "off (--no-calibrate)" in off.note()


@pytest.mark.parametrize("spec", ["clean and jerk: lifts; walk: walks; sit down: sits",
                                  "tai chi: slow arms; boxing: fast punches"])
def test_nothing_changes_when_all_classes_are_seen_or_all_new(general, spec):
    texts, scorer, x, raw = _uncalibrated(general, spec, 2)
    with torch.no_grad():
        cal = calibrate(scorer, general[1], texts)
        assert torch.equal(scorer(x), raw)
    assert not cal.applied and cal.note() is None and scorer.seen_offset is None


def test_an_old_checkpoint_without_a_gamma_is_not_calibrated(old_checkpoint):
    model, meta = load_checkpoint(old_checkpoint)
    texts = resolve_class_texts(MIXED)
    cal = calibrate(scorer_for(model, meta, texts), meta, texts)
    assert not cal.applied and cal.gamma == 0.0 and "stores no gamma" in cal.source


def _keypoints(path, frames: int = 40):
    """A COCO-17 keypoint file of a standing person raising and lowering the right arm."""
    y = {"nose": 40, "left_eye": 36, "right_eye": 36, "left_ear": 38, "right_ear": 38, "left_shoulder": 70,
         "right_shoulder": 70, "left_elbow": 110, "right_elbow": 110, "left_wrist": 150, "right_wrist": 150,
         "left_hip": 160, "right_hip": 160, "left_knee": 220, "right_knee": 220, "left_ankle": 280, "right_ankle": 280}
    order = list(y)
    out = []
    for t in range(frames):
        kp = np.array([[100 + (15 if n.startswith("left") else -15 if n.startswith("right") else 0), y[n], 1.0]
                       for n in order])
        lift = 80 * np.sin(np.pi * t / frames)
        kp[order.index("right_wrist"), 1] -= 1.5 * lift
        kp[order.index("right_elbow"), 1] -= 0.7 * lift
        out.append({"people": [{"keypoints": kp.ravel().tolist()}]})
    path.write_text(json.dumps({"frames": out, "width": 200, "height": 300}))
    return path


def test_predict_reports_and_applies_the_calibration(tmp_path, old_checkpoint):
    video = _keypoints(tmp_path / "raise.json")
    runner = CliRunner()

    def predict(*extra, checkpoint=None):
        out = tmp_path / "p.json"
        args = ["predict", str(video), "--json", str(out), "--classes", MIXED, "--top-k", "3", *extra]
        result = runner.invoke(main, args + (["--checkpoint", str(checkpoint)] if checkpoint else []))
        assert result.exit_code == 0, result.output
        return json.loads(out.read_text()), result.output

    calibrated, text = predict()
    cal = calibrated["calibration"]
    assert cal["applied"] and cal["gamma"] == GAMMA and cal["seen_classes"] == ["Clean and JERK"]
    assert cal["new_classes"] == ["waving", "sitting down"] and f"calibration: {GAMMA:g}" in text
    raw, text = predict("--no-calibrate")
    assert not raw["calibration"]["applied"] and "calibration: off (--no-calibrate)" in text
    # softmax of (raw logits - offset): the log-odds of the seen class against each new one drop by the offset
    p_cal, p_raw = dict(calibrated["top"]), dict(raw["top"])
    for new in cal["new_classes"]:
        shift = np.log(p_raw["Clean and JERK"] / p_raw[new]) - np.log(p_cal["Clean and JERK"] / p_cal[new])
        assert shift == pytest.approx(cal["logit_offset"], abs=1e-3)
    stronger, _ = predict("--calibrate", "0.5")
    assert stronger["calibration"]["gamma"] == 0.5 and stronger["calibration"]["source"] == "--calibrate"
    old, _ = predict(checkpoint=old_checkpoint)
    assert not old["calibration"]["applied"] and dict(old["top"]) == pytest.approx(p_raw, abs=1e-6)


def test_calibration_options_are_checked():
    runner = CliRunner()
    both = runner.invoke(main, ["predict", "x.json", "--classes", MIXED, "--calibrate", "0.2", "--no-calibrate"])
    assert both.exit_code == 2 and "contradict" in both.output
    alone = runner.invoke(main, ["predict", "x.json", "--calibrate", "0.2"])
    assert alone.exit_code == 2 and "add --classes" in alone.output
