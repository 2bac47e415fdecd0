"""Describers backed by a local transformers checkpoint (``hf``) or the embedded SmolLM2 (``smollm``).

A causal LM rewrites the measured kinematic facts into fluent text. A vision-language
checkpoint (one whose processor takes images, e.g. Qwen2-VL, LLaVA, SmolVLM) additionally gets
sampled video frames when the sample has a video. Greedy decoding: the same input gives the
same description, which is what a cache keyed by (model, prompt version) assumes.
"""
from __future__ import annotations

import threading
from typing import Any

from ..lm import SMOLLM_NAME, chat_prompt, load_causal_lm, resolve_lm_path
from .base import DescribeJob, Describer, DescriberError, register_describer
from .prompts import SYSTEM_PROMPT, read_video_frames, user_prompt


class HFDescriber(Describer):
    """Greedy generation with a local checkpoint; ``model_path`` is a folder (or ``smollm``)."""

    backend = "hf"

    def __init__(self, model_path: str | None = None, max_new_tokens: int = 60, frames: int = 4, threads: int | None = None):
        self.path = resolve_lm_path(model_path)
        self.name = SMOLLM_NAME if model_path in (None, "", "smollm") else self.path.name
        self.max_new_tokens, self.frames = int(max_new_tokens), int(frames)
        self.threads = threads
        self._lm: tuple[Any, Any] | None = None
        self._vision: tuple[Any, Any] | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self.name

    def _text_model(self) -> tuple[Any, Any]:
        if self._lm is None:
            import torch
            if self.threads:
                torch.set_num_threads(self.threads)
            self._lm = load_causal_lm(str(self.path))
            self._lm[0].eval()
        return self._lm

    def _vision_model(self) -> tuple[Any, Any] | None:
        """(model, processor) if the checkpoint is a vision-language model, else None."""
        if self._vision is None:
            from transformers import AutoConfig
            config = AutoConfig.from_pretrained(str(self.path))
            if not hasattr(config, "vision_config"):
                self._vision = (None, None)
            else:
                from transformers import AutoModelForImageTextToText, AutoProcessor
                self._vision = (AutoModelForImageTextToText.from_pretrained(str(self.path)).eval(),
                                AutoProcessor.from_pretrained(str(self.path)))
        return self._vision if self._vision[0] is not None else None

    def generate(self, system: str, user: str) -> str:
        import torch
        model, tok = self._text_model()
        prompt = chat_prompt(tok, system, user)
        inputs = tok(prompt, return_tensors="pt")
        with self._lock, torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                 pad_token_id=tok.pad_token_id)
        return tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)

    def describe_one(self, job: DescribeJob) -> str:
        vision = self._vision_model() if job.video and self.frames > 0 else None
        if vision is None:
            return self.generate(SYSTEM_PROMPT, user_prompt(job, False))
        return self._describe_frames(job, *vision)

    def _describe_frames(self, job: DescribeJob, model: Any, processor: Any) -> str:
        import io

        import torch
        from PIL import Image
        images = [Image.open(io.BytesIO(b)).convert("RGB") for b in (job.frames or read_video_frames(job.video, self.frames))]
        messages = [{"role": "system", "content": [{"type": "text", "text": SYSTEM_PROMPT}]},
                    {"role": "user", "content": [{"type": "image"} for _ in images]
                     + [{"type": "text", "text": user_prompt(job, True)}]}]
        prompt = processor.apply_chat_template(messages, add_generation_prompt=True)
        inputs = processor(text=prompt, images=images, return_tensors="pt")
        with self._lock, torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        return processor.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)

    def describe_class(self, name: str, facts: list[str]) -> str:
        typical = "; ".join(facts) or "not measured"
        return self.generate(SYSTEM_PROMPT, f"Describe how the body moves when a person performs the action "
                                            f"'{name}'. Typical measured motion: {typical}")


def smollm_describer(**options: Any) -> HFDescriber:
    """The embedded SmolLM2-135M-Instruct as describer (the offline stand-in for a VLM)."""
    if options.get("model_path") not in (None, "", "smollm"):
        raise DescriberError("the smollm describer uses the embedded model; for another checkpoint use --backend hf")
    d = HFDescriber(model_path=None, **{k: v for k, v in options.items() if k != "model_path"})
    d.backend = "smollm"
    return d


register_describer("hf", HFDescriber)
register_describer("smollm", smollm_describer)
