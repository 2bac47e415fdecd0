"""How much of a 4-stream NW-UCLA ensemble's top-1 is the luck of which runs were fused? Fuses
every combination of one archived run per stream (streams are trained independently, so a seed-2
joint run fused with seed-1 bone runs is as fair a draw as the all-seed-1 set) and reports each
combination and their mean and spread. Reads archived test scores; trains nothing.

    python -m experiments.ensemble_spread                       # the shipped recipe's runs
    python -m experiments.ensemble_spread --tag t32ctr_joint \\
        --stream 'joint=nwucla_t32ctr_runs/nw-ucla_joint_t32ctr_s*'   # another joint recipe
    python -m experiments.ensemble_spread --tag two_pipelines \\
        --extra 'ctr_joint=nwucla_t32ctr_runs/nw-ucla_joint_t32ctr_s*' --weights 0.6,0.6,0.4,0.4,0.6
                                                  # a fifth member fused with the four streams

Patterns are globs under experiments/results/; a stream not given keeps its default (the shipped
recipe's HGLNet runs). `--extra NAME=GLOB` adds a member to the four (e.g. the streams of another
input pipeline); `--weights` then lists one weight per member, the four streams first.
Results: experiments/results/ensemble_spread_<tag>.{md,json}.
"""
from __future__ import annotations

import argparse
import itertools
import json
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from actlm.engine.metrics import fuse_scores, topk_accuracy

from experiments.nwucla_errors import SCORE_FILES, archived_runs, load_scores
from experiments.run_archive import RESULTS, handwritten_notes, head_commit, no_archived_runs

STREAMS = ("joint", "bone", "joint_motion", "bone_motion")
DEFAULT_PATTERNS = {s: f"nwucla_t32va160_runs/nw-ucla_{s}_t32va160_s*" for s in STREAMS}
DEFAULT_WEIGHTS = (0.6, 0.6, 0.4, 0.4)


def parse_streams(items: list[str], extras: list[str] = ()) -> dict[str, str]:
    """Member name -> glob: the four streams (defaults replaced by ``items``), then ``extras``."""
    patterns = dict(DEFAULT_PATTERNS)
    for item in items:
        stream, sep, pattern = item.partition("=")
        if not sep or stream not in STREAMS:
            raise SystemExit(f"--stream {item!r}: expected STREAM=GLOB with STREAM one of {', '.join(STREAMS)}")
        patterns[stream] = pattern
    for item in extras:
        name, sep, pattern = item.partition("=")
        if not sep or not name or name in patterns:
            raise SystemExit(f"--extra {item!r}: expected NAME=GLOB with a NAME not already a member "
                             f"({', '.join(patterns)})")
        patterns[name] = pattern
    return patterns


def ensemble_name(members: list[str]) -> str:
    """'4-stream' for the four streams alone, else 'N-member'."""
    return "4-stream" if members == list(STREAMS) else f"{len(members)}-member"


def runs_of(pattern: str, scores: str) -> dict[str, Path]:
    """Run name -> scores file of the archived runs matching ``pattern``; at least one."""
    runs = archived_runs(pattern, scores)
    if not runs:
        raise no_archived_runs(f"{RESULTS / pattern} (with {SCORE_FILES[scores]})")
    return runs


def spread(patterns: dict[str, str], weights: tuple[float, ...], scores: str) -> dict:
    """Top-1 of every combination of one run per member, and their summary."""
    candidates = {s: runs_of(pattern, scores) for s, pattern in patterns.items()}
    logits: dict[str, np.ndarray] = {}
    ids = labels = None
    for name, path in itertools.chain.from_iterable(c.items() for c in candidates.values()):
        run_ids, run_labels, logits[name], _ = load_scores(path)
        if ids is None:
            ids, labels = run_ids, run_labels
        elif not np.array_equal(ids, run_ids):
            raise SystemExit(f"{path}: its test samples differ from the other runs'")
    combos = [{"runs": list(chosen), "top1": topk_accuracy(fuse_scores([logits[r] for r in chosen], weights), labels, 1)}
              for chosen in itertools.product(*candidates.values())]
    values = np.array([c["top1"] for c in combos])
    singles = {s: {r: topk_accuracy(logits[r], labels, 1) for r in runs} for s, runs in candidates.items()}
    return {"scores": scores, "combinations": combos, "singles": singles,
            "mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()), "max": float(values.max()), "n": len(values)}


def write(tag: str, patterns: dict[str, str], weights: tuple[float, ...], results: list[dict]) -> Path:
    command = "python -m experiments.ensemble_spread " + shlex.join(sys.argv[1:])
    commit, date = head_commit(), datetime.now(timezone.utc).isoformat(timespec="seconds")
    md = RESULTS / f"ensemble_spread_{tag}.md"
    notes = handwritten_notes(md)
    members = list(patterns)
    title = ensemble_name(members)
    lines = [f"# {title} ensemble spread over archived runs ({tag}), NW-UCLA cross-view", "",
             f"- command: `{command.strip()}`", f"- commit: {commit}; date: {date}",
             f"- weights {'/'.join(m.replace('_', '-') for m in members)}: {', '.join(f'{w:g}' for w in weights)} "
             "(mean probability, as `actlm ensemble`)",
             *(f"- {s}: `{patterns[s]}`" for s in members), ""]
    for r in results:
        lines += [f"## {r['scores']} epoch scores: {r['n']} combinations, top-1 "
                  f"{r['mean']:.2%} ± {r['std']:.2%} (min {r['min']:.2%}, max {r['max']:.2%})", "",
                  "| " + " | ".join(members) + f" | {title} top-1 |", "|" + "---|" * (len(members) + 1)]
        for c in r["combinations"]:
            cells = [f"{name} ({r['singles'][s][name]:.2%})" for s, name in zip(members, c["runs"])]
            lines.append("| " + " | ".join(cells) + f" | {c['top1']:.2%} |")
        lines.append("")
    md.write_text("\n".join(lines) + notes)
    (RESULTS / f"ensemble_spread_{tag}.json").write_text(json.dumps(
        {"command": command, "commit": commit, "date": date, "patterns": patterns,
         "weights": list(weights), "results": results}, indent=1))
    return md


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tag", default="t32va160", help="names the results file")
    ap.add_argument("--stream", action="append", default=[], metavar="STREAM=GLOB",
                    help="archived runs of one stream (glob under experiments/results/); repeatable")
    ap.add_argument("--extra", action="append", default=[], metavar="NAME=GLOB",
                    help="archived runs of a further member fused with the four streams; repeatable")
    ap.add_argument("--weights", default=",".join(f"{w:g}" for w in DEFAULT_WEIGHTS),
                    help="one per member: the four streams, then the extras in the order given")
    args = ap.parse_args()
    weights = tuple(float(w) for w in args.weights.split(","))
    patterns = parse_streams(args.stream, args.extra)
    if len(weights) != len(patterns):
        raise SystemExit(f"--weights: {len(weights)} values for {len(patterns)} members ({', '.join(patterns)})")
    results = [spread(patterns, weights, scores) for scores in ("best", "final")]
    md = write(args.tag, patterns, weights, results)
    for r in results:
        print(f"{r['scores']}: {r['n']} combinations, {ensemble_name(list(patterns))} top-1 {r['mean']:.2%} ± {r['std']:.2%} "
              f"(min {r['min']:.2%}, max {r['max']:.2%})")
    print(f"wrote {md}")


if __name__ == "__main__":
    main()
