"""``actlm tokenize`` and ``actlm explain``: semantic action tokens and the reasoner's answers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import click
import numpy as np

from . import main


def _samples(source: str, sample_id: str | None, limit: int | None, split: str | None) -> Iterator[tuple[str, np.ndarray, str | None]]:
    """(id, data, label name) from a skeleton file (.npy/.npz/.json) or a dataset (name or folder)."""
    path = Path(source)
    if path.is_file():
        from ..data.custom import read_array
        yield path.stem, read_array(path), None
        return
    from ..data import load
    from ..data.store import SkeletonSet
    ds = SkeletonSet(path) if (path / "dataset.json").exists() else load(source)
    if split:
        ds = ds.split(split) if split in ds.splits else load(source, split=split)
    positions = [ds.find(sample_id)] if sample_id else range(len(ds) if limit is None else min(limit, len(ds)))
    for i in positions:
        s = ds[i]
        yield s.sample_id, s.data, ds.classes[s.label]


def _vst_folder(path: Path) -> Path:
    for candidate in (path, path / "vst", path / "last" / "vst"):
        if (candidate / "tokenizer.safetensors").exists():
            return candidate
    raise click.ClickException(f"{path}: no semantic tokenizer here (expected a folder with tokenizer.safetensors, "
                               f"a reasoner folder, or a reasoner run directory)")


@main.command("tokenize")
@click.argument("tokenizer", type=click.Path(exists=True, file_okay=False))
@click.argument("source")
@click.option("--sample", "sample_id", default=None, help="Only this sample of the dataset.")
@click.option("--split", default=None, help="Split of the dataset (e.g. test).")
@click.option("--limit", type=int, default=5, show_default=True, help="Samples to print.")
@click.option("--codebook", is_flag=True, help="Also list every code with its name.")
def tokenize_cmd(tokenizer: str, source: str, sample_id: str | None, split: str | None, limit: int, codebook: bool) -> None:
    """Print the semantic-token narrative of samples: TOKENIZER is a tokenizer or reasoner folder,
    SOURCE a dataset (name or prepared folder) or one skeleton file (.npy/.npz/.json)."""
    from ..reasoner.vst import SemanticTokenizer, TokenizeError

    folder = _vst_folder(Path(tokenizer))
    tok = SemanticTokenizer.from_pretrained(folder)
    if codebook:
        for code, name in enumerate(tok.names):
            click.echo(f"<a{code:02d}> {name}")
    stats = folder / "stats.json"
    if stats.exists():
        s = json.loads(stats.read_text())
        click.echo(f"codebook {s['codebook_size']}: {s['used_codes']} used, perplexity {s['perplexity']:.1f}, "
                   f"{s['mean_tokens_per_sequence']:.1f} tokens per sequence on its training set")
    for sid, data, label in _samples(source, sample_id, limit, split):
        try:
            narrative = tok.tokenize(data, sid)
        except TokenizeError as exc:
            click.echo(f"{sid}: skipped ({exc})")
            continue
        click.echo(f"{sid}{f' [{label}]' if label else ''}: {narrative}")


@main.command("explain")
@click.argument("args", nargs=-1)
@click.option("--checkpoint", default=None, type=click.Path(exists=True, file_okay=False),
              help="Encoder checkpoint or run directory (default: the shipped nw-ucla-joint HGLNet).")
@click.option("--reasoner", default=None, type=click.Path(exists=True, file_okay=False),
              help="A LoRA reasoner folder whose answer is shown, verified against the measurements "
                   "(default: the shipped one, with the shipped encoder, when its language model is installed).")
@click.option("--no-reasoner", is_flag=True, help="Only the evidence explanation, no language model.")
@click.option("--lm", "use_lm", is_flag=True, help="Let the embedded SmolLM2 write the sentence from the evidence "
              "(verified; the evidence template is used when nothing survives). ~5 s per sample on 2 cores.")
@click.option("--sample", "sample_id", default=None, help="Only this sample of the dataset.")
@click.option("--split", default="test", show_default=True, help="Split of the dataset.")
@click.option("--limit", type=int, default=3, show_default=True, help="Samples to explain.")
@click.option("--max-new-tokens", default=40, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (evidence included).")
def explain_cmd(args: tuple[str, ...], checkpoint: str | None, reasoner: str | None, no_reasoner: bool, use_lm: bool,
                sample_id: str | None, split: str, limit: int, max_new_tokens: int, as_json: bool) -> None:
    """Why the model decided what it decided, for samples of SOURCE (a dataset, default nw-ucla,
    or a skeleton file .npy/.npz/.json in the model's layout).

    Each answer rests on evidence: the body parts and time span the model used (measured by
    freezing them), the facts measured on the sample about those parts, and, for a close call,
    what separates the runner-up. Text from a language model is shown only after every clause is
    checked against the measurements. The older form ``actlm explain REASONER_RUN SOURCE`` still works."""
    from ..explain.errors import ExplainError
    from ..explain.explainer import Explainer, shipped_encoder
    from ..explain.text import template_explanation
    from ..reasoner.vst import TokenizeError
    from .video_cmds import load_reasoner

    source, legacy = _explain_source(args)
    explainer = Explainer(checkpoint or shipped_encoder())
    reasoner = reasoner or legacy
    lm = None if no_reasoner or (checkpoint and not reasoner) else load_reasoner(reasoner)
    writer = _load_writer() if use_lm else None
    results = []
    for sid, data, label in _samples(source, sample_id, limit, split if not Path(source).is_file() else None):
        try:
            ev = explainer.evidence(data, sid, label)
        except ExplainError as exc:
            click.echo(f"{sid}: skipped ({exc})", err=True)
            continue
        entry = {"evidence": ev.as_dict(), "explanation": template_explanation(ev)}
        if writer is not None:
            from ..reasoner.writer import write_with_lm
            text, removed = write_with_lm(ev, *writer, max_new_tokens=max_new_tokens)
            entry["lm"] = {"says": text, "removed": removed}
        if lm is not None:
            try:
                entry["reasoner"] = lm.answer(data, sid, label, max_new_tokens=max_new_tokens)
            except (ExplainError, TokenizeError) as exc:   # e.g. a reasoner of another layout: said, not hidden
                entry["reasoner"] = {"error": str(exc)}
        results.append(entry)
    if as_json:
        click.echo(json.dumps(results, indent=1))
        return
    for entry in results:
        click.echo(_explanation_lines(entry))


def _explain_source(args: tuple[str, ...]) -> tuple[str, str | None]:
    """SOURCE, or the older REASONER_RUN SOURCE form -> (source, reasoner folder or None)."""
    if len(args) > 2:
        raise click.UsageError("expected at most REASONER_RUN SOURCE")
    if len(args) == 2:
        return args[1], args[0]
    return (args[0] if args else "nw-ucla"), None


def _load_writer():
    from ..language.lm import load_causal_lm
    return load_causal_lm(None)


def _explanation_lines(entry: dict) -> str:
    from ..reasoner.writer import reasoner_line

    ev = entry["evidence"]
    head = ev["sample_id"] + (f"  [label: {ev['label']}]" if ev["label"] else "")
    parts = ", ".join(f"{p.replace('_', ' ')} {w:.0%}" for p, w in list(ev["parts"].items())[:4])
    lines = [head, f"  why: {entry['explanation']}",
             f"  evidence: score drop when frozen: {parts or 'none'}; span {ev['span'][0]:.0%}-{ev['span'][1]:.0%}; "
             f"measured: {'; '.join(f['text'] for f in ev['facts'])}"]
    if "lm" in entry:
        lines.append(f"  SmolLM2 (verified): {entry['lm']['says'] or '(no clause supported by the measurements)'}")
    if "reasoner" in entry and "error" in entry["reasoner"]:
        lines.append(f"  reasoner: no answer ({entry['reasoner']['error']})")
    elif "reasoner" in entry:
        lines.append("  " + reasoner_line(entry["reasoner"]))
    return "\n".join(lines)
