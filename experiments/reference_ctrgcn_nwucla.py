"""Accuracy of the official CTR-GCN code on this machine's NW-UCLA data (cross-view), as a reference
for HGLNet's numbers. Trains nothing of actlm's: the model, the data feeder (augmentation, frame
sampling, normalisation) and the recipe (SGD + Nesterov, lr 0.1, 5 warm-up epochs, step decay,
batch 16, evaluation after every epoch, best epoch reported) all come from a checkout of
https://github.com/Uason-Chen/CTR-GCN and its ``config/ucla/default.yaml``; this script only runs
them on the CPU, which the official ``main.py`` cannot (it calls ``.cuda()`` throughout).

    python -m experiments.reference_ctrgcn_nwucla --reference-repo /path/to/CTR-GCN
    python -m experiments.reference_ctrgcn_nwucla --reference-repo /path/to/CTR-GCN --repeat 2  # shorter

The official recipe passes over the training split ``repeat: 5`` times per epoch for 65 epochs
(331,500 training samples, about 3 hours on 2 CPU cores); ``--repeat`` shortens it and is recorded.
Differences from ``main.py`` that do not change the recipe: data loading in the main process
(``num_workers`` 0, so that ``--resume`` restores every random state and continues to the same
result), the ``np.int`` alias the feeder still uses restored for numpy >= 1.24, and CPU threads set.

Results: ``experiments/results/reference_ctrgcn_nwucla_<tag>.{md,json}`` (command, commits, date, per-epoch
curve) and the best/final test scores in ``experiments/results/reference_ctrgcn_runs/<run>/`` in the format
of actlm's runs, so ``python -m experiments.nwucla_errors --runs 'reference_ctrgcn_runs/*' --tag reference_ctrgcn`` asks where
the reference's mistakes are.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import shlex
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
import yaml
from torch import nn

from actlm.data.nwucla import CLASSES

from experiments.run_archive import RESULTS, archive, handwritten_notes, head_commit

STREAMS = ("joint", "bone", "joint_motion", "bone_motion")  # the feeder tests "bone" / "motion" in the name


def import_class(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def reference_commit(repo: Path) -> str:
    out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def seed_everything(seed: int) -> None:
    """As the official ``init_seed``."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def official_config(repo: Path) -> dict:
    return yaml.safe_load((repo / "config" / "ucla" / "default.yaml").read_text())


def make_feeders(cfg: dict, stream: str, repeat: int, data_root: Path, workdir: Path):
    """The official feeders, reading ``data/NW-UCLA/all_sqe/`` relative to the working directory
    (hard-coded there) through a link to ``data_root``."""
    link = workdir / "data" / "NW-UCLA" / "all_sqe"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(data_root.resolve(), target_is_directory=True)
    if not hasattr(np, "int"):  # removed in numpy 1.24; the official feeder still uses it
        np.int = int  # type: ignore[attr-defined]
    Feeder = import_class(cfg["feeder"])
    train_args = dict(cfg["train_feeder_args"], data_path=stream, repeat=repeat)
    test_args = dict(cfg["test_feeder_args"], data_path=stream)
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        return Feeder(**train_args), Feeder(**test_args)
    finally:
        os.chdir(cwd)


def learning_rate(cfg: dict, epoch: int) -> float:
    """The official ``adjust_learning_rate``: linear warm-up, then step decay."""
    if epoch < cfg["warm_up_epoch"]:
        return cfg["base_lr"] * (epoch + 1) / cfg["warm_up_epoch"]
    return cfg["base_lr"] * cfg["lr_decay_rate"] ** int(np.sum(epoch >= np.array(cfg["step"])))


def rng_state(loader_gen: torch.Generator) -> dict:
    py = random.getstate()
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    return {"python": [py[0], list(py[1]), py[2]], "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), pos, has_gauss, gauss],
            "torch": torch.get_rng_state(), "loader": loader_gen.get_state()}


def restore_rng(state: dict, loader_gen: torch.Generator) -> None:
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(state["torch"])
    loader_gen.set_state(state["loader"])


def train_epoch(model: nn.Module, loader, optimizer, loss_fn) -> tuple[float, float, float]:
    model.train()
    losses, hits, n, t0 = [], 0, 0, time.perf_counter()
    for data, label, _ in loader:
        data, label = data.float(), label.long()
        out = model(data)
        loss = loss_fn(out, label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        hits += int((out.argmax(1) == label).sum())
        n += len(label)
    return float(np.mean(losses)), hits / n, n / (time.perf_counter() - t0)


@torch.no_grad()
def test_logits(model: nn.Module, loader) -> np.ndarray:
    model.eval()
    return np.concatenate([model(data.float()).numpy() for data, _, _ in loader])


def save_scores(path: Path, feeder, logits: np.ndarray) -> None:
    ids = np.array([d["file_name"] for d in feeder.data_dict])
    np.savez(path, sample_ids=ids, labels=np.array(feeder.label, dtype=np.int64), logits=logits.astype(np.float32),
             classes=np.array(CLASSES))


def run(a: argparse.Namespace) -> dict:
    cfg = official_config(a.reference_repo)
    epochs = a.epochs or cfg["num_epoch"]
    repeat = a.repeat or cfg["train_feeder_args"]["repeat"]
    run_dir = Path(a.run_dir) / f"ctrgcn_{a.stream}_r{repeat}_e{epochs}_s{a.seed}"
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(a.threads)
    sys.path.insert(0, str(a.reference_repo.resolve()))
    seed_everything(a.seed)
    train_set, test_set = make_feeders(cfg, a.stream, repeat, a.data, run_dir / "workdir")
    loader_gen = torch.Generator().manual_seed(a.seed)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=cfg["batch_size"], shuffle=True, drop_last=True,
                                               num_workers=0, generator=loader_gen)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=cfg["test_batch_size"], shuffle=False)
    model = import_class(cfg["model"])(**cfg["model_args"])
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg["base_lr"], momentum=0.9, nesterov=cfg["nesterov"],
                                weight_decay=cfg["weight_decay"])
    loss_fn = nn.CrossEntropyLoss()
    history: list[dict] = []
    ckpt = run_dir / "last.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        restore_rng(state["rng"], loader_gen)
        history = json.loads((run_dir / "metrics.json").read_text())
        print(f"resumed {run_dir} after epoch {len(history)}", flush=True)
    best = max((h["test_top1"] for h in history), default=-1.0)
    for epoch in range(len(history), epochs):
        lr = learning_rate(cfg, epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr
        t0 = time.perf_counter()
        loss, train_acc, sps = train_epoch(model, train_loader, optimizer, loss_fn)
        train_s = time.perf_counter() - t0
        logits = test_logits(model, test_loader)
        top1 = float((logits.argmax(1) == np.array(test_set.label)).mean())
        history.append({"epoch": epoch + 1, "lr": lr, "loss": round(loss, 5), "train_top1": round(train_acc, 5),
                        "test_top1": top1, "train_s": round(train_s, 1), "samples_per_s": round(sps, 1)})
        if top1 > best:
            best = top1
            save_scores(run_dir / "test_scores.npz", test_set, logits)
        save_scores(run_dir / "test_scores_last.npz", test_set, logits)
        tmp = run_dir / "last.pt.tmp"
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "rng": rng_state(loader_gen)}, tmp)
        (run_dir / "metrics.json").write_text(json.dumps(history, indent=1))
        tmp.replace(ckpt)
        print(f"epoch {epoch + 1}/{epochs} lr {lr:.4f} loss {loss:.4f} train {train_acc:.4f} test {top1:.4f} "
              f"(best {best:.4f}) {train_s:.0f}s {sps:.1f} samples/s", flush=True)
    return {"run_dir": run_dir, "history": history, "epochs": epochs, "repeat": repeat, "cfg": cfg,
            "train_sequences": len(train_set.data_dict),
            "params": sum(p.numel() for p in model.parameters() if p.requires_grad)}


def report(a: argparse.Namespace, res: dict, command: str) -> tuple[str, dict]:
    h = res["history"]
    best = max(h, key=lambda r: r["test_top1"])
    summary = {
        "command": command, "commit": head_commit(), "reference_commit": reference_commit(a.reference_repo),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "stream": a.stream, "seed": a.seed,
        "epochs": res["epochs"], "repeat": res["repeat"], "official_repeat": res["cfg"]["train_feeder_args"]["repeat"],
        "training_samples": res["epochs"] * res["repeat"] * res["train_sequences"], "parameters": res["params"],
        "best_top1": best["test_top1"], "best_epoch": best["epoch"], "final_top1": h[-1]["test_top1"],
        "last5_mean": float(np.mean([r["test_top1"] for r in h[-5:]])),
        "train_minutes": round(sum(r["train_s"] for r in h) / 60, 1),
        "median_samples_per_s": float(np.median([r["samples_per_s"] for r in h])), "curve": [r["test_top1"] for r in h],
    }
    s = summary
    md = [f"# Official CTR-GCN on NW-UCLA cross-view, trained on this 2-core CPU ({a.stream}, seed {a.seed})", "",
          f"- command: `{command}` at commit {s['commit']} (CTR-GCN checkout {s['reference_commit']}); date {s['date']}",
          f"- recipe: the checkout's `config/ucla/default.yaml` (model, feeder, SGD + Nesterov, lr 0.1, warm-up 5, "
          f"step decay at {res['cfg']['step']}, batch 16); {s['epochs']} epochs with the training split repeated "
          f"{s['repeat']}x per epoch (official: {s['official_repeat']}x), {s['training_samples']:,} training samples",
          f"- {s['parameters']:,} parameters; {s['train_minutes']} training minutes, median "
          f"{s['median_samples_per_s']:.1f} samples/s", "",
          "| best top-1 (epoch) | final top-1 | last 5 epochs mean |", "|---|---|---|",
          f"| {100 * s['best_top1']:.2f}% ({s['best_epoch']}) | {100 * s['final_top1']:.2f}% | {100 * s['last5_mean']:.2f}% |", "",
          "Accuracy curve (test top-1 per epoch):", "", " ".join(f"{v:.3f}" for v in s["curve"]), ""]
    return "\n".join(md), summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference-repo", type=Path, required=True, help="checkout of the official CTR-GCN code")
    ap.add_argument("--data", type=Path, default=Path("../shared/data/nw-ucla/all_sqe"),
                    help="folder of the NW-UCLA JSON files (the CTR-GCN layout)")
    ap.add_argument("--stream", choices=STREAMS, default="joint")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=None, help="default: the official config's num_epoch (65)")
    ap.add_argument("--repeat", type=int, default=None, help="passes over the training split per epoch (official: 5)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--run-dir", default="runs/reference", help="checkpoints (resumable: re-run the same command)")
    ap.add_argument("--tag", default=None, help="results name suffix (default: <stream>_r<repeat>_s<seed>)")
    a = ap.parse_args()
    if not (a.reference_repo / "feeders" / "feeder_ucla.py").exists():
        sys.exit(f"{a.reference_repo}: not a CTR-GCN checkout (feeders/feeder_ucla.py is missing)")
    if not a.data.is_dir() or not any(a.data.glob("*.json")):
        sys.exit(f"{a.data}: no NW-UCLA JSON files there")
    command = "python -m experiments.reference_ctrgcn_nwucla " + " ".join(
        shlex.quote(x) for x in sys.argv[1:]).replace(shlex.quote(str(a.reference_repo)), "CTR-GCN")
    t0 = time.time()
    res = run(a)
    md, summary = report(a, res, command)
    summary["wall_s"] = round(time.time() - t0, 1)
    tag = a.tag or f"{a.stream}_r{res['repeat']}_s{a.seed}"
    out = RESULTS / f"reference_ctrgcn_nwucla_{tag}"
    notes = handwritten_notes(out.with_suffix(".md"))
    out.with_suffix(".md").write_text(md + notes)
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    archive(res["run_dir"], RESULTS / "reference_ctrgcn_runs" / res["run_dir"].name,
            ("test_scores.npz", "test_scores_last.npz", "metrics.json"))
    print(md)


if __name__ == "__main__":
    main()
