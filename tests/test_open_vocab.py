"""Open vocabulary and the zero-shot protocol on real NW-UCLA data: seen-class training through the
trainer (data.train_classes), unseen classes scored from text (`actlm eval --classes`)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

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


def test_eval_classes_scores_unseen_classes_from_text(seen_run):
    result = CliRunner().invoke(main, ["eval", str(seen_run / "last"), "--split", "test", "--json", "--classes",
                                       "purls", "--class-subset", UNSEEN])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["scoring"] == "open-vocabulary" and report["n"] == 4
    assert list(report["per_class"]) == ["pick up with two hands", "sit down"]
    inline = CliRunner().invoke(main, ["eval", str(seen_run / "last"), "--json", "--classes",
                                       "sit down: lowers the body onto a chair; walk around: walks across the room"])
    assert inline.exit_code == 0, inline.output
    assert list(json.loads(inline.output[inline.output.index("{"):])["per_class"]) == ["sit down", "walk around"]


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
