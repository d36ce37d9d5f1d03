"""Talking to an OpenAI-compatible server the user added: its models, and a streamed chat.

llama.cpp's `llama-server`, vLLM, Ollama, LM Studio and llama-cpp-python's own server all
speak this API (`GET /v1/models`, `POST /v1/chat/completions` with `"stream": true`, answered
as server-sent events). The standard library's http.client is enough for it, reached the way
downloads reach a server (`download_connection`: the same proxies, verified TLS).

Every fault ends in one `RemoteError` whose message says, in one line, what happened and
what to do: the server is down or unreachable, too slow, dropped the reply, refused the key
(401/403), does not have the model (404), is busy (429), or answered something that is not
the API. Waits are bounded (CONNECT_TIMEOUT_S, READ_TIMEOUT_S), and so are retries: only a
refused connection or a busy server, and only before any text came, RETRIES times.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.catalog.download_connection import ExchangeTarget, interrupter, open_connection
from app.engine.protocol import ChatMessage, SamplingParams
from app.errors import RemoteError

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0  # the longest silence accepted, before the first word and between two
RETRIES = 2
RETRY_DELAYS_S = (0.5, 2.0)
# Where servers say how many tokens a model's context holds, in their model list: vLLM's
# `max_model_len`, and the names some other servers use. The OpenAI API itself has no such
# field, so a server that says nothing leaves the context to the user's setting.
CONTEXT_FIELDS = ("max_model_len", "context_length", "max_context_length")
MAX_ERROR_BODY = 4096


@dataclass(frozen=True)
class Delta:
    """One piece of a streamed reply: new text, and the finish reason on the last one."""

    text: str
    finish_reason: str | None = None


def api_root(base_url: str) -> str:
    """The URL the API's paths follow: the server's address with `/v1`, whether the user
    wrote it or not ("http://host:8080" and "http://host:8080/v1" are the same server)."""
    base = base_url.rstrip("/")
    return base if base.endswith("/v1") else f"{base}/v1"


class OpenAIServer:
    """One server's API, with the key (if any) sent as a bearer token.

    `api_key` is the key, or a function that reads it (`Server.api_key`): called at the
    first request, on the thread that sends it, since reading the system keyring can wait
    for the user to unlock it; its HearthError (no key) is that request's error."""

    def __init__(
        self,
        base_url: str,
        api_key: str | Callable[[], str | None] | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
    ) -> None:
        self.root = api_root(base_url)
        self.host = urlsplit(self.root).netloc
        self._key = api_key
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._interrupt: Callable[[], None] | None = None

    def interrupt(self) -> None:
        """Unblock a read in progress (Stop pressed while the server is silent)."""
        if self._interrupt is not None:
            self._interrupt()

    def list_models(self) -> list[str]:
        """The ids of the models the server offers."""
        return list(self.offered_models())

    def offered_models(self) -> dict[str, int | None]:
        """The models the server offers: id -> the context (in tokens) it serves the model
        with, when it says so (see CONTEXT_FIELDS), else None."""
        response, connection = self._request("GET", "/models", None)
        try:
            body = _json_body(response, self.host)
        finally:
            connection.close()
        entries = body.get("data") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise _not_the_api(self.host)
        return {
            str(e["id"]): _reported_context(e) for e in entries if isinstance(e, dict) and "id" in e
        }

    def stream_chat(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams,
        stopped: Callable[[], bool],
    ) -> Iterator[Delta]:
        """The reply to `messages`, piece by piece, until the server ends it or `stopped()`
        says the user asked to stop (then the stream just ends)."""
        payload: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
        }
        if sampling.seed is not None:
            payload["seed"] = sampling.seed
        response, connection = self._request("POST", "/chat/completions", payload, model=model)
        try:
            if "text/event-stream" not in response.getheader("Content-Type", ""):
                raise _not_the_api(self.host)  # a web page, or a reply that does not stream
            yield from self._events(response, stopped)
        finally:
            self._interrupt = None
            connection.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None, *, model: str = ""
    ) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
        """Send the request; on a refused connection or 429, wait and try again (bounded)."""
        for attempt in range(RETRIES + 1):
            try:
                response, connection = self._send(method, path, payload)
            except RemoteError as failure:
                if not failure.retryable or attempt == RETRIES:
                    raise
                time.sleep(RETRY_DELAYS_S[attempt])
                continue
            if response.status == 200:
                return response, connection
            try:
                refusal = _status_error(response, self.host, model)
            finally:
                connection.close()
            if not refusal.retryable or attempt == RETRIES:
                raise refusal
            time.sleep(_retry_after(response, RETRY_DELAYS_S[attempt]))
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_key(self) -> str | None:
        if callable(self._key):
            self._key = self._key()  # read once: each request of a chat uses the same key
        return self._key

    def _send(
        self, method: str, path: str, payload: Mapping[str, Any] | None
    ) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
        target = ExchangeTarget(self.root + path)
        headers = {"Accept": "application/json, text/event-stream", "User-Agent": "Hearth"}
        key = self._read_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection = open_connection(target, self._connect_timeout)
        except (ConnectionRefusedError, socket.gaierror) as exc:
            refused = isinstance(exc, ConnectionRefusedError)
            raise _unreachable(self.host, exc, retryable=refused) from exc
        except TimeoutError as exc:
            raise _too_slow(self.host) from exc
        except OSError as exc:
            raise _unreachable(self.host, exc, retryable=False) from exc
        try:
            if connection.sock is not None:
                connection.sock.settimeout(self._read_timeout)
            self._interrupt = interrupter(connection)
            connection.request(method, target.request_target, body, target.request_headers(headers))
            return connection.getresponse(), connection
        except TimeoutError as exc:
            connection.close()
            raise _too_slow(self.host) from exc
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise _dropped(self.host) from exc

    def _events(
        self, response: http.client.HTTPResponse, stopped: Callable[[], bool]
    ) -> Iterator[Delta]:
        """Server-sent events: `data: {json}` lines, until `data: [DONE]`."""
        while True:
            if stopped():
                return
            try:
                line = response.readline()
            except TimeoutError as exc:
                raise _too_slow(self.host) from exc
            except (OSError, http.client.HTTPException) as exc:
                if stopped():
                    return
                raise _dropped(self.host) from exc
            if not line:
                if stopped():
                    return
                raise _dropped(self.host)
            text = line.decode("utf-8", "replace").strip()
            if not text.startswith("data:"):
                continue  # blank separators, comments (": ping"), event names
            data = text[5:].strip()
            if data == "[DONE]":
                return
            delta = _delta(data, self.host)
            if delta is not None:
                yield delta
                if delta.finish_reason is not None:
                    return


def _delta(data: str, host: str) -> Delta | None:
    try:
        chunk = json.loads(data)
        if "error" in chunk:  # some servers report a failure inside the stream
            raise RemoteError(f"The server at {host} stopped the reply: {_error_text(chunk)}.")
        choice = chunk["choices"][0] if chunk.get("choices") else None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _not_the_api(host) from exc
    if choice is None:
        return None  # e.g. a last chunk that only carries usage
    content = (choice.get("delta") or {}).get("content") or ""
    return Delta(str(content), choice.get("finish_reason"))


def _json_body(response: http.client.HTTPResponse, host: str) -> Any:
    try:
        return json.loads(response.read())
    except (ValueError, OSError, http.client.HTTPException) as exc:
        raise _not_the_api(host) from exc


def _status_error(response: http.client.HTTPResponse, host: str, model: str) -> RemoteError:
    status = response.status
    try:
        detail = _error_text(json.loads(response.read(MAX_ERROR_BODY)))
    except (ValueError, OSError, http.client.HTTPException, AttributeError):
        detail = ""
    said = f" (it said: {detail})" if detail else ""
    if status in (401, 403):
        return RemoteError(
            f"The server at {host} refused Hearth's key{said}. Check the key in the variable "
            "you named with --key-env, or add the server again with the right key in the "
            "keyring (--key-stdin, or the window's API key field); or check the server's "
            "settings."
        )
    if status == 404:
        what = f"has no model named {model!r}" if model else "does not offer this API"
        return RemoteError(
            f"The server at {host} {what}{said}. `hearth servers list` and the server's "
            "model list show what it offers."
        )
    if status in (429, 503):
        return RemoteError(
            f"The server at {host} is busy{said}. Try again in a moment, or use a local model.",
            retryable=True,
        )
    return RemoteError(
        f"The server at {host} answered with an error (HTTP {status}){said}. Try again, or "
        "use a local model."
    )


def _error_text(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))[:200]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])[:200]
    return str(error or "")[:200]


def _retry_after(response: http.client.HTTPResponse, default: float) -> float:
    """The server's own Retry-After, if it gave one in seconds, within the bounds."""
    value = response.getheader("Retry-After", "")
    return min(float(value), RETRY_DELAYS_S[-1]) if value.isdigit() else default


def _unreachable(host: str, error: OSError, *, retryable: bool) -> RemoteError:
    reason = error.strerror or type(error).__name__
    return RemoteError(
        f"Hearth cannot reach the server at {host} ({reason}). Check that it is running and "
        "its address, or use a local model.",
        retryable=retryable,
    )


def _too_slow(host: str) -> RemoteError:
    return RemoteError(
        f"The server at {host} did not answer in time. It may be overloaded; try again, or "
        "use a local model."
    )


def _dropped(host: str) -> RemoteError:
    return RemoteError(
        f"The connection to the server at {host} was lost during the reply. What arrived is "
        "kept; try again, or use a local model."
    )


def _not_the_api(host: str) -> RemoteError:
    return RemoteError(
        f"The server at {host} answered something that is not the OpenAI-compatible API. "
        "Check the address (it usually ends in /v1)."
    )


def _reported_context(entry: dict[str, Any]) -> int | None:
    for field in CONTEXT_FIELDS:
        value = entry.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None
