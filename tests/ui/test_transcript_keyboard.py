"""Every message action can be reached with Tab and followed with Enter or Space.

The links are found the way a keyboard user finds them: Tab from the top of the view until
the wanted one has the focus; the view reports which one by its text cursor's selection.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from app.tasks.conversation_view import MessageView
from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import conversation, message, shown_view, with_branches

KEYS = {"Enter": Qt.Key.Key_Return, "Space": Qt.Key.Key_Space}
# A question with three versions (this is the 2nd) and a reply with two (the 1st) that
# stopped part-way: every kind of action link is there.
MESSAGES = [message(1, "user", "Question"), message(2, "assistant", "Half an answer", "stopped")]
BRANCHES = {1: (2, 3), 2: (1, 2)}
TAB_ORDER = [
    "copy/1",
    "edit/1",
    "previous/1",
    "next/1",
    "continue/2",
    "copy/2",
    "regenerate/2",
    "previous/2",
    "next/2",
]


@pytest.fixture
def view(qtbot: QtBot) -> TranscriptView:
    widget = shown_view(qtbot, message_actions=True)
    widget.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    return widget


def focused_href(view: TranscriptView) -> str:
    """The link that has the keyboard focus (Tab selects it), without the scheme."""
    cursor = view.textCursor()
    if not cursor.hasSelection():
        return ""
    last = QTextCursor(view.document())
    last.setPosition(cursor.selectionEnd())  # its format is the selection's last character's
    return last.charFormat().anchorHref().removeprefix("hearth-action:")


def tab_to(qtbot: QtBot, view: TranscriptView, wanted: str) -> None:
    for _ in range(len(TAB_ORDER) + 1):
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        if focused_href(view) == wanted:
            return
    raise AssertionError(f"Tab never reached {wanted}")


def requests(view: TranscriptView) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    view.action_requested.connect(lambda verb, message_id: seen.append((verb, message_id)))
    return seen


def test_tab_walks_every_action_in_reading_order_and_shift_tab_walks_back(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    walked = []
    for _ in TAB_ORDER:
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        walked.append(focused_href(view))
    assert walked == TAB_ORDER
    assert view.textCursor().selectedText() == "›"
    qtbot.keyClick(view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_href(view) == "previous/2"
    assert view.textCursor().selectedText() == "‹"


@pytest.mark.parametrize("key", list(KEYS))
@pytest.mark.parametrize("action", TAB_ORDER)
def test_each_action_is_followed_with_enter_and_with_space(
    qtbot: QtBot, view: TranscriptView, action: str, key: str
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    seen = requests(view)
    tab_to(qtbot, view, action)
    assert seen == []  # reaching a link does not follow it
    qtbot.keyClick(view, KEYS[key])
    verb, message_id = action.split("/")
    assert seen == [(verb, int(message_id))]


def test_code_copy_links_are_reached_and_followed_too(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(1, "assistant", "```sh\necho hi\n```")])
    with qtbot.waitSignal(view.code_copied) as copied:
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        assert view.textCursor().selectedText() == "Copy"
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert copied.args == [0]


def test_space_without_a_focused_link_still_scrolls(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(20))
    bar = view.verticalScrollBar()
    bar.setValue(0)
    seen = requests(view)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert bar.value() > 0
    assert seen == []


def sibling(first: MessageView, message_id: int) -> MessageView:
    return message(message_id, first.role, f"Version {message_id}")


def test_focus_stays_on_the_navigator_while_stepping_through_branches(
    qtbot: QtBot, view: TranscriptView
) -> None:
    """The window shows the other branch after "›": the next Space steps again, no Tab."""
    versions = [2, 4, 6]
    seen = requests(view)

    def show(reply_id: int) -> None:
        branch = (versions.index(reply_id) + 1, len(versions))
        view.show_messages(
            with_branches([MESSAGES[0], sibling(MESSAGES[1], reply_id)], {reply_id: branch})
        )

    view.action_requested.connect(
        lambda verb, message_id: show(versions[versions.index(message_id) + 1])
    )
    show(2)
    tab_to(qtbot, view, "next/2")
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert focused_href(view) == "next/4"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert seen == [("next", 2), ("next", 4)]
    assert focused_href(view) == "next/6"
    assert "Version 6" in view.toPlainText()


def test_focus_does_not_follow_into_another_conversation(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    tab_to(qtbot, view, "next/1")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    other = [replace(m, conversation_id=2) for m in MESSAGES]
    view.show_messages(with_branches(other, BRANCHES))
    assert focused_href(view) == ""
