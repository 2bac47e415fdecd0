"""A checkpoint that averages several trainings of one recipe (actlm.encoder.ensemble, save_ensemble)."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from click.testing import CliRunner

from actlm.cli import main
from actlm.data.errors import ConfigError
from actlm.encoder import build_model
from actlm.engine.checkpoint import CheckpointError, CheckpointMeta, ModelSpec, load_checkpoint, save_checkpoint, save_ensemble
from actlm.engine.openset import pooled_features
from actlm.language.open_vocab import ConseScorer, OpenVocabScorer

ARGS = {"num_classes": 4, "layout": "body-13", "in_channels": 2, "num_persons": 1, "stages": [[16, 1, 1]],
        "embed_dim": 32}
CLASSES = ["walk", "sit down", "wave", "clap"]
PIPELINE = [{"type": "ValidCropResize", "length": 16}]


def _member(path, seed: int, classes=CLASSES, pipeline=PIPELINE, text: torch.Tensor | None = None):
    torch.manual_seed(seed)
    model = build_model("hocslm", **{**ARGS, "num_classes": len(classes)}).eval()
    model.class_text.copy_(text if text is not None else torch.randn(len(classes), 384, generator=torch.Generator().manual_seed(0)))
    meta = CheckpointMeta(ModelSpec("hocslm", {**ARGS, "num_classes": len(classes)}), list(classes), "body-13",
                          "toy", list(pipeline), 7, {}, {"train": {"seed": seed}})
    save_checkpoint(path, model, meta)
    return model


@pytest.fixture
def two_members(tmp_path):
    return [(tmp_path / f"seed{s}", _member(tmp_path / f"seed{s}", s)) for s in (1, 2)]


def test_ensemble_checkpoint_answers_the_mean_of_its_members(two_members, tmp_path):
    (pa, a), (pb, b) = two_members
    model, meta = load_checkpoint(save_ensemble([pa, pb], tmp_path / "ens"))
    assert meta.model.name == "seed-ensemble" and meta.classes == CLASSES and meta.test_pipeline == PIPELINE
    assert meta.model.args["num_persons"] == 1 and meta.model.args["in_channels"] == 2   # read by predict/timeline
    assert [m["seed"] for m in meta.extra["ensemble_of"]] == [1, 2]
    x = torch.randn(3, 1, 16, 13, 2)
    with torch.no_grad():
        mean = (a(x).softmax(1) + b(x).softmax(1)) / 2
        assert torch.allclose(model(x).softmax(1), mean, atol=1e-6)
        assert not torch.allclose(a(x).softmax(1), mean, atol=1e-3)     # the members do differ
        assert torch.allclose(model.member_logits(x), torch.stack([a(x), b(x)]))
        # open vocabulary: the mean of the members' cosines, times their mean scale
        cos = [m.embed(x) @ F.normalize(m.text_projection(m.class_text), dim=-1).t() for m in (a, b)]
        scale = (a.logit_scale.exp() + b.logit_scale.exp()) / 2
        scorer = OpenVocabScorer(model, a.class_text)
        assert torch.allclose(scorer(x), scale * (cos[0] + cos[1]) / 2, atol=1e-5)
        assert torch.allclose(model.text_logits(x), scorer(x), atol=1e-5)
        assert torch.allclose(model.text_matcher()(x), scorer(x), atol=1e-5)     # actlm eval --text-match
        # open-set neighbours: cosine of pooled features = the members' mean cosine
        f = pooled_features(model, x)
        fa, fb = (F.normalize(m.encoder.forward_features(x), dim=-1) for m in (a, b))
        assert torch.allclose(f @ f.t(), (fa @ fa.t() + fb @ fb.t()) / 2, atol=1e-5)
    with pytest.raises(ConfigError, match="--scoring direct"):
        ConseScorer(model, a.class_text)


def test_members_must_answer_the_same_classes_from_the_same_input(two_members, tmp_path):
    (pa, _), _ = two_members
    other = tmp_path / "other_classes"
    _member(other, 3, classes=["walk", "sit down", "wave", "jump"])
    with pytest.raises(CheckpointError, match="other_classes: its classes differ"):
        save_ensemble([pa, other], tmp_path / "ens")
    resized = tmp_path / "other_pipeline"
    _member(resized, 3, pipeline=[{"type": "ValidCropResize", "length": 32}])
    with pytest.raises(CheckpointError, match="its test pipeline differ"):
        save_ensemble([pa, resized], tmp_path / "ens")
    with pytest.raises(CheckpointError, match="at least 2"):
        save_ensemble([pa], tmp_path / "ens")


def test_ensemble_cli_saves_a_checkpoint(two_members, tmp_path):
    (pa, _), (pb, _) = two_members
    runner = CliRunner()
    result = runner.invoke(main, ["ensemble", str(pa), str(pb), "--save", str(tmp_path / "ens")])
    assert result.exit_code == 0, result.output
    model, _ = load_checkpoint(tmp_path / "ens")
    assert len(model.members) == 2
    result = runner.invoke(main, ["ensemble", str(pa), str(pb), "--weights", "1,2", "--save", str(tmp_path / "e2")])
    assert result.exit_code != 0 and "equally" in result.output
