"""Every message action can be reached from the keyboard and used with Space or Enter.

Links in the text (Continue, a code block's Copy) are reached with Tab, which moves the
caret onto them. A message's other actions are buttons over it: they show for the message
holding the caret, and Tab goes on from the last link into them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.tasks.conversation_view import MessageView
from app.ui.message_actions import MessageActions
from app.ui.transcript_chrome import header_of
from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import conversation, message, shown_view, with_branches

KEYS = {"Enter": Qt.Key.Key_Return, "Space": Qt.Key.Key_Space}
# A question with three versions (this is the 2nd) and a reply with two (the 1st) that
# stopped part-way: every kind of action is there.
MESSAGES = [message(1, "user", "Question"), message(2, "assistant", "Half an answer", "stopped")]
BRANCHES = {1: (2, 3), 2: (1, 2)}


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


def bar_of(view: TranscriptView) -> MessageActions:
    bar = view.message_actions
    assert bar is not None
    return bar


def focused_verb(bar: MessageActions) -> str:
    """Which of the bar's buttons has the keyboard focus ("" if none)."""
    focused = QApplication.focusWidget()
    for verb in ("copy", "edit", "regenerate", "previous", "next"):
        if bar.button(verb) is focused:
            return verb
    return ""


def put_caret_in(view: TranscriptView, message_id: int) -> None:
    """Move the caret into a message's text, as the arrow keys or a click would."""
    header = header_of(view.document(), message_id)
    assert header is not None
    cursor = QTextCursor(header.next())
    view.setTextCursor(cursor)


def requests(view: TranscriptView) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    view.action_requested.connect(lambda verb, message_id: seen.append((verb, message_id)))
    return seen


def test_with_focus_the_newest_messages_buttons_show_and_tab_walks_into_them(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    bar = bar_of(view)
    assert bar.isVisible()
    assert bar.message_id == 2  # the caret is above every message: the newest one's
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert focused_href(view) == "continue/2"  # the link in the text comes first
    walked = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(focused_verb(bar))
    # The reply is version 1 of 2: "previous" is disabled, so Tab skips it.
    assert walked == ["next", "copy", "regenerate"]
    assert bar.isVisible()  # focus in the bar keeps it
    assert bar.version_label.text() == "1/2"


def test_the_caret_chooses_the_message_whose_buttons_show(view: TranscriptView) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    put_caret_in(view, 1)
    bar = bar_of(view)
    assert bar.message_id == 1
    assert bar.edit_button.isVisibleTo(bar)
    assert not bar.regenerate_button.isVisibleTo(bar)
    assert bar.version_label.text() == "2/3"
    assert bar.previous_button.isEnabled()
    assert bar.next_button.isEnabled()


@pytest.mark.parametrize("verb", ["copy", "edit", "previous", "next"])
def test_each_button_is_pressed_with_space(qtbot: QtBot, view: TranscriptView, verb: str) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    put_caret_in(view, 1)
    seen = requests(view)
    button = bar_of(view).button(verb)
    assert button is not None
    button.setFocus(Qt.FocusReason.TabFocusReason)
    assert seen == []  # reaching a button does not press it
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert seen == [(verb, 1)]


@pytest.mark.parametrize("key", list(KEYS))
def test_continue_is_a_link_followed_with_enter_and_with_space(
    qtbot: QtBot, view: TranscriptView, key: str
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    seen = requests(view)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert focused_href(view) == "continue/2"
    qtbot.keyClick(view, KEYS[key])
    assert seen == [("continue", 2)]


def test_code_copy_links_are_reached_and_followed_too(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(1, "assistant", "```sh\necho hi\n```")])
    with qtbot.waitSignal(view.code_copied) as copied:
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        assert view.textCursor().selectedText() == "Copy"
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert copied.args == [0]


def test_the_buttons_go_when_focus_leaves_the_transcript(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    bar = bar_of(view)
    assert bar.isVisible()
    view.clearFocus()
    qtbot.waitUntil(lambda: not bar.isVisible())


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
    bar = bar_of(view)
    assert bar.message_id == 2
    bar.next_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(bar.next_button, Qt.Key.Key_Space)
    assert (bar.message_id, focused_verb(bar)) == (4, "next")
    qtbot.keyClick(bar.next_button, Qt.Key.Key_Space)
    assert seen == [("next", 2), ("next", 4)]
    assert bar.message_id == 6
    assert bar.version_label.text() == "3/3"
    # The last version: "›" is disabled, so focus went to the first button that is not.
    assert focused_verb(bar) == "copy"
    assert "Version 6" in view.toPlainText()


def test_focus_does_not_follow_into_another_conversation(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(with_branches(MESSAGES, BRANCHES))
    put_caret_in(view, 1)
    bar = bar_of(view)
    bar.next_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(bar.next_button, Qt.Key.Key_Space)
    other = [replace(m, conversation_id=2) for m in MESSAGES]
    view.show_messages(with_branches(other, BRANCHES))
    assert focused_verb(bar) == ""
    assert view.hasFocus()  # the keyboard stays in the transcript
