"""Long conversations: only the last messages are materialized; earlier pages load at the top."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui import transcript_paging
from app.ui.transcript_paging import MessagePages
from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import (
    anchors,
    conversation,
)


def test_long_conversation_materializes_only_its_end(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(2000))
    limit = transcript_paging.INITIAL_MESSAGES
    assert view.materialized_count == limit
    assert view.earlier_count == 2000 - limit
    text = view.toPlainText()
    assert text.startswith(f"Scroll up for {2000 - limit} earlier messages")
    assert "Question 1?" not in text
    assert f"Question {2001 - limit}?" in text
    assert "print(2000)" in text
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0


def test_scrolling_to_the_top_loads_earlier_messages(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(2000))
    limit, page = transcript_paging.INITIAL_MESSAGES, transcript_paging.PAGE_MESSAGES
    bar = view.verticalScrollBar()
    with qtbot.waitSignal(view.earlier_loaded) as loaded:
        bar.setValue(0)
    assert loaded.args == [page]
    assert view.materialized_count == limit + page
    assert view.earlier_count == 2000 - limit - page
    first = 2001 - limit - page
    expected = f"Scroll up for {first - 1} earlier messages\nYou\nQuestion {first}?"
    assert view.toPlainText().startswith(expected)
    assert bar.value() > 0  # still showing what the user saw, not the new top


def test_earlier_pages_keep_the_view_still_and_streaming_working(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(conversation(130))
    document, bar = view.document(), view.verticalScrollBar()
    layout = document.documentLayout()
    marker = f"Question {131 - transcript_paging.INITIAL_MESSAGES}?"

    def absolute_top() -> float:
        return layout.blockBoundingRect(document.find(marker).block()).top()

    while view.earlier_count:
        on_screen = absolute_top()  # where it will be on screen once the view is at the top
        with qtbot.waitSignal(view.earlier_loaded):
            bar.setValue(0)
        assert abs(absolute_top() - bar.value() - on_screen) <= 1
    assert view.materialized_count == 130
    assert document.toPlainText().startswith("\nYou\nQuestion 1?")
    view.begin_streaming(131)
    view.append_stream("streamed after paging")
    view.end_streaming()
    assert document.toPlainText().endswith("print(130)\nAssistant\nstreamed after paging")


def test_copy_links_work_in_loaded_pages(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(100))
    view.load_earlier()
    copies = {href for href, _ in anchors(view) if href.startswith("hearth-copy:")}
    assert (
        len(copies) == (transcript_paging.INITIAL_MESSAGES + transcript_paging.PAGE_MESSAGES) // 2
    )
    for href in copies:
        with qtbot.waitSignal(view.code_copied):
            view.anchorClicked.emit(QUrl(href))
        assert QApplication.clipboard().text().startswith("print(")


def test_a_view_that_is_not_filled_loads_more(
    qtbot: QtBot, view: TranscriptView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transcript_paging, "INITIAL_MESSAGES", 2)
    with qtbot.waitSignal(view.earlier_loaded):
        view.show_messages(conversation(100))  # two messages cannot fill 480 pixels
    qtbot.wait(50)
    assert view.materialized_count == 2 + transcript_paging.PAGE_MESSAGES  # then it could
    assert view.verticalScrollBar().maximum() > 0


def test_a_hidden_view_loads_nothing_more(qtbot: QtBot) -> None:
    hidden = TranscriptView()
    qtbot.addWidget(hidden)
    hidden.show_messages(conversation(2000))
    qtbot.wait(50)
    assert hidden.materialized_count == transcript_paging.INITIAL_MESSAGES


def test_pages_are_counted_back_from_the_end() -> None:
    messages = conversation(130)
    pages = MessagePages()
    limit, size = transcript_paging.INITIAL_MESSAGES, transcript_paging.PAGE_MESSAGES
    assert pages.open(messages) == messages[-limit:]
    assert (pages.shown_count, pages.earlier_count) == (limit, 130 - limit)
    loaded = messages[-limit:]
    while pages.earlier_count:
        page = pages.earlier_page()
        assert 0 < len(page) <= size
        loaded = page + loaded
        assert pages.shown_count == len(loaded)
    assert loaded == messages
    assert pages.earlier_page() == []
    assert pages.last == messages[-1]


def test_a_short_conversation_is_shown_whole() -> None:
    pages = MessagePages()
    assert pages.open(conversation(3)) == conversation(3)
    assert pages.earlier_count == 0
    pages.clear()
    assert pages.last is None
    assert pages.open([]) == []
