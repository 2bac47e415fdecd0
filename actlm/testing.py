"""Test doubles for code that uses actlm. ``FakeOpenAI``: a small OpenAI-compatible chat-completions
server on localhost (real HTTP, real JSON) for testing and benchmarking the ``openai`` describer offline.

``behaviour`` decides each reply: ``ok`` (a description naming the request), ``error`` (HTTP 500),
``garbage`` (200 with a non-JSON body), ``slow`` (sleeps longer than a client's timeout),
``flaky`` (500 on the first attempt per sample, then ok), ``flaky_empty`` (a completion without
text on the first attempt per sample, then ok), ``ratelimited`` (429 with ``Retry-After: 0.3`` on
the first attempt per sample, then ok). ``delay`` adds latency to every reply,
``max_in_flight`` records the highest number of requests served at once.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self, behaviour: str = "ok", delay: float = 0.0, slow_seconds: float = 3.0):
        self.behaviour, self.delay, self.slow_seconds = behaviour, delay, slow_seconds
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.attempts: dict[str, int] = {}
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    server.in_flight += 1
                    self.counted = True
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    user = body["messages"][-1]["content"]
                    text = user if isinstance(user, str) else user[0]["text"]
                    server.attempts[text] = server.attempts.get(text, 0) + 1
                    first = server.attempts[text] == 1
                try:
                    time.sleep(server.delay)
                    mode = server.behaviour
                    if mode == "slow":
                        time.sleep(server.slow_seconds)
                    if mode == "error" or (mode == "flaky" and first):
                        self._send(500, b'{"error": "overloaded"}')
                    elif mode == "ratelimited" and first:
                        self._send(429, b'{"error": "slow down"}', {"Retry-After": "0.3"})
                    elif mode == "flaky_empty" and first:
                        self._send(200, b'{"choices": [{"message": {"role": "assistant", "content": null}}]}')
                    elif mode == "garbage":
                        self._send(200, b"<html>this is not json</html>")
                    else:
                        reply = {"choices": [{"message": {"role": "assistant",
                                                          "content": f"  A person moves. ({len(server.requests)})  "}}]}
                        self._send(200, json.dumps(reply).encode())
                finally:
                    self._release()

            def _release(self) -> None:
                """Leave the in-flight count before the reply goes out: a client that has its answer
                may send its next request before this handler thread returns."""
                if getattr(self, "counted", False):
                    with server._lock:
                        server.in_flight -= 1
                    self.counted = False

            def _send(self, code: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self._release()
                try:
                    self.send_response(code)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
