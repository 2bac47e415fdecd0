"""Where the NW-UCLA cross-view errors are: do the trained runs share their mistakes, and what do
the shared mistakes have in common? Reads the test scores of the archived runs; trains nothing.

    python -m experiments.nwucla_errors                  # every archived run, best-epoch scores
    python -m experiments.nwucla_errors --scores final   # the final epochs' scores

If the runs' errors were independent, an ensemble of many runs would pass any single run by far;
if they share them, the remaining errors are a property of the data or of the whole recipe family,
and another seed, stream or fusion weight cannot remove them. The test view (v03) also records
shorter parts of some performances than the training views (v01, v02); the per-class length table
and the accuracy of test sequences shorter than (almost) every training sequence of their class
show whether sequence length is one of those properties; the facing table does the same for
skeletons whose hands are behind the body.
Results: experiments/results/nwucla_errors[_final].{md,json} (command, commit, date).
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from actlm.data import SkeletonSet, load
from actlm.data.transforms import SpineAlign
from actlm.engine.metrics import softmax

from experiments.run_archive import RESULTS, handwritten_notes, head_commit, no_archived_runs

SCORE_FILES = {"best": "test_scores.npz", "final": "test_scores_last.npz"}


def load_scores(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(sample ids, labels, logits, class names) of one run, sorted by sample id."""
    d = np.load(path)
    order = np.argsort(d["sample_ids"])
    return d["sample_ids"][order], d["labels"][order], d["logits"][order], [str(c) for c in d["classes"]]


def archived_runs(pattern: str, scores: str) -> dict[str, Path]:
    found = sorted(RESULTS.glob(pattern))
    return {p.name: p / SCORE_FILES[scores] for p in found if (p / SCORE_FILES[scores]).exists()}


def lengths_by_class(ds: SkeletonSet) -> tuple[dict[str, int], dict[tuple[int, int], list[int]]]:
    """Frame count of every sequence by sample id, and the counts per (class, view)."""
    per_id = dict(zip(ds.sample_ids, (int(n) for n in ds.lengths)))
    per_class_view: dict[tuple[int, int], list[int]] = {}
    for i, (label, n) in enumerate(zip(ds.labels, ds.lengths)):
        per_class_view.setdefault((int(label), int(ds.meta(i)["view"])), []).append(int(n))
    return per_id, per_class_view


def hands_behind(ds: SkeletonSet) -> dict[str, bool]:
    """Per sample id: are the hands, on average over the frames, behind the hip centre in the
    sequence's body frame (``SpineAlign``: z is the direction the skeleton faces)? Carrying,
    throwing and picking up happen in front of the body."""
    align = SpineAlign(ds.layout)
    lay = align.layout
    hands = [lay.index("left_hand"), lay.index("right_hand")]
    rng = np.random.default_rng(0)
    out = {}
    for sample in ds:
        body = align(sample.data, rng)[0]
        present = np.abs(body).sum(axis=(1, 2)) > 0
        out[sample.sample_id] = bool((body[present][:, hands, 2] - body[present][:, [lay.center[0]], 2]).mean() < 0)
    return out


def arm_bone_variation(ds: SkeletonSet, behind: dict[str, bool]) -> dict[str, float]:
    """Median over sequences of the arm bones' length variation over time (std / mean, averaged
    over the six arm bones), for the hands-behind and the other sequences: joints a tracker
    guesses (hidden ones) tend to give bones that stretch and shrink."""
    lay = ds.layout
    bones = [(lay.index(f"{side}_{child}"), lay.index(f"{side}_{parent}")) for side in ("left", "right")
             for child, parent in (("hand", "wrist"), ("wrist", "elbow"), ("elbow", "shoulder"))]
    variation: dict[bool, list[float]] = {True: [], False: []}
    for sample in ds:
        x = sample.data[0]
        lengths = np.stack([np.linalg.norm(x[:, c] - x[:, p], axis=-1) for c, p in bones], axis=1)
        variation[behind[sample.sample_id]].append(float((lengths.std(0) / np.maximum(lengths.mean(0), 1e-6)).mean()))
    return {"behind": float(np.median(variation[True])), "front": float(np.median(variation[False]))}


def mean_poses(ds: SkeletonSet) -> dict[str, np.ndarray]:
    """Per sample id: the pose averaged over the frames, in the body frame (``SpineAlign``) and
    relative to the hip centre of each frame, so walking does not move it."""
    align = SpineAlign(ds.layout)
    hip = align.layout.root
    rng = np.random.default_rng(0)
    out = {}
    for sample in ds:
        body = align(sample.data, rng)[0]
        body = body[np.abs(body).sum(axis=(1, 2)) > 0]
        out[sample.sample_id] = (body - body[:, [hip]]).mean(axis=0)
    return out


def performance_of(ds: SkeletonSet, k: int) -> tuple[int, int, int]:
    m = ds.meta(k)
    return int(m["action"]), int(m["subject"]), int(m["episode"])


COUNTERPART_JOINTS = ("head", "left_elbow", "left_hand", "right_elbow", "right_hand", "left_ankle", "right_ankle")


def counterpart_rows(train: SkeletonSet, test: SkeletonSet, behind: dict[str, bool],
                     train_behind: dict[str, bool]) -> dict:
    """NW-UCLA's three cameras recorded the same performances, so most test sequences have the
    same performance in the training views. Mean pose difference (test - training view, per
    joint, x / y / z in the body frame, spine lengths) for the hands-behind test sequences and
    for the rest, with the pair of training views (v02 - v01) as the control; and how many of the
    hands-behind sequences' counterparts have their hands behind too."""
    poses = mean_poses(train) | mean_poses(test)
    by_performance: dict[tuple[int, int, int], dict[int, str]] = {}
    for ds in (train, test):
        for k, sid in enumerate(ds.sample_ids):
            by_performance.setdefault(performance_of(ds, k), {})[int(ds.meta(k)["view"])] = sid
    test_view = int(test.meta(0)["view"])
    diffs: dict[str, list[np.ndarray]] = {"behind": [], "front": [], "control": []}
    counterparts_behind = [0, 0]
    for views in by_performance.values():
        train_views = [v for v in views if v != test_view]
        if len(train_views) == 2:
            diffs["control"].append(poses[views[max(train_views)]] - poses[views[min(train_views)]])
        if test_view not in views:
            continue
        group = "behind" if behind[views[test_view]] else "front"
        for v in train_views:
            diffs[group].append(poses[views[test_view]] - poses[views[v]])
            if group == "behind":
                counterparts_behind[0] += int(train_behind[views[v]])
                counterparts_behind[1] += 1
    lay = train.layout
    return {
        "pairs": {g: len(d) for g, d in diffs.items()},
        "counterparts_with_hands_behind": f"{counterparts_behind[0]}/{counterparts_behind[1]}",
        "joints": {name: {g: {"mean": np.mean(d, axis=0)[lay.index(name)].round(3).tolist(),
                              "abs": np.mean(np.abs(d), axis=0)[lay.index(name)].round(3).tolist()}
                          for g, d in diffs.items()} for name in COUNTERPART_JOINTS},
    }


def facing_rows(classes: list[str], labels: np.ndarray, run_correct: np.ndarray, behind: np.ndarray,
                train: SkeletonSet, train_behind: dict[str, bool]) -> list[dict]:
    """Per class: how many training and test sequences have the hands behind the body, and the
    runs' mean accuracy on the test sequences with the hands behind (``behind``) vs in front."""
    per_class_view: dict[tuple[int, int], list[bool]] = {}
    for k, (sid, label) in enumerate(zip(train.sample_ids, train.labels)):
        per_class_view.setdefault((int(label), int(train.meta(k)["view"])), []).append(train_behind[sid])
    rows = []
    for c, name in enumerate(classes):
        views = {v: b for (label, v), b in per_class_view.items() if label == c}
        members = labels == c
        rows.append({
            "class": name,
            "train_behind": {f"v{v:02d}": f"{sum(b)}/{len(b)}" for v, b in sorted(views.items())},
            "test_behind": f"{int((members & behind).sum())}/{int(members.sum())}",
            "acc_behind": float(run_correct[:, members & behind].mean()) if (members & behind).any() else None,
            "acc_front": float(run_correct[:, members & ~behind].mean()) if (members & ~behind).any() else None,
        })
    rows.append({"class": "all", "test_behind": f"{int(behind.sum())}/{len(behind)}",
                 "acc_behind": float(run_correct[:, behind].mean()), "acc_front": float(run_correct[:, ~behind].mean())})
    return rows


def analyse(runs: dict[str, Path]) -> dict:
    ids = labels = classes = None
    preds, probs, top1 = [], [], {}
    for name, path in runs.items():
        run_ids, run_labels, logits, run_classes = load_scores(path)
        if ids is None:
            ids, labels, classes = run_ids, run_labels, run_classes
        elif not (np.array_equal(ids, run_ids) and np.array_equal(labels, run_labels)):
            raise SystemExit(f"{path}: its test samples or labels differ from the first run's")
        preds.append(logits.argmax(1))
        probs.append(softmax(logits))
        top1[name] = float(np.mean(preds[-1] == labels))
    preds = np.stack(preds)
    wrong = (preds != labels).mean(axis=0)                        # per test sample: share of runs wrong
    n = len(labels)
    train, test = load("nw-ucla", split="train"), load("nw-ucla", split="test")
    _, train_lengths = lengths_by_class(train)
    test_length, test_lengths = lengths_by_class(test)
    views = sorted({v for _, v in train_lengths} | {v for _, v in test_lengths})
    length_rows, short_acc, other_acc = [], [], []
    run_correct = preds == labels
    for c, name in enumerate(classes):
        train_c = np.concatenate([train_lengths[k] for k in train_lengths if k[0] == c])
        limit = float(np.percentile(train_c, 10))
        members = np.where(labels == c)[0]
        short = np.array([test_length[str(ids[i])] < limit for i in members])
        acc_short = float(run_correct[:, members[short]].mean()) if short.any() else None
        acc_other = float(run_correct[:, members[~short]].mean()) if (~short).any() else None
        if short.any():
            short_acc.extend(run_correct[:, members[short]].mean(0).tolist())
        other_acc.extend(run_correct[:, members[~short]].mean(0).tolist())
        length_rows.append({
            "class": name,
            "median_frames": {f"v{v:02d}": float(np.median((train_lengths | test_lengths).get((c, v), [np.nan])))
                              for v in views},
            "train_p10_frames": limit, "test_shorter": int(short.sum()), "test_n": int(len(members)),
            "acc_shorter": acc_short, "acc_other": acc_other,
        })
    consistent = [{
        "sample": str(ids[i]), "class": classes[labels[i]], "frames": test_length[str(ids[i])],
        "share_wrong": float(wrong[i]),
        "predicted": {classes[k]: int(v) for k, v in Counter(preds[:, i].tolist()).most_common(3)},
    } for i in np.argsort(-wrong, kind="stable") if wrong[i] >= 0.5]
    behind = hands_behind(test)
    behind_mask = np.array([behind[str(i)] for i in ids])
    train_behind = hands_behind(train)
    facing = facing_rows(classes, labels, run_correct, behind_mask, train, train_behind)
    arm_variation = arm_bone_variation(test, behind)
    counterparts = counterpart_rows(train, test, behind, train_behind)
    by_facing = {name: {"behind": float(run_correct[r, behind_mask].mean()), "front": float(run_correct[r, ~behind_mask].mean())}
                 for r, name in enumerate(runs)}
    for e in consistent:
        e["hands_behind"] = behind[e["sample"]]
    fused = np.mean(probs, axis=0).argmax(1)
    vote = np.array([Counter(col.tolist()).most_common(1)[0][0] for col in preds.T])
    return {
        "runs": top1, "runs_by_facing": by_facing, "n_test": n,
        "wrong_in_at_least": {f"{t:g}": int((wrong >= t).sum()) for t in (1e-9, 0.5, 0.8, 1.0)},
        "oracle_top1": float(np.mean(wrong < 1.0)),
        "mean_prob_ensemble_top1": float(np.mean(fused == labels)),
        "majority_vote_top1": float(np.mean(vote == labels)),
        "errors_allowed": {"94.5%": int(np.floor(n * (1 - 0.945))), "97.0%": int(np.floor(n * (1 - 0.97)))},
        "consistent_errors": consistent,
        "lengths": length_rows,
        "facing": facing, "arm_bone_variation_test": arm_variation, "counterparts": counterparts,
        "acc_test_shorter_than_train_p10": float(np.mean(short_acc)) if short_acc else None,
        "acc_test_other": float(np.mean(other_acc)),
        "n_test_shorter_than_train_p10": len(short_acc),
    }


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def report(res: dict) -> str:
    a = res["analysis"]
    w = a["wrong_in_at_least"]
    lines = [
        f"# NW-UCLA cross-view: shared errors of {len(a['runs'])} trained runs ({res['scores']}-epoch scores)", "",
        f"- command: `{res['command']}`", f"- commit: {res['commit']}; date: {res['date']}; {res['seconds']:.0f} s", "",
        "| run | top-1 | hands behind | hands in front |", "|---|---|---|---|",
        *(f"| {k} | {pct(v)} % | {pct(a['runs_by_facing'][k]['behind'])} % | {pct(a['runs_by_facing'][k]['front'])} % |"
          for k, v in a["runs"].items()), "",
        f"Of the {a['n_test']} test sequences, {w['1e-09']} are wrong in at least one run, {w['0.5']} in at least half "
        f"of them, {w['0.8']} in at least 80 % and {w['1']} in every run. A single stream at 94.5 % may get "
        f"{a['errors_allowed']['94.5%']} wrong, an ensemble at 97.0 % {a['errors_allowed']['97.0%']}.",
        f"Fusing all runs (mean probability): {pct(a['mean_prob_ensemble_top1'])} %; majority vote: "
        f"{pct(a['majority_vote_top1'])} %; oracle (right in at least one run): {pct(a['oracle_top1'])} %.", "",
        "## Sequences wrong in at least half of the runs", "",
        "| sample | class | frames | hands behind | runs wrong | most frequent predictions |", "|---|---|---|---|---|---|",
        *(f"| {e['sample']} | {e['class']} | {e['frames']} | {'yes' if e['hands_behind'] else 'no'} | {pct(e['share_wrong'])} % | "
          + ", ".join(f"{k} {v}" for k, v in e["predicted"].items()) + " |" for e in a["consistent_errors"]), "",
        "## Sequence length per class and view", "",
        "Median frames per view (training: v01, v02; test: v03); test sequences shorter than the 10th "
        "percentile of their class's training lengths, and the runs' mean accuracy on them and on the rest.", "",
        "| class | " + " | ".join(a["lengths"][0]["median_frames"]) + " | train p10 | test shorter | acc shorter | acc rest |",
        "|---|" + "---|" * (len(a["lengths"][0]["median_frames"]) + 4),
        *(f"| {r['class']} | " + " | ".join(f"{v:g}" for v in r["median_frames"].values())
          + f" | {r['train_p10_frames']:g} | {r['test_shorter']}/{r['test_n']} | {pct(r['acc_shorter'])} | {pct(r['acc_other'])} |"
          for r in a["lengths"]), "",
        f"All classes: {a['n_test_shorter_than_train_p10']} test sequences shorter than their class's training "
        f"p10, mean accuracy {pct(a['acc_test_shorter_than_train_p10'])} % against {pct(a['acc_test_other'])} % on the rest.", "",
        "## Hands behind the body", "",
        "Sequences whose hands are, on average over the frames, behind the hip centre in the body frame "
        "(`SpineAlign`; z is the way the skeleton faces), per view, and the runs' mean test accuracy on "
        "them and on the rest.", "",
        "| class | " + " | ".join(f"train {v}" for v in a["facing"][0]["train_behind"]) + " | test v03 | acc behind | acc in front |",
        "|---|" + "---|" * (len(a["facing"][0]["train_behind"]) + 3),
        *(f"| {r['class']} | " + " | ".join(r.get("train_behind", {}).values() or ["-"] * len(a["facing"][0]["train_behind"]))
          + f" | {r['test_behind']} | {pct(r['acc_behind'])} | {pct(r['acc_front'])} |" for r in a["facing"]), "",
        "Arm bone lengths over time (std / mean, median over the test sequences): "
        f"{a['arm_bone_variation_test']['behind']:.3f} with the hands behind, {a['arm_bone_variation_test']['front']:.3f} for the rest.",
        *counterpart_report(a["counterparts"]),
    ]
    return "\n".join(lines) + "\n"


def counterpart_report(c: dict) -> list[str]:
    def xyz(v: list[float]) -> str:
        return " / ".join(f"{x:+.2f}" for x in v)
    n = c["pairs"]
    return [
        "", "## The same performance in the training views", "",
        "The three cameras recorded the same performances. Mean pose (body frame, hip-centred, spine "
        "lengths; averaged over the frames) of each test sequence minus that of the same performance "
        f"in a training view: {n['behind']} pairs for the test sequences with the hands behind, "
        f"{n['front']} for the rest; control: the two training views, v02 - v01 ({n['control']} pairs). "
        "Mean difference x / y / z (x: to the left, y: up, z: the way the skeleton faces).", "",
        "| joint | hands behind | rest | control |", "|---|---|---|---|",
        *(f"| {j} | {xyz(g['behind']['mean'])} | {xyz(g['front']['mean'])} | {xyz(g['control']['mean'])} |"
          for j, g in c["joints"].items()), "",
        f"Counterparts (training views) of the hands-behind test sequences that have the hands behind "
        f"too: {c['counterparts_with_hands_behind']}.",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default="nwucla_*_runs/*", help="glob under experiments/results/ of archived runs")
    ap.add_argument("--scores", choices=tuple(SCORE_FILES), default="best")
    ap.add_argument("--tag", default="", help="results name suffix for another set of runs (nwucla_errors_<tag>)")
    a = ap.parse_args()
    started = time.time()
    runs = archived_runs(a.runs, a.scores)
    if not runs:
        raise no_archived_runs(f"{RESULTS / a.runs} (with {SCORE_FILES[a.scores]})")
    res = {"command": shlex.join(["python", *sys.argv]), "commit": head_commit(),
           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "scores": a.scores,
           "analysis": analyse(runs)}
    res["seconds"] = time.time() - started
    stem = RESULTS / ("nwucla_errors" + (f"_{a.tag}" if a.tag else "") + ("" if a.scores == "best" else f"_{a.scores}"))
    stem.with_suffix(".json").write_text(json.dumps(res, indent=2) + "\n")
    md = stem.with_suffix(".md")
    md.write_text(report(res) + handwritten_notes(md))
    print(md.read_text())


if __name__ == "__main__":
    main()
