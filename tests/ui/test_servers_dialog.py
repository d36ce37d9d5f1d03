"""The Servers dialog: add (with ServerList's checks shown inline), test the connection
against a real HTTP server on 127.0.0.1, remove; and, from the window, a server added there
brings its models into the model list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.remote.server_keys import SERVICE
from app.remote.servers import ServerList, servers_file
from app.ui.main_window import MainWindow
from app.ui.model_picker import server_entry_text
from app.ui.servers_dialog import BOTH_KEYS, ServersDialog
from app.ui.settings_dialog import SettingsDialog
from tests.support.fake_openai_server import (
    FAKE_MODEL,
    Fault,
    RunningFakeServer,
)
from tests.support.keyring_file import key_in_file

pytestmark = pytest.mark.usefixtures("quick_server_retries")


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> Iterator[ServersDialog]:
    opened = ServersDialog(tmp_path / "config" / "servers.json")
    qtbot.addWidget(opened)
    opened.show()
    yield opened
    opened.shutdown()


def add(
    qtbot: QtBot, dialog: ServersDialog, name: str, url: str, key_env: str = "", key: str = ""
) -> None:
    """Type into the fields and press Add, as a user would; wait until adding is done (it
    runs off the UI thread, and Add is disabled meanwhile)."""
    for field, text in (
        (dialog.name_field, name),
        (dialog.address_field, url),
        (dialog.key_env_field, key_env),
        (dialog.key_field, key),
    ):
        field.clear()
        qtbot.keyClicks(field, text)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.add_button.isEnabled, timeout=10_000)


def listed(dialog: ServersDialog) -> list[str]:
    return [dialog.server_list.item(row).text() for row in range(dialog.server_list.count())]


def test_a_public_http_address_is_refused_with_the_reason(
    qtbot: QtBot, dialog: ServersDialog
) -> None:
    with qtbot.assertNotEmitted(dialog.servers_changed):
        add(qtbot, dialog, "cloud", "http://example.com:8080")
    assert dialog.add_message.isVisible()
    assert "only talk to it over https" in dialog.add_message.text()
    assert listed(dialog) == []
    assert dialog.name_field.text() == "cloud"  # what was typed is kept to fix it
    assert not dialog.test_button.isEnabled()


def test_a_server_on_the_network_is_added_with_its_warnings_and_nothing_is_sent(
    qtbot: QtBot, dialog: ServersDialog, fake_server: RunningFakeServer
) -> None:
    with qtbot.waitSignal(dialog.servers_changed):
        add(qtbot, dialog, "office", "http://192.168.1.20:8080", "HEARTH_TEST_UNSET_KEY")
    assert listed(dialog) == ["office — http://192.168.1.20:8080 (key from HEARTH_TEST_UNSET_KEY)"]
    message = dialog.add_message.text()
    assert "travel unencrypted" in message
    assert "HEARTH_TEST_UNSET_KEY is not set" in message
    assert dialog.name_field.text() == ""
    assert fake_server.state.requests == []  # adding asks no server anything


def test_testing_the_connection_lists_the_models_or_says_what_failed(
    qtbot: QtBot, dialog: ServersDialog, fake_server: RunningFakeServer
) -> None:
    add(qtbot, dialog, "office", fake_server.url)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "answers" in dialog.test_result.text(), timeout=10_000)
    assert dialog.test_result.text() == f"office answers. Its models: {FAKE_MODEL}."
    fake_server.state.fault, fake_server.state.key = Fault.UNAUTHORIZED, "k3y"
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refused" in dialog.test_result.text(), timeout=10_000)
    assert "\n" not in dialog.test_result.text()
    assert [r["path"] for r in fake_server.state.requests] == ["/v1/models", "/v1/models"]


def test_removing_a_server_forgets_it(qtbot: QtBot, dialog: ServersDialog, tmp_path: Path) -> None:
    add(qtbot, dialog, "office", "http://127.0.0.1:8080")
    add(qtbot, dialog, "lab", "http://127.0.0.1:8081")
    dialog.server_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.servers_changed):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert [s.name for s in ServerList.load(tmp_path / "config" / "servers.json").servers] == [
        "lab"
    ]
    assert listed(dialog) == ["lab — http://127.0.0.1:8081"]
    assert "Removed office" in dialog.test_result.text()


def test_a_server_added_from_the_settings_brings_its_models_into_the_list(
    qtbot: QtBot, window: MainWindow, fake_server: RunningFakeServer
) -> None:
    window.open_settings()
    (settings,) = window.findChildren(SettingsDialog)
    qtbot.mouseClick(settings.servers_button, Qt.MouseButton.LeftButton)
    servers = window.dialogs.servers_dialog
    assert servers is not None
    assert servers.isVisible()
    add(qtbot, servers, "office", fake_server.url)
    entry = server_entry_text(FAKE_MODEL, "office")
    qtbot.waitUntil(lambda: window.model_picker.findText(entry) >= 0, timeout=10_000)
    assert (
        ServerList.load(servers_file(window.runtime.paths)).get("office").base_url
        == fake_server.url
    )
    settings.reject()


def test_testing_in_offline_mode_asks_the_server_nothing_and_says_why(
    qtbot: QtBot, window: MainWindow, fake_server: RunningFakeServer
) -> None:
    window.runtime.settings.offline = True
    window.dialogs.open_servers()
    servers = window.dialogs.servers_dialog
    assert servers is not None
    add(qtbot, servers, "office", fake_server.url)
    qtbot.mouseClick(servers.test_button, Qt.MouseButton.LeftButton)
    assert "Offline mode is on" in servers.test_result.text()
    assert fake_server.state.requests == []
    window.runtime.settings.offline = False  # turned off in the settings: testing asks again
    qtbot.mouseClick(servers.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "answers" in servers.test_result.text(), timeout=10_000)
    assert [r["path"] for r in fake_server.state.requests] == ["/v1/models"]
    servers.reject()


KEY = "sk-typed-into-the-dialog-77"


def test_a_typed_key_is_kept_in_the_keyring_and_removed_with_the_server(
    qtbot: QtBot,
    dialog: ServersDialog,
    tmp_path: Path,
    isolated_keyring: Path,
    fake_server: RunningFakeServer,
) -> None:
    assert dialog.key_field.echoMode() is QLineEdit.EchoMode.Password
    fake_server.state.fault, fake_server.state.key = Fault.UNAUTHORIZED, KEY
    with qtbot.waitSignal(dialog.servers_changed):
        add(qtbot, dialog, "office", fake_server.url, key=KEY)
    assert listed(dialog) == [f"office — {fake_server.url} (key in keyring)"]
    assert dialog.key_field.text() == ""
    assert key_in_file(isolated_keyring, "office") == KEY
    file = tmp_path / "config" / "servers.json"
    assert KEY.encode() not in file.read_bytes()

    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)  # the key is sent
    qtbot.waitUntil(lambda: "answers" in dialog.test_result.text(), timeout=10_000)
    assert [r["authorization"] for r in fake_server.state.requests] == [f"Bearer {KEY}"]

    with qtbot.waitSignal(dialog.servers_changed):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert listed(dialog) == []
    assert dialog.test_result.text() == "Removed office: Hearth sends nothing to it any more."
    assert keyring.get_password(SERVICE, "office") is None
    assert key_in_file(isolated_keyring, "office") is None


def test_a_key_in_both_fields_is_refused_under_them(
    qtbot: QtBot, dialog: ServersDialog, isolated_keyring: Path
) -> None:
    with qtbot.assertNotEmitted(dialog.servers_changed):
        add(qtbot, dialog, "office", "http://127.0.0.1:8080", "OFFICE_KEY", KEY)
    assert dialog.add_message.isVisible()
    assert dialog.add_message.text() == BOTH_KEYS
    assert listed(dialog) == []
    assert not isolated_keyring.exists()
    assert dialog.key_field.text() == KEY  # kept, to fix


def test_no_keyring_on_this_computer_is_said_under_the_fields(
    qtbot: QtBot, dialog: ServersDialog, tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    with qtbot.assertNotEmitted(dialog.servers_changed):
        add(qtbot, dialog, "office", "http://127.0.0.1:8080", key=KEY)
    assert "no keyring service" in dialog.add_message.text()
    assert "'Key from variable'" in dialog.add_message.text()
    assert KEY not in dialog.add_message.text()
    assert listed(dialog) == []
    assert not (tmp_path / "config" / "servers.json").exists()
