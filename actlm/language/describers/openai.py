"""Describer for any OpenAI-compatible chat-completions server (vLLM, Ollama, LM Studio, hosted).

With a video for the sample, ``frames`` RGB frames are sampled evenly and sent as JPEG data URLs
(the vision-language path of HocSLM); without one, the measured kinematic facts are sent as
text, for text-only servers. Only the standard library is used for HTTP.

Settings come from arguments, else the environment: ``ACTLM_OPENAI_BASE_URL`` (or
``OPENAI_BASE_URL``), ``ACTLM_OPENAI_MODEL``, ``ACTLM_OPENAI_API_KEY`` (or ``OPENAI_API_KEY``).
The key is sent only in the Authorization header and never appears in messages or logs.
"""
from __future__ import annotations

import base64
import json
import os
import random
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from .base import DescribeJob, Describer, DescriberError, register_describer
from .prompts import SYSTEM_PROMPT, read_video_frames, user_prompt

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 60.0   # a server's Retry-After is honoured up to this


def _env(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


class OpenAIDescriber(Describer):
    """Chat-completions client with a concurrency limit, timeouts and retries with backoff."""

    backend = "openai"

    def __init__(self, base_url: str | None = None, model: str | None = None, api_key: str | None = None,
                 concurrency: int = 4, timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
                 frames: int = 4, max_tokens: int = 120, temperature: float = 0.2):
        base_url = base_url or _env("ACTLM_OPENAI_BASE_URL", "OPENAI_BASE_URL")
        if not base_url:
            raise DescriberError("the openai describer needs a server: --base-url URL (e.g. http://localhost:8000/v1) "
                                 "or ACTLM_OPENAI_BASE_URL")
        self.base_url = base_url.rstrip("/")
        self._model = model or _env("ACTLM_OPENAI_MODEL") or "default"
        self._api_key = api_key or _env("ACTLM_OPENAI_API_KEY", "OPENAI_API_KEY")
        self.concurrency = max(int(concurrency), 1)
        self.timeout, self.retries, self.backoff = float(timeout), int(retries), float(backoff)
        self.frames, self.max_tokens, self.temperature = int(frames), int(max_tokens), float(temperature)

    @property
    def model(self) -> str:
        return self._model

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIDescriber(base_url={self.base_url!r}, model={self._model!r}, concurrency={self.concurrency})"

    def messages(self, job: DescribeJob) -> list[dict[str, Any]]:
        if job.video and self.frames > 0:
            images = job.frames or read_video_frames(job.video, self.frames)
            content: Any = [{"type": "text", "text": user_prompt(job, True)}] + [
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(b).decode()}}
                for b in images]
        else:
            content = user_prompt(job, False)
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}]

    def describe_one(self, job: DescribeJob) -> str:
        body = {"model": self._model, "messages": self.messages(job), "max_tokens": self.max_tokens,
                "temperature": self.temperature}
        return self._complete(body, job.sample_id)

    def describe_class(self, name: str, facts: list[str]) -> str:
        job = DescribeJob(f"class:{name}", "; ".join(facts) or "not measured", name)
        body = {"model": self._model, "max_tokens": self.max_tokens, "temperature": self.temperature,
                "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                             {"role": "user", "content": f"Describe how the body moves when a person performs "
                                                         f"the action '{name}'. Typical measured motion: {job.facts_text}"}]}
        return self._complete(body, job.sample_id)

    # -- HTTP --------------------------------------------------------------------------------
    def _complete(self, body: dict[str, Any], sample_id: str) -> str:
        last, wait_hint = "no attempt", 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                backoff = self.backoff * 2 ** (attempt - 1) * (0.5 + random.random())
                time.sleep(max(backoff, min(wait_hint, MAX_RETRY_AFTER_S)))
            try:
                return self._parse(self._post(body), sample_id)
            except _Retry as exc:
                last, wait_hint = str(exc), exc.retry_after
        raise DescriberError(f"{sample_id}: {self.base_url} failed after {self.retries + 1} attempts: {last}")

    def _post(self, body: dict[str, Any]) -> bytes:
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(f"{self.base_url}/chat/completions", data=json.dumps(body).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode(errors="replace")
            if exc.code in RETRY_STATUS:
                raise _Retry(f"HTTP {exc.code}: {detail}", _retry_after(exc.headers)) from None
            raise DescriberError(f"{self.base_url}: HTTP {exc.code}: {detail}") from None
        except (TimeoutError, socket.timeout):
            raise _Retry(f"no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            raise _Retry(f"cannot reach the server ({exc.reason})") from None
        except ConnectionError as exc:
            raise _Retry(f"connection failed ({exc})") from None

    def _parse(self, raw: bytes, sample_id: str) -> str:
        try:
            reply = json.loads(raw)
            content = reply["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise _Retry(f"the server's reply is not a chat completion: {raw[:120]!r}") from None
        if not isinstance(content, str) or not content.strip():
            raise _Retry(f"the server's reply has no text: {raw[:120]!r}")
        return content


class _Retry(Exception):
    """A failure worth another attempt (timeouts, 5xx, 429, garbage or empty replies)."""

    def __init__(self, message: str, retry_after: float = 0.0):
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(headers) -> float:
    """Seconds from a ``Retry-After: <seconds>`` header (0 when absent or an HTTP date)."""
    try:
        return max(float(headers.get("Retry-After", 0) or 0), 0.0)
    except (TypeError, ValueError):
        return 0.0


register_describer("openai", OpenAIDescriber)
