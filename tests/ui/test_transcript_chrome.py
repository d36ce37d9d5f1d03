"""Around the transcript's text: action buttons on hover, "Jump to latest", the reading
column, and colours that follow the light or dark palette (real widgets, real layout)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QTextBlock
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.theme import palette_for
from app.ui.transcript_chrome import MAX_COLUMN_PX, MIN_SIDE_PX
from app.ui.transcript_css import DARK, LIGHT
from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import (
    conversation,
    fragments,
    hover_message,
    message,
    move_pointer,
    point_on_message,
    shown_view,
)


@pytest.fixture
def view(qtbot: QtBot) -> TranscriptView:
    return shown_view(qtbot, message_actions=True)


def test_pointing_at_a_message_shows_its_buttons_and_leaving_hides_them(
    view: TranscriptView,
) -> None:
    view.show_messages([message(1, "user", "Question"), message(2, "assistant", "Answer")])
    mine = hover_message(view, 1)
    assert mine.edit_button.isVisibleTo(mine)
    assert not mine.regenerate_button.isVisibleTo(mine)
    reply = hover_message(view, 2)  # the same bar moves to the message pointed at
    assert reply.regenerate_button.isVisibleTo(reply)
    assert not reply.edit_button.isVisibleTo(reply)
    # It sits on the reply's speaker line, at the right of the column.
    assert abs(reply.geometry().center().y() - point_on_message(view, 2).y()) < reply.height()
    assert reply.geometry().right() <= view.viewport().width()
    view.clearFocus()  # with the keyboard here, the bar would go to the caret's message
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Leave))
    assert not reply.isVisible()


def test_a_message_being_written_or_not_saved_offers_no_buttons(view: TranscriptView) -> None:
    view.show_messages([message(1, "user", "Question")])
    view.begin_streaming()
    view.append_stream("Half")
    view.flush_stream()
    hover_message(view, 1)
    bottom = QPoint(20, view.viewport().height() - 5)  # on the reply being written
    move_pointer(view, bottom)
    bar = view.message_actions
    assert bar is not None
    assert not bar.isVisible()


def test_pressing_a_button_reports_the_action(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(1, "user", "Question"), message(2, "assistant", "Answer")])
    with qtbot.waitSignal(view.action_requested) as requested:
        hover_message(view, 2).regenerate_button.click()
    assert requested.args == ["regenerate", 2]


def test_jump_to_latest_shows_when_scrolled_up_and_takes_the_view_to_the_end(
    view: TranscriptView,
) -> None:
    view.show_messages(conversation(30))
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0
    assert not view.jump_to_latest_shown  # at the end already
    bar.setValue(bar.maximum() // 2)
    assert view.jump_to_latest_shown
    view._chrome.jump.click()
    assert bar.value() == bar.maximum()
    assert not view.jump_to_latest_shown


def side_margins(view: TranscriptView) -> tuple[float, float]:
    frame_format = view.document().rootFrame().frameFormat()
    return frame_format.leftMargin(), frame_format.rightMargin()


def test_lines_never_run_wider_than_the_reading_column(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(4))
    view.resize(1600, 600)
    qtbot.waitUntil(lambda: view.viewport().width() > 1500)
    left, right = side_margins(view)
    assert left == right == (view.viewport().width() - MAX_COLUMN_PX) // 2
    view.resize(500, 600)
    qtbot.waitUntil(lambda: view.viewport().width() < 520)
    assert side_margins(view) == (MIN_SIDE_PX, MIN_SIDE_PX)
    view.show_messages(conversation(2))  # a new conversation keeps the column
    assert side_margins(view) == (MIN_SIDE_PX, MIN_SIDE_PX)


def code_block(view: TranscriptView) -> QTextBlock:
    block = view.document().begin()
    while block.isValid() and block.text() != "print(2)":
        block = block.next()
    assert block.isValid()
    return block


def test_the_colours_follow_the_palette_light_and_dark(view: TranscriptView) -> None:
    view.setPalette(palette_for("light"))
    view.show_messages(conversation(2))
    light = code_block(view).blockFormat().background().color()
    assert light == QColor(LIGHT.code_background)
    view.setPalette(palette_for("dark"))  # shown again at once, in the dark colours
    dark = code_block(view).blockFormat().background().color()
    assert dark == QColor(DARK.code_background)
    # The speaker's name, in the theme's accent colour.
    name = next(f for f in fragments(view) if f.text() and f.text() in "Assistant")
    assert name.charFormat().foreground().color() == QColor(DARK.assistant)


def test_a_theme_change_while_a_reply_streams_waits_for_its_end(view: TranscriptView) -> None:
    view.setPalette(palette_for("light"))
    view.show_messages(conversation(2))
    view.begin_streaming(None)
    view.append_stream("More")
    view.setPalette(palette_for("dark"))
    assert code_block(view).blockFormat().background().color() == QColor(LIGHT.code_background)
    view.end_streaming()
    assert code_block(view).blockFormat().background().color() == QColor(DARK.code_background)
    assert view.toPlainText().endswith("More")
