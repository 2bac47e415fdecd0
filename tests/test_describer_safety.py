"""The OpenAI-compatible describer does not trust its server, and descriptions are cached by content
(issue 41, items 5 and 6). Every server here is a local one started by the test."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import DatasetWriter, SkeletonSet
from actlm.language.cache import DescriptionCache, dataset_fingerprints
from actlm.language.describers import DescribeJob, DescriberError, build_describer, clean_text, describe_dataset
from actlm.language.describers.dataset import MAX_FAILURES_IN_A_ROW
from actlm.language.describers.openai import MAX_REPLY_BYTES
from experiments.probe.run_cases import Server as RawServer
from experiments.probe.run_cases import completion, send


def reply(handler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    send(handler, status, body, "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()))


def _one(server: RawServer, **options) -> str | Exception:
    d = build_describer("openai", base_url=server.url, api_key="sk-secret-123", retries=0, **options)
    (_, result), = d.describe_many([DescribeJob("s1", "The person raises the right hand.", "wave")])
    return result


def test_a_server_trickling_its_reply_is_cut_off_at_the_timeout():
    def trickle(handler, request):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(30):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)

    def trickle_headers(handler, request):     # not even the status line in time
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 30:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.2)

    for behaviour in (trickle, trickle_headers):
        with RawServer(behaviour) as server:
            start = time.perf_counter()
            result = _one(server, timeout=1.0)
            assert time.perf_counter() - start < 2.5, behaviour.__name__
            assert isinstance(result, DescriberError) and "within 1 s" in str(result), result


def test_redirects_stay_on_the_servers_origin():
    with RawServer(lambda h, r: reply(h, 200, completion("A person waves."))) as elsewhere:
        with RawServer(lambda h, r: reply(h, 307, b"", {"Location": elsewhere.url + "/chat/completions"})) as server:
            result = _one(server)
        assert isinstance(result, DescriberError) and "another origin" in str(result)
        assert elsewhere.requests == []                      # the key never reached the other host

    def moved(handler, request):
        if request["line"].startswith("POST /v1/"):
            reply(handler, 308, b"", {"Location": "/v2/chat/completions"})
        else:
            reply(handler, 200, completion("A person waves the right hand."))
    with RawServer(moved) as server:
        assert _one(server) == "A person waves the right hand."
        assert [r["line"].split()[1] for r in server.requests] == ["/v1/chat/completions", "/v2/chat/completions"]
        assert server.requests[1]["headers"]["authorization"] == "Bearer sk-secret-123"


def test_replies_over_the_size_cap_are_refused_unread():
    def declared(handler, request):
        handler.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Length: {50 << 20}\r\n\r\n".encode() + b"x" * 65536)

    def undeclared(handler, request):      # no length: read until the server closes
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        chunk = b'{"choices": "' + b"x" * 65536
        for _ in range((MAX_REPLY_BYTES >> 16) + 40):
            handler.wfile.write(chunk)

    for behaviour in (declared, undeclared):
        with RawServer(behaviour) as server:
            result = _one(server, timeout=20)
            assert isinstance(result, DescriberError) and "bytes accepted" in str(result), result


def test_terminal_escape_codes_never_reach_the_cache_or_the_screen(tiny_ucla, tmp_path):
    hostile = "\x1b[2J\x1b]0;owned\x07A person \x1b[31mwaves\x1b[0m the\r right \x9b1Ahand.\x07"
    with RawServer(lambda h, r: reply(h, 200, completion(hostile))) as server:
        assert _one(server) == "A person waves the right hand."
        db = tmp_path / "d.sqlite"
        result = CliRunner().invoke(main, ["describe", str(tiny_ucla), "--backend", "openai", "--base-url", server.url,
                                           "--limit", "3", "--cache", str(db)])
    assert result.exit_code == 0, result.output
    assert "A person waves the right hand." in result.output
    stored = DescriptionCache(db)
    texts = [t for key, _ in stored.keys() for t in stored.get_many(key).values()]
    assert texts and not any(ch in t for t in texts + [result.stdout] for ch in "\x1b\x07\r\x9b")
    assert clean_text("ok \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ here", "s") == "ok link here"


def _with_videos(tiny: Path, out: Path, video: str) -> Path:
    """The first training samples of ``tiny`` with a ``video`` in their metadata."""
    source = SkeletonSet(tiny).split("train")
    ids = []
    with DatasetWriter(out, "with-videos", source.layout, source.channels, source.classes, 1) as writer:
        for i in range(4):
            sample = source[i]
            sample.meta = {**sample.meta, "video": video}
            writer.add(sample)
            ids.append(sample.sample_id)
        writer.close({"train": ids})
    return out


def test_a_video_named_in_the_data_is_sent_only_when_asked(tiny_ucla, tmp_path):
    secret = tmp_path / "private.mp4"
    secret.write_bytes(b"not really a video")
    ds = SkeletonSet(_with_videos(tiny_ucla, tmp_path / "set", str(secret))).split("train")
    assert ds[0].meta.get("video") == str(secret)
    with RawServer(lambda h, r: reply(h, 200, completion("A person waves."))) as server:
        d = build_describer("openai", base_url=server.url, retries=0)
        report = describe_dataset(ds, d, DescriptionCache(tmp_path / "d.sqlite"))
        assert report.described == len(ds) and report.requests_failed == 0
        assert all(isinstance(json.loads(r["body"])["messages"][-1]["content"], str) for r in server.requests)  # text
        asked = describe_dataset(ds, d, DescriptionCache(tmp_path / "e.sqlite"), send_videos=True)
    # asked to, it reads the named file (here not a video: refused per sample, nothing sent)
    assert asked.requests_failed == len(ds) and str(secret) in asked.failed[0][1]


def test_describe_exits_non_zero_when_requests_failed_and_stops_a_failing_server(tiny_ucla, tmp_path):
    with RawServer(lambda h, r: reply(h, 500, b'{"error": "down"}')) as server:
        result = CliRunner().invoke(main, ["describe", str(tiny_ucla), "--backend", "openai", "--base-url", server.url,
                                           "--retries", "0", "--concurrency", "1", "--cache", str(tmp_path / "d.sqlite")])
        asked = len(server.requests)
    assert result.exit_code == 1 and "request(s) failed" in result.output and "Traceback" not in result.output
    assert "stopped early" in result.output and asked == MAX_FAILURES_IN_A_ROW < len(SkeletonSet(tiny_ucla).split("train"))


def _recorded_again(tiny: Path, out: Path, changed: set[int]) -> Path:
    """``tiny``'s training split prepared again under the same name, ``changed`` samples re-recorded."""
    source = SkeletonSet(tiny).split("train")
    with DatasetWriter(out, source.name, source.layout, source.channels, source.classes, 1) as writer:
        for i in range(len(source)):
            sample = source[i]
            if i in changed:
                sample.data = np.ascontiguousarray(sample.data[:, ::-1])     # the same id, another recording
            writer.add(sample)
        writer.close({"train": source.sample_ids})
    return out


def test_descriptions_are_cached_by_content_not_by_dataset_name(tiny_ucla, tmp_path):
    cache = DescriptionCache(tmp_path / "d.sqlite")
    first = SkeletonSet(tiny_ucla).split("train")
    kinematic = build_describer("kinematic")
    assert describe_dataset(first, kinematic, cache).described > 0
    again = SkeletonSet(_recorded_again(tiny_ucla, tmp_path / "again", {0, 1})).split("train")
    assert again.name == first.name and again.sample_ids == first.sample_ids
    report = describe_dataset(again, kinematic, cache)
    assert report.described == 2 and report.cached == len(again) - 2 - len(report.failed)
    key = kinematic.key(again.name)
    current = cache.get_many(key, fingerprints=dataset_fingerprints(again))
    assert {s for s in first.sample_ids if s not in dict(report.failed)} <= set(current)   # each of its own data
    stale = cache.get_many(key, fingerprints=dataset_fingerprints(first))
    assert first.sample_ids[0] not in stale and first.sample_ids[2] in stale
    changed_class = f"class:{first.classes[first[0].label]}"
    assert changed_class in current and changed_class not in stale
