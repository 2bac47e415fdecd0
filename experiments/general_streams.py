"""A bone-stream member for the general model: the shipped joint ensemble, the bone run alone, and both together.

    python -m experiments.general_streams --bone runs/general_bone_e45/last \
        [--shipped actlm/checkpoints/general-2d] [--out runs/general_streams]

The shipped checkpoint averages two seeds of one joint-stream recipe. A run of the same recipe on the
bone stream (``actlm train general/hocslm_2d data.stream=bone``) joins it through ``save_ensemble``,
which rebuilds it to compute its bones from the joints (one input for every member). This script
writes that 3-member checkpoint to ``--out`` and scores, from one pass over the general test split
(each dataset's standard test split, the front view the shipped model is measured on), every member's
logits and these combinations (mean of the members' class probabilities): the shipped ensemble, each
member alone, joint seed 1 + bone, and all three. Per source dataset: top-1 among all 59 classes and
among the dataset's own classes (experiments/general_benchmark.py's scoring), and the merged top-1.
Results: experiments/results/general_streams.{md,json} (command, commit, date).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from .general_benchmark import DEFAULT, OWN_MODELS, RESULTS, scores_by_source
from .general_zeroshot import commit

#: the combinations scored: name -> member positions in the 3-member checkpoint (joint seed 1, joint seed 2, bone)
COMBINATIONS = {"shipped (joint seeds 1+2)": (0, 1), "joint seed 1": (0,), "joint seed 2": (1,), "bone": (2,),
                "joint seed 1 + bone": (0, 2), "joint seeds 1+2 + bone": (0, 1, 2)}


def member_log_probs(checkpoint: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each member's log class probabilities (M, N, K) on the general test split, the labels (N) and
    each sample's source dataset (N)."""
    from torch.utils.data import DataLoader

    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint

    model, meta = load_checkpoint(checkpoint)
    test = load("general", split="test")
    loader = DataLoader(SkeletonDataset(test, meta.test_pipeline), batch_size=128)
    parts, labels, index = [], [], []
    with torch.no_grad():
        for x, y, i in loader:
            parts.append(model.member_logits(x).log_softmax(-1))
            labels.append(y)
            index.append(i)
    sources = np.array([test.meta(int(i))["source"] for i in torch.cat(index)])
    return torch.cat(parts, dim=1).numpy(), torch.cat(labels).numpy(), sources


def combined(log_probs: np.ndarray, members: tuple[int, ...]) -> np.ndarray:
    """Log of the chosen members' mean class probability (N, K), as SeedEnsemble answers."""
    chosen = torch.from_numpy(log_probs[list(members)])
    return (torch.logsumexp(chosen, dim=0) - np.log(len(members))).numpy()


def score(log_probs: np.ndarray, labels: np.ndarray, sources: np.ndarray) -> dict[str, dict]:
    out = {}
    for name, members in COMBINATIONS.items():
        logits = combined(log_probs, members)
        out[name] = {"members": list(members), "top1": float((logits.argmax(1) == labels).mean()),
                     "per_dataset": scores_by_source(logits, labels, sources)}
    return out


def write(results: dict) -> None:
    (RESULTS / "general_streams.json").write_text(json.dumps(results, indent=1))
    names = list(results["scores"])
    sources = list(results["scores"][names[0]]["per_dataset"])
    lines = ["# A bone-stream member for the general model", "",
             f"`{results['command']}` (commit {results['commit']}, {results['date']}, {results['seconds']:.0f} s). "
             f"Members: the shipped checkpoint's two joint-stream seeds ({results['shipped']}) and the bone-stream run "
             f"{results['bone']} (general/hocslm_2d with data.stream=bone, {results['bone_epochs']} epochs, final "
             f"epoch, no selection on test data), read from the same joint input (the bone member computes its "
             f"bones itself). Test: each dataset's standard test split, 2D front view "
             f"({results['n']} sequences). Combinations: the mean of the members' class probabilities.", "",
             "## Top-1 among the dataset's own classes (the README's per-dataset number)", "",
             "| dataset | n | " + " | ".join(names) + " | the dataset's own model |",
             "|---|---|" + "---|" * len(names) + "---|"]
    for source in sources:
        n = results["scores"][names[0]]["per_dataset"][source]["n"]
        own = OWN_MODELS.get(source, (None, ""))[0]
        lines.append(f"| {source} | {n} | " + " | ".join(
            f"{100 * results['scores'][k]['per_dataset'][source]['top1_own_classes']:.1f}" for k in names)
            + f" | {f'{own:.1f}' if own is not None else '-'} |")
    lines += ["", "## Top-1 among all 59 classes", "", "| dataset | " + " | ".join(names) + " |",
              "|---|" + "---|" * len(names)]
    for source in sources:
        lines.append(f"| {source} | " + " | ".join(
            f"{100 * results['scores'][k]['per_dataset'][source]['top1_all_classes']:.1f}" for k in names) + " |")
    lines.append("| merged test set | " + " | ".join(f"{100 * results['scores'][k]['top1']:.2f}" for k in names) + " |")
    lines += ["", "One test sequence is 100/n points: SBU 1.4, UTD-MHAD 0.23, NW-UCLA 0.22, MSRC-12 0.11, Penn Action 0.09.",
              "", results.get("decision", ""), ""]
    (RESULTS / "general_streams.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bone", type=Path, required=True, help="the bone-stream run's checkpoint (RUN/last)")
    p.add_argument("--shipped", type=Path, default=DEFAULT)
    p.add_argument("--out", type=Path, default=Path("runs/general_streams"), help="where the 3-member checkpoint goes")
    p.add_argument("--decision", default="", help="a closing line for the results file (what shipped and why)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    from actlm.engine.checkpoint import read_meta, save_ensemble

    start = time.perf_counter()
    save_ensemble([a.shipped, a.bone], a.out)
    log_probs, labels, sources = member_log_probs(a.out)
    results = {"command": "python -m experiments.general_streams " + " ".join(sys.argv[1:] if argv is None else argv),
               "commit": commit(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "shipped": str(a.shipped), "bone": str(a.bone), "bone_epochs": read_meta(a.bone).epoch,
               "n": int(len(labels)), "scores": score(log_probs, labels, sources), "decision": a.decision}
    results["seconds"] = time.perf_counter() - start
    write(results)
    print((RESULTS / "general_streams.md").read_text())


if __name__ == "__main__":
    main()
