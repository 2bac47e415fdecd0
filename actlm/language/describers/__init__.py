"""Describers write one text description per training sample (and per class), offline, cached.

One interface (:mod:`.base`), four backends that register themselves (``build_describer(name, **options)``):

``kinematic``  (default, no model) the measured facts of :mod:`actlm.explain.facts` in plain English;
``openai``     any OpenAI-compatible chat-completions server (vLLM, Ollama, LM Studio, hosted
               APIs): video frames as images when the sample has a video, else the facts as text;
``hf``         a local transformers causal LM (or vision-language model) checkpoint directory;
``smollm``     the embedded SmolLM2-135M-Instruct rewriting the facts into fluent text.

As in GAP, descriptions are generated once (``actlm describe``), stored in a
:class:`~actlm.language.cache.DescriptionCache` and reused by every training run; inference never needs them.
"""
from __future__ import annotations

from .base import CLASS_PREFIX, DescribeJob, Describer, DescriberError, build_describer, clean_text, register_describer
from .dataset import DescribeReport, describe_dataset, facts_of, tqdm_progress
from .kinematic import KinematicDescriber

# importing a backend registers it; this order is the order error messages list them in
from . import openai  # noqa: E402,F401
from . import hf  # noqa: E402,F401

__all__ = ["CLASS_PREFIX", "DescribeJob", "DescribeReport", "Describer", "DescriberError", "KinematicDescriber",
           "build_describer", "clean_text", "describe_dataset", "facts_of", "register_describer", "tqdm_progress"]
