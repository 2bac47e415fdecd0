"""Why the cited set beats top-k motion energy by little on some datasets: the headroom left.

    python -m experiments.attribution_headroom --run utd-mhad-whole-e80 [--run nw-ucla-whole ...]

Reads the per-sequence rows of a kept ``experiments.attribution_benchmark`` run
(``experiments/results/attribution_runs/<run>.json``, with the joint sets of each explainer) and
writes ``experiments/results/attribution_headroom.md``: per run and per predicted class, how much
of the predicted class's probability the motion-energy set already removes, how much is left for
any explainer (no set can drop the probability by more than the probability itself, so
``base - motion`` bounds what any explainer can gain over motion energy), and how often the cited
set *is* the motion-energy set. The numbers are read from the benchmark's own measurements; no
model is run here.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from actlm.data import nwucla, utdmhad

from .run_archive import head_commit

RESULTS = Path(__file__).parent / "results"
RUNS = RESULTS / "attribution_runs"
CLASSES = {"utd-mhad": utdmhad.CLASSES, "nw-ucla": nwucla.CLASSES}
#: motion energy's set "already removes nearly all" of the probability when it leaves less than this share
NEARLY_ALL = 0.10


def sequence_headroom(row: dict) -> dict:
    """One sequence's numbers: the gain of the cited set over motion energy, the largest gain any
    set could have (``base - motion``: the cited drop cannot exceed the probability), and whether
    the two explainers froze the same joints."""
    base, cited, motion = row["base"], row["frozen"]["cited"], row["frozen"]["motion"]
    joints = row["joints"]
    a, b = set(joints["cited"]), set(joints["motion"])
    return {"base": base, "cited": cited, "motion": motion, "gain": cited - motion, "headroom": base - motion,
            "same_set": a == b, "overlap": len(a & b) / len(a | b) if a | b else 1.0,
            "motion_nearly_all": base - motion < NEARLY_ALL * base}


def summarise_group(rows: list[dict]) -> dict:
    """Means over a group of sequences (each from :func:`sequence_headroom`)."""
    hs = [sequence_headroom(r) for r in rows]

    def mean(key: str) -> float:
        return float(np.mean([h[key] for h in hs]))

    headroom = mean("headroom")
    return {"n": len(rows), "base": mean("base"), "motion": mean("motion"), "cited": mean("cited"),
            "gain": mean("gain"), "headroom": headroom,
            "captured": mean("gain") / headroom if headroom > 0 else float("nan"),
            "same_set": mean("same_set"), "overlap": mean("overlap"), "motion_nearly_all": mean("motion_nearly_all")}


def by_class(rows: list[dict], classes: tuple[str, ...]) -> list[tuple[str, dict]]:
    """:func:`summarise_group` per predicted class, the smallest gain over motion energy first."""
    groups: dict[int, list[dict]] = {}
    for r in rows:
        groups.setdefault(int(r["target"]), []).append(r)
    out = [(classes[t] if t < len(classes) else str(t), summarise_group(g)) for t, g in groups.items()]
    return sorted(out, key=lambda kv: kv[1]["gain"])


def by_cited(rows: list[dict], top: int = 6) -> list[tuple[str, dict]]:
    """:func:`summarise_group` per cited set, the most frequent first."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault("+".join(r["cited"]), []).append(r)
    return sorted(((k, summarise_group(g)) for k, g in groups.items()), key=lambda kv: -kv[1]["n"])[:top]


def row_line(name: str, s: dict) -> str:
    return (f"| {name} | {s['n']} | {s['base']:.3f} | {s['motion']:.3f} | {s['cited']:.3f} | {s['gain']:+.3f} | "
            f"{s['headroom']:.3f} | {s['captured']:.0%} | {s['same_set']:.0%} | {s['overlap']:.2f} | "
            f"{s['motion_nearly_all']:.0%} |")


HEADER = ["| group | sequences | probability of its class | motion-energy drop | cited drop | cited minus motion "
          "| headroom (probability minus motion drop) | headroom taken | same joints as motion | joint overlap "
          f"(Jaccard) | motion leaves < {NEARLY_ALL:.0%} |", "|---" * 11 + "|"]


def report(run: dict, name: str) -> list[str]:
    rows = run["rows"]
    if not rows or "joints" not in rows[0]:
        raise SystemExit(f"{name}: its rows have no joint sets (a run before the joint sets were kept): run it again")
    classes = CLASSES.get(run["dataset"], ())
    lines = [f"## {name}: {run['dataset']} {run['split']}, {len(rows)} sequences, criterion {run['criterion']}", "",
             f"- the run: `{run['command']}` (commit {run['commit']}, {run['date']}); encoder {run['checkpoint']}", "",
             *HEADER, row_line("**all**", summarise_group(rows)), "", "Per cited set (most frequent):", "", *HEADER]
    lines += [row_line(k, s) for k, s in by_cited(rows)]
    lines += ["", "Per predicted class (smallest gain over motion energy first):", "", *HEADER]
    lines += [row_line(k, s) for k, s in by_class(rows, classes)]
    return lines + [""]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", action="append", required=True, help="a kept run's name (repeatable)")
    a = p.parse_args()
    lines = ["# Headroom of the cited set over top-k motion energy", "",
             "Generated by `experiments/attribution_headroom.py` (see its docstring) from the per-sequence rows of "
             "`experiments/attribution_benchmark.py` runs; every number is a frozen probability drop measured there.",
             "", f"- command: `python -m experiments.attribution_headroom {' '.join(sys.argv[1:])}`",
             f"- commit {head_commit()}, {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", ""]
    for name in a.run:
        lines += report(json.loads((RUNS / f"{name}.json").read_text()), name)
    (RESULTS / "attribution_headroom.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
