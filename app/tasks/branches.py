"""Branches of a conversation: where a message stands among its siblings, and switching.

Edits and regenerations never overwrite: they add a sibling (same parent). The window shows
"< 2/3 >" under a message that has siblings; switching makes the newest path under the
chosen sibling the conversation's active path.
"""

from __future__ import annotations

from app.store import History, Message


def siblings(history: History, message: Message) -> list[Message]:
    """The message and its siblings, oldest first."""
    if message.parent_id is None:
        return history.roots(message.conversation_id)
    return history.children(message.parent_id)


def branch_positions(history: History, path: list[Message]) -> dict[int, tuple[int, int]]:
    """For each message on `path` that has siblings: (its 1-based position, how many).
    One query for the whole conversation, however long the path."""
    if not path:
        return {}
    groups = history.sibling_groups(path[0].conversation_id)
    positions: dict[int, tuple[int, int]] = {}
    for message in path:
        family = groups.get(message.parent_id, [])
        if len(family) > 1:
            positions[message.id] = (family.index(message.id) + 1, len(family))
    return positions


def switch_branch(history: History, message_id: int, step: int) -> int:
    """Show the sibling `step` places away (wrapping); returns the new active leaf."""
    message = history.get_message(message_id)
    family = siblings(history, message)
    ids = [m.id for m in family]
    target = ids[(ids.index(message_id) + step) % len(ids)]
    leaf = history.latest_leaf(target)
    history.set_active_leaf(message.conversation_id, leaf)
    return leaf
