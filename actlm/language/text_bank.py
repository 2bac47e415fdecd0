"""The text side of SLM training: cached descriptions of the training samples, encoded once.

Descriptions come from the description cache (``actlm describe``). With the kinematic
describer, samples the cache lacks are described on the spot (it takes a second); for model
backends they must have been described beforehand. A sample without a description (too short
to describe, a failed request) trains with its class description instead, and the number of
such samples is reported. With a frozen text encoder every distinct text is encoded once,
before the first epoch, so the text side adds almost nothing to the cost of a training step.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import torch

from ..data.store import SkeletonSet
from .cache import DescriberKey, DescriptionCache
from .describers import CLASS_PREFIX, build_describer, describe_dataset
from .slm import TextBatch
from .text_encoder import TextEncoder


@dataclass
class TextBankReport:
    described: int
    fallback: int
    unique_texts: int

    def __str__(self) -> str:
        return (f"descriptions: {self.described} samples, {self.fallback} without one (class description "
                f"used instead), {self.unique_texts} distinct texts")


def class_fallback(name: str) -> str:
    return f"A person performs the action '{name}'."


class TextBank:
    """Per-sample description embeddings for a training set, plus the class descriptions."""

    def __init__(self, train_set: SkeletonSet, key: DescriberKey, encoder: TextEncoder,
                 cache: DescriptionCache, describe_missing: bool = True, log=print):
        if describe_missing and key.backend == "kinematic":
            report = describe_dataset(train_set, build_describer("kinematic"), cache)
            if report.described:
                log(f"described {report.described} samples with the kinematic describer", file=sys.stderr)
        found = cache.get_many(key)
        classes = [found.get(f"{CLASS_PREFIX}{c}", class_fallback(c)) for c in train_set.classes]
        labels = train_set.labels
        texts, fallback = [], 0
        for sid, label in zip(train_set.sample_ids, labels):
            text = found.get(sid)
            if text is None:
                fallback += 1
                text = classes[int(label)]
            texts.append(text)
        unique, inverse = np.unique(np.array(texts + classes, dtype=object), return_inverse=True)
        tokens, mask, sentence = encoder.encode([str(u) for u in unique])
        self.tokens, self.mask, self.sentence = tokens.half(), mask, sentence
        self.row = torch.from_numpy(inverse[: len(texts)].astype(np.int64))
        self.class_rows = torch.from_numpy(inverse[len(texts):].astype(np.int64))
        self.texts, self.class_texts = texts, classes
        self.report = TextBankReport(len(texts) - fallback, fallback, len(unique))

    @property
    def class_text(self) -> torch.Tensor:
        return self.sentence[self.class_rows]

    def batch(self, index: torch.Tensor, device: torch.device) -> TextBatch:
        rows = self.row[index.cpu()]
        mask = self.mask[rows]
        keep = int(mask.sum(1).max())       # trim padding shared by the whole batch
        return TextBatch(self.tokens[rows, :keep].float().to(device), mask[:, :keep].to(device),
                         self.sentence[rows].to(device), self.class_text.to(device))
