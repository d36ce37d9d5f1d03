"""Transcript entries as HTML: speaker, literal user text, status notes and action links."""

from __future__ import annotations

import pytest

from app.store import MessageStatus, Role
from app.tasks.conversation_view import MessageView
from app.ui.message_html import parse_action, render_message, render_stored


def test_user_text_is_shown_literally() -> None:
    html = render_message("user", "**not bold**\n<b>tag</b>  two spaces").html
    assert "<b>You</b>" in html
    assert "**not bold**\n&lt;b&gt;tag&lt;/b&gt;  two spaces" in html
    assert "white-space:pre-wrap" in html
    assert "<strong>" not in html


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        ("complete", None, None),
        ("stopped", None, 'stopped — <a href="hearth-action:continue/42">Continue</a>'),
        ("interrupted", None, 'interrupted — <a href="hearth-action:continue/42">Continue</a>'),
        (
            "failed",
            "engine <crashed>",
            'failed: engine &lt;crashed&gt; — <a href="hearth-action:continue/42">Continue</a>',
        ),
        ("streaming", None, "writing…"),
    ],
)
def test_status_notes(status: str, error: str | None, expected: str | None) -> None:
    html = render_message("assistant", "text", status, error=error, message_id=42).html
    assert "<b>Assistant</b>" in html
    if expected is None:
        assert "<i>" not in html
    else:
        assert f"<i>{expected}</i>" in html


def test_a_reply_that_stopped_before_any_text_has_nothing_to_continue() -> None:
    html = render_message("assistant", "", "stopped", message_id=42).html
    assert "<i>stopped</i>" in html
    assert "continue" not in html


def test_actions_follow_the_role_and_the_navigator_shows_the_branch() -> None:
    mine = render_message("user", "hi", message_id=5, with_actions=True, branch=(2, 3)).html
    assert '<a href="hearth-action:copy/5">Copy</a>' in mine
    assert '<a href="hearth-action:edit/5">Edit</a>' in mine
    assert "regenerate" not in mine
    assert (
        '<a href="hearth-action:previous/5">‹</a> 2/3 <a href="hearth-action:next/5">›</a>' in mine
    )
    reply = render_message("assistant", "hello", message_id=6, with_actions=True).html
    assert '<a href="hearth-action:regenerate/6">Regenerate</a>' in reply
    assert "edit/" not in reply
    assert "previous/" not in reply  # no siblings: no navigator
    assert "hearth-action" not in render_message("assistant", "hello", message_id=6).html


def stored(message_id: int | None, status: str) -> MessageView:
    return MessageView(message_id, 1, Role.ASSISTANT, "text", MessageStatus(status))


@pytest.mark.parametrize(
    ("message_id", "status", "with_actions", "has_actions"),
    [
        (3, "complete", True, True),
        (3, "stopped", True, True),
        (3, "streaming", True, False),  # still arriving
        (None, "complete", True, False),  # not saved yet
        (3, "complete", False, False),  # the view offers no actions
    ],
)
def test_only_saved_messages_get_actions(
    message_id: int, status: str, with_actions: bool, has_actions: bool
) -> None:
    html = render_stored(stored(message_id, status), 0, with_actions=with_actions).html
    assert ("hearth-action:copy/" in html) is has_actions


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("copy/12", ("copy", 12)),
        ("edit/1", ("edit", 1)),
        ("regenerate/7", ("regenerate", 7)),
        ("continue/7", ("continue", 7)),
        ("previous/3", ("previous", 3)),
        ("next/3", ("next", 3)),
        ("delete/3", None),
        ("copy/-3", None),
        ("copy/", None),
        ("copy", None),
    ],
)
def test_action_links_parse_back_to_verb_and_id(
    path: str, expected: tuple[str, int] | None
) -> None:
    assert parse_action(path) == expected
