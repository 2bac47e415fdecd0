"""Supervised skeleton recognition: does aligning to written (PURLS, GPT-3) class descriptions help?

Same-seed pairs per dataset: HocSLM with ``language.class_descriptions=purls`` (class texts: the
PURLS name, global, part- and phase-level sentences, averaged) against HGLNet alone and HocSLM with
the kinematic describer's class texts, per stream (joint, bone) and for the two-stream ensemble
(the streams' best-epoch softmax scores summed, as ``actlm ensemble`` does).

- ``--dataset nw-ucla``: recipe nw-ucla/hocslm_joint, 20 epochs, warm-up 2; the HGLNet and
  kinematic-text runs are the archived slm_e20seeds runs (experiments/results/slm_e20seeds_runs/),
  which differ only in the class texts. Writes experiments/results/slm_e20purls.{md,json}.
- ``--dataset utd-mhad``: recipes utd-mhad/hglnet_joint and utd-mhad/hocslm_joint (the shipped
  80 epochs shortened to 40, warm-up 3, one CPU thread: ~10 min per run); trains every model.
  Writes experiments/results/slm_utd_purls.{md,json}.
- ``--epochs N``: the study on another schedule (runs and results get an ``_e<N>`` suffix).

Runs missing here are trained first, one after the other (start one process per seed to use two
cores, then ``--collect`` to tabulate what has finished); finished runs' small files are archived
in experiments/results/<results stem>_runs/.

    python -m experiments.purls_supervised --dataset nw-ucla --seeds 4 5 --streams joint bone
    python -m experiments.purls_supervised --dataset utd-mhad --seeds 1 2 --streams joint bone
    python -m experiments.purls_supervised --dataset utd-mhad --epochs 80 --seeds 1 --models hglnet
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from actlm.engine.ensemble import ensemble

from experiments.run_archive import RESULTS, archive, head_commit, no_archived_runs, restore
from experiments.slm_benchmark import mean_spread, paired_delta

SMALL_FILES = ("config.yaml", "eval.json", "metrics.json", "test_scores.npz")


# What distinguishes the models of a study, on top of their config (``<dataset>/<hocslm|hglnet>_joint``)
MODEL_OVERRIDES = {"hocslm_purls": ["language.class_descriptions=purls"],
                   "hocslm_kinematic": ["language.class_descriptions=null"],  # the describer's class texts
                   "hglnet": []}


@dataclass(frozen=True)
class Study:
    """Where one dataset's runs live and how they are trained."""

    dataset: str
    epochs: int
    warmup: int
    runs: Path                      # runs trained by this script
    tag: str                        # results file stem
    trained: tuple[str, ...]        # models this script trains
    archived: dict[str, Path] = field(default_factory=dict)   # model -> folder of archived runs

    def models(self) -> list[str]:
        return [*self.trained, *(m for m in self.archived if m not in self.trained)]

    def run_dir(self, model: str, stream: str, seed: int) -> Path:
        if model in self.archived:  # archived runs are named <hocslm|hglnet>_<stream>_s<seed>
            return self.archived[model] / f"{model.split('_')[0]}_{stream}_s{seed}"
        return self.runs / f"{model}_{stream}_s{seed}"

    def train_command(self, model: str, stream: str, seed: int, threads: int) -> list[str]:
        config = f"{self.dataset}/{'hocslm' if model.startswith('hocslm') else 'hglnet'}_joint"
        return ["actlm", "train", config, f"data.stream={stream}", f"train.epochs={self.epochs}",
                f"schedule.warmup_epochs={self.warmup}", f"train.seed={seed}", f"train.threads={threads}",
                f"train.work_dir={self.run_dir(model, stream, seed)}", *MODEL_OVERRIDES[model]]


STUDIES = {
    "nw-ucla": Study("nw-ucla", 20, 2, Path("runs/slm_e20purls"), "slm_e20purls", ("hocslm_purls",),
                     {"hglnet": RESULTS / "slm_e20seeds_runs", "hocslm_kinematic": RESULTS / "slm_e20seeds_runs"}),
    "utd-mhad": Study("utd-mhad", 40, 3, Path("runs/slm_utd_purls"), "slm_utd_purls",
                      ("hocslm_purls", "hglnet", "hocslm_kinematic")),
}


def train_missing(study: Study, models: list[str], streams: list[str], seeds: list[int], threads: int) -> None:
    archive_dir = RESULTS / f"{study.tag}_runs"
    for seed in seeds:
        for stream in streams:
            for model in (m for m in models if m in study.trained):
                run = study.run_dir(model, stream, seed)
                restore(run, archive_dir / run.name, SMALL_FILES)
                if not (run / "eval.json").exists():
                    command = study.train_command(model, stream, seed, threads)
                    if (run / "last").exists():  # interrupted: go on from its last epoch
                        command[2:2] = ["--resume", str(run)]
                    subprocess.run(command, check=True)
                archive(run, archive_dir / run.name, SMALL_FILES)


def top1s(run: Path) -> dict[str, float]:
    """Best test top-1 over the epochs and the mean of the last three (the steadier number)."""
    curve = [row["test_top1"] for row in json.loads((run / "metrics.json").read_text()) if "test_top1" in row]
    return {"best_top1": max(curve), "last3_top1": sum(curve[-3:]) / len(curve[-3:])}


def collect(study: Study, models: list[str], streams: list[str], seeds: list[int]) -> dict[str, dict[int, dict[str, float]]]:
    """model -> seed -> {<stream>_best_top1, <stream>_last3_top1, ensemble_top1}, for the seeds where
    every model finished every stream."""
    results: dict[str, dict[int, dict[str, float]]] = {m: {} for m in models}
    for seed in seeds:
        runs = {m: {s: study.run_dir(m, s, seed) for s in streams} for m in models}
        if not all((r / "eval.json").exists() for by_stream in runs.values() for r in by_stream.values()):
            continue
        for model, by_stream in runs.items():
            row = {f"{s}_{k}": v for s, r in by_stream.items() for k, v in top1s(r).items()}
            if len(streams) > 1:
                row["ensemble_top1"] = ensemble([str(r) for r in by_stream.values()])["top1"]
            results[model][seed] = row
    return results


def write_results(study: Study, streams: list[str], results: dict[str, dict[int, dict[str, float]]]) -> None:
    seeds = sorted(results["hocslm_purls"])
    metrics = list(results["hocslm_purls"][seeds[0]]) if seeds else []
    others = [m for m in results if m != "hocslm_purls"]
    study_numbers = {metric: {**{m: mean_spread([results[m][s][metric] for s in seeds]) for m in results},
                              **{f"purls_minus_{o}": paired_delta({s: results["hocslm_purls"][s][metric] - results[o][s][metric]
                                                                   for s in seeds}) for o in others}}
                     for metric in metrics}
    command = "python -m experiments.purls_supervised " + " ".join(sys.argv[1:])
    payload = {"command": command, "commit": head_commit(), "date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
               "dataset": study.dataset, "epochs": study.epochs, "streams": streams, "seeds": seeds,
               "runs": {m: {str(s): v for s, v in r.items()} for m, r in results.items()}, "study": study_numbers}
    (RESULTS / f"{study.tag}.json").write_text(json.dumps(payload, indent=1))
    title = {"nw-ucla": "NW-UCLA cross-view", "utd-mhad": "UTD-MHAD cross-subject"}.get(study.dataset, study.dataset)
    lines = [f"# Supervised {title}: HocSLM aligned to the PURLS (GPT-3) class descriptions vs "
             + " vs ".join(others), "",
             f"`{command}` at commit {payload['commit']}, {payload['date']}. {study.epochs} epochs, warm-up {study.warmup}, "
             "same seeds for every model (the runs differ only in the model or the class texts)"
             + (f"; the ensemble sums the {' and '.join(streams)} streams' best-epoch softmax scores." if len(streams) > 1 else
                f"; {streams[0]} stream."), "",
             "| seed | metric | " + " | ".join(results) + " |", "|---|---|" + "---|" * len(results)]
    for s in seeds:
        for metric in metrics:
            lines.append(f"| {s} | {metric} | " + " | ".join(f"{results[m][s][metric]:.2%}" for m in results) + " |")
    lines.append("")
    for metric, summary in study_numbers.items():
        for o in others:
            d = summary[f"purls_minus_{o}"]
            lines.append(f"- {metric}, purls minus {o}: {d['mean']:+.2%} ± {d['std']:.2%} (per seed "
                         f"{', '.join(f'{x:+.2%}' for x in d['per_seed'])}; better in {d['wins']}/{len(d['per_seed'])})")
    (RESULTS / f"{study.tag}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=sorted(STUDIES), default="nw-ucla")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="default: 4 5 on nw-ucla, 1 2 on utd-mhad")
    parser.add_argument("--streams", nargs="+", default=["joint"], choices=["joint", "bone", "joint_motion", "bone_motion"])
    parser.add_argument("--models", nargs="+", default=None,
                        help="train only these of the study's models (default: all); the tables always pair "
                             "hocslm_purls with the others named")
    parser.add_argument("--epochs", type=int, default=None,
                        help="another schedule than the study's (its runs and results get an _e<N> suffix)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--collect", action="store_true", help="train nothing; tabulate the finished runs")
    args = parser.parse_args()
    study = STUDIES[args.dataset]
    if args.epochs and args.epochs != study.epochs:
        study = replace(study, epochs=args.epochs, runs=Path(f"{study.runs}_e{args.epochs}"),
                        tag=f"{study.tag}_e{args.epochs}", archived={})
    seeds = args.seeds or ([4, 5] if args.dataset == "nw-ucla" else [1, 2])
    for folder in study.archived.values():
        if not folder.is_dir():
            raise no_archived_runs(folder)
    chosen = args.models or study.models()
    unknown = set(chosen) - set(study.models())
    if unknown:
        parser.error(f"{args.dataset} has no model {', '.join(sorted(unknown))}; its models: {', '.join(study.models())}")
    if not args.collect:   # only the models named: two processes may share a study without sharing a run
        train_missing(study, chosen, args.streams, seeds, args.threads)
    results = collect(study, ["hocslm_purls", *(m for m in chosen if m != "hocslm_purls")], args.streams, seeds)
    if results["hocslm_purls"]:
        write_results(study, args.streams, results)
    else:
        print("no seed has every run finished yet")


if __name__ == "__main__":
    main()
