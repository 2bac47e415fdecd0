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
@click.argument("checkpoint", type=click.Path(exists=True, file_okay=False))
@click.argument("source")
@click.option("--sample", "sample_id", default=None, help="Only this sample of the dataset.")
@click.option("--split", default="test", show_default=True, help="Split of the dataset.")
@click.option("--limit", type=int, default=3, show_default=True, help="Samples to explain.")
@click.option("--max-new-tokens", default=40, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def explain_cmd(checkpoint: str, source: str, sample_id: str | None, split: str, limit: int, max_new_tokens: int,
                as_json: bool) -> None:
    """The reasoner's class, confidence, semantic tokens and explanation for samples.

    CHECKPOINT is a reasoner folder (a run's last/) or its run directory; SOURCE a dataset or a
    skeleton file (.npy/.npz/.json) in the reasoner's layout."""
    from ..reasoner.model import Reasoner
    from ..reasoner.vst import TokenizeError

    path = Path(checkpoint)
    model = Reasoner.from_pretrained(path / "last" if (path / "last" / "reasoner.json").exists() else path)
    results = []
    for sid, data, label in _samples(source, sample_id, limit, split if not Path(source).is_file() else None):
        try:
            results.append(model.explain(data, sid, label, max_new_tokens=max_new_tokens))
        except TokenizeError as exc:
            click.echo(f"{sid}: skipped ({exc})", err=True)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=1))
    else:
        for r in results:
            click.echo(str(r))
