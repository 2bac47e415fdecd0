"""Zero-shot skeleton action recognition on NW-UCLA: train on seen classes, recognise unseen ones from text.

Protocol (the shape of SynSE/SMIE/PURLS): the published class splits
``descriptions/purls_label_splits/nw-ucla/rs{8,5}.npy`` (seen) / ``ru{2,5}.npy`` (unseen), 0-based
indices in NW-UCLA's label order. Training: the cross-view train split (views 1+2) restricted
to the seen classes, HocSLM (HGLNet + alignment to the seen classes' text embeddings: a text
classifier over the seen class texts, sample-description contrastive, fused head), config
``nw-ucla/zeroshot_<split>``. Test: view 3.

* ZSL: the unseen classes' test samples, classified among the unseen class texts only (top-1).
* GZSL: every test sample, classified among all the class texts; accuracy on the seen classes'
  samples (S), on the unseen classes' samples (U) and their harmonic mean H = 2SU/(S+U).

The reported checkpoint is the last epoch (``last/``): ``best/`` is chosen on the seen classes'
test accuracy, a test-set choice. Text sources, the same for training and test:

* ``purls``: the GPT-3 descriptions of the PURLS sheet (global, head/hands/torso/legs,
  start/middle/end, and the name; a class is the mean of their embeddings);
* ``kinematic``: the kinematic describer's class texts (the name plus the facts most typical of
  the class's training skeletons). For the unseen classes these are measured from their labelled
  training-view skeletons, which a zero-shot method may not see: a reference, not a zero-shot result;
* ``names``: the class name alone ("A person performs the action '<name>'.");
* ``purls_parts``: the PURLS texts, and the HocSLM also trained with ``part_alignment`` (each body
  region's features matched to the region's text of every class, GAP's idea); scored also by
  ``parts`` (direct averaged with the region cosines).

    python -m experiments.zeroshot_benchmark --splits 8_2 5_5 --sources purls kinematic names purls_parts --threads 1
    python -m experiments.zeroshot_benchmark --collect          # only evaluate finished runs, write results

UTD-MHAD (``--splits utd_22_5 --name zeroshot_utd``): a fixed random 22/5 split shipped with actlm
(``actlm/language/resources/utd-mhad_rs22.txt`` / ``ru5.txt``), cross-subject train/test.

Runs go to runs/zeroshot/<split>_<source>_s<seed>; results to experiments/results/<name>.{md,json}
(default zeroshot_nwucla).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from experiments.run_archive import RESULTS, head_commit

SPLIT_DIR = "descriptions/purls_label_splits/nw-ucla"
#: split -> (dataset, its config, seen classes, unseen classes)
SPLITS = {"8_2": ("nw-ucla", "nw-ucla/zeroshot_8_2", f"{SPLIT_DIR}/rs8.npy", f"{SPLIT_DIR}/ru2.npy"),
          "5_5": ("nw-ucla", "nw-ucla/zeroshot_5_5", f"{SPLIT_DIR}/rs5.npy", f"{SPLIT_DIR}/ru5.npy"),
          "utd_22_5": ("utd-mhad", "utd-mhad/zeroshot_22_5", "utd-mhad_rs22.txt", "utd-mhad_ru5.txt")}
SOURCES = ("purls", "kinematic", "names", "purls_parts")
TRAIN_TEXTS = {"purls": "purls", "names": "names", "kinematic": "null", "purls_parts": "purls"}
#: extra overrides of a source's training run
SOURCE_OVERRIDES = {"purls_parts": ["model.args.part_alignment=true"]}


def run_dir(root: Path, split: str, source: str, seed: int) -> Path:
    return root / f"{split}_{source}_s{seed}"


def train(split: str, source: str, seed: int, root: Path, threads: int, extra: list[str]) -> Path:
    """Train one seen-class HocSLM (skipped when the run has finished)."""
    run = run_dir(root, split, source, seed)
    if (run / "eval.json").exists():
        return run
    cmd = ["actlm", "train", SPLITS[split][1], f"train.seed={seed}", f"train.threads={threads}",
           f"train.work_dir={run}", f"language.class_descriptions={TRAIN_TEXTS[source]}",
           *SOURCE_OVERRIDES.get(source, []), *extra]
    print(" ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True)
    return run


def class_texts_of(source: str, dataset, train_split) -> list:
    """The class texts of ``source`` in the dataset's class order."""
    from actlm.language.class_texts import ClassText, resolve_class_texts

    if source != "kinematic":
        return resolve_class_texts(TRAIN_TEXTS.get(source, source), dataset.name, dataset.classes)
    from actlm.language.cache import DescriberKey, DescriptionCache
    from actlm.language.describers import CLASS_PREFIX, build_describer, describe_dataset

    cache = DescriptionCache()
    describe_dataset(train_split, build_describer("kinematic"), cache)
    found = cache.get_many(DescriberKey(dataset.name, "kinematic", "-", "v1"))
    return [ClassText(c, found[f"{CLASS_PREFIX}{c}"]) for c in dataset.classes]


def scores(model, meta, texts, test_set, encoder) -> dict[str, np.ndarray]:
    """(N, K) scores over ``texts`` of every sample of ``test_set`` by each scoring, and the labels.

    ``direct``: cosine in the checkpoint's skeleton-text space; ``conse``: its classifier's
    probabilities over the seen classes mix their text directions, compared with each class's;
    ``describe``: describe-then-match (the kinematic describer's text of the sample against the
    class texts, in the text encoder's space; no trained weights); ``X+describe``: the
    equal-weight mean of the two log-probabilities."""
    from actlm.data.loader import SkeletonDataset
    from actlm.engine.trainer import predict
    from actlm.language.open_vocab import (SCORERS, class_embeddings, description_logits, fuse_log_probs,
                                           kinematic_descriptions)
    from actlm.language.slm import part_text_embeddings

    class_text = class_embeddings(texts, encoder)
    loader = DataLoader(SkeletonDataset(test_set, meta["test_pipeline"]), batch_size=64)
    out: dict[str, np.ndarray] = {}
    kinds = ["direct", "conse"] + (["parts"] if getattr(model, "part_alignment", False) else [])
    for kind in kinds:
        args = (class_text, part_text_embeddings(texts, encoder)) if kind == "parts" else (class_text,)
        out[kind], out["labels"], index = predict(SCORERS[kind](model, *args).eval(), loader,
                                                  torch.device("cpu"), desc=f"zero-shot ({kind})")
    out["describe"] = description_logits(kinematic_descriptions(test_set), class_text, encoder,
                                         float(model.logit_scale.detach().exp())).numpy()[index]
    for kind in kinds:
        out[f"{kind}+describe"] = fuse_log_probs(out[kind], out["describe"])
    return out


SCORINGS = ("direct", "conse", "describe", "direct+describe", "conse+describe", "parts", "parts+describe")


def evaluate(run: Path, split: str, source: str) -> dict:
    """ZSL top-1 on the unseen classes and GZSL S, U, H over all classes, of ``run``'s last epoch,
    for each scoring."""
    from actlm.data import load
    from actlm.engine import load_checkpoint
    from actlm.language.open_vocab import text_encoder_for
    from actlm.language.zeroshot import ClassSubset, class_indices, complement, harmonic_mean

    model, meta = load_checkpoint(run / "last")
    dataset, _, seen_file, unseen_file = SPLITS[split]
    test, train_split = load(dataset, split="test"), load(dataset, split="train")
    seen, unseen = class_indices(seen_file, test.classes), class_indices(unseen_file, test.classes)
    if complement(seen, test.num_classes) != sorted(unseen):
        raise SystemExit(f"split {split}: {unseen_file} is not the complement of {seen_file}")
    if [test.classes[k] for k in seen] != meta["classes"]:
        raise SystemExit(f"{run}: trained on {meta['classes']}, not the seen classes of split {split}")
    texts, encoder = class_texts_of(source, test, train_split), text_encoder_for(meta)
    zsl = scores(model, meta, [texts[k] for k in unseen], ClassSubset(test, unseen), encoder)
    gzsl = scores(model, meta, texts, test, encoder)
    on_seen = np.isin(gzsl["labels"], seen)
    history = json.loads((run / "metrics.json").read_text())
    out = {"split": split, "source": source, "run": str(run), "epochs": len(history),
           "n_unseen_test": int((~on_seen).sum()), "seen_classifier_top1_last": history[-1].get("test_top1"),
           "unseen_classes": [test.classes[k] for k in unseen]}
    for scoring in (k for k in SCORINGS if k in gzsl):
        hit = gzsl[scoring].argmax(1) == gzsl["labels"]
        s, u = float(hit[on_seen].mean()), float(hit[~on_seen].mean())
        out[scoring] = {"zsl_unseen_top1": float((zsl[scoring].argmax(1) == zsl["labels"]).mean()),
                        "gzsl_seen": s, "gzsl_unseen": u, "gzsl_h": harmonic_mean(s, u)}
    return out


def text_scoring_cost(run: Path, repeats: int = 5) -> dict:
    """Latency of a batch scored by the classifier vs by open-vocabulary text scoring (CPU)."""
    from actlm.data import load
    from actlm.data.loader import SkeletonDataset
    from actlm.engine import load_checkpoint
    from actlm.language.open_vocab import description_logits, kinematic_descriptions, scorer_for

    model, meta = load_checkpoint(run / "last")
    model.eval()
    test = load(meta["dataset"], split="test")
    texts = class_texts_of("purls", test, None)
    t0 = time.perf_counter()
    scorer = scorer_for(model, meta, texts)
    setup = time.perf_counter() - t0
    data = SkeletonDataset(test, meta["test_pipeline"])
    x = torch.stack([data[i][0] for i in range(32)])

    def best_of(fn) -> float:
        times = []
        with torch.no_grad():
            for _ in range(repeats):
                start = time.perf_counter()
                fn(x)
                times.append(time.perf_counter() - start)
        return min(times)
    classifier, text = best_of(model), best_of(scorer)
    batch = test.subset(list(range(32)))
    start = time.perf_counter()
    description_logits(kinematic_descriptions(batch), scorer.class_text, scorer.text_encoder, 1.0)
    return {"batch": 32, "classifier_s": classifier, "text_scoring_s": text, "ratio": text / classifier,
            "describe_s": time.perf_counter() - start, "class_text_setup_s": setup, "threads": torch.get_num_threads()}


def write(results: list[dict], cost: dict | None, command: str, name: str = "zeroshot_nwucla") -> None:
    by_source: dict[str, list[dict]] = {}
    for r in results:
        by_source.setdefault(r["source"], []).append(r)
    means = {source: {scoring: {key: statistics.mean(r[scoring][key] for r in rows) for key in ("zsl_unseen_top1", "gzsl_h")}
                      for scoring in SCORINGS if all(scoring in r for r in rows)} | {"splits": [r["split"] for r in rows]}
             for source, rows in by_source.items()}
    payload = {"command": command, "commit": head_commit(), "date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
               "results": results, "mean_over_splits": means, "text_scoring_cost": cost}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=1))
    datasets = ", ".join(dict.fromkeys(SPLITS[r["split"]][0] for r in results))
    lines = [f"# Zero-shot {datasets} (seen classes trained, unseen recognised from text)", "",
             f"`{command}` at commit {payload['commit']}, {payload['date']}; protocol, sources and scorings: "
             "experiments/zeroshot_benchmark.py. Last epoch of each run, one seed (train.seed=1).", "",
             "ZSL: unseen test samples among the unseen class texts. GZSL: every test sample among all the "
             "class texts; S/U: accuracy on the seen/unseen classes' samples, H their harmonic mean. Scorings: "
             "direct = cosine in the checkpoint's skeleton-text space; conse = the checkpoint's seen-class "
             "probabilities mix the seen class texts (ConSE), compared with each class text; describe = the sample's "
             "kinematic description matched to the class texts (no trained weights); X+describe = equal-weight mean "
             "of both log-probabilities; parts (purls_parts: a HocSLM trained with part_alignment) = direct averaged "
             "with the body-region cosines to each class's head/hands/torso/legs texts. All scorings were compared on this test data (there is no validation "
             "split of unseen classes), so read differences of a few points between them as noise.", "",
             "| split | text source | scoring | ZSL unseen top-1 | GZSL S | GZSL U | GZSL H |", "|---|---|---|---|---|---|---|"]
    for r in results:
        for scoring in (k for k in SCORINGS if k in r):
            m = r[scoring]
            lines.append(f"| {r['split'].replace('_', '/')} | {r['source']} | {scoring} | {m['zsl_unseen_top1']:.1%} | "
                         f"{m['gzsl_seen']:.1%} | {m['gzsl_unseen']:.1%} | {m['gzsl_h']:.1%} |")
    lines += ["", "Mean over the splits run:", "", "| text source | splits | scoring | mean ZSL unseen top-1 | mean GZSL H |",
              "|---|---|---|---|---|"]
    for source, m in means.items():
        lines += [f"| {source} | {', '.join(m['splits'])} | {scoring} | {m[scoring]['zsl_unseen_top1']:.1%} | "
                  f"{m[scoring]['gzsl_h']:.1%} |" for scoring in SCORINGS if scoring in m]
    if cost:
        lines += ["", f"Cost of text scoring (CPU, {cost['threads']} thread(s), batch {cost['batch']}): classifier "
                      f"{cost['classifier_s'] * 1e3:.0f} ms, open-vocabulary text scoring {cost['text_scoring_s'] * 1e3:.0f} ms "
                      f"(x{cost['ratio']:.2f}); describing the batch and encoding its descriptions (describe-then-match) "
                      f"{cost['describe_s'] * 1e3:.0f} ms more; encoding the class texts once: {cost['class_text_setup_s']:.1f} s."]
    lines += ["", "kinematic: the unseen classes' texts are measured from their labelled training-view "
              "skeletons (not available to a zero-shot method): a reference, not a zero-shot result."]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["8_2", "5_5"], choices=list(SPLITS))
    parser.add_argument("--sources", nargs="+", default=list(SOURCES), choices=list(SOURCES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=Path, default=Path("runs/zeroshot"))
    parser.add_argument("--collect", action="store_true", help="only evaluate finished runs")
    parser.add_argument("--name", default="zeroshot_nwucla", help="results file name (experiments/results/NAME.md)")
    parser.add_argument("overrides", nargs="*", help="config overrides for every training run")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for split in args.splits:
        for source in args.sources:
            run = run_dir(args.runs, split, source, args.seed)
            if not args.collect:
                train(split, source, args.seed, args.runs, args.threads, args.overrides)
            if (run / "eval.json").exists():
                results.append(evaluate(run, split, source))
    first = next((Path(r["run"]) for r in results if r["source"] == "purls"), None)
    cost = text_scoring_cost(first) if first else None
    write(results, cost, "python -m experiments.zeroshot_benchmark " + " ".join(sys.argv[1:]), args.name)


if __name__ == "__main__":
    main()
