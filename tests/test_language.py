"""Skeleton-language parts (issue 4): kinematic facts, describers, the description cache, the
OpenAI-compatible client against a real local HTTP server, and HocSLM training, on real data."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import SkeletonSet, get_layout
from actlm.engine import ConfigError, load_checkpoint, load_config, train
from actlm.language.cache import DescriberKey, DescriptionCache, dataset_fingerprints
from actlm.language.describers import DescribeJob, DescriberError, build_describer, clean_text, describe_dataset
from actlm.explain.facts import MOTIONS, kinematic_facts, narrate
from actlm.testing import FakeOpenAI

sys.path.insert(0, str(Path(__file__).parent))

from test_training import tiny_overrides  # noqa: E402


# --- kinematic facts ------------------------------------------------------------------------
def _facts_by_class(ds: SkeletonSet, classes: tuple[str, ...]) -> dict[str, Counter]:
    """How many sequences of each of ``classes`` state each motion, over every sequence of those classes."""
    out: dict[str, Counter] = {c: Counter() for c in classes}
    for i in np.flatnonzero(np.isin(ds.labels, [ds.classes.index(c) for c in classes])):
        s = ds[int(i)]
        try:
            out[ds.classes[s.label]].update({f.motion for f in kinematic_facts(s.data, ds.layout)})
        except ValueError:
            pass
    return out


def test_kinematic_facts_measure_what_the_classes_do(ucla_prepared):
    ds = SkeletonSet(ucla_prepared)
    # the rates below, each over every sequence of its class in all of NW-UCLA; the other six
    # classes are not read (they entered no rate: 60 % of the test's time)
    counts = _facts_by_class(ds, ("sit down", "stand up", "walk around", "throw"))
    n = Counter(ds.classes[k] for k in ds.labels)
    rate = lambda cls, motion: counts[cls][motion] / n[cls]  # noqa: E731
    assert rate("sit down", "sit_down") > 0.85 and rate("stand up", "stand_up") > 0.85
    assert rate("throw", "sit_down") < 0.1 and rate("sit down", "stand_up") < 0.1
    assert rate("walk around", "walk") > 0.9 and rate("stand up", "walk") < 0.6
    assert rate("throw", "raise") > 0.5 and rate("sit down", "raise") < 0.2
    for counter in counts.values():
        assert set(counter) <= set(MOTIONS)


def test_narration_is_ordered_in_time_and_readable(ucla_prepared):
    ds = SkeletonSet(ucla_prepared)
    sample = ds[ds.find("a01_s01_e00_v01")]
    facts = kinematic_facts(sample.data, ds.layout)
    assert [f.time for f in facts] == sorted(f.time for f in facts)
    text = narrate(facts)
    assert text.startswith("The person ") and text.endswith(".")
    assert "reaches down towards the floor" in text          # a pick-up


def test_kinematic_facts_work_on_every_layout(shared_data, ucla_prepared):
    from actlm.data.ntu import read_sample

    two_bodies, stated = None, 0
    for path in sorted(shared_data.rglob("*.skeleton")):
        data = read_sample(path).data
        facts = kinematic_facts(data, "kinect-v2")     # empty when no named motion passed its threshold
        assert all(f.motion in MOTIONS for f in facts)
        stated += bool(facts)
        two_bodies = data if data.shape[0] == 2 and np.abs(data[1]).sum() > 0 else two_bodies
    assert two_bodies is not None and stated >= 3     # reading a book, a handshake, taking off a shoe: no named motion
    ds = SkeletonSet(ucla_prepared)
    kv1, coco_layout = get_layout("kinect-v1"), get_layout("coco-17")
    pick = [kv1.index(j) if j in kv1.joints else kv1.index("head") for j in coco_layout.joints]
    # 2D keypoints in COCO order (face points at the head), the first ten sequences as a front view:
    # the 2D path reads them (the first alone, a one-hand pick-up, states nothing in 2D since a hand
    # low in an image needs the arm stretched down from the shoulder or the floor to count as a reach)
    coco = [ds[i].data[:, :, pick, :2] for i in range(min(10, len(ds)))]
    stated_2d = [f for c in coco for f in kinematic_facts(c, "coco-17")]
    assert stated_2d and all(f.motion in MOTIONS for f in stated_2d)
    with pytest.raises(ValueError, match="a single frame"):
        kinematic_facts(ds[0].data[:, :1], ds.layout)


# --- cache and dataset runs -----------------------------------------------------------------
def test_describe_resumes_and_reports_bad_samples(tiny_ucla, tmp_path):
    ds = SkeletonSet(tiny_ucla)
    cache = DescriptionCache(tmp_path / "d.sqlite")
    first = describe_dataset(ds, build_describer("kinematic"), cache, limit=10)
    assert first.described == 10 and first.cached == 0
    again = describe_dataset(ds, build_describer("kinematic"), cache)
    assert again.cached == 10 and again.described == len(ds) - 10 - len(again.failed)
    key = build_describer("kinematic").key(ds.name)
    texts = cache.get_many(key)
    assert sum(k.startswith("class:") for k in texts) == ds.num_classes
    assert cache.count(key) == len(ds) + ds.num_classes
    reopened = DescriptionCache(tmp_path / "d.sqlite")
    assert reopened.get_many(key) == texts


def test_clean_text_rejects_empty_and_caps_long_replies():
    with pytest.raises(DescriberError, match="empty"):
        clean_text("  ...  ", "s1")
    with pytest.raises(DescriberError, match="not text"):
        clean_text({"a": 1}, "s1")
    long = clean_text("The arm rises. " * 100, "s1")
    assert len(long) <= 600 and long.endswith(".")


def test_a_corrupt_cache_file_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ValueError, match="not a usable description cache"):
        DescriptionCache(bad)


# --- the OpenAI-compatible client against a local server -------------------------------------
def _jobs(n: int) -> list[DescribeJob]:
    return [DescribeJob(f"s{i}", f"The person raises the right hand ({i}).", "wave") for i in range(n)]


def test_openai_backend_real_http_round_trip_and_key_handling():
    with FakeOpenAI() as server:
        d = build_describer("openai", base_url=server.url, model="my-vlm", api_key="sk-secret-123", concurrency=2)
        results = list(d.describe_many(_jobs(3)))
    assert all(isinstance(text, str) and text.startswith("A person moves.") for _, text in results)
    body = server.requests[0]
    assert body["model"] == "my-vlm" and body["messages"][0]["role"] == "system"
    assert "wave" in body["messages"][1]["content"] and "raises the right hand" in body["messages"][1]["content"]
    assert server.headers[0]["Authorization"] == "Bearer sk-secret-123"
    assert "sk-secret" not in repr(d)


def test_openai_backend_sends_frames_as_images():
    d = build_describer("openai", base_url="http://127.0.0.1:9/v1", frames=2)
    job = DescribeJob("s1", "facts", "wave", video="clip.mp4", frames=[b"\xff\xd8jpeg1", b"\xff\xd8jpeg2"])
    content = d.messages(job)[1]["content"]
    assert content[0]["type"] == "text"
    assert [c["type"] for c in content[1:]] == ["image_url", "image_url"]
    assert content[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_openai_backend_retries_server_errors():
    with FakeOpenAI("flaky") as server:
        d = build_describer("openai", base_url=server.url, retries=2, backoff=0.01)
        (_, text), = d.describe_many(_jobs(1))
    assert isinstance(text, str) and len(server.requests) == 2


@pytest.mark.parametrize("behaviour", ["flaky_empty", "ratelimited"])
def test_openai_backend_retries_empty_replies_and_honours_retry_after(behaviour):
    with FakeOpenAI(behaviour) as server:
        d = build_describer("openai", base_url=server.url, retries=2, backoff=0.01)
        start = time.perf_counter()
        (_, text), = d.describe_many(_jobs(1))
        waited = time.perf_counter() - start
    assert isinstance(text, str) and text.startswith("A person moves") and len(server.requests) == 2
    if behaviour == "ratelimited":   # the server asked for 0.3 s; the client's own backoff is ~0.01 s
        assert waited >= 0.3


def test_abandoned_describe_run_sends_no_more_requests():
    """Ctrl-C (or any consumer that stops early) cancels the queued requests instead of sending them."""
    with FakeOpenAI(delay=0.2) as server:
        d = build_describer("openai", base_url=server.url, concurrency=2)
        results = d.describe_many(_jobs(20))
        next(results)
        results.close()
        time.sleep(0.6)
        sent = len(server.requests)
    assert sent <= 4, sent   # the two in flight and at most their successors, not all 20


@pytest.mark.parametrize("behaviour, message", [("error", "HTTP 500"), ("garbage", "not a chat completion"),
                                                ("slow", "no answer within 0.3 s")])
def test_openai_backend_failures_are_reported_per_sample(behaviour, message):
    with FakeOpenAI(behaviour, slow_seconds=1.5) as server:
        d = build_describer("openai", base_url=server.url, retries=1, backoff=0.01, timeout=0.3,
                            api_key="sk-secret-123", concurrency=2)
        results = list(d.describe_many(_jobs(2)))
    for job, result in results:
        assert isinstance(result, DescriberError) and message in str(result) and job.sample_id in str(result)
        assert "sk-secret" not in str(result)
    assert len(server.requests) == 4   # 2 samples x (1 try + 1 retry)


def test_openai_concurrency_limit_is_respected():
    with FakeOpenAI(delay=0.2) as server:
        d = build_describer("openai", base_url=server.url, concurrency=3)
        results = list(d.describe_many(_jobs(9)))
    assert all(isinstance(r, str) for _, r in results)
    assert 2 <= server.max_in_flight <= 3   # requests overlap, never more than the limit


def test_kill_9_loses_only_in_flight_requests(tiny_ucla, tmp_path):
    """A describe run killed with SIGKILL keeps everything it finished; the re-run does the rest once."""
    db = tmp_path / "d.sqlite"
    with FakeOpenAI(delay=0.1) as server:
        cmd = [sys.executable, "-m", "actlm", "describe", str(tiny_ucla), "--backend", "openai", "--base-url",
               server.url, "--concurrency", "2", "--cache", str(db)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and len(server.requests) < 12:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        key = DescriberKey("tiny-ucla", "openai", "default", "v1")
        kept = DescriptionCache(db).count(key)
        sent_before = len(server.requests)
        assert 0 < kept <= sent_before
        assert sent_before - kept <= 2 + 1   # at most the in-flight requests (concurrency 2) are lost
        result = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
    n = len(SkeletonSet(tiny_ucla).split("train")) + 10
    assert DescriptionCache(db).count(key) == n
    assert len(server.requests) <= n + 2 + 1   # nothing described twice except what was in flight


# --- HocSLM training ----------------------------------------------------------------------
SLM_TINY = ["model.args.embed_dim=32", "language.max_tokens=24"]


def test_hocslm_trains_and_infers_without_text(tiny_ucla, tmp_path):
    run = tmp_path / "slm"
    report = train(load_config("nw-ucla/hocslm_joint", tiny_overrides(tiny_ucla, run) + SLM_TINY))
    assert report["n"] == 20
    history = json.loads((run / "metrics.json").read_text())
    assert {"loss_contrastive", "loss_class_text", "loss_fusion"} <= set(history[0])
    model, meta = load_checkpoint(run)
    x = torch.randn(3, 1, 52, 20, 3)
    model.eval()
    assert torch.equal(model(x), model.encoder(x))              # inference = HGLNet alone
    assert model.class_text.abs().sum() > 0                      # class descriptions travel with the weights
    result = CliRunner().invoke(main, ["eval", str(run), "--text-match", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scoring"] == "text-match"


def test_description_weighted_positives():
    """Label-only targets spread evenly over the same class; description-weighted targets favour
    the own description and same-class samples described alike, never another class."""
    from actlm.language.slm import contrastive_targets

    labels = torch.tensor([0, 0, 0, 1])
    uniform = contrastive_targets(labels)
    assert torch.allclose(uniform[0], torch.tensor([1 / 3, 1 / 3, 1 / 3, 0]))
    sim = torch.tensor([[1.0, 0.9, 0.1, 0.95], [0.9, 1.0, 0.2, 0.3], [0.1, 0.2, 1.0, 0.0], [0.95, 0.3, 0.0, 1.0]])
    weighted = contrastive_targets(labels, sim, temperature=0.1)
    assert torch.allclose(weighted.sum(1), torch.ones(4))
    assert weighted[0, 3] == 0 and weighted[3, 3] == 1                  # other class: never a positive
    assert weighted[0, 0] > weighted[0, 1] > weighted[0, 2] > 0          # own > alike > unlike
    assert torch.allclose(contrastive_targets(labels, sim, temperature=1e3), uniform, atol=1e-3)


def test_hocslm_with_description_weighted_positives_trains(tiny_ucla, tmp_path, capsys):
    run = tmp_path / "slm"
    overrides = tiny_overrides(tiny_ucla, run, epochs=1) + SLM_TINY + [
        "language.description_temperature=0.1", "language.shared_by=[subject,episode]"]
    train(load_config("nw-ucla/hocslm_joint", overrides))
    history = json.loads((run / "metrics.json").read_text())
    assert history[0]["loss_contrastive"] > 0
    assert "descriptions: " in capsys.readouterr().err


def test_missing_descriptions_fall_back_to_class_text(tiny_ucla, tmp_path, capsys):
    """Model-written descriptions for only some samples: training goes on and says how many lack one."""
    ds = SkeletonSet(tiny_ucla).split("train")
    cache = DescriptionCache(tmp_path / "d.sqlite")
    key = DescriberKey("tiny-ucla", "openai", "some-vlm", "v1")
    fingerprints = dataset_fingerprints(ds)     # descriptions of this very content
    for sid in ds.sample_ids[::2]:
        cache.put(key, sid, "A person moves an arm.", fingerprints[sid])
    overrides = tiny_overrides(tiny_ucla, tmp_path / "run", epochs=1) + SLM_TINY + [
        "language.describer=openai", "language.describer_model=some-vlm", f"language.cache={tmp_path / 'd.sqlite'}"]
    train(load_config("nw-ucla/hocslm_joint", overrides))
    assert f"{len(ds) - len(ds.sample_ids[::2])} without one" in capsys.readouterr().err


def test_written_class_descriptions_replace_the_describers(tiny_ucla, tmp_path):
    """`language.class_descriptions: nw-ucla` (shipped, GAP-style) becomes the class text stored
    with the model, which text-matching classification then reads."""
    from actlm.language.text_bank import load_class_descriptions
    from actlm.language.text_encoder import TextEncoder

    run = tmp_path / "slm"
    train(load_config("nw-ucla/hocslm_joint", tiny_overrides(tiny_ucla, run, epochs=1) + SLM_TINY
                      + ["language.class_descriptions=nw-ucla@global"]))
    model, _ = load_checkpoint(run)
    texts = load_class_descriptions("nw-ucla@global", SkeletonSet(tiny_ucla).classes)
    assert texts[9][0].startswith("The person walks holding a box") and "\n" not in texts[0][0]
    expected = TextEncoder("minilm", 24).encode([t[0] for t in texts])[2]
    assert torch.allclose(model.class_text, expected, atol=1e-5)


def test_class_description_files_are_checked(tmp_path):
    from actlm.language.text_bank import load_class_descriptions

    classes = ["wave", "clap"]
    good = tmp_path / "mine.json"
    good.write_text(json.dumps({"clap": "Both hands meet in front of the chest.", "wave": "One hand sways overhead."}))
    assert load_class_descriptions(f"{good}@global", classes) == [["One hand sways overhead."],
                                                                  ["Both hands meet in front of the chest."]]
    assert load_class_descriptions(str(good), classes)[0] == ["A person performs the action 'wave'.",
                                                              "One hand sways overhead."]
    cases = [({"wave": "x"}, r"no description for class\(es\) \['clap'\]"),
             ({"wave": "x", "clap": "y", "clapp": "z"}, r"\['clapp'\] are not classes"),
             ({"wave": "x", "clap": ""}, "class 'clap': the description text is empty"),
             (["wave", "clap"], "mapping of class name")]
    for content, message in cases:
        bad = tmp_path / "bad.yaml"
        bad.write_text(json.dumps(content))
        with pytest.raises(ConfigError, match=message):
            load_class_descriptions(str(bad), classes)
    with pytest.raises(ConfigError, match=r"a shipped set \(general, nw-ucla\)"):
        load_class_descriptions("ntu-999", classes)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="broken.json: cannot read"):
        load_class_descriptions(str(broken), classes)


def test_language_config_errors_are_clear(tiny_ucla, tmp_path):
    base = tiny_overrides(tiny_ucla, tmp_path / "run", epochs=1) + SLM_TINY
    with pytest.raises(ConfigError, match="model.name=hocslm"):
        train(load_config("nw-ucla/hocslm_joint", base + ["model.name=hglnet", "model.args={}"]))
    with pytest.raises(ValueError, match="no such folder"):
        train(load_config("nw-ucla/hocslm_joint", base + [f"language.text_encoder={tmp_path / 'nope'}"]))
    with pytest.raises(ConfigError, match="actlm describe"):
        train(load_config("nw-ucla/hocslm_joint", base + ["language.describer=openai",
                                                          f"language.cache={tmp_path / 'empty.sqlite'}"]))


# --- local language models ----------------------------------------------------------------
def test_smollm_describer_writes_fluent_text(ucla_prepared):
    ds = SkeletonSet(ucla_prepared)
    d = build_describer("smollm", max_new_tokens=30)
    (job, text), = d.describe_many([DescribeJob("s", "The person first raises the right hand above the head, "
                                                     "and finally lowers the right hand again.", "wave")])
    assert isinstance(text, str) and len(text.split()) >= 4, text
    assert d.key(ds.name).model == "smollm2-135m-instruct"


def test_hf_backend_refuses_a_checkpoint_that_is_not_a_causal_lm(tmp_path):
    from actlm.language.lm import LMError, load_causal_lm
    from actlm.language.text_encoder import resolve_text_encoder

    with pytest.raises(LMError, match="not a causal language model"):
        load_causal_lm(str(resolve_text_encoder("minilm")))
    with pytest.raises(LMError, match="no config.json"):
        build_describer("hf", model_path=str(tmp_path))


def test_recordings_of_one_performance_share_a_description(ucla_prepared):
    """NW-UCLA films each performance with several cameras at once: with shared_by, both training
    views of a performance get one description (the first described by sample id), a missing one
    is filled from the other view, and a field the dataset lacks is named in the error."""
    from actlm.language.text_bank import share_within_performances

    ds = SkeletonSet(ucla_prepared).split("xview_train")
    texts = list(ds.sample_ids)
    described = [not sid.startswith("a01_s01_e00_v01") for sid in ds.sample_ids]
    texts[0] = "class text"   # a01_s01_e00_v01: no description of its own
    shared = share_within_performances(ds, texts, described, ["subject", "episode"])
    assert ds.sample_ids[:2] == ["a01_s01_e00_v01", "a01_s01_e00_v02"]
    assert texts[:2] == ["a01_s01_e00_v02"] * 2
    groups = {sid.rsplit("_v", 1)[0] for sid in ds.sample_ids}
    assert len(set(texts)) == len(groups) and shared == len(ds) - len(groups)
    assert all(t.rsplit("_v", 1)[0] == sid.rsplit("_v", 1)[0] for t, sid in zip(texts, ds.sample_ids))
    with pytest.raises(ValueError, match="no metadata field.*camera"):
        share_within_performances(ds, texts, described, ["camera"])


def test_describe_skips_a_damaged_stored_sample_and_describes_the_rest(damaged_ucla, tmp_path):
    """A NaN written into frames.npy after prepare: that sample is reported, every other one described."""
    damaged, records = damaged_ucla
    ds = SkeletonSet(damaged)
    report = describe_dataset(ds, build_describer("kinematic"), DescriptionCache(tmp_path / "d.sqlite"), limit=6)
    assert [sample for sample, _ in report.failed] == [records[3]["id"]]
    assert "NaN/inf coordinate" in report.failed[0][1] and report.described == 5
