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
4. The loss: cross-entropy of the HGLNet head + weighted contrastive, class-text and fused
   cross-entropy terms (weights in the ``language`` config section).

Inference runs ``forward(x)`` = HGLNet alone: same parameters on the path, same latency.
``text_logits(x)`` classifies by similarity to the stored class-description embeddings
(``class_text``, a buffer saved with the checkpoint, so no text encoder is needed then).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..encoder import register_model
from ..encoder.hglnet import DEFAULT_STAGES, HGLNet


@dataclass
class TextBatch:
    """Text side of a training batch: description tokens and sentences, and all class texts."""

    tokens: torch.Tensor       # (N, L, Dt)
    mask: torch.Tensor         # (N, L) bool
    sentence: torch.Tensor     # (N, Dt), L2-normalised
    class_text: torch.Tensor   # (K, Dt), L2-normalised


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


class HocSLM(nn.Module):
    """HGLNet + skeleton-language heads (see module docstring). Input (N, M, T, V, C)."""

    def __init__(self, num_classes: int, layout: str = "kinect-v2", in_channels: int = 3,
                 num_persons: int = 2, stages: list[list[int]] | tuple = DEFAULT_STAGES,
                 groups: int = 8, heads: int = 4, dropout: float = 0.0,
                 text_dim: int = 384, embed_dim: int = 256, fusion_heads: int = 4, temperature: float = 0.07):
        super().__init__()
        self.encoder = HGLNet(num_classes, layout, in_channels, num_persons, stages, groups, heads, dropout)
        d = self.encoder.feature_dim
        self.fusion = SequentialFusion(d, text_dim, fusion_heads)
        self.fused_classifier = nn.Linear(d, num_classes)
        self.skeleton_projection = _projection(d, embed_dim)
        self.text_projection = _projection(text_dim, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)))
        self.register_buffer("class_text", torch.zeros(num_classes, text_dim))

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
        return logits, {
            "fused_logits": self.fused_classifier(self.fusion(sequence, text.tokens, text.mask)),
            "skeleton_text": skeleton @ described.t(),
            "description_similarity": text.sentence @ text.sentence.t(),
            "class_text_logits": scale * skeleton @ classes.t(),
            "scale": scale,
        }


def language_losses(out: dict[str, torch.Tensor], labels: torch.Tensor, label_smoothing: float,
                    description_temperature: float | None = None) -> dict[str, torch.Tensor]:
    """The three language terms from ``HocSLM`` training outputs."""
    targets = contrastive_targets(labels, out["description_similarity"] if description_temperature else None,
                                  description_temperature)
    return {
        "contrastive": soft_contrastive_from_similarity(out["skeleton_text"], targets, out["scale"]),
        "class_text": F.cross_entropy(out["class_text_logits"], labels),
        "fusion": F.cross_entropy(out["fused_logits"], labels, label_smoothing=label_smoothing),
    }


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


register_model("hocslm", HocSLM)
