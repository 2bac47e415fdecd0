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
import http.client
import json
import os
import random
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any

from .base import DescribeJob, Describer, DescriberError, printable, register_describer
from .prompts import SYSTEM_PROMPT, read_video_frames, user_prompt

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
MAX_RETRY_AFTER_S = 60.0   # a server's Retry-After is honoured up to this
MAX_REPLY_BYTES = 2 << 20  # a chat completion of a few sentences is a few KB; more is refused unread


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
        """POST ``body`` to the chat-completions endpoint; the whole exchange (connecting, sending,
        every byte of the reply) must finish within ``timeout`` seconds and the reply fit in
        ``MAX_REPLY_BYTES``. Redirects are followed only within the server's own origin, so the
        key never travels to another host."""
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        url, payload = f"{self.base_url}/chat/completions", json.dumps(body).encode()
        for _ in range(MAX_REDIRECTS + 1):
            status, reply_headers, raw = _exchange(url, payload, headers, self.timeout)
            if status in REDIRECT_STATUS:
                url = self._redirect_target(url, reply_headers.get("Location"))
                continue
            if status >= 400:
                detail = printable(raw[:200].decode(errors="replace"))
                if status in RETRY_STATUS:
                    raise _Retry(f"HTTP {status}: {detail}", _retry_after(reply_headers))
                raise DescriberError(f"{self.base_url}: HTTP {status}: {detail}")
            return raw
        raise DescriberError(f"{self.base_url}: more than {MAX_REDIRECTS} redirects")

    def _redirect_target(self, url: str, location: str | None) -> str:
        """The URL a redirect points to, when it stays on the same scheme, host and port."""
        if not location:
            raise DescriberError(f"{self.base_url}: a redirect without a Location")
        target = urllib.parse.urljoin(url, location)
        if _origin(target) != _origin(url):
            raise DescriberError(f"{self.base_url}: the server redirects to another origin "
                                 f"({printable(_origin(target))}); the request (and its key) is not sent there. "
                                 f"If that server is the right one, give it as --base-url")
        return target

    def _parse(self, raw: bytes, sample_id: str) -> str:
        try:
            reply = json.loads(raw)
            content = reply["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise _Retry(f"the server's reply is not a chat completion: {raw[:120]!r}") from None
        if not isinstance(content, str) or not content.strip():
            raise _Retry(f"the server's reply has no text: {raw[:120]!r}")
        return content


def _origin(url: str) -> str:
    """scheme://host:port of a URL (the default port filled in)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _exchange(url: str, payload: bytes, headers: dict[str, str], timeout: float
              ) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One POST under a total deadline: a watchdog shuts the socket down when ``timeout`` seconds
    have passed, whatever the server is doing (a reply trickling in a byte at a time included)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DescriberError(f"{printable(url)}: not an http(s) URL")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = (http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context())
            if parts.scheme == "https" else http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout))
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, _read_capped(response, expired)
    except (TimeoutError, socket.timeout):
        raise _Retry(f"no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            raise _Retry(f"no answer within {timeout:g} s") from None
        raise _Retry(f"cannot reach the server ({exc.__class__.__name__}: {printable(str(exc))[:120]})") from None
    finally:
        watchdog.cancel()
        conn.close()


def _read_capped(response: http.client.HTTPResponse, expired: threading.Event) -> bytes:
    """The reply body, refused past ``MAX_REPLY_BYTES`` (declared or actually sent)."""
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > MAX_REPLY_BYTES:
        raise DescriberError(f"the server's reply is {int(declared):,} bytes, over the {MAX_REPLY_BYTES:,} bytes accepted")
    chunks, size = [], 0
    while True:
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if expired.is_set():
            raise TimeoutError
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise DescriberError(f"the server's reply is over the {MAX_REPLY_BYTES:,} bytes accepted; not read further")
        chunks.append(chunk)


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
