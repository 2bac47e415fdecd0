"""HGLNet (joint stream) on UTD-MHAD, Penn Action and SBU Kinect Interaction: the shipped configs
trained and tabulated.

Trains the runs missing under runs/datasets/ (one after the other, one CPU thread each), then
writes experiments/results/datasets.{md,json} from every finished run: top-1 of the last and of
the best evaluation (every 5 epochs), epoch time, the weakest classes, and for SBU the mean over
its five folds (the protocol's number) at 40 epochs and at the shipped 100. Each run's launch
(command, start, commit) is appended to runs/datasets/launches.jsonl; runs launched before that
record existed keep the commit and start of the previous datasets.json.

    python -m experiments.datasets_benchmark --only sbu-fold2-e100 sbu-fold3-e100
    python -m experiments.datasets_benchmark --collect
"""
from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from experiments.run_archive import RESULTS, handwritten_notes, head_commit

RUNS_DIR = Path("runs/datasets")
LAUNCHES = RUNS_DIR / "launches.jsonl"


@dataclass(frozen=True)
class Run:
    folder: str          # under runs/datasets/
    config: str
    overrides: str       # besides train.threads=1 train.eval_every=5 train.work_dir=...
    protocol: str

    def command(self) -> str:
        return " ".join(["actlm", "train", self.config, "train.threads=1", *self.overrides.split(), "train.eval_every=5",
                         f"train.work_dir={RUNS_DIR / self.folder}"])


def _sbu_split(k: int) -> str:
    return "" if k == 1 else f"data.train_split=fold{k}_train data.test_split=fold{k}_test"


RUNS: dict[str, Run] = {
    "utd-mhad": Run("utd-mhad_hglnet_joint", "utd-mhad/hglnet_joint", "train.epochs=80",
                    "UTD-MHAD cross-subject (test: subjects 2,4,6,8)"),
    "penn-action": Run("penn-action_hglnet_joint", "penn-action/hglnet_joint", "train.epochs=15",
                       "Penn Action official split (test 1,068)"),
    **{f"sbu-fold{k}": Run(f"sbu_fold{k}", "sbu/hglnet_joint", f"train.epochs=40 {_sbu_split(k)}",
                           f"SBU fold {k}, 40 epochs") for k in range(1, 6)},
    **{f"sbu-fold{k}-e100": Run(f"sbu_fold{k}_e100", "sbu/hglnet_joint", _sbu_split(k),
                                f"SBU fold {k}, the shipped 100 epochs") for k in range(1, 6)},
}


def launch(key: str) -> None:
    run = RUNS[key]
    record = {"dataset": key, "command": run.command(), "commit": head_commit(),
              "started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")[:19]}
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    with LAUNCHES.open("a") as f:
        f.write(json.dumps(record) + "\n")
    subprocess.run(shlex.split(run.command()), check=True)


def launch_records() -> dict[str, dict]:
    """Each run's launch: the latest record in launches.jsonl, else the previous results file's."""
    records = {}
    previous = RESULTS / "datasets.json"
    if previous.exists():
        records = {r["dataset"]: {k: r[k] for k in ("commit", "started_utc")} for r in json.loads(previous.read_text())}
    if LAUNCHES.exists():
        for line in LAUNCHES.read_text().splitlines():
            record = json.loads(line)
            records[record["dataset"]] = record
    return records


def summarise(key: str, launch_record: dict) -> dict | None:
    run = RUNS[key]
    path = RUNS_DIR / run.folder
    if not (path / "eval.json").exists():
        return None
    metrics = json.loads((path / "metrics.json").read_text())
    evals = [m for m in metrics if "test_top1" in m]
    best = json.loads((path / "best" / "config.json").read_text())
    return {"dataset": key, "protocol": run.protocol, "config": run.config, "command": run.command(),
            "commit": launch_record.get("commit", "?"), "started_utc": launch_record.get("started_utc", "?"),
            "epochs_run": metrics[-1]["epoch"], "best_top1": best["metrics"]["top1"], "best_epoch": best["epoch"],
            "test_sequences": best["metrics"]["n"], "last_eval_top1": evals[-1]["test_top1"],
            "last_eval_epoch": evals[-1]["epoch"],
            "median_epoch_s": round(statistics.median(m["epoch_time_s"] for m in metrics), 1),
            "train_wall_minutes": round(sum(m["epoch_time_s"] for m in metrics) / 60, 1),
            "per_class_best": best["metrics"].get("per_class")}


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def sbu_means(rows: dict[str, dict]) -> list[str]:
    lines = []
    for suffix, what in (("", "40 epochs"), ("-e100", "the shipped 100 epochs")):
        folds = [rows[f"sbu-fold{k}{suffix}"] for k in range(1, 6) if f"sbu-fold{k}{suffix}" in rows]
        if folds:
            last = statistics.mean(r["last_eval_top1"] for r in folds)
            best = statistics.mean(r["best_top1"] for r in folds)
            lines.append(f"- SBU 5-fold, {what}: {len(folds)} of 5 folds run; mean top-1 last epoch {pct(last)}, "
                         f"best evaluation {pct(best)}" + ("" if len(folds) == 5 else " (not the protocol's number: folds missing)"))
    return lines


def write_results(rows: dict[str, dict]) -> None:
    (RESULTS / "datasets.json").write_text(json.dumps(list(rows.values()), indent=1))
    path = RESULTS / "datasets.md"
    lines = ["# HGLNet (joint stream) on UTD-MHAD, Penn Action and SBU Kinect Interaction", "",
             "`python -m experiments.datasets_benchmark` (each run's command, start and commit below). Seed 1, one CPU "
             "thread per run on the shared 2-core host (epoch times are wall-clock medians, other jobs shared the "
             "CPU). `best` is the best of the evaluations made every 5 epochs (the repository's convention, "
             "selected on the test split); `last` is the final epoch's, which no selection touches.", "",
             "| dataset / protocol | config | epochs | top-1 last | top-1 best (epoch) | test seq. | s / epoch | commit |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows.values():
        lines.append(f"| {r['protocol']} | `{r['config']}` | {r['epochs_run']} | {pct(r['last_eval_top1'])} | "
                     f"{pct(r['best_top1'])} ({r['best_epoch']}) | {r['test_sequences']} | {r['median_epoch_s']} | {r['commit']} |")
    lines += [""] + sbu_means(rows)
    lines += ["", "## Commands", ""] + [f"- `{r['command']}` (started {r['started_utc']} UTC, commit {r['commit']})"
                                        for r in rows.values()]
    lines += ["", "## Per-class (best checkpoint)", ""]
    for r in rows.values():
        worst = sorted((r.get("per_class_best") or {}).items(), key=lambda kv: kv[1])[:4]
        lines.append(f"- {r['dataset']}: weakest classes " + ", ".join(f"{k} {pct(v)}" for k, v in worst))
    path.write_text("\n".join(lines) + "\n" + handwritten_notes(path))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(RUNS), default=None, help="train only these runs")
    parser.add_argument("--collect", action="store_true", help="train nothing; tabulate the finished runs")
    args = parser.parse_args()
    if not args.collect:
        for key in args.only or RUNS:
            if not (RUNS_DIR / RUNS[key].folder / "eval.json").exists():
                launch(key)
    records = launch_records()
    rows = {key: row for key in RUNS if (row := summarise(key, records.get(key, {}))) is not None}
    write_results(rows)


if __name__ == "__main__":
    main()
