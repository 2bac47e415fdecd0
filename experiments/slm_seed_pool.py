"""Pool the seed studies of several `slm_benchmark.py` result files into one paired test.

Each `slm_benchmark.py --tag T` study pairs HGLNet and HocSLM runs of the same seed, schedule and
code; a few seeds per study leave the paired delta's sign open (single-run noise on NW-UCLA is
about a point). This script trains nothing: it reads `experiments/results/slm_<T>.json` of each
given tag, takes every (study, seed) pair that has both models' runs, and reports the paired delta
HocSLM - HGLNet over all of them: mean, spread, standard error, a bootstrap 95 % interval, how
many pairs HocSLM wins, and two exact two-sided tests that assume nothing about the shape of the
deltas (sign-flip permutation of the deltas; sign test on the wins).

    python -m experiments.slm_seed_pool e20noshare e20seeds --name e20
    python -m experiments.slm_seed_pool e20dt e20dt4 e20noshare e20seeds --name e20all
    python -m experiments.slm_seed_pool e20dt4 e20seeds --stream ensemble --name e20_ensemble

The joint stream by default; `--stream bone|joint_motion|bone_motion` pairs that stream's runs, and
`--stream ensemble` the 4-stream ensembles (best epochs) of the seeds whose four streams both models
trained (`slm_benchmark.py --ensemble-seeds N`).

Pairs of different studies with the same seed are different runs when the studies' code or
config differ (the table gives each study's commit); they are only as independent as that.
Results: experiments/results/slm_pooled_<name>.{md,json} (command, commit, date).
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
from datetime import datetime, timezone

import numpy as np

from experiments.run_archive import RESULTS, handwritten_notes, head_commit
from experiments.slm_benchmark import STREAMS as RUN_STREAMS

METRICS = {"best_top1": "best epoch", "last3_top1": "mean of the last 3 epochs"}
ENSEMBLE_METRICS = {"best_top1": "best epochs"}
COLUMN = {"best_top1": "best", "last3_top1": "last 3"}
STREAMS = (*RUN_STREAMS, "ensemble")


def metrics(stream: str) -> dict[str, str]:
    """A stream's runs have both metrics; an ensemble fuses the best epochs' scores only."""
    return ENSEMBLE_METRICS if stream == "ensemble" else METRICS


def load_pairs(tags: list[str], stream: str = "joint") -> list[dict]:
    """Every (study, seed) where both models have the stream's run (or the 4-stream ensemble): the two
    models' metrics and the study's commit."""
    pairs = []
    for tag in tags:
        path = RESULTS / f"slm_{tag}.json"
        if not path.exists():
            raise SystemExit(f"{path}: no such results file (run `python -m experiments.slm_benchmark --tag {tag} ...`)")
        study = json.loads(path.read_text())
        for seed in study["seeds"]:
            h, s = (paired_result(study, model, stream, seed) for model in ("hglnet", "hocslm"))
            if h and s:
                pairs.append({"study": tag, "commit": study["commit"], "seed": seed,
                              **{f"hglnet_{m}": h[m] for m in metrics(stream)},
                              **{f"hocslm_{m}": s[m] for m in metrics(stream)}})
    return pairs


def paired_result(study: dict, model: str, stream: str, seed: int) -> dict | None:
    """One model's run of a stream and seed, or its 4-stream ensemble as {"best_top1": top-1}."""
    if stream != "ensemble":
        return study["runs"].get(f"{model}_{stream}_s{seed}")
    # results written before --ensemble-seeds hold the first seed's ensemble only
    per_seed = study.get("ensemble_4stream_per_seed") or {str(study["seeds"][0]): study.get("ensemble_4stream", {})}
    top1 = per_seed.get(str(seed), {}).get(model)
    return None if top1 is None else {"best_top1": top1}


def sign_flip_p(deltas: list[float], max_exact: int = 20, samples: int = 200_000) -> float:
    """Two-sided p of the mean delta under 'the sign of each delta is a coin flip' (exact up to 2^20)."""
    d = np.asarray(deltas)
    observed = abs(d.mean()) - 1e-12
    if len(d) <= max_exact:
        signs = np.array(list(itertools.product((1, -1), repeat=len(d))))
    else:
        signs = np.random.default_rng(0).choice((1, -1), size=(samples, len(d)))
    return float(np.mean(np.abs(signs @ d / len(d)) >= observed))


def sign_test_p(wins: int, n: int) -> float:
    """Exact two-sided binomial test of `wins` out of `n` against 1/2 (ties counted as losses)."""
    k = min(wins, n - wins)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


def bootstrap_ci(deltas: list[float], samples: int = 20_000) -> tuple[float, float]:
    d = np.asarray(deltas)
    means = d[np.random.default_rng(0).integers(0, len(d), size=(samples, len(d)))].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise(pairs: list[dict], metric: str) -> dict:
    deltas = [p[f"hocslm_{metric}"] - p[f"hglnet_{metric}"] for p in pairs]
    sd = statistics.stdev(deltas) if len(deltas) > 1 else 0.0
    wins = sum(d > 0 for d in deltas)
    return {"n": len(deltas), "hglnet_mean": statistics.mean(p[f"hglnet_{metric}"] for p in pairs),
            "hocslm_mean": statistics.mean(p[f"hocslm_{metric}"] for p in pairs),
            "delta_mean": statistics.mean(deltas), "delta_sd": sd, "delta_se": sd / math.sqrt(len(deltas)),
            "delta_ci95_bootstrap": bootstrap_ci(deltas), "wins": wins,
            "p_sign_flip": sign_flip_p(deltas), "p_sign_test": sign_test_p(wins, len(deltas))}


def pct(x: float) -> str:
    return f"{100 * x:+.2f}"


def write(name: str, tags: list[str], pairs: list[dict], summary: dict, stream: str = "joint") -> None:
    commit = head_commit()
    meta = {"command": "python -m experiments.slm_seed_pool " + " ".join(sys.argv[1:]), "commit": commit,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "studies": tags, "stream": stream}
    out = RESULTS / f"slm_pooled_{name}"
    out.with_suffix(".json").write_text(json.dumps({**meta, "pairs": pairs, "summary": summary}, indent=1))
    what = "4-stream ensemble" if stream == "ensemble" else f"{stream.replace('_', '-')} stream"
    header = " | ".join(f"HGLNet {COLUMN[m]} | HocSLM {COLUMN[m]} | delta" for m in metrics(stream))
    lines = [f"# HocSLM vs HGLNet, {what}: {len(pairs)} paired runs pooled from {len(tags)} seed studies", "",
             f"- command: `{meta['command']}`", f"- commit: {commit}; date: {meta['date']}",
             f"- studies: {', '.join(f'[slm_{t}.md](slm_{t}.md)' for t in tags)} (schedule, settings and "
             "per-epoch curves there)", "",
             f"| study | commit | seed | {header} |", "|---|---|---|" + "---|---|---|" * len(metrics(stream))]
    for p in pairs:
        cells = []
        for m in metrics(stream):
            h, s = p[f"hglnet_{m}"], p[f"hocslm_{m}"]
            cells += [f"{100 * h:.2f}", f"{100 * s:.2f}", pct(s - h)]
        lines.append(f"| {p['study']} | {p['commit']} | {p['seed']} | " + " | ".join(cells) + " |")
    lines += ["", "| top-1 at | pairs | HGLNet | HocSLM | delta (points) | SD | SE | bootstrap 95 % | "
              "HocSLM better | p (sign flip) | p (sign test) |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for m, label in metrics(stream).items():
        s = summary[m]
        lo, hi = s["delta_ci95_bootstrap"]
        lines.append(f"| {label} | {s['n']} | {100 * s['hglnet_mean']:.2f} | {100 * s['hocslm_mean']:.2f} | "
                     f"{pct(s['delta_mean'])} | {100 * s['delta_sd']:.2f} | {100 * s['delta_se']:.2f} | "
                     f"[{pct(lo)}, {pct(hi)}] | {s['wins']}/{s['n']} | {s['p_sign_flip']:.3f} | {s['p_sign_test']:.3f} |")
    text = "\n".join(lines) + "\n"
    out.with_suffix(".md").write_text(text + handwritten_notes(out.with_suffix(".md")))
    print(text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tags", nargs="+", help="tags of slm_benchmark.py studies (experiments/results/slm_<tag>.json)")
    p.add_argument("--name", required=True, help="names the results: slm_pooled_<name>.{md,json}")
    p.add_argument("--stream", choices=STREAMS, default="joint",
                   help="which runs to pair: a stream, or the 4-stream ensembles")
    a = p.parse_args()
    pairs = load_pairs(a.tags, a.stream)
    if len(pairs) < 2:
        raise SystemExit(f"{len(pairs)} paired run(s) of the {a.stream} stream in {a.tags}: nothing to pool")
    write(a.name, a.tags, pairs, {m: summarise(pairs, m) for m in metrics(a.stream)}, a.stream)


if __name__ == "__main__":
    main()
