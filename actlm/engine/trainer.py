"""The one training loop: every model, every dataset, one process or many (DDP).

``train(cfg)`` writes a run directory::

    config.yaml          the resolved experiment config
    metrics.csv/.json    one row per epoch: loss, train acc, lr, test top1/top5, time, samples/s
    last/  best/         checkpoint directories (see ``checkpoint.py``); ``--resume`` uses last/
    eval.json            test metrics of best/ (top1, top5, n, per_class, confusion)
    test_scores.npz      sample ids, labels, logits, classes of best/ on the test split (for ensembles)
    confusion.png

Determinism: the shuffle order of epoch e is a permutation drawn from (seed, e), augmentation
randomness from (seed, e, sample), model init from seed; optimiser, schedule position and the
torch RNG are saved with every checkpoint, so an interrupted run resumed from last/ ends with
the same weights as an uninterrupted one.
"""
from __future__ import annotations

import csv
import gc
import json
import math
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch
import torch.distributed as dist
import yaml
from torch import nn
from torch.utils.data import DataLoader, Sampler
from tqdm import tqdm

from ..data import load
from ..data.layouts import get_layout
from ..data.loader import SkeletonDataset
from ..encoder import build_model
from .checkpoint import (TRAINING_WEIGHTS, CheckpointMeta, ModelSpec, load_state_into, load_training_state, load_weights,
                         read_meta, save_checkpoint, unwrap)
from .config import ConfigError, ExperimentConfig, validate
from .ema import WeightEMA
from .metrics import classification_report, save_confusion_png, save_scores
from .objective import TrainingContext, objective_for
from .precise_bn import recalibrate_batchnorm
from .sync_bn import convert_batchnorm
from .tasks import register_task, run_task


# --- processes -------------------------------------------------------------------------------
@dataclass
class World:
    rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_world() -> World:
    """Join the process group when started by ``torchrun`` (gloo on CPU, nccl on GPU)."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return World()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return World(dist.get_rank(), dist.get_world_size())


def device_for(world: World) -> torch.device:
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", world.rank))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return torch.device("cpu")


class EpochShuffleSampler(Sampler[int]):
    """Shuffle drawn from (seed, epoch); rank r takes every world-size-th index.

    With a per-process batch of ``batch_size / world`` the union of the ranks' i-th batches is
    exactly the i-th batch of a single-process run, so DDP and one process see the same data.
    """

    def __init__(self, n: int, seed: int, world: World, shuffle: bool = True):
        self.n, self.seed, self.world, self.shuffle = n, seed, world, shuffle
        self.epoch = 0
        self.per_rank = math.ceil(n / world.size) if not shuffle else n // world.size

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        order = np.random.default_rng([self.seed, self.epoch]).permutation(self.n) if self.shuffle else np.arange(self.n)
        if not self.shuffle and len(order) % self.world.size:
            order = np.concatenate([order, order[: self.world.size - len(order) % self.world.size]])
        return iter(order[self.world.rank:: self.world.size][: self.per_rank].tolist())

    def __len__(self) -> int:
        return self.per_rank


# --- building blocks -------------------------------------------------------------------------
def model_args_for(cfg: ExperimentConfig, dataset, example: torch.Tensor) -> dict[str, Any]:
    """Model constructor args: the config's, completed (and checked) against the data."""
    args = dict(cfg.model.args)
    m, _, v, c = example.shape
    data_layout = dataset.layout
    args.setdefault("num_classes", dataset.num_classes)
    args.setdefault("layout", data_layout.name)
    args.setdefault("in_channels", c)
    args.setdefault("num_persons", m)
    layout = get_layout(args["layout"])
    if layout.num_joints != v:
        raise ConfigError(
            f"model layout {layout.name} has {layout.num_joints} joints but the data ({dataset.name}, "
            f"layout {data_layout.name}) gives {v}: set model.args.layout={data_layout.name}, or add "
            f"{{type: MapLayout, source: {data_layout.name}, target: {layout.name}}} at the start of both pipelines")
    if args["in_channels"] != c:
        raise ConfigError(f"model.args.in_channels={args['in_channels']} but the pipeline yields {c} "
                          f"channels per joint: change one of them")
    if args["num_classes"] != dataset.num_classes:
        raise ConfigError(f"model.args.num_classes={args['num_classes']} but {dataset.name} has "
                          f"{dataset.num_classes} classes")
    return args


def make_optimizer(cfg: ExperimentConfig, model: nn.Module) -> torch.optim.Optimizer:
    """SGD or AdamW; no weight decay on biases, norms and the topology/position parameters."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or "topology" in name or "bias" in name or "embedding" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": cfg.optim.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    if cfg.optim.name == "sgd":
        return torch.optim.SGD(groups, lr=cfg.optim.lr, momentum=cfg.optim.momentum, nesterov=cfg.optim.nesterov)
    return torch.optim.AdamW(groups, lr=cfg.optim.lr)


def lr_at(cfg: ExperimentConfig, step: int, steps_per_epoch: int) -> float:
    """Learning rate at a global iteration: linear warm-up, then cosine or step decay."""
    s = cfg.schedule
    epoch = step / steps_per_epoch
    base = cfg.optim.lr
    if epoch < s.warmup_epochs:
        return base * (step + 1) / (s.warmup_epochs * steps_per_epoch)
    if s.name == "step":
        return base * s.gamma ** sum(epoch >= m for m in s.milestones)
    progress = (epoch - s.warmup_epochs) / max(cfg.train.epochs - s.warmup_epochs, 1e-9)
    return s.min_lr + (base - s.min_lr) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def set_determinism(cfg: ExperimentConfig) -> None:
    torch.manual_seed(cfg.train.seed)
    np.random.seed(cfg.train.seed % 2**32)
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    if cfg.train.deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


def _reduce(values: list[float], world: World) -> list[float]:
    if world.size == 1:
        return values
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t)
    return t.tolist()


def _score(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Logits of a batch (B, M, T, V, C); for test-time clips (B, N, M, T, V, C) the log of the
    clips' mean probability, so a softmax downstream (reports, ``actlm ensemble``) sees that mean."""
    if x.dim() != 6:
        return model(x)
    b, n = x.shape[:2]
    log_probs = model(x.flatten(0, 1)).float().log_softmax(-1).view(b, n, -1)
    return torch.logsumexp(log_probs, dim=1) - math.log(n)


@torch.no_grad()
def predict(model: nn.Module, loader: DataLoader, device: torch.device, world: World = World(),
            desc: str = "eval") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits, labels and dataset positions for every sample the loader yields (gathered over ranks)."""
    model.eval()
    logits, labels, index = [], [], []
    for x, y, i in tqdm(loader, desc=desc, leave=False, disable=not world.is_main, file=sys.stderr, dynamic_ncols=True):
        logits.append(_score(model, x.to(device)).float().cpu())
        labels.append(y)
        index.append(i)
    out = [torch.cat(logits), torch.cat(labels), torch.cat(index)]
    if world.size > 1:
        gathered = [[None] * world.size for _ in out]
        for g, t in zip(gathered, out):
            dist.all_gather_object(g, t)
        out = [torch.cat(g) for g in gathered]
        _, first = np.unique(out[2].numpy(), return_index=True)   # drop the padding repeats
        out = [t[first] for t in out]
    return out[0].numpy(), out[1].numpy(), out[2].numpy()


class DivergedError(ConfigError):
    """The training loss stopped being a finite number: the run stops before that epoch is saved."""


def diverged(run_dir: Path, loss: float, epoch: int, where: str, lr: float, epochs_saved: int) -> DivergedError:
    """The error for a loss that became NaN or infinite at ``where`` of ``epoch`` (0-based)."""
    kept = (f"last/ keeps epoch {epochs_saved} (--resume continues from it)" if epochs_saved
            else "no epoch was saved")
    return DivergedError(f"{run_dir}: the training loss became {loss} at epoch {epoch + 1}, {where} (lr {lr:g}); "
                         f"training stopped and this epoch was not saved, {kept}. Lower optim.lr, or check the "
                         f"data for extreme values")


# what --resume may change: the schedule's length (its cosine follows) and how the run is executed
RESUMABLE_CHANGES = ("name", "train.epochs", "train.work_dir", "train.threads", "train.num_workers",
                     "train.eval_every", "train.keep_every", "train.tensorboard", "train.test_batch_size")


def _flat(tree: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (lists stay values)."""
    if not isinstance(tree, dict):
        return {prefix: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def recipe_changes(saved: dict[str, Any], cfg: ExperimentConfig) -> list[str]:
    """``key: old -> new`` for each value of ``cfg`` that differs from the run's saved config,
    besides :data:`RESUMABLE_CHANGES`."""
    old, new = _flat(saved), _flat(yaml.safe_load(yaml.safe_dump(cfg.model_dump(), sort_keys=False)))
    return [f"{key}: {old.get(key)!r} -> {new.get(key)!r}" for key in dict.fromkeys([*old, *new])
            if key not in RESUMABLE_CHANGES and old.get(key) != new.get(key)]


def check_same_recipe(saved_config: Path, cfg: ExperimentConfig) -> None:
    """--resume continues the run it names: a config that trains otherwise (another lr, model or
    dataset) would mix two recipes in one run and overwrite the record of the first."""
    try:
        saved = yaml.safe_load(saved_config.read_text())
    except (OSError, yaml.YAMLError):
        return   # a run from before config.yaml was written, or a damaged one: nothing to compare with
    changes = recipe_changes(saved, cfg) if isinstance(saved, dict) else []
    if changes:
        raise ConfigError(f"--resume: this config differs from the run's {saved_config} in {len(changes)} value(s) "
                          f"that change the training: {'; '.join(changes[:6])}{' ...' if len(changes) > 6 else ''}. "
                          f"Resume with the run's config (only train.epochs and how it runs may change), or start "
                          f"a new run (name=NEW_NAME)")


# --- the loop --------------------------------------------------------------------------------
class Trainer:
    """Holds everything one run needs; ``fit()`` trains, evaluates and writes the run directory."""

    def __init__(self, cfg: ExperimentConfig, resume: str | Path | None = None):
        self.world = init_world()
        self.cfg = cfg
        set_determinism(cfg)
        self.device = device_for(self.world)
        self.run_dir = cfg.run_dir
        if self.world.size > 1:  # rank 0 prepares the dataset on first use; the others wait for it
            if self.world.is_main:
                load(cfg.data.dataset, data_root_dir=cfg.data.data_root)
            dist.barrier()
        self.train_set = load(cfg.data.dataset, split=cfg.data.train_split, data_root_dir=cfg.data.data_root)
        self.test_set = load(cfg.data.dataset, split=cfg.data.test_split, data_root_dir=cfg.data.data_root)
        if cfg.data.exclude_sources:
            from ..data.merged import exclude_sources   # a cross-dataset run: some source datasets left out
            self.train_set = exclude_sources(self.train_set, cfg.data.exclude_sources)
            self.test_set = exclude_sources(self.test_set, cfg.data.exclude_sources)
        if cfg.data.source_repeat:
            from ..data.merged import repeat_sources     # small source datasets seen more often
            self.train_set = repeat_sources(self.train_set, cfg.data.source_repeat)
        if cfg.data.train_classes is not None or cfg.data.test_classes is not None:
            from ..language.zeroshot import restrict_classes   # a zero-shot run's seen classes
            self.train_set = restrict_classes(self.train_set, cfg.data.train_classes, cfg.data.data_root)
            test_classes = cfg.data.train_classes if cfg.data.test_classes is None else cfg.data.test_classes
            self.test_set = restrict_classes(self.test_set, test_classes, cfg.data.data_root)
        self.train_data = SkeletonDataset(self.train_set, cfg.data.train_pipeline, seed=cfg.train.seed, repeat=cfg.data.repeat)
        self.test_data = SkeletonDataset(self.test_set, cfg.data.test_pipeline, seed=cfg.train.seed,
                                         clips=cfg.data.test_clips)
        example = self.train_data[0][0]
        self.model_args = model_args_for(cfg, self.train_set, example)
        self.model = build_model(cfg.model.name, **self.model_args).to(self.device)
        self.objective = objective_for(self.model, TrainingContext(
            cfg, self.train_set, self.device, self.run_dir, self.world.is_main, self._barrier))
        if self.world.size > 1:
            if self.device.type == "cuda":
                self.model = nn.SyncBatchNorm.convert_sync_batchnorm(self.model)
            else:  # torch's SyncBatchNorm is CUDA-only
                self.model = convert_batchnorm(self.model)
            self.model = nn.parallel.DistributedDataParallel(self.model)
        self.ema = WeightEMA(self.model, cfg.train.ema_decay) if cfg.train.ema_decay else None
        if cfg.train.batch_size % self.world.size:
            raise ConfigError(f"train.batch_size={cfg.train.batch_size} must be divisible by the "
                              f"number of processes ({self.world.size})")
        self.sampler = EpochShuffleSampler(len(self.train_data), cfg.train.seed, self.world)
        self.train_loader = DataLoader(self.train_data, batch_size=cfg.train.batch_size // self.world.size,
                                       sampler=self.sampler, drop_last=True, num_workers=cfg.train.num_workers)
        self.test_loader = DataLoader(self.test_data, batch_size=cfg.train.test_batch_size,
                                      sampler=EpochShuffleSampler(len(self.test_data), 0, self.world, shuffle=False),
                                      num_workers=cfg.train.num_workers)
        self.bn_data = self._precise_bn_data()
        self.steps_per_epoch = len(self.train_loader)
        if self.steps_per_epoch == 0:
            raise ConfigError(f"{len(self.train_data)} training samples ({self.train_set.name}) make no full batch "
                              f"of train.batch_size={cfg.train.batch_size}: lower the batch size")
        if cfg.train.max_steps_per_epoch:
            self.steps_per_epoch = min(self.steps_per_epoch, cfg.train.max_steps_per_epoch)
        self.optimizer = make_optimizer(cfg, self.model)
        for group in self.objective.parameter_groups():   # e.g. a fine-tuned text encoder
            self.optimizer.add_param_group(group)
        use_amp = self.device.type == "cuda" and cfg.train.amp != "off"
        self.autocast = (lambda: torch.autocast("cuda", dtype=torch.float16)) if use_amp else nullcontext
        self.scaler = torch.amp.GradScaler("cuda") if use_amp else None
        self.start_epoch, self.step, self.best = 0, 0, {"top1": -1.0, "epoch": -1}
        self.history: list[dict[str, Any]] = []
        self.tensorboard = self._tensorboard() if cfg.train.tensorboard and self.world.is_main else None
        if resume:
            self._resume(Path(resume))

    def _barrier(self) -> None:
        if self.world.size > 1:
            dist.barrier()

    # -- bookkeeping --------------------------------------------------------------------------
    def meta(self, epoch: int, metrics: dict[str, Any] | None = None) -> CheckpointMeta:
        return CheckpointMeta(ModelSpec(self.cfg.model.name, self.model_args), self.train_set.classes,
                              self.model_args["layout"], self.train_set.name, self.cfg.data.test_pipeline, epoch,
                              metrics or {}, self.cfg.model_dump())

    def _resume(self, path: Path) -> None:
        ckpt = read_meta(path if (path / "config.json").exists() else path / "last").path
        run = ckpt.parent
        if run.resolve() != Path(self.run_dir).resolve():
            raise ConfigError(f"--resume {path} continues the run in {run}, but this config writes to "
                              f"{self.run_dir}: give the run's config ({run / 'config.yaml'}) or train.work_dir={run}")
        check_same_recipe(run / "config.yaml", self.cfg)
        raw = TRAINING_WEIGHTS if (ckpt / TRAINING_WEIGHTS).exists() else "model.safetensors"
        load_state_into(self.model, load_weights(ckpt, raw), ckpt)
        if self.ema is not None:   # the saved average (a run started without EMA starts it here)
            load_state_into(self.ema.model, load_weights(ckpt), ckpt)
        state = load_training_state(ckpt, self.optimizer)
        self.start_epoch, self.step, self.best = state["epoch"] + 1, state["step"], state["best"]
        if self.scaler is not None and "grad_scaler" in state:
            self.scaler.load_state_dict(state["grad_scaler"])
        self.history = state.get("history", [])
        self.objective.resume(run)
        if self.world.is_main:
            print(f"resumed from {ckpt} at epoch {self.start_epoch}", file=sys.stderr)

    def _tensorboard(self):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ConfigError("train.tensorboard=true needs the tensorboard package: pip install tensorboard") from None
        return SummaryWriter(str(self.run_dir / "tensorboard"))

    def _write_epoch(self, row: dict[str, Any]) -> None:
        self.history.append(row)
        if self.tensorboard:
            for key, value in row.items():
                if key != "epoch":
                    self.tensorboard.add_scalar(key, value, row["epoch"])
            self.tensorboard.flush()
        (self.run_dir / "metrics.json").write_text(json.dumps(self.history, indent=1))
        with open(self.run_dir / "metrics.csv", "w", newline="") as fh:
            columns = list(dict.fromkeys(key for r in self.history for key in r))
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(self.history)

    # -- one epoch ----------------------------------------------------------------------------
    def train_epoch(self, epoch: int) -> dict[str, float]:
        self.model.train()
        self.sampler.set_epoch(epoch)
        self.train_data.set_epoch(epoch)
        total_loss = correct = seen = 0.0
        start = time.perf_counter()
        bar = tqdm(self.train_loader, total=self.steps_per_epoch, desc=f"epoch {epoch + 1}/{self.cfg.train.epochs}",
                   leave=False, disable=not self.world.is_main, file=sys.stderr, dynamic_ncols=True)
        term_sums: dict[str, float] = {}
        self.objective.start_epoch()
        for i, (x, y, index) in enumerate(bar):
            if i >= self.steps_per_epoch:
                break
            lr = lr_at(self.cfg, self.step, self.steps_per_epoch)
            for group in self.optimizer.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)
            x, y = x.to(self.device), y.to(self.device)
            with self.autocast():
                step = self.objective.losses(self.model(x, **self.objective.batch_inputs(index)), y)
            logits, loss = step.logits, step.loss
            for name, value in step.terms.items():
                term_sums[f"loss_{name}"] = term_sums.get(f"loss_{name}", 0.0) + value.item() * len(y)
            self.optimizer.zero_grad(set_to_none=True)
            if self.scaler:
                self.scaler.scale(loss).backward()
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                loss.backward()
                self.optimizer.step()
            self.step += 1
            if self.ema is not None:
                self.ema.update(self.model, self.step)
            value = loss.item()
            if self.world.size == 1 and not math.isfinite(value):   # several processes: checked on their sum below
                raise diverged(self.run_dir, value, epoch, f"step {i + 1} of {self.steps_per_epoch}", lr,
                               len(self.history))
            total_loss += value * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            bar.set_postfix(loss=f"{total_loss / seen:.3f}", acc=f"{correct / seen:.3f}", lr=f"{lr:.4f}")
        elapsed = time.perf_counter() - start
        names = sorted(term_sums)
        total_loss, correct, seen, *parts = _reduce([total_loss, correct, seen] + [term_sums[k] for k in names], self.world)
        if not math.isfinite(total_loss):
            raise diverged(self.run_dir, total_loss, epoch, "over the epoch", lr, len(self.history))
        self.objective.end_epoch(unwrap(self.model))
        return {"train_loss": total_loss / seen, "train_acc": correct / seen, "lr": lr,
                **{k: v / seen for k, v in zip(names, parts)},
                "epoch_time_s": elapsed, "samples_per_s": seen / elapsed}

    def _precise_bn_data(self) -> SkeletonDataset | None:
        """The training split as ``train.precise_bn`` draws it (None when off)."""
        mode = self.cfg.train.precise_bn
        if mode == "off":
            return None
        if mode == "train":
            return self.train_data
        return SkeletonDataset(self.train_set, self.cfg.data.test_pipeline, seed=self.cfg.train.seed)

    def recalibrate_batchnorm(self, epoch: int) -> None:
        """Recompute the evaluated model's BatchNorm statistics over the training split, in the
        training batch size and in an order of its own (from seed and epoch), without touching the
        global random state, so the run trains exactly as it would without it."""
        self.bn_data.set_epoch(epoch)
        sampler = EpochShuffleSampler(len(self.bn_data), self.cfg.train.seed + 7919, self.world)
        sampler.set_epoch(epoch)
        loader = DataLoader(self.bn_data, batch_size=self.cfg.train.batch_size // self.world.size, sampler=sampler,
                            drop_last=True, num_workers=self.cfg.train.num_workers,
                            generator=torch.Generator().manual_seed(epoch))
        batches = tqdm(loader, desc="BatchNorm statistics", leave=False, disable=not self.world.is_main,
                       file=sys.stderr, dynamic_ncols=True)
        recalibrate_batchnorm(unwrap(self.eval_model), batches, self.device)

    @property
    def eval_model(self) -> nn.Module:
        """The model that is evaluated and saved: the weight average when ``train.ema_decay`` is set."""
        return self.ema.model if self.ema is not None else self.model

    def evaluate(self, desc: str = "eval", model: nn.Module | None = None
                 ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
        model = self.eval_model if model is None else model
        logits, labels, index = predict(model, self.test_loader, self.device, self.world, desc)
        return classification_report(logits, labels, self.test_set.classes), logits, labels, index

    # -- the run ------------------------------------------------------------------------------
    def fit(self) -> dict[str, Any]:
        cfg = self.cfg
        if self.world.is_main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            (self.run_dir / "config.yaml").write_text(yaml.safe_dump(cfg.model_dump(), sort_keys=False))
            n_params = sum(p.numel() for p in self.model.parameters())
            print(f"{cfg.model.name}: {n_params / 1e6:.2f}M parameters; {len(self.train_set)} train / "
                  f"{len(self.test_set)} test sequences; run dir {self.run_dir}", file=sys.stderr)
        for epoch in range(self.start_epoch, cfg.train.epochs):
            row: dict[str, Any] = {"epoch": epoch + 1, **self.train_epoch(epoch)}
            last = epoch + 1 == cfg.train.epochs
            if (epoch + 1) % cfg.train.eval_every == 0 or last:
                if self.bn_data is not None:   # what the recomputed statistics add, epoch by epoch
                    row["test_top1_running_bn"] = self.evaluate("eval (running BatchNorm statistics)")[0]["top1"]
                    self.recalibrate_batchnorm(epoch)
                report = self.evaluate()[0]
                row.update(test_top1=report["top1"], test_top5=report["top5"])
                if self.ema is not None:   # what the average adds, epoch by epoch
                    row["test_top1_raw"] = self.evaluate("eval (raw weights)", self.model)[0]["top1"]
                if report["top1"] > self.best["top1"]:
                    self.best = {"top1": report["top1"], "epoch": epoch + 1}
                    if self.world.is_main:
                        save_checkpoint(self.run_dir / "best", self.eval_model, self.meta(epoch + 1, report))
            if self.world.is_main:
                self._write_epoch(row)
                state = {"epoch": epoch, "step": self.step, "best": self.best, "history": self.history}
                if self.scaler is not None:
                    state["grad_scaler"] = self.scaler.state_dict()
                save_checkpoint(self.run_dir / "last", self.eval_model, self.meta(epoch + 1), self.optimizer, state,
                                training_model=self.model if self.ema is not None else None)
                if cfg.train.keep_every and (epoch + 1) % cfg.train.keep_every == 0:
                    save_checkpoint(self.run_dir / f"epoch_{epoch + 1:03d}", self.eval_model, self.meta(epoch + 1))
                print(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                      file=sys.stderr)
        return self.finish()

    def finish(self) -> dict[str, Any]:
        """Evaluate best/ on the test split; write eval.json, test_scores.npz, confusion.png."""
        if self.world.size > 1:
            dist.barrier()
        best = self.run_dir / "best"
        load_state_into(self.eval_model, load_weights(best), best)
        report, logits, labels, index = self.evaluate("test (best)")
        report.update(best_epoch=self.best["epoch"], run_dir=str(self.run_dir))
        if self.world.is_main:
            (self.run_dir / "eval.json").write_text(json.dumps(report, indent=1))
            ids = np.array(self.test_set.sample_ids)[index]
            save_scores(self.run_dir / "test_scores.npz", ids, labels, logits, self.test_set.classes)
            save_confusion_png(report["confusion"], self.test_set.classes, self.run_dir / "confusion.png",
                               f"{self.cfg.name}: top-1 {report['top1']:.2%}")
        return report


def train(cfg: ExperimentConfig | dict, resume: str | Path | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Train one experiment with its task's loop (``tasks.py``); returns the test report.

    A run directory that already holds a run is refused unless ``resume`` continues it or
    ``overwrite`` replaces it."""
    return run_task(validate(cfg) if isinstance(cfg, dict) else cfg, resume, overwrite)


def fit_classifier(cfg: ExperimentConfig, resume: str | Path | None = None) -> dict[str, Any]:
    """The ``classify`` task: train with :class:`Trainer`; the test report of the best checkpoint."""
    trainer = Trainer(cfg, resume=resume)
    try:
        return trainer.fit()
    finally:
        if trainer.world.size > 1 and dist.is_initialized():
            # Release DDP (its reducer holds the gloo group) while every rank is still here: a gloo
            # group destroyed after the peer process has exited can block forever in its destructor.
            dist.barrier()
            trainer.model = trainer.optimizer = None
            gc.collect()
            dist.barrier()
            dist.destroy_process_group()


register_task("classify", fit_classifier)
