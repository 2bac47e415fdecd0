"""How much class information do the descriptions carry? A linear probe on NW-UCLA cross-view.

The skeleton-language model can only learn from its descriptions what they say about the action.
This measures it directly, without training a skeleton model: descriptions of the training
split (views 1+2) and the test split (view 3); a logistic regression on their sentence embeddings
(the text encoder HocSLM uses) fitted on the training descriptions and scored on the test ones.
For the kinematic describer also on the bag of measured (body part, motion) facts behind the text.

    python -m experiments.description_probe                              # kinematic, computed on the fly
    python -m experiments.description_probe --backend openai --model qwen2-vl --prompt-version 1
        # descriptions from the cache (`actlm describe nw-ucla --backend ... --split all` first)

Writes experiments/results/description_probe[_<backend>].{json,md} with the command, commit and date.
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

import numpy as np
import torch
import torch.nn.functional as F

from actlm.data import load
from actlm.language.cache import DescriberKey, DescriptionCache
from actlm.explain.facts import kinematic_facts, narrate
from actlm.language.text_encoder import TextEncoder


def kinematic_descriptions(ds) -> tuple[list[str], list[set[tuple[str, str]]]]:
    """Description text and the set of (part, motion) facts of every sample (empty if undescribable)."""
    texts, bags = [], []
    for i in range(len(ds)):
        try:
            facts = kinematic_facts(ds[i].data, ds.layout)
        except ValueError:
            facts = []
        texts.append(narrate(facts) if facts else "")
        bags.append({(f.part, f.motion) for f in facts})
    return texts, bags


def cached_descriptions(ds, key: DescriberKey, cache: DescriptionCache) -> list[str]:
    found = cache.get_many(key, ds.sample_ids)
    return [found.get(sid, "") for sid in ds.sample_ids]


def linear_probe(train_x: torch.Tensor, train_y: np.ndarray, test_x: torch.Tensor, test_y: np.ndarray,
                 classes: int, l2: float = 1e-3) -> dict[str, float]:
    """Multinomial logistic regression (L-BFGS, L2 penalty); train and test top-1."""
    ytr, yte = torch.as_tensor(train_y), torch.as_tensor(test_y)
    weight = torch.zeros(train_x.shape[1], classes, requires_grad=True)
    bias = torch.zeros(classes, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=500)

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(train_x @ weight + bias, ytr) + l2 * weight.square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        return {"train_top1": round(((train_x @ weight + bias).argmax(1) == ytr).float().mean().item(), 4),
                "test_top1": round(((test_x @ weight + bias).argmax(1) == yte).float().mean().item(), 4)}


def bag_matrix(bags: list[set], vocabulary: dict) -> torch.Tensor:
    x = torch.zeros(len(bags), len(vocabulary))
    for row, bag in enumerate(bags):
        for fact in bag:
            if fact in vocabulary:
                x[row, vocabulary[fact]] = 1.0
    return x


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="nw-ucla")
    p.add_argument("--backend", default="kinematic", help="kinematic (computed here) or a cached backend")
    p.add_argument("--model", default="", help="describer model of the cached descriptions")
    p.add_argument("--prompt-version", default="1")
    p.add_argument("--text-encoder", default="minilm")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    train, test = load(a.dataset, split="train"), load(a.dataset, split="test")
    y_train, y_test = np.asarray(train.labels), np.asarray(test.labels)
    probes = {}
    if a.backend == "kinematic":
        (train_texts, train_bags), (test_texts, test_bags) = kinematic_descriptions(train), kinematic_descriptions(test)
        vocabulary = {fact: i for i, fact in enumerate(sorted(set().union(*train_bags)))}
        probes["bag of (part, motion) facts"] = linear_probe(bag_matrix(train_bags, vocabulary), y_train,
                                                             bag_matrix(test_bags, vocabulary), y_test, len(train.classes))
        probes["bag of (part, motion) facts"]["features"] = len(vocabulary)
    else:
        cache = DescriptionCache()
        key = DescriberKey(train.name, a.backend, a.model, a.prompt_version)
        train_texts, test_texts = cached_descriptions(train, key, cache), cached_descriptions(test, key, cache)
    coverage = {"train": sum(map(bool, train_texts)), "test": sum(map(bool, test_texts))}
    if not coverage["train"] or not coverage["test"]:
        raise SystemExit(f"no cached descriptions for {a.backend}/{a.model} on both splits ({coverage}); "
                         f"run `actlm describe {a.dataset} --backend {a.backend} --split all` first")
    encoder = TextEncoder(a.text_encoder)
    with torch.no_grad():
        train_x, test_x = (encoder.encode([t or "." for t in texts])[2] for texts in (train_texts, test_texts))
    probes[f"sentence embedding ({a.text_encoder})"] = linear_probe(train_x, y_train, test_x, y_test, len(train.classes))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {"command": "python " + shlex.join(sys.argv), "commit": commit,
              "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "dataset": a.dataset, "protocol": f"fit on {train.name}/{train.split_name} ({len(train)}), "
                                                f"score on {test.name}/{test.split_name} ({len(test)})",
              "backend": a.backend, "model": a.model, "described": coverage, "probes": probes,
              "examples": {train.classes[int(y_test[i])]: test_texts[i] for i in
                           sorted({int(c): i for i, c in enumerate(y_test)}.values())},
              "seconds": round(time.perf_counter() - start, 1)}
    out = Path("experiments/results") / ("description_probe" + ("" if a.backend == "kinematic" else f"_{a.backend}"))
    out.with_suffix(".json").write_text(json.dumps(result, indent=1))
    lines = [f"# How much class information the {a.backend} descriptions carry ({a.dataset}, linear probe)", "",
             f"- command: `{result['command']}`", f"- commit {commit}, date {result['date']}, {result['seconds']} s",
             f"- protocol: {result['protocol']}; described: {coverage['train']} train / {coverage['test']} test", "",
             "| features | train top-1 | test top-1 |", "|---|---|---|"]
    lines += [f"| {name} | {r['train_top1']:.1%} | {r['test_top1']:.1%} |" for name, r in probes.items()]
    lines += ["", "One test description per class:", ""]
    lines += [f"- {name}: {text}" for name, text in result["examples"].items()]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
