"""Supervised NW-UCLA joint stream: does aligning to written (PURLS, GPT-3) class descriptions help?

HocSLM with ``language.class_descriptions=purls`` (class texts: the PURLS name, global, part- and
phase-level sentences, averaged) against the same-seed runs of slm_e20seeds (HocSLM with the
kinematic describer's class texts, and HGLNet alone), archived in
experiments/results/slm_e20seeds_runs/: same recipe (nw-ucla/hocslm_joint, 20 epochs, warm-up 2),
only the class texts differ. Trains the missing PURLS runs, then writes
experiments/results/slm_e20purls.{md,json}.

    python -m experiments.purls_supervised --seeds 4 5 --threads 1
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from experiments.run_archive import RESULTS, head_commit, no_archived_runs
from experiments.slm_benchmark import mean_spread, paired_delta

ARCHIVE = RESULTS / "slm_e20seeds_runs"
RUNS = Path("runs/slm_e20purls")


def train(seed: int, threads: int) -> Path:
    run = RUNS / f"hocslm_joint_s{seed}"
    if not (run / "eval.json").exists():
        subprocess.run(["actlm", "train", "nw-ucla/hocslm_joint", "train.epochs=20", "schedule.warmup_epochs=2",
                        f"train.seed={seed}", f"train.threads={threads}", "language.class_descriptions=purls",
                        f"train.work_dir={run}"], check=True)
    return run


def top1s(run: Path) -> dict[str, float]:
    """Best test top-1 over the epochs and the mean of the last three (the steadier number)."""
    curve = [row["test_top1"] for row in json.loads((run / "metrics.json").read_text()) if "test_top1" in row]
    return {"best_top1": max(curve), "last3_top1": sum(curve[-3:]) / len(curve[-3:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[4, 5])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--collect", action="store_true")
    args = parser.parse_args()
    runs: dict[str, dict[int, dict[str, float]]] = {"hocslm_purls": {}, "hocslm_kinematic": {}, "hglnet": {}}
    if not ARCHIVE.is_dir():
        raise no_archived_runs(ARCHIVE)
    for seed in args.seeds:
        run = RUNS / f"hocslm_joint_s{seed}" if args.collect else train(seed, args.threads)
        if not (run / "metrics.json").exists():
            continue
        runs["hocslm_purls"][seed] = top1s(run)
        runs["hocslm_kinematic"][seed] = top1s(ARCHIVE / f"hocslm_joint_s{seed}")
        runs["hglnet"][seed] = top1s(ARCHIVE / f"hglnet_joint_s{seed}")
    seeds = sorted(runs["hocslm_purls"])
    study = {metric: {**{name: mean_spread([r[s][metric] for s in seeds]) for name, r in runs.items()},
                      "purls_minus_kinematic": paired_delta({s: runs["hocslm_purls"][s][metric] - runs["hocslm_kinematic"][s][metric] for s in seeds}),
                      "purls_minus_hglnet": paired_delta({s: runs["hocslm_purls"][s][metric] - runs["hglnet"][s][metric] for s in seeds})}
             for metric in ("best_top1", "last3_top1")} if seeds else {}
    command = "python -m experiments.purls_supervised " + " ".join(sys.argv[1:])
    payload = {"command": command, "commit": head_commit(), "date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
               "seeds": seeds, "runs": {k: {str(s): v for s, v in r.items()} for k, r in runs.items()}, "study": study}
    (RESULTS / "slm_e20purls.json").write_text(json.dumps(payload, indent=1))
    lines = ["# Supervised NW-UCLA joint stream: HocSLM aligned to the PURLS (GPT-3) class descriptions", "",
             f"`{command}` at commit {payload['commit']}, {payload['date']}. Recipe nw-ucla/hocslm_joint, 20 epochs, "
             "warm-up 2; same seeds as the archived slm_e20seeds runs (HocSLM with the kinematic describer's class "
             "texts; HGLNet alone), which differ only in the class texts.", "",
             "| seed | HocSLM + PURLS best / last-3 | HocSLM + kinematic best / last-3 | HGLNet best / last-3 |",
             "|---|---|---|---|"]
    for s in seeds:
        cells = [f"{runs[n][s]['best_top1']:.2%} / {runs[n][s]['last3_top1']:.2%}" for n in runs]
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    for metric, summary in study.items():
        for name in ("purls_minus_kinematic", "purls_minus_hglnet"):
            d = summary[name]
            lines.append(f"\n- {metric}, {name.replace('_', ' ')}: {d['mean']:+.2%} ± {d['std']:.2%} "
                         f"(per seed {', '.join(f'{x:+.2%}' for x in d['per_seed'])}; better in {d['wins']}/{len(d['per_seed'])})")
    (RESULTS / "slm_e20purls.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
