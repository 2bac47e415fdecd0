"""Describers write one text description per training sample (and per class), offline, cached.

One interface, four backends (``build_describer(name, **options)``):

``kinematic``  (default, no model) the measured facts of :mod:`.kinematics` in plain English;
``openai``     any OpenAI-compatible chat-completions server (vLLM, Ollama, LM Studio, hosted
               APIs): video frames as images when the sample has a video, else the facts as text;
``hf``         a local transformers causal LM (or vision-language model) checkpoint directory;
``smollm``     the embedded SmolLM2-135M-Instruct rewriting the facts into fluent text.

As in GAP, descriptions are generated once (``actlm describe``), stored in a
:class:`~.cache.DescriptionCache` and reused by every training run; inference never needs them.
"""
from __future__ import annotations

import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..data.errors import DataError
from ..data.layouts import Layout
from ..data.store import Sample, SkeletonSet
from .cache import DescriberKey, DescriptionCache
from .kinematics import kinematic_facts, narrate

MAX_CHARS = 600  # longer replies are cut at a sentence end; MiniLM reads 256 word pieces at most
CLASS_PREFIX = "class:"  # sample id under which a class description is cached


class DescriberError(DataError):
    """A description that could not be produced (the message says for which sample and why)."""


@dataclass
class DescribeJob:
    """What a backend needs to describe one sample."""

    sample_id: str
    facts_text: str
    label_name: str | None = None
    video: str | None = None
    frames: list[bytes] = field(default_factory=list)   # JPEG bytes, filled by backends that see images


def clean_text(text: Any, sample_id: str) -> str:
    """Whitespace-normalised, length-capped description; empty or non-text is an error."""
    if not isinstance(text, str):
        raise DescriberError(f"{sample_id}: the backend returned {type(text).__name__}, not text")
    text = re.sub(r"\s+", " ", text).strip().strip('"').strip()
    if not re.search(r"[A-Za-z]{2,}", text):
        raise DescriberError(f"{sample_id}: the backend returned an empty description")
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        text = cut[: end + 1] if end > MAX_CHARS // 3 else cut.rsplit(" ", 1)[0] + "."
    return text


class Describer:
    """Base class: subclasses implement ``describe_one`` (and may raise :class:`DescriberError`)."""

    backend = "base"
    prompt_version = "v1"
    concurrency = 1

    @property
    def model(self) -> str:
        return "-"

    def key(self, dataset: str) -> DescriberKey:
        return DescriberKey(dataset, self.backend, self.model, self.prompt_version)

    def describe_one(self, job: DescribeJob) -> str:
        raise NotImplementedError

    def describe_class(self, name: str, facts: list[str]) -> str:
        """A class description: by default the class name with the facts most typical of it."""
        shown = "; ".join(facts[:4])
        return f"A person performs the action '{name}'." + (f" Typically the person {shown}." if shown else "")

    def describe_many(self, jobs: list[DescribeJob]) -> Iterator[tuple[DescribeJob, str | Exception]]:
        """Describe jobs with up to ``concurrency`` requests in flight; yields as they finish."""
        def run(job: DescribeJob) -> tuple[DescribeJob, str | Exception]:
            try:
                return job, clean_text(self.describe_one(job), job.sample_id)
            except Exception as exc:  # reported per sample, the batch goes on
                return job, exc
        if self.concurrency <= 1:
            yield from map(run, jobs)
            return
        pool = ThreadPoolExecutor(self.concurrency)
        try:
            for future in as_completed([pool.submit(run, job) for job in jobs]):
                yield future.result()
        finally:  # Ctrl-C or an abandoned generator: drop the queued requests, keep none in flight longer
            pool.shutdown(wait=False, cancel_futures=True)


class KinematicDescriber(Describer):
    """The measured facts in plain English; no model, ~1000 sequences/s on one core."""

    backend = "kinematic"

    def describe_one(self, job: DescribeJob) -> str:
        return job.facts_text


# --- running a describer over a dataset ---------------------------------------------------
@dataclass
class DescribeReport:
    described: int = 0
    cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        text = f"{self.described} described, {self.cached} already cached, {len(self.failed)} failed in {self.seconds:.1f} s"
        for sample_id, why in self.failed[:10]:
            text += f"\n  skipped {sample_id}: {why}"
        if len(self.failed) > 10:
            text += f"\n  ... and {len(self.failed) - 10} more"
        return text


def facts_of(sample: Sample, layout: Layout) -> tuple[str, list[str]]:
    """Narrated facts and the list of fact clauses of one sample (raises ``ValueError``)."""
    facts = kinematic_facts(sample.data, layout)
    return narrate(facts), [f.text for f in facts]


def describe_dataset(ds: SkeletonSet, describer: Describer, cache: DescriptionCache,
                     include_label: bool = True, limit: int | None = None,
                     progress: Callable[[Iterable, int], Iterable] | None = None) -> DescribeReport:
    """Describe every sample of ``ds`` that the cache lacks, then the classes.

    Bad samples (too short, no person) and failed requests are skipped and reported; everything
    described is committed immediately, so re-running continues where a killed run stopped.
    """
    start = time.perf_counter()
    key = describer.key(ds.name)
    done = cache.get_many(key)
    report = DescribeReport()
    jobs, class_facts = [], {k: Counter() for k in range(ds.num_classes)}
    for i in range(len(ds) if limit is None else min(limit, len(ds))):
        sample = ds[i]
        try:
            text, clauses = facts_of(sample, ds.layout)
        except ValueError as exc:
            report.failed.append((sample.sample_id, str(exc)))
            continue
        class_facts[sample.label].update(clauses)
        if sample.sample_id in done:
            report.cached += 1
            continue
        jobs.append(DescribeJob(sample.sample_id, text, ds.classes[sample.label] if include_label else None,
                                sample.meta.get("video")))
    results = describer.describe_many(jobs)
    for job, result in (progress(results, len(jobs)) if progress else results):
        if isinstance(result, Exception):
            report.failed.append((job.sample_id, str(result)))
        else:
            cache.put(key, job.sample_id, result)
            report.described += 1
    for k, name in enumerate(ds.classes):
        if f"{CLASS_PREFIX}{name}" not in done:
            typical = [clause for clause, _ in class_facts[k].most_common(4)]
            try:
                cache.put(key, f"{CLASS_PREFIX}{name}", clean_text(describer.describe_class(name, typical), name))
            except Exception as exc:
                report.failed.append((f"{CLASS_PREFIX}{name}", str(exc)))
    report.seconds = time.perf_counter() - start
    return report


def build_describer(name: str, **options: Any) -> Describer:
    """``kinematic`` | ``openai`` | ``hf`` | ``smollm`` with backend options (see each class)."""
    if name == "kinematic":
        return KinematicDescriber()
    if name == "openai":
        from .openai_backend import OpenAIDescriber
        return OpenAIDescriber(**options)
    if name in ("hf", "smollm"):
        from .hf_backend import HFDescriber, smollm_describer
        return smollm_describer(**options) if name == "smollm" else HFDescriber(**options)
    raise ValueError(f"unknown describer {name!r}; choose kinematic, openai, hf or smollm")


def tqdm_progress(results: Iterable, total: int) -> Iterable:
    """Progress bar for :func:`describe_dataset`."""
    from tqdm import tqdm
    return tqdm(results, total=total, desc="describe", file=sys.stderr, dynamic_ncols=True)
