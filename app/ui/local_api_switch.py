"""The window's local API: the loaded local model for other apps on this computer.

When the setting is on (Settings → Local API) and a model on this computer is loaded, a
`LocalApiServer` serves it on 127.0.0.1 (its own thread answers the requests); a new model,
port or key means a new server; storing and the default sampling change on the running one.
While no local model is ready (none chosen, one loading, or the model in use is on a
server) the API is paused, and the status bar says why. Turning the setting off or closing
the window closes it: no port stays open, no thread keeps running.

Starting and closing run on this switch's own thread (closing waits, a bounded time, for a
reply being cancelled), in the order asked: a restart on the same port never finds its old
self still listening. The API's requests and the window's jobs share the session's
`EngineGate`, so they take turns on the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QLabel

from app.engine.protocol import SamplingParams
from app.errors import HearthError, PortUnavailableError
from app.serve.api_key import key_file, saved_key
from app.serve.engine_gate import EngineGate
from app.serve.local_api import LocalApiServer, ServedModel, api_address, api_model_id
from app.ui.job_runner import run_in_background

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

PAUSED_NO_MODEL = "The local API is paused until a model on this computer is loaded."
PAUSED_ON_SERVER = (
    "The local API is paused: it serves only a model on this computer, and the model in use "
    "is on a server. It starts again when you choose a local model."
)
CLOSE_WAIT_MS = 30_000  # closing waits up to 10 s for a reply to stop (local_api.py)


@dataclass(frozen=True)
class ApiPlan:
    """What the API should serve, and how."""

    port: int
    served: ServedModel
    key_file: Path
    store_in: Path | None  # changed on the running server
    defaults: SamplingParams  # changed on the running server

    def same_server(self, other: ApiPlan) -> bool:
        """Whether `other` can be served by the server started for this plan."""
        return (self.port, self.served, self.key_file) == (
            other.port,
            other.served,
            other.key_file,
        )


def port_message(exc: PortUnavailableError) -> str:
    return (
        f"The local API cannot listen on port {exc.port}: {exc.reason}. Choose another port "
        "in Settings (Local API)."
    )


class LocalApiSwitch(QObject):
    """Owns the window's LocalApiServer; see the module docstring.

    Signals:
        serving_changed(object): the port the API now answers on (int), or None when it is
            off, paused or could not start.
    """

    serving_changed = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # starts and closes run in the order asked
        self._running: tuple[LocalApiServer, ApiPlan] | None = None  # on the pool's thread
        self._asked: tuple[ApiPlan | None, str] | None = None
        self._generation = 0  # bumped by each change: a late answer to an older one is dropped
        self._closed = False
        self.port: int | None = None
        self.indicator = QLabel()
        self.indicator.setAccessibleName("Local API")
        self.indicator.hide()
        window.statusBar().addPermanentWidget(self.indicator)
        session = window.session
        session.state_changed.connect(self._on_change)
        session.model_loaded.connect(self._on_change)
        session.engine_waiting.connect(window.status.show_waiting)
        window.dialogs.settings_saved.connect(self._on_settings_saved)
        self.update()

    @property
    def gate(self) -> EngineGate:
        return self._window.session.gate

    def update(self, *, retry: bool = False) -> None:
        """Serve, pause or close as the settings and the loaded model now say; `retry`
        tries again after a failed start even if nothing changed."""
        if self._closed:
            return
        wanted = self._wanted()
        if wanted == self._asked and not retry:
            return
        self._asked = wanted
        self._generation += 1
        generation, (plan, paused) = self._generation, wanted
        run_in_background(
            self,
            self._pool,
            lambda _job: self._reconcile(plan),
            lambda port: self._on_serving(generation, port, paused),
            lambda why: self._on_failed(generation, why),
        )

    def shutdown(self) -> None:
        """Close the API (the window is closing); waits for it, a bounded time."""
        self._closed = True
        self._generation += 1
        self._pool.waitForDone(CLOSE_WAIT_MS)
        running, self._running = self._running, None
        if running is not None:
            running[0].close()

    # --- on the UI thread ---------------------------------------------------------------

    def _on_change(self, _what: object = None) -> None:
        self.update()

    def _on_settings_saved(self, _settings: object) -> None:
        self.update(retry=True)  # e.g. the port was freed, or another one chosen

    def _wanted(self) -> tuple[ApiPlan | None, str]:
        """The plan (None: no server) and, when paused, why ("" when off or serving)."""
        window = self._window
        settings, session = window.runtime.settings, window.session
        if not settings.local_api:
            return None, ""
        if session.model is None or session.state not in ("ready", "generating"):
            return None, PAUSED_NO_MODEL
        if session.on_server:
            return None, PAUSED_ON_SERVER
        label = window.models.local_label or str(session.model.path)
        sampling = settings.sampling
        plan = ApiPlan(
            port=settings.local_api_port,
            served=ServedModel(session.engine, api_model_id(label), label),
            key_file=key_file(window.runtime.paths),
            store_in=window.runtime.paths.database if settings.local_api_store else None,
            defaults=SamplingParams(
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                max_tokens=sampling.max_tokens,
            ),
        )
        return plan, ""

    def _on_serving(self, generation: int, port: object, paused: str) -> None:
        if generation != self._generation:
            return
        self.port = port if isinstance(port, int) else None
        if self.port is not None:
            self._show(f"API on :{self.port}", self._serving_text(self.port))
        elif paused:
            self._show("API paused", paused)
        else:
            self.indicator.hide()
        self.serving_changed.emit(self.port)

    def _on_failed(self, generation: int, why: str) -> None:
        if generation != self._generation:
            return
        self.port = None
        self._show("API off", why)
        window = self._window
        window.error_bar.show_error(why, action=("Settings…", window.open_settings))
        self.serving_changed.emit(None)

    def _serving_text(self, port: int) -> str:
        model = self._asked[0].served.model_id if self._asked and self._asked[0] else ""
        return (
            f"Other apps on this computer that have the key can use {model} at "
            f"{api_address(port)} (see Settings, Local API)."
        )

    def _show(self, text: str, explanation: str) -> None:
        self.indicator.setText(text)
        self.indicator.setToolTip(explanation)
        self.indicator.setAccessibleDescription(explanation)
        self.indicator.show()

    # --- on the switch's thread -----------------------------------------------------------

    def _reconcile(self, plan: ApiPlan | None) -> int | None:
        """Make the running server match `plan`: keep it (with storing and defaults as the
        plan says), or close it and start another. Returns the port served, if any."""
        running = self._running
        if running is not None and (plan is None or not running[1].same_server(plan)):
            self._running = None
            running[0].close()
            running = None
        if plan is None:
            return None
        if running is None:
            server = self._start(plan)
            self._running = (server, plan)
            return server.port
        server = running[0]
        server.store_in, server.defaults = plan.store_in, plan.defaults
        self._running = (server, plan)
        return server.port

    def _start(self, plan: ApiPlan) -> LocalApiServer:
        try:
            server = LocalApiServer(
                plan.served,
                saved_key(plan.key_file),
                port=plan.port,
                defaults=plan.defaults,
                store_in=plan.store_in,
                gate=self.gate.sharing(),
            )
        except PortUnavailableError as exc:
            raise HearthError(port_message(exc)) from exc
        server.start()
        return server
