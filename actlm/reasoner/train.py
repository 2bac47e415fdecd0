"""Training and evaluating the reasoner (``actlm train`` with a config that has a ``reasoner`` section).

The run directory mirrors the classifier runs: config.yaml, metrics.csv/.json per epoch, last/
(the reasoner folder of the latest epoch: PEFT adapter + projector + VST + reasoner.json),
eval.json (top-1/top-5/per-class of the class decision, scored over all test samples or
``eval_limit``), explanations.json (generated explanations with their faithfulness) and
vst/stats.json (codebook usage, perplexity, narrative length, shift stability).

The LM is a different kind of model from the skeleton encoders (a frozen 135M-parameter base
with LoRA adapters, text batches, a generation step), so it has this loop of its own; config,
seeds, schedule (:func:`~actlm.engine.trainer.lr_at`), metrics and reports are shared.
``--resume`` continues after the last finished epoch from last/, with the AdamW moments and the
RNG state saved there (last/ is replaced atomically, as the classifier's checkpoints are).
"""
from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from tqdm import tqdm

from ..data import load
from ..data.store import SkeletonSet
from ..engine.checkpoint import load_checkpoint, load_training_state, replaced_atomically, save_training_state, surviving_dir
from ..engine.config import ConfigError, ExperimentConfig
from ..engine.metrics import classification_report
from ..engine.tasks import register_task
from ..engine.trainer import lr_at, set_determinism
from ..explain.claims import distinctness, faithfulness
from ..explain.contrast import build_fact_profile, load_fact_profile
from ..explain.errors import ExplainError
from ..explain.evidence import Evidence
from ..explain.explainer import shipped_encoder
from ..explain.facts import Fact, kinematic_facts
from ..explain.verify import verify, without_class_names
from .model import Reasoner, explanation_target, skeleton_inputs, tokenizer_evidence
from .vst import Narrative, SemanticTokenizer, TokenizeError, fit_tokenizer, shift_stability


@dataclass
class Item:
    """One sample ready for the LM: its skeleton soft-token rows, narrative and measured facts."""

    sample_id: str
    label: int
    features: torch.Tensor
    narrative: Narrative
    facts: list[Fact]
    evidence: Evidence | None = None     # the encoder's evidence, for a reasoner that reads it


def _bar(it, total: int, desc: str):
    return tqdm(it, total=total, desc=desc, leave=False, file=sys.stderr, dynamic_ncols=True)


def prepare_items(vst: SemanticTokenizer, ds: SkeletonSet, desc: str, clip_token: bool,
                  profile: dict[str, Any] | None | bool = False) -> tuple[list[Item], list[tuple[str, str]]]:
    """Items of every sample that can be tokenised; the others are listed with the reason. With a
    ``profile`` (a class fact profile, or None for none) each item carries the encoder's evidence."""
    items, skipped = [], []
    for i in _bar(range(len(ds)), len(ds), desc):
        s = ds[i]
        try:
            seg, rows = skeleton_inputs(vst, s.data, s.sample_id, clip_token)
            facts = kinematic_facts(s.data, ds.layout, fps=s.fps)
            ev = None if profile is False else tokenizer_evidence(vst, s.data, s.sample_id, profile or None, fps=s.fps)
        except (TokenizeError, ExplainError, ValueError) as exc:
            skipped.append((s.sample_id, str(exc)))
            continue
        items.append(Item(s.sample_id, int(s.label), rows, vst.narrative(seg, s.sample_id), facts, ev))
    return items, skipped


def encoder_path(encoder: str) -> Path:
    """``reasoner.encoder``: a run directory or checkpoint, or ``shipped`` for the encoder in the package."""
    return shipped_encoder() if encoder == "shipped" else Path(encoder)


def _fact_profile(cfg: ExperimentConfig, train_set: SkeletonSet) -> dict[str, Any]:
    """The encoder's class fact profile (beside its checkpoint), else measured on the training set."""
    _, meta = load_checkpoint(encoder_path(cfg.reasoner.encoder))
    profile = load_fact_profile(meta.path)
    if profile is None:
        print("the encoder has no fact_profile.json: measuring one on the training set", file=sys.stderr)
        profile = build_fact_profile(((s.data, s.label, s.fps) for s in (train_set[i] for i in range(len(train_set)))),
                                     train_set.classes, train_set.layout.name)
    return profile


def _tokenizer(cfg: ExperimentConfig, run: Path, train_set: SkeletonSet) -> tuple[SemanticTokenizer, dict[str, Any]]:
    rc = cfg.reasoner
    saved = run / "vst"
    if (saved / "config.json").exists():
        return SemanticTokenizer.from_pretrained(saved), json.loads((saved / "stats.json").read_text())
    encoder, meta = load_checkpoint(encoder_path(rc.encoder))
    if meta["layout"] != train_set.layout.name:
        raise ConfigError(f"reasoner.encoder {rc.encoder} was trained on layout {meta['layout']} but "
                          f"{train_set.name} is {train_set.layout.name}")
    print(f"fitting a {rc.codebook_size}-code semantic tokenizer on {len(train_set)} sequences", file=sys.stderr)
    vst, stats = fit_tokenizer(encoder, meta, train_set, rc.codebook_size, rc.pool, rc.switch_penalty, cfg.train.seed,
                               progress=lambda it, n: _bar(it, n, "segments"))
    stats["shift_stability_2_frames"] = shift_stability(vst, train_set, shift=2, limit=200)
    vst.save_pretrained(saved)
    (saved / "stats.json").write_text(json.dumps(stats, indent=1))
    return vst, stats


def _batch(model: Reasoner, items: list[Item], classes: list[str], max_facts: int):
    prompts = [model.prompt(it.narrative, it.features.shape[0], it.evidence) for it in items]
    explanations = [explanation_target([f.text for f in it.facts], it.narrative, max_facts, it.evidence) for it in items]
    return (model.training_batch(prompts, [classes[it.label] for it in items], explanations),
            torch.stack([it.features for it in items]))


def _resume_checkpoint(resume: Path, run: Path) -> Path:
    """The last/ checkpoint of the run being continued (the run's directory or last/ itself;
    last.old/ when the run was killed in the middle of replacing last/)."""
    last = resume if (resume / "reasoner.json").exists() else surviving_dir(resume / "last", "reasoner.json")
    if not (last / "reasoner.json").exists():
        raise ConfigError(f"--resume {resume}: no reasoner checkpoint there (expected {last / 'reasoner.json'})")
    if last.parent.resolve() != run.resolve():
        raise ConfigError(f"--resume {resume} continues the run in {last.parent}, but this config writes to "
                          f"{run}: give the run's config or run_dir={last.parent}")
    return last


def fit_reasoner(cfg: ExperimentConfig, resume: str | Path | None = None) -> dict[str, Any]:
    set_determinism(cfg)
    rc, run = cfg.reasoner, cfg.run_dir
    run.mkdir(parents=True, exist_ok=True)
    (run / "config.yaml").write_text(yaml.safe_dump(cfg.model_dump(), sort_keys=False))
    train_set = load(cfg.data.dataset, split=cfg.data.train_split, data_root_dir=cfg.data.data_root)
    test_set = load(cfg.data.dataset, split=cfg.data.test_split, data_root_dir=cfg.data.data_root)
    vst, stats = _tokenizer(cfg, run, train_set)
    profile = _fact_profile(cfg, train_set) if rc.evidence else False
    items, skipped = prepare_items(vst, train_set, "tokenise train", rc.clip_token, profile)
    if skipped:
        print(f"skipped {len(skipped)} training sample(s) that cannot be tokenised, e.g. {skipped[0][1]}", file=sys.stderr)
    history: list[dict[str, Any]] = []
    start_epoch = 0
    if resume:
        last = _resume_checkpoint(Path(resume), run)
        model = Reasoner.from_pretrained(last)
        model.lm.train()
        for name, p in model.named_parameters():
            p.requires_grad = "lora_" in name or "trainable_tokens" in name or name.startswith("projector")
        history = json.loads((run / "metrics.json").read_text()) if (run / "metrics.json").exists() else []
        start_epoch = len(history)
        print(f"resumed from {run / 'last'} at epoch {start_epoch}", file=sys.stderr)
    else:
        model = Reasoner(vst, train_set.classes, None if rc.lm == "smollm" else rc.lm, rc.lora_r, rc.lora_alpha,
                         clip_token=rc.clip_token, evidence=rc.evidence, profile=profile or None)
    params = [p for p in model.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in params)
    print(f"reasoner: {n_trainable / 1e6:.2f}M trainable parameters; {len(items)} training narratives", file=sys.stderr)
    optimizer = torch.optim.AdamW(params, lr=cfg.optim.lr, weight_decay=0.0)
    if resume and (last / "trainer_state.json").exists():
        load_training_state(last, optimizer)
    elif resume:
        print(f"{last} has no optimiser state (saved by an older actlm): the AdamW moments restart", file=sys.stderr)
    bs = cfg.train.batch_size
    steps = (len(items) + bs - 1) // bs
    recompute_activations(model, True)
    for epoch in range(start_epoch, cfg.train.epochs):
        model.train()
        order = np.random.default_rng([cfg.train.seed, epoch]).permutation(len(items))
        total, t0 = 0.0, time.perf_counter()
        bar = _bar(range(steps), steps, f"epoch {epoch + 1}/{cfg.train.epochs}")
        for i in bar:
            lr = lr_at(cfg, epoch * steps + i, steps)
            for g in optimizer.param_groups:
                g["lr"] = lr
            batch, feats = _batch(model, [items[j] for j in order[i * bs: (i + 1) * bs]], train_set.classes, rc.max_facts)
            loss = model.loss(batch, feats, rc.explanation_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item()
            bar.set_postfix(loss=f"{total / (i + 1):.3f}", lr=f"{lr:.2e}")
        row = {"epoch": epoch + 1, "train_loss": total / steps, "lr": lr, "epoch_time_s": time.perf_counter() - t0,
               "samples_per_s": len(items) / (time.perf_counter() - t0)}
        history.append(row)
        _save_last(model, optimizer, run, epoch + 1, n_trainable)
        _write_history(run, history)
        print(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), file=sys.stderr)
    recompute_activations(model, False)
    model.eval()
    report = evaluate_reasoner(model, test_set, rc.eval_limit, rc.explain_limit, rc.max_new_tokens, run)
    report.update(run_dir=str(run), trainable_parameters=n_trainable, tokenizer=stats)
    (run / "eval.json").write_text(json.dumps(report, indent=1))
    return report


def recompute_activations(model: Reasoner, on: bool) -> None:
    """Gradient checkpointing of the LM's layers while training: the backward pass recomputes each
    layer's activations instead of keeping all 30 layers' (~690 MB for one ~350-token prompt, times
    the batch size), for ~25 % more step time. The gradients are the same (the dropout masks are
    replayed); evaluation and generation run without it."""
    if on:
        model.lm.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    else:
        model.lm.activation_checkpointing_disable()


def _save_last(model: Reasoner, optimizer: torch.optim.Optimizer, run: Path, epoch: int, n_trainable: int) -> None:
    """The reasoner folder plus optimiser and RNG state, swapped in as run/last atomically."""
    with replaced_atomically(run / "last") as tmp:
        model.save_pretrained(tmp, {"epoch": epoch, "trainable_parameters": n_trainable})
        save_training_state(tmp, optimizer, {"epoch": epoch, "step": None, "best": None})


def _write_history(run: Path, history: list[dict[str, Any]]) -> None:
    (run / "metrics.json").write_text(json.dumps(history, indent=1))
    with open(run / "metrics.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(history[-1]))
        writer.writeheader()
        writer.writerows(history)


def evaluate_reasoner(model: Reasoner, test_set: SkeletonSet, limit: int | None, explain_limit: int,
                      max_new_tokens: int, out_dir: Path | None = None) -> dict[str, Any]:
    """Class decision (scoring) on the test samples, beside the encoder's own decision on the
    same samples; explanations on a spread subset, with what :func:`verify` keeps of them and the
    faithfulness of the raw text."""
    n = len(test_set) if limit is None else min(limit, len(test_set))
    positions = np.linspace(0, len(test_set) - 1, n).round().astype(int) if limit else np.arange(n)
    subset = test_set.subset(positions)
    items, skipped = prepare_items(model.vst, subset, "tokenise test", model.clip_token,
                                   model.profile if model.uses_evidence else False)
    scores, labels, encoder_top1, t0 = [], [], [], time.perf_counter()
    for it in _bar(items, len(items), "score classes"):
        scores.append(model.score_classes(model.prompt(it.narrative, it.features.shape[0], it.evidence),
                                          it.features[None]).numpy())
        labels.append(it.label)
    score_s = (time.perf_counter() - t0) / max(len(items), 1)
    for it in items:
        encoder_top1.append(model.classes.index(it.evidence.action) if it.evidence is not None else
                            _encoder_decision(model, subset[subset.find(it.sample_id)].data))
    report = classification_report(np.stack(scores), np.array(labels), model.classes)
    decided = np.stack(scores).argmax(1)
    report.update(skipped=[s for s, _ in skipped], seconds_per_decision=score_s,
                  encoder_top1=float(np.mean(np.array(encoder_top1) == np.array(labels))),
                  agreement_with_encoder=float(np.mean(decided == np.array(encoder_top1))))
    chosen = [items[int(i)] for i in np.linspace(0, len(items) - 1, min(explain_limit, len(items))).round().astype(int)] if explain_limit else []
    explanations, t0, new_tokens = [], time.perf_counter(), 0
    for it in _bar(chosen, len(chosen), "explain"):
        prompt = model.prompt(it.narrative, it.features.shape[0], it.evidence)
        s = model.score_classes(prompt, it.features[None])
        best = int(s.argmax())
        text = model.generate_explanation(prompt, model.classes[best], it.features[None], max_new_tokens)
        new_tokens += len(model.tok(text, add_special_tokens=False)["input_ids"])
        kept, removed = verify(without_class_names(text, model.classes), it.facts)
        explanations.append({"sample_id": it.sample_id, "label": model.classes[it.label],
                             "action": model.classes[best], "correct": best == it.label,
                             "confidence": float(s.softmax(0)[best]), "tokens": str(it.narrative),
                             "explanation": text, "verified": kept, "removed": removed,
                             "measured": [f.text for f in it.facts],
                             **faithfulness(without_class_names(text, model.classes), it.facts)})
    gen_s = time.perf_counter() - t0
    precisions = [e["precision"] for e in explanations if e["precision"] is not None]
    report["explanations"] = {
        "n": len(explanations), "seconds_per_explanation": gen_s / max(len(explanations), 1),
        "generated_tokens_per_s": new_tokens / gen_s if gen_s else None,
        "faithfulness_precision_mean": float(np.mean(precisions)) if precisions else None,
        "faithfulness_precision_quartiles": [float(q) for q in np.percentile(precisions, [25, 50, 75])] if precisions else None,
        "without_checkable_claim": sum(e["precision"] is None for e in explanations),
        "fully_verified": sum(not e["removed"] and bool(e["verified"]) for e in explanations),
        "nothing_verified": sum(not e["verified"] for e in explanations),
        **distinctness([e["explanation"] for e in explanations], [model.classes.index(e["label"]) for e in explanations]),
    }
    if out_dir is not None:
        (Path(out_dir) / "explanations.json").write_text(json.dumps(explanations, indent=1))
    return report


@torch.no_grad()
def _encoder_decision(model: Reasoner, data: np.ndarray) -> int:
    return int(model.vst.encoder(model.vst.prepare(data)[None]).argmax())


register_task("reasoner", fit_reasoner)   # actlm.engine.train(cfg) runs this for a config with a reasoner section
