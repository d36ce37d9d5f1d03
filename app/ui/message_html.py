"""One transcript entry as HTML: speaker line, body, status note, action links; no Qt needed.

The assistant's text is Markdown from the model (rendered safely by `markdown_html`); what
anyone else wrote is shown literally. A saved message can carry action links
(`hearth-action:<verb>/<message id>`): Copy, Edit (yours) or Regenerate (a reply), the branch
navigator "‹ 2/3 ›" when it has siblings, and Continue under a reply that stopped part-way.
The view turns a followed link back into (verb, id) with `parse_action`.
"""

from __future__ import annotations

from markdown_it.common.utils import escapeHtml

from app.tasks.conversation_view import MessageView
from app.ui.markdown_html import MUTED, RenderedMessage, render_markdown

ACTION_SCHEME = "hearth-action"  # hearth-action:<verb>/<message id>
MESSAGE_ACTIONS = frozenset({"copy", "edit", "regenerate", "previous", "next", "continue"})
SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "System"}
# The speaker line's margins; the view re-applies them to the first block it inserts.
HEADER_TOP_MARGIN = 14
HEADER_BOTTOM_MARGIN = 2
CONTINUABLE = frozenset({"stopped", "interrupted", "failed"})


def render_message(
    role: str,
    content: str,
    status: str = "complete",
    *,
    error: str | None = None,
    message_id: int = 0,
    first_code_index: int = 0,
    with_actions: bool = False,
    branch: tuple[int, int] | None = None,
) -> RenderedMessage:
    """One transcript entry: the speaker line, the body and a note unless it is complete;
    with `with_actions`, the message's action links (and branch navigator) last.

    The assistant's text is Markdown; anyone else's is shown literally (escaped, with its
    line breaks and spaces kept).
    """
    header = speaker_line(role)
    if role == "assistant":
        body = render_markdown(content, first_code_index)
    else:
        body = RenderedMessage(f'<p style="white-space:pre-wrap">{escapeHtml(content)}</p>\n', ())
    note = status_note(status, error, message_id, continuable=role == "assistant" and bool(content))
    actions = actions_line(role, message_id, branch) if with_actions else ""
    return RenderedMessage(header + body.html + note + actions, body.code_blocks)


def render_stored(
    message: MessageView, first_code_index: int, *, with_actions: bool
) -> RenderedMessage:
    """A message as a transcript entry; actions only for a saved message (not one still
    arriving or being saved), and only when the view offers them (`with_actions`)."""
    saved = with_actions and message.id is not None and message.status != "streaming"
    branch = message.branch
    return render_message(
        message.role,
        message.content,
        message.status,
        error=message.error,
        message_id=message.id or 0,
        first_code_index=first_code_index,
        with_actions=saved,
        branch=None if branch is None else (branch.position, branch.count),
    )


def action_link(verb: str, message_id: int, label: str) -> str:
    return f'<a href="{ACTION_SCHEME}:{verb}/{message_id}">{label}</a>'


def actions_line(role: str, message_id: int, branch: tuple[int, int] | None) -> str:
    """Copy, Edit (yours) or Regenerate (a reply), and "‹ 2/3 ›" when there are branches."""
    links = [action_link("copy", message_id, "Copy")]
    if role == "user":
        links.append(action_link("edit", message_id, "Edit"))
    elif role == "assistant":
        links.append(action_link("regenerate", message_id, "Regenerate"))
    if branch is not None:
        links.append(branch_navigator(message_id, *branch))
    return f'<p style="color:#777777">{" · ".join(links)}</p>\n'


def branch_navigator(message_id: int, position: int, count: int) -> str:
    """ "‹ 2/3 ›": links to the previous and next sibling of a message with branches."""
    previous = action_link("previous", message_id, "‹")
    return f"{previous} {position}/{count} {action_link('next', message_id, '›')}"


def speaker_line(role: str) -> str:
    """The first block of every message: who wrote it."""
    speaker = SPEAKERS.get(role, role.capitalize())
    return (
        f'<p style="margin-top:{HEADER_TOP_MARGIN}px; margin-bottom:{HEADER_BOTTOM_MARGIN}px">'
        f"<b>{escapeHtml(speaker)}</b></p>\n"
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
    return f'<p style="color:{MUTED}"><i>{text}</i></p>\n'


def parse_action(path: str) -> tuple[str, int] | None:
    """(verb, message id) from an action link's path ("regenerate/12"); None if it is not one."""
    verb, _, message_id = path.partition("/")
    if verb in MESSAGE_ACTIONS and message_id.isdigit():
        return verb, int(message_id)
    return None
