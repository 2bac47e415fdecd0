"""Open vocabulary and the zero-shot protocol on real NW-UCLA data: seen-class training through the
trainer (data.train_classes), unseen classes scored from text (`actlm eval --classes`)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from test_explain import decision
from actlm.cli import main
from actlm.data import SkeletonSet
from actlm.data.errors import ConfigError
from actlm.engine import load_checkpoint, load_config, train
from actlm.language.open_vocab import OpenVocabScorer, scorer_for, texts_for_dataset
from actlm.language.zeroshot import ClassSubset
from test_language import SLM_TINY
from test_training import tiny_overrides

SEEN = "descriptions/purls_label_splits/nw-ucla/rs8.npy"
UNSEEN = "descriptions/purls_label_splits/nw-ucla/ru2.npy"


@pytest.fixture(scope="module")
def seen_run(tiny_ucla, tmp_path_factory):
    """A HocSLM trained on the 8 seen classes only, with the PURLS class texts."""
    run = tmp_path_factory.mktemp("zs") / "run"
    train(load_config("nw-ucla/zeroshot_8_2", tiny_overrides(tiny_ucla, run, epochs=1) + SLM_TINY))
    return run


def test_seen_class_training_knows_only_the_seen_classes(seen_run, tiny_ucla):
    model, meta = load_checkpoint(seen_run / "last")
    full = SkeletonSet(tiny_ucla)
    seen_names = [c for i, c in enumerate(full.classes) if i not in (1, 4)]
    assert meta["classes"] == seen_names and model.num_classes == 8 and model.class_text.shape == (8, 384)
    report = json.loads((seen_run / "eval.json").read_text())
    assert report["n"] == 16                          # 2 test sequences of each of the 8 seen classes
    assert report["classes"] == seen_names


def test_class_subset_relabels_in_the_order_given(tiny_ucla):
    test = SkeletonSet(tiny_ucla).split("test")
    sub = ClassSubset(test, [4, 1])
    assert sub.classes == ["sit down", "pick up with two hands"] and len(sub) == 4
    assert sorted(sub.labels.tolist()) == [0, 0, 1, 1]
    assert all(sub[i].label == sub.labels[i] for i in range(len(sub)))
    assert test.classes[test.labels[test.find(sub.sample_ids[0])]] == sub.classes[sub.labels[0]]


def test_scorer_reproduces_the_models_text_logits(seen_run, tiny_ucla):
    """Scoring the checkpoint's own class texts equals its stored text-matching classifier."""
    model, meta = load_checkpoint(seen_run / "last")
    model.eval()
    scorer = OpenVocabScorer(model, model.class_text.clone())
    x = torch.randn(2, 1, 32, 20, 3)
    with torch.no_grad():
        assert torch.allclose(scorer(x), model.text_logits(x), atol=1e-5)
    ds = SkeletonSet(tiny_ucla).split("test")
    texts, keep = texts_for_dataset("purls", ds, UNSEEN)
    assert keep == [1, 4] and [t.name for t in texts] == ["pick up with two hands", "sit down"]
    with torch.no_grad():
        assert scorer_for(model, meta, texts)(x).shape == (2, 2)


def test_conse_mixes_the_trained_class_texts_by_the_classifiers_probabilities(seen_run):
    from actlm.language.open_vocab import ConseScorer

    model, _ = load_checkpoint(seen_run / "last")
    model.eval()
    new_text = torch.nn.functional.normalize(torch.randn(3, 384), dim=-1)
    x = torch.randn(2, 1, 32, 20, 3)
    with torch.no_grad():
        probs = model(x).softmax(1)
        trained = torch.nn.functional.normalize(model.text_projection(model.class_text), dim=-1)
        mixture = torch.nn.functional.normalize(probs @ trained, dim=-1)
        directions = torch.nn.functional.normalize(model.text_projection(new_text), dim=-1)
        expected = model.logit_scale.exp() * mixture @ directions.t()
        assert torch.allclose(ConseScorer(model, new_text)(x), expected, atol=1e-5)


def test_eval_classes_scores_unseen_classes_from_text(seen_run):
    result = CliRunner().invoke(main, ["eval", str(seen_run / "last"), "--split", "test", "--json", "--classes",
                                       "purls", "--class-subset", UNSEEN])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["scoring"] == "open-vocabulary (direct)" and report["n"] == 4
    assert list(report["per_class"]) == ["pick up with two hands", "sit down"]
    fused = CliRunner().invoke(main, ["eval", str(seen_run / "last"), "--split", "test", "--json", "--classes",
                                      "purls", "--class-subset", UNSEEN, "--describe", "--scoring", "conse"])
    assert fused.exit_code == 0, fused.output
    fused_report = json.loads(fused.output[fused.output.index("{"):])
    assert fused_report["scoring"] == "open-vocabulary (conse) + descriptions" and fused_report["n"] == 4
    inline = CliRunner().invoke(main, ["eval", str(seen_run / "last"), "--json", "--classes",
                                       "sit down: lowers the body onto a chair; walk around: walks across the room"])
    assert inline.exit_code == 0, inline.output
    inline_report = json.loads(inline.output[inline.output.index("{"):])
    assert list(inline_report["per_class"]) == ["sit down", "walk around"]
    # walk around is a trained class, sit down a new one: this checkpoint stores no gamma, so no calibration
    calibration = inline_report["calibration"]
    assert (calibration["seen_classes"], calibration["new_classes"]) == (["walk around"], ["sit down"])
    assert not calibration["applied"] and calibration["gamma"] == 0.0
    calibrated = CliRunner().invoke(main, ["eval", str(seen_run / "last"), "--calibrate", "0.2", "--classes",
                                           "sit down: lowers the body onto a chair; walk around: walks across the room"])
    assert calibrated.exit_code == 0, calibrated.output
    assert "calibration: 0.2 (cosine units" in calibrated.output and "(walk around)" in calibrated.output


def test_eval_classes_bad_input_is_a_clear_error(seen_run, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["eval", str(seen_run / "last"), "--classes", "tai chi: slow flowing arms; sit down: sits"])
    assert result.exit_code == 2 and "['tai chi'] are not classes of tiny-ucla" in result.output
    bad = tmp_path / "ru.npy"
    np.save(bad, np.array([1, 10]))
    result = runner.invoke(main, ["eval", str(seen_run / "last"), "--classes", "purls", "--class-subset", str(bad)])
    assert result.exit_code == 2 and "class index 10 is out of range" in result.output


def test_open_vocab_needs_a_skeleton_language_model(tiny_ucla, tmp_path):
    run = tmp_path / "hgl"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1)))
    model, meta = load_checkpoint(run)
    with pytest.raises(ConfigError, match="needs a skeleton-language"):
        OpenVocabScorer(model, torch.zeros(2, 384))
    result = CliRunner().invoke(main, ["eval", str(run), "--classes", "names"])
    assert result.exit_code == 2 and "skeleton-language" in result.output


def test_describe_then_match_scores_descriptions_against_class_texts(tiny_ucla):
    """A description that is a class's text matches that class; an unmeasurable sample scores all
    classes alike; fusion averages log-probabilities."""
    from actlm.language.open_vocab import description_logits, fuse_log_probs, kinematic_descriptions
    from actlm.language.text_encoder import TextEncoder

    encoder = TextEncoder("minilm", 24)
    classes = ["The person sits down on a chair.", "The person waves one hand above the head."]
    class_text = encoder.encode(classes)[2]
    logits = description_logits([classes[1], classes[0], ""], class_text, encoder, scale=10.0)
    assert logits[:2].argmax(1).tolist() == [1, 0] and torch.equal(logits[2], torch.zeros(2))
    fused = fuse_log_probs(np.array([[2.0, 0.0]]), np.array([[0.0, 0.0]]))
    assert np.allclose(fused, (torch.tensor([[2.0, 0.0]]).log_softmax(1).numpy() + np.log(0.5)) / 2)
    texts = kinematic_descriptions(SkeletonSet(tiny_ucla).split("test").subset([0, 1]))
    assert len(texts) == 2 and all(t.startswith("The person") for t in texts)


def test_predict_classes_scores_a_real_video_among_classes_given_as_text(seen_run, shared_data, tmp_path):
    """`actlm predict --classes`: the tai chi clip scored by a HocSLM among classes it never saw."""
    out = tmp_path / "p.json"
    result = CliRunner().invoke(main, ["predict", str(shared_data / "videos" / "tai_chi.mp4"), "--checkpoint",
                                       str(seen_run / "last"), "--json", str(out), "--top-k", "3", "--classes",
                                       "tai chi: slow flowing arm movements; boxing: fast straight punches; "
                                       "sit down: lowers the body onto a chair"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["classes"] == ["tai chi", "boxing", "sit down"]
    names, probs = zip(*report["top"])
    assert sorted(names) == sorted(report["classes"]) and abs(sum(probs) - 1) < 1e-4
    assert list(probs) == sorted(probs, reverse=True) and report["confident"] == (probs[0] >= 0.8)
    assert 0 <= report["span"][0] < report["span"][1] <= 300
    # the evidence and the explanation are those of the re-scored class, not the closed-set one
    problems = [p["text"] for p in report["evidence"]["problems"]]
    assert report["evidence"]["action"] == names[0] and decision(report["explanation"], problems).startswith(names[0])
    assert [name for name, _ in report["joints"]] == [p.replace("_", " ") for p in report["evidence"]["used_parts"]]
    assert report["reasoner"] is None     # a reasoner answers among its own classes: none under --classes


def test_predict_classes_without_a_text_space_fails_before_the_pose_estimator(tmp_path):
    """No video is read (the path does not exist) before the checkpoint is found unable to score text."""
    missing = str(tmp_path / "clip.mp4")
    from actlm.pipeline import shipped_checkpoint
    hglnet = CliRunner().invoke(main, ["predict", missing, "--checkpoint", str(shipped_checkpoint("nw-ucla-video")),
                                       "--classes", "tai chi: slow arm movements"])
    assert hglnet.exit_code == 2 and "a hglnet checkpoint cannot score classes by their text" in hglnet.output


def test_a_fine_tuned_text_encoder_trains_on_multi_sentence_class_texts(tiny_ucla, tmp_path):
    """With `language.finetune_text` the class texts are re-encoded by the trained encoder, each class
    as the mean of its sentences (PURLS: name, global, parts, phases), and stored with the model."""
    from actlm.language.class_texts import purls_class_texts
    from actlm.language.text_bank import encode_class_texts
    from actlm.language.text_encoder import TextEncoder

    run = tmp_path / "ft"
    train(load_config("nw-ucla/hocslm_joint", tiny_overrides(tiny_ucla, run, epochs=1) + SLM_TINY + [
        "language.class_descriptions=purls", "language.finetune_text=true", "train.max_steps_per_epoch=2"]))
    model, _ = load_checkpoint(run / "last")
    tuned = TextEncoder(str(run / "text_encoder"), 24)
    texts = [t.texts() for t in purls_class_texts("tiny-ucla", SkeletonSet(tiny_ucla).classes)]
    with torch.no_grad():
        expected = encode_class_texts(tuned, texts)
        frozen = encode_class_texts(TextEncoder("minilm", 24), texts)
    assert torch.allclose(model.class_text, expected, atol=1e-4)
    assert not torch.allclose(model.class_text, frozen, atol=1e-4)     # the encoder did change


def test_part_alignment_matches_body_regions_to_the_written_part_texts(tiny_ucla, tmp_path):
    """GAP's idea: each body region's features are matched to that region's text of every class."""
    from actlm.language.slm import TEXT_PARTS, region_joints
    run = tmp_path / "parts"
    train(load_config("nw-ucla/zeroshot_8_2", tiny_overrides(tiny_ucla, run, epochs=1) + SLM_TINY
                      + ["model.args.part_alignment=true"]))
    history = json.loads((run / "metrics.json").read_text())
    assert history[0]["loss_part_text"] > 0                   # the region term is trained
    model, meta = load_checkpoint(run / "last")
    assert model.part_text.shape == (len(TEXT_PARTS), 8, 384) and model.part_text.abs().sum() > 0
    hands = region_joints("kinect-v1")[list(TEXT_PARTS).index("hands")]
    assert sorted(hands) == [4, 5, 6, 7, 8, 9, 10, 11]          # both arms and hands of Kinect v1
    # the regions' texts differ from one another (not one sentence copied four times)
    assert not torch.allclose(model.part_text[0], model.part_text[1])
    result = CliRunner().invoke(main, ["eval", str(run / "last"), "--split", "test", "--json", "--classes",
                                       "purls", "--class-subset", UNSEEN, "--scoring", "parts"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output[result.output.index("{"):])["scoring"] == "open-vocabulary (parts)"
