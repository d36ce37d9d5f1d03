"""Export and import of conversations.

Markdown is for reading and sharing: the branch the user sees (and the names of attached
documents), nothing else. JSON is for moving a conversation between machines or Hearth
versions: every branch, every status and timestamp, and since format version 2 the attached
documents with their chunks and summary parts (document_exchange.py), so an import is the
same conversation (with new ids) and follow-up questions about its documents still work.
"""

from __future__ import annotations

from typing import Any

from app.store.document_exchange import documents_json, insert_documents
from app.store.documents import DocumentStore
from app.store.failures import sqlite_failures
from app.store.history import History
from app.store.import_validation import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ImportedConversation,
    ImportedMessage,
    parse_conversation,
)
from app.store.models import Message, MessageStatus, Role
from app.store.rows import encode_json, insert_row, update_row

_SPEAKERS = {Role.USER: "You", Role.ASSISTANT: "Assistant", Role.SYSTEM: "System"}
_STATUS_NOTES = {
    MessageStatus.STREAMING: "_(reply still being written)_",
    MessageStatus.STOPPED: "_(reply stopped)_",
    MessageStatus.FAILED: "_(reply failed)_",
    MessageStatus.INTERRUPTED: "_(reply interrupted)_",
}


def export_markdown(history: History, cid: int) -> str:
    """The conversation as Markdown: its title, then the active path, one section each."""
    conversation = history.get_conversation(cid)
    path = history.active_path(cid)
    parts = [f"# {conversation.title or 'Untitled conversation'}"]
    names = [document.name for document in DocumentStore(history).for_conversation(cid)]
    if names:
        label = "document" if len(names) == 1 else "documents"
        parts.append(f"_Attached {label}: {', '.join(names)}_")
    parts.extend(_markdown_section(message) for message in path)
    others = history.branch_count(cid) - (1 if path else 0)
    if others > 0:
        branches = "branch" if others == 1 else "branches"
        parts.append(f"---\n\n_This conversation has {others} other {branches}, not shown._")
    return "\n\n".join(parts) + "\n"


def _markdown_section(message: Message) -> str:
    section = f"**{_SPEAKERS[message.role]}**\n\n{message.content}".rstrip()
    note = _STATUS_NOTES.get(message.status) if message.role is Role.ASSISTANT else None
    if note and message.status is MessageStatus.FAILED and message.error:
        note = f"_(reply failed: {message.error})_"
    return f"{section}\n\n{note}" if note else section


def export_json(history: History, cid: int) -> dict[str, Any]:
    """The whole conversation, every branch, as JSON data (see import_json)."""
    conversation = history.get_conversation(cid)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "id": conversation.id,
        "title": conversation.title,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "sampling": conversation.sampling,
        "pinned": conversation.pinned,
        "kind": conversation.kind.value,
        "active_leaf_id": conversation.active_leaf_id,
        "messages": [_message_json(m) for m in history.all_messages(cid)],
        "documents": documents_json(history, cid),
    }


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "parent_id": message.parent_id,
        "role": message.role.value,
        "content": message.content,
        "status": message.status.value,
        "created_at": message.created_at,
        "updated_at": message.updated_at,
        "model": message.model,
        "stats": message.stats,
        "error": message.error,
    }


def import_json(history: History, data: dict[str, Any]) -> int:
    """Add the conversation in `data` as a new one and return its id.

    Nothing is written unless the whole file is valid (InvalidInputError says what is
    not) and the whole tree, with the documents, goes in in one transaction. A reply that
    was still streaming (or a summary still summarizing) when exported can never finish,
    so it arrives as interrupted.
    """
    imported = parse_conversation(data)
    now = history.now()
    with sqlite_failures(), history.db.atomic():
        cid = insert_row(history.db, "conversations", _conversation_row(imported, now))
        new_ids: dict[int, int] = {}
        for message in imported.messages:
            parent = None if message.parent_id is None else new_ids[message.parent_id]
            row = _message_row(message, cid, parent, now)
            new_ids[message.id] = insert_row(history.db, "messages", row)
        leaf = imported.active_leaf_id
        leaf_id = None if leaf is None else new_ids[leaf]
        update_row(history.db, "conversations", cid, {"active_leaf_id": leaf_id})
        insert_documents(history.db, cid, imported.documents, now)
    return cid


def _conversation_row(imported: ImportedConversation, now: str) -> dict[str, Any]:
    return {
        "title": imported.title,
        "created_at": imported.created_at or now,
        "updated_at": imported.updated_at or now,
        "model": imported.model,
        "system_prompt": imported.system_prompt,
        "sampling": encode_json(imported.sampling, "sampling settings"),
        "pinned": int(imported.pinned),
        "kind": imported.kind.value,
    }


def _message_row(
    message: ImportedMessage, cid: int, parent: int | None, now: str
) -> dict[str, Any]:
    status = message.status
    if status is MessageStatus.STREAMING:
        status = MessageStatus.INTERRUPTED
    return {
        "conversation_id": cid,
        "parent_id": parent,
        "role": message.role.value,
        "content": message.content,
        "status": status.value,
        "created_at": message.created_at or now,
        "updated_at": message.updated_at or now,
        "model": message.model,
        "stats": encode_json(message.stats, "stats"),
        "error": message.error,
    }
