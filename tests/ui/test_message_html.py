"""Transcript entries as HTML: speaker, quiet facts, literal user text, status notes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.store import MessageStatus, Role
from app.tasks.conversation_view import BranchPosition, MessageView
from app.ui.message_html import message_facts, parse_action, render_message, render_stored


def test_user_text_is_shown_literally() -> None:
    html = render_message("user", "**not bold**\n<b>tag</b>  two spaces").html
    assert '<span class="you">You</span>' in html
    assert '<p class="yours"' in html  # on the tinted band of the user's own words
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
    assert '<a name="message-42"><span class="assistant">Assistant</span></a>' in html
    if expected is None:
        assert "<i>" not in html
    else:
        assert f"<i>{expected}</i>" in html


def test_a_reply_that_stopped_before_any_text_has_nothing_to_continue() -> None:
    html = render_message("assistant", "", "stopped", message_id=42).html
    assert "<i>stopped</i>" in html
    assert "continue" not in html


NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def saved(message_id: int | None, role: str, status: str = "complete") -> MessageView:
    return MessageView(
        message_id,
        1,
        Role(role),
        "text",
        MessageStatus(status),
        created_at="2026-12-05T11:02:00.000Z",
        model="qwen2.5-1.5b",
        tokens_per_s=23.456,
    )


def test_a_replys_facts_are_its_model_speed_time_and_version() -> None:
    reply = replace(saved(6, "assistant"), branch=BranchPosition(2, 3))
    assert message_facts(reply, NOON) == "qwen2.5-1.5b · 23.5 tokens/s · 11:02 · 2 of 3"
    html = render_stored(reply, 0, now=NOON).html
    assert '<span class="meta">  ·  qwen2.5-1.5b · 23.5 tokens/s · 11:02 · 2 of 3</span>' in html


def test_the_users_facts_are_the_time_only() -> None:
    assert message_facts(saved(5, "user"), NOON) == "11:02"


@pytest.mark.parametrize(
    ("message_id", "status"),
    [(None, "complete"), (3, "streaming")],  # not saved yet; still arriving
)
def test_a_message_being_written_or_saved_has_no_facts_and_no_name(
    message_id: int | None, status: str
) -> None:
    message = saved(message_id, "assistant", status)
    assert message_facts(message, NOON) == ""
    html = render_stored(message, 0, now=NOON).html
    assert 'class="meta"' not in html
    assert f'<a name="message-{message_id or 0}">' in html  # 0: no actions until saved


def test_no_action_links_are_drawn_into_the_text() -> None:
    """Copy, Edit, Regenerate and ‹ › are buttons over the message (MessageActions)."""
    html = render_stored(replace(saved(6, "user"), branch=BranchPosition(2, 3)), 0).html
    assert "hearth-action" not in html


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
