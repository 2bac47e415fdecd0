"""One config system for every model and dataset: YAML files + ``key.sub=value`` overrides.

Configs are validated by pydantic models that forbid unknown keys, so a typo fails before any
data is loaded, with a message naming the key and the keys that are valid there. A config may
start from another with ``_base_: other.yaml`` (path relative to the file); the later file's
keys are merged over the base, dictionaries recursively.

Shipped configs live in ``actlm/configs`` and are addressed by name, e.g. ``nw-ucla/hglnet_joint``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..data.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Strict):
    dataset: str = "nw-ucla"
    data_root: str | None = None
    train_split: str = "train"
    test_split: str = "test"
    repeat: int = Field(1, ge=1)
    train_pipeline: list[dict[str, Any]] = []
    test_pipeline: list[dict[str, Any]] = []
    # Test-time augmentation (PySKL's num_clips): score each test sequence as the mean probability
    # of this many copies drawn through test_pipeline (give it random transforms, seeded per copy).
    test_clips: int = Field(1, ge=1)
    # Only these classes (a .npy of 0-based class indices, a .txt of names, or a list of names or
    # indices; relative paths also under the data root), relabelled 0..k-1: the seen classes of a
    # zero-shot split (language/zeroshot.py); test_classes defaults to train_classes
    train_classes: str | list[str | int] | None = None
    test_classes: str | list[str | int] | None = None
    # A merged dataset (general): leave out the samples of these source datasets (e.g. [utd-mhad]),
    # in both splits, before any class restriction: a cross-dataset run (actlm/data/merged.py)
    exclude_sources: list[str] | None = None
    # A merged dataset: the training samples of these source datasets this many times each epoch
    # (e.g. {utd-mhad: 3, sbu: 3}: a small source is otherwise seen a few dozen times in all)
    source_repeat: dict[str, int] | None = None
    # The input stream: joint, bone, joint_motion or bone_motion. It is the kind of every Stream step
    # of both pipelines that names none (one is appended where a pipeline has no Stream step);
    # None leaves the pipelines as written.
    stream: Literal["joint", "bone", "joint_motion", "bone_motion"] | None = None

    @model_validator(mode="after")
    def _apply_stream(self) -> "DataConfig":
        if self.stream is not None:
            self.train_pipeline = with_stream(self.train_pipeline, self.stream, "train_pipeline")
            self.test_pipeline = with_stream(self.test_pipeline, self.stream, "test_pipeline")
        return self


def with_stream(pipeline: list[dict[str, Any]], stream: str, where: str = "pipeline") -> list[dict[str, Any]]:
    """``pipeline`` with its ``Stream`` steps set to ``stream`` (one appended if it has none).

    A step that already names another kind is an error rather than silently overruled: a config
    written before ``data.stream`` existed says its stream in the step."""
    out = []
    for step in pipeline:
        if step.get("type") == "Stream":
            if step.get("kind", stream) != stream:
                raise ValueError(f"data.stream is {stream!r} but the Stream step of data.{where} says kind: "
                                 f"{step['kind']}; drop the step's kind (data.stream then decides) or make them agree")
            step = {**step, "kind": stream}
        out.append(dict(step))
    if not any(step.get("type") == "Stream" for step in out):
        out.append({"type": "Stream", "kind": stream})
    return out


class ModelConfig(_Strict):
    name: str = "hglnet"
    args: dict[str, Any] = {}


class OptimConfig(_Strict):
    name: Literal["sgd", "adamw"] = "sgd"
    lr: float = Field(0.1, gt=0)
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 4e-4
    label_smoothing: float = Field(0.1, ge=0, lt=1)


class ScheduleConfig(_Strict):
    name: Literal["cosine", "step"] = "cosine"
    warmup_epochs: float = Field(5, ge=0)
    milestones: list[int] = []
    gamma: float = 0.1
    min_lr: float = 0.0


class TrainConfig(_Strict):
    epochs: int = Field(65, ge=1)
    batch_size: int = Field(16, ge=1)
    test_batch_size: int = Field(64, ge=1)
    seed: int = 1
    deterministic: bool = False
    amp: Literal["auto", "on", "off"] = "auto"
    threads: int | None = None
    num_workers: int = 0
    eval_every: int = Field(1, ge=1)
    work_dir: str = "runs/{name}"
    keep_every: int = 0
    tensorboard: bool = False
    max_steps_per_epoch: int | None = None
    # Evaluate and save an exponential moving average of the weights (engine/ema.py), e.g. 0.998
    # (a horizon of ~500 steps); the raw weights are kept in last/ for --resume.
    ema_decay: float | None = Field(None, gt=0, lt=1)
    # Before each evaluation, recompute the BatchNorm statistics over the whole training split
    # (engine/precise_bn.py): "train" draws it through the training pipeline (augmented), "plain"
    # through the test pipeline; the weights and the training trajectory are unchanged, and the
    # accuracy with the running statistics is logged as test_top1_running_bn.
    precise_bn: Literal["off", "train", "plain"] = "off"


class LanguageWeights(_Strict):
    contrastive: float = Field(0.5, ge=0)
    class_text: float = Field(0.5, ge=0)
    fusion: float = Field(0.5, ge=0)
    part_text: float = Field(1.0, ge=0)   # per-region text classifiers (a hocslm with part_alignment)


class LanguageConfig(_Strict):
    """Skeleton-language training (HocSLM): which cached descriptions, which text encoder."""

    describer: str = "kinematic"
    describer_model: str = "-"
    prompt_version: str = "v1"
    describe_missing: bool = True
    cache: str | None = None
    text_encoder: str = "minilm"
    max_tokens: int = Field(48, ge=4, le=512)
    finetune_text: bool = False
    text_lr_scale: float = Field(0.1, gt=0)
    weights: LanguageWeights = LanguageWeights()
    # None: every same-class description is an equal positive; a value (e.g. 0.1): same-class
    # positives weighted by a softmax of description similarity at this temperature
    description_temperature: float | None = Field(None, gt=0)
    # metadata fields naming one performance seen by several cameras (NW-UCLA: [subject, episode]):
    # its recordings share one description (text_bank.py), a cross-view consistency signal
    shared_by: list[str] | None = None
    # written class descriptions (a YAML/JSON file of class name: text, or a shipped set such as
    # 'nw-ucla') instead of the describer's; they also serve text-matching classification
    class_descriptions: str | None = None


class ReasonerConfig(_Strict):
    """LVLM-VAR: semantic tokens from a trained encoder, read by a LoRA-tuned causal LM."""

    encoder: str                       # run directory or checkpoint of the HGLNet the tokens come from ('shipped': the packaged one)
    codebook_size: int = Field(64, ge=2)
    pool: int = Field(2, ge=1)
    switch_penalty: float = Field(0.05, ge=0)
    lm: str = "smollm"                 # 'smollm' (embedded) or a local causal-LM folder
    lora_r: int = Field(8, ge=1)
    lora_alpha: int = 16
    clip_token: bool = True            # one extra skeleton token: the encoder's clip-level feature
    evidence: bool = True              # the encoder's evidence (ranking, parts used, measured movements) in the prompt
    max_facts: int = Field(2, ge=1)    # facts in each explanation target
    explanation_weight: float = Field(1.0, ge=0)  # loss = class-name NLL + this x explanation NLL
    max_new_tokens: int = Field(40, ge=1)
    eval_limit: int | None = None      # score only the first N test samples (quick runs)
    explain_limit: int = Field(40, ge=0)  # test samples whose explanation is generated and checked


class ExperimentConfig(_Strict):
    name: str = "experiment"
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    optim: OptimConfig = OptimConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    train: TrainConfig = TrainConfig()
    language: LanguageConfig | None = None
    reasoner: ReasonerConfig | None = None

    @property
    def run_dir(self) -> Path:
        return Path(self.train.work_dir.format(name=self.name))


def shipped_configs() -> list[str]:
    """Names of the configs that ship with actlm (``dataset/file`` without ``.yaml``)."""
    return sorted(str(p.relative_to(CONFIG_DIR).with_suffix("")) for p in CONFIG_DIR.rglob("*.yaml"))


def resolve_config_path(name: str | Path) -> Path:
    path = Path(name)
    if path.is_file():
        return path
    shipped = CONFIG_DIR / (str(name) if str(name).endswith(".yaml") else f"{name}.yaml")
    if shipped.is_file():
        return shipped
    raise ConfigError(f"config {name!r} not found: give a YAML path or one of: {', '.join(shipped_configs())}")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a config file, following ``_base_`` links."""
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a config must be a mapping of sections")
    base = raw.pop("_base_", None)
    return _merge(read_yaml(_base_path(path, base)), raw) if base else raw


def _base_path(path: Path, base: Any) -> Path:
    """The config ``path``'s ``_base_``: a YAML path relative to it, or a shipped config's name."""
    if not isinstance(base, str):
        raise ConfigError(f"{path}: _base_ must be a YAML path or a shipped config name, got {base!r}")
    relative = (path.parent / base).resolve()
    if relative.is_file():
        return relative
    shipped = CONFIG_DIR / (base if base.endswith(".yaml") else f"{base}.yaml")
    if shipped.is_file():
        return shipped
    raise ConfigError(f"{path}: _base_ {base!r} not found (no file {relative}, and no shipped config of that "
                      f"name: {', '.join(shipped_configs())})")


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` overrides; values are parsed as YAML (``1e-3``, ``[1, 2]``, ``true``).

    A numeric part indexes a list, so one transform of a pipeline can be changed without
    repeating the whole list: ``data.train_pipeline.2.length=32``. ``raw`` is not modified.
    """
    out = dict(raw)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like key.sub=value")
        key, value = item.split("=", 1)
        parts = key.strip().split(".")
        node: Any = out
        for part in parts[:-1]:
            slot = _slot(node, part, key)
            child = node[slot] if isinstance(node, list) else node.get(slot)
            if child is not None and not isinstance(child, (dict, list)):
                raise ConfigError(f"override {key!r}: {part!r} holds a value ({child!r}), not a section or list")
            node[slot] = list(child) if isinstance(child, list) else dict(child or {})  # copy on the way down
            node = node[slot]
        node[_slot(node, parts[-1], key)] = yaml.safe_load(value)
    return out


def _slot(node: dict[str, Any] | list[Any], part: str, key: str) -> str | int:
    """The dict key or list index that ``part`` of override ``key`` names in ``node``."""
    if not isinstance(node, list):
        return part
    if not part.isdigit() or int(part) >= len(node):
        raise ConfigError(f"override {key!r}: {part!r} is not an index of this list (it has {len(node)} items, 0-{len(node) - 1})")
    return int(part)


def _explain(exc: ValidationError, source: str) -> ConfigError:
    lines = [f"{source}: invalid config"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            section = _section_model(err["loc"][:-1])
            valid = ", ".join(section.model_fields) if section else "?"
            lines.append(f"  unknown key '{loc}' (valid keys there: {valid})")
        else:
            lines.append(f"  {loc}: {err['msg']}")
    return ConfigError("\n".join(lines))


def _section_model(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = ExperimentConfig
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        options = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]  # X | None -> X
        annotation = options[0] if len(options) == 1 else annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def validate(raw: dict[str, Any], source: str = "config") -> ExperimentConfig:
    try:
        return ExperimentConfig.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, source) from None


def load_config(name: str | Path, overrides: list[str] | None = None) -> ExperimentConfig:
    """Load a config by path or shipped name, apply overrides, validate."""
    path = resolve_config_path(name)
    return validate(apply_overrides(read_yaml(path), overrides or []), str(path))
