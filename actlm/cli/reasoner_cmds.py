"""``actlm tokenize`` and ``actlm explain``: semantic action tokens and the reasoner's answers."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import click
import numpy as np
import torch

from ..data.errors import DataError
from ..explain.errors import ExplainError
from ..explain.evidence import CLOSE_CALL
from . import main
from .video_cmds import SHIPPED, reasoner_options


def _samples(source: str, sample_id: str | None, limit: int | None, split: str | None) -> Iterator[tuple[str, np.ndarray, str | None]]:
    """(id, data, label name) from a skeleton file (.npy/.npz/.json) or a dataset (name or folder)."""
    path = Path(source)
    if path.is_file():
        from ..data.custom import read_array
        yield path.stem, read_array(path), None
        return
    if path.suffix.lower() in (".npy", ".npz", ".json") and not path.exists():
        raise click.ClickException(f"{source}: no such file")
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
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True, help="Samples to print.")
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
              help="Encoder checkpoint or run directory (default: the shipped nw-ucla-joint HGLNet). Without "
                   "SOURCE, the test split of the dataset it was trained on is explained.")
@reasoner_options("Also show a reasoner's answer, verified against the measurements (DIR: a reasoner folder or "
                  "run; alone: the shipped one, which reads the shipped encoder). Off by default: the template "
                  "explanation says what it would.")
@click.option("--lm", "use_lm", is_flag=True, help="Let the embedded SmolLM2 write the sentence from the evidence "
              "(verified; the evidence template is used when nothing survives). ~5 s per sample on 2 cores.")
@click.option("--sample", "sample_id", default=None, help="Only this sample of the dataset.")
@click.option("--split", default="test", show_default=True, help="Split of the dataset.")
@click.option("--wrong", is_flag=True, help="Only sequences the model gets wrong.")
@click.option("--close", is_flag=True, help=f"Only close calls (the runner-up has at least {CLOSE_CALL:.0%}).")
@click.option("--class", "class_name", default=None, metavar="NAME", help="Only sequences labelled NAME.")
@click.option("--random", "random_n", type=click.IntRange(min=1), default=None, metavar="N",
              help="N sequences drawn at random from those selected (see --seed).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --random.")
@click.option("--limit", type=click.IntRange(min=1), default=3, show_default=True,
              help="At most this many sequences, taken one class at a time (dataset order within a class).")
@click.option("--max-new-tokens", default=40, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (evidence included).")
def explain_cmd(args: tuple[str, ...], checkpoint: str | None, reasoner_dir: str | None, no_reasoner: bool,
                use_lm: bool, sample_id: str | None, split: str, wrong: bool, close: bool, class_name: str | None,
                random_n: int | None, seed: int, limit: int, max_new_tokens: int, as_json: bool) -> None:
    """Why the model decided what it decided, for sequences of SOURCE: a dataset (name or prepared
    folder; default: the one the model was trained on) or a skeleton file .npy/.npz/.json in the
    model's layout.

    Each answer rests on evidence: the body parts and time span the model used (measured by
    freezing them), the facts measured on the sample about those parts, and, for a close call,
    the measured motions that favour the prediction or the runner-up. Text from a language model
    (--reasoner, --lm) is shown only after every clause is checked against the measurements.
    The older form ``actlm explain REASONER_RUN SOURCE`` still works."""
    from ..explain.errors import ExplainError
    from ..explain.explainer import Explainer, shipped_encoder
    from ..explain.text import template_explanation
    from ..reasoner.vst import TokenizeError
    from .video_cmds import load_reasoner

    source, legacy = _explain_source(args)
    reasoner_dir, source = _reasoner_and_source(reasoner_dir or legacy, source)
    explainer = Explainer(checkpoint or shipped_encoder())
    choice = Choice(sample_id, wrong, close, class_name, random_n, seed, limit)
    samples = _chosen_samples(explainer, source, split, choice)         # unknown ids fail here, before any LM
    lm = None if no_reasoner or not reasoner_dir else load_reasoner(reasoner_dir, explainer.model,
                                                                    f"the explained model ({explainer.meta.path})")
    writer = _load_writer() if use_lm else None
    results, skipped = [], 0
    for sid, data, label, visibility, fps, guessed in samples:
        try:
            ev = explainer.evidence(data, sid, label, visibility, fps, guessed)
        except ExplainError as exc:
            click.echo(f"{sid}: skipped ({exc})", err=True)
            skipped += 1
            continue
        entry = {"evidence": ev.as_dict(), "explanation": template_explanation(ev)}
        if writer is not None:
            from ..reasoner.writer import write_with_lm
            text, removed = write_with_lm(ev, *writer, max_new_tokens=max_new_tokens)
            entry["lm"] = {"says": text, "removed": removed}
        if lm is not None:
            try:
                entry["reasoner"] = lm.answer(data, sid, label, max_new_tokens=max_new_tokens)
            except (ExplainError, TokenizeError) as exc:   # said, not hidden
                entry["reasoner"] = {"error": str(exc)}
        results.append(entry)
    if as_json:
        click.echo(json.dumps(results, indent=1))
    else:
        for entry in results:
            click.echo(_explanation_lines(entry))
    if not results:
        raise click.ClickException(f"nothing explained: {skipped} sequence(s) skipped (see above)")


# --- what to explain ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """Which sequences of a dataset ``actlm explain`` shows (its selection options)."""

    sample_id: str | None = None
    wrong: bool = False
    close: bool = False
    class_name: str | None = None
    random_n: int | None = None
    seed: int = 0
    limit: int = 3

    def words(self) -> str:
        kinds = (["wrongly predicted"] if self.wrong else []) + (["close-call"] if self.close else [])
        return " ".join(kinds + ["sequences"]) + (f" labelled '{self.class_name}'" if self.class_name else "")


def _explain_source(args: tuple[str, ...]) -> tuple[str | None, str | None]:
    """SOURCE, or the older REASONER_RUN SOURCE form -> (source or None, reasoner folder or None)."""
    if len(args) > 2:
        raise click.UsageError("expected at most REASONER_RUN SOURCE")
    if len(args) == 2:
        return args[1], args[0]
    return (args[0] if args else None), None


def _reasoner_and_source(reasoner_dir: str | None, source: str | None) -> tuple[str | None, str | None]:
    """``--reasoner`` takes an optional DIR, so ``explain --reasoner clip.npy`` reads the source as
    its DIR: a value that is no reasoner folder, given with no SOURCE, is the SOURCE."""
    from ..reasoner.model import reasoner_folder

    if reasoner_dir in (None, SHIPPED):
        return reasoner_dir, source
    try:
        reasoner_folder(reasoner_dir)
    except DataError:
        if source is None:
            return SHIPPED, reasoner_dir
        raise
    return reasoner_dir, source


def _chosen_samples(explainer, source: str | None, split: str,
                    choice: Choice) -> list[tuple[str, np.ndarray, str | None, np.ndarray | None, float | None,
                                                  np.ndarray | None]]:
    """(id, data, label name, visibility or None: Sample.visibility, frame rate or None: Sample.fps,
    guessed joint-frames or None: Sample.guessed) of
    the chosen sequences: the one skeleton file ``source`` names, or those of the dataset (default:
    the model's own) that ``choice`` selects."""
    if source is not None and Path(source).is_file():
        if choice.wrong or choice.close or choice.class_name or choice.sample_id:
            raise click.UsageError("--wrong, --close, --class and --sample choose among a dataset's sequences; "
                                   f"{source} is one skeleton file")
        from ..data.sequence_files import read_array
        return [(Path(source).stem, read_array(Path(source)), None, None, None, None)]
    ds = _dataset(explainer, source, split)
    positions, order = _select(explainer, ds, choice)
    if not positions:
        raise click.ClickException(f"no {choice.words()} in {ds.name} ({ds.split_name or 'all'})")
    click.echo(f"explaining {len(positions)} {choice.words()} of {ds.name} "
               f"({ds.split_name or 'all'}, {len(ds)} sequences): {order}", err=True)
    return [(s.sample_id, s.data, ds.classes[s.label], s.visibility(ds.layout), s.fps, s.guessed(ds.layout))
            for s in (ds[i] for i in positions)]


def _dataset(explainer, source: str | None, split: str):
    """The dataset to explain: ``source``, else the one the model was trained on; its layout must
    be the model's (a skeleton of another joint order would be read as the model's)."""
    from ..data import load
    from ..data.store import SkeletonSet

    meta = explainer.meta
    if source is None:
        source = meta.data_config.get("dataset") or meta.dataset
    path = Path(source)
    ds = SkeletonSet(path) if (path / "dataset.json").exists() else load(source, data_root_dir=meta.data_config.get("data_root"))
    if split:
        ds = ds.split(split) if split in ds.splits else load(source, split=split, data_root_dir=meta.data_config.get("data_root"))
    if ds.layout.name != explainer.layout:
        raise ExplainError(f"{ds.name} is in layout {ds.layout.name}; the model {meta.path} reads {explainer.layout}: "
                           f"explain a dataset in the model's layout (it was trained on "
                           f"{meta.data_config.get('dataset') or meta.dataset})")
    return ds


def _select(explainer, ds, choice: Choice) -> tuple[list[int], str]:
    """Positions of the chosen sequences in ``ds`` and the order they come in, in words."""
    if choice.sample_id:
        return [ds.find(choice.sample_id)], "the one asked for"
    pool = np.arange(len(ds))
    if choice.class_name is not None:
        if choice.class_name not in ds.classes:
            raise click.UsageError(f"--class {choice.class_name!r}: {ds.name} has no such class; its classes: "
                                   f"{', '.join(ds.classes)}")
        pool = pool[ds.labels == ds.classes.index(choice.class_name)]
    if (choice.wrong or choice.close) and len(pool):
        pool = _by_prediction(explainer, ds, pool, choice)
    if choice.random_n is not None:
        rng = np.random.default_rng(choice.seed)
        picked = rng.choice(pool, size=min(choice.random_n, len(pool)), replace=False)
        return [int(i) for i in picked], f"drawn at random (seed {choice.seed})"
    return round_robin(pool, ds.labels[pool])[:choice.limit], "one class at a time, dataset order within a class"


def round_robin(positions: np.ndarray, labels: np.ndarray) -> list[int]:
    """The positions ordered one class at a time: the first of each class (in class order), then
    the second of each, ..., so that the first N span as many classes as they can."""
    queues = [list(positions[labels == c]) for c in sorted(set(labels.tolist()))]
    out = []
    for rank in range(max(map(len, queues), default=0)):
        out += [int(q[rank]) for q in queues if rank < len(q)]
    return out


def _by_prediction(explainer, ds, pool: np.ndarray, choice: Choice) -> np.ndarray:
    """The positions of ``pool`` the model gets wrong (by class name) and/or calls close."""
    from torch.utils.data import DataLoader

    from ..data.loader import SkeletonDataset
    from ..engine.trainer import predict

    sub = ds.subset(pool)
    loader = DataLoader(SkeletonDataset(sub, explainer.meta.test_pipeline), batch_size=64)
    logits, _, index = predict(explainer.model, loader, torch.device("cpu"), desc="select")
    probs = torch.from_numpy(logits).softmax(1).numpy()
    keep = np.ones(len(index), bool)
    if choice.wrong:
        predicted = [explainer.classes[k] for k in probs.argmax(1)]
        truth = [ds.classes[label] for label in sub.labels[index]]
        keep &= np.array([p != t for p, t in zip(predicted, truth)])
    if choice.close:
        keep &= np.sort(probs, 1)[:, -2] >= CLOSE_CALL
    return np.sort(pool[index[keep]])


def _load_writer():
    from ..language.lm import load_causal_lm
    return load_causal_lm(None)


def evidence_line(ev: dict) -> str:
    """The measured drops behind an explanation, in probability points: the cited set frozen
    together, each body part frozen alone (parts can matter only together), the span; then the facts."""
    alone = ", ".join(f"{p.replace('_', ' ')} {-d * 100:+.0f}" for p, d in list(ev["parts"].items())[:4])
    cited = " + ".join(p.replace("_", " ") for p in ev["used_parts"]) or "no set"
    facts = "; ".join(f["text"] for f in ev["facts"]) or "none"
    return (f"frozen together, {cited}: -{ev.get('used_drop', 0) * 100:.0f} points; each part alone: {alone or 'none'} "
            f"(points of the predicted class's probability); span {ev['span'][0]:.0%}-{ev['span'][1]:.0%}: "
            f"-{ev.get('span_drop', 0) * 100:.0f} points; measured: {facts}")


def _explanation_lines(entry: dict) -> str:
    from ..reasoner.writer import reasoner_line

    ev = entry["evidence"]
    head = ev["sample_id"] + (f"  [label: {ev['label']}]" if ev["label"] else "")
    lines = [head, f"  why: {entry['explanation']}", f"  evidence: {evidence_line(ev)}"]
    if "lm" in entry:
        lines.append(f"  SmolLM2 (verified): {entry['lm']['says'] or '(no clause supported by the measurements)'}")
    if "reasoner" in entry and "error" in entry["reasoner"]:
        lines.append(f"  reasoner: no answer ({entry['reasoner']['error']})")
    elif "reasoner" in entry:
        lines.append("  " + reasoner_line(entry["reasoner"]))
    return "\n".join(lines)
