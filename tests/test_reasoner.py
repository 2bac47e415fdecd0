"""Semantic action tokens and the LoRA reasoner (issue 5), on real NW-UCLA data and the embedded LM."""
from __future__ import annotations

import gc
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import SkeletonSet
from actlm.engine import ConfigError, load_checkpoint, load_config, train
from actlm.explain.facts import Fact, kinematic_facts
from actlm.explain.claims import claims, distinctness, faithfulness
from actlm.reasoner.vst import Codebook, SemanticTokenizer, TokenizeError, fit_tokenizer, run_lengths, viterbi

from test_training import tiny_overrides


@pytest.fixture(scope="module")
def tiny_encoder(tiny_ucla, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("enc") / "hglnet"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1)))
    return run


@pytest.fixture(scope="module")
def micro_ucla(tiny_ucla, tmp_path_factory) -> Path:
    """One training sequence of every other class and one test sequence per class of the tiny set:
    what the LM reasoner trains and is scored on here. Its cost is the LM's forward and backward
    passes over every training prompt (~350 tokens with the evidence), so five prompts instead of
    forty keep the test laptop-sized: the test pins the mechanics (train, save, reload, the CLIs),
    not what the reasoner learns (experiments/results/reasoner.md). A class with no training
    sequence is still scored (every class name is); the fact profile just has no row for it."""
    from actlm.data import DatasetWriter

    tiny = SkeletonSet(tiny_ucla)
    out = tmp_path_factory.mktemp("micro") / "micro-ucla"
    splits: dict[str, list[str]] = {}
    with DatasetWriter(out, "micro-ucla", tiny.layout, tiny.channels, tiny.classes, 1) as writer:
        for split, classes in (("train", range(0, tiny.num_classes, 2)), ("test", range(tiny.num_classes))):
            part = tiny.split(split)
            firsts = [int(np.flatnonzero(part.labels == k)[0]) for k in classes]
            splits[split] = [part.sample_ids[i] for i in firsts]
            for i in firsts:
                writer.add(part[i])
        writer.close(splits)
    return out


def test_viterbi_switch_penalty_merges_flicker():
    dist = np.array([[0.1, 0.5], [0.32, 0.3], [0.1, 0.5], [0.6, 0.1], [0.6, 0.1]])
    assert viterbi(dist, 0.0).tolist() == [0, 1, 0, 1, 1]           # greedy flickers
    assert viterbi(dist, 0.1).tolist() == [0, 0, 0, 1, 1]           # penalised switch does not
    assert run_lengths(np.array([3, 3, 1, 1, 1, 2])) == [(3, 0, 2), (1, 2, 5), (2, 5, 6)]


def test_codebook_kmeans_init_and_dead_code_restart():
    import torch
    gen = torch.Generator().manual_seed(0)
    centers = torch.nn.functional.normalize(torch.randn(4, 8, generator=gen), dim=1)
    x = torch.cat([c + 0.05 * torch.randn(50, 8, generator=gen) for c in centers])
    book = Codebook(4, 8, seed=0)
    book.fit(x, ema_epochs=2)
    assert len(set(book.assign(torch.nn.functional.normalize(x, dim=1)).tolist())) == 4
    book.codes[0] = -book.codes[1]                                  # a code nobody uses
    book.restart_dead(torch.nn.functional.normalize(x, dim=1))
    assert book.restarts >= 1


def test_tokenizer_fits_names_codes_and_round_trips(tiny_encoder, tiny_ucla, tmp_path):
    encoder, meta = load_checkpoint(tiny_encoder)
    train_set = SkeletonSet(tiny_ucla).split("train")
    tok, stats = fit_tokenizer(encoder, meta, train_set, size=8)
    assert stats["used_codes"] >= 2 and 1 <= stats["perplexity"] <= 8
    assert stats["mean_tokens_per_sequence"] <= stats["segments_per_sequence"]
    sample = train_set[0]
    narrative = tok.tokenize(sample.data, sample.sample_id)
    text = str(narrative)
    assert text.startswith("<a") and all(t.name for t in narrative.tokens)
    assert all(a.code != b.code for a, b in zip(narrative.tokens, narrative.tokens[1:]))   # runs merged
    tok.save_pretrained(tmp_path / "vst")
    again = SemanticTokenizer.from_pretrained(tmp_path / "vst")
    assert str(again.tokenize(sample.data, sample.sample_id)) == text
    with pytest.raises(TokenizeError, match="at least 4"):
        tok.tokenize(sample.data[:, :2], "short")
    result = CliRunner().invoke(main, ["tokenize", str(tmp_path / "vst"), str(tiny_ucla), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.count("<a") >= 2


def test_faithfulness_checks_claims_against_measurements(ucla_prepared):
    ds = SkeletonSet(ucla_prepared)
    sample = ds[ds.find("a01_s01_e00_v01")]          # pick up with one hand: bends, reaches down
    facts = kinematic_facts(sample.data, ds.layout)
    true = faithfulness("the person bends the upper body forward and reaches down towards the floor", facts)
    false = faithfulness("the person waves the left hand and turns around", facts)
    assert true["precision"] == 1.0 and false["precision"] == 0.0
    assert faithfulness("it is an action", facts)["precision"] is None
    assert ("raise", "right") in claims("raises the right hand above the head")
    d = distinctness(["raises the right hand", "raises the right hand", "walks forward"], [0, 0, 1])
    assert d["within_class_similarity"] > d["across_class_similarity"]


def test_reasoner_trains_explains_and_always_returns_a_class(tiny_encoder, micro_ucla, tmp_path):
    run = tmp_path / "reasoner"
    # batch 1: the memory of a step is the LM's activations over batch x ~350 tokens (padding in a
    # batch: test_reasoner_memory.py)
    overrides = [f"data.dataset={micro_ucla}", f"reasoner.encoder={tiny_encoder}", f"train.work_dir={run}",
                 "reasoner.codebook_size=8", "train.batch_size=1", "reasoner.explain_limit=2",
                 "reasoner.max_new_tokens=12", "reasoner.eval_limit=3"]
    report = train(load_config("nw-ucla/reasoner_smollm", overrides))
    gc.collect()                                         # the training's LM goes before the next one loads
    assert report["n"] == 3 and 0 <= report["top1"] <= 1
    assert (run / "last" / "adapter" / "adapter_config.json").exists()
    assert sum(f.stat().st_size for f in (run / "last" / "adapter").iterdir()) < 30e6   # small adapter
    explanations = json.loads((run / "explanations.json").read_text())
    classes = SkeletonSet(micro_ucla).classes
    # training supervises the class name with exactly the ids the scorer scores
    from actlm.reasoner.model import Reasoner
    model = Reasoner.from_pretrained(run / "last")
    assert model.clip_token                              # the saved setting survives the reload
    seg, rows = model.skeleton_inputs(SkeletonSet(micro_ucla)[0].data)
    assert rows.shape[0] == seg.shape[0] + 1 and torch.equal(rows[1:], seg)   # clip feature, then segments
    assert abs(float(rows[0].norm()) - 1) < 1e-3
    batch = model.training_batch(["User: which?\nAction:"], [classes[1]], ["the person walks"])
    scored = model.tok(model.action_text(classes[1]), add_special_tokens=False)["input_ids"]
    assert batch["input_ids"][0][batch["action_mask"][0]].tolist() == scored
    assert int((batch["labels"][0] != -100).sum()) > len(scored)      # the explanation is supervised too
    assert len(explanations) == 2 and all(e["action"] in classes for e in explanations)
    del model, batch
    gc.collect()                                         # one LM in memory at a time: the CLI loads its own
    result = CliRunner().invoke(main, ["explain", str(micro_ucla), "--checkpoint", str(tiny_encoder), "--reasoner",
                                       str(run / "last"), "--limit", "1", "--max-new-tokens", "8", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)[0]
    answer = out["reasoner"]                 # the reasoner's answer beside the grounded explanation
    assert answer["action"] in classes and "confidence" not in answer and answer["narrative"].startswith("<a")
    assert f"{out['evidence']['action']} (" in out["explanation"]    # after what the tracking cannot support
    # what the reasoner says is shown only as far as the measurements support it
    facts = [Fact(**{k: f[k] for k in ("part", "motion", "time", "strength", "text")}) for f in out["evidence"]["facts"]]
    assert answer["says"] == "" or faithfulness(answer["says"], facts)["precision"] in (None, 1.0)
    # the video path adds the reasoner's explanation when it reads the model that predicts, and only then
    from actlm.paths import data_root
    video = data_root() / "videos" / "tai_chi.mp4"
    result = CliRunner().invoke(main, ["predict", str(video), "--reasoner", str(run)])
    assert result.exit_code != 0 and "reads the encoder" in result.output     # the shipped video model: another one
    result = CliRunner().invoke(main, ["predict", str(video), "--checkpoint", str(tiny_encoder), "--reasoner", str(run),
                                       "--json", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    assert "reasoner (" in result.output
    report = json.loads((tmp_path / "p.json").read_text())
    assert report["narrative"].startswith("<a") and isinstance(report["explanation"], str)


def test_reasoner_errors_are_clear(tmp_path):
    from actlm.language.lm import LMError
    result = CliRunner().invoke(main, ["explain", str(tmp_path), "nw-ucla"])
    assert result.exit_code == 2 and "not a reasoner folder" in result.output
    from actlm.data.errors import DataError
    from actlm.reasoner.model import Reasoner
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "reasoner.json").write_text(json.dumps({"kind": "actlm-reasoner", "format": 99, "classes": ["a"], "lm": "smollm"}))
    with pytest.raises(DataError, match="format 99.*upgrade actlm"):       # a folder from another version
        Reasoner.from_pretrained(newer)
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["BertModel"], "model_type": "bert"}))
    from actlm.language.lm import load_causal_lm
    with pytest.raises(LMError, match="not a causal language model"):
        load_causal_lm(str(tmp_path))


def test_a_tokenizer_without_chat_template_gets_a_plain_prompt():
    from types import SimpleNamespace

    from actlm.language.lm import chat_prompt
    text = chat_prompt(SimpleNamespace(chat_template=None), "Be brief.", "Which action?")
    assert text == "System: Be brief.\nUser: Which action?\nAssistant:"


def test_reasoner_resume_finds_last_or_refuses(tmp_path):
    """--resume takes the run directory or its last/; anything else is an error, never a silent restart."""
    from actlm.reasoner.train import _resume_checkpoint

    run = tmp_path / "run"
    (run / "last").mkdir(parents=True)
    (run / "last" / "reasoner.json").write_text("{}")
    assert _resume_checkpoint(run, run) == run / "last"
    assert _resume_checkpoint(run / "last", run) == run / "last"
    with pytest.raises(ConfigError, match="no reasoner checkpoint"):
        _resume_checkpoint(tmp_path / "typo", run)
    with pytest.raises(ConfigError, match="continues the run in"):
        _resume_checkpoint(run, tmp_path / "elsewhere")


class _TinyReasoner(torch.nn.Linear):
    """Stands in for the LM reasoner in the checkpoint round trip (its folder is just reasoner.json)."""

    def save_pretrained(self, path: Path, extra: dict) -> None:
        path.mkdir(parents=True, exist_ok=True)                    # as Reasoner.save_pretrained
        (path / "reasoner.json").write_text(json.dumps(extra))


def test_reasoner_last_keeps_adamw_moments_and_survives_a_kill(tmp_path):
    """last/ carries optimiser + RNG state and is swapped in atomically; --resume restores both."""
    from actlm.engine.checkpoint import load_training_state
    from actlm.reasoner.train import _resume_checkpoint, _save_last

    run = tmp_path / "run"
    model = _TinyReasoner(4, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1)
    for _ in range(3):
        model(torch.randn(5, 4)).square().sum().backward()
        optimizer.step()
    _save_last(model, optimizer, run, epoch=1, n_trainable=10)
    expected_draw = torch.rand(3)                                    # what training would draw next
    assert not (run / "last.partial").exists()
    (run / "last").rename(run / "last.old")                          # killed between the two renames
    last = _resume_checkpoint(run, run)
    assert last == run / "last.old"
    fresh = torch.optim.AdamW(model.parameters(), lr=0.1)
    load_training_state(last, fresh)
    assert int(fresh.state_dict()["state"][0]["step"]) == 3          # restarted moments would be empty
    assert torch.equal(fresh.state_dict()["state"][0]["exp_avg"], optimizer.state_dict()["state"][0]["exp_avg"])
    assert torch.equal(torch.rand(3), expected_draw)                 # the RNG continues where it was


def test_tokenize_reports_a_damaged_tokenizer_a_wrong_layout_and_a_missing_file(tiny_ucla, tmp_path):
    """Before: a truncated tokenizer.safetensors and a 15-joint file were tracebacks, a missing .npy was
    'unknown dataset', and --limit 0 printed nothing with exit status 0."""
    import shutil

    import actlm

    shipped = Path(actlm.__file__).parent / "checkpoints" / "nw-ucla-reasoner"
    runner = CliRunner()
    damaged = tmp_path / "vst"
    shutil.copytree(shipped / "vst", damaged)
    weights = damaged / "tokenizer.safetensors"
    weights.write_bytes(weights.read_bytes()[:3000])
    result = runner.invoke(main, ["tokenize", str(damaged), str(tiny_ucla)])
    assert result.exit_code == 2 and "not a semantic tokenizer folder" in result.output, result.output
    np.save(tmp_path / "j15.npy", np.random.default_rng(0).normal(size=(1, 20, 15, 3)).astype(np.float32))
    result = runner.invoke(main, ["tokenize", str(shipped), str(tmp_path / "j15.npy")])
    assert result.exit_code == 0 and "j15: skipped (j15: shape (1, 20, 15, 3)" in result.output, result.output
    result = runner.invoke(main, ["tokenize", str(shipped), str(tmp_path / "nofile.npy")])
    assert result.exit_code == 1 and "nofile.npy: no such file" in result.output, result.output
    result = runner.invoke(main, ["tokenize", str(shipped), str(tiny_ucla), "--limit", "0"])
    assert result.exit_code == 2 and "Invalid value for '--limit'" in result.output, result.output
