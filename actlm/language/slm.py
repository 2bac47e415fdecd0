"""HocSLM: HGLNet plus the skeleton-language sequential fusion used during training.

Read top to bottom:

1. ``HGLNet`` encodes the skeleton; its feature map (N, M, D, T', V) pooled over persons and
   joints is the skeleton *sequence* (N, T', D) and, pooled over time, the clip feature (N, D).
2. ``SequentialFusion``: the description's token embeddings attend over the skeleton sequence
   (cross-attention over time). Words choose *where in time* to look; what they read are
   skeleton features, so the fused classifier cannot classify from the words themselves and
   its gradient teaches the encoder to make every moment the text talks about recognisable.
3. Projections of the clip feature and of the sentence embedding into one space, with two
   contrastive losses: sample <-> its description (samples of the same class count as
   positives, since they share meaning) and sample <-> every class description (a text
   classifier). With a ``description_temperature`` the same-class positives are weighted by
   how alike their *descriptions* are (softmax of sentence similarity), so a sample is pulled
   hardest to its own description and to samples described alike: the description's content,
   not only its label, shapes the embedding.
4. Part-level alignment (``part_alignment``, GAP's idea): with written class texts that describe
   body parts (the PURLS columns head, hands, torso, legs), the feature map pooled over each
   region's joints is projected on its own and matched to that region's text of every class
   (a text classifier per region), so 'hands: grasp the object' is learnt from the hands'
   features rather than averaged into one sentence per class.
5. The loss: cross-entropy of the HGLNet head + weighted contrastive, class-text, part-text and fused
   cross-entropy terms (weights in the ``language`` config section), computed by
   ``SkeletonLanguageObjective``, the model's ``training_objective``, which also feeds each batch
   its descriptions from the ``TextBank`` (and fine-tunes the text encoder if asked).

Inference runs ``forward(x)`` = HGLNet alone: same parameters on the path, same latency.
``text_logits(x)`` classifies by similarity to the stored class-description embeddings
(``class_text``, a buffer saved with the checkpoint, so no text encoder is needed then).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..data.layouts import get_layout
from ..encoder import register_model
from ..encoder.hglnet import DEFAULT_STAGES, HGLNet
from ..engine.config import ConfigError
from ..engine.objective import Objective, StepLosses, TrainingContext
from .cache import DescriberKey, DescriptionCache
from .text_bank import TextBank, TextBatch, encode_class_texts, load_class_descriptions
from .text_encoder import TextEncoder


class SequentialFusion(nn.Module):
    """Description tokens (queries) attend over the skeleton sequence (keys/values) in time."""

    def __init__(self, skeleton_dim: int, text_dim: int, heads: int = 4, max_len: int = 64):
        super().__init__()
        self.query = nn.Linear(text_dim, skeleton_dim)
        self.time_embedding = nn.Parameter(torch.zeros(1, max_len, skeleton_dim))
        self.attention = nn.MultiheadAttention(skeleton_dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(skeleton_dim)
        nn.init.trunc_normal_(self.time_embedding, std=0.02)

    def forward(self, sequence: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(N, T', D) skeleton, (N, L, Dt) text, (N, L) mask -> fused clip feature (N, D)."""
        t = sequence.shape[1]
        pos = self.time_embedding[:, :t] if t <= self.time_embedding.shape[1] else \
            F.interpolate(self.time_embedding.transpose(1, 2), size=t, mode="linear").transpose(1, 2)
        keys = sequence + pos
        read, _ = self.attention(self.query(tokens), keys, sequence, need_weights=False)
        read = self.norm(read)
        w = mask.unsqueeze(-1).to(read.dtype)
        return (read * w).sum(1) / w.sum(1).clamp(min=1)


def _projection(in_dim: int, out_dim: int) -> nn.Module:
    return nn.Sequential(nn.Linear(in_dim, out_dim), nn.GELU(), nn.Linear(out_dim, out_dim))


#: the body regions written part texts describe (the PURLS columns) -> the layout parts they cover
TEXT_PARTS = {"head": ("head",), "hands": ("left_arm", "right_arm", "left_hand", "right_hand"),
              "torso": ("torso",), "legs": ("left_leg", "right_leg", "feet")}


def region_joints(layout: str) -> list[list[int]]:
    """Joint indices of each :data:`TEXT_PARTS` region in ``layout`` (a region the layout lacks
    pools the whole body)."""
    lay = get_layout(layout)
    regions = [sorted({j for part in parts for j in lay.parts.get(part, ())}) for parts in TEXT_PARTS.values()]
    return [joints or list(range(lay.num_joints)) for joints in regions]


class HocSLM(nn.Module):
    """HGLNet + skeleton-language heads (see module docstring). Input (N, M, T, V, C)."""

    def __init__(self, num_classes: int, layout: str = "kinect-v2", in_channels: int = 3,
                 num_persons: int = 2, stages: list[list[int]] | tuple = DEFAULT_STAGES,
                 groups: int = 8, heads: int = 4, dropout: float = 0.0,
                 text_dim: int = 384, embed_dim: int = 256, fusion_heads: int = 4, temperature: float = 0.07,
                 part_alignment: bool = False, stream: str = "joint"):
        super().__init__()
        self.encoder = HGLNet(num_classes, layout, in_channels, num_persons, stages, groups, heads, dropout, stream)
        d = self.encoder.feature_dim
        self.fusion = SequentialFusion(d, text_dim, fusion_heads)
        self.fused_classifier = nn.Linear(d, num_classes)
        self.skeleton_projection = _projection(d, embed_dim)
        self.text_projection = _projection(text_dim, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)))
        self.register_buffer("class_text", torch.zeros(num_classes, text_dim))
        self.part_alignment = part_alignment
        if part_alignment:
            self.regions = region_joints(layout)
            self.part_projection = nn.ModuleList(_projection(d, embed_dim) for _ in TEXT_PARTS)
            self.register_buffer("part_text", torch.zeros(len(TEXT_PARTS), num_classes, text_dim))

    @property
    def num_classes(self) -> int:
        return self.encoder.num_classes

    @property
    def num_joints(self) -> int:
        return self.encoder.num_joints

    @property
    def layout_name(self) -> str:
        return self.encoder.layout_name

    # -- inference (text-free) ----------------------------------------------------------------
    def forward(self, x: torch.Tensor, text: TextBatch | None = None):
        """Logits of HGLNet; with ``text`` (training) also the language losses as a dict."""
        if text is None:
            return self.encoder(x)
        return self._forward_train(x, text)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Skeleton embedding in the joint space, L2-normalised (N, E)."""
        return F.normalize(self.skeleton_projection(self.encoder.forward_features(x)), dim=-1)

    def text_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Classification by cosine similarity to the class descriptions (zero-shot style)."""
        if not self.class_text.abs().sum():
            raise ValueError("this checkpoint has no class descriptions (class_text is empty)")
        classes = F.normalize(self.text_projection(self.class_text), dim=-1)
        return self.logit_scale.exp() * self.embed(x) @ classes.t()

    def part_embed(self, x: torch.Tensor) -> torch.Tensor:
        """Region embeddings (P, N, E), L2-normalised: the feature map pooled over each region's joints."""
        return self._part_embed(self.encoder.feature_map(x))

    def _part_embed(self, fmap: torch.Tensor) -> torch.Tensor:
        pooled = fmap.mean(dim=(1, 3))                            # (N, D, V)
        return torch.stack([F.normalize(proj(pooled[:, :, joints].mean(-1)), dim=-1)
                            for proj, joints in zip(self.part_projection, self.regions)])

    def part_logits(self, x: torch.Tensor, part_text: torch.Tensor | None = None) -> torch.Tensor:
        """(N, K) scaled cosines averaged over the regions, against ``part_text`` (P, K, Dt) or the
        stored part texts of the trained classes."""
        texts = F.normalize(self.text_projection(self.part_text if part_text is None else part_text), dim=-1)
        return self.logit_scale.exp() * torch.einsum("pne,pke->nk", self.part_embed(x), texts) / texts.shape[0]

    def text_matcher(self) -> "TextMatcher":
        """This model as a classifier by class-description similarity (``actlm eval --text-match``)."""
        return TextMatcher(self)

    # -- training ---------------------------------------------------------------------------
    def _forward_train(self, x: torch.Tensor, text: TextBatch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        fmap = self.encoder.feature_map(x)                       # (N, M, D, T', V)
        sequence = fmap.mean(dim=(1, 4)).transpose(1, 2)         # (N, T', D)
        clip = sequence.mean(1)
        logits = self.encoder.classifier(self.encoder.dropout(clip))
        scale = self.logit_scale.clamp(max=math.log(100)).exp()
        skeleton = F.normalize(self.skeleton_projection(clip), dim=-1)
        described = F.normalize(self.text_projection(text.sentence), dim=-1)
        classes = F.normalize(self.text_projection(text.class_text), dim=-1)
        out = {
            "fused_logits": self.fused_classifier(self.fusion(sequence, text.tokens, text.mask)),
            "skeleton_text": skeleton @ described.t(),
            "description_similarity": text.sentence @ text.sentence.t(),
            "class_text_logits": scale * skeleton @ classes.t(),
            "scale": scale,
        }
        if self.part_alignment:
            regions = F.normalize(self.text_projection(self.part_text), dim=-1)        # (P, K, E)
            out["part_text_logits"] = scale * torch.einsum("pne,pke->pnk", self._part_embed(fmap), regions)
        return logits, out


def part_text_embeddings(class_texts, encoder: TextEncoder) -> torch.Tensor:
    """(P, K, Dt): each class's text for each :data:`TEXT_PARTS` region, prefixed with the class
    name ('pick up with one hand: hands: ...'); a class without a text for a region uses its
    global description (or its name)."""
    regions = [[ct.texts("parts")[list(ct.parts).index(part)] if part in ct.parts else ct.texts("global")[0]
                for ct in class_texts] for part in TEXT_PARTS]
    with torch.no_grad():
        return torch.stack([encode_class_texts(encoder, [[t] for t in texts]) for texts in regions])


class TextMatcher(nn.Module):
    """A HocSLM whose forward is ``text_logits``: scores by similarity to the class descriptions."""

    def __init__(self, model: HocSLM):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.text_logits(x)


def language_losses(out: dict[str, torch.Tensor], labels: torch.Tensor, label_smoothing: float,
                    description_temperature: float | None = None) -> dict[str, torch.Tensor]:
    """The three language terms from ``HocSLM`` training outputs."""
    targets = contrastive_targets(labels, out["description_similarity"] if description_temperature else None,
                                  description_temperature)
    terms = {
        "contrastive": soft_contrastive_from_similarity(out["skeleton_text"], targets, out["scale"]),
        "class_text": F.cross_entropy(out["class_text_logits"], labels),
        "fusion": F.cross_entropy(out["fused_logits"], labels, label_smoothing=label_smoothing),
    }
    if "part_text_logits" in out:   # one text classifier per body region, averaged
        terms["part_text"] = torch.stack([F.cross_entropy(z, labels) for z in out["part_text_logits"]]).mean()
    return terms


def contrastive_targets(labels: torch.Tensor, description_similarity: torch.Tensor | None = None,
                        temperature: float | None = None) -> torch.Tensor:
    """Target distribution of each sample (row) over the batch's descriptions (columns).

    Without description similarity: uniform over the same-label samples. With it: a softmax of
    ``similarity / temperature`` restricted to the same-label samples (the own description,
    similarity 1, weighs most).
    """
    same = labels[:, None] == labels[None, :]
    if description_similarity is None:
        return same.float() / same.sum(1, keepdim=True)
    scores = description_similarity.detach().float() / temperature
    return torch.softmax(scores.masked_fill(~same, float("-inf")), dim=1)


def soft_contrastive_from_similarity(sim: torch.Tensor, target: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE over a cosine-similarity matrix with soft targets (rows sum to 1)."""
    logits = scale * sim
    target = target.to(logits.dtype)
    return 0.5 * (torch.sum(-target * F.log_softmax(logits, 1), 1).mean()
                  + torch.sum(-target.t() * F.log_softmax(logits.t(), 1), 1).mean())


class SkeletonLanguageObjective(Objective):
    """HocSLM's training: each sample's description from a text bank of the training set, and the
    loss cross-entropy + weighted ``language_losses``. Without a ``language`` config section the
    model trains as a plain classifier."""

    reads_language = True

    def __init__(self, model: HocSLM, ctx: TrainingContext):
        super().__init__(model, ctx)
        self.ctx = ctx
        self.language = ctx.cfg.language
        self.bank: TextBank | None = None
        self.text_encoder: TextEncoder | None = None   # only when the text encoder is fine-tuned
        if self.language is not None:
            self.bank, self.text_encoder = self._text_bank(model)

    def _text_bank(self, model: HocSLM) -> tuple[TextBank, TextEncoder | None]:
        """Text bank of the training descriptions; the class descriptions stored in the model."""
        lang, ctx, train_set = self.language, self.ctx, self.ctx.train_set
        classes = (load_class_descriptions(lang.class_descriptions, train_set.classes, train_set.name)
                   if lang.class_descriptions else None)
        encoder = TextEncoder(lang.text_encoder, lang.max_tokens, trainable=lang.finetune_text)
        if encoder.dim != model.class_text.shape[1]:
            raise ConfigError(f"text encoder {lang.text_encoder} gives {encoder.dim}-d embeddings: set "
                              f"model.args.text_dim={encoder.dim}")
        key = DescriberKey(train_set.name, lang.describer, lang.describer_model, lang.prompt_version)
        cache = DescriptionCache(lang.cache)
        if not ctx.is_main:
            ctx.barrier()   # the main process describes missing samples first
        bank = TextBank(train_set, key, encoder, cache, lang.describe_missing, log=print,
                        shared_by=lang.shared_by, class_descriptions=classes)
        if ctx.is_main:
            ctx.barrier()
            print(bank.report, file=sys.stderr)
        if bank.report.fallback == len(train_set):
            found = [f"language.describer={k.backend} language.describer_model={k.model} "
                     f"language.prompt_version={k.prompt_version} ({n} texts)"
                     for k, n in cache.keys() if k.dataset == train_set.name]
            raise ConfigError(f"no cached descriptions for {key}: run `actlm describe {train_set.name} "
                              f"--backend {lang.describer}` first (or use describer: kinematic)"
                              + ("; the cache has: " + "; ".join(found) if found else ""))
        model.class_text.copy_(bank.class_text.to(ctx.device))
        if getattr(model, "part_alignment", False):
            model.part_text.copy_(self._part_texts(encoder, train_set).to(ctx.device))
        return bank, (encoder.to(ctx.device) if lang.finetune_text else None)

    def _part_texts(self, encoder: TextEncoder, train_set) -> torch.Tensor:
        """(P, K, Dt) embeddings of each class's region texts (written class descriptions with part
        columns, e.g. ``purls``)."""
        from .class_texts import resolve_class_texts

        spec = self.language.class_descriptions
        if not spec:
            raise ConfigError("model.args.part_alignment needs written class texts with part descriptions: "
                              "set language.class_descriptions (e.g. purls, or a YAML/CSV with head/hands/torso/legs)")
        texts = resolve_class_texts(spec.split("@")[0], train_set.name, train_set.classes)
        return part_text_embeddings(texts, encoder)

    def parameter_groups(self) -> list[dict[str, Any]]:
        if self.text_encoder is None:
            return []
        return [{"params": [p for p in self.text_encoder.parameters() if p.requires_grad],
                 "weight_decay": 0.0, "lr_scale": self.language.text_lr_scale}]

    def batch_inputs(self, index: torch.Tensor) -> dict[str, Any]:
        if self.bank is None:
            return {}
        if self.text_encoder is None:
            return {"text": self.bank.batch(index, self.ctx.device)}
        tokens, mask, sentence = self.text_encoder([self.bank.texts[int(i)] for i in index])
        return {"text": TextBatch(tokens, mask, sentence, encode_class_texts(self.text_encoder, self.bank.class_texts))}

    def losses(self, output: Any, labels: torch.Tensor) -> StepLosses:
        if self.bank is None:
            return super().losses(output, labels)
        logits, out = output
        loss = F.cross_entropy(logits, labels, label_smoothing=self.label_smoothing)
        terms = language_losses(out, labels, self.label_smoothing, self.language.description_temperature)
        for name, value in terms.items():
            loss = loss + getattr(self.language.weights, name) * value
        return StepLosses(logits, loss, terms)

    def start_epoch(self) -> None:
        if self.text_encoder is not None:
            self.text_encoder.train()

    def end_epoch(self, model: nn.Module) -> None:
        """A fine-tuned text encoder: class texts refreshed in the model, the encoder saved beside the checkpoints."""
        if self.text_encoder is None:
            return
        self.text_encoder.eval()   # the stored class texts are inference embeddings: no dropout
        with torch.no_grad():
            model.class_text.copy_(encode_class_texts(self.text_encoder, self.bank.class_texts))
        if self.ctx.is_main:
            self.text_encoder.model.save_pretrained(str(self.ctx.run_dir / "text_encoder"))
            self.text_encoder.tokenizer.save_pretrained(str(self.ctx.run_dir / "text_encoder"))

    def resume(self, run_dir: Path) -> None:
        saved = run_dir / "text_encoder" / "model.safetensors"
        if self.text_encoder is not None and saved.exists():
            from safetensors.torch import load_file
            self.text_encoder.model.load_state_dict(load_file(str(saved)))


HocSLM.training_objective = SkeletonLanguageObjective
register_model("hocslm", HocSLM)
