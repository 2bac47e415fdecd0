"""Open-vocabulary scoring: classes given as text at inference, scored in a HocSLM's skeleton-text space.

A HocSLM checkpoint maps a skeleton to ``embed(x)`` (its skeleton projection, L2-normalised) and
a text embedding to ``text_projection(t)``; the score of class k is the scaled cosine between the
skeleton embedding and the projection of class k's text embedding, where a class with several
sentences (global, part- and phase-level: ``class_texts.py``) is embedded as the mean of their
sentence embeddings. Any classes work, including ones the model never saw: a model trained on
seen classes recognises unseen ones (``experiments/zeroshot_benchmark.py``).

The text encoder is the one the checkpoint was trained with (``language.text_encoder`` of its
config, or the fine-tuned copy in ``RUN/text_encoder/``); it runs once per class list, not per
sample, so scoring costs one matrix product more than the classifier.

Classes the model trained on, typed next to new ones, win too often: training raised their
cosines (generalised zero-shot H 6.8 % on the general recipe). :func:`calibrate` subtracts a gamma
(cosine units, stored with the checkpoint as ``open_vocabulary.seen_gamma``) from their scores
when the class list mixes them with new ones, calibrated stacking: H 30.7 % over 3 splits
(``experiments/results/general_zeroshot.md``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..data.errors import ConfigError
from ..data.store import SkeletonSet
from .class_texts import ClassText, normalise_name, resolve_class_texts
from .text_encoder import TextEncoder
from .zeroshot import ClassSubset, class_indices


def class_embeddings(class_texts: Sequence[ClassText], encoder: TextEncoder, view: str = "all") -> torch.Tensor:
    """(K, D) text embedding of each class: the mean of its sentences' embeddings, L2-normalised."""
    from .text_bank import encode_class_texts

    with torch.no_grad():
        return encode_class_texts(encoder, [t.texts(view) for t in class_texts])


def text_encoder_for(meta: dict) -> TextEncoder:
    """The text encoder a checkpoint was trained with (its fine-tuned copy when there is one)."""
    language = meta.get("experiment", {}).get("language") or {}
    run = Path(meta.get("_path", ".")).parent
    name = str(run / "text_encoder") if (run / "text_encoder" / "config.json").is_file() else language.get("text_encoder")
    return TextEncoder(name, language.get("max_tokens", 48))


class OpenVocabScorer(nn.Module):
    """``scorer(x)`` -> (N, K) scaled cosines between a HocSLM's skeleton embedding and K class texts.

    ``seen_offset`` (K,), in cosine units (set by :func:`calibrate`), is subtracted from the scores,
    times the model's logit scale: calibrated stacking of the classes the model trained on."""

    def __init__(self, model: nn.Module, class_text: torch.Tensor):
        super().__init__()
        if not (hasattr(model, "embed") and hasattr(model, "text_projection")):
            raise ConfigError(f"open-vocabulary scoring needs a skeleton-language (hocslm) checkpoint; this one is "
                              f"a {type(model).__name__} without a skeleton-text space")
        if class_text.shape[1] != model.class_text.shape[1]:
            raise ConfigError(f"class texts are {class_text.shape[1]}-d but the model was trained on "
                              f"{model.class_text.shape[1]}-d text embeddings: use its text encoder")
        self.model = model
        device = next(model.parameters()).device
        self.register_buffer("class_text", class_text.to(device))
        self.register_buffer("seen_offset", None, persistent=False)

    def class_directions(self) -> torch.Tensor:
        return F.normalize(self.model.text_projection(self.class_text), dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.raw(x)
        if self.seen_offset is not None:
            logits = logits - self.model.logit_scale.exp() * self.seen_offset
        return logits

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        """The scores before any calibration."""
        return self.model.logit_scale.exp() * self.model.embed(x) @ self.class_directions().t()


class ConseScorer(OpenVocabScorer):
    """ConSE (Norouzi et al., 2014) in the checkpoint's space: the probabilities of its classifier
    over the classes it was trained on mix those classes' text directions (stored with the model),
    and the mixture is compared with the given classes' directions. What the skeleton encoder
    learnt to tell apart carries over to a new class through how its text relates to the trained
    classes' texts, without relying on the skeleton projection alone."""

    def __init__(self, model: nn.Module, class_text: torch.Tensor):
        super().__init__(model, class_text)
        if not hasattr(model, "encoder"):
            raise ConfigError(f"--scoring conse needs one skeleton-language model's classifier; this checkpoint is "
                              f"a {type(model).__name__}: use --scoring direct")

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        features = self.model.encoder.forward_features(x)
        probs = self.model.encoder.classifier(features).softmax(-1)
        trained = F.normalize(self.model.text_projection(self.model.class_text), dim=-1)
        mixture = F.normalize(probs @ trained, dim=-1)
        return self.model.logit_scale.exp() * mixture @ self.class_directions().t()


class PartScorer(OpenVocabScorer):
    """For a HocSLM trained with ``part_alignment``: the mean of the clip-level cosine (direct) and
    the body-region cosines against each class's region texts (head, hands, torso, legs)."""

    def __init__(self, model: nn.Module, class_text: torch.Tensor, part_text: torch.Tensor):
        super().__init__(model, class_text)
        if not getattr(model, "part_alignment", False):
            raise ConfigError("--scoring parts needs a hocslm trained with model.args.part_alignment=true")
        self.register_buffer("part_text", part_text.to(self.class_text.device))

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * (super().raw(x) + self.model.part_logits(x, self.part_text))


SCORERS = {"direct": OpenVocabScorer, "conse": ConseScorer, "parts": PartScorer}


def scorer_for(model: nn.Module, meta: dict, class_texts: Sequence[ClassText], view: str = "all",
               encoder: TextEncoder | None = None, kind: str = "direct") -> OpenVocabScorer:
    """A scorer (``direct``, ``conse`` or ``parts``) of ``class_texts`` with the checkpoint's own text encoder
    (or ``encoder``)."""
    encoder = encoder or text_encoder_for(meta)
    if kind == "parts":
        from .slm import part_text_embeddings
        scorer = PartScorer(model, class_embeddings(class_texts, encoder, view), part_text_embeddings(class_texts, encoder)).eval()
        scorer.text_encoder = encoder
        return scorer
    scorer = SCORERS[kind](model, class_embeddings(class_texts, encoder, view)).eval()
    scorer.text_encoder = encoder   # for describe-then-match (with_descriptions)
    return scorer


#: the section of a checkpoint's config.json with its open-vocabulary settings (optional)
OPEN_VOCABULARY = "open_vocabulary"


def stored_seen_gamma(meta) -> float:
    """The calibrated-stacking gamma a checkpoint ships with: ``open_vocabulary.seen_gamma`` of its
    config.json, in cosine units; 0 (no calibration) for a checkpoint without one."""
    section = meta.get(OPEN_VOCABULARY)
    if section is None:
        return 0.0
    gamma = section.get("seen_gamma", 0.0) if isinstance(section, dict) else None
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not np.isfinite(gamma):
        where = meta.get("_path") or "the checkpoint"
        raise ConfigError(f"{where}/config.json: {OPEN_VOCABULARY}.seen_gamma must be a number (cosine units), "
                          f"got {section!r}")
    return float(gamma)


def trained_class_texts(meta) -> list[ClassText]:
    """The written texts a checkpoint's classes were trained with (``language.class_descriptions``);
    none when it names none or they cannot be read here."""
    from ..data.errors import DataError

    language = (meta.get("experiment") or {}).get("language") or {}
    spec = language.get("class_descriptions")
    if not isinstance(spec, str) or not spec.strip():
        return []
    dataset = ((meta.get("experiment") or {}).get("data") or {}).get("dataset") or meta.get("dataset")
    try:
        return resolve_class_texts(spec, dataset, list(meta["classes"]))
    except (DataError, OSError, KeyError, ValueError):
        return []


def _same_text(text: str) -> str:
    return " ".join(str(text).lower().split())


def seen_classes(meta, texts: Sequence[ClassText]) -> list[bool]:
    """Which of ``texts`` are classes the checkpoint was trained on: the same name as one of its
    ``classes`` (case, quotes and punctuation ignored) or the same description as one of their
    written texts."""
    names = {normalise_name(c) for c in meta["classes"]}
    descriptions = {_same_text(t.description) for t in trained_class_texts(meta) if t.description}
    return [normalise_name(t.name) in names or bool(t.description and _same_text(t.description) in descriptions)
            for t in texts]


@dataclass
class Calibration:
    """Calibrated stacking (Chao et al., 2016) of one class list: ``gamma`` (cosine units) times the
    model's logit scale is subtracted from the scores of the classes the model trained on, when the
    list mixes them with new ones (with only one kind, a common offset would change no decision)."""

    gamma: float
    logit_scale: float
    seen: list[str]
    new: list[str]
    source: str
    applied: bool = False

    @property
    def mixed(self) -> bool:
        return bool(self.seen and self.new)

    def note(self) -> str | None:
        """One line for the user, or None when the classes are not mixed."""
        if not self.mixed:
            return None
        if not self.applied:
            return (f"calibration: off ({self.source}); the {len(self.seen)} class(es) the model trained on "
                    f"({', '.join(self.seen)}) are favoured over the {len(self.new)} new one(s)")
        return (f"calibration: {self.gamma:g} (cosine units; {self.gamma * self.logit_scale:.2f} in logits) subtracted "
                f"from the {len(self.seen)} class(es) the model trained on ({', '.join(self.seen)}), against its bias "
                f"towards them over the {len(self.new)} new one(s) ({', '.join(self.new)}); gamma from {self.source}; "
                f"--no-calibrate turns it off")

    def as_dict(self) -> dict:
        return {"applied": self.applied, "gamma": self.gamma, "logit_scale": self.logit_scale,
                "logit_offset": self.gamma * self.logit_scale if self.applied else 0.0,
                "seen_classes": self.seen, "new_classes": self.new, "source": self.source,
                "method": "calibrated stacking: gamma x logit scale subtracted from the seen classes' scores",
                "note": self.note()}


def calibrate(scorer: OpenVocabScorer, meta, texts: Sequence[ClassText], gamma: float | None = None,
              source: str | None = None) -> Calibration:
    """Set ``scorer``'s calibration for ``texts``: ``gamma`` (cosine units; None: the checkpoint's
    stored ``open_vocabulary.seen_gamma``, 0 without one) subtracted from the seen classes' scores
    times the logit scale, when the classes mix seen and new ones. Returns what was done."""
    if gamma is None:
        gamma = stored_seen_gamma(meta)
        source = source or (f"the checkpoint ({OPEN_VOCABULARY}.seen_gamma of its config.json)" if gamma else
                            "the checkpoint stores no gamma; give --calibrate GAMMA")
    gamma = float(gamma)
    if not np.isfinite(gamma):
        raise ConfigError(f"calibration gamma must be a finite number, got {gamma}")
    seen = seen_classes(meta, texts)
    cal = Calibration(gamma, float(scorer.model.logit_scale.detach().exp()), [t.name for t, s in zip(texts, seen) if s],
                      [t.name for t, s in zip(texts, seen) if not s], source or "--calibrate")
    cal.applied = cal.mixed and gamma != 0
    scorer.seen_offset = (torch.tensor([gamma if s else 0.0 for s in seen], device=scorer.class_text.device)
                          if cal.applied else None)
    scorer.calibration = cal
    return cal


def with_descriptions(scorer: OpenVocabScorer, logits: np.ndarray, ds: SkeletonSet, index: np.ndarray) -> np.ndarray:
    """``logits`` of the samples ``ds[index]`` fused (equal weight) with describe-then-match scores."""
    described = description_logits(kinematic_descriptions(ds), scorer.class_text.cpu(), scorer.text_encoder,
                                   float(scorer.model.logit_scale.detach().exp()))
    return fuse_log_probs(logits, described.numpy()[index])


def texts_for_dataset(spec: str, ds: SkeletonSet, subset: str | Sequence[str | int] | None = None,
                      data_root: str | Path | None = None) -> tuple[list[ClassText], list[int]]:
    """The class texts of ``spec`` matched to ``ds``'s classes, and those classes' indices.

    ``purls`` and ``names`` cover every class of the dataset (or the classes of ``subset``, e.g.
    an unseen split ``ru2.npy``); a user's file or inline text names some of the dataset's
    classes, in its own order, and a name the dataset lacks is an error naming it."""
    if spec.strip() in ("purls", "names"):
        texts = resolve_class_texts(spec, ds.name, ds.classes)
        keep = class_indices(subset, ds.classes, data_root) if subset is not None else list(range(len(texts)))
        return [texts[k] for k in keep], keep
    given = resolve_class_texts(spec)
    source = spec if len(spec) < 80 else "--classes"
    position = {normalise_name(c): i for i, c in enumerate(ds.classes)}
    unknown = [t.name for t in given if normalise_name(t.name) not in position]
    if unknown:
        raise ConfigError(f"{source}: {unknown} are not classes of {ds.name} ({', '.join(ds.classes)}); "
                          f"to evaluate, every class given must be one the dataset labels")
    keep = [position[normalise_name(t.name)] for t in given]
    if subset is not None:
        wanted = set(class_indices(subset, ds.classes, data_root))
        given, keep = [t for t, k in zip(given, keep) if k in wanted], [k for k in keep if k in wanted]
    return [ClassText(ds.classes[k], t.description, t.parts, t.phases) for t, k in zip(given, keep)], keep


def kinematic_descriptions(ds: SkeletonSet) -> list[str]:
    """The kinematic describer's text of every sample (measured facts; no model, no labels).
    A sample too short to measure gets an empty text (it then scores every class alike)."""
    from .describers import facts_of

    texts = []
    for sample in ds:
        try:
            texts.append(facts_of(sample, ds.layout)[0])
        except ValueError:
            texts.append("")
    return texts


def description_logits(descriptions: Sequence[str], class_text: torch.Tensor, encoder: TextEncoder,
                       scale: float) -> torch.Tensor:
    """Describe-then-match: ``scale`` x cosine between each sample's description and each class
    text, both in the text encoder's own space (no skeleton model involved): (N, K)."""
    sentence = encoder.encode(list(descriptions))[2]
    empty = torch.tensor([not d.strip() for d in descriptions])
    cosine = sentence @ F.normalize(class_text, dim=-1).t()
    return scale * cosine.masked_fill(empty[:, None], 0.0)


def fuse_log_probs(*logits: torch.Tensor | np.ndarray) -> np.ndarray:
    """Equal-weight mean of the log-softmax of several score matrices over the same classes."""
    return np.mean([torch.as_tensor(np.asarray(x)).float().log_softmax(-1).numpy() for x in logits], axis=0)


def open_vocab_set(ds: SkeletonSet, keep: Sequence[int]) -> SkeletonSet:
    """``ds`` restricted to the classes ``keep``, relabelled in that order."""
    return ClassSubset(ds, keep) if list(keep) != list(range(ds.num_classes)) else ds


def top_classes(scorer: OpenVocabScorer, x: torch.Tensor, names: Sequence[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` best classes of one sample (1, M, T, V, C) with softmax probabilities."""
    with torch.no_grad():
        probs = scorer(x).softmax(1)[0].cpu().numpy()
    order = np.argsort(-probs)[:k]
    return [(names[i], float(probs[i])) for i in order]


def open_vocab_eval(model: nn.Module, meta: dict, ds: SkeletonSet, spec: str, subset: str | None = None,
                    view: str = "all", data_root: str | Path | None = None, kind: str = "direct",
                    seen_gamma: float | None = None, gamma_source: str | None = None
                    ) -> tuple[SkeletonSet, list[str], OpenVocabScorer]:
    """``actlm eval --classes``: the test samples of the classes named, their names, and a scorer,
    calibrated (:func:`calibrate`; ``scorer.calibration``) by ``seen_gamma``, None: the
    checkpoint's gamma, which was measured for direct scoring and so is used only with it."""
    if subset is not None and not Path(subset).suffix:   # comma-separated names or indices
        subset = [s.strip() for s in subset.split(",") if s.strip()]
    texts, keep = texts_for_dataset(spec, ds, subset, data_root)
    if not texts:
        raise ConfigError(f"--classes {spec!r} with --class-subset {subset!r}: no class left to score")
    scorer = scorer_for(model, meta, texts, view, kind=kind)
    source = gamma_source
    if seen_gamma is None and kind != "direct":
        seen_gamma, source = 0.0, f"the checkpoint's gamma is measured for direct scoring, not {kind}; give --calibrate GAMMA"
    calibrate(scorer, meta, texts, seen_gamma, source)
    return open_vocab_set(ds, keep), [t.name for t in texts], scorer


def has_text_space(name: str, args: dict) -> bool:
    """Whether a checkpoint's model (its config's name and arguments) has a skeleton-text space: a
    HocSLM, or an ensemble whose members all are."""
    if name == "seed-ensemble":
        members = args.get("members") or []
        return bool(members) and all(has_text_space(m["name"], m.get("args") or {}) for m in members)
    return name == "hocslm"


def require_text_space(checkpoint: str | Path | None) -> None:
    """Fail before the pose estimator runs when ``checkpoint`` cannot score classes by their text."""
    from ..engine.checkpoint import read_meta

    how = ("a skeleton-language checkpoint is one trained with a hocslm config, e.g. "
           "`actlm train nw-ucla/hocslm_joint`, then --checkpoint runs/nw-ucla_hocslm_joint")
    from ..pipeline import resolve_checkpoint

    checkpoint = resolve_checkpoint(checkpoint)   # the shipped general model has a text space
    meta = read_meta(checkpoint)
    if not has_text_space(meta.model.name, meta.model.args):
        raise ConfigError(f"{checkpoint}: a {meta.model.name} checkpoint cannot score classes by their text ({how})")


@dataclass
class TextScoring:
    """``predict --classes``' scorer, built once for many videos: the checkpoint's model and meta, the
    class texts, their scorer (the texts encoded: the text bank) and its calibration."""

    meta: dict
    texts: list[ClassText]
    scorer: OpenVocabScorer
    calibration: Calibration


def text_scoring(checkpoint, spec: str, view: str = "all", seen_gamma: float | None = None,
                 gamma_source: str | None = None) -> TextScoring:
    """The :class:`TextScoring` of the classes ``spec`` by the HocSLM ``checkpoint`` (a folder or name,
    or an :class:`actlm.pipeline.LoadedModel` already loaded), calibrated by ``seen_gamma`` (see
    :func:`calibrate`)."""
    from ..engine import load_checkpoint
    from ..pipeline import LoadedModel, resolve_checkpoint

    if isinstance(checkpoint, LoadedModel):
        model, meta = checkpoint.model, checkpoint.meta
    else:
        model, meta = load_checkpoint(resolve_checkpoint(checkpoint))
    model.eval()
    texts = resolve_class_texts(spec)
    scorer = scorer_for(model, meta, texts, view)
    return TextScoring(meta, texts, scorer, calibrate(scorer, meta, texts, seen_gamma, gamma_source))


def rescore_video_prediction(prediction, pose, checkpoint, spec: str, view: str = "all",
                             top_k: int = 5, min_confidence: float = 0.8, seen_gamma: float | None = None,
                             gamma_source: str | None = None, scoring: TextScoring | None = None):
    """``actlm predict --classes``: the prediction of ``predict_video`` re-scored among the classes
    given as text by the HocSLM ``checkpoint`` (top classes, confidence, and the evidence and
    explanation for the new top class). Classes the model trained on, given next to new ones, are
    calibrated by ``seen_gamma`` (None: the checkpoint's; 0: off), see :func:`calibrate`.
    ``scoring``: the :func:`text_scoring` of ``spec`` built before (a batch of videos), reused as
    it is (``checkpoint``, ``view`` and the calibration arguments are then not read)."""
    from dataclasses import replace

    from ..data.transforms import build_pipeline
    from ..pipeline import evidence_for_video, explained_fields, skeleton_for_model, visibility_for_model

    scoring = scoring or text_scoring(checkpoint, spec, view, seen_gamma, gamma_source)
    meta, texts, scorer, calibration = scoring.meta, scoring.texts, scoring.scorer, scoring.calibration
    args = meta["model"]["args"]
    data, kept = skeleton_for_model(pose, meta["layout"], args.get("num_persons", 1), args.get("in_channels"))
    x = torch.from_numpy(build_pipeline(meta["test_pipeline"], meta["layout"])(data, np.random.default_rng(0)))[None]
    names = [t.name for t in texts]
    top = top_classes(scorer, x, names, top_k)
    # the same reading as the prediction's own explanation (visibility, frame rate, gaps, camera); no
    # class profile for text classes
    ev = evidence_for_video(scorer, x, data, meta["layout"], names, prediction.video,
                            visibility=visibility_for_model(pose, meta["layout"], args.get("num_persons", 1), kept),
                            fps=pose.fps, kept=kept, camera_moving=prediction.camera_moving, stride=pose.stride)
    # novelty=None: the distance to the training samples says how far the video is from the trained
    # classes, not from the classes given as text, so it does not apply to them
    return replace(prediction, classes=names, top=top, confident=bool(top[0][1] >= min_confidence),
                   reasoner=None, novelty=None, calibration=calibration.as_dict(), **explained_fields(ev, kept, meta["layout"], pose.stride))   # the reasoner knows only its classes
