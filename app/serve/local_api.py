"""The local API server: the loaded model over HTTP, on 127.0.0.1 only.

`LocalApiServer` binds 127.0.0.1 (never another address: no other host can be passed in,
and the bound address is checked), answers `GET /v1/models` and `POST /v1/chat/completions`
(see api_handler.py) and lets one request at a time use the engine (engine_gate.py). Every
request must carry the key and be addressed to 127.0.0.1:PORT or localhost:PORT: a web page
that points its own host name at 127.0.0.1 (DNS rebinding) is refused by that Host check,
and no CORS headers are sent, so browsers keep pages from reading answers.

`hearth serve` runs it in the foreground; the window can `start()` it on a thread of its
own and `close()` it when the switch is turned off.
"""

from __future__ import annotations

import errno
import hmac
import logging
import socketserver
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path, PurePath

from app.engine.interface import Engine
from app.engine.protocol import SamplingParams
from app.errors import HearthError, PortUnavailableError
from app.serve.api_handler import ApiHandler
from app.serve.engine_gate import EngineGate
from app.serve.wire import ApiError

log = logging.getLogger("hearth.serve")

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
CLOSE_WAIT_SECONDS = 10.0  # how long closing waits for a cancelled reply to wind down


@dataclass(frozen=True)
class ServedModel:
    """The model behind the API: `model_id` is what clients call it, `label` what the
    history records (the installed id, or a file's path)."""

    engine: Engine
    model_id: str
    label: str


def api_address(port: int) -> str:
    """The base address clients use for the local API on `port`."""
    return f"http://{LOOPBACK}:{port}/v1"


def api_model_id(label: str) -> str:
    """What clients call a model: its installed id, or a file's name (not its whole path)."""
    path = PurePath(label)
    return path.name if path.is_absolute() else label


class LocalApiServer:
    """Binds at once (a busy port is a HearthError); serves with `serve_forever()` or
    `start()`; `close()` stops a running reply, turns waiting requests away and frees the
    port. Closing does not close the engine: whoever loaded it does that."""

    def __init__(
        self,
        model: ServedModel,
        key: str,
        *,
        port: int = DEFAULT_PORT,
        defaults: SamplingParams | None = None,
        store_in: Path | None = None,
        gate: EngineGate | None = None,
    ) -> None:
        if not key:
            raise ValueError("the local API needs a key")
        self.model = model
        self.defaults = defaults or SamplingParams()
        self.store_in = store_in  # the history database, when conversations are kept
        self.gate = gate or EngineGate()
        self.created = int(time.time())
        self._key = key.encode("utf-8")
        self._http = _bind(port, self)
        self._serving = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    @property
    def base_url(self) -> str:
        return api_address(self.port)

    def serve_forever(self) -> None:
        """Answer requests until `close()` (from another thread) or KeyboardInterrupt."""
        self._serving.set()
        try:
            self._http.serve_forever(poll_interval=0.1)
        finally:
            self._serving.clear()

    def start(self) -> None:
        """Answer requests on a thread of the server's own, until `close()`."""
        self._thread = threading.Thread(
            target=self.serve_forever, name="hearth-local-api", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop: no new request starts, the running reply is cancelled (and waited for, a
        bounded time), the port is freed. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._serving.is_set():
            self._http.shutdown()
        self.gate.close()
        self.gate.if_holding(self.model.engine.cancel)  # never a turn of another's sharing it
        if not self.gate.wait_idle(CLOSE_WAIT_SECONDS):
            log.warning("local API: a reply did not stop within %s s", CLOSE_WAIT_SECONDS)
        self._http.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> LocalApiServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- what every request is checked against ---------------------------------------------

    def accepts_host(self, host: str) -> bool:
        """Only requests addressed to this computer by number or as localhost, on our port."""
        return host.strip().lower() in (f"{LOOPBACK}:{self.port}", f"localhost:{self.port}")

    def accepts_key(self, authorization: str) -> bool:
        scheme, _, token = authorization.strip().partition(" ")
        given = token.strip().encode("utf-8")
        return scheme.lower() == "bearer" and hmac.compare_digest(given, self._key)

    def check_model(self, requested: str | None) -> None:
        """A request may leave the model out, or name the one served (by id or label)."""
        if requested is None or requested in (self.model.model_id, self.model.label):
            return
        raise ApiError(
            404,
            f"The model {requested!r} is not served here; this server serves "
            f"{self.model.model_id!r} (see GET /v1/models).",
            code="model_not_found",
        )


class _LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server that can only listen on 127.0.0.1.

    Handler threads are daemons: a client that connects and sends nothing must not keep
    Hearth from stopping. The ones that use the engine are waited for through the gate."""

    daemon_threads = True

    def __init__(self, port: int, api: LocalApiServer) -> None:
        self.api = api
        super().__init__((LOOPBACK, port), ApiHandler)

    def server_bind(self) -> None:
        if self.server_address[0] != LOOPBACK:
            raise ValueError("the local API listens on 127.0.0.1 only")
        # TCPServer's, not HTTPServer's: that one looks the address up by name (getfqdn).
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        if host != LOOPBACK:
            raise ValueError(f"the local API was bound to {host}, not {LOOPBACK}")
        self.server_name, self.server_port = host, port


def _bind(port: int, api: LocalApiServer) -> _LoopbackServer:
    if not 0 <= port <= 65535:
        raise HearthError(f"{port} is not a port: use a number from 1 to 65535 (0: any free one).")
    try:
        return _LoopbackServer(port, api)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = "another program is using it"
            advice = "Choose another with --port N (0: any free one)."
        elif exc.errno == errno.EACCES:
            reason = "ports below 1024 need administrator rights"
            advice = "Choose one above 1023."
        else:
            reason, advice = exc.strerror or str(exc), ""
        message = f"The local API cannot listen on port {port}: {reason}. {advice}".rstrip()
        raise PortUnavailableError(message, port=port, reason=reason) from exc
