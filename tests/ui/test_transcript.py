"""The transcript view: messages shown as written, links reported (never followed), copying."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import (
    anchors,
    click_text_at,
    conversation,
    message,
)

# -- links and copying ------------------------------------------------------------------


def test_copy_link_copies_its_own_code_block(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(
        [
            message(1, "assistant", "```python\nfirst = 1\n```"),
            message(2, "user", "and?"),
            message(3, "assistant", "Two:\n\n```sh\necho second\n```\n\n```\nthird\n```"),
        ]
    )
    copies = [(href, position) for href, position in anchors(view) if "copy" in href]
    assert len(copies) == 3
    href, position = copies[1]
    with qtbot.waitSignal(view.code_copied) as copied:
        click_text_at(view, position)
    assert copied.args == [int(href.split(":")[1])]
    assert QApplication.clipboard().text() == "echo second"


def test_link_click_is_reported_not_followed(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(1, "assistant", "Read [the docs](https://example.com/a?b=1).")])
    before = view.toPlainText()
    ((href, position),) = anchors(view)
    assert href == "https://example.com/a?b=1"
    with qtbot.waitSignal(view.link_activated) as activated:
        click_text_at(view, position)
    assert activated.args == [QUrl("https://example.com/a?b=1")]
    assert view.source().isEmpty()
    assert view.toPlainText() == before


def test_only_web_links_are_reported(qtbot: QtBot, view: TranscriptView) -> None:
    with qtbot.assertNotEmitted(view.link_activated):
        for url in ("file:///etc/passwd", "javascript:alert(1)", "qrc:/x", "relative.html"):
            view.anchorClicked.emit(QUrl(url))
    assert view.source().isEmpty()


def test_continue_under_an_interrupted_reply(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(7, "assistant", "half a repl", "interrupted")])
    assert view.toPlainText().endswith("half a repl\ninterrupted — Continue")
    ((href, position),) = anchors(view)
    assert href == "hearth-action:continue/7"
    with qtbot.waitSignal(view.action_requested) as requested:
        click_text_at(view, position)
    assert requested.args == ["continue", 7]


# -- rendering --------------------------------------------------------------------------


def test_messages_show_speaker_body_and_status(view: TranscriptView) -> None:
    view.show_messages(
        [
            message(1, "user", "**literal** <b>x</b>\nsecond line"),
            message(2, "assistant", "**bold** answer"),
            message(3, "assistant", "cut", "stopped"),
            message(4, "assistant", "", "failed", error="The model stopped unexpectedly"),
        ]
    )
    assert view.toPlainText() == (
        "\nYou\n**literal** <b>x</b>\nsecond line\n"
        "Assistant\nbold answer\n"
        "Assistant\ncut\nstopped — Continue\n"
        "Assistant\nfailed: The model stopped unexpectedly"
    )
    assert view.accessibleName() == "Conversation transcript"


def test_show_notice_replaces_the_conversation(view: TranscriptView) -> None:
    view.show_messages(conversation(4))
    view.show_notice("No <conversation> yet")
    assert view.toPlainText() == "No <conversation> yet"
