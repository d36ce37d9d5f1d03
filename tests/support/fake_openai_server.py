"""A small OpenAI-compatible server on 127.0.0.1 that misbehaves on request.

Stands in for a user's llama-server or vLLM in the fault tests: each `Fault` is one way a
real server fails (down, slow, a dropped stream, 401, 404, 429, a reply that is not JSON).
The happy path streams FAKE_REPLY piece by piece; every request is recorded, so tests can
check what was sent, with which key, to which host. Real HTTP, real sockets.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAKE_MODEL = "tiny-remote"
FAKE_REPLY = ("Hello", ", ", "from ", "the ", "server", ".")


class Fault(StrEnum):
    NONE = "none"
    UNAUTHORIZED = "unauthorized"  # 401 unless the right bearer key is sent
    NO_MODEL = "no_model"  # 404 on chat
    BUSY = "busy"  # 429 for the first `busy_times` chats, then fine
    NOT_JSON = "not_json"  # 200 with an HTML page
    DROP = "drop"  # two pieces, then the connection closes
    SLOW = "slow"  # two pieces, then silence for `slow_s`


@dataclass
class FakeServerState:
    fault: Fault = Fault.NONE
    key: str | None = None  # the bearer key required (with UNAUTHORIZED)
    busy_times: int = 1
    slow_s: float = 3.0
    reply: tuple[str, ...] = FAKE_REPLY  # the pieces a good reply streams
    context: int | None = None  # reported in the model list as vLLM does (max_model_len)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._record(None)
        if self._refused():
            return
        if self.path.rstrip("/") == "/v1/models":
            model: dict[str, Any] = {"id": FAKE_MODEL, "object": "model"}
            if self.server.state.context is not None:
                model["max_model_len"] = self.server.state.context
            self._json(200, {"object": "list", "data": [model]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self._record(body)
        if self._refused():
            return
        state = self.server.state
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": {"message": "not found"}})
        elif state.fault is Fault.NO_MODEL or body.get("model") != FAKE_MODEL:
            self._json(404, {"error": {"message": f"model {body.get('model')} not found"}})
        elif state.fault is Fault.BUSY and self._busy():
            self._json(429, {"error": {"message": "too many requests"}}, retry_after="0")
        elif state.fault is Fault.NOT_JSON:
            self._send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")
        else:
            self._stream(body)

    # -- helpers ---------------------------------------------------------------------------

    def _record(self, body: Any) -> None:
        with self.server.state.lock:
            self.server.state.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "host": self.headers.get("Host"),
                    "authorization": self.headers.get("Authorization"),
                    "body": body,
                }
            )

    def _refused(self) -> bool:
        state = self.server.state
        if state.fault is Fault.UNAUTHORIZED and (
            self.headers.get("Authorization") != f"Bearer {state.key}"
        ):
            self._json(401, {"error": {"message": "invalid api key"}})
            return True
        return False

    def _busy(self) -> bool:
        state = self.server.state
        with state.lock:
            if state.busy_times > 0:
                state.busy_times -= 1
                return True
        return False

    def _json(self, status: int, body: Any, retry_after: str | None = None) -> None:
        extra = {"Retry-After": retry_after} if retry_after is not None else {}
        self._send(status, json.dumps(body).encode(), "application/json", extra)

    def _send(
        self, status: int, data: bytes, kind: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, body: dict[str, Any]) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        pieces = state.reply[: body.get("max_tokens", len(state.reply))]
        for number, piece in enumerate(pieces):
            if number == 2 and state.fault is Fault.DROP:
                self.wfile.flush()
                self.connection.shutdown(2)
                return
            if number == 2 and state.fault is Fault.SLOW:
                self.wfile.flush()
                time.sleep(state.slow_s)
                return
            self._event({"choices": [{"index": 0, "delta": {"content": piece}}]})
        finish = "length" if len(pieces) < len(state.reply) else "stop"
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def _event(self, chunk: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.wfile.flush()


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: FakeServerState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@dataclass
class RunningFakeServer:
    url: str  # e.g. http://127.0.0.1:PORT (without /v1, as a user may type it)
    state: FakeServerState


@contextmanager
def fake_openai_server(state: FakeServerState | None = None) -> Iterator[RunningFakeServer]:
    server = _FakeServer(state or FakeServerState())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield RunningFakeServer(f"http://{host}:{port}", server.state)
    finally:
        server.shutdown()
        server.server_close()
