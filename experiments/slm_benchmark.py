"""HGLNet alone vs HocSLM (HGLNet + skeleton-language alignment) on NW-UCLA cross-view.

Same schedule, same seeds, same data; the only difference is the language section (kinematic
descriptions, frozen MiniLM). Joint stream over several seeds (mean, spread, paired delta), the
other three streams for the first seed (the first N with --ensemble-seeds N), and the 4-stream
ensembles of both (with a paired delta when there are several). Also the
text-matching accuracy of the HocSLM runs (class descriptions only, no classifier head).

    python -m experiments.slm_benchmark --epochs 10 --seeds 1 2 3 --parallel 2 --threads 1
    python -m experiments.slm_benchmark --epochs 10 --seeds 1 2 3 --collect   # only write results
    python -m experiments.slm_benchmark --epochs 20 --seeds 4 5 6 7 --ensemble-seeds 3 --tag e20seeds
        # every stream of seeds 4-6 (joint only for 7): the 4-stream ensemble over 3 paired seeds
    python -m experiments.slm_benchmark --epochs 20 --seeds 1 2 3 --joint-only --tag e20dt \
        --slm-overrides language.description_temperature=0.1     # a HocSLM variant, own runs/results

    python -m experiments.slm_benchmark --bench-tag t32va160 --seeds 1 2 3 --joint-only --collect
        # compare the full-recipe runs of `nwucla_benchmark.py --tag t32va160 [--model hocslm] --seed N`
        # (--slm-bench-tag T: the HocSLM runs of `--model hocslm --tag T`, a variant)

Runs go to runs/slm[_<tag>]/<model>_<stream>_s<seed>; results to experiments/results/slm[_<tag>].{md,json}.
With --bench-tag the runs are those of nwucla_benchmark.py (runs/bench/, archived in
nwucla_<tag>_runs/), trained there with its recipe; this script then only compares them
(results in slm_<bench tag>.{md,json}).
The small result files of every finished run (config, metrics, eval, test scores, text-matching
accuracy; no checkpoints, ~60 KB) are archived in experiments/results/slm[_<tag>]_runs/ and restored
from there, so a study larger than one session's compute continues in a fresh checkout.
Besides the best epoch (what papers report) the results give the mean of the last three epochs,
which moves less from seed to seed.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from experiments import nwucla_benchmark
from experiments import run_archive
from experiments.run_archive import RESULTS

STREAMS = ("joint", "bone", "joint_motion", "bone_motion")
WEIGHTS = "0.6,0.6,0.4,0.4"
MODELS = ("hglnet", "hocslm")


TAG = ""  # set from --tag: names the runs folder and the results files
BENCH_TAGS: dict[str, str] = {}  # from --bench-tag/--slm-bench-tag: model -> tag of its nwucla_benchmark.py runs


def run_dir(model: str, stream: str, seed: int) -> Path:
    if BENCH_TAGS:
        return nwucla_benchmark.run_dir(stream, seed, BENCH_TAGS[model], model)
    return Path(f"runs/slm{TAG}") / f"{model}_{stream}_s{seed}"


ARCHIVED = ("config.yaml", "eval.json", "metrics.json", "test_scores.npz", "test_scores_last.npz", "text_match.json")


def archive_dir(model: str, stream: str, seed: int) -> Path:
    if BENCH_TAGS:
        return nwucla_benchmark.archive_dir(stream, seed, BENCH_TAGS[model], model)
    return RESULTS / f"slm{TAG}_runs" / run_dir(model, stream, seed).name


def archive(model: str, stream: str, seed: int) -> None:
    """Keep a finished run's small result files (not its checkpoints) with the results."""
    run_archive.archive(run_dir(model, stream, seed), archive_dir(model, stream, seed), ARCHIVED)


def restore(model: str, stream: str, seed: int) -> None:
    """A run finished in an earlier checkout counts as finished here (nothing is retrained)."""
    run_archive.restore(run_dir(model, stream, seed), archive_dir(model, stream, seed), ARCHIVED)


def planned(a: argparse.Namespace) -> list[tuple[str, str, int]]:
    """Joint stream of every seed first (the seed study), then the other streams seed by seed."""
    jobs = [(m, "joint", s) for s in a.seeds for m in MODELS]
    if not a.joint_only:
        jobs += [(m, st, s) for s in ensemble_seeds(a) for st in STREAMS[1:] for m in MODELS]
    return jobs


def ensemble_seeds(a: argparse.Namespace) -> list[int]:
    """The seeds whose four streams are all trained: the first ``--ensemble-seeds`` of ``--seeds``."""
    return [] if a.joint_only else a.seeds[:a.ensemble_seeds]


def command(model: str, stream: str, seed: int, a: argparse.Namespace) -> list[str]:
    extra = a.slm_overrides if model == "hocslm" else []
    return [sys.executable, "-m", "actlm", "train", f"nw-ucla/{model}_{stream}", f"train.epochs={a.epochs}",
            f"schedule.warmup_epochs={a.warmup}", f"train.seed={seed}", f"train.threads={a.threads}",
            f"train.work_dir={run_dir(model, stream, seed)}", *extra]


def train_all(a: argparse.Namespace) -> None:
    for job in planned(a):
        restore(*job)
    pending = [j for j in planned(a) if not (run_dir(*j) / "eval.json").exists()]
    running: dict[tuple, subprocess.Popen] = {}
    while pending or running:
        while pending and len(running) < a.parallel:
            job = pending.pop(0)
            run_dir(*job).parent.mkdir(parents=True, exist_ok=True)
            resume = ["--resume", str(run_dir(*job))] if (run_dir(*job) / "last" / "config.json").exists() else []
            log = open(run_dir(*job).with_suffix(".log"), "a")
            running[job] = subprocess.Popen(command(*job, a) + resume, stdout=log, stderr=subprocess.STDOUT)
            print("started", *job, flush=True)
        time.sleep(5)
        for job, proc in list(running.items()):
            if proc.poll() is not None:
                print("finished", *job, "rc", proc.returncode, flush=True)
                if proc.returncode == 0:
                    archive(*job)
                del running[job]


def text_match_top1(model: str, stream: str, seed: int) -> float | None:
    """Text-matching top-1 of a HocSLM run, computed once (needs its checkpoint) and kept with it."""
    run = run_dir(model, stream, seed)
    cached = run / "text_match.json"
    if cached.exists():
        return json.loads(cached.read_text())["top1"]
    out = subprocess.run([sys.executable, "-m", "actlm", "eval", str(run), "--text-match", "--json"],
                         capture_output=True, text=True)
    if out.returncode:
        return None
    top1 = json.loads(out.stdout)["top1"]
    cached.write_text(json.dumps({"top1": top1}))
    archive(model, stream, seed)
    return top1


def ensemble_top1(runs: list[Path], scores: str = "test_scores.npz") -> float | None:
    """Top-1 of the weighted fusion of the runs' test scores: ``test_scores.npz`` (best epoch) or
    ``test_scores_last.npz`` (final epoch, written by nwucla_benchmark.py); None if one is missing."""
    if not all((r / scores).exists() for r in runs):
        return None
    out = subprocess.run([sys.executable, "-m", "actlm", "ensemble", *(str(r / scores) for r in runs),
                          "--weights", WEIGHTS, "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["top1"]


def collect(a: argparse.Namespace) -> dict:
    runs: dict[str, dict] = {}
    for model, stream, seed in planned(a):
        d = run_dir(model, stream, seed)
        restore(model, stream, seed)
        if not (d / "eval.json").exists():
            continue
        archive(model, stream, seed)
        history = json.loads((d / "metrics.json").read_text())
        runs[f"{model}_{stream}_s{seed}"] = run = {
            "model": model, "stream": stream, "seed": seed,
            "best_top1": json.loads((d / "eval.json").read_text())["top1"],
            "final_top1": history[-1]["test_top1"],
            "last3_top1": statistics.mean(h["test_top1"] for h in history[-3:]),
            "curve": [round(h["test_top1"], 4) for h in history],
            "train_samples_per_s": statistics.mean(h["samples_per_s"] for h in history)}
        if model == "hocslm":
            run["text_match_top1"] = text_match_top1(model, stream, seed)
    study = {metric: seed_study(runs, a.seeds, metric) for metric in ("best_top1", "last3_top1")}
    per_seed = {s: {m: ensemble_top1([run_dir(m, st, s) for st in STREAMS]) for m in MODELS}
                for s in ensemble_seeds(a)}
    first = a.seeds[0]
    final = {m: ensemble_top1([run_dir(m, st, first) for st in STREAMS], "test_scores_last.npz")
             for m in MODELS} if per_seed else {}
    return {"runs": runs, "joint_seed_study": study["best_top1"], "joint_seed_study_last3": study["last3_top1"],
            "ensemble_4stream": per_seed.get(first, {}), "ensemble_4stream_final": final,
            "ensemble_4stream_per_seed": {str(s): e for s, e in per_seed.items()},
            "ensemble_seed_study": ensemble_study(per_seed)}


def mean_spread(values: list[float]) -> dict:
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "n": len(values)}


def paired_delta(deltas: dict[int, float]) -> dict:
    """The same-seed deltas HocSLM - HGLNet: mean, spread, each seed's, and how many HocSLM wins."""
    d = list(deltas.values())
    return {"mean": statistics.mean(d), "std": statistics.stdev(d) if len(d) > 1 else 0.0,
            "per_seed": d, "seeds": list(deltas), "wins": sum(x > 0 for x in d)}


def ensemble_study(per_seed: dict[int, dict[str, float | None]]) -> dict:
    """Both models' 4-stream ensembles and their paired delta, over the seeds where both finished."""
    done = {s: e for s, e in per_seed.items() if all(e[m] is not None for m in MODELS)}
    if not done:
        return {}
    return {**{m: mean_spread([e[m] for e in done.values()]) for m in MODELS},
            "delta": paired_delta({s: e["hocslm"] - e["hglnet"] for s, e in done.items()})}


def seed_study(runs: dict[str, dict], seeds: list[int], metric: str) -> dict:
    """Mean and spread per model and the paired (same seed) delta HocSLM - HGLNet of one metric."""
    joint = {m: [runs[f"{m}_joint_s{s}"][metric] for s in seeds if f"{m}_joint_s{s}" in runs] for m in MODELS}
    deltas = {s: runs[f"hocslm_joint_s{s}"][metric] - runs[f"hglnet_joint_s{s}"][metric]
              for s in seeds if f"hocslm_joint_s{s}" in runs and f"hglnet_joint_s{s}" in runs}
    summary = {m: mean_spread(v) for m, v in joint.items() if v}
    if deltas:
        summary["delta"] = paired_delta(deltas)
    return summary


def study_lines(s: dict) -> list[str]:
    """A seed study as markdown bullets: each model's mean and spread, then the paired delta."""
    lines = [f"- {m}: mean {s[m]['mean']:.2%} ± {s[m]['std']:.2%} over {s[m]['n']} seeds" for m in MODELS if m in s]
    if "delta" in s:
        d = s["delta"]
        lines.append(f"- delta HocSLM - HGLNet: {d['mean']:+.2%} ± {d['std']:.2%} (per seed "
                     f"{', '.join(f'{x:+.2%}' for x in d['per_seed'])}; better in {d['wins']}/{len(d['per_seed'])})")
    return lines


def write(a: argparse.Namespace, result: dict) -> None:
    out = Path("experiments/results")
    commit = run_archive.head_commit()
    meta = {"command": "python -m experiments.slm_benchmark " + " ".join(sys.argv[1:]), "commit": commit,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "epochs": a.epochs,
            "seeds": a.seeds, "threads_per_run": a.threads, "parallel_runs": a.parallel}
    (out / f"slm{TAG}.json").write_text(json.dumps({**meta, **result}, indent=1))
    lines = ["# HGLNet vs HocSLM (HGLNet + skeleton-language alignment), NW-UCLA cross-view", "",
             f"- command: `{meta['command']}`", f"- commit: {commit}; date: {meta['date']}",
             f"- schedule: {schedule(a)}",
             f"- HocSLM: {hocslm_settings(a)}; inference = HGLNet alone", "",
             "| run | best top-1 | final top-1 | mean of last 3 | text-matching top-1 | train samples/s |",
             "|---|---|---|---|---|---|"]
    for name, r in result["runs"].items():
        tm = r.get("text_match_top1")
        lines.append(f"| {name} | {r['best_top1']:.2%} | {r['final_top1']:.2%} | {r['last3_top1']:.2%} | "
                     f"{'-' if tm is None else f'{tm:.2%}'} | {r['train_samples_per_s']:.1f} |")
    for title, s in (("best top-1", result["joint_seed_study"]), ("mean top-1 of the last 3 epochs",
                                                                   result["joint_seed_study_last3"])):
        lines += ["", f"## Joint stream, seed study ({title})", "", *study_lines(s)]
    for seed in ensemble_seeds(a):
        lines += ["", f"## Every stream and the 4-stream ensemble (seed {seed}, weights {WEIGHTS})", "",
                  "| stream (best epoch unless stated) | HGLNet top-1 | HocSLM top-1 | delta |", "|---|---|---|---|"]
        rows = [(st, *(result["runs"].get(f"{m}_{st}_s{seed}", {}).get("best_top1") for m in MODELS))
                for st in STREAMS]
        rows.append(("4-stream ensemble", *(result["ensemble_4stream_per_seed"][str(seed)][m] for m in MODELS)))
        if seed == a.seeds[0] and all(result["ensemble_4stream_final"].get(m) is not None for m in MODELS):
            rows.append(("4-stream ensemble, final epochs", *(result["ensemble_4stream_final"][m] for m in MODELS)))
        for name, h, sl in rows:
            delta = "-" if h is None or sl is None else f"{sl - h:+.2%}"
            lines.append(f"| {name} | {'not finished' if h is None else f'{h:.2%}'} | "
                         f"{'not finished' if sl is None else f'{sl:.2%}'} | {delta} |")
    e = result["ensemble_seed_study"]
    if e and len(ensemble_seeds(a)) > 1:
        lines += ["", f"## 4-stream ensemble, seed study (best epochs, seeds {e['delta']['seeds']})", "",
                  *study_lines(e)]
    lines += ["", f"Curves (test top-1 per epoch) are in slm{TAG}.json."]
    (out / f"slm{TAG}.md").write_text("\n".join(lines) + "\n" + run_archive.handwritten_notes(out / f"slm{TAG}.md"))
    print("\n".join(lines))


def schedule(a: argparse.Namespace) -> str:
    if not BENCH_TAGS:
        return (f"{a.epochs} epochs (cosine, warm-up {a.warmup}), batch 16, seeds {a.seeds}; "
                f"{a.parallel} runs in parallel at {a.threads} thread(s) each (2-core CPU)")
    train = run_config(a, "hglnet").train
    tags = " and ".join(f"`nwucla_benchmark.py{' --model hocslm' if m == 'hocslm' else ''} --tag {t}`"
                        for m, t in BENCH_TAGS.items())
    archives = ", ".join(sorted({str(nwucla_benchmark.archive_root(t)) for t in BENCH_TAGS.values()}))
    return (f"the runs of {tags} (each model and seed trained alone on the machine; commands and commits in "
            f"{archives}/*/launches.jsonl): "
            f"{train.epochs} epochs, batch {train.batch_size}, {train.threads} threads, seeds {a.seeds}")


def run_config(a: argparse.Namespace, model: str):
    """The config a finished joint-stream run of the first seed trained with."""
    from actlm.engine.config import load_config

    return load_config(run_dir(model, "joint", a.seeds[0]) / "config.yaml")


def hocslm_settings(a: argparse.Namespace) -> str:
    """The language section the HocSLM runs trained with (shipped config + --slm-overrides)."""
    from actlm.engine.config import load_config

    lang = (run_config(a, "hocslm") if BENCH_TAGS else load_config("nw-ucla/hocslm_joint", list(a.slm_overrides))).language
    w = lang.weights
    positives = ("same-class positives weighted by description similarity "
                 f"(temperature {lang.description_temperature})" if lang.description_temperature
                 else "every same-class description an equal positive")
    return (f"{lang.describer} descriptions (cached), {'fine-tuned' if lang.finetune_text else 'frozen'} "
            f"{lang.text_encoder} text encoder, loss weights contrastive {w.contrastive} / class text "
            f"{w.class_text} / fusion {w.fusion}, {positives}"
            + (f"; the recordings of one performance share one description (same {', '.join(lang.shared_by)})"
               if lang.shared_by else ""))


def main() -> None:
    global TAG
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--parallel", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--joint-only", action="store_true", help="only the joint-stream seed study")
    p.add_argument("--ensemble-seeds", type=int, default=1,
                   help="train all four streams for the first N seeds (a paired 4-stream ensemble study)")
    p.add_argument("--tag", default="", help="names the runs folder and results files (a variant)")
    p.add_argument("--slm-overrides", nargs="*", default=[], help="config overrides for the HocSLM runs only")
    p.add_argument("--bench-tag", default="", help="compare the runs of `nwucla_benchmark.py --tag BENCH_TAG` "
                   "(both models; trained by that script) instead of training")
    p.add_argument("--slm-bench-tag", default="", help="with --bench-tag: the HocSLM runs have this tag instead "
                   "(a HocSLM variant trained with nwucla_benchmark.py --overrides); names the results")
    p.add_argument("--collect", action="store_true", help="only collect finished runs")
    a = p.parse_args()
    if a.bench_tag:
        BENCH_TAGS.update(hglnet=a.bench_tag, hocslm=a.slm_bench_tag or a.bench_tag)
    TAG = f"_{a.slm_bench_tag or a.bench_tag or a.tag}" if a.slm_bench_tag or a.bench_tag or a.tag else ""
    if BENCH_TAGS and not a.collect:
        raise SystemExit(f"--bench-tag compares finished runs: train them with `python -m experiments.nwucla_benchmark "
                         f"--tag {a.bench_tag} [--model hocslm] --streams joint --seed N`, then add --collect")
    if not a.collect:
        train_all(a)
    results = collect(a)
    if not results["runs"]:   # nothing finished here and nothing archived: keep the results file as it is
        raise run_archive.no_archived_runs(RESULTS / f"slm{TAG}_runs")
    write(a, results)


if __name__ == "__main__":
    main()
