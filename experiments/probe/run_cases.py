"""Probe cases of the run commands (``actlm train``, ``actlm eval``, ``actlm describe``): issue 41
items 3 (a new run never destroys an old one; one training per run directory), 4 (evaluation by
class name), 5 (the OpenAI-compatible describer does not trust its server) and 6 (descriptions
cached by content; ``describe`` fails when requests failed).

Inputs are small synthetic NW-UCLA-layout (kinect-v1) sequences prepared as a custom set, planted
run directories, and local HTTP servers started by the case. Cases that could destroy a run check
afterwards that every file of it is unchanged.
"""
from __future__ import annotations

import hashlib
import json
import socketserver
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .core import Case, Outcome, Result, Verdict, expect_clear_error, expect_success, run_actlm

AREA = "run"
SHIPPED = str(Path(__file__).resolve().parents[2] / "actlm" / "checkpoints" / "nw-ucla-joint")
QUICK = ["model.args.stages=[[16,1,1],[32,1,2]]", "model.args.groups=4", "model.args.heads=2", "train.epochs=1",
         "train.batch_size=2", "train.test_batch_size=4", "train.threads=1", "data.train_pipeline.2.length=16",
         "data.test_pipeline.1.length=16"]

# a person standing (metres, kinect-v1 joint order) whose right arm rises over the sequence
_STANDING = np.array([[0, .9, 3], [0, 1.2, 3], [0, 1.45, 3], [0, 1.65, 3], [-.2, 1.4, 3], [-.25, 1.15, 3],
                      [-.27, .9, 3], [-.28, .85, 3], [.2, 1.4, 3], [.25, 1.15, 3], [.27, .9, 3], [.28, .85, 3],
                      [-.1, .9, 3], [-.1, .5, 3], [-.1, .1, 3], [-.1, .05, 2.9], [.1, .9, 3], [.1, .5, 3],
                      [.1, .1, 3], [.1, .05, 2.9]], dtype=np.float32)


# --- building inputs --------------------------------------------------------------------------
def sequence(seed: int, frames: int = 40) -> np.ndarray:
    """(T, 20, 3): the standing person raising the right arm, a little differently per seed."""
    rng = np.random.default_rng(seed)
    x = np.repeat(_STANDING[None], frames, 0)
    lift = np.linspace(0, 0.5 + 0.2 * rng.random(), frames)
    x[:, 9:12, 1] += lift[:, None] * np.array([0.5, 1.0, 1.1], dtype=np.float32)
    return (x + rng.normal(scale=0.005, size=x.shape)).astype(np.float32)


def prepared(tmp: Path, labels: list[str], name: str = "mine", seed: int = 0, video: str = "") -> Path:
    """A kinect-v1 set ``name`` (one sequence per label; two to train, two to test, ...) written as
    ``actlm prepare custom`` writes it into the probe's cache (in this process: the probe is about
    the run commands, and a subprocess start per case would double the probe's time); ``video``
    fills every sample's ``video`` metadata, as a labels.csv column does."""
    from actlm.data import DatasetWriter, Sample

    root = tmp / ".cache" / "datasets" / name
    classes = sorted(set(labels))
    splits: dict[str, list[str]] = {"train": [], "test": []}
    with DatasetWriter(root, name, "kinect-v1", ["x", "y", "z"], classes, 1) as writer:
        for i, label in enumerate(labels):
            sample_id = f"c{i}"
            writer.add(Sample(sequence(seed * 1000 + i)[None], classes.index(label), sample_id,
                              {"video": video} if video else {}))
            splits["train" if i // 2 % 2 == 0 else "test"].append(sample_id)
        writer.close(splits)
    return root


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def keeps(verdict: Verdict, folder: Path, before: dict[str, str]) -> Verdict:
    """``verdict``, unless a file that was in ``folder`` is gone or changed (data lost)."""
    after = digest(folder) if folder.exists() else {}
    changed = sorted(k for k in before if after.get(k) != before[k])
    return Verdict(Outcome.DATA_LOST, f"{len(changed)} file(s) of the old run gone or changed, e.g. {changed[:3]}") \
        if changed else verdict


def planted_run(folder: Path) -> dict[str, str]:
    """A finished run's files (checkpoints, metrics, results) as a stand-in; their hashes."""
    for sub in ("last", "best"):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "model.safetensors").write_bytes(b"weights of a week of training")
        (folder / sub / "config.json").write_text("{}")
    (folder / "metrics.json").write_text(json.dumps([{"epoch": 1, "test_top1": 0.9}]))
    (folder / "eval.json").write_text(json.dumps({"top1": 0.9}))
    (folder / "config.yaml").write_text("name: old\n")
    return digest(folder)


def train_args(work_dir: Path, *more: str, dataset: str = "mine") -> list[str]:
    return ["train", "nw-ucla/hglnet_quick", f"data.dataset={dataset}", f"train.work_dir={work_dir}", *QUICK, *more]


# --- defect 3: a new run never destroys an old one ---------------------------------------------
def rerun_over_finished_run(tmp: Path) -> Verdict:
    run = tmp / "runs" / "old"
    before = planted_run(run)
    r = run_actlm(train_args(run), cwd=tmp)
    return keeps(expect_clear_error(r, "--resume", "--overwrite"), run, before)


def resume_and_overwrite_together(tmp: Path) -> Verdict:
    run = tmp / "runs" / "old"
    before = planted_run(run)
    r = run_actlm(train_args(run, "--resume", str(run), "--overwrite"), cwd=tmp)
    return keeps(expect_clear_error(r, "--resume", "--overwrite"), run, before)


def lock_holder(run: Path) -> subprocess.Popen:
    """Another process holding ``run``'s training lock (as a running training does)."""
    code = ("import sys, time; from pathlib import Path; from actlm.engine.rundir import acquire_lock; "
            f"h = acquire_lock(Path({str(run)!r})); print('locked', flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    return proc


def second_training_in_one_directory(tmp: Path) -> Verdict:
    run = tmp / "runs" / "busy"
    holder = lock_holder(run)
    try:
        r = run_actlm(train_args(run, "--overwrite"), cwd=tmp)
        return expect_clear_error(r, "in use", str(holder.pid))
    finally:
        holder.kill()
        holder.wait()


def overwrite_keeps_foreign_files(tmp: Path) -> Verdict:
    """--overwrite with a work_dir that also holds the user's files: the run's files only."""
    prepared(tmp, ["wave", "clap"] * 3)
    run = tmp / "project"
    planted_run(run)
    (run / "notes.txt").write_text("the user's own notes")
    r = run_actlm(train_args(run, "--overwrite"), cwd=tmp, timeout=300)

    def check(r: Result) -> str | None:
        if not (run / "notes.txt").exists():
            return "--overwrite deleted a file the training did not write"
        return None if json.loads((run / "eval.json").read_text()).get("n") else "no new eval.json"
    verdict = expect_success(r, check)
    return Verdict(Outcome.DATA_LOST, verdict.detail) if "deleted" in verdict.detail else verdict


def rerun_real_training(tmp: Path) -> Verdict:
    """Train once, then the same command again: refused, the first run intact; a stale lock of a
    killed training does not block --resume."""
    prepared(tmp, ["wave", "clap"] * 3)
    run = tmp / "runs" / "first"
    first = run_actlm(train_args(run), cwd=tmp, timeout=300)
    if first.rc != 0:
        return expect_success(first)
    before = digest(run)
    verdict = keeps(expect_clear_error(run_actlm(train_args(run), cwd=tmp, timeout=300), "--resume", "--overwrite"),
                    run, before)
    if verdict.outcome is not Outcome.HANDLED:
        return verdict
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (run / ".lock").write_text(f"{dead.stdout.strip()} {__import__('socket').gethostname()}\n")
    return expect_success(run_actlm(train_args(run, "--resume", str(run)), cwd=tmp, timeout=300))


# --- defect 4: evaluation by class name --------------------------------------------------------
def eval_on_other_classes(tmp: Path) -> Verdict:
    """Same layout, other class names: refused, never an accuracy with mislabelled rows."""
    prepared(tmp, ["juggle", "bow"] * 3)
    return expect_clear_error(run_actlm(["eval", SHIPPED, "--dataset", "mine"], cwd=tmp), "no class in common")


def eval_with_an_unknown_class(tmp: Path) -> Verdict:
    prepared(tmp, ["throw", "juggle", "sit down"] * 2)
    return expect_clear_error(run_actlm(["eval", SHIPPED, "--dataset", "mine"], cwd=tmp), "juggle", "not trained on")


def eval_on_a_subset_of_classes(tmp: Path) -> Verdict:
    """Two of the model's classes (sorted, so in another order than the model's): mapped by name."""
    prepared(tmp, ["throw", "sit down"] * 4)
    r = run_actlm(["eval", SHIPPED, "--dataset", "mine", "--split", "test", "--json"], cwd=tmp)

    def check(r: Result) -> str | None:
        report = json.loads(r.stdout)
        rows = report["per_class"]
        if report.get("classes_mapped_by_name") != 2 or report["n"] != 4:
            return f"expected 2 classes mapped and 4 samples, got {report.get('classes_mapped_by_name')}, {report['n']}"
        scored = {name for name, acc in rows.items() if acc is not None}
        return None if scored <= {"throw", "sit down"} else f"per-class rows for classes not in the data: {scored}"
    return expect_success(r, check)


# --- defect 5: the describer does not trust its server ---------------------------------------
Behaviour = Callable[[socketserver.StreamRequestHandler, dict], None]


class Server:
    """A local HTTP/1.1 server whose every byte ``behaviour(handler, request)`` writes (a trickle, a
    redirect, a flood); it records each request (request line, headers, body)."""

    def __init__(self, behaviour: Behaviour):
        self.requests: list[dict] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode(errors="replace").strip()
                headers = {}
                while (header := self.rfile.readline().decode(errors="replace").strip()):
                    key, _, value = header.partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = self.rfile.read(int(headers.get("content-length", 0)))
                request = {"line": line, "headers": headers, "body": body.decode(errors="replace")}
                outer.requests.append(request)
                try:
                    behaviour(self, request)
                except OSError:
                    pass

        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.tcp.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.tcp.server_address[1]}"
        self.url = self.origin + "/v1"

    def __enter__(self) -> "Server":
        threading.Thread(target=self.tcp.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.tcp.shutdown()
        self.tcp.server_close()


def send(handler, status: int, body: bytes, headers: str = "") -> None:
    """One whole reply; ``headers``: extra header lines, each ending in CRLF."""
    handler.wfile.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode() + body)


def completion(text: str) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()


def describe(tmp: Path, url: str, *more: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    return run_actlm(["describe", "mine", "--backend", "openai", "--base-url", url, "--retries", "0", *more],
                     cwd=tmp, env=env, timeout=timeout)


def trickling_server(tmp: Path) -> Verdict:
    def trickle(handler, request):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + b" " * 500:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(1.0)
    prepared(tmp, ["wave", "clap"])
    with Server(trickle) as server:
        start = time.perf_counter()
        r = describe(tmp, server.url, "--timeout", "3", "--concurrency", "1", "--limit", "1", timeout=60)
        took = time.perf_counter() - start
    verdict = expect_clear_error(r, "within 3 s")
    # one sample and two class descriptions, 3 s each at the most, plus the start-up
    return Verdict(Outcome.HANG, f"{took:.0f} s for three 3-s requests") if took > 40 else verdict


def cross_origin_redirect(tmp: Path) -> Verdict:
    prepared(tmp, ["wave", "clap"])
    with Server(lambda h, r: send(h, 200, completion("A person waves."))) as elsewhere:
        with Server(lambda h, r: send(h, 302, b"", f"Location: {elsewhere.url}/chat/completions\r\n")) as server:
            r = describe(tmp, server.url, "--limit", "1", "--api-key-env", "PROBE_KEY", env={"PROBE_KEY": "sk-probe"})
        leaked = any("sk-probe" in json.dumps(req) for req in elsewhere.requests)
    if leaked:
        return Verdict(Outcome.UNSAFE, "the bearer key was sent to the other origin")
    return expect_clear_error(r, "another origin")


def huge_reply(tmp: Path) -> Verdict:
    def huge(handler, request):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        block = b'{"choices": "' + b"x" * (1 << 20)
        for _ in range(54):
            handler.wfile.write(block)
    prepared(tmp, ["wave", "clap"])
    with Server(huge) as server:
        r = describe(tmp, server.url, "--limit", "1", "--concurrency", "1")
    return expect_clear_error(r, "bytes accepted")


def escape_codes_in_replies(tmp: Path) -> Verdict:
    hostile = "\x1b]0;owned\x07\x1b[2JA person \x1b[31mwaves\x1b[0m\r the right hand.\x9b2J"
    prepared(tmp, ["wave", "clap"])
    with Server(lambda h, r: send(h, 200, completion(hostile))) as server:
        r = describe(tmp, server.url, "--limit", "2")
    db = tmp / ".cache" / "descriptions" / "descriptions.sqlite"
    stored = [t for (t,) in sqlite3.connect(db).execute("SELECT text FROM descriptions")] if db.exists() else []

    def check(r: Result) -> str | None:
        raw = [t for t in stored + [r.stdout] if any(c in t for c in "\x1b\x07\x9b")]
        return f"terminal control codes kept: {raw[0]!r:.80}" if raw else None
    verdict = expect_success(r, check)
    return Verdict(Outcome.UNSAFE, verdict.detail) if verdict.outcome is Outcome.SILENT_WRONG and "control" in verdict.detail else verdict


def video_column_not_uploaded(tmp: Path) -> Verdict:
    secret = tmp / "private.mp4"
    secret.write_bytes(b"\x00\x00\x00\x18ftypmp42 a private recording")
    prepared(tmp, ["wave", "clap"], video=str(secret))
    with Server(lambda h, r: send(h, 200, completion("A person waves."))) as server:
        r = describe(tmp, server.url, "--limit", "2")
        uploaded = [req for req in server.requests if "image_url" in req["body"]]
    if uploaded:
        return Verdict(Outcome.UNSAFE, "frames of a local video named in labels.csv were uploaded unasked")
    return expect_success(r)


# --- defect 6: descriptions cached by content; failed requests fail the command ----------------
def redescribe_after_reprepare(tmp: Path) -> Verdict:
    prepared(tmp, ["wave", "clap"] * 2, seed=0)
    first = run_actlm(["describe", "mine"], cwd=tmp)
    if first.rc != 0:
        return expect_success(first)
    prepared(tmp, ["wave", "clap"] * 2, seed=1)          # same name, same sample ids, new recordings
    again = run_actlm(["describe", "mine"], cwd=tmp)
    return expect_success(again, lambda r: None if "2 described, 0 already cached" in r.stdout else
                          f"old descriptions reused for new recordings: {r.stdout.strip().splitlines()[0][:120]}")


def failed_requests_fail_describe(tmp: Path) -> Verdict:
    prepared(tmp, ["wave", "clap"])
    with Server(lambda h, r: send(h, 500, b'{"error": "down"}')) as server:
        r = describe(tmp, server.url)
    return expect_clear_error(r, "failed")


# fast: what CI replays in tests/test_probe.py (one subprocess start or two each, < 60 s together
# on 2 quiet cores); the others run with `python -m experiments.probe --area run`
CASES: list[Case] = [
    Case("train again over a finished run", AREA, rerun_over_finished_run, issue_item="3"),
    Case("train --resume with --overwrite", AREA, resume_and_overwrite_together, fast=False, issue_item="3"),
    Case("a second training in a locked run directory", AREA, second_training_in_one_directory, issue_item="3"),
    Case("train --overwrite beside the user's files", AREA, overwrite_keeps_foreign_files, fast=False, issue_item="3"),
    Case("train the same config twice, then resume past a dead lock", AREA, rerun_real_training, fast=False,
         issue_item="3"),
    Case("eval on a set with other class names", AREA, eval_on_other_classes, issue_item="4"),
    Case("eval on a set with an unknown class", AREA, eval_with_an_unknown_class, fast=False, issue_item="4"),
    Case("eval on two of the model's classes", AREA, eval_on_a_subset_of_classes, issue_item="4"),
    Case("describer: server trickling 1 byte/s", AREA, trickling_server, fast=False, issue_item="5"),
    Case("describer: redirect to another origin", AREA, cross_origin_redirect, issue_item="5"),
    Case("describer: 54 MB reply", AREA, huge_reply, fast=False, issue_item="5"),
    Case("describer: terminal escape codes in replies", AREA, escape_codes_in_replies, issue_item="5"),
    Case("describer: video column in a skeleton set", AREA, video_column_not_uploaded, issue_item="5"),
    Case("describe a re-prepared set with new recordings", AREA, redescribe_after_reprepare, issue_item="6"),
    Case("describe against a failing server", AREA, failed_requests_fail_describe, issue_item="6"),
]
