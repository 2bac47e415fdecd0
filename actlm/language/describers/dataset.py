"""Running a describer over a dataset: every sample the cache lacks, then one text per class."""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ...data.layouts import Layout
from ...data.store import Sample, SkeletonSet
from ..cache import DescriptionCache
from ...explain.facts import kinematic_facts, narrate
from .base import CLASS_PREFIX, DescribeJob, Describer, clean_text


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


def tqdm_progress(results: Iterable, total: int) -> Iterable:
    """Progress bar for :func:`describe_dataset`."""
    from tqdm import tqdm
    return tqdm(results, total=total, desc="describe", file=sys.stderr, dynamic_ncols=True)
