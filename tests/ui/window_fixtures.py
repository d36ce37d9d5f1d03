"""Helpers for the window tests (the fixtures themselves are in conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from app.catalog.library import ModelLibrary
from app.engine.protocol import TextPiece
from app.ui.main_window import MainWindow

LOAD_TIMEOUT = 60_000  # generous: a loaded machine (CI beside other work) is slow


def choose_model(qtbot: QtBot, window: MainWindow, model: Path) -> None:
    """Import the file, then pick it in the list as a user would (keyboard)."""
    ModelLibrary(window._runtime.models_dir).import_file(model)
    window.model_picker.refresh()
    window.model_picker.setFocus()
    with qtbot.waitSignal(window._session.model_loaded, timeout=LOAD_TIMEOUT):
        qtbot.keyClick(window.model_picker, Qt.Key.Key_Down)


def streamed_text(handler: Callable[[str], None]) -> Callable[[object], None]:
    """A `job_event` listener that hands on only the text being written."""

    def listen(event: object) -> None:
        if isinstance(event, TextPiece):
            handler(event.text)

    return listen


def reply_waits_for_the_screen(
    monkeypatch: pytest.MonkeyPatch, window: MainWindow, flow: object
) -> None:
    """The model's words wait (at most 10 s) until `flow` has shown the conversation they
    stream into, as a real model's slower reply does: a generated model can finish its
    whole reply before that conversation is read back and shown, and then nothing is left
    to stream (the result is shown from the store instead)."""
    shown = threading.Event()
    begin = flow._begin_stream  # type: ignore[attr-defined]

    def begin_and_tell() -> None:
        begin()
        shown.set()

    monkeypatch.setattr(flow, "_begin_stream", begin_and_tell)
    engine = window._session.engine
    chat = engine.chat

    def chat_once_shown(*args: Any, **kwargs: Any) -> Iterator[object]:
        events = chat(*args, **kwargs)
        try:
            for event in events:
                shown.wait(10)
                yield event
        finally:
            events.close()

    monkeypatch.setattr(engine, "chat", chat_once_shown)


def wait_for_reads(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the window's reads (the transcript after a turn or an opening, searches)
    have come back and been shown: they run on the window's reading thread."""
    qtbot.waitUntil(lambda: not window.reads.busy, timeout=5000)


def drop_files(window: MainWindow, paths: list[Path]) -> None:
    """What dropping files from a file manager onto the window delivers to it."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(QPoint(200, 200)),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert event.isAccepted()
