"""The models of the servers the user added, asked for off the UI thread.

Asking a server is a network request that can take seconds (a server that is down is
retried), so it never runs on the UI thread, and only for servers in servers.json: a model
is never looked for anywhere the user did not add. The window asks when its model list is
refreshed (at start, and after the servers change), not on every look at the list. A server
that does not answer lists no models and is logged in one line: no dialog at start for a
workstation that is switched off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.remote.choice import list_server_models
from app.remote.servers import Server, ServerList, ServersFileError
from app.ui.job_runner import run_in_background

log = logging.getLogger("hearth.ui")
MAX_PARALLEL = 4  # servers asked at once; a slow one does not hold up the others


class ServerModels(QObject):
    """Reads servers.json and asks each server for its models.

    Signals:
        servers_read(list): the names of the servers the user added, as just read.
        models_listed(str, list): a server's name and the models it offers.
    """

    servers_read = Signal(list)
    models_listed = Signal(str, list)

    def __init__(
        self, servers_path: Path, offline: Callable[[], bool], parent: QObject | None = None
    ) -> None:
        """`offline()`: whether offline mode is on now (then no server is asked)."""
        super().__init__(parent)
        self._path = servers_path
        self._offline = offline
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(MAX_PARALLEL)
        self._generation = 0  # bumped by each refresh: a late answer to an older one is dropped

    def refresh(self) -> None:
        self._generation += 1
        try:
            servers = ServerList.load(self._path).servers
        except ServersFileError as exc:
            log.warning("The servers file was not read: %s", exc.message)
            servers = ()
        self.servers_read.emit([server.name for server in servers])
        if self._offline():
            return  # offline mode: Hearth uses no network, servers included
        for server in servers:
            self._ask(server, self._generation)

    def _ask(self, server: Server, generation: int) -> None:
        def listed(models: object) -> None:
            if generation == self._generation and isinstance(models, list):
                self.models_listed.emit(server.name, models)

        def failed(why: str) -> None:
            log.warning("The server %s did not list its models: %s", server.name, why)

        run_in_background(self, self._pool, lambda _job: list_server_models(server), listed, failed)

    def shutdown(self) -> None:
        """Drop answers still on their way and wait for their requests (bounded waits)."""
        self._generation += 1
        self._pool.waitForDone(15_000)
