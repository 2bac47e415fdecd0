"""Are actlm's explanations true of the sample and of the model? Measured over a whole test split.

    python -m experiments.explain_benchmark --checkpoint CKPT [--dataset nw-ucla] [--lm-samples 20]

For every test sequence: the grounded explanation (actlm.explain, no language model),
then
- claim precision: claims parsed from the text (class names removed first: 'Not sit down' names a
  class, it does not claim a sitting motion) (explain.claims lexicon) supported by the
  sample's measured facts, and the share of explanations with at least one checkable claim;
- causal faithfulness: the predicted class's probability after freezing, at their first-frame
  position, the joints of the body parts the explanation cites, against freezing the same
  number of randomly chosen joints (3 draws); and a deletion curve (joints frozen in attribution
  order vs random order); the attribution's own benchmark, against explainers of the same size
  (motion energy, single-joint occlusion), its span and the model-randomisation check, is
  experiments/attribution_benchmark.py;
- contrast: close calls (runner-up >= 10 %) and the share whose explanation names a separating
  measured cue (true of the sample by construction: it is re-measured, not predicted);
- latency per sample (evidence + template), and with --lm-samples N the embedded SmolLM2 writing
  the sentence from the evidence (then verified) on N sequences;
- with --reasoner DIR (the shipped reasoner or a reasoner run): its top-1 over the whole split
  beside its encoder's (from the run's eval.json / the folder's ABOUT.json), and on the same N
  sequences its answers as shown to a user (verified), with their latency.
Writes experiments/results/<name>.json and .md with command, commit and date.
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

from actlm import data as actlm_data
from actlm.data.layouts import get_layout
from actlm.explain.attribution import freeze_joints, part_joints
from actlm.explain.claims import faithfulness
from actlm.explain.explainer import Explainer
from actlm.explain.verify import without_class_names
from actlm.reasoner.writer import write_with_lm

from .run_archive import head_commit

RESULTS = Path(__file__).parent / "results"


def probability(model: torch.nn.Module, xs: torch.Tensor, target: int) -> np.ndarray:
    with torch.no_grad():
        return model(xs).softmax(1)[:, target].numpy()


def zero_joints(x: torch.Tensor, joints) -> torch.Tensor:
    """The joints set to the body-frame origin (a different perturbation from the explainer's freezing)."""
    out = x.clone()
    out[:, :, :, list(joints)] = 0
    return out


def masking_study(ex: Explainer, x: torch.Tensor, ev, target: int, rng: np.random.Generator, curve: bool) -> dict:
    """Probability drops for the cited parts vs as many random joints (frozen, and zeroed; 3 random
    draws each); with ``curve``, deletion curves: parts frozen in the explanation's order vs one
    random order."""
    layout = get_layout(ex.layout)
    v = layout.num_joints
    groups = part_joints(layout)
    cited = sorted({j for part in ev.used_parts for j in groups[part]})
    randoms = [rng.choice(v, size=len(cited), replace=False) for _ in range(3)]
    batch = [x[0], freeze_joints(x, cited)[0], zero_joints(x, cited)[0]]
    batch += [freeze_joints(x, r)[0] for r in randoms] + [zero_joints(x, r)[0] for r in randoms]
    steps = list(range(0, v + 1, 4)) if curve else []
    if curve:
        ranked = list(ev.parts) + [p for p in groups if p not in ev.parts]
        order = list(dict.fromkeys(j for part in ranked for j in groups[part]))
        order += [j for j in range(v) if j not in order]
        shuffled = list(rng.permutation(v))
        batch += [freeze_joints(x, order[:k])[0] for k in steps] + [freeze_joints(x, shuffled[:k])[0] for k in steps]
    p = probability(ex.model, torch.stack(batch), target)
    base, n = p[0], len(randoms)
    rest = p[3 + 2 * n:]
    return {"base": float(base), "drop_cited": float(base - p[1]), "drop_cited_zero": float(base - p[2]),
            "drop_random": float(base - p[3:3 + n].mean()), "drop_random_zero": float(base - p[3 + n:3 + 2 * n].mean()),
            "cited_joints": len(cited), "curve": rest[:len(steps)].tolist(), "random_curve": rest[len(steps):].tolist(),
            "steps": steps}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--dataset", default="nw-ucla")
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--lm-samples", type=int, default=0)
    p.add_argument("--mask-every", type=int, default=1, help="masking study on every k-th sequence (CPU time)")
    p.add_argument("--curve-every", type=int, default=1, help="deletion curve on every k-th sequence")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reasoner", default=None, help="a reasoner folder or run: its test numbers (ABOUT.json or "
                   "eval.json) and, on --lm-samples sequences, its verified answers and their latency")
    p.add_argument("--name", default="explanations")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    ex = Explainer(a.checkpoint)
    samples = actlm_data.load(a.dataset, split=a.split)
    n = len(samples) if a.limit is None else min(a.limit, len(samples))
    rng = np.random.default_rng(0)
    rows, latency, skipped, lm_evidence, lm_samples = [], [], [], [], []
    for i in range(n):
        s = samples[i]
        t0 = time.perf_counter()
        try:
            ev, text = ex.explain(s.data, s.sample_id, ex.classes[s.label])
        except Exception as exc:   # a bad sample is reported and skipped, the study goes on
            skipped.append(f"{s.sample_id}: {exc}")
            continue
        latency.append(time.perf_counter() - t0)
        if len(lm_evidence) < a.lm_samples:
            lm_evidence.append(ev)
            lm_samples.append((s.sample_id, s.data, ex.classes[s.label]))
        faith = faithfulness(without_class_names(text, ex.classes), ev.facts)   # class names are not claims
        mask = (masking_study(ex, ex.model_input(s.data), ev, ex.classes.index(ev.action), rng, i % a.curve_every == 0)
                if i % a.mask_every == 0 else {})
        rows.append({"sample_id": s.sample_id, "label": ev.label, "action": ev.action, "correct": ev.label == ev.action,
                     "confidence": ev.confidence, "runner_up": ev.runner_up, "runner_up_confidence": ev.runner_up_confidence,
                     "close_call": ev.close_call, "cue": ev.cue, "cue_fact": ev.cue_fact,
                     "parts": ev.used_parts, "claims": faith["claims"], "supported": faith["supported"],
                     "text": text, **mask})
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{n} explained", file=sys.stderr)
    report = summarise(rows, latency, skipped, a)
    if a.lm_samples:
        report["lm"] = lm_study(lm_evidence)
    if a.reasoner:
        report["reasoner"] = reasoner_study(Path(a.reasoner), lm_samples)
    write(report, rows, a)


def summarise(rows: list[dict], latency: list[float], skipped: list[str], a) -> dict:
    claims = sum(r["claims"] for r in rows)
    supported = sum(r["supported"] for r in rows)
    masked = [r for r in rows if "drop_cited" in r]
    curved = [r for r in masked if r["curve"]]
    drop_c = np.array([r["drop_cited"] for r in masked])
    drop_r = np.array([r["drop_random"] for r in masked])
    close = [r for r in rows if r["close_call"]]
    curve = np.array([r["curve"] for r in curved]).mean(0)
    rand = np.array([r["random_curve"] for r in curved]).mean(0)
    boot = np.random.default_rng(1).integers(0, len(masked), (1000, len(masked)))
    ratios = drop_c[boot].mean(1) / np.maximum(drop_r[boot].mean(1), 1e-9)
    drop_cz = np.array([r["drop_cited_zero"] for r in masked])
    drop_rz = np.array([r["drop_random_zero"] for r in masked])
    return {
        "checkpoint": a.checkpoint, "dataset": a.dataset, "split": a.split, "n": len(rows), "skipped": skipped,
        "top1": float(np.mean([r["correct"] for r in rows])),
        "claim_precision": supported / claims if claims else None, "claims": claims,
        "share_with_checkable_claim": float(np.mean([r["claims"] > 0 for r in rows])),
        "drop_cited_mean": float(drop_c.mean()), "drop_cited_sd": float(drop_c.std()),
        "drop_random_mean": float(drop_r.mean()), "drop_random_sd": float(drop_r.std()),
        "drop_ratio": float(drop_c.mean() / max(drop_r.mean(), 1e-9)),
        "drop_ratio_bootstrap_95": [float(np.percentile(ratios, 2.5)), float(np.percentile(ratios, 97.5))],
        "drop_cited_zero_mean": float(drop_cz.mean()), "drop_random_zero_mean": float(drop_rz.mean()),
        "drop_ratio_zero": float(drop_cz.mean() / max(drop_rz.mean(), 1e-9)),
        "masked_sequences": len(masked), "curve_sequences": len(curved),
        "cited_joints_mean": float(np.mean([r["cited_joints"] for r in masked])),
        "deletion_steps": curved[0]["steps"], "deletion_curve": curve.tolist(), "deletion_curve_random": rand.tolist(),
        "deletion_auc": float(curve.mean()), "deletion_auc_random": float(rand.mean()),
        "close_calls": len(close), "close_calls_with_cue": sum(r["cue"] is not None for r in close),
        "latency_s_median": float(np.median(latency)), "latency_s_p90": float(np.percentile(latency, 90)),
    }


def lm_study(evidences: list) -> dict:
    """The embedded SmolLM2 writes the sentence from the evidence; verify() filters it."""
    from actlm.language.lm import load_causal_lm

    lm, tok = load_causal_lm(None)
    out, times, kept, removed = [], [], 0, 0
    for ev in evidences:
        t0 = time.perf_counter()
        text, dropped = write_with_lm(ev, lm, tok)
        times.append(time.perf_counter() - t0)
        f = faithfulness(text, ev.facts)
        kept += f["claims"]
        removed += len(dropped)
        out.append({"sample_id": ev.sample_id, "verified": text, "removed": dropped, "claims": f["claims"],
                    "supported": f["supported"]})
    return {"n": len(evidences), "latency_s_median": float(np.median(times)), "claims_kept": kept,
            "clauses_removed": removed, "claim_precision_after_verify":
            (sum(o["supported"] for o in out) / kept) if kept else None,
            "empty_after_verify": sum(not o["verified"] for o in out), "examples": out}


def reasoner_study(folder: Path, samples: list) -> dict:
    """The LoRA reasoner: its class decision over the whole test split beside the encoder's (from
    the training run's eval.json, or the ABOUT.json of a shipped folder), and on ``samples`` its
    answers as a user sees them (verified) with their latency."""
    from actlm.reasoner.model import Reasoner

    numbers = folder / "ABOUT.json" if (folder / "ABOUT.json").exists() else folder / "eval.json"
    scored = json.loads(numbers.read_text())
    model = Reasoner.from_pretrained(folder)
    out, times = [], []
    for sid, data, label in samples:
        t0 = time.perf_counter()
        ans = model.answer(data, sid, label)
        times.append(time.perf_counter() - t0)
        raw = faithfulness(without_class_names(ans["raw"], model.classes), [])   # claims in the raw text
        said = faithfulness(ans["says"], model.evidence(data, sid).facts) if ans["says"] else {"claims": 0, "supported": 0}
        out.append({"sample_id": sid, "label": label, "action": ans["action"], "raw": ans["raw"], "says": ans["says"],
                    "removed": ans["removed"], "raw_claims": raw["claims"], "claims": said["claims"],
                    "supported": said["supported"]})
    kept = sum(o["claims"] for o in out)
    return {"folder": str(folder), "n_test": scored.get("n"), "top1": scored.get("top1"),
            "encoder_top1": scored.get("encoder_top1"), "agreement_with_encoder": scored.get("agreement_with_encoder"),
            "seconds_per_decision": scored.get("seconds_per_decision"), "n": len(out),
            "latency_s_median": float(np.median(times)) if times else None,
            "fully_verified": sum(bool(o["says"]) and not o["removed"] for o in out),
            "empty_after_verify": sum(not o["says"] for o in out),
            "claims_kept": kept, "claim_precision_after_verify": sum(o["supported"] for o in out) / kept if kept else None,
            "examples": out}


def pick_examples(rows: list[dict], k: int = 20) -> list[dict]:
    wrong = [r for r in rows if not r["correct"]]
    right = [r for r in rows if r["correct"]]
    step_w = max(len(wrong) // 8, 1)
    step_r = max(len(right) // (k - min(8, len(wrong))), 1)
    return right[::step_r][: k - min(8, len(wrong))] + wrong[::step_w][:8]


def write(report: dict, rows: list[dict], a) -> None:
    RESULTS.mkdir(exist_ok=True)
    meta = {"command": "python -m experiments.explain_benchmark " + " ".join(sys.argv[1:]), "commit": head_commit(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    examples = pick_examples(rows)
    (RESULTS / f"{a.name}.json").write_text(json.dumps({**meta, **report, "examples": examples}, indent=1))
    r = report
    lines = [f"# Grounded explanations on {r['dataset']} {r['split']} ({r['n']} sequences)", "",
             f"- command: `{meta['command']}`", f"- commit {meta['commit']}, {meta['date']}",
             f"- encoder: {r['checkpoint']}, top-1 {r['top1']:.2%}; skipped: {len(r['skipped'])}", "",
             "| measure | value |", "|---|---|",
             f"| claim precision (claims true of the sample) | {r['claim_precision']:.3f} ({r['claims']} claims) |",
             f"| explanations with >= 1 checkable claim | {r['share_with_checkable_claim']:.1%} |",
             f"| masking study: sequences (every {a.mask_every}th) / deletion curves (every {a.curve_every}th) | "
             f"{r['masked_sequences']} / {r['curve_sequences']} |",
             f"| probability drop, cited parts frozen ({r['cited_joints_mean']:.1f} joints on average) | "
             f"{r['drop_cited_mean']:.3f} ± {r['drop_cited_sd']:.3f} |",
             f"| probability drop, as many random joints frozen | {r['drop_random_mean']:.3f} ± {r['drop_random_sd']:.3f} |",
             f"| ratio cited / random (bootstrap 95 %) | **{r['drop_ratio']:.2f}x** "
             f"[{r['drop_ratio_bootstrap_95'][0]:.2f}, {r['drop_ratio_bootstrap_95'][1]:.2f}] |",
             f"| same, joints zeroed in the body frame instead of frozen: cited / random | "
             f"{r['drop_cited_zero_mean']:.3f} / {r['drop_random_zero_mean']:.3f} = **{r['drop_ratio_zero']:.2f}x** |",
             f"| deletion curve area, explanation's part order vs random | {r['deletion_auc']:.3f} vs {r['deletion_auc_random']:.3f} |",
             f"| close calls (runner-up >= 10 %) with a measured separating cue | {r['close_calls_with_cue']}/{r['close_calls']} |",
             f"| latency per sample, evidence + text, no LM (median, p90) | {r['latency_s_median']:.2f} s, {r['latency_s_p90']:.2f} s |"]
    if "lm" in r:
        lm = r["lm"]
        prec = lm["claim_precision_after_verify"]
        lines.append(f"| SmolLM2 writing from the evidence, then verified ({lm['n']} sequences) | "
                     f"{lm['latency_s_median']:.2f} s median; {lm['clauses_removed']} clauses removed, "
                     f"{lm['empty_after_verify']} left empty (template used); precision after verification "
                     f"{prec if prec is None else round(prec, 3)} |")
    if "reasoner" in r:
        rs = r["reasoner"]
        lines += [f"| reasoner (LoRA SmolLM2 reading the evidence) top-1 vs its encoder, whole test split | "
                  f"**{rs['top1']:.2%}** vs {rs['encoder_top1']:.2%} (agree on {rs['agreement_with_encoder']:.1%}; "
                  f"n={rs['n_test']}) |",
                  f"| reasoner answers ({rs['n']} sequences): text fully verified / nothing verified | "
                  f"{rs['fully_verified']} / {rs['empty_after_verify']} |",
                  f"| reasoner: claim precision of what is shown, latency (median, incl. evidence and generation) | "
                  f"{rs['claim_precision_after_verify'] if rs['claim_precision_after_verify'] is None else round(rs['claim_precision_after_verify'], 3)}"
                  f" ({rs['claims_kept']} claims), {rs['latency_s_median']:.2f} s |"]
    lines += ["", "Deletion curve (mean probability of the predicted class; joints frozen at their first-frame position; one random order per sequence):", "",
              "| joints frozen | " + " | ".join(map(str, r["deletion_steps"])) + " |",
              "|---|" + "---|" * len(r["deletion_steps"]),
              "| explanation's part order | " + " | ".join(f"{v:.2f}" for v in r["deletion_curve"]) + " |",
              "| random order | " + " | ".join(f"{v:.2f}" for v in r["deletion_curve_random"]) + " |", "",
              "## Twenty example explanations (12 correct, 8 wrong)", ""]
    for e in examples:
        mark = "correct" if e["correct"] else f"WRONG (label: {e['label']})"
        lines.append(f"- **{e['sample_id']}** ({mark}): {e['text']}")
    if "lm" in r:
        lines += ["", "## SmolLM2 sentences after verification", ""]
        lines += [f"- {o['sample_id']}: {o['verified'] or '(nothing survived; template used)'}"
                  f"{'  — removed: ' + '; '.join(o['removed']) if o['removed'] else ''}" for o in r["lm"]["examples"]]
    if "reasoner" in r:
        lines += ["", "## The reasoner's answers (raw text -> what verification keeps)", ""]
        lines += [f"- {o['sample_id']} -> {o['action']} (label {o['label']}): \"{o['raw']}\" -> "
                  f"{o['says'] or '(nothing kept; the evidence template is shown)'}" for o in r["reasoner"]["examples"]]
    (RESULTS / f"{a.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:20]))


if __name__ == "__main__":
    main()
