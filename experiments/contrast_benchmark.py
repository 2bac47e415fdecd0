"""Is the runner-up contrast right about which class the measured motions favour? Over every close
call (runner-up >= 10 %) of a checkpoint on its test split:

- how many get a cue (a measured motion, or a missing one, separating the two classes' training
  sequences by CUE_GAP), and how many name a measured motion favouring the runner-up;
- the verdict ('the measured motions here favour X') against the truth: when it favours the
  runner-up, how often the runner-up is the true class; when it backs the prediction, how often
  the prediction is; and how many of the mistakes whose runner-up is the truth it flags;
- the same verdict counting absences as evidence too (the rule it replaced).

    python -m experiments.contrast_benchmark [--checkpoint actlm/checkpoints/nw-ucla-joint]

Model probabilities come from one batched pass; the facts and the contrast are the explainer's own
(``actlm.explain.contrast.contrastive_cue``) with the checkpoint's shipped fact profile. Writes
experiments/results/contrast.json and .md with command, commit and date.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from actlm import data as actlm_data
from actlm.data.loader import SkeletonDataset
from actlm.engine.trainer import predict
from actlm.explain.contrast import FAVOURS, contrastive_cue
from actlm.explain.evidence import CLOSE_CALL
from actlm.explain.explainer import Explainer
from actlm.explain.facts import MOTIONS, kinematic_facts, read_motion

from .run_archive import head_commit

RESULTS = Path(__file__).parent / "results"


def verdict(info: dict, with_absences: bool) -> str:
    """The verdict from the cue details: the strongest cue per motion, log-likelihood ratios summed."""
    best: dict[str, dict] = {}
    for cue in info["for_top"] + info["for_runner_up"]:
        if cue["present"] or with_absences:
            motion = cue["key"].split(":")[0]
            if motion not in best or abs(cue["log_ratio"]) > abs(best[motion]["log_ratio"]):
                best[motion] = cue
    balance = sum(c["log_ratio"] for c in best.values())
    return "top" if balance >= FAVOURS else "runner_up" if balance <= -FAVOURS else "neither"


def close_calls(ex: Explainer, dataset: str) -> list[dict]:
    test = actlm_data.load(dataset, split="test")
    loader = DataLoader(SkeletonDataset(test, ex.meta.test_pipeline), batch_size=64)
    logits, labels, index = predict(ex.model, loader, torch.device("cpu"))
    probs = torch.from_numpy(logits).softmax(1).numpy()
    rows = []
    for p, y, i in zip(probs, labels, index):
        order = np.argsort(-p)
        if p[order[1]] < CLOSE_CALL:
            continue
        s = test[int(i)]
        try:
            shown = kinematic_facts(s.data, ex.layout, max_facts=8)
            measured = kinematic_facts(s.data, ex.layout, max_facts=len(MOTIONS) * 3)
        except ValueError:
            continue
        top, runner = ex.classes[order[0]], ex.classes[order[1]]
        # as the explanation does: with the sides in doubt (mirrored), motions whichever side made them
        sides = not any(p.kind == "mirrored_sides" for p in read_motion(s.data, ex.layout, max_facts=8).problems)
        text, info = contrastive_cue(shown, top, runner, ex.profile, measured, sides)
        rows.append({"sample_id": s.sample_id, "truth": test.classes[y], "top": top, "runner_up": runner,
                     "cue": text, "info": info})
    return rows


def summarise(rows: list[dict]) -> dict:
    out = {"close_calls": len(rows), "with_cue": sum(r["cue"] is not None for r in rows),
           "naming_a_measured_motion_for_the_runner_up": sum(
               any(c["present"] for c in r["info"]["for_runner_up"]) for r in rows if r["info"]),
           "mistakes_whose_runner_up_is_the_truth": sum(r["top"] != r["truth"] == r["runner_up"] for r in rows)}
    for name, absences in (("measured_motions", False), ("with_absences", True)):
        said = [(verdict(r["info"], absences), r) for r in rows if r["info"]]
        runner = [r for v, r in said if v == "runner_up"]
        top = [r for v, r in said if v == "top"]
        out[name] = {"favours_runner_up": len(runner), "runner_up_is_truth": sum(r["runner_up"] == r["truth"] for r in runner),
                     "favours_prediction": len(top), "prediction_is_truth": sum(r["top"] == r["truth"] for r in top),
                     "mistakes_flagged": sum(r["top"] != r["truth"] == r["runner_up"] for r in runner)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", default="actlm/checkpoints/nw-ucla-joint")
    ap.add_argument("--dataset", default=None, help="default: the checkpoint's own")
    args = ap.parse_args()
    ex = Explainer(args.checkpoint)
    if ex.profile is None:
        sys.exit(f"{args.checkpoint}: no fact_profile.json (python -m experiments.make_fact_profile {args.checkpoint})")
    dataset = args.dataset or ex.meta.data_config.get("dataset") or ex.meta.dataset
    rows = close_calls(ex, dataset)
    report = {"command": "python -m experiments.contrast_benchmark " + " ".join(sys.argv[1:]), "commit": head_commit(),
              "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M+00:00"), "checkpoint": args.checkpoint,
              "dataset": dataset, **summarise(rows), "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "contrast.json").write_text(json.dumps(report, indent=1))
    (RESULTS / "contrast.md").write_text(markdown(report))
    print(markdown(report))


def markdown(r: dict) -> str:
    m, a = r["measured_motions"], r["with_absences"]
    return "\n".join([
        f"# Why not the runner-up: is the verdict right? ({r['dataset']} test, {Path(r['checkpoint']).name})", "",
        f"`{r['command']}` (commit {r['commit']}, {r['date']})", "",
        f"- close calls (runner-up >= {CLOSE_CALL:.0%}): {r['close_calls']}; with a cue: {r['with_cue']}; naming a measured "
        f"motion that favours the runner-up: {r['naming_a_measured_motion_for_the_runner_up']}",
        f"- mistakes whose runner-up is the true class: {r['mistakes_whose_runner_up_is_the_truth']}", "",
        "| verdict counts | favours the runner-up | ... the runner-up is the truth | backs the prediction | "
        "... the prediction is the truth | mistakes flagged |", "|---|---|---|---|---|---|",
        f"| measured motions (shipped) | {m['favours_runner_up']} | {m['runner_up_is_truth']} | {m['favours_prediction']} | "
        f"{m['prediction_is_truth']} | {m['mistakes_flagged']} |",
        f"| measured motions and absences | {a['favours_runner_up']} | {a['runner_up_is_truth']} | {a['favours_prediction']} | "
        f"{a['prediction_is_truth']} | {a['mistakes_flagged']} |", "",
        f"A verdict needs the separating measured motions to be {math.exp(FAVOURS):.0f} times likelier under one class "
        f"(one per motion, the classes' training shares from the checkpoint's fact_profile.json).", ""])


if __name__ == "__main__":
    main()
