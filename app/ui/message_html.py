"""One transcript entry as HTML: speaker line with quiet facts, body, status note; no Qt needed.

The assistant's text is Markdown from the model (rendered safely by `markdown_html`); what
anyone else wrote is shown literally, on a tinted band so the user's own words stand out at
a glance. The speaker line carries the message's id as an anchor name (`message-<id>`): the
view finds the message under the pointer or the caret by it and shows that message's action
buttons (`message_actions`) over it. Facts follow the name in a quiet line: the model, its
speed and the time, and "2 of 3" when the message has siblings. Continue, under a reply that
stopped part-way, stays a link (`hearth-action:continue/<id>`) in the status note: it is the
one action a reader must not miss. Colours come from class names (`transcript_css`).
"""

from __future__ import annotations

from datetime import datetime

from markdown_it.common.utils import escapeHtml

from app.date_groups import local_now, message_time
from app.tasks.conversation_view import MessageView
from app.ui.markdown_html import RenderedMessage, render_markdown

ACTION_SCHEME = "hearth-action"  # hearth-action:<verb>/<message id>
MESSAGE_ACTIONS = frozenset({"copy", "edit", "regenerate", "previous", "next", "continue"})
MESSAGE_ANCHOR = "message-"  # the speaker line's anchor name: message-<id>
SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "System"}
SPEAKER_CLASSES = {"user": "you", "assistant": "assistant"}
# The speaker line's margins; the view re-applies them to the first block it inserts.
HEADER_TOP_MARGIN = 18
HEADER_BOTTOM_MARGIN = 4
CONTINUABLE = frozenset({"stopped", "interrupted", "failed"})


def render_message(
    role: str,
    content: str,
    status: str = "complete",
    *,
    error: str | None = None,
    message_id: int = 0,
    first_code_index: int = 0,
    facts: str = "",
) -> RenderedMessage:
    """One transcript entry: the speaker line (with `facts` in quiet type), the body, and a
    note unless it is complete.

    The assistant's text is Markdown; anyone else's is shown literally (escaped, with its
    line breaks and spaces kept), the user's on a tinted band.
    """
    header = speaker_line(role, message_id, facts)
    if role == "assistant":
        body = render_markdown(content, first_code_index)
    else:
        band = ' class="yours"' if role == "user" else ""
        body = RenderedMessage(
            f'<p{band} style="white-space:pre-wrap">{escapeHtml(content)}</p>\n', ()
        )
    note = status_note(status, error, message_id, continuable=role == "assistant" and bool(content))
    return RenderedMessage(header + body.html + note, body.code_blocks)


def render_stored(
    message: MessageView, first_code_index: int, *, now: datetime | None = None
) -> RenderedMessage:
    """A message as a transcript entry, with its facts as seen at `now` (default: now)."""
    return render_message(
        message.role,
        message.content,
        message.status,
        error=message.error,
        message_id=message.id or 0,
        first_code_index=first_code_index,
        facts=message_facts(message, now or local_now()),
    )


def message_facts(message: MessageView, now: datetime) -> str:
    """The quiet facts after the speaker: model and speed for a reply, the time, and which
    version this is when the message has siblings ("2 of 3"); "" while it is being written."""
    if message.id is None or message.status == "streaming":
        return ""
    facts = []
    if message.role == "assistant":
        if message.model:
            facts.append(message.model)
        if message.tokens_per_s:
            facts.append(f"{message.tokens_per_s:.1f} tokens/s")
    if message.created_at:
        facts.append(message_time(message.created_at, now))
    if message.branch is not None:
        facts.append(f"{message.branch.position} of {message.branch.count}")
    return " · ".join(facts)


def action_link(verb: str, message_id: int, label: str) -> str:
    return f'<a href="{ACTION_SCHEME}:{verb}/{message_id}">{label}</a>'


def speaker_line(role: str, message_id: int = 0, facts: str = "") -> str:
    """The first block of every message: who wrote it, named `message-<id>` (`message-0`
    until it is saved), so the view can tell where each message starts."""
    speaker = escapeHtml(SPEAKERS.get(role, role.capitalize()))
    name_class = SPEAKER_CLASSES.get(role)
    if name_class:
        speaker = f'<span class="{name_class}">{speaker}</span>'
    speaker = f'<a name="{MESSAGE_ANCHOR}{message_id}">{speaker}</a>'  # 0: not saved yet
    quiet = f'<span class="meta">  ·  {escapeHtml(facts)}</span>' if facts else ""
    return (
        f'<p style="margin-top:{HEADER_TOP_MARGIN}px; margin-bottom:{HEADER_BOTTOM_MARGIN}px">'
        f"{speaker}{quiet}</p>\n"
    )


def status_note(status: str, error: str | None, message_id: int, continuable: bool = False) -> str:
    """The muted line under an unfinished message ("" when it is complete); a reply that
    stopped part-way gets a Continue link (`continuable`)."""
    if status == "complete":
        return ""
    if status == "failed":
        text = "failed" + (f": {escapeHtml(error)}" if error else "")
    elif status == "streaming":
        text = "writing…"
    else:
        text = escapeHtml(status)
    if continuable and status in CONTINUABLE:
        text += " — " + action_link("continue", message_id, "Continue")
    return f'<p class="muted"><i>{text}</i></p>\n'


def parse_action(path: str) -> tuple[str, int] | None:
    """(verb, message id) from an action link's path ("regenerate/12"); None if it is not one."""
    verb, _, message_id = path.partition("/")
    if verb in MESSAGE_ACTIONS and message_id.isdigit():
        return verb, int(message_id)
    return None
