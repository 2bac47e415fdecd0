"""Running a describer over a dataset: every sample the cache lacks, then one text per class."""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ...data.errors import DataError
from ...data.layouts import Layout
from ...data.store import Sample, SkeletonSet
from ..cache import DescriptionCache, class_fingerprint, sample_fingerprint
from ...explain.facts import kinematic_facts, narrate
from .base import CLASS_PREFIX, DescribeJob, Describer, clean_text, printable

# a backend that failed this many requests in a row with none succeeding in between is not asked
# the rest: a server that is down or hostile costs minutes, not (samples x retries x timeout)
MAX_FAILURES_IN_A_ROW = 8


@dataclass
class DescribeReport:
    described: int = 0
    cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)   # unusable samples and failed requests
    requests_failed: int = 0            # of ``failed``: what the backend could not describe
    stopped: str = ""                   # why the run stopped before asking for every sample
    seconds: float = 0.0

    def summary(self) -> str:
        text = f"{self.described} described, {self.cached} already cached, {len(self.failed)} failed in {self.seconds:.1f} s"
        if self.stopped:
            text += f"\n  stopped early: {self.stopped}"
        for sample_id, why in self.failed[:10]:
            text += f"\n  skipped {printable(sample_id)}: {printable(why)}"
        if len(self.failed) > 10:
            text += f"\n  ... and {len(self.failed) - 10} more"
        return text


def facts_of(sample: Sample, layout: Layout) -> tuple[str, list[str]]:
    """Narrated facts and the list of fact clauses of one sample (raises ``ValueError``)."""
    facts = kinematic_facts(sample.data, layout, fps=sample.fps)
    return narrate(facts), [f.text for f in facts]


def describe_dataset(ds: SkeletonSet, describer: Describer, cache: DescriptionCache,
                     include_label: bool = True, limit: int | None = None,
                     progress: Callable[[Iterable, int], Iterable] | None = None,
                     send_videos: bool = False) -> DescribeReport:
    """Describe every sample of ``ds`` whose current content the cache lacks, then the classes.

    Bad samples (too short, no person) and failed requests are skipped and reported; everything
    described is committed immediately, so re-running continues where a killed run stopped.
    A sample's ``video`` (from its labels.csv) is read and sent to the backend only with
    ``send_videos``: the data's metadata never decides alone what leaves the machine.
    """
    start = time.perf_counter()
    key = describer.key(ds.name)
    done = cache.get_many(key)
    stored = cache.fingerprints(key)
    report = DescribeReport()
    jobs, fingerprints = [], {}
    class_facts = {k: Counter() for k in range(ds.num_classes)}
    class_samples: dict[int, list[str]] = {k: [] for k in range(ds.num_classes)}
    for i in range(len(ds) if limit is None else min(limit, len(ds))):
        try:
            sample = ds[i]
        except DataError as exc:       # a damaged stored sample: reported, the others still described
            report.failed.append((ds.sample_ids[i], str(exc)))
            continue
        fp = fingerprints[sample.sample_id] = sample_fingerprint(sample.data, ds.classes[sample.label])
        class_samples[sample.label].append(fp)
        try:
            text, clauses = facts_of(sample, ds.layout)
        except ValueError as exc:
            report.failed.append((sample.sample_id, str(exc)))
            continue
        class_facts[sample.label].update(clauses)
        if sample.sample_id in done and stored.get(sample.sample_id) == fp:
            report.cached += 1
            continue
        jobs.append(DescribeJob(sample.sample_id, text, ds.classes[sample.label] if include_label else None,
                                sample.meta.get("video") if send_videos else None))
    _describe_jobs(describer, jobs, fingerprints, key, cache, report, progress)
    for k, name in enumerate(ds.classes):
        class_id, fp = f"{CLASS_PREFIX}{name}", class_fingerprint(name, class_samples[k])
        if report.stopped or (class_id in done and stored.get(class_id) == fp):
            continue
        typical = [clause for clause, _ in class_facts[k].most_common(4)]
        try:
            cache.put(key, class_id, clean_text(describer.describe_class(name, typical), name), fp)
        except Exception as exc:
            report.failed.append((class_id, str(exc)))
            report.requests_failed += 1
    report.seconds = time.perf_counter() - start
    return report


def _describe_jobs(describer: Describer, jobs: list[DescribeJob], fingerprints: dict[str, str], key, cache,
                   report: DescribeReport, progress) -> None:
    """Send the jobs, store each description as it arrives, stop after too many failures in a row."""
    results = describer.describe_many(jobs)
    in_a_row = 0
    try:
        for job, result in (progress(results, len(jobs)) if progress else results):
            if isinstance(result, Exception):
                report.failed.append((job.sample_id, str(result)))
                report.requests_failed += 1
                in_a_row += 1
                if in_a_row >= MAX_FAILURES_IN_A_ROW:
                    report.stopped = (f"{in_a_row} requests failed in a row; the {len(jobs) - report.described - report.requests_failed} "
                                      f"samples not asked yet are left for a re-run")
                    break
            else:
                cache.put(key, job.sample_id, result, fingerprints[job.sample_id])
                report.described += 1
                in_a_row = 0
    finally:
        getattr(results, "close", lambda: None)()   # drops the queued requests


def tqdm_progress(results: Iterable, total: int) -> Iterable:
    """Progress bar for :func:`describe_dataset`."""
    from tqdm import tqdm
    return tqdm(results, total=total, desc="describe", file=sys.stderr, dynamic_ncols=True)
