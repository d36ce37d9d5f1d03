"""Summarizing from the window: drop or open files, they queue, progress, cancel, results
open as conversations (real engine, real SQLite, real widgets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.catalog.library import ModelLibrary
from app.store import DocumentStatus, DocumentStore
from app.tasks.job import Outcome, Progress
from app.tasks.summarize import SummaryReady
from app.ui.main_window import MainWindow
from tests.support.tiny_gguf import long_text
from tests.ui.window_fixtures import LOAD_TIMEOUT, choose_model, drop_files, wait_for_reads


def test_dropped_files_queue_and_each_opens_as_a_conversation(
    qtbot: QtBot, window: MainWindow, scripted_model: Path, tmp_path: Path
) -> None:
    choose_model(qtbot, window, scripted_model)
    first, second = tmp_path / "first.txt", tmp_path / "second.md"
    first.write_text("The first memo.\n\nIt is short.", encoding="utf-8")
    second.write_text("# Plan\n\nThe second memo.", encoding="utf-8")
    panel = window.summarize_panel
    assert panel.model_picker.currentText().startswith("Scripted Tiny")
    ready: list[object] = []
    window._session.job_finished.connect(
        lambda done: ready.append(done) if done.outcome is Outcome.COMPLETED else None
    )
    drop_files(window, [first, second])
    assert panel.isVisible()
    qtbot.waitUntil(lambda: len(ready) == 2, timeout=LOAD_TIMEOUT)
    wait_for_reads(qtbot, window)
    assert [item.state for item in panel.queue] == ["done", "done"]
    titles = [c.title for c in window._history.list_conversations()]
    assert "Summary of first.txt" in titles
    assert "Summary of second.md" in titles
    # The last result is open, with the summary as the reply.
    cid = window.current_conversation_id()
    assert cid is not None
    assert window._history.get_conversation(cid).title == "Summary of second.md"
    user, reply = window._history.active_path(cid)
    assert user.content == "Summarize second.md (brief)."
    assert (reply.content, reply.status) == ("Hello, world!", "complete")
    assert "Hello, world!" in window.transcript.toPlainText()


def test_cancel_keeps_the_parts_and_summarize_again_resumes(
    qtbot: QtBot, window: MainWindow, random_model: Path, tmp_path: Path
) -> None:
    window._runtime.settings.sampling.max_tokens = 16
    choose_model(qtbot, window, random_model)
    document = tmp_path / "long.txt"
    document.write_text("\n\n".join(long_text(80, seed=i) for i in range(12)), encoding="utf-8")
    panel = window.summarize_panel
    session = window._session
    seen: list[Progress] = []

    def on_progress(progress: object) -> None:
        if not isinstance(progress, Progress):
            return
        seen.append(progress)
        if progress.part == 3 and len(seen) == 3:
            qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    session.job_event.connect(on_progress)
    with qtbot.waitSignal(session.job_finished, timeout=LOAD_TIMEOUT) as failed:
        panel.add_files([document])
    wait_for_reads(qtbot, window)
    session.job_event.disconnect(on_progress)
    stopped = failed.args[0]
    assert stopped.outcome is Outcome.CANCELLED
    assert "stopped after 2 parts" in stopped.message
    assert panel.queue[0].state == "stopped"
    assert not window.error_bar.isVisible()  # the user asked for it
    assert seen[-1].total > 3
    qtbot.waitUntil(lambda: session.state == "ready", timeout=5000)
    # Summarize again: the two finished parts are not redone.
    with qtbot.waitSignal(session.job_finished, timeout=LOAD_TIMEOUT) as done:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    wait_for_reads(qtbot, window)
    ready = done.args[0].result
    assert isinstance(ready, SummaryReady)
    assert ready.reused_parts == 2
    assert ready.calls == seen[-1].total - 2
    store = DocumentStore(window._history)
    assert store.get(ready.document_id).status == DocumentStatus.DONE
    assert panel.queue[0].state == "done"
    assert window.current_conversation_id() == ready.conversation_id


def test_summarize_without_a_model_says_what_to_do(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    document = tmp_path / "memo.txt"
    document.write_text("A memo.", encoding="utf-8")
    window.summarize_panel.add_files([document])
    assert window.summarize_panel.queue[0].state == "waiting"
    assert "choose a model first" in window.summarize_panel.files.item(0).text()
    assert window.error_bar.isVisible()
    assert "Choose a model" in window.error_bar.label.text()
    # The way on is a button in the bar: it opens the model list.
    assert window.error_bar.action_button.isVisible()
    assert window.error_bar.action_button.text() == "Choose a model"


def test_a_missing_file_is_named_and_can_be_chosen_again(
    qtbot: QtBot,
    window: MainWindow,
    scripted_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    choose_model(qtbot, window, scripted_model)
    gone = tmp_path / "deep" / "folder" / "minutes.txt"
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT):
        window.summarize_panel.add_files([gone])
    row = window.summarize_panel.files.item(0)
    assert row.text().startswith("minutes.txt\nCould not be summarized: minutes.txt does not")
    assert row.toolTip() == str(gone)  # the whole path only on demand
    bar = window.error_bar
    assert bar.label.text().startswith("minutes.txt does not exist (any more).")
    assert str(tmp_path) not in bar.label.text()
    assert bar.action_button.text() == "Choose the file again…"
    gone.parent.mkdir(parents=True)
    gone.write_text("It came back.", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_args, **_kw: ([str(gone)], ""))
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as finished:
        qtbot.mouseClick(bar.action_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].outcome is Outcome.COMPLETED
    assert not bar.isVisible()
    assert window.summarize_panel.queue[-1].state == "done"


def test_the_panel_chooses_language_style_and_model(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    panel = window.summarize_panel
    assert panel.chosen_style().language is None  # the document's own language
    panel.language.setCurrentText("Français")
    panel.style_box.setCurrentIndex(panel.style_box.findData("custom"))
    assert panel.instruction.isVisibleTo(panel)
    panel.instruction.setText("List the risks")
    style = panel.chosen_style()
    assert (style.instruction, style.language) == ("List the risks", "Français")
    assert style.language_rule == "Write in Français."
    # The panel's own model list loads a model for the summaries.
    ModelLibrary(window._runtime.models_dir).import_file(scripted_model)
    window.models.refresh_pickers()
    panel.model_picker.setFocus()
    with qtbot.waitSignal(window._session.model_loaded, timeout=LOAD_TIMEOUT):
        qtbot.keyClick(panel.model_picker, Qt.Key.Key_Down)
    assert window._session.model is not None
    assert window._session.model.name == "Scripted Tiny"


def test_the_summary_streams_into_its_conversation_while_it_is_written(
    qtbot: QtBot,
    window: MainWindow,
    random_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The random model writes all of max_tokens: far longer than reading the summary's
    # conversation takes, so the stream starts while the summary is still being written.
    # (The scripted model's two-token reply could end before that read came back.)
    window._runtime.settings.sampling.max_tokens = 256
    choose_model(qtbot, window, random_model)
    memo = tmp_path / "memo.txt"
    memo.write_text("The roof is fixed. The bill is 420 euros.", encoding="utf-8")
    transcript = window.transcript
    draw = transcript.append_stream
    seen: list[tuple[bool, int | None, str]] = []  # (still writing, conversation, piece)

    def drawn(text: str) -> None:
        """The window streams a piece: is the summary still being written, and where?"""
        draw(text)
        seen.append((window._session.generating, window.current_conversation_id(), text))

    monkeypatch.setattr(transcript, "append_stream", drawn)
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as finished:
        window.summarize_panel.add_files([memo])
    wait_for_reads(qtbot, window)
    ready = finished.args[0].result
    assert isinstance(ready, SummaryReady)
    assert seen  # the text was drawn while the summary was being written
    assert all(writing and cid == ready.conversation_id for writing, cid, _ in seen)
    summary = window._history.active_path(ready.conversation_id)[-1].content
    assert "".join(piece for *_, piece in seen).strip() == summary.strip()
    assert summary[-40:].strip() in transcript.toPlainText()
