"""Cost of the skeleton-language parts: describer throughput, SLM training overhead, inference overhead.

    python -m experiments.bench_language [--threads 2] [--smollm 8]

- kinematic describer: sequences/s over all 1,484 NW-UCLA sequences, 1 process and 2 processes;
- smollm describer: sequences/s and generated tokens/s (greedy, 60 new tokens max);
- openai describer against the local test server (real HTTP; 0.25 s simulated model latency per
  request), concurrency 1 vs 8;
- training step time of HocSLM vs HGLNet (same config, batch 16, real NW-UCLA batches), ratio;
- batch-1 inference latency of HocSLM's text-free path vs HGLNet (same weights), ratio.
Writes experiments/results/language.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import torch

from actlm.data import load
from actlm.data.loader import SkeletonDataset
from actlm.engine import load_config
from actlm.language.describers import DescribeJob, build_describer, facts_of


def _describe_range(bounds: tuple[int, int]) -> int:
    ds = load("nw-ucla")
    done = 0
    for i in range(*bounds):
        try:
            facts_of(ds[i], ds.layout)
            done += 1
        except ValueError:
            pass
    return done


def kinematic_throughput() -> dict:
    ds = load("nw-ucla")
    n = len(ds)
    start = time.perf_counter()
    _describe_range((0, n))
    one = n / (time.perf_counter() - start)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_describe_range, [(0, 1)] * 2))       # start the workers before timing
        start = time.perf_counter()
        list(pool.map(_describe_range, [(0, n // 2), (n // 2, n)]))
        two = n / (time.perf_counter() - start)
    return {"sequences": n, "seq_per_s_1proc": round(one, 1), "seq_per_s_2proc": round(two, 1)}


def smollm_throughput(count: int, threads: int) -> dict:
    ds = load("nw-ucla", split="train")
    d = build_describer("smollm", threads=threads)
    d._text_model()
    tok = d._text_model()[1]
    jobs = [DescribeJob(ds[i].sample_id, facts_of(ds[i], ds.layout)[0], ds.classes[ds[i].label])
            for i in range(0, len(ds), len(ds) // count)][:count]
    start = time.perf_counter()
    texts = [t for _, t in d.describe_many(jobs)]
    elapsed = time.perf_counter() - start
    tokens = sum(len(tok(t)["input_ids"]) for t in texts if isinstance(t, str))
    return {"sequences": len(jobs), "seq_per_s": round(len(jobs) / elapsed, 3),
            "generated_tokens_per_s": round(tokens / elapsed, 1), "examples": [str(t) for t in texts[:3]]}


def openai_throughput(requests: int = 32, latency: float = 0.25) -> dict:
    from actlm.testing import FakeOpenAI
    jobs = [DescribeJob(f"s{i}", f"The person raises the right hand ({i}).", "wave") for i in range(requests)]
    out = {"requests": requests, "simulated_latency_s": latency}
    for concurrency in (1, 8):
        with FakeOpenAI(delay=latency) as server:
            d = build_describer("openai", base_url=server.url, concurrency=concurrency)
            start = time.perf_counter()
            ok = sum(isinstance(t, str) for _, t in d.describe_many(jobs))
            out[f"seq_per_s_concurrency_{concurrency}"] = round(ok / (time.perf_counter() - start), 2)
    out["speedup"] = round(out["seq_per_s_concurrency_8"] / out["seq_per_s_concurrency_1"], 2)
    return out


def training_overhead(threads: int, steps: int = 12) -> dict:
    """Seconds per training step (forward + backward + SGD) for HGLNet and HocSLM, interleaved."""
    from actlm.engine.trainer import Trainer
    torch.set_num_threads(threads)
    trainers = {}
    for name in ("hglnet", "hocslm"):
        cfg = load_config(f"nw-ucla/{name}_joint", [f"train.threads={threads}", "train.work_dir=/tmp/actlm_bench_lang"])
        trainers[name] = Trainer(cfg)
    x, y, idx = next(iter(trainers["hglnet"].train_loader))
    times: dict[str, list[float]] = {k: [] for k in trainers}
    for step in range(steps + 2):
        for name, t in trainers.items():
            t.model.train()
            start = time.perf_counter()
            loss = t.objective.losses(t.model(x, **t.objective.batch_inputs(idx)), y).loss
            t.optimizer.zero_grad()
            loss.backward()
            t.optimizer.step()
            if step >= 2:
                times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"batch": len(y), "threads": threads, "step_s_hglnet": round(med["hglnet"], 4),
            "step_s_hocslm": round(med["hocslm"], 4), "ratio": round(med["hocslm"] / med["hglnet"], 3),
            "trainable_params_hglnet": sum(p.numel() for p in trainers["hglnet"].model.parameters()),
            "trainable_params_hocslm": sum(p.numel() for p in trainers["hocslm"].model.parameters())}


def inference_overhead(threads: int, runs: int = 200) -> dict:
    from actlm.encoder import build_model
    torch.set_num_threads(threads)
    args = dict(num_classes=10, layout="kinect-v1", in_channels=3, num_persons=1, stages=[[64, 2, 2], [128, 3, 2], [256, 3, 1]])
    slm = build_model("hocslm", **args).eval()
    base = build_model("hglnet", **args).eval()
    base.load_state_dict(slm.encoder.state_dict())
    ds = load("nw-ucla", split="test")
    x = SkeletonDataset(ds, load_config("nw-ucla/hglnet_joint").data.test_pipeline)[0][0][None]
    lat: dict[str, list[float]] = {"hglnet": [], "hocslm": []}
    with torch.inference_mode():
        assert torch.equal(slm(x), base(x))
        for i in range(runs + 20):
            for name, m in (("hglnet", base), ("hocslm", slm)):
                start = time.perf_counter()
                m(x)
                if i >= 20:
                    lat[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) * 1000 for k, v in lat.items()}
    return {"threads": threads, "median_ms_hglnet": round(med["hglnet"], 2), "median_ms_hocslm": round(med["hocslm"], 2),
            "ratio": round(med["hocslm"] / med["hglnet"], 3), "same_outputs": True}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--smollm", type=int, default=8, help="sequences for the smollm describer")
    a = p.parse_args()
    result = {"kinematic": kinematic_throughput(), "openai_local_server": openai_throughput(),
              "training_overhead": training_overhead(a.threads), "inference_overhead": inference_overhead(a.threads),
              "smollm": smollm_throughput(a.smollm, a.threads)}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    meta = {"command": "python -m experiments.bench_language " + " ".join(sys.argv[1:]), "commit": commit,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": "2-core CPU; other benchmark runs may share it (see note)"}
    out = Path("experiments/results")
    (out / "language.json").write_text(json.dumps({**meta, **result}, indent=1))
    k, o, t, i, s = (result[x] for x in ("kinematic", "openai_local_server", "training_overhead", "inference_overhead", "smollm"))
    md = [f"# Skeleton-language cost", "", f"- command: `{meta['command']}`", f"- commit {commit}, {meta['date']}", "",
          f"- kinematic describer: {k['seq_per_s_1proc']:.0f} sequences/s (1 process), {k['seq_per_s_2proc']:.0f} (2 processes) over {k['sequences']} NW-UCLA sequences",
          f"- smollm describer (SmolLM2-135M, greedy): {s['seq_per_s']:.2f} sequences/s, {s['generated_tokens_per_s']:.1f} generated tokens/s",
          f"- openai describer vs local server ({o['simulated_latency_s']} s latency/request): {o['seq_per_s_concurrency_1']:.2f} seq/s at concurrency 1, "
          f"{o['seq_per_s_concurrency_8']:.2f} at 8 ({o['speedup']:.1f}x)",
          f"- training step (batch {t['batch']}, {t['threads']} threads): HGLNet {t['step_s_hglnet']*1000:.0f} ms, HocSLM {t['step_s_hocslm']*1000:.0f} ms, ratio {t['ratio']:.2f}",
          f"- batch-1 inference: HGLNet {i['median_ms_hglnet']:.2f} ms, HocSLM text-free {i['median_ms_hocslm']:.2f} ms, ratio {i['ratio']:.3f} (identical outputs)",
          "", "smollm examples:", *[f"- {e}" for e in s["examples"]]]
    (out / "language.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
