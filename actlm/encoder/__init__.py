"""Skeleton encoders. ``build_model(name, **kwargs)`` is how the rest of actlm makes one."""
from __future__ import annotations

from typing import Any, Callable

from torch import nn

from ..data.errors import ConfigError
from .ensemble import SeedEnsemble
from .hglnet import HGLNet

MODELS: dict[str, Callable[..., nn.Module]] = {"hglnet": HGLNet, "seed-ensemble": SeedEnsemble}


def register_model(name: str, factory: Callable[..., nn.Module]) -> None:
    """Make ``build_model(name, **kwargs)`` call ``factory(**kwargs)``: how models built on the
    encoders (HocSLM in ``actlm.language.slm``) join without the encoders importing them."""
    MODELS[name] = factory


def build_model(name: str, **kwargs: Any) -> nn.Module:
    """Instantiate a registered encoder; unknown names or arguments raise ``ConfigError``."""
    if name not in MODELS:
        raise ConfigError(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}")
    try:
        return MODELS[name](**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model {name}: {exc}") from None


__all__ = ["HGLNet", "MODELS", "SeedEnsemble", "build_model", "register_model"]
