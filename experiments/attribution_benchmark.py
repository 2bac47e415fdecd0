"""Does the explanation's attribution mean what it shows? Measured over whole test splits.

    python -m experiments.attribution_benchmark --dataset nw-ucla                    # the shipped encoder
    python -m experiments.attribution_benchmark --dataset utd-mhad --checkpoint RUN  # a trained run

For every test sequence, the explainer's own choice (``actlm.explain.attribution``: the cited set of
body parts, ranked by a criterion (``--criteria``; the product's, ``direction~0.05``: among the sets
whose probability drop is within 0.05 of the largest of their size, the one whose freezing moves
the logits most purely against the predicted class), and the span, picked by the drop of its
probability) is compared with explainers of the same size that never search jointly; every number
is the measured drop of the predicted class's probability, whatever ranked the set:

- **cited set** vs (a) the k joints with the most motion (motion energy: a trivial explainer that
  never looks at the model), (b) the top-k joints by single-joint occlusion, (c) k random joints
  (mean of 3 draws); k = the cited set's joint count. Each set is frozen at its first-frame
  position (the explainer's perturbation) and, as a check that does not share the explainer's
  perturbation, zeroed (set to the body-frame origin). Bootstrap 95 % CIs of the paired differences.
- **cited span** vs the other windows of its length: frozen (the explainer's perturbation, so the
  cited span is the best by construction) and, held out, with the window's frames replaced by a
  straight line between the frames around it.
- **model randomisation** (Adebayo et al., "Sanity Checks for Saliency Maps", 2018): the model's
  weights re-initialised layer group by layer group, cascading from the classifier down; on every
  ``--random-every``-th sequence the cited set for the trained model's class is recomputed and its
  overlap (Jaccard, over joints) with the trained model's cited set compared with chance: the
  overlap of the trained cited set with every candidate set of the same size. The cited sets are
  compared whether or not an explanation would show them ("shown": the share of the randomised
  model's sets whose drop reaches MIN_EFFECT).

Each dataset's numbers are kept in experiments/results/attribution_runs/<dataset>.json (with the
command, commit and date that made them); experiments/results/attribution.md and .json are written
from all datasets kept there. A split too long for one sitting can be run in parts (``--every 2``
with ``--offset 0`` and ``--offset 1``) and joined with ``--merge PART,PART --name NAME``.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from actlm import data as actlm_data
from actlm.data.layouts import get_layout
from actlm.explain.attribution import (CRITERIA, CRITERION, MIN_EFFECT, candidate_sets, freeze_joints, occlude, parse_criterion,
                                       set_joints, set_key, set_size)
from actlm.explain.explainer import Explainer, shipped_encoder

from .run_archive import head_commit

RESULTS = Path(__file__).parent / "results"
RUNS = RESULTS / "attribution_runs"
RANDOM_DRAWS = 3
BOOT = 2000
#: layer groups re-initialised in turn, cascading from the top (HGLNet: 8 blocks, then the stem)
CASCADE = [("classifier", ["classifier"]), ("+ blocks 6-8", ["blocks.5", "blocks.6", "blocks.7"]),
           ("+ blocks 3-5", ["blocks.2", "blocks.3", "blocks.4"]),
           ("+ blocks 1-2, stem (all weights)", ["blocks.0", "blocks.1", "embed", "input_norm", ""])]


# --- perturbations --------------------------------------------------------------------------
def zero_joints(x: torch.Tensor, joints) -> torch.Tensor:
    """The joints set to the body-frame origin (a perturbation the explainer never uses)."""
    out = x.clone()
    out[:, :, :, list(joints)] = 0
    return out


def bridge_frames(x: torch.Tensor, start: int, end: int) -> torch.Tensor:
    """Frames [start, end) replaced by a straight line from the frame before to the frame after
    (held at the frame before when the window ends the clip): the window's own motion removed
    without the jump at its end that freezing makes."""
    out = x.clone()
    t = x.shape[2]
    before = out[:, :, max(start - 1, 0)]
    after = out[:, :, end] if end < t else before
    for i in range(start, end):
        w = (i - start + 1) / (end - start + 1)
        out[:, :, i] = (1 - w) * before + w * after
    return out


def motion_energy(x: torch.Tensor) -> np.ndarray:
    """Each joint's path length over the clip (all persons), in the model input's units."""
    return (x[0, :, 1:] - x[0, :, :-1]).norm(dim=-1).sum(dim=(0, 1)).numpy()


def probs_of(model: torch.nn.Module, batch: list[torch.Tensor], target: int) -> np.ndarray:
    with torch.no_grad():
        return model(torch.cat(batch)).float().softmax(1)[:, target].numpy()


# --- one sequence ---------------------------------------------------------------------------
def study(model: torch.nn.Module, x: torch.Tensor, layout, rng: np.random.Generator,
          criteria: list[str]) -> dict[str, dict]:
    """For each criterion, the explainer's cited set and span for ``x`` and every comparison of
    them, in two batched forward passes (the explainer's occlusion, shared by the criteria, then
    the comparisons of all criteria's sets)."""
    occ = occlude(model, x, layout)
    target = int(np.argmax(occ.probs))
    base = float(occ.probs[target])
    (start, end), span_drop = occ.span(target)
    single = single_joint_drops(model, x, target, base)
    energy = motion_energy(x)
    v = x.shape[3]
    cited = {c: occ.cited_set(target, c) for c in criteria}
    sets = {}
    for c, (parts, _) in cited.items():
        joints = set_joints(parts, layout)
        k = len(joints)
        sets[c] = [joints, list(np.argsort(-energy)[:k]), list(np.argsort(-single)[:k]),
                   *[list(rng.choice(v, size=k, replace=False)) for _ in range(RANDOM_DRAWS)]]
    flat = [s for c in criteria for s in sets[c]]
    same_length = [w for w in occ.windows if w[1] - w[0] == end - start]
    batch = ([freeze_joints(x, s) for s in flat] + [zero_joints(x, s) for s in flat]
             + [bridge_frames(x, a, b) for a, b in same_length])
    p = base - probs_of(model, batch, target)
    n = len(flat)
    frozen, zeroed, bridged = p[:n], p[n:2 * n], p[2 * n:]
    others = [i for i, w in enumerate(same_length) if w != (start, end)]
    window_drop = {w: float(base - q[target]) for w, q in zip(occ.windows, occ.window_probs)}
    span = {
        "span": [start, end], "span_frames": int(x.shape[2]), "span_drop": span_drop,
        "span_others_frozen": float(np.mean([window_drop[same_length[i]] for i in others])) if others else None,
        "span_best_of_length_frozen": all(span_drop >= window_drop[same_length[i]] for i in others),
        "span_bridged": float(bridged[same_length.index((start, end))]),
        "span_others_bridged": float(np.mean(bridged[others])) if others else None,
        "span_best_of_length_bridged": bool(all(bridged[same_length.index((start, end))] >= bridged[i] for i in others)),
    }
    out, m = {}, 3 + RANDOM_DRAWS
    for i, c in enumerate(criteria):
        f, z = frozen[i * m:(i + 1) * m], zeroed[i * m:(i + 1) * m]
        parts, drop = cited[c]
        out[c] = {"target": target, "base": base, "cited": list(parts), "cited_units": set_size(parts),
                  "k": len(sets[c][0]), "shown": drop >= MIN_EFFECT, "cited_drop_explainer": drop,
                  "joints": {"cited": sorted(int(j) for j in sets[c][0]), "motion": sorted(int(j) for j in sets[c][1]),
                             "occlusion": sorted(int(j) for j in sets[c][2])},
                  "frozen": {"cited": f[0], "motion": f[1], "occlusion": f[2], "random": f[3:].mean()},
                  "zeroed": {"cited": z[0], "motion": z[1], "occlusion": z[2], "random": z[3:].mean()},
                  **span}
    return out


def single_joint_drops(model: torch.nn.Module, x: torch.Tensor, target: int, base: float) -> np.ndarray:
    """The drop of the target's probability when each joint alone is frozen."""
    return base - probs_of(model, [freeze_joints(x, [j]) for j in range(x.shape[3])], target)


# --- model randomisation --------------------------------------------------------------------
def randomised(model: torch.nn.Module, prefixes: list[str], seed: int) -> torch.nn.Module:
    """A copy of ``model`` with every module under ``prefixes`` re-initialised ('' = all): modules
    with ``reset_parameters`` reset, their own other parameters redrawn from a normal with the
    trained tensor's mean and spread, batch-norm statistics reset."""
    torch.manual_seed(seed)
    out = copy.deepcopy(model)
    for name, module in out.named_modules():
        if not any(name == p or name.startswith(p + ".") or p == "" for p in prefixes):
            continue
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
        if hasattr(module, "reset_running_stats"):
            module.reset_running_stats()
        if not hasattr(module, "reset_parameters"):
            for param in module.parameters(recurse=False):
                with torch.no_grad():
                    std = float(param.std()) if param.numel() > 1 else 1.0
                    param.normal_(float(param.mean()), std if std > 0 else 1.0)
    return out.eval()


def jaccard(a: list[int], b: list[int]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 1.0


def randomisation_study(model: torch.nn.Module, inputs: list[tuple[torch.Tensor, dict]], layout,
                        criteria: list[str]) -> dict[str, list[dict]]:
    """Per criterion and cascade stage: the mean overlap of the randomised model's cited set with the
    trained model's (for the trained model's class), the share of identical sets, and chance: the
    mean overlap of the trained cited set with every candidate set of the same size."""
    sets = candidate_sets(layout)
    chance = {c: [np.mean([jaccard(set_joints(r[c]["cited"], layout), js) for s, js in sets.items()
                           if set_size(s) == r[c]["cited_units"]]) for _, r in inputs] for c in criteria}
    rows: dict[str, list[dict]] = {c: [] for c in criteria}
    prefixes: list[str] = []
    for stage, (label, groups) in enumerate(CASCADE):
        prefixes += groups
        rand = randomised(model, prefixes, seed=stage)
        overlap: dict[str, list[float]] = {c: [] for c in criteria}
        same: dict[str, list[bool]] = {c: [] for c in criteria}
        shown: dict[str, list[bool]] = {c: [] for c in criteria}
        for x, r in inputs:
            occ = occlude(rand, x, layout)
            for c in criteria:
                cited, drop = occ.cited_set(r[c]["target"], c)
                overlap[c].append(jaccard(set_joints(cited, layout), set_joints(r[c]["cited"], layout)))
                same[c].append(sorted(cited) == sorted(r[c]["cited"]))
                shown[c].append(drop >= MIN_EFFECT)
        for c in criteria:
            o, ch = np.array(overlap[c]), np.array(chance[c])
            rows[c].append({"randomised": label, "overlap": float(o.mean()), "identical": float(np.mean(same[c])),
                            "shown": float(np.mean(shown[c])),
                            "chance": float(ch.mean()), "n": len(inputs), "overlap_minus_chance_95": bootstrap(o - ch)})
            print(f"{c}, randomised {label}: overlap {o.mean():.3f} vs chance {ch.mean():.3f}", file=sys.stderr)
    return rows


# --- summaries ------------------------------------------------------------------------------
def bootstrap(diff: np.ndarray, seed: int = 1) -> list[float]:
    """Bootstrap 95 % CI of the mean of paired differences."""
    idx = np.random.default_rng(seed).integers(0, len(diff), (BOOT, len(diff)))
    means = diff[idx].mean(1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def summarise(rows: list[dict]) -> dict:
    out: dict = {"n": len(rows), "shown": float(np.mean([r["shown"] for r in rows])),
                 "cited_joints_mean": float(np.mean([r["k"] for r in rows])),
                 "cited_units": {str(u): int(sum(r["cited_units"] == u for r in rows)) for u in (1, 2)},
                 "base_mean": float(np.mean([r["base"] for r in rows]))}
    for pert in ("frozen", "zeroed"):
        drops = {m: np.array([r[pert][m] for r in rows]) for m in ("cited", "motion", "occlusion", "random")}
        out[pert] = {m: float(d.mean()) for m, d in drops.items()}
        out[pert]["vs"] = {m: {"diff": float((drops["cited"] - drops[m]).mean()),
                               "ci95": bootstrap(drops["cited"] - drops[m]),
                               "wins": float(np.mean(drops["cited"] > drops[m]))}
                           for m in ("motion", "occlusion", "random")}
    spans = [r for r in rows if r["span_others_frozen"] is not None]
    for pert in ("frozen", "bridged"):
        own = np.array([r["span_drop" if pert == "frozen" else "span_bridged"] for r in spans])
        other = np.array([r[f"span_others_{pert}"] for r in spans])
        out[f"span_{pert}"] = {"cited": float(own.mean()), "others": float(other.mean()),
                               "diff_ci95": bootstrap(own - other),
                               "best_of_length": float(np.mean([r[f"span_best_of_length_{pert}"] for r in spans]))}
    out["span_length_frac"] = float(np.mean([(r["span"][1] - r["span"][0]) / r["span_frames"] for r in rows]))
    return out


def run_dataset(a) -> dict:
    """The run of the first criterion of ``a.criteria`` (its rows and tables), with every criterion's
    summary under ``compared`` when there are several."""
    criteria = a.criteria.split(",")
    for c in criteria:
        parse_criterion(c)          # an unknown name fails here, not after the run
    checkpoint = a.checkpoint or str(shipped_encoder())
    ex = Explainer(checkpoint)
    layout = get_layout(ex.layout)
    samples = actlm_data.load(a.dataset, split=a.split)
    picked = list(range(a.offset, len(samples), a.every))[:a.limit]   # every k-th: all classes, in the split's order
    rng = np.random.default_rng(0)
    rows: dict[str, list[dict]] = {c: [] for c in criteria}
    kept, t0 = [], time.perf_counter()
    for n, i in enumerate(picked):
        s = samples[i]
        x = ex.model_input(s.data)
        by_criterion = study(ex.model, x, layout, rng, criteria)
        for c in criteria:
            rows[c].append({"sample_id": s.sample_id, "label": int(s.label), **by_criterion[c]})
        if n % a.random_every == 0:
            kept.append((x, by_criterion))
        if (n + 1) % 10 == 0:
            print(f"{a.dataset}: {n + 1}/{len(picked)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    randomisation = randomisation_study(ex.model, kept, layout, criteria)
    summaries = {}
    for c in criteria:
        summaries[c] = summarise(rows[c])
        summaries[c]["top1"] = float(np.mean([r["target"] == r["label"] for r in rows[c]]))
        summaries[c]["randomisation"] = randomisation[c]
    meta = {"command": "python -m experiments.attribution_benchmark " + " ".join(sys.argv[1:]),
            "commit": head_commit(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "dataset": a.dataset, "split": a.split, "checkpoint": checkpoint, "seconds": time.perf_counter() - t0,
            "split_size": len(samples), "every": a.every, "criterion": criteria[0]}
    out = {**meta, **summaries[criteria[0]], "rows": [jsonable(r) for r in rows[criteria[0]]]}
    if len(criteria) > 1:
        out["compared"] = jsonable(summaries)
    return out


def merge_runs(runs: list[dict], command: str) -> dict:
    """Kept runs of disjoint parts of one split (e.g. ``--every 2`` with ``--offset`` 0 and 1) joined
    into one: every summary recomputed from the joined per-sequence rows; the model randomisation,
    an aggregate, taken from the first run that measured it on more than one sequence."""
    first = runs[0]
    if any((r["dataset"], r["split"], r["checkpoint"], r["criterion"]) !=
           (first["dataset"], first["split"], first["checkpoint"], first["criterion"]) for r in runs):
        raise SystemExit("--merge: the runs differ in dataset, split, checkpoint or criterion")
    rows = [row for r in runs for row in r["rows"]]
    ids = [row["sample_id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise SystemExit("--merge: the runs overlap (a sequence studied twice)")
    summary = summarise(rows)
    summary["top1"] = float(np.mean([r["target"] == r["label"] for r in rows]))
    randomisation = next((r["randomisation"] for r in runs if r["randomisation"] and r["randomisation"][0]["n"] > 1),
                         first["randomisation"])
    meta = {k: first[k] for k in ("dataset", "split", "checkpoint", "split_size", "criterion")}
    meta.update({"command": command + " (joining: " + "; ".join(r["command"] for r in runs) + ")",
                 "commit": head_commit(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 "seconds": sum(r["seconds"] for r in runs),
                 "every": 1 if len(rows) == first["split_size"] else first["every"]})
    return {**meta, **summary, "randomisation": randomisation, "rows": rows}


def jsonable(r: dict) -> dict:
    return json.loads(json.dumps(r, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


# --- the results files ----------------------------------------------------------------------
def report_lines(d: dict) -> list[str]:
    f, z = d["frozen"], d["zeroed"]

    def vs(block: dict, m: str) -> str:
        v = block["vs"][m]
        return f"{v['diff']:+.3f} [{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}], wins {v['wins']:.0%}"

    sf, sb = d["span_frozen"], d["span_bridged"]
    every = d.get("every", 1)
    scope = "the whole split" if every == 1 else f"every {'second' if every == 2 else f'{every}th'} of {d['split_size']}"
    lines = [f"## {d['dataset']} {d['split']} ({d['n']} sequences: {scope})", "",
             f"- command: `{d['command']}`", f"- commit {d['commit']}, {d['date']}, {d['seconds'] / 60:.0f} min",
             f"- encoder: {d['checkpoint']} (top-1 {d['top1']:.1%}; mean probability of its class {d['base_mean']:.3f})",
             f"- criterion ranking the candidate sets within a size: {d.get('criterion', 'probability')}; the number "
             "shown and measured below is always the drop of the predicted class's probability",
             f"- cited set: {d['cited_joints_mean']:.1f} joints on average; one unit {d['cited_units']['1']}, "
             f"two units {d['cited_units']['2']}; shown as what the model relied on (drop >= {MIN_EFFECT}) "
             f"in {d['shown']:.0%}", f"- most cited: {most_cited(d['rows'])}", "",
             "Mean drop of the predicted class's probability when k joints are frozen (k = the cited set's joints); "
             "cited minus each other explainer with its bootstrap 95 % CI and the share of sequences where cited drops it more:", "",
             "| explainer (k joints) | frozen (the explainer's perturbation) | cited minus it | zeroed (held out) | cited minus it |",
             "|---|---|---|---|---|",
             f"| **cited set** (joint search over units and pairs) | **{f['cited']:.3f}** | | **{z['cited']:.3f}** | |"]
    names = {"motion": "top-k motion energy (never looks at the model)", "occlusion": "top-k single-joint occlusion",
             "random": f"k random joints (mean of {RANDOM_DRAWS})"}
    lines += [f"| {names[m]} | {f[m]:.3f} | {vs(f, m)} | {z[m]:.3f} | {vs(z, m)} |" for m in names]
    lines += ["", f"Span (windows of a quarter or half of the clip; the cited one is on average "
                  f"{d['span_length_frac']:.0%} of it):", "",
              "| span perturbation | cited span | other windows of its length (mean) | difference, 95 % CI | cited is the best of its length |",
              "|---|---|---|---|---|",
              f"| frozen (the explainer's own: best by construction) | {sf['cited']:.3f} | {sf['others']:.3f} | "
              f"{sf['cited'] - sf['others']:+.3f} [{sf['diff_ci95'][0]:+.3f}, {sf['diff_ci95'][1]:+.3f}] | {sf['best_of_length']:.0%} |",
              f"| straight line across the window (held out) | {sb['cited']:.3f} | {sb['others']:.3f} | "
              f"{sb['cited'] - sb['others']:+.3f} [{sb['diff_ci95'][0]:+.3f}, {sb['diff_ci95'][1]:+.3f}] | {sb['best_of_length']:.0%} |",
              "", "Model randomisation, cascading from the top (overlap = Jaccard over joints of the cited set with the "
              "trained model's; chance = its mean overlap with every candidate set of the same size):", "",
              "| weights re-initialised | sequences | overlap | identical set | chance | overlap minus chance, 95 % CI "
              f"| shown (drop >= {MIN_EFFECT}) |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['randomised']} | {r['n']} | {r['overlap']:.3f} | {r['identical']:.0%} | {r['chance']:.3f} | "
              f"[{r['overlap_minus_chance_95'][0]:+.3f}, {r['overlap_minus_chance_95'][1]:+.3f}] | "
              f"{format(r['shown'], '.0%') if 'shown' in r else 'not measured'} |" for r in d["randomisation"]]
    return lines + [""] + criteria_lines(d.get("compared", {}))


def criteria_lines(compared: dict) -> list[str]:
    """One row per criterion of the same run: the frozen probability drop of its cited set against
    motion energy and single-joint occlusion, and its randomisation overlap minus chance per stage."""
    if not compared:
        return []
    stages = [r["randomised"] for r in next(iter(compared.values()))["randomisation"]]
    lines = ["Criteria compared on these sequences (cited set chosen by each; frozen probability drop, cited minus "
             "the other explainer with its 95 % CI; randomisation: overlap / chance per stage, * = CI of the "
             "excess above 0):", "",
             "| criterion | joints | cited | vs motion energy | vs single-joint occlusion | vs motion energy, zeroed | "
             + " | ".join(stages) + " |", "|---" * (6 + len(stages)) + "|"]
    for c, d in compared.items():
        def vs(block: dict, m: str) -> str:
            v = block["vs"][m]
            return f"{v['diff']:+.3f} [{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}]"
        rand = [f"{r['overlap']:.3f} / {r['chance']:.3f}{'*' if r['overlap_minus_chance_95'][0] > 0 else ''}"
                for r in d["randomisation"]]
        lines.append(f"| {c} | {d['cited_joints_mean']:.1f} | {d['frozen']['cited']:.3f} | {vs(d['frozen'], 'motion')} | "
                     f"{vs(d['frozen'], 'occlusion')} | {vs(d['zeroed'], 'motion')} | " + " | ".join(rand) + " |")
    return lines + [""]


def most_cited(rows: list[dict], top: int = 6) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[set_key(tuple(r["cited"]))] = counts.get(set_key(tuple(r["cited"])), 0) + 1
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top])


#: the heading mark of the hand-written summary that is kept at the top of attribution.md, above the tables
SUMMARY_MARK = "(written by hand, summary"


def kept_notes(text: str) -> tuple[str, str]:
    """The hand-written parts of an existing attribution.md: its summary section (heading with
    SUMMARY_MARK, kept above the generated tables) and the other notes (from the first other
    '(written by hand' heading to the end, kept below them); each '' when absent."""
    starts = [i for i in range(len(text)) if text.startswith("\n## ", i)]
    sections = [(a, b) for a, b in zip(starts, starts[1:] + [len(text)])]

    def heading(a: int) -> str:
        return text[a: text.find("\n", a + 1) if text.find("\n", a + 1) >= 0 else len(text)]

    summary = next((text[a:b] for a, b in sections if SUMMARY_MARK in heading(a)), "")
    notes = next((text[a:] for a, _ in sections if "(written by hand" in heading(a) and SUMMARY_MARK not in heading(a)), "")
    if summary and notes.find(summary.strip()) >= 0:        # a summary written among the notes: kept once, at the top
        notes = notes.replace(summary, "\n", 1)
    return summary, notes


def write_results() -> None:
    datasets = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    summary = [{k: v for k, v in d.items() if k != "rows"} for d in datasets]
    (RESULTS / "attribution.json").write_text(json.dumps({"datasets": summary}, indent=1))
    path = RESULTS / "attribution.md"
    top, notes = kept_notes(path.read_text()) if path.exists() else ("", "")
    lines = ["# Attribution that means what it shows", "",
             "Generated by `experiments/attribution_benchmark.py` (see its docstring for the method); "
             "per-sequence rows in `experiments/results/attribution_runs/` (not committed)."]
    lines += ["", top.strip("\n"), ""] if top else [""]
    for d in datasets:
        lines += report_lines(d)
    path.write_text("\n".join(lines) + notes)
    print("\n".join(lines))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="nw-ucla")
    p.add_argument("--split", default="test")
    p.add_argument("--checkpoint", default=None, help="default: the shipped NW-UCLA encoder")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--every", type=int, default=1, help="every k-th test sequence (CPU time); 1 = the whole split")
    p.add_argument("--offset", type=int, default=0, help="start at this test sequence (with --every 2: 1 = the "
                   "other half; halves are joined with --merge)")
    p.add_argument("--random-every", type=int, default=8, help="model randomisation on every k-th studied sequence")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--criteria", default=CRITERION, help="how the cited set is ranked within its size, comma-separated "
                   f"from {', '.join(CRITERIA)}, each optionally '@<share>' (rank by it only among the sets whose "
                   "probability drop is at least that share of the largest of their size); the first is reported "
                   "in full, all are compared")
    p.add_argument("--name", default=None, help="the kept run's name (default: the dataset's)")
    p.add_argument("--merge", default=None, help="comma-separated kept runs of disjoint parts of one split to join "
                   "into --name (their files are kept)")
    p.add_argument("--report-only", action="store_true", help="rewrite attribution.md/.json from the kept runs")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.merge:
        runs = [json.loads((RUNS / f"{n}.json").read_text()) for n in a.merge.split(",")]
        merged = merge_runs(runs, "python -m experiments.attribution_benchmark " + " ".join(sys.argv[1:]))
        (RUNS / f"{a.name}.json").write_text(json.dumps(merged, indent=1))
    elif not a.report_only:
        RUNS.mkdir(parents=True, exist_ok=True)
        (RUNS / f"{a.name or a.dataset}.json").write_text(json.dumps(run_dataset(a), indent=1))
    write_results()


if __name__ == "__main__":
    main()
