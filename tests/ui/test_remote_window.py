"""The window on a server the user added: its models in the list, a turn streamed and saved,
where the words go, Stop, a fault's one line, back to a local model, and summaries and
e-mail drafts written there. Against a real
OpenAI-compatible HTTP server on 127.0.0.1 (tests/support/fake_openai_server.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.remote.servers import ServerList, servers_file
from app.runtime import Runtime
from app.tasks.job import Done, Outcome
from app.ui.main_window import MainWindow
from app.ui.model_flow import USE_LOCAL
from app.ui.model_picker import server_entry_text
from app.ui.status_panel import WORDS_SENT
from app.ui.words_note import words_go_text
from tests.support.fake_openai_server import (
    FAKE_MODEL,
    FAKE_REPLY,
    Fault,
    RunningFakeServer,
    fake_openai_server,
)
from tests.support.tiny_gguf import long_text
from tests.ui.test_chat_window import click_action, saved_path, send
from tests.ui.test_email_panel import DRAFT, DRAFT_BODY, compose
from tests.ui.window_fixtures import (
    LOAD_TIMEOUT,
    choose_model,
    drop_files,
    streamed_text,
    wait_for_reads,
)

LABEL = f"{FAKE_MODEL}@office"
ENTRY = server_entry_text(FAKE_MODEL, "office")
REPLY = "".join(FAKE_REPLY)

pytestmark = pytest.mark.usefixtures("quick_server_retries")


@pytest.fixture
def office(fake_server: RunningFakeServer, runtime: Runtime) -> RunningFakeServer:
    """The fake_server server, added as "office" before the window opens."""
    ServerList.load(servers_file(runtime.paths)).add("office", fake_server.url)
    return fake_server


def where(server: RunningFakeServer) -> str:
    return f"office ({server.url.removeprefix('http://')})"


def choose_server_model(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the server's models (listed in the background), then pick its entry as a
    user would (keyboard: it is the first entry when no model is installed)."""
    picker = window.model_picker
    qtbot.waitUntil(lambda: picker.findText(ENTRY) >= 0, timeout=10_000)
    assert picker.findText(ENTRY) == 1
    picker.setFocus()
    with qtbot.waitSignal(window.session.model_loaded, timeout=LOAD_TIMEOUT):
        qtbot.keyClick(picker, Qt.Key.Key_Down)


def posts(server: RunningFakeServer) -> list[str]:
    """The last message of each chat request the server received."""
    return [r["body"]["messages"][-1]["content"] for r in server.state.requests if r["body"]]


def test_a_server_model_is_listed_chosen_and_a_turn_streams_and_is_saved(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    choose_server_model(qtbot, window)
    assert window.session.on_server
    assert window.status.model_label.text() == f"{FAKE_MODEL} on {where(office)}"
    assert window.status.model_label.toolTip() == WORDS_SENT
    assert window.words_note.isVisible()  # said before anything is sent
    assert window.words_note.text() == words_go_text(where(office))
    pieces: list[str] = []
    window.session.job_event.connect(streamed_text(pieces.append))
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello there")
    wait_for_reads(qtbot, window)
    assert pieces == list(FAKE_REPLY)
    assert saved_path(window) == [
        ("user", "Hello there", "complete"),
        ("assistant", REPLY, "complete"),
    ]
    assert REPLY in window.transcript.toPlainText()
    assert posts(office) == ["Hello there"]
    assert not window.words_note.isVisible()
    assert window.status.context_meter.maximum() == window.runtime.settings.context_length
    assert window.status.context_meter.value() > 0


def test_the_note_comes_once_for_each_conversation_on_a_server(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    choose_server_model(qtbot, window)
    first = window.new_conversation()
    wait_for_reads(qtbot, window)
    assert window.words_note.isVisible()
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello there")
    wait_for_reads(qtbot, window)
    assert not window.words_note.isVisible()
    window.new_conversation()  # on the same server: told again, before its first message
    wait_for_reads(qtbot, window)
    assert window.words_note.isVisible()
    window.open_conversation(first)  # already told
    wait_for_reads(qtbot, window)
    assert not window.words_note.isVisible()


def test_a_conversation_on_a_server_shows_its_entry_and_loads_there(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    cid = window.history.create_conversation(model=LABEL)
    with qtbot.waitSignal(window.session.model_loaded, timeout=LOAD_TIMEOUT):
        window.open_conversation(cid)
    assert window.model_picker.currentText() == ENTRY  # even before the list arrived
    assert window.session.on_server
    assert window.words_note.isVisible()


def test_stop_during_a_slow_reply_keeps_it_as_stopped(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    office.state.fault, office.state.slow_s = Fault.SLOW, 3.0
    choose_server_model(qtbot, window)
    received: list[str] = []

    def on_text(text: str) -> None:
        received.append(text)
        if len(received) == 2:  # the server goes silent after two pieces
            qtbot.keyClick(window, Qt.Key.Key_Escape)

    window.session.job_event.connect(streamed_text(on_text))
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Tell me a story")
    wait_for_reads(qtbot, window)
    assert saved_path(window)[-1] == ("assistant", "".join(FAKE_REPLY[:2]), "stopped")
    assert not window.error_bar.isVisible()


def test_a_dropped_reply_says_so_in_one_line_and_regenerate_retries(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    office.state.fault = Fault.DROP
    choose_server_model(qtbot, window)
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello")
    wait_for_reads(qtbot, window)
    assert saved_path(window)[-1] == ("assistant", "".join(FAKE_REPLY[:2]), "failed")
    bar = window.error_bar
    assert bar.isVisible()
    assert "was lost during the reply" in bar.label.text()
    assert "\n" not in bar.label.text()
    assert bar.action_button.text() == USE_LOCAL
    office.state.fault = Fault.NONE
    reply = window.transcript.messages[-1]
    assert reply.id is not None
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        click_action(window, "regenerate", reply.id)
    wait_for_reads(qtbot, window)
    assert saved_path(window)[-1] == ("assistant", REPLY, "complete")
    assert posts(office) == ["Hello", "Hello"]


def test_switching_back_to_a_local_model_uses_the_local_engine(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow, scripted_model: Path
) -> None:
    choose_server_model(qtbot, window)
    choose_model(qtbot, window, scripted_model)
    assert not window.session.on_server
    assert window.status.model_label.text() == "Scripted Tiny"
    assert window.status.model_label.toolTip() == ""
    assert not window.words_note.isVisible()
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Hello there")
    wait_for_reads(qtbot, window)
    assert saved_path(window)[-1] == ("assistant", "Hello, world!", "complete")
    assert posts(office) == []  # nothing went to the server


def test_no_request_reaches_a_server_that_was_not_added(
    qtbot: QtBot, fake_server: RunningFakeServer, window: MainWindow
) -> None:
    """A conversation naming "office" when no such server was added stays local."""
    cid = window.history.create_conversation(model=LABEL)
    window.open_conversation(cid)
    wait_for_reads(qtbot, window)
    assert window.error_bar.isVisible()
    assert window.model_picker.findText(ENTRY) < 0
    assert not window.session.on_server
    assert fake_server.state.requests == []


def test_a_server_that_does_not_answer_lists_nothing_and_logs_one_line(
    qtbot: QtBot, window: MainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    with fake_openai_server() as gone:
        url = gone.url  # a port nothing listens on once the server is gone
    ServerList.load(servers_file(window.runtime.paths)).add("office", url)
    with caplog.at_level(logging.WARNING, logger="hearth.ui"):
        window.dialogs.servers_changed.emit()
        qtbot.waitUntil(lambda: "office did not list its models" in caplog.text, timeout=10_000)
    assert len([r for r in caplog.records if "did not list" in r.getMessage()]) == 1
    assert window.model_picker.findText(ENTRY) < 0
    assert not window.error_bar.isVisible()


def test_offline_mode_asks_no_server_and_refuses_a_server_model(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    """Offline mode means no network at all: servers the user added included."""
    window.runtime.settings.offline = True
    office.state.requests.clear()  # what the window asked at its start, before offline
    window.dialogs.servers_changed.emit()  # the list is read again: no server is asked
    cid = window.history.create_conversation(model=LABEL)
    window.open_conversation(cid)
    wait_for_reads(qtbot, window)
    qtbot.waitUntil(window.error_bar.isVisible)
    assert "Offline mode is on" in window.error_bar.label.text()
    assert not window.session.on_server
    assert office.state.requests == []


def test_a_long_document_is_summarized_on_the_server_part_by_part(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow, tmp_path: Path
) -> None:
    """Summaries run on a server model as on a local one: the document is read in parts that
    fit the server's context (1024 tokens here), each part goes to the server, and the
    summary is saved and shown in its own conversation."""
    choose_server_model(qtbot, window)
    document = tmp_path / "report.txt"
    paragraphs = [long_text(120, seed=i) for i in range(10)]
    document.write_text("\n\n".join(paragraphs), encoding="utf-8")
    done: list[Done] = []
    window.session.job_finished.connect(done.append)
    drop_files(window, [document])
    qtbot.waitUntil(lambda: len(done) == 1, timeout=LOAD_TIMEOUT)
    wait_for_reads(qtbot, window)
    assert done[0].outcome is Outcome.COMPLETED, done[0].message
    assert [item.state for item in window.summarize_panel.queue] == ["done"]
    asked = posts(office)
    assert len(asked) > 2  # several parts, then the summary of their notes
    for paragraph in paragraphs:  # every part of the document reached the server
        assert any(paragraph[:60] in prompt for prompt in asked)
    cid = window.current_conversation_id()
    assert cid is not None
    assert window.history.get_conversation(cid).title == "Summary of report.txt"
    reply = window.history.active_path(cid)[-1]
    assert (reply.content, reply.status, reply.model) == (REPLY, "complete", LABEL)
    assert REPLY in window.transcript.toPlainText()


def test_an_e_mail_is_drafted_on_the_server(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    office.state.reply = (DRAFT[:25], DRAFT[25:])  # a Subject line, then the body
    choose_server_model(qtbot, window)
    result = compose(qtbot, window)
    assert (result.subject, result.body.strip()) == ("Lunch on Friday", DRAFT_BODY)
    (asked,) = posts(office)
    assert "Lunch on Friday at noon suits me." in asked
    draft = window.history.active_path(result.conversation_id)[-1]
    assert (draft.content, draft.status, draft.model) == (DRAFT, "complete", LABEL)
    assert "Friday at noon suits me well." in window.transcript.toPlainText()


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault.UNAUTHORIZED, "refused Hearth's key"),
        (Fault.NO_MODEL, f"has no model named '{FAKE_MODEL}'"),
        (Fault.BUSY, "is busy"),
        (Fault.NOT_JSON, "not the OpenAI-compatible API"),
    ],
)
def test_a_refused_turn_says_why_in_one_line_keeps_the_message_and_offers_a_local_model(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow, fault: Fault, says: str
) -> None:
    choose_server_model(qtbot, window)
    office.state.fault, office.state.key, office.state.busy_times = fault, "not-sent", 99
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        send(qtbot, window, "Are you there?")
    wait_for_reads(qtbot, window)
    assert saved_path(window)[0] == ("user", "Are you there?", "complete")
    bar = window.error_bar
    assert bar.isVisible()
    assert says in bar.label.text()
    assert "\n" not in bar.label.text()
    assert bar.action_button.text() == USE_LOCAL


def test_a_server_that_is_down_when_its_conversation_opens_says_so_and_offers_a_local_model(
    qtbot: QtBot, window: MainWindow
) -> None:
    with fake_openai_server() as gone:
        url = gone.url  # nothing listens there once the server is gone
    ServerList.load(servers_file(window.runtime.paths)).add("office", url)
    cid = window.history.create_conversation(model=LABEL)
    with qtbot.waitSignal(window.session.model_failed, timeout=LOAD_TIMEOUT):
        window.open_conversation(cid)
    bar = window.error_bar
    qtbot.waitUntil(bar.isVisible)
    assert "cannot reach the server at 127.0.0.1" in bar.label.text()
    assert "\n" not in bar.label.text()
    assert bar.action_button.text() == USE_LOCAL


def test_the_context_meter_uses_the_context_the_server_reports(
    qtbot: QtBot, office: RunningFakeServer, window: MainWindow
) -> None:
    office.state.context = 32768  # as vLLM reports max_model_len
    choose_server_model(qtbot, window)
    assert window.status.context_meter.maximum() == 32768
    assert window.runtime.settings.context_length != 32768
