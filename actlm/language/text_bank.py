"""The text side of SLM training: cached descriptions of the training samples, encoded once.

Descriptions come from the description cache (``actlm describe``). With the kinematic
describer, samples the cache lacks are described on the spot (it takes a second); for model
backends they must have been described beforehand. A sample without a description (too short
to describe, a failed request) trains with its class description instead, and the number of
such samples is reported. With a frozen text encoder every distinct text is encoded once,
before the first epoch, so the text side adds almost nothing to the cost of a training step.

``shared_by`` names the metadata fields that identify one performance recorded by several cameras
at once (NW-UCLA: subject and episode; NTU: setup, subject and replication). Its recordings then
share one description, the first one by sample id: a video-language model describes what the
person did, which does not depend on the camera, while a description measured from each view's
skeleton carries that view's noise. Pulled towards the same text, the views of one performance are
pulled towards each other: the language loss becomes a cross-view consistency signal.

``class_descriptions`` replaces the describer's class descriptions by written ones (see
``class_texts.py``: a YAML/JSON/CSV file, a shipped set such as ``nw-ucla``, the PURLS sheets,
with part- and phase-level sentences kept apart and a class embedded as the mean of its
sentences), as GAP does with its part-level class texts: knowledge a description measured from
the skeleton cannot carry (the box, the jacket, the chair).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import torch

from ..data.store import SkeletonSet
from .cache import DescriberKey, DescriptionCache, dataset_fingerprints
from .class_texts import resolve_class_texts
from .describers import CLASS_PREFIX, build_describer, describe_dataset
from .text_encoder import TextEncoder


@dataclass
class TextBatch:
    """Text side of a training batch: description tokens and sentences, and all class texts."""

    tokens: torch.Tensor       # (N, L, Dt)
    mask: torch.Tensor         # (N, L) bool
    sentence: torch.Tensor     # (N, Dt), L2-normalised
    class_text: torch.Tensor   # (K, Dt), L2-normalised


@dataclass
class TextBankReport:
    described: int
    fallback: int
    unique_texts: int

    shared: int = 0   # samples that use the description of another recording of their performance

    def __str__(self) -> str:
        return (f"descriptions: {self.described} samples, {self.fallback} without one (class description "
                f"used instead), {self.unique_texts} distinct texts"
                + (f", {self.shared} shared with another camera's recording" if self.shared else ""))


def class_fallback(name: str) -> str:
    return f"A person performs the action '{name}'."


def load_class_descriptions(spec: str, classes: list[str], dataset: str | None = None) -> list[list[str]]:
    """The written texts of every class, in class order, from ``spec``: a .yaml/.yml/.json/.csv
    file, a shipped set (``nw-ucla``), ``purls`` (the PURLS sheet of ``dataset``) or ``names``,
    optionally followed by ``@view`` (``all``, ``global``, ``parts``, ``phases``, ``name``; see
    ``class_texts.py``). Every class needs a text, and a name that is not a class (a typo) is an
    error rather than silently unused. A class may have several sentences (parts, phases)."""
    source, _, view = spec.rpartition("@") if "@" in spec else (spec, "", "all")
    return [t.texts(view) for t in resolve_class_texts(source, dataset, classes)]


def encode_class_texts(encoder: TextEncoder, class_texts: list[list[str]]) -> torch.Tensor:
    """(K, D) class embeddings: the mean of each class's sentence embeddings, L2-normalised."""
    flat = [t for texts in class_texts for t in texts]
    sentence = encoder(flat)[2]
    owner = torch.tensor([k for k, texts in enumerate(class_texts) for _ in texts], device=sentence.device)
    return class_means(sentence, owner, len(class_texts))


def class_means(sentence: torch.Tensor, owner: torch.Tensor, num_classes: int) -> torch.Tensor:
    total = torch.zeros(num_classes, sentence.shape[1], dtype=sentence.dtype, device=sentence.device)
    total.index_add_(0, owner, sentence)
    return torch.nn.functional.normalize(total, dim=-1)


class TextBank:
    """Per-sample description embeddings for a training set, plus the class descriptions."""

    def __init__(self, train_set: SkeletonSet, key: DescriberKey, encoder: TextEncoder,
                 cache: DescriptionCache, describe_missing: bool = True, log=print,
                 shared_by: list[str] | None = None, class_descriptions: list[str | list[str]] | None = None):
        if describe_missing and key.backend == "kinematic":
            report = describe_dataset(train_set, build_describer("kinematic"), cache)
            if report.described:
                log(f"described {report.described} samples with the kinematic describer", file=sys.stderr)
        found = cache.get_many(key, fingerprints=dataset_fingerprints(train_set))   # this very content only
        class_lists = ([c if isinstance(c, list) else [c] for c in class_descriptions] if class_descriptions else
                       [[found.get(f"{CLASS_PREFIX}{c}", class_fallback(c))] for c in train_set.classes])
        classes = [texts[0] for texts in class_lists]   # the one text of a sample without a description
        labels = train_set.labels
        texts = [found.get(sid, classes[int(y)]) for sid, y in zip(train_set.sample_ids, labels)]
        described = [sid in found for sid in train_set.sample_ids]
        shared = share_within_performances(train_set, texts, described, shared_by) if shared_by else 0
        fallback = sum(not d and t == classes[int(y)] for d, t, y in zip(described, texts, labels))
        flat = [t for class_texts in class_lists for t in class_texts]
        unique, inverse = np.unique(np.array(texts + flat, dtype=object), return_inverse=True)
        tokens, mask, sentence = encoder.encode([str(u) for u in unique])
        self.tokens, self.mask, self.sentence = tokens.half(), mask, sentence
        self.row = torch.from_numpy(inverse[: len(texts)].astype(np.int64))
        self.class_rows = torch.from_numpy(inverse[len(texts):].astype(np.int64))
        self.class_owner = torch.tensor([k for k, class_texts in enumerate(class_lists) for _ in class_texts])
        self.texts, self.class_texts = texts, class_lists
        self.report = TextBankReport(len(texts) - fallback, fallback, len(unique), shared)

    @property
    def class_text(self) -> torch.Tensor:
        """(K, D): each class's sentence embeddings averaged (one sentence: that embedding)."""
        return class_means(self.sentence[self.class_rows], self.class_owner, len(self.class_texts))

    def batch(self, index: torch.Tensor, device: torch.device) -> TextBatch:
        rows = self.row[index.cpu()]
        mask = self.mask[rows]
        keep = int(mask.sum(1).max())       # trim padding shared by the whole batch
        return TextBatch(self.tokens[rows, :keep].float().to(device), mask[:, :keep].to(device),
                         self.sentence[rows].to(device), self.class_text.to(device))


def share_within_performances(train_set: SkeletonSet, texts: list[str], described: list[bool],
                              fields: list[str]) -> int:
    """Give every recording of a performance (same label and same ``fields`` metadata) the
    description of its first described recording by sample id, in place; returns how many
    samples took another recording's description."""
    groups: dict[tuple, list[int]] = {}
    for i, label in enumerate(train_set.labels):
        meta = train_set.meta(i)
        missing = [f for f in fields if f not in meta]
        if missing:
            raise ValueError(f"language.shared_by: sample {train_set.sample_ids[i]} of {train_set.name} has no "
                             f"metadata field(s) {missing} (it has {sorted(meta)})")
        groups.setdefault((int(label), *(meta[f] for f in fields)), []).append(i)
    shared = 0
    for members in groups.values():
        donors = sorted((i for i in members if described[i]), key=lambda i: train_set.sample_ids[i])
        if not donors:
            continue
        for i in members:
            if texts[i] != texts[donors[0]]:
                texts[i] = texts[donors[0]]
                shared += 1
    return shared
