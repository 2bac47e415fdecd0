"""The describer interface: what a backend is given (:class:`DescribeJob`), what it returns (clean text),
and the registry through which backends plug in (:func:`register_describer`, :func:`build_describer`)."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ...data.errors import DataError
from ..cache import CLASS_PREFIX, DescriberKey

MAX_CHARS = 600  # longer replies are cut at a sentence end; MiniLM reads 256 word pieces at most
# terminal escape sequences (CSI such as colours or cursor moves, OSC such as titles or links, other
# ESC sequences), then any remaining control or bidirectional-override character
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


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


def printable(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (tabs and newlines
    kept): what a server wrote can neither restyle nor rewrite the user's terminal."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def clean_text(text: Any, sample_id: str) -> str:
    """Printable, whitespace-normalised, length-capped description; empty or non-text is an error."""
    if not isinstance(text, str):
        raise DescriberError(f"{sample_id}: the backend returned {type(text).__name__}, not text")
    text = re.sub(r"\s+", " ", printable(text)).strip().strip('"').strip()
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




_BACKENDS: dict[str, Callable[..., Describer]] = {}


def register_describer(name: str, factory: Callable[..., Describer]) -> None:
    """Make ``build_describer(name, **options)`` call ``factory(**options)``."""
    _BACKENDS[name] = factory


def build_describer(name: str, **options: Any) -> Describer:
    """The registered backend ``name`` (``kinematic`` | ``openai`` | ``hf`` | ``smollm``) with its options."""
    if name not in _BACKENDS:
        raise ValueError(f"unknown describer {name!r}; choose {', '.join(_BACKENDS)}")
    return _BACKENDS[name](**options)
