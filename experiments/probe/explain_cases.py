"""Probe cases of ``actlm explain`` (and of ``predict --reasoner``): issue 41 item 8 (bad skeleton
files, a run's own dataset, a layout mismatch, nothing explained, sample ids checked before a
language model loads) and issue 40 items 5-7 (the runner-up contrast, the reasoner opt-in and only
beside the model it reads, choosing what to explain).

File cases write one NW-UCLA-shaped sequence (or a broken one) under their temporary folder and
need no dataset. Dataset cases share one prepared NW-UCLA cache for the whole probe run (prepared
by the first of them), so that each does not prepare it again.
"""
from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from .core import Case, Outcome, Result, Verdict, expect_clear_error, expect_success, run_actlm

AREA = "explain"
#: explanations run the model many times over (occlusion); on 2 busy cores a few take a minute
TIMEOUT = 400
CHECKPOINTS = Path(__file__).resolve().parents[2] / "actlm" / "checkpoints"


# --- inputs ---------------------------------------------------------------------------------------
def ucla_sequence(sample_id: str = "a06_s07_e04_v03") -> np.ndarray:
    """A real NW-UCLA sequence (1, T, 20, 3) from the shared data."""
    from actlm.paths import data_root

    raw = json.loads((data_root() / "nw-ucla" / "all_sqe" / f"{sample_id}.json").read_text())
    return np.asarray(raw["skeletons"], np.float32)[None]


@lru_cache(maxsize=1)
def shared_cache() -> str:
    """One ACTLM_CACHE for the dataset cases of this probe run, removed when it ends."""
    folder = tempfile.mkdtemp(prefix="actlm-probe-explain-cache-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def explain(tmp: Path, *args: str, dataset: bool = False, timeout: float = TIMEOUT) -> Result:
    env = {"ACTLM_CACHE": shared_cache()} if dataset else None
    return run_actlm(["explain", *args], tmp, timeout=timeout, env=env)


def run_copy(tmp: Path, **config: object) -> Path:
    """The shipped encoder as a run folder whose config.json says ``config`` (layout, dataset)."""
    run = tmp / "run"
    shutil.copytree(CHECKPOINTS / "nw-ucla-joint", run)
    meta = json.loads((run / "config.json").read_text())
    for key, value in config.items():
        meta[key] = value
        if key == "dataset":
            meta["experiment"]["data"]["dataset"] = value
    (run / "config.json").write_text(json.dumps(meta))
    return run


def prepared_set(tmp: Path, name: str, layout: str, joints: int, channels: int = 3) -> Path:
    """A small prepared dataset (4 moving sequences, 2 classes, a test split) in ``layout``."""
    from actlm.data import DatasetWriter
    from actlm.data.store import Sample

    folder = tmp / name
    rng = np.random.default_rng(0)
    base = ucla_sequence()[:, :, :joints, :channels] if joints <= 20 else rng.normal(size=(1, 40, joints, channels))
    with DatasetWriter(folder, name, layout, list("xyz"[:channels]), ["wave", "hop"], 1) as writer:
        for i in range(4):
            data = (base + rng.normal(scale=0.01, size=base.shape)).astype(np.float32)
            writer.add(Sample(data, i % 2, f"s{i}"))
        writer.close({"train": ["s0", "s1"], "test": ["s2", "s3"]})
    return folder


# --- one bad skeleton file --------------------------------------------------------------------------
def bad_file(name: str, make: Callable[[Path], None], *must_mention: str) -> Callable[[Path], Verdict]:
    """``actlm explain FILE`` on a file ``make`` writes: a clear error naming ``must_mention``,
    exit != 0, never '(nan%)'."""
    def case(tmp: Path) -> Verdict:
        path = tmp / name
        make(path)
        r = explain(tmp, str(path))
        if "nan%" in r.output.lower().replace(" ", ""):
            return Verdict(Outcome.SILENT_WRONG, "a probability shown as (nan %)")
        return expect_clear_error(r, *must_mention)
    return case


def with_value(value: float, frames: slice = slice(5, 6)) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        data = ucla_sequence()
        data[0, frames, 3, 1] = value
        np.save(path, data)
    return make


# --- runs and datasets ------------------------------------------------------------------------------
def run_explains_its_own_dataset(tmp: Path) -> Verdict:
    own = prepared_set(tmp, "my-set", "kinect-v1", 20)
    r = explain(tmp, "--checkpoint", str(run_copy(tmp, dataset=str(own))), "--limit", "1", "--json")
    return expect_success(r, lambda r: None if "of my-set (test" in r.output and "nw-ucla" not in r.stdout
                          else f"not the run's dataset: {r.stderr.strip()[-200:]}")


def run_of_another_joint_order(tmp: Path) -> Verdict:
    """A model of another 20-joint order (utd-mhad) asked to explain NW-UCLA (kinect-v1)."""
    own = prepared_set(tmp, "utd-like", "utd-mhad", 20)
    run = run_copy(tmp, layout="utd-mhad", dataset=str(own))
    return expect_clear_error(explain(tmp, "--checkpoint", str(run), "nw-ucla", dataset=True), "layout", "utd-mhad")


def run_of_another_joint_count(tmp: Path) -> Verdict:
    """A run whose own dataset has 25 joints while the model reads 20: an error, not 'skipped' and exit 0."""
    own = prepared_set(tmp, "kinect2-set", "kinect-v2", 25)
    return expect_clear_error(explain(tmp, "--checkpoint", str(run_copy(tmp, dataset=str(own)))), "layout", "kinect-v2")


def unknown_sample_before_lm(flag: str) -> Callable[[Path], Verdict]:
    """An unknown --sample with --lm/--reasoner fails in seconds, not after loading the LM."""
    def case(tmp: Path) -> Verdict:
        r = explain(tmp, "--sample", "a99_s99_e99_v03", flag, dataset=True)
        if "SmolLM2" in r.output or "reasoner:" in r.output:
            return Verdict(Outcome.SILENT_WRONG, "a language model was loaded first")
        return expect_clear_error(r, "a99_s99_e99_v03")
    return case


def reasoner_of_another_model(tmp: Path) -> Verdict:
    r = explain(tmp, "--checkpoint", str(CHECKPOINTS / "nw-ucla-video"), "--reasoner", "--limit", "1", dataset=True)
    return expect_clear_error(r, "reads the encoder nw-ucla-joint")


def reasoner_not_a_folder(tmp: Path) -> Verdict:
    np.save(tmp / "clip.npy", ucla_sequence())
    return expect_clear_error(explain(tmp, str(tmp / "clip.npy"), "--reasoner", str(tmp)), "not a reasoner folder")


def predict_reasoner_on_the_video_model(tmp: Path) -> Verdict:
    """predict --reasoner with the shipped video model: refused before the video is read (the
    shipped reasoner reads nw-ucla-joint), never a line about another model's class."""
    from actlm.paths import data_root

    r = run_actlm(["predict", str(data_root() / "videos" / "tai_chi.mp4"), "--reasoner"], tmp, timeout=TIMEOUT)
    return expect_clear_error(r, "reads the encoder", "not the model that makes this prediction")


# --- choosing what to explain -------------------------------------------------------------------------
def entries(r: Result) -> list[dict]:
    return json.loads(r.stdout)


def limit_spans_classes(tmp: Path) -> Verdict:
    r = explain(tmp, "--limit", "3", "--json", dataset=True)
    return expect_success(r, lambda r: None if len({e["evidence"]["label"] for e in entries(r)}) == 3
                          else "--limit 3 showed fewer than 3 classes")


def close_of_one_class(tmp: Path) -> Verdict:
    r = explain(tmp, "--close", "--class", "sit down", "--limit", "1", "--json", dataset=True)
    def check(r: Result) -> str | None:
        e = entries(r)[0]["evidence"]
        return None if e["close_call"] and e["label"] == "sit down" else f"not a close call of sit down: {e['ranking']}"
    return expect_success(r, check)


def unknown_class(tmp: Path) -> Verdict:
    return expect_clear_error(explain(tmp, "--class", "juggling", dataset=True), "juggling", "sit down")


def bad_count(option: str, value: str) -> Callable[[Path], Verdict]:
    def case(tmp: Path) -> Verdict:
        return expect_clear_error(explain(tmp, option, value, timeout=60), option)
    return case


def selection_on_a_file(tmp: Path) -> Verdict:
    np.save(tmp / "clip.npy", ucla_sequence())
    return expect_clear_error(explain(tmp, str(tmp / "clip.npy"), "--wrong"), "one skeleton file")


def runner_up_evidence_is_named(tmp: Path) -> Verdict:
    """a06_s07_e04_v03 (stand up, read as sit down): the measured standing up favours the runner-up."""
    np.save(tmp / "a06_s07_e04_v03.npy", ucla_sequence())
    def check(r: Result) -> str | None:
        text = r.stdout
        if "no measured motion separates" in text:
            return "says no measured motion separates the classes"
        if "Not stand up" in text and "favour 'stand up'" not in text:
            return f"the evidence for the runner-up is not named: {text[:300]}"
        return None
    return expect_success(explain(tmp, str(tmp / "a06_s07_e04_v03.npy")), check)


CASES = [
    Case("one inf value in a clip", AREA, bad_file("inf.npy", with_value(np.inf), "NaN or infinite", "inf"),
         issue_item="41.8"),
    Case("NaN frames in a clip", AREA, bad_file("nan.npy", with_value(np.nan, slice(0, 40)), "NaN or infinite"),
         issue_item="41.8"),
    Case("a single frame", AREA, bad_file("one.npy", lambda p: np.save(p, ucla_sequence()[:, :1]), "frame"),
         issue_item="41.8"),
    Case("no person (all zeros)", AREA, bad_file("zeros.npy", lambda p: np.save(p, np.zeros((1, 30, 20, 3), np.float32)),
                                                 "zeros"), issue_item="41.8"),
    Case("25 joints for a 20-joint model", AREA, bad_file(
        "ntu.npy", lambda p: np.save(p, np.ones((1, 30, 25, 3), np.float32)), "kinect-v1", "ntu"), issue_item="41.8"),
    Case("a 2-D array", AREA, bad_file("flat.npy", lambda p: np.save(p, np.ones((30, 60), np.float32)), "flat"),
         issue_item="41.8"),
    Case("a broken JSON skeleton", AREA, bad_file("broken.json", lambda p: p.write_text('{"skeletons": [[1, 2'),
                                                  "broken.json"), issue_item="41.8"),
    Case("--wrong on one file", AREA, selection_on_a_file, issue_item="40.7"),
    Case("--random 0", AREA, bad_count("--random", "0"), issue_item="40.7"),
    Case("--limit -1", AREA, bad_count("--limit", "-1"), issue_item="40.7"),
    Case("--reasoner DIR that is no reasoner", AREA, reasoner_not_a_folder, issue_item="40.6"),
    Case("predict --reasoner beside the video model", AREA, predict_reasoner_on_the_video_model, issue_item="40.6"),
    Case("the runner-up's evidence is named (a06_s07_e04_v03)", AREA, runner_up_evidence_is_named, fast=False,
         issue_item="40.5"),
    Case("--checkpoint RUN explains the run's own dataset", AREA, run_explains_its_own_dataset, fast=False,
         issue_item="41.8"),
    Case("--checkpoint RUN of another 20-joint order on NW-UCLA", AREA, run_of_another_joint_order, fast=False,
         issue_item="41.8"),
    Case("--checkpoint RUN whose dataset has another joint count", AREA, run_of_another_joint_count, fast=False,
         issue_item="41.8"),
    Case("unknown --sample with --lm", AREA, unknown_sample_before_lm("--lm"), fast=False, issue_item="41.8"),
    Case("unknown --sample with --reasoner", AREA, unknown_sample_before_lm("--reasoner"), fast=False,
         issue_item="41.8"),
    Case("--reasoner beside another model", AREA, reasoner_of_another_model, fast=False, issue_item="40.6"),
    Case("--class that does not exist", AREA, unknown_class, fast=False, issue_item="40.7"),
    Case("--limit 3 spans three classes", AREA, limit_spans_classes, fast=False, issue_item="40.7"),
    Case("--close --class sit down", AREA, close_of_one_class, fast=False, issue_item="40.7"),
]
