"""Checkpoints as directories, never pickles (the HF ``save_pretrained`` way).

    <ckpt>/config.json          what the model is: name, constructor args, classes, layout,
                                epoch, metrics, and the full experiment config
    <ckpt>/model.safetensors    weights (with ``train.ema_decay``: the averaged weights)
    <ckpt>/training_model.safetensors   (EMA training checkpoints only) the raw weights, for --resume
    <ckpt>/optimizer.safetensors + trainer_state.json   (training checkpoints only) optimiser
                                tensors, and its scalars/param groups, step, epoch, RNG state

Loading reads tensors with safetensors and JSON with ``json``: no code from the file runs.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from ..data.errors import DataError
from ..data.layout_file import restore_layout, stored_spec

CHECKPOINT_FORMAT = "actlm-checkpoint-1"
TRAINING_WEIGHTS = "training_model.safetensors"


class CheckpointError(DataError):
    """A checkpoint that is missing, damaged or not an actlm checkpoint."""


@dataclass
class ModelSpec:
    """Which model a checkpoint holds: its registered name and constructor arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckpointMeta(Mapping):
    """A checkpoint's ``config.json``: the model, its classes, and how its input is made.

    ``to_json``/``from_json`` keep the file's format (``actlm-checkpoint-1``); keys this class does
    not name (written by another tool) are kept in ``extra`` and written back. Reading it as a
    mapping (``meta["layout"]``, ``meta["_path"]``) still works for code written against the dict.
    ``layout_spec`` is the full definition of a layout declared in a file (none for a built-in
    one; files without it still read): written as ``layout_spec``, registered again on reading.
    """

    model: ModelSpec
    classes: list[str]
    layout: str
    dataset: str = ""
    test_pipeline: list[dict[str, Any]] = field(default_factory=list)
    epoch: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    experiment: dict[str, Any] = field(default_factory=dict)   # the run's full config (ExperimentConfig)
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None                                   # the directory it was read from
    layout_spec: dict[str, Any] | None = None

    @property
    def data_config(self) -> dict[str, Any]:
        """The ``data`` section of the run's config (empty for checkpoints made without one)."""
        return self.experiment.get("data") or {}

    def to_json(self) -> dict[str, Any]:
        spec = self.layout_spec if self.layout_spec is not None else stored_spec(self.layout)
        return {"format": CHECKPOINT_FORMAT, "model": {"name": self.model.name, "args": self.model.args},
                "classes": self.classes, "layout": self.layout, "dataset": self.dataset, "epoch": self.epoch,
                "metrics": self.metrics, "test_pipeline": self.test_pipeline, "experiment": self.experiment,
                **({"layout_spec": spec} if spec is not None else {}), **self.extra}

    @classmethod
    def from_json(cls, raw: dict[str, Any], path: Path | None = None) -> "CheckpointMeta":
        """From a parsed config.json; a missing model, classes or layout raises ``KeyError``."""
        known = {"format", "model", "classes", "layout", "dataset", "epoch", "metrics", "test_pipeline", "experiment",
                 "layout_spec", "_path"}
        model = raw["model"]
        return cls(ModelSpec(model["name"], dict(model.get("args") or {})), list(raw["classes"]), raw["layout"],
                   raw.get("dataset", ""), list(raw.get("test_pipeline") or []), raw.get("epoch", 0),
                   dict(raw.get("metrics") or {}), dict(raw.get("experiment") or {}),
                   {k: v for k, v in raw.items() if k not in known}, path, raw.get("layout_spec"))

    # -- the mapping view of the JSON (with "_path", as read_meta used to return) ---------------
    def _as_dict(self) -> dict[str, Any]:
        return {**self.to_json(), "_path": str(self.path) if self.path is not None else None}

    def __getitem__(self, key: str) -> Any:
        return self._as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self._as_dict())


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if hasattr(model, "module") else model


def save_checkpoint(path: str | Path, model: nn.Module, meta: CheckpointMeta | dict[str, Any],
                    optimizer: torch.optim.Optimizer | None = None,
                    trainer_state: dict[str, Any] | None = None,
                    training_model: nn.Module | None = None) -> Path:
    """Write a checkpoint directory atomically (:func:`replaced_atomically`; :func:`read_meta`
    falls back to ``<path>.old`` after a crash). ``training_model``: the raw weights of a run whose
    ``model`` is their moving average, kept to resume training."""
    path = Path(path)
    with replaced_atomically(path) as tmp:
        save_file(_cpu_state(model), str(tmp / "model.safetensors"))
        if training_model is not None:
            save_file(_cpu_state(training_model), str(tmp / TRAINING_WEIGHTS))
        raw = meta.to_json() if isinstance(meta, CheckpointMeta) else {"format": CHECKPOINT_FORMAT, **meta}
        (tmp / "config.json").write_text(json.dumps(raw, indent=1))
        if optimizer is not None:
            save_training_state(tmp, optimizer, trainer_state or {})
    return path


def _cpu_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().contiguous().cpu() for k, v in unwrap(model).state_dict().items()}


def save_training_state(path: Path, optimizer: torch.optim.Optimizer, trainer_state: dict[str, Any]) -> None:
    """Optimiser state (safetensors + JSON scalars), RNG states and ``trainer_state`` into ``path``."""
    tensors, scalars = _flatten_optimizer(optimizer.state_dict())
    save_file(tensors, str(path / "optimizer.safetensors"))
    rng = {"torch_rng": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng.update({f"cuda_rng_{i}": s for i, s in enumerate(torch.cuda.get_rng_state_all())})
    save_file(rng, str(path / "rng.safetensors"))
    (path / "trainer_state.json").write_text(json.dumps({"optimizer": scalars, **trainer_state}))


@contextmanager
def replaced_atomically(path: Path) -> Iterator[Path]:
    """Yield an empty ``<path>.partial`` directory to write; when the block ends, swap it in as ``path``.

    The previous ``path`` is renamed to ``<path>.old`` before the swap and deleted after it, so a
    crash at any point leaves a complete directory at ``path`` or ``<path>.old``
    (:func:`surviving_dir` finds it)."""
    tmp = path.with_name(path.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    yield tmp
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def surviving_dir(path: Path, marker: str) -> Path:
    """``path``, or ``<path>.old`` (holding ``marker``) when a save was killed between its renames."""
    old = path.with_name(path.name + ".old")
    return old if not path.exists() and (old / marker).exists() else path


def _flatten_optimizer(state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, Any] = {"param_groups": state["param_groups"], "state": {}}
    for idx, entry in state["state"].items():
        scalars["state"][str(idx)] = {}
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"{idx}.{key}"] = value.detach().contiguous().cpu()
            else:
                scalars["state"][str(idx)][key] = value
    return tensors, scalars


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], scalars: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {int(i): dict(v) for i, v in scalars["state"].items()}
    for key, value in tensors.items():
        idx, name = key.split(".", 1)
        state.setdefault(int(idx), {})[name] = value
    return {"state": state, "param_groups": scalars["param_groups"]}


def read_meta(path: str | Path) -> CheckpointMeta:
    """The checkpoint's config.json, checked to be an actlm checkpoint."""
    path = Path(path)
    if path.is_dir() and not (path / "config.json").exists() and (path / "best" / "config.json").exists():
        path = path / "best"
    path = surviving_dir(path, "config.json")
    cfg_file = path / "config.json"
    if not path.is_dir():
        raise CheckpointError(f"{path}: not a checkpoint directory (expected config.json + model.safetensors)")
    if not cfg_file.exists() or not (path / "model.safetensors").exists():
        raise CheckpointError(f"{path}: incomplete checkpoint (needs config.json and model.safetensors)")
    try:
        meta = json.loads(cfg_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{cfg_file}: damaged config ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{cfg_file}: not an actlm checkpoint (format {meta.get('format') if isinstance(meta, dict) else None!r})")
    try:
        meta = CheckpointMeta.from_json(meta, path)
    except (KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{cfg_file}: config.json does not describe a model ({exc!r} missing or malformed)") from None
    if meta.layout_spec is not None:   # a file-declared layout: make it known before the model is built
        try:
            restore_layout(meta.layout, meta.layout_spec, cfg_file)
        except DataError as exc:
            raise CheckpointError(str(exc)) from None
    return meta


def load_weights(path: Path, filename: str = "model.safetensors") -> dict[str, torch.Tensor]:
    try:
        return load_file(str(path / filename))
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path / filename}: unreadable weights ({exc})") from None


def load_state_into(model: nn.Module, state: dict[str, torch.Tensor], where: Path) -> None:
    """Load weights, refusing missing/unexpected tensors and shape mismatches with one message."""
    target = unwrap(model).state_dict()
    missing = sorted(set(target) - set(state))
    unexpected = sorted(set(state) - set(target))
    wrong = [k for k in target if k in state and state[k].shape != target[k].shape]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {unexpected[0]})")
        if wrong:
            parts.append(f"shape mismatch for {wrong[0]}: {tuple(state[wrong[0]].shape)} in file vs "
                         f"{tuple(target[wrong[0]].shape)} in model")
        raise CheckpointError(f"{where}: weights do not fit the model: " + "; ".join(parts))
    unwrap(model).load_state_dict(state)


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu") -> tuple[nn.Module, CheckpointMeta]:
    """Build the model a checkpoint describes and load its weights. Returns (model in eval mode, meta)."""
    from ..encoder import build_model

    meta = read_meta(path)
    where = meta.path
    try:
        model = build_model(meta.model.name, **meta.model.args)
    except (KeyError, ValueError) as exc:
        raise CheckpointError(f"{where}: config.json does not describe a known model ({exc})") from None
    load_state_into(model, load_weights(where), where)
    return model.to(device).eval(), meta


def load_training_state(path: Path, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Restore optimiser and RNG state from a training checkpoint; returns trainer_state.json."""
    if not (path / "trainer_state.json").exists():
        raise CheckpointError(f"{path}: cannot resume, no optimiser state (an inference checkpoint such as "
                              f"best/; resume from the run's last/)")
    try:
        state = json.loads((path / "trainer_state.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path}: cannot resume, trainer state unreadable ({exc})") from None
    missing = {"optimizer", "epoch", "step", "best"} - set(state if isinstance(state, dict) else ())
    if missing:
        raise CheckpointError(f"{path}: cannot resume, trainer_state.json lacks {', '.join(sorted(missing))}")
    try:
        optimizer.load_state_dict(_unflatten_optimizer(load_weights(path, "optimizer.safetensors"), state.pop("optimizer")))
    except (ValueError, KeyError) as exc:
        raise CheckpointError(f"{path}: the optimiser state does not fit this config ({exc}); resume with the "
                              f"run's own config") from None
    rng = load_weights(path, "rng.safetensors")
    torch.set_rng_state(rng["torch_rng"])
    if torch.cuda.is_available():
        cuda = [rng.get(f"cuda_rng_{i}") for i in range(torch.cuda.device_count())]
        if all(s is not None for s in cuda):   # saved on as many GPUs as there are now
            torch.cuda.set_rng_state_all(cuda)
    return state


def save_ensemble(members: list[str | Path], target: str | Path) -> Path:
    """Write one checkpoint that averages the class probabilities of ``members`` (see
    ``actlm.encoder.ensemble``). The members must answer the same classes from the same layout; a
    member trained on another input stream (the data layer's bone stream) is rebuilt to compute that
    stream from joints itself (:func:`reading_joints`), so every member reads the first member's
    input. A member that is itself an ensemble contributes its members. The ensemble keeps the first
    member's run config and records where every member came from under ``ensemble_of``."""
    from ..encoder.ensemble import SeedEnsemble, ensemble_args

    loaded = [part for m in members for part in _ensemble_parts(m)]
    if len(loaded) < 2:
        raise CheckpointError(f"an ensemble needs at least 2 members, got {len(loaded)}")
    first = loaded[0][1]
    for _, meta, _ in loaded:
        for what in ("classes", "layout", "test_pipeline"):
            if getattr(meta, what) != getattr(first, what):
                raise CheckpointError(f"{meta.path}: its {what.replace('_', ' ')} differ from {members[0]}'s; an "
                                      f"ensemble's members must answer the same classes from the same input")
    args = ensemble_args([{"name": meta.model.name, "args": meta.model.args} for _, meta, _ in loaded])
    model = SeedEnsemble(**args)
    for member, (weights, _, _) in zip(model.members, loaded):
        member.load_state_dict(weights.state_dict())
    meta = CheckpointMeta(ModelSpec("seed-ensemble", args), first.classes, first.layout,
                          first.dataset, first.test_pipeline, first.epoch, {}, first.experiment,
                          {"ensemble_of": [origin for _, _, origin in loaded]}, layout_spec=first.layout_spec)
    return save_checkpoint(target, model, meta)


def _ensemble_parts(path: str | Path) -> list[tuple[nn.Module, CheckpointMeta, dict[str, Any]]]:
    """(model, meta, origin) of each model in the checkpoint at ``path``: its members when it is an
    ensemble, else itself read from joints (:func:`reading_joints`)."""
    model, meta = load_checkpoint(path)
    if meta.model.name != "seed-ensemble":
        model, meta = reading_joints(model, meta)
        return [(model, meta, {"path": str(meta.path), "seed": meta.experiment.get("train", {}).get("seed"),
                               "epoch": meta.epoch, "metrics": meta.metrics, "stream": _member_stream(meta)})]
    origins = meta.extra.get("ensemble_of") or [{"path": f"{meta.path} member {i}"} for i in range(len(model.members))]
    return [(member, replace(meta, model=ModelSpec(spec["name"], dict(spec["args"])), extra={}),
             {"stream": spec["args"].get("stream", "joint"), **origin})
            for member, spec, origin in zip(model.members, meta.model.args["members"], origins)]


def _member_stream(meta: CheckpointMeta) -> str:
    """The stream the model reads: the one it computes itself, else its test pipeline's."""
    return meta.model.args.get("stream") or _pipeline_stream(meta.test_pipeline)


def _pipeline_stream(pipeline: list[dict[str, Any]]) -> str:
    """The kind of the pipeline's Stream step (joint without one)."""
    kinds = [step.get("kind", "joint") for step in pipeline if step.get("type") == "Stream"]
    return kinds[-1] if kinds else "joint"


def reading_joints(model: nn.Module, meta: CheckpointMeta) -> tuple[nn.Module, CheckpointMeta]:
    """A model trained on the data layer's bone stream, rebuilt to compute its bones from the joint
    input itself (``stream="bone"``, same weights) with a test pipeline that gives joints; a
    joint-stream model is returned as it is. Other streams (motion) raise ``CheckpointError``."""
    from ..encoder import build_model
    from ..encoder.hglnet import MODEL_STREAMS

    stream = _pipeline_stream(meta.test_pipeline)
    if stream == "joint":
        return model, meta
    if stream not in MODEL_STREAMS or "stream" in meta.model.args:
        raise CheckpointError(f"{meta.path}: a {stream}-stream model cannot be made to read joints "
                              f"(models compute only {', '.join(MODEL_STREAMS)} themselves)")
    spec = ModelSpec(meta.model.name, {**meta.model.args, "stream": stream})
    try:
        rebuilt = build_model(spec.name, **spec.args)
    except (KeyError, ValueError) as exc:
        raise CheckpointError(f"{meta.path}: model {spec.name} has no input stream argument ({exc})") from None
    load_state_into(rebuilt, unwrap(model).state_dict(), meta.path)
    return rebuilt.eval(), replace(meta, model=spec, test_pipeline=_joint_pipeline(meta.test_pipeline))


def _joint_pipeline(pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``pipeline`` with its Stream steps giving joints."""
    return [{**step, "kind": "joint"} if step.get("type") == "Stream" else dict(step) for step in pipeline]
