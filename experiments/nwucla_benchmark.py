"""NW-UCLA cross-view benchmark of HGLNet: four streams trained with `actlm train`, fused with `actlm ensemble`.

    python -m experiments.nwucla_benchmark --seed 1 --parallel 1 --threads 2   # the shipped recipe, 160 epochs
    python -m experiments.nwucla_benchmark --collect          # only (re)write the results of finished runs
    python -m experiments.nwucla_benchmark --epochs 28 --parallel 4 --threads 1 --tag e28   # a short schedule
    python -m experiments.nwucla_benchmark --model hocslm --streams joint --tag t52 \
        --overrides data.train_pipeline.3.length=52 data.test_pipeline.1.length=52   # a variant

Runs go to runs/bench/nw-ucla_[<model>_]<stream>[_<tag>]_s<seed> (model named unless hglnet) (an interrupted run resumes from its last/);
results to experiments/results/nwucla[_<model>][_<tag>][_s<seed>].{md,json} (model named unless hglnet,
seed unless 1)
with the command, commit, date, per-epoch accuracy curves, single-stream and ensemble numbers.
The small files of every finished run (config, metrics, evaluation, test scores of the best and the
final epoch, launch records; no checkpoints) are archived in experiments/results/nwucla[_<tag>]_runs/
and restored from there: streams trained in different sessions or checkouts meet in one results
file and one ensemble, and a finished stream is never retrained.
"""
from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from experiments import run_archive
from experiments.run_archive import RESULTS, head_commit

STREAMS = ("joint", "bone", "joint_motion", "bone_motion")
WEIGHTS = (0.6, 0.6, 0.4, 0.4)  # the usual 4-stream fusion weights (CTR-GCN, InfoGCN)


def run_dir(stream: str, seed: int, tag: str = "", model: str = "hglnet") -> Path:
    prefix = "" if model == "hglnet" else model + "_"
    return Path("runs/bench") / f"nw-ucla_{prefix}{stream}{'_' + tag if tag else ''}_s{seed}"


ARCHIVED = ("config.yaml", "eval.json", "metrics.json", "test_scores.npz", "test_scores_last.npz")


def archive_root(tag: str = "") -> Path:
    return RESULTS / f"nwucla{'_' + tag if tag else ''}_runs"


def archive_dir(stream: str, seed: int, tag: str = "", model: str = "hglnet") -> Path:
    return archive_root(tag) / run_dir(stream, seed, tag, model).name


def archive(stream: str, a: argparse.Namespace) -> None:
    """Keep a finished stream's small result files (with the final epoch's test scores, which an
    archived run cannot recompute: it has no checkpoint) and its launch records with the results."""
    dest, run = archive_dir(stream, a.seed, a.tag, a.model), run_dir(stream, a.seed, a.tag, a.model)
    final_scores(run)
    run_archive.archive(run, dest, ARCHIVED)
    if launches_file(stream, a).exists():
        shutil.copy2(launches_file(stream, a), dest / "launches.jsonl")


def restore(stream: str, a: argparse.Namespace) -> None:
    run_archive.restore(run_dir(stream, a.seed, a.tag, a.model), archive_dir(stream, a.seed, a.tag, a.model), ARCHIVED)


def finished(stream: str, a: argparse.Namespace) -> bool:
    return (run_dir(stream, a.seed, a.tag, a.model) / "eval.json").exists()


def train_command(stream: str, a: argparse.Namespace) -> list[str]:
    run = run_dir(stream, a.seed, a.tag, a.model)
    return [sys.executable, "-m", "actlm", "train", f"nw-ucla/{a.model}_{stream}", f"train.epochs={a.epochs}",
            f"train.seed={a.seed}", f"train.threads={a.threads}", f"train.work_dir={run}",
            *(o.replace("{stream}", stream) for o in a.overrides),
            *(["--resume", str(run)] if (run / "last" / "config.json").exists() else [])]


def train_all(a: argparse.Namespace) -> dict[str, float]:
    """Train the streams not finished yet (here or in the archive), ``a.parallel`` at a time;
    returns wall seconds per stream."""
    for stream in a.streams:
        restore(stream, a)
    pending, running, wall = [s for s in a.streams if not finished(s, a)], {}, {}
    while pending or running:
        while pending and len(running) < a.parallel:
            stream = pending.pop(0)
            run_dir(stream, a.seed, a.tag, a.model).parent.mkdir(parents=True, exist_ok=True)
            log = open(run_dir(stream, a.seed, a.tag, a.model).with_suffix(".log"), "a")
            record_launch(stream, a)
            running[stream] = (subprocess.Popen(train_command(stream, a), stdout=log, stderr=subprocess.STDOUT), time.time())
        time.sleep(5)
        for stream, (proc, start) in list(running.items()):
            if proc.poll() is not None:
                if proc.returncode:
                    raise SystemExit(f"{stream} failed, see {run_dir(stream, a.seed, a.tag, a.model).with_suffix('.log')}")
                wall[stream] = time.time() - start
                archive(stream, a)
                del running[stream]
    return wall


def launches_file(stream: str, a: argparse.Namespace) -> Path:
    return run_dir(stream, a.seed, a.tag, a.model).with_suffix(".launches.jsonl")


def record_launch(stream: str, a: argparse.Namespace) -> None:
    """One line per (re)start of a stream's training: the code it runs and when, so a results file
    collected later, for streams trained in different sessions, names the right commit per stream."""
    with launches_file(stream, a).open("a") as f:
        f.write(json.dumps({"commit": head_commit(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            "command": shlex.join(sys.argv)}) + "\n")


def launches(stream: str, a: argparse.Namespace) -> list[dict]:
    path = launches_file(stream, a)
    if not path.exists():
        path = archive_dir(stream, a.seed, a.tag, a.model) / "launches.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


TIME_TARGETS = (0.90, 0.925, 0.945)   # 0.945: the joint-stream target, to be reached within 45 minutes


def minutes_to(curve: list[dict], targets: tuple[float, ...]) -> dict[str, dict[str, float] | None]:
    """Training minutes until the test top-1 first reaches each target: as measured (sum of the
    epoch times, which include any slowdown by other jobs on the host) and at the run's median
    epoch time (what the same run costs alone on the machine). Evaluation time not included."""
    times = [r["epoch_time_s"] for r in curve]
    median = sorted(times)[len(times) // 2]
    out = {}
    for target in targets:
        hit = next((i for i, r in enumerate(curve) if (r.get("test_top1") or 0) >= target), None)
        out[f"{target:.3f}"] = None if hit is None else {
            "epoch": hit + 1, "measured": round(sum(times[: hit + 1]) / 60, 1), "at_median_epoch": round((hit + 1) * median / 60, 1)}
    return out


def final_scores(run: Path) -> Path:
    """Test scores of the final epoch (run/last), written once by `actlm eval --save-scores`
    (an archived run has them but no checkpoint)."""
    path, last = run / "test_scores_last.npz", run / "last" / "model.safetensors"
    if not path.exists() or (last.exists() and path.stat().st_mtime < last.stat().st_mtime):
        subprocess.run([sys.executable, "-m", "actlm", "eval", str(run / "last"), "--json", "--save-scores", str(path)],
                       capture_output=True, check=True)
    return path


def collect(a: argparse.Namespace, wall: dict[str, float], trained_at: str | None) -> dict:
    """Every finished stream of this model, tag and seed (trained now, earlier here, or archived),
    whichever streams this invocation trained."""
    runs = {}
    for stream in STREAMS:
        restore(stream, a)
        d = run_dir(stream, a.seed, a.tag, a.model)
        if not finished(stream, a):
            continue
        archive(stream, a)
        ev = json.loads((d / "eval.json").read_text())
        curve = json.loads((d / "metrics.json").read_text())
        runs[stream] = {"top1": ev["top1"], "top5": ev["top5"], "best_epoch": ev["best_epoch"],
                        "final_top1": curve[-1].get("test_top1"), "epochs": len(curve),
                        "train_time_s": round(sum(r["epoch_time_s"] for r in curve), 1),
                        "wall_s": round(wall[stream], 1) if stream in wall else None, "per_class": ev["per_class"],
                        "launches": launches(stream, a),
                        "curve_top1": [round(r.get("test_top1", float("nan")), 4) for r in curve],
                        "minutes_to": minutes_to(curve, TIME_TARGETS), **raw_weights(curve)}
    done = [s for s in STREAMS if s in runs]
    ensembles = {}
    for name, members in (("joint+bone", ("joint", "bone")), ("4-stream", STREAMS)):
        if all(m in runs for m in members):
            weights = ",".join(str(WEIGHTS[STREAMS.index(m)]) for m in members)
            for epochs, sources in (("best", [run_dir(m, a.seed, a.tag, a.model) for m in members]),
                                    ("final", [final_scores(run_dir(m, a.seed, a.tag, a.model)) for m in members])):
                out = subprocess.run([sys.executable, "-m", "actlm", "ensemble", *map(str, sources),
                                      "--weights", weights, "--json"], capture_output=True, text=True, check=True).stdout
                rep = json.loads(out)
                ensembles[f"{name} ({epochs})"] = {"top1": rep["top1"], "top5": rep["top5"], "weights": weights}
    commit = head_commit()
    return {"command": "python -m experiments.nwucla_benchmark " + " ".join(
                f"--{k.replace('_', '-')} {' '.join(v) if isinstance(v, list) else v}" for k, v in vars(a).items()
                if k != "collect" and v not in ("", [])) + (" --collect" if a.collect else ""),
            "commit": commit, "trained_at_commit": trained_at or "not recorded (--collect)", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "protocol": "NW-UCLA cross-view: train views 1+2 (1020), test view 3 (464); top-1 of the best epoch "
                        "(as reported by CTR-GCN/InfoGCN) and of the final epoch",
            "model": a.model, "overrides": a.overrides, "seed": a.seed, "epochs": a.epochs, "streams": runs, "ensembles": ensembles, "completed": done}


def raw_weights(curve: list[dict]) -> dict[str, Any]:
    """A run with ``train.ema_decay`` evaluates its weight average; the raw weights' accuracy, logged
    next to it, is the paired baseline of the same run."""
    raw = [r.get("test_top1_raw") for r in curve]
    if not any(v is not None for v in raw):
        return {}
    best = max(range(len(raw)), key=lambda i: -1.0 if raw[i] is None else raw[i])
    return {"raw": {"top1": raw[best], "best_epoch": best + 1, "final_top1": raw[-1],
                    "curve_top1": [round(v, 4) if v is not None else float("nan") for v in raw]}}


def write_markdown(res: dict, path: Path) -> None:
    title = "HGLNet" if res.get("model", "hglnet") == "hglnet" else f"{res['model']} (HGLNet at inference)"
    lines = [f"# {title} on NW-UCLA (cross-view), trained on this 2-core CPU", "",
             f"- results collected with `{res['command']}` at commit {res['commit']}, date: {res['date']}; "
             "each stream's training commands and commits are listed below (streams may come from different sessions: "
             f"finished runs are archived in {RESULTS}/<results name>_runs/)",
             f"- protocol: {res['protocol']}", f"- seed {res['seed']}, {res['epochs']} epochs per stream", "",
             "| stream | best top-1 | best epoch | final top-1 | top-5 | train time (s) | trained at |",
             "|---|---|---|---|---|---|---|"]
    for stream, r in res["streams"].items():
        commits = ", ".join(dict.fromkeys(x["commit"] for x in r.get("launches", []))) or "not recorded"
        lines.append(f"| {stream} | {r['top1']:.2%} | {r['best_epoch']} | {r['final_top1']:.2%} | {r['top5']:.2%} "
                     f"| {r['train_time_s']} | {commits} |")
    for stream, r in res["streams"].items():
        if "raw" in r:
            lines.append(f"| {stream}, raw weights of the same run (the table above: their moving average) "
                         f"| {r['raw']['top1']:.2%} | {r['raw']['best_epoch']} | {r['raw']['final_top1']:.2%} | | | |")
    if res["ensembles"]:
        lines += ["", "Ensembles fuse the scores of each stream's best epoch (the CTR-GCN/InfoGCN protocol) or of its "
                  "final epoch.", "", "| ensemble | weights | top-1 | top-5 |", "|---|---|---|---|"]
        for name, e in res["ensembles"].items():
            lines.append(f"| {name} | {e['weights']} | {e['top1']:.2%} | {e['top5']:.2%} |")
    else:
        lines += ["", "No ensemble: it needs the joint and bone streams of this seed at least."]
    lines += ["", "Training minutes until the test top-1 first reaches a level (epoch; as measured / at the run's median "
              "epoch time, i.e. alone on the machine; evaluation not included):", "",
              "| stream | " + " | ".join(f"{float(t):.1%}" for t in next(iter(res["streams"].values()))["minutes_to"]) + " |",
              "|---|" + "---|" * len(TIME_TARGETS)]
    for stream, r in res["streams"].items():
        cells = ["not reached" if v is None else f"{v['epoch']}: {v['measured']} / {v['at_median_epoch']} min"
                 for v in r["minutes_to"].values()]
        lines.append(f"| {stream} | " + " | ".join(cells) + " |")
    commands = dict.fromkeys(x["command"] for r in res["streams"].values() for x in r.get("launches", []))
    if commands:
        lines += ["", "Training commands (every start or resume of a stream, from runs/bench/*.launches.jsonl):", ""]
        lines += [f"- `python {c}`" for c in commands]
    lines += ["", "Accuracy curves (test top-1 per epoch):", ""]
    for stream, r in res["streams"].items():
        lines.append(f"- {stream}: " + " ".join(f"{v:.3f}" for v in r["curve_top1"]))
        if "raw" in r:
            lines.append(f"- {stream}, raw weights: " + " ".join(f"{v:.3f}" for v in r["raw"]["curve_top1"]))
    path.write_text("\n".join(lines) + "\n" + run_archive.handwritten_notes(path))


def results_stem(model: str, tag: str, seed: int) -> str:
    """One results file per model, tag and seed (seed 1 unnamed, as before seeds were studied)."""
    return ("nwucla" + ("" if model == "hglnet" else f"_{model}") + (f"_{tag}" if tag else "")
            + ("" if seed == 1 else f"_s{seed}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=160)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=1, help="streams trained at the same time")
    parser.add_argument("--threads", type=int, default=2, help="torch threads per training process")
    parser.add_argument("--streams", nargs="+", choices=STREAMS, default=list(STREAMS))
    parser.add_argument("--tag", default="", help="names the runs and the results file (e.g. e60)")
    parser.add_argument("--model", choices=("hglnet", "hocslm"), default="hglnet",
                        help="config family nw-ucla/<model>_<stream> (hocslm: trained with the language losses)")
    parser.add_argument("--overrides", nargs="*", default=[], help="config overrides passed to every `actlm train`; {stream} is replaced by the stream's name "
                             "(e.g. 'data.train_pipeline=[..., {type: Stream, kind: {stream}}]')")
    parser.add_argument("--collect", action="store_true", help="only collect finished runs")
    a = parser.parse_args()
    trained_at = None if a.collect else head_commit()
    wall = {} if a.collect else train_all(a)
    res = collect(a, wall, trained_at)
    if not res["streams"]:   # nothing finished here and nothing archived: keep the results file as it is
        raise run_archive.no_archived_runs(archive_dir(a.streams[0], a.seed, a.tag, a.model).parent)
    out = RESULTS
    out.mkdir(parents=True, exist_ok=True)
    stem = results_stem(a.model, a.tag, a.seed)
    (out / f"{stem}.json").write_text(json.dumps(res, indent=1))
    write_markdown(res, out / f"{stem}.md")
    print((out / f"{stem}.md").read_text())


if __name__ == "__main__":
    main()
