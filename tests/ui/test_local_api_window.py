"""The window's local API (Settings → Local API), used as an editor or a script would: with
the real `openai` client, over real HTTP, on the window's real engine (generated models)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import openai
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox
from pytestqt.qtbot import QtBot

from app.remote.servers import ServerList, servers_file
from app.serve.api_key import api_key
from app.serve.local_api import DEFAULT_PORT
from app.settings import Settings
from app.store import History
from app.tasks.job import Done, Outcome
from app.ui.local_api_switch import PAUSED_NO_MODEL, PAUSED_ON_SERVER
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from app.ui.status_panel import STATE_TEXT, WAITING_TEXT
from tests.support.fake_openai_server import RunningFakeServer
from tests.ui.test_chat_window import saved_path, send
from tests.ui.test_remote_window import ENTRY
from tests.ui.window_fixtures import LOAD_TIMEOUT, choose_model, wait_for_reads

MODEL_ID = "scripted-tiny"  # the installed id of the scripted model's file
HELLO = [{"role": "user", "content": "Hi there"}]
REPLY = "Hello, world!"
SERVE_TIMEOUT = 30_000


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings_dialog(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    """Settings, opened from the window as the menu does."""
    window.open_settings()
    (dialog,) = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog) and w.isVisible()
    ]
    return dialog


def click_box(qtbot: QtBot, box: QCheckBox) -> None:
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def set_api(
    qtbot: QtBot, window: MainWindow, *, on: bool, port: int | None = None, store: bool = False
) -> tuple[str, str]:
    """Turn the API on or off in Settings (with `port` and keeping as asked) and press OK;
    (the address, the key) the dialog showed."""
    dialog = settings_dialog(qtbot, window)
    fields = dialog.local_api
    if fields.enabled.isChecked() != on:
        click_box(qtbot, fields.enabled)
    if port is not None:
        fields.port.setFocus()
        fields.port.selectAll()
        qtbot.keyClicks(fields.port, str(port))
    if fields.store.isChecked() != store:
        click_box(qtbot, fields.store)
    address, key = fields.address.text(), fields.key.text()
    assert fields.address.isVisible() == on
    assert fields.key.isVisible() == on
    with qtbot.waitSignal(window.local_api.serving_changed, timeout=SERVE_TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    dialog.deleteLater()
    return address, key


def client(address: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=address, api_key=key, max_retries=0, timeout=60)


def streamed(api: openai.OpenAI, **options: Any) -> tuple[str, str | None]:
    """(the text, the finish reason) of a streamed chat, as a script reads it."""
    stream = api.chat.completions.create(
        model=MODEL_ID, messages=HELLO, stream=True, temperature=0, **options
    )
    parts, reason = [], None
    for chunk in stream:
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
            reason = chunk.choices[0].finish_reason or reason
    return "".join(parts), reason


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def conversation_count(window: MainWindow) -> int:
    with History.open(window.runtime.paths.database) as history:
        return len(history.list_conversations())


@pytest.fixture
def served(qtbot: QtBot, window: MainWindow, scripted_model: Path) -> tuple[str, str]:
    """The scripted model loaded and the API turned on in Settings: (address, key)."""
    choose_model(qtbot, window, scripted_model)
    return set_api(qtbot, window, on=True, port=free_port())


def test_the_api_is_off_by_default() -> None:
    settings = Settings()
    assert not settings.local_api
    assert not settings.local_api_store
    assert settings.local_api_port == DEFAULT_PORT


def test_turned_on_it_serves_the_loaded_model_with_the_key_shown_in_settings(
    qtbot: QtBot, window: MainWindow, served: tuple[str, str]
) -> None:
    address, key = served
    port = window.local_api.port
    assert port is not None
    assert address == f"http://127.0.0.1:{port}/v1"
    assert key == api_key(window.runtime.paths).value  # the key `hearth serve` uses too
    indicator = window.local_api.indicator
    assert indicator.isVisible()
    assert indicator.text() == f"API on :{port}"
    assert address in indicator.toolTip()
    api = client(address, key)
    assert [model.id for model in api.models.list()] == [MODEL_ID]
    assert streamed(api) == (REPLY, "stop")
    with pytest.raises(openai.AuthenticationError):
        client(address, "not-the-key").models.list()
    assert conversation_count(window) == 0  # nothing kept: keeping is off


def test_turned_off_the_port_is_closed(
    qtbot: QtBot, window: MainWindow, served: tuple[str, str]
) -> None:
    port = window.local_api.port
    assert port is not None
    set_api(qtbot, window, on=False)
    assert window.local_api.port is None
    assert not window.local_api.indicator.isVisible()
    assert refused(port)


def test_with_keeping_on_the_conversation_is_in_the_history(
    qtbot: QtBot, window: MainWindow, served: tuple[str, str]
) -> None:
    address, key = set_api(qtbot, window, on=True, store=True)
    assert window.runtime.settings.local_api_store
    assert streamed(client(address, key)) == (REPLY, "stop")
    with History.open(window.runtime.paths.database) as history:
        (conversation,) = history.list_conversations()
        kept = [(m.role, m.content) for m in history.active_path(conversation.id)]
    assert kept == [("user", "Hi there"), ("assistant", REPLY)]


def test_closing_the_window_closes_the_port(
    qtbot: QtBot, window: MainWindow, served: tuple[str, str]
) -> None:
    port = window.local_api.port
    assert port is not None
    window.close()
    assert refused(port)


@pytest.fixture
def api_holds_the_engine(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every reply, once begun, holds the engine until the returned event is set (at most
    30 s): so a window turn sent meanwhile surely finds the engine taken by the API."""
    release = threading.Event()
    engine = window.session.engine
    chat = engine.chat

    def chat_held(*args: Any, **kwargs: Any) -> Iterator[object]:
        events = chat(*args, **kwargs)
        try:
            for index, event in enumerate(events):
                if index == 1:
                    release.wait(30)
                yield event
        finally:
            events.close()

    monkeypatch.setattr(engine, "chat", chat_held)
    return release


def request_in_background(address: str, key: str) -> tuple[threading.Thread, list[object]]:
    """A script's streamed request, from a thread of its own (the window goes on)."""
    answers: list[object] = []

    def ask() -> None:
        try:
            answers.append(streamed(client(address, key)))
        except Exception as exc:
            answers.append(exc)

    thread = threading.Thread(target=ask)
    thread.start()
    return thread, answers


def test_a_window_turn_and_an_api_request_take_turns(
    qtbot: QtBot,
    window: MainWindow,
    served: tuple[str, str],
    api_holds_the_engine: threading.Event,
) -> None:
    waiting: list[tuple[bool, str]] = []

    def seen(wait: bool) -> None:
        waiting.append((wait, window.status.state_label.text()))
        if wait:
            api_holds_the_engine.set()  # the window waits: the API's reply may go on

    window.session.engine_waiting.connect(seen)
    thread, answers = request_in_background(*served)
    qtbot.waitUntil(lambda: window.session.gate.taken, timeout=SERVE_TIMEOUT)
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello there")
    thread.join(timeout=60)
    assert answers == [(REPLY, "stop")]  # the API's reply, whole
    wait_for_reads(qtbot, window)
    assert saved_path(window) == [
        ("user", "Hello there", "complete"),
        ("assistant", REPLY, "complete"),
    ]
    assert waiting == [(True, WAITING_TEXT), (False, STATE_TEXT["generating"])]
    assert window.status.state_label.text() == STATE_TEXT["ready"]


def test_stop_while_the_turn_waits_for_the_api_keeps_the_message_and_the_api_reply(
    qtbot: QtBot,
    window: MainWindow,
    served: tuple[str, str],
    api_holds_the_engine: threading.Event,
) -> None:
    thread, answers = request_in_background(*served)
    qtbot.waitUntil(lambda: window.session.gate.taken, timeout=SERVE_TIMEOUT)
    with qtbot.waitSignal(window.session.engine_waiting, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello there")
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT) as finished:
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # right after Settings closed: Esc stops
    done = finished.args[0]
    assert isinstance(done, Done)
    assert done.outcome is Outcome.CANCELLED
    assert window.composer.text() == "Hello there"  # not sent, not lost
    api_holds_the_engine.set()
    thread.join(timeout=60)
    assert answers == [(REPLY, "stop")]  # the stop was the window's only


def test_a_server_model_pauses_the_api_and_says_why(
    qtbot: QtBot,
    window: MainWindow,
    served: tuple[str, str],
    fake_server: RunningFakeServer,
    quick_server_retries: None,
) -> None:
    port = window.local_api.port
    assert port is not None
    ServerList.load(servers_file(window.runtime.paths)).add("office", fake_server.url)
    window.models.servers.refresh()
    picker = window.model_picker
    qtbot.waitUntil(lambda: picker.findText(ENTRY) >= 0, timeout=10_000)
    assert picker.findText(ENTRY) == picker.currentIndex() + 1  # just below the local one
    picker.setFocus()
    with qtbot.waitSignal(window.session.model_loaded, timeout=LOAD_TIMEOUT):
        qtbot.keyClick(picker, Qt.Key.Key_Down)
    indicator = window.local_api.indicator
    qtbot.waitUntil(lambda: indicator.toolTip() == PAUSED_ON_SERVER, timeout=SERVE_TIMEOUT)
    assert window.session.on_server
    assert window.local_api.port is None
    assert indicator.text() == "API paused"
    assert refused(port)


def test_without_a_model_the_api_waits_for_one(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    set_api(qtbot, window, on=True, port=free_port())
    assert window.local_api.indicator.text() == "API paused"
    assert window.local_api.indicator.toolTip() == PAUSED_NO_MODEL
    choose_model(qtbot, window, scripted_model)
    qtbot.waitUntil(lambda: window.local_api.port is not None, timeout=SERVE_TIMEOUT)
    assert window.local_api.indicator.text() == f"API on :{window.local_api.port}"


def test_a_busy_port_is_explained_with_what_to_do(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        choose_model(qtbot, window, scripted_model)
        set_api(qtbot, window, on=True, port=port)
        assert window.local_api.port is None
        message = window.error_bar.label.text()
        assert f"port {port}: another program is using it" in message
        assert "Choose another port in Settings" in message
        assert window.error_bar.isVisible()
        assert window.local_api.indicator.text() == "API off"
    set_api(qtbot, window, on=True, port=free_port())  # another port, from the same dialog
    assert window.local_api.port is not None
