"""The window end to end on a real engine: send, stream, save, stop, crash and reload."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.catalog.library import ModelLibrary
from app.runtime import Runtime
from app.store import History
from app.tasks.job import Done
from app.ui.chat_session import ChatSession
from app.ui.main_window import MainWindow
from tests.ui.transcript_helpers import hover_message
from tests.ui.window_fixtures import LOAD_TIMEOUT, choose_model, streamed_text, wait_for_reads


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.keyClicks(window.composer.editor, text)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)


def saved_path(window: MainWindow) -> list[tuple[str, str, str]]:
    cid = window.current_conversation_id()
    assert cid is not None
    with History.open(window._runtime.paths.database) as history:
        return [(m.role, m.content, m.status) for m in history.active_path(cid)]


def test_send_streams_and_saves_the_reply(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    choose_model(qtbot, window, scripted_model)
    assert window.status.model_label.text() == "Scripted Tiny"
    pieces: list[str] = []
    window._session.job_event.connect(streamed_text(pieces.append))
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello there")
    wait_for_reads(qtbot, window)
    assert "".join(pieces) == "Hello, world!"
    assert len(pieces) > 1  # streamed
    assert saved_path(window) == [
        ("user", "Hello there", "complete"),
        ("assistant", "Hello, world!", "complete"),
    ]
    assert "Hello, world!" in window.transcript.toPlainText()
    assert window.composer.text() == ""
    assert "tokens/s" in window.status.speed_label.text()
    assert window.status.context_meter.value() > 0


def test_sending_without_a_model_keeps_the_text(qtbot: QtBot, window: MainWindow) -> None:
    send(qtbot, window, "Anyone there?")
    assert window.composer.text() == "Anyone there?"
    assert window.error_bar.isVisible()
    assert "Choose a model" in window.error_bar.label.text()


def test_esc_stops_the_reply_and_keeps_it(
    qtbot: QtBot, window: MainWindow, random_model: Path
) -> None:
    choose_model(qtbot, window, random_model)
    received: list[str] = []

    def on_text(text: str) -> None:
        received.append(text)
        if len(received) == 5:
            qtbot.keyClick(window, Qt.Key.Key_Escape)

    window._session.job_event.connect(streamed_text(on_text))
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as blocker:
        send(qtbot, window, "Tell me everything")
    wait_for_reads(qtbot, window)
    assert blocker.args[0].result.status == "stopped"
    (_, (role, content, status)) = saved_path(window)
    assert (role, status) == ("assistant", "stopped")
    assert content.startswith("".join(received[:5]))
    qtbot.waitUntil(window.composer.send_button.isEnabled, timeout=5000)


def test_continue_carries_on_a_stopped_reply_in_the_same_message(
    qtbot: QtBot, window: MainWindow, random_model: Path
) -> None:
    # Long enough that Esc always lands while the reply is being written.
    window._runtime.settings.sampling.max_tokens = 1500
    choose_model(qtbot, window, random_model)
    window._session.job_event.connect(
        streamed_text(lambda _text: qtbot.keyClick(window, Qt.Key.Key_Escape))
    )
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Tell me everything")
    wait_for_reads(qtbot, window)
    (_, (_, stopped_text, status)) = saved_path(window)
    assert status == "stopped"
    assert "stopped — Continue" in window.transcript.toPlainText()
    window._session.job_event.disconnect()
    window._runtime.settings.sampling.max_tokens = 40  # the continuation ends by itself
    cid = window.current_conversation_id()
    assert cid is not None
    reply = window._history.active_path(cid)[-1]
    added: list[str] = []
    window._session.job_event.connect(streamed_text(added.append))
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as blocker:
        click_action(window, "continue", reply.id)
    wait_for_reads(qtbot, window)
    assert blocker.args[0].result.reply_message_id == reply.id
    assert added
    assert saved_path(window)[-1] == ("assistant", stopped_text + "".join(added), "complete")
    assert len(window._history.children(reply.parent_id or 0)) == 1  # no new branch
    shown = window.transcript.toPlainText()
    assert "stopped — Continue" not in shown
    assert (stopped_text + "".join(added)).split()[-1] in shown


def test_loading_shows_progress_and_cancel_leaves_no_model(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    session = window._session
    progress: list[float] = []
    session.load_progress.connect(progress.append)
    choose_model(qtbot, window, scripted_model)
    assert progress[-1] == 1.0
    assert not window.status.load_bar.isVisible()
    config = session._last_config
    assert config is not None
    with qtbot.waitSignal(session.state_changed, check_params_cb=lambda s: s == "idle"):
        session.load_model(config)
        assert window.status.load_bar.isVisible()
        assert window.status.state_label.text() == "Loading the model…"
        qtbot.mouseClick(window.status.cancel_load_button, Qt.MouseButton.LeftButton)
    assert session.model is None
    assert not window.status.load_bar.isVisible()
    assert not window.status.cancel_load_button.isVisible()
    assert not window.error_bar.isVisible()  # the user asked for it: not an error
    # The next load works.
    with qtbot.waitSignal(session.model_loaded, timeout=LOAD_TIMEOUT):
        session.load_model(config)


def test_an_engine_crash_shows_reload_and_keeps_the_reply(
    qtbot: QtBot, window: MainWindow, random_model: Path
) -> None:
    choose_model(qtbot, window, random_model)
    engine = window._session.engine

    def on_text(_text: str) -> None:
        if engine.pid is not None and engine.is_running:
            os.kill(engine.pid, signal.SIGKILL)

    window._session.job_event.connect(streamed_text(on_text))
    with qtbot.waitSignal(window._session.engine_crashed, timeout=LOAD_TIMEOUT) as blocker:
        send(qtbot, window, "Go on")
    assert "stopped unexpectedly" in blocker.args[0]
    assert window.error_bar.isVisible()
    assert window.error_bar.reload_button.isVisible()
    (_, (role, _content, status)) = saved_path(window)
    assert (role, status) == ("assistant", "failed")
    window._session.job_event.disconnect()
    with qtbot.waitSignal(window._session.model_loaded, timeout=LOAD_TIMEOUT):
        qtbot.mouseClick(window.error_bar.reload_button, Qt.MouseButton.LeftButton)
    assert not window.error_bar.isVisible()
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Again")
    wait_for_reads(qtbot, window)


def test_window_remembers_geometry_and_last_conversation(qtbot: QtBot, runtime: Runtime) -> None:
    with runtime.open_history() as history:
        first = MainWindow(
            runtime, history, ChatSession(runtime.new_engine(), runtime.paths.database)
        )
        qtbot.addWidget(first)
        cid = first.new_conversation()
        first.resize(777, 555)
        first.close()
        second = MainWindow(
            runtime, history, ChatSession(runtime.new_engine(), runtime.paths.database)
        )
        qtbot.addWidget(second)
        second.restore_state()
        assert second.current_conversation_id() == cid
        assert (second.width(), second.height()) == (777, 555)


UNEXPECTED_ERROR_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from app.runtime import Runtime
from app.ui.error_dialog import install_exception_dialog

app = QApplication(sys.argv)
runtime = Runtime.start()
install_exception_dialog(runtime.paths.log_file)

def look() -> None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    if boxes:
        print(boxes[0].objectName())
        print(boxes[0].text())
        app.quit()
    else:
        QTimer.singleShot(50, look)

def fail() -> None:
    raise RuntimeError("boom")

QTimer.singleShot(0, fail)
QTimer.singleShot(50, look)
QTimer.singleShot(10_000, app.quit)
app.exec()
"""


def test_an_unexpected_error_shows_a_dialog_with_the_log_path(runtime: Runtime) -> None:
    """A real exception escaping a Qt slot in a process of its own (so the hook it installs
    and the exception it raises touch no other test), and the dialog it gets."""
    result = subprocess.run(
        [sys.executable, "-c", UNEXPECTED_ERROR_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    name, *text = result.stdout.splitlines()
    assert name == "unexpected-error-dialog"
    shown = "\n".join(text)
    assert "RuntimeError: boom" in shown
    assert str(runtime.paths.log_file) in shown
    assert "unhandled exception" in runtime.paths.log_file.read_text(encoding="utf-8")


def click_action(window: MainWindow, action: str, message_id: int) -> None:
    """Point at the message and press its action button; Continue is a link in its note."""
    if action == "continue":
        window.transcript.anchorClicked.emit(QUrl(f"hearth-action:continue/{message_id}"))
        return
    button = hover_message(window.transcript, message_id).button(action)
    assert button is not None
    assert button.isVisible()
    assert button.isEnabled()
    button.click()


def test_regenerate_and_edit_make_branches_and_the_navigator_switches(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    choose_model(qtbot, window, scripted_model)
    session = window._session
    with qtbot.waitSignal(session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "First question")
    wait_for_reads(qtbot, window)
    cid = window.current_conversation_id()
    assert cid is not None
    user, reply = window._history.active_path(cid)
    bar = hover_message(window.transcript, user.id)
    assert [b.isVisibleTo(bar) for b in (bar.copy_button, bar.edit_button)] == [True, True]
    assert not bar.regenerate_button.isVisibleTo(bar)
    assert not bar.next_button.isVisibleTo(bar)  # one version: no navigator
    with qtbot.waitSignal(session.job_finished, timeout=LOAD_TIMEOUT):
        click_action(window, "regenerate", reply.id)
    wait_for_reads(qtbot, window)
    assert "2 of 2" in window.transcript.toPlainText()
    assert hover_message(window.transcript, window._history.active_path(cid)[-1].id)
    newer = window._history.active_path(cid)[-1]
    assert newer.id != reply.id
    click_action(window, "previous", newer.id)
    wait_for_reads(qtbot, window)
    assert window._history.active_path(cid)[-1].id == reply.id
    assert "1 of 2" in window.transcript.toPlainText()
    assert hover_message(window.transcript, reply.id).version_label.text() == "1/2"
    # Edit: the message goes back into the box; sending makes a sibling of the original.
    click_action(window, "edit", user.id)
    assert window.composer.text() == "First question"
    assert window.composer.edit_banner.isVisible()
    window.composer.editor.clear()
    with qtbot.waitSignal(session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Better question")
    wait_for_reads(qtbot, window)
    assert [m.content for m in window._history.roots(cid)] == ["First question", "Better question"]
    assert [m.content for m in window._history.active_path(cid)] == [
        "Better question",
        "Hello, world!",
    ]
    assert not window.composer.edit_banner.isVisible()
    better = window._history.active_path(cid)[0]
    click_action(window, "copy", better.id)
    assert QApplication.clipboard().text() == "Better question"


def test_settings_from_the_menu_apply_at_once(qtbot: QtBot, window: MainWindow) -> None:
    from app.ui.settings_dialog import SettingsDialog

    window.open_settings()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog))
    qtbot.waitUntil(dialog.isVisible)
    dark_before = QApplication.palette().window().color().lightness()
    settings = dataclasses.replace(window._runtime.settings, theme="dark")
    window.dialogs.apply_settings(settings)  # what the dialog's OK announces
    assert window._runtime.settings.theme == "dark"
    assert QApplication.palette().window().color().lightness() < dark_before
    dialog.reject()
    window.dialogs.apply_settings(dataclasses.replace(settings, theme="system"))  # for later tests


def test_first_run_onboarding_imports_a_model_and_loads_it(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    window.dialogs.start_onboarding_if_needed()
    dialog = window.dialogs.onboarding  # (a closed one from another test may linger unfreed)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    with qtbot.waitSignal(window._session.model_loaded, timeout=LOAD_TIMEOUT):
        dialog.import_file(scripted_model)
    assert window.status.model_label.text() == "Scripted Tiny"
    assert window.model_picker.currentText().startswith("Scripted Tiny")


def test_the_models_menu_opens_the_manager_and_refreshes_the_picker(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    window.open_model_manager()
    manager = window.dialogs.model_manager
    assert manager is not None
    assert manager.database is not None  # the Installed tab counts conversations per model
    assert manager.database.name == "hearth.db"
    qtbot.waitUntil(manager.isVisible)
    before = window.model_picker.count()
    with qtbot.waitSignal(manager.models_changed, timeout=LOAD_TIMEOUT):
        manager.import_file(scripted_model)
    assert window.model_picker.count() == before + 1


def test_the_draft_is_counted_against_the_context(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    choose_model(qtbot, window, scripted_model)
    window.new_conversation()
    qtbot.keyClicks(window.composer.editor, "How many tokens is this?")
    qtbot.waitUntil(lambda: "/ 1,024 tokens" in window.composer.token_label.text(), timeout=5000)
    counted = int(window.composer.token_label.text().split(" ")[0].replace(",", ""))
    assert counted > len("How many tokens is this?") // 4


def test_each_conversation_keeps_its_model_and_switching_loads_it(
    qtbot: QtBot, window: MainWindow, scripted_model: Path, random_model: Path
) -> None:
    library = ModelLibrary(window._runtime.models_dir)
    scripted = library.import_file(scripted_model)
    randomish = library.import_file(random_model)
    window.model_picker.refresh()
    first = window.new_conversation()
    session = window._session
    with qtbot.waitSignal(session.model_loaded, timeout=LOAD_TIMEOUT):
        window.model_picker.model_chosen.emit(scripted.path, scripted.id)
    second = window.new_conversation()
    loading: list[str] = []
    session.state_changed.connect(loading.append)
    with qtbot.waitSignal(session.model_loaded, timeout=LOAD_TIMEOUT) as loaded:
        window.model_picker.model_chosen.emit(randomish.path, randomish.id)
        # The window stays usable while the model loads: typing goes on.
        qtbot.keyClicks(window.composer.editor, "still typing")
    assert loaded.args[0].name == "Random Tiny"
    assert "loading" in loading
    assert window.composer.text() == "still typing"
    assert window._history.get_conversation(second).model == randomish.id
    assert window._history.get_conversation(first).model == scripted.id
    # Opening the first conversation again brings its own model back.
    with qtbot.waitSignal(session.model_loaded, timeout=LOAD_TIMEOUT) as loaded:
        window.open_conversation(first)
        wait_for_reads(qtbot, window)
    assert loaded.args[0].name == "Scripted Tiny"
    assert window.model_picker.currentData() == (str(scripted.path), scripted.id)


def test_returning_to_a_conversation_restores_its_state_instead_of_re_reading_it(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    """A, then B (the engine's KV cache now holds B), then back to A: A's first exchange
    comes from the state the engine kept after A's reply."""
    choose_model(qtbot, window, scripted_model)
    first = "Plan a weekend of walking in the hills, with places to eat on the way."
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as blocker:
        send(qtbot, window, first)
    first_prompt = blocker.args[0].result.stats.prompt_tokens
    conversation_a = window.current_conversation_id()
    wait_for_reads(qtbot, window)
    window.new_conversation()
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Something else entirely: a recipe for bread, step by step.")
    wait_for_reads(qtbot, window)

    assert conversation_a is not None
    window.open_conversation(conversation_a)
    wait_for_reads(qtbot, window)
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as blocker:
        send(qtbot, window, "And if it rains?")

    stats = blocker.args[0].result.stats
    assert stats.restored_from == "memory"
    assert stats.cached_tokens >= first_prompt
    assert saved_path(window)[-1] == ("assistant", "Hello, world!", "complete")


def test_the_draft_token_count_shows_and_a_late_answer_reaches_no_closed_widget(
    qtbot: QtBot, window: MainWindow, random_model: Path
) -> None:
    choose_model(qtbot, window, random_model)
    window.new_conversation()
    qtbot.keyClicks(window.composer.editor, "How many tokens is this?")
    qtbot.waitUntil(lambda: window.composer.token_label.text().endswith("/ 1,024 tokens"))

    class Receiver(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.answers: list[object] = []

        def take(self, done: Done) -> None:
            self.setObjectName(f"answered {done.result}")  # raises if its C++ side is gone
            self.answers.append(done.result)

    alive, closed = Receiver(), Receiver()
    release = threading.Event()
    window._session.ask(lambda _engine: release.wait(10) and 1, closed.take)
    window._session.ask(lambda _engine: 2, alive.take)
    shiboken6.delete(closed)  # its widget closed while the engine was busy answering
    release.set()
    qtbot.waitUntil(lambda: alive.answers == [2])
    qtbot.waitUntil(lambda: not window._session._runners)
