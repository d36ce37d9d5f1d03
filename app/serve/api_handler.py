"""Answering one HTTP request of the local API (see local_api.py for the rules it serves).

Every request is checked in this order: addressed to 127.0.0.1:PORT or localhost:PORT (else
403), carrying the key (else 401), a known path (else 404). A chat request is then read and
checked (400), waits for its turn on the engine (429 after the bounded wait) and streams or
returns its reply. A client that goes away mid-reply (a closed editor, a script stopped with
Ctrl+C) stops the generation at once, so the next request does not wait for words nobody
reads. Errors are OpenAI-style JSON: clients show their message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import select
import socket
import time
from collections.abc import Callable, Generator
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from app.engine.protocol import ChatStats, TextPiece
from app.errors import ContextOverflowError, HearthError
from app.serve import wire
from app.serve.engine_gate import EngineBusy, GateClosed
from app.serve.recording import recorded, unrecorded
from app.serve.stop_words import cut_at_stops
from app.serve.wire import ApiError, ChatRequest

if TYPE_CHECKING:
    from app.serve.local_api import LocalApiServer

log = logging.getLogger("hearth.serve")

MAX_BODY_BYTES = 16 * 1024 * 1024
SOCKET_TIMEOUT_SECONDS = 60.0  # a client silent this long (sending or reading) is gone
INTERNAL_ERROR = "Hearth hit an internal error; details are in its log file."
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)

Reply = Generator[TextPiece, None, ChatStats]


class ApiHandler(BaseHTTPRequestHandler):
    """One request; HTTP/1.0, so each connection carries one request and no idle
    keep-alive connection holds a thread."""

    timeout = SOCKET_TIMEOUT_SECONDS

    def version_string(self) -> str:
        return "Hearth"  # no Python version: nothing for a caller to fingerprint

    def setup(self) -> None:
        super().setup()
        self._headers_sent = False
        self._gone = False

    @property
    def api(self) -> LocalApiServer:
        return self.server.api  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        self._respond("GET")

    def do_POST(self) -> None:
        self._respond("POST")

    def do_PUT(self) -> None:
        self._respond("PUT")

    def do_DELETE(self) -> None:
        self._respond("DELETE")

    def do_OPTIONS(self) -> None:
        self._respond("OPTIONS")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("local API: " + format, *args)  # the log file, not the terminal

    def _respond(self, method: str) -> None:
        try:
            self._check_caller()
            self._route(method, self.path.split("?", 1)[0].rstrip("/"))
        except ApiError as exc:
            self._send_error(exc)
        except GONE:
            log.info("local API: the client went away before its answer was sent")
        except Exception:
            log.exception("local API: %s %s failed", method, self.path)
            self._send_error(ApiError(500, INTERNAL_ERROR, "server_error"))

    def _check_caller(self) -> None:
        if not self.api.accepts_host(self.headers.get("Host", "")):
            raise ApiError(
                403,
                f"This server answers only requests addressed to 127.0.0.1:{self.api.port} or "
                f"localhost:{self.api.port}.",
                "permission_error",
                "host_not_allowed",
            )
        if not self.api.accepts_key(self.headers.get("Authorization", "")):
            raise ApiError(
                401,
                "Send the key of Hearth's local API as 'Authorization: Bearer KEY' (it is the "
                "key `hearth serve` printed when it started, also shown in Hearth's Settings "
                "under Local API).",
                code="invalid_api_key",
            )

    def _route(self, method: str, path: str) -> None:
        served = self.api.model
        if method == "GET" and path == "/v1/models":
            self._send_json(200, wire.model_list([served.model_id], self.api.created))
        elif method == "GET" and path.startswith("/v1/models/"):
            self.api.check_model(path.removeprefix("/v1/models/"))
            self._send_json(200, wire.model_entry(served.model_id, self.api.created))
        elif method == "POST" and path == "/v1/chat/completions":
            self._chat()
        else:
            raise ApiError(
                404,
                f"There is no {method} {path or '/'} here: this server offers GET /v1/models "
                "and POST /v1/chat/completions.",
                code="unknown_url",
            )

    # -- chat ------------------------------------------------------------------------------

    def _chat(self) -> None:
        request = wire.parse_chat_request(wire.parse_json(self._read_body()), self.api.defaults)
        self.api.check_model(request.model)
        try:
            with self.api.gate.turn():
                if self._client_gone():  # it stopped waiting for its turn
                    log.info("local API: the client went away while waiting for its turn")
                    return
                self._answer(request)
        except EngineBusy:
            raise ApiError(
                429,
                "The model is busy answering another request and has been for "
                f"{self.api.gate.wait_seconds:g} s; try again when it has finished.",
                "server_busy",
                "engine_busy",
            ) from None
        except GateClosed:
            raise ApiError(503, "Hearth's local API is stopping.", "server_error") from None

    def _answer(self, request: ChatRequest) -> None:
        engine = self.api.model.engine
        events = cut_at_stops(
            engine.chat(request.messages, request.sampling), request.stops, engine.cancel
        )
        store_in, label = self.api.store_in, self.api.model.label
        reply = (
            unrecorded(events) if store_in is None else recorded(store_in, request, label, events)
        )
        reply_id = f"chatcmpl-{secrets.token_hex(12)}"
        try:
            if request.stream:
                stats = self._stream(request, reply, reply_id)
            else:
                stats = self._complete(reply, reply_id)
        except HearthError as exc:
            self._engine_failed(exc)
            return
        finally:
            reply.close()  # after a bug: the engine winds the request down before the next
        log.info(
            "local API: %s reply of %d tokens (prompt %d) ended: %s%s",
            "streamed" if request.stream else "whole",
            stats.completion_tokens,
            stats.prompt_tokens,
            stats.finish_reason,
            " (the client went away)" if self._gone else "",
        )

    def _complete(self, reply: Reply, reply_id: str) -> ChatStats:
        parts: list[str] = []

        def keep(text: str) -> bool:
            parts.append(text)
            return not self._client_gone()

        stats = self._drain(reply, keep)
        if not self._gone:
            body = wire.completion(
                reply_id, self._now(), self.api.model.model_id, "".join(parts), stats
            )
            self._send_json(200, body)
        return stats

    def _stream(self, request: ChatRequest, reply: Reply, reply_id: str) -> ChatStats:
        created, model = self._now(), self.api.model.model_id

        def send(delta: dict[str, str], finish: str | None = None) -> bool:
            # The headers go with the first words, so that an error before them (a prompt
            # too long for the context) is still a plain JSON error with its status.
            if not self._headers_sent and not self._start_events(reply_id, created, model):
                return False
            return self._event(wire.chunk(reply_id, created, model, delta, finish))

        stats = self._drain(reply, lambda text: send({"content": text}))
        if not self._gone:
            send({}, wire.finish_reason(stats))
            if request.include_usage:
                self._event(wire.usage_chunk(reply_id, created, model, stats))
            self._write(b"data: [DONE]\n\n")
        return stats

    def _drain(self, reply: Reply, take: Callable[[str], bool]) -> ChatStats:
        """Run `reply` to its end, giving each piece to `take` while the client listens
        (`take` says whether it still does); once it does not, the engine is asked to stop
        and the rest is read and dropped, so the engine is free for the next request."""
        while True:
            try:
                piece = next(reply)
            except StopIteration as end:
                stats: ChatStats = end.value
                return stats
            if not self._gone and not take(piece.text):
                self._gone = True
                self.api.model.engine.cancel()

    def _engine_failed(self, exc: HearthError) -> None:
        """The engine refused or failed: a JSON error, or an error event mid-stream."""
        log.info("local API: the reply failed: %s", exc.message)
        if isinstance(exc, ContextOverflowError):
            error = ApiError(400, exc.message, code="context_length_exceeded")
        else:
            error = ApiError(500, exc.message, "server_error")
        if self._headers_sent:
            self._event(error.body())
        else:
            self._send_error(error)

    # -- the wire --------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            raise ApiError(411, "Send the request body with a Content-Length header.")
        if int(length) > MAX_BODY_BYTES:
            raise ApiError(413, f"The request is larger than {MAX_BODY_BYTES // 2**20} MB.")
        body = self.rfile.read(int(length))
        if len(body) < int(length):
            raise ConnectionResetError("the client closed the connection mid-request")
        return body

    def _client_gone(self) -> bool:
        """Whether the client closed its end (a readable socket with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _send_json(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._headers_sent = True
        self.wfile.write(data)

    def _send_error(self, error: ApiError) -> None:
        if self._headers_sent:
            return  # too late for a status: the connection just ends
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
        if error.status == 429:
            headers["Retry-After"] = "5"
        with contextlib.suppress(*GONE):
            self._send_json(error.status, error.body(), headers)

    def _start_events(self, reply_id: str, created: int, model: str) -> bool:
        """The headers of an event stream and its first chunk (the role); False if the
        client has gone."""
        self._headers_sent = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
        except (OSError, ValueError):
            return False
        role = {"role": "assistant", "content": ""}
        return self._event(wire.chunk(reply_id, created, model, role))

    def _event(self, body: dict[str, Any]) -> bool:
        return self._write(b"data: " + json.dumps(body).encode("utf-8") + b"\n\n")

    def _write(self, data: bytes) -> bool:
        """Send `data`; False if the client has gone (its connection failed)."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (OSError, ValueError):
            return False
        return True

    @staticmethod
    def _now() -> int:
        return int(time.time())
