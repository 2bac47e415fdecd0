"""Zero-shot inside the merged "general" vocabulary: three held-out splits, ZSL and GZSL, calibrated stacking.

    python -m experiments.general_zeroshot            # scores the finished runs, writes the results
    python -m experiments.general_zeroshot --commands # the training commands of the split runs

Three splits of the 59 merged classes (actlm/data/merged.py), 12 unseen classes each (about a
fifth), pairwise disjoint: split 0 is the one of ``general_benchmark.py --zsl-run`` (runs/general_zsl_seed0),
splits 1 and 2 are drawn by :func:`draw_splits` (numpy seed 2026) from the 47 classes split 0 keeps.
Classes that are one action in two datasets are already one merged class; a few merged classes are
still near-duplicates across datasets (UTD/SBU ``push`` and MSRC-12 ``push right``; ``walk`` and SBU's
``approach``/``depart``, which are walking towards/away from someone): each such group is held out or
kept as a whole (:data:`GROUPS`). Each split is a run of ``general/hocslm_2d`` trained on the seen
classes only (``data.train_classes``) with the seen classes' texts only (``language.class_descriptions``),
8 epochs as split 0, training seed 1, 2, 3.

Scoring: direct text scoring, ``actlm eval RUN --classes general --save-scores`` (the cosine of the
skeleton embedding and each of the 59 shipped class texts, times the run's logit scale; here divided
by that scale, so one gamma means the same for every run).

- ZSL: top-1 among the 12 unseen texts, on the unseen classes' test samples (chance 1/12).
- GZSL: all 59 texts, all test samples; mean per-class accuracy over the seen and over the unseen
  classes, and their harmonic mean H.
- Calibrated stacking (Chao et al., 2016): gamma subtracted from every seen class's score before the
  argmax. gamma is chosen WITHOUT any test sample and without any sample of the split's own unseen
  classes (:func:`gamma_for_split`): for split k, each other split's run j gives a pseudo-GZSL
  problem on the TRAINING partition, restricted to split k's seen classes S_k (their samples and
  their texts): run j never trained on U_j (a subset of S_k), so U_j plays the unseen classes there
  and S_k minus U_j the seen ones. gamma maximises the mean H over the runs j != k on a grid. The
  seen samples of that problem were trained on by run j (overconfident), which biases gamma; see
  the results file. The oracle gamma (maximising H on split k's test set) is reported as an upper
  bound only.
Results: experiments/results/general_zeroshot.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from .run_archive import previous_reading

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "results"
SPLIT0 = ["pick up with one hand", "drop trash", "sit down", "carry", "clap", "draw x", "tennis serve",
          "lunge", "jump rope", "push up", "shake hands", "wind it up"]
#: near-duplicate merged classes across datasets: held out together or kept together
GROUPS = (("push", "push right"), ("walk", "approach", "depart"))
DRAW_SEED = 2026
#: split -> (training seed, run directory); split 0 is general_benchmark.py's run (train.seed 1)
RUNS = {0: (1, "runs/general_zsl_seed0"), 1: (2, "runs/general_zsl_seed2"), 2: (3, "runs/general_zsl_seed3")}
#: gamma grid, in cosine units (the runs' scores divided by their logit scale)
GRID = np.round(np.arange(-0.2, 0.6 + 1e-9, 0.0025), 4)


def class_names() -> list[str]:
    from actlm.data.merged import CLASSES

    return list(CLASSES)


def draw_splits(names: Sequence[str], n_splits: int = 2, size: int = 12, seed: int = DRAW_SEED,
                taken: Sequence[str] = SPLIT0, groups: Sequence[Sequence[str]] = GROUPS) -> list[list[str]]:
    """``n_splits`` disjoint sets of ``size`` unseen classes, none in ``taken``, each group of
    near-duplicates wholly in or out: units (groups and single classes) in a random order, each split
    filled with the next units that fit."""
    rng = np.random.default_rng(seed)
    grouped = {c for g in groups for c in g}
    units = [tuple(g) for g in groups] + [(c,) for c in names if c not in grouped]
    units = [u for u in units if not set(u) & set(taken)]
    order = [units[i] for i in rng.permutation(len(units))]
    splits = []
    for _ in range(n_splits):
        split: list[str] = []
        for unit in list(order):
            if len(split) + len(unit) <= size:
                split += unit
                order.remove(unit)
            if len(split) == size:
                break
        splits.append(sorted(split, key=list(names).index))
    return splits


def all_splits(names: Sequence[str]) -> list[list[str]]:
    return [sorted(SPLIT0, key=list(names).index), *draw_splits(names)]


# --- metrics -------------------------------------------------------------------------------------
def harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def gzsl(scores: np.ndarray, labels: np.ndarray, unseen: np.ndarray, gamma: float = 0.0) -> tuple[float, float, float]:
    """(seen, unseen, H): mean per-class accuracy over the seen / unseen classes that have samples,
    predicting the argmax of ``scores`` (N, K) after subtracting ``gamma`` from the seen columns
    (``unseen``: (K,) bool)."""
    pred = (scores - gamma * (~unseen)[None, :]).argmax(1)
    acc = {c: float((pred[labels == c] == c).mean()) for c in np.unique(labels)}
    s = float(np.mean([a for c, a in acc.items() if not unseen[c]]))
    u = float(np.mean([a for c, a in acc.items() if unseen[c]]))
    return s, u, harmonic(s, u)


def zsl_top1(scores: np.ndarray, labels: np.ndarray, unseen: np.ndarray) -> tuple[float, int]:
    """Top-1 among the unseen classes' scores on their samples (sample-level, as `actlm eval
    --class-subset`), and the number of samples."""
    cols = np.flatnonzero(unseen)
    rows = np.isin(labels, cols)
    pred = cols[scores[rows][:, cols].argmax(1)]
    return float((pred == labels[rows]).mean()), int(rows.sum())


def h_curve(scores: np.ndarray, labels: np.ndarray, unseen: np.ndarray, grid: np.ndarray = GRID) -> np.ndarray:
    return np.array([gzsl(scores, labels, unseen, g)[2] for g in grid])


def plateau_centre(curve: np.ndarray, grid: np.ndarray) -> float:
    """The grid value in the middle of the contiguous run of maxima that holds the first maximum."""
    i = j = int(np.argmax(curve))
    while j + 1 < len(curve) and curve[j + 1] == curve[i]:
        j += 1
    return float(grid[(i + j) // 2])


def pseudo_problem(scores: np.ndarray, labels: np.ndarray, names: Sequence[str], pseudo_unseen: Sequence[str],
                   excluded: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A pseudo-GZSL problem from one run's TRAINING-partition scores: the classes in ``excluded``
    (the evaluated split's unseen classes) are removed, samples and texts; ``pseudo_unseen`` (the
    classes that run never trained on) are its unseen classes. Returns (scores, labels, unseen mask)."""
    keep = np.array([n not in set(excluded) for n in names])
    cols = np.flatnonzero(keep)
    rows = np.isin(labels, cols)
    remap = -np.ones(len(names), dtype=int)
    remap[cols] = np.arange(len(cols))
    unseen = np.array([names[c] in set(pseudo_unseen) for c in cols])
    return scores[rows][:, cols], remap[labels[rows]], unseen


def choose_gamma(problems: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], grid: np.ndarray = GRID
                 ) -> tuple[float, np.ndarray]:
    """gamma maximising the mean H over ``problems`` (each (scores, labels, unseen mask)), and that mean curve."""
    curve = np.mean([h_curve(*p, grid) for p in problems], axis=0)
    return plateau_centre(curve, grid), curve


def gamma_for_split(k: int, train_scores: dict[int, tuple[np.ndarray, np.ndarray]], splits: Sequence[Sequence[str]],
                    names: Sequence[str], grid: np.ndarray = GRID) -> tuple[float, dict]:
    """Split k's gamma from the other runs' training-partition scores only (``train_scores``: split ->
    (scores, labels) of its run on the training partition). No test data is an argument; split k's
    own unseen classes are removed from every problem, samples and texts."""
    problems, per_run = [], {}
    for j, (scores, labels) in train_scores.items():
        if j == k:
            continue
        p = pseudo_problem(scores, labels, names, splits[j], excluded=splits[k])
        problems.append(p)
        g, _ = choose_gamma([p], grid)
        per_run[j] = {"gamma": g, "h_at_0": gzsl(*p)[2], "seen_at_0": gzsl(*p)[0], "unseen_at_0": gzsl(*p)[1],
                      "n_samples": int(len(p[1]))}
    gamma, curve = choose_gamma(problems, grid)
    return gamma, {"per_run": per_run, "mean_h_at_gamma": float(curve.max())}


# --- runs ----------------------------------------------------------------------------------------
def train_commands(names: Sequence[str]) -> list[str]:
    out = []
    for k, unseen in enumerate(all_splits(names)):
        seed, run = RUNS[k]
        keep = [i for i, c in enumerate(names) if c not in unseen]
        texts = "runs/general_zsl_seen.yaml" if k == 0 else f"runs/general_zsl_seen_split{k}.yaml"
        out.append(f"# split {k}: {texts} = actlm/language/resources/general.yaml without {', '.join(unseen)}\n"
                   f"OMP_NUM_THREADS=1 actlm train general/hocslm_2d train.threads=1 train.epochs=8 "
                   f"train.eval_every=8 train.seed={seed} 'data.source_repeat={{}}' data.train_classes=[{','.join(map(str, keep))}] "
                   f"language.class_descriptions={texts} train.work_dir={run}")
    return out


def check_run(run: Path, unseen: Sequence[str], names: Sequence[str]) -> None:
    import yaml

    cfg = yaml.safe_load((run / "config.yaml").read_text())
    trained = {names[i] for i in cfg["data"]["train_classes"]}
    if trained != set(names) - set(unseen):
        raise SystemExit(f"{run} was trained on other classes than split's seen ones")


def text_scores(run: Path, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(cosines (N, 59), labels, class names) of ``run`` on a partition, by `actlm eval --classes general`
    (cached as RUN/text_scores_<split>.npz)."""
    path = run / f"text_scores_{split}.npz"
    if not path.is_file():
        subprocess.run([sys.executable, "-m", "actlm", "eval", str(run), "--split", split, "--classes", "general",
                        "--json", "--save-scores", str(path)], check=True, stdout=subprocess.DEVNULL)
    from actlm.engine import load_checkpoint

    model, _ = load_checkpoint(run)
    scale = float(model.logit_scale.detach().exp())
    d = np.load(path)
    return d["logits"].astype(np.float64) / scale, d["labels"], [str(c) for c in d["classes"]]


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "?"


def evaluate(names: list[str]) -> dict:
    splits = all_splits(names)
    train, test = {}, {}
    for k, unseen in enumerate(splits):
        run = ROOT / RUNS[k][1]
        check_run(run, unseen, names)
        s, y, c = text_scores(run, "train")
        assert c == names
        train[k] = (s, y)
        s, y, c = text_scores(run, "test")
        assert c == names
        test[k] = (s, y)
    rows = []
    for k, unseen in enumerate(splits):
        mask = np.array([n in unseen for n in names])
        scores, labels = test[k]
        zsl, n = zsl_top1(scores, labels, mask)
        seen0, unseen0, h0 = gzsl(scores, labels, mask)
        gamma, how = gamma_for_split(k, train, splits, names)   # training partition only
        seen_c, unseen_c, h_c = gzsl(scores, labels, mask, gamma)
        oracle, curve = choose_gamma([(scores, labels, mask)])
        rows.append({"split": k, "run": RUNS[k][1], "train_seed": RUNS[k][0], "unseen": unseen, "zsl_top1": zsl,
                     "zsl_n": n, "zsl_chance": 1 / len(unseen), "gzsl_seen": seen0, "gzsl_unseen": unseen0,
                     "gzsl_h": h0, "gamma": gamma, "gamma_choice": how, "cal_seen": seen_c, "cal_unseen": unseen_c,
                     "cal_h": h_c, "oracle_gamma": oracle, "oracle_h": float(curve.max())})
    keys = ["zsl_top1", "gzsl_seen", "gzsl_unseen", "gzsl_h", "gamma", "cal_seen", "cal_unseen", "cal_h",
            "oracle_gamma", "oracle_h"]
    summary = {key: {"mean": float(np.mean([r[key] for r in rows])), "std": float(np.std([r[key] for r in rows], ddof=1))}
               for key in keys}
    return {"splits": rows, "summary": summary, "grid": [float(GRID[0]), float(GRID[-1]), float(GRID[1] - GRID[0])]}


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def write(results: dict, reading: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "general_zeroshot.json").write_text(json.dumps(results, indent=1))
    rows, summ = results["splits"], results["summary"]
    lines = ["# Zero-shot inside the merged general vocabulary (3 splits, calibrated stacking)", "",
             f"`{results['command']}` (commit {results['commit']}, {results['date']}, 1 CPU thread on the shared "
             "2-core host). Runs: `general/hocslm_2d` trained without 12 of the 59 merged classes, 8 epochs, "
             "2D input, seen-class texts only; direct text scoring with the shipped class texts (`general`), "
             "scores = cosines (each run's logits divided by its logit scale). Training commands: "
             "`python -m experiments.general_zeroshot --commands`.", "",
             "## Splits", ""]
    for r in rows:
        lines.append(f"- split {r['split']} ({r['run']}, train.seed {r['train_seed']}): {', '.join(r['unseen'])}")
    lines += ["", f"Splits 1 and 2: `draw_splits` (numpy default_rng({DRAW_SEED})) over the 47 classes split 0 keeps, "
              "pairwise disjoint; near-duplicate groups held out or kept whole: "
              + "; ".join(" / ".join(g) for g in GROUPS) + ".", "",
              "## Results (%, test partition)", "",
              "| split | ZSL top-1 (chance) | GZSL seen | GZSL unseen | H uncalibrated | gamma (chosen on training partition) "
              "| seen / unseen calibrated | **H calibrated** | oracle gamma | oracle H (upper bound, not a result) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['split']} | {pct(r['zsl_top1'])} ({pct(r['zsl_chance'])}) | {pct(r['gzsl_seen'])} | "
                     f"{pct(r['gzsl_unseen'])} | {pct(r['gzsl_h'])} | {r['gamma']:.4f} | {pct(r['cal_seen'])} / "
                     f"{pct(r['cal_unseen'])} | **{pct(r['cal_h'])}** | {r['oracle_gamma']:.4f} | {pct(r['oracle_h'])} |")
    m = lambda k: f"{pct(summ[k]['mean'])} ± {pct(summ[k]['std'])}"   # noqa: E731
    lines += [f"| mean ± std (3 splits, ddof 1) | {m('zsl_top1')} (8.3) | {m('gzsl_seen')} | {m('gzsl_unseen')} | "
              f"{m('gzsl_h')} | {summ['gamma']['mean']:.4f} | {m('cal_seen')} / {m('cal_unseen')} | **{m('cal_h')}** | "
              f"{summ['oracle_gamma']['mean']:.4f} | {m('oracle_h')} |", "",
              "ZSL: top-1 among the 12 unseen texts on the unseen classes' test samples (sample-level). GZSL: all 59 "
              "texts, all test samples, mean per-class accuracy over seen and over unseen classes, H their harmonic "
              "mean. Calibrated: gamma subtracted from the seen classes' cosines (Chao et al., 2016). Oracle: gamma "
              "maximising H on the test set itself, an upper bound of what calibrated stacking can give, not a result.",
              "", "## How gamma is chosen (no test data)", "",
              "For split k, each other split's run j (j != k) is scored on the TRAINING partition. The problem is "
              "restricted to split k's seen classes S_k (samples and texts of split k's unseen classes U_k are removed; "
              "a user of split k has no data of U_k). Run j never trained on U_j, which lies inside S_k (the splits are "
              "disjoint), so U_j are the pseudo-unseen classes and S_k minus U_j the pseudo-seen ones (35 + 12 classes). "
              "gamma maximises the mean H of the two problems (j != k) on a grid of "
              f"{results['grid'][0]} to {results['grid'][1]} in steps of {results['grid'][2]:.4f} (the centre of the "
              "maximal plateau); that one gamma is applied to run k on its test set.", "",
              "| split k | run j | pseudo seen / unseen at gamma 0 | H at 0 | gamma of j alone | samples |",
              "|---|---|---|---|---|---|"]
    for r in rows:
        for j, p in r["gamma_choice"]["per_run"].items():
            lines.append(f"| {r['split']} | {j} | {pct(p['seen_at_0'])} / {pct(p['unseen_at_0'])} | {pct(p['h_at_0'])} | "
                         f"{p['gamma']:.4f} | {p['n_samples']} |")
    lines += ["", reading.strip(), ""]
    (RESULTS / "general_zeroshot.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--commands", action="store_true", help="print the training commands of the three split runs")
    p.add_argument("--reading", default=None, help="a file with the hand-written reading to put under the numbers "
                   "(default: the one of the previous general_zeroshot.json)")
    a = p.parse_args(argv)
    names = class_names()
    if a.commands:
        print("\n".join(train_commands(names)))
        return
    results = evaluate(names)
    results.update(command="python -m experiments.general_zeroshot", commit=commit(),
                   date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    reading = previous_reading(RESULTS / "general_zeroshot.json", a.reading)
    results["reading"] = reading
    write(results, reading)
    print(json.dumps(results["summary"], indent=1))


if __name__ == "__main__":
    main()
