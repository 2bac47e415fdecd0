"""The LVLM-VAR reasoner on NW-UCLA cross-view vs the HGLNet classifier it sits on.

    python -m experiments.reasoner_benchmark --encoder runs/bench/nw-ucla_joint_s1 --train-sizes 64 --epochs 3 \
        --sweep 32 64 128 --sweep-epochs 1

- trains the reasoner (SmolLM2-135M + LoRA, `actlm train nw-ucla/reasoner_smollm`) for each codebook
  size in --train-sizes for --epochs and evaluates it on all test sequences (class by scoring);
- codebook sweep: trains one reasoner per size in --sweep on a shorter schedule (--sweep-epochs,
  the sizes in parallel at one thread each) and reports its top-1 next to the tokenizer's
  usage, perplexity, tokens per sequence and stability under a 2-frame shift;
- --compare LABEL=RUN adds finished reasoner runs (e.g. an ablation trained with other settings)
  to a comparison table;
- reports the encoder's own classifier accuracy on the same test split, training time, decision
  and explanation latency, generated tokens/s, trainable parameters, the faithfulness distribution
  and ten example explanations (correct and wrong).
Runs resume (runs/reasoner/...); finished runs are reused. Results: experiments/results/reasoner.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def reasoner_command(a: argparse.Namespace, size: int, run: Path, epochs: int, threads: int, explain: int) -> list[str]:
    cmd = [sys.executable, "-m", "actlm", "train", "nw-ucla/reasoner_smollm", f"reasoner.encoder={a.encoder}",
           f"reasoner.codebook_size={size}", f"train.work_dir={run}", f"train.threads={threads}",
           f"train.epochs={epochs}", f"reasoner.explain_limit={explain}"]
    return cmd + (["--resume", str(run)] if (run / "last").exists() else [])


def train_reasoners(a: argparse.Namespace, jobs: list[tuple[int, Path, int]], threads: int, explain: int) -> None:
    """Train (size, run dir, epochs) jobs that have no eval.json yet, all at once."""
    todo = [(size, run, epochs) for size, run, epochs in jobs if not (run / "eval.json").exists()]
    procs = []
    for size, run, epochs in todo:
        run.parent.mkdir(parents=True, exist_ok=True)
        log = open(run.with_suffix(".log"), "a")
        procs.append((run, time.time(), subprocess.Popen(reasoner_command(a, size, run, epochs, threads, explain),
                                                         stdout=log, stderr=subprocess.STDOUT)))
    for run, start, proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"training {run} failed; see {run.with_suffix('.log')}")
        (run / "wall_seconds.txt").write_text(f"{time.time() - start:.0f}\n")


def summarise(run: Path, with_examples: bool) -> dict:
    report = json.loads((run / "eval.json").read_text())
    history = json.loads((run / "metrics.json").read_text())
    out = {"run": str(run), "epochs": len(history), "top1": report["top1"], "top5": report["top5"], "n": report["n"],
           "per_class": report["per_class"], "tokenizer": report["tokenizer"],
           "trainable_parameters": report["trainable_parameters"],
           "train_seconds": sum(h["epoch_time_s"] for h in history),
           "epoch_seconds": [h["epoch_time_s"] for h in history],
           "seconds_per_decision": report["seconds_per_decision"], "explanations": report["explanations"]}
    if with_examples:
        out["examples"] = _examples(json.loads((run / "explanations.json").read_text()))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--encoder", default="runs/bench/nw-ucla_joint_s1")
    p.add_argument("--train-sizes", type=int, nargs="*", default=[64])
    p.add_argument("--sweep", type=int, nargs="*", default=[32, 64, 128])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--sweep-epochs", type=int, default=1)
    p.add_argument("--explain", type=int, default=40)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compare", nargs="*", default=[], metavar="LABEL=RUN",
                   help="finished reasoner runs to list next to the main one, e.g. 'no clip token=runs/x'")
    a = p.parse_args()
    encoder_eval = json.loads((Path(a.encoder) / "eval.json").read_text())
    main_runs = {size: Path("runs/reasoner") / f"k{size}" for size in a.train_sizes}
    for size, run in main_runs.items():
        train_reasoners(a, [(size, run, a.epochs)], a.threads, a.explain)
    trained = {size: summarise(run, True) for size, run in main_runs.items()}
    sweep_runs = {size: Path("runs/reasoner/sweep") / f"k{size}_e{a.sweep_epochs}" for size in a.sweep}
    train_reasoners(a, [(size, run, a.sweep_epochs) for size, run in sweep_runs.items()], 1, 0)
    sweep = {size: summarise(run, False) for size, run in sweep_runs.items()}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {"command": "python -m experiments.reasoner_benchmark " + shlex.join(sys.argv[1:]), "commit": commit,
              "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "encoder": a.encoder,
              "encoder_classifier_top1": encoder_eval["top1"], "reasoner": trained,
              "sweep_epochs": a.sweep_epochs, "codebook_sweep": sweep, "compared": _compared(a.compare)}
    out = Path("experiments/results")
    (out / "reasoner.json").write_text(json.dumps(result, indent=1))
    (out / "reasoner.md").write_text(_markdown(result))
    print(_markdown(result))


def _compared(pairs: list[str]) -> dict[str, dict]:
    out = {}
    for pair in pairs:
        label, _, run = pair.rpartition("=")
        if not label or not (Path(run) / "eval.json").exists():
            raise SystemExit(f"--compare {pair!r}: expected LABEL=RUN with a finished run (RUN/eval.json)")
        config = json.loads((Path(run) / "last" / "reasoner.json").read_text())
        out[label] = {**summarise(Path(run), False), "clip_token": config.get("clip_token", False)}
    return out


def _examples(explanations: list[dict], k: int = 10) -> list[dict]:
    right = [e for e in explanations if e["correct"]]
    wrong = [e for e in explanations if not e["correct"]]
    pick = right[: k - min(len(wrong), k // 2)] + wrong[: k // 2]
    return pick[:k]


def _markdown(r: dict) -> str:
    lines = ["# LVLM-VAR reasoner vs its HGLNet classifier, NW-UCLA cross-view", "",
             f"- command: `{r['command']}`", f"- commit {r['commit']}, {r['date']}",
             f"- encoder: {r['encoder']} (its own classifier: top-1 {r['encoder_classifier_top1']:.2%} on the 464 test sequences; the reasoner skips one too short to tokenise)", ""]
    for size, t in r["reasoner"].items():
        ex, tok = t["explanations"], t["tokenizer"]
        lines += [f"## Reasoner, codebook {size}", "",
                  f"- top-1 {t['top1']:.2%} (top-5 {t['top5']:.2%}, n={t['n']}); delta vs classifier "
                  f"{t['top1'] - r['encoder_classifier_top1']:+.2%}",
                  f"- LoRA training: {t['epochs']} epochs, {t['train_seconds'] / 60:.1f} min on the 2 cores "
                  f"(per epoch: {', '.join(f'{e / 60:.1f}' for e in t['epoch_seconds'])} min); trainable parameters "
                  f"{t['trainable_parameters'] / 1e6:.2f}M",
                  f"- class decision {t['seconds_per_decision']:.2f} s/sample; explanation "
                  f"{ex['seconds_per_explanation']:.2f} s/sample, {ex['generated_tokens_per_s'] or 0:.1f} generated tokens/s",
                  f"- tokens: {tok['mean_tokens_per_sequence']:.2f} per sequence, perplexity {tok['perplexity']:.1f}, "
                  f"{tok['used_codes']}/{size} codes used",
                  f"- faithfulness (supported claims / claims) over {ex['n']} explanations: mean "
                  f"{ex['faithfulness_precision_mean'] if ex['faithfulness_precision_mean'] is None else round(ex['faithfulness_precision_mean'], 3)}, "
                  f"quartiles {ex['faithfulness_precision_quartiles']}, without a checkable claim: {ex['without_checkable_claim']}",
                  f"- distinctness: claim similarity within class {ex['within_class_similarity']:.2f} vs across classes "
                  f"{ex['across_class_similarity']:.2f}; different-class pairs whose explanations differ: "
                  f"{ex['different_class_pairs_that_differ']:.0%}", "", "### Ten example explanations", ""]
        for e in t["examples"]:
            mark = "correct" if e["correct"] else f"WRONG (label: {e['label']})"
            lines += [f"- **{e['sample_id']}** -> {e['action']} ({e['confidence']:.0%}, {mark})",
                      f"  - tokens: {e['tokens']}", f"  - because: {e['explanation']}",
                      f"  - measured: {'; '.join(e['measured'])}; faithfulness {e['precision']}"]
        lines.append("")
    lines += [f"## Codebook sweep ({r['sweep_epochs']} LoRA epoch(s) per size, sizes trained in parallel at 1 thread each)", "",
              "| codes | top-1 | delta vs classifier | used | perplexity | tokens/sequence | max | shift stability | LoRA min |",
              "|---|---|---|---|---|---|---|---|---|"]
    for size, t in r["codebook_sweep"].items():
        s = t["tokenizer"]
        lines.append(f"| {size} | {t['top1']:.2%} | {t['top1'] - r['encoder_classifier_top1']:+.2%} | {s['used_codes']} | "
                     f"{s['perplexity']:.1f} | {s['mean_tokens_per_sequence']:.2f} | {s['max_tokens_per_sequence']} | "
                     f"{s['shift_stability_2_frames']:.2f} | {t['train_seconds'] / 60:.0f} |")
    if r.get("compared"):
        lines += ["", "## Compared runs", "", "| variant | run | clip token | epochs | top-1 | delta vs classifier | LoRA min |",
                  "|---|---|---|---|---|---|---|"]
        for label, t in r["compared"].items():
            lines.append(f"| {label} | {t['run']} | {t['clip_token']} | {t['epochs']} | {t['top1']:.2%} | "
                         f"{t['top1'] - r['encoder_classifier_top1']:+.2%} | {t['train_seconds'] / 60:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
