"""The Servers dialog: the servers the user added, add one, test one, remove one.

This list is the whole of the opt-in to sending words off this computer, so the dialog
talks to no server on its own: only "Test connection", on a server already added, asks it
for its models (off the UI thread, with the one-line message of `RemoteError` if it fails),
and not even that in offline mode.
Adding goes through `ServerList.add`, whose checks (https outside the user's own network, a
usable name) are shown under the fields, as are its warnings. Each change is saved at once
to servers.json, like `hearth servers add`.

A key is where the command line keeps it: either the server names an environment variable
that holds it ("Key from variable", like --key-env), or the key typed into the "API key"
field (shown as dots) goes into the system keyring when the server is added (like
--key-stdin), and is deleted from it when the server is removed. It is never written to
servers.json, shown or logged. Adding and removing run off the UI thread, one at a time,
since the keyring may wait for the user to unlock it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSize, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import HearthError
from app.remote.choice import OfflineError, list_server_models
from app.remote.servers import Server, ServerList
from app.ui.dialog_parts import ERROR_COLOUR
from app.ui.dialog_sizes import set_dialog_sizes
from app.ui.job_runner import run_in_background

MINIMUM_SIZE = QSize(440, 420)
DEFAULT_SIZE = QSize(600, 520)
INTRO = (
    "Use bigger models on a server you run (llama-server, vLLM, Ollama, LM Studio), on this "
    "computer or your own network. Hearth sends nothing to a server until you choose one of "
    "its models or test it here."
)


BOTH_KEYS = (
    "Fill in either 'Key from variable' or 'API key', not both: a server takes its key from "
    "one place."
)


def server_text(server: Server) -> str:
    if server.key_in_keyring:
        key = " (key in keyring)"
    else:
        key = f" (key from {server.key_env})" if server.key_env else ""
    return f"{server.name} — {server.base_url}{key}"


class ServersDialog(QDialog):
    """Lists, adds, tests and removes the servers in `servers_path` (see the module docstring).

    Signals:
        servers_changed(): a server was added or removed (already saved).
    """

    servers_changed = Signal()

    def __init__(
        self,
        servers_path: Path,
        parent: QWidget | None = None,
        *,
        offline: Callable[[], bool] = lambda: False,
    ) -> None:
        """`offline()` tells whether offline mode is on now: then nothing is asked of a
        server, not even by Test connection."""
        super().__init__(parent)
        self._offline = offline
        self.setWindowTitle("Servers")
        self.setAccessibleName("Servers")
        self._path = servers_path
        self._pool = QThreadPool(self)
        self._changes = QThreadPool(self)  # adding and removing, one at a time, in order
        self._changes.setMaxThreadCount(1)
        self._changing = False
        self._test_number = 0  # bumped by each test: only the latest answer is shown
        self._build()
        self._lay_out()
        self.reload()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.server_list = QListWidget()
        self.server_list.setAccessibleName("Servers you added")
        self.server_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.test_button = QPushButton("Test connection")
        self.test_button.setAccessibleName("Test the connection to the chosen server")
        self.test_button.clicked.connect(self.test_chosen)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the chosen server")
        self.remove_button.clicked.connect(self.remove_chosen)
        self.test_result = _message_label("Connection test result")
        self.name_field = _field("Server name", "office")
        self.address_field = _field("Server address", "http://192.168.1.20:8080")
        self.key_env_field = _field(
            "Key from environment variable", "optional, like OFFICE_KEY (its name, not the key)"
        )
        self.key_field = _field("API key", "optional; kept in the system keyring")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName("Add the server")
        self.add_button.clicked.connect(self.add_server)
        self.add_message = _message_label("What adding the server said")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self) -> None:
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        form = QFormLayout()
        form.addRow("&Name:", self.name_field)
        form.addRow("&Address:", self.address_field)
        form.addRow("&Key from variable:", self.key_env_field)
        form.addRow("API &key:", self.key_field)
        form.addRow("", self.add_button)
        form.addRow(self.add_message)
        adding = QGroupBox("Add a server")
        adding.setLayout(form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.server_list, 1)
        layout.addLayout(actions)
        layout.addWidget(self.test_result)
        layout.addWidget(adding)
        layout.addWidget(self.buttons)
        set_dialog_sizes(self, MINIMUM_SIZE, DEFAULT_SIZE)

    # -- the list ------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the servers as servers.json has them now (a damaged file says so)."""
        self.server_list.clear()
        try:
            servers = ServerList.load(self._path).servers
        except HearthError as exc:
            self._say(self.test_result, exc.message, problem=True)
            servers = ()
        for server in servers:
            item = QListWidgetItem(server_text(server))
            item.setData(Qt.ItemDataRole.UserRole, server.name)
            self.server_list.addItem(item)
        if servers:
            self.server_list.setCurrentRow(0)
        self._update_buttons()

    def chosen(self) -> str | None:
        item = self.server_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _update_buttons(self) -> None:
        self.test_button.setEnabled(self.chosen() is not None)
        self.remove_button.setEnabled(self.chosen() is not None and not self._changing)
        self.add_button.setEnabled(not self._changing)

    # -- actions -------------------------------------------------------------------------

    def add_server(self) -> None:
        """Add the server typed in, its key (if typed) going into the keyring first."""
        name, url = self.name_field.text().strip(), self.address_field.text()
        key_env = self.key_env_field.text().strip() or None
        key = self.key_field.text() or None
        if key_env is not None and key is not None:
            self._say(self.add_message, BOTH_KEYS, problem=True)
            return
        path = self._path

        def added(result: object) -> None:
            server, warnings = cast(tuple[Server, list[str]], result)
            done = f"Added {server.name}. Its models appear in the model list if it answers."
            self._say(self.add_message, " ".join([done, *warnings]))
            for field in (self.name_field, self.address_field, self.key_env_field):
                field.clear()
            self.key_field.clear()
            self.reload()
            self.server_list.setCurrentRow(self.server_list.count() - 1)
            self.servers_changed.emit()

        self._change(
            lambda: ServerList.load(path).add(name, url, key_env, key=key),
            added,
            lambda why: self._say(self.add_message, why, problem=True),
        )

    def remove_chosen(self) -> None:
        """Remove the chosen server, then its key from the keyring (if it has one there)."""
        name = self.chosen()
        if name is None:
            return
        path = self._path

        def removed(result: object) -> None:
            _server, warnings = cast(tuple[Server, list[str]], result)
            gone = f"Removed {name}: Hearth sends nothing to it any more."
            self._say(self.test_result, " ".join([gone, *warnings]), problem=bool(warnings))
            self.reload()
            self.servers_changed.emit()

        self._change(
            lambda: ServerList.load(path).remove(name),
            removed,
            lambda why: self._say(self.test_result, why, problem=True),
        )

    def _change(
        self,
        work: Callable[[], object],
        on_success: Callable[[object], None],
        on_failure: Callable[[str], None],
    ) -> None:
        """Run `work` (an add or a remove) off the UI thread: the keyring it may use can wait
        for the user to unlock it. Add and Remove stay disabled until it is done."""
        self._changing = True
        self._update_buttons()

        def finished(_done: object) -> None:
            self._changing = False
            self._update_buttons()

        run_in_background(
            self, self._changes, lambda _job: work(), on_success, on_failure, finished
        )

    def test_chosen(self) -> None:
        """Ask the chosen (added) server for its models, off the UI thread."""
        name = self.chosen()
        try:
            server = ServerList.load(self._path).get(name) if name else None
        except HearthError as exc:
            self._say(self.test_result, exc.message, problem=True)
            return
        if server is None:
            return
        if self._offline():
            self._say(self.test_result, OfflineError(server.name).message, problem=True)
            return
        self._test_number += 1
        number = self._test_number
        self._say(self.test_result, f"Asking {server.name} for its models…")

        def answered(models: object) -> None:
            if number == self._test_number and isinstance(models, list):
                names = ", ".join(str(m) for m in models) or "none"
                self._say(self.test_result, f"{server.name} answers. Its models: {names}.")

        def failed(why: str) -> None:
            if number == self._test_number:
                self._say(self.test_result, why, problem=True)

        run_in_background(
            self, self._pool, lambda _job: list_server_models(server), answered, failed
        )

    def _say(self, label: QLabel, text: str, *, problem: bool = False) -> None:
        label.setText(text)
        label.setStyleSheet(f"color: {ERROR_COLOUR};" if problem else "")
        label.setVisible(bool(text))

    def shutdown(self) -> None:
        """Drop a test's late answer and wait for its request (its waits are bounded)."""
        self._test_number += 1
        self._pool.waitForDone(15_000)
        self._changes.waitForDone(15_000)


def _field(name: str, placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    field.setPlaceholderText(placeholder)
    return field


def _message_label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label
