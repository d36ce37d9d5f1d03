"""Conversation kinds: chats, summaries and e-mail drafts, from a new or an older history."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from app.store import MIGRATIONS, ConversationKind, History, export_json, import_json


def test_a_conversation_is_a_chat_unless_made_as_another_kind(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        chat = history.create_conversation(title="Chat")
        draft = history.create_conversation(title="Draft", kind=ConversationKind.EMAIL)
        assert history.get_conversation(chat).kind is ConversationKind.CHAT
        assert history.get_conversation(draft).kind is ConversationKind.EMAIL
        assert [c.kind for c in history.list_conversations()] == [
            ConversationKind.EMAIL,
            ConversationKind.CHAT,
        ]


def test_the_kind_travels_through_export_and_import(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        draft = history.create_conversation(title="Draft", kind=ConversationKind.EMAIL)
        history.add_message(draft, "user", "A note to Ana")
        data = export_json(history, draft)
        assert data["kind"] == "email"
        copy = import_json(history, data)
        assert history.get_conversation(copy).kind is ConversationKind.EMAIL
        del data["kind"]  # files from before kinds are chats
        assert history.get_conversation(import_json(history, data)).kind is ConversationKind.CHAT


def test_an_older_history_marks_its_summaries(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite_utils.Database(path) as old:
        MIGRATIONS.apply(old, stop_before="m006_conversation_kinds")
        stamp = "2025-01-01T00:00:00.000Z"
        for cid in (1, 2):
            old.table("conversations").insert(
                {"id": cid, "title": f"Old {cid}", "created_at": stamp, "updated_at": stamp}
            )
        old.table("documents").insert(
            {
                "conversation_id": 2,
                "path": "/old/report.txt",
                "name": "report.txt",
                "kind": "text",
                "size_bytes": 10,
                "sha256": "bb" * 32,
                "chunk_budget": 500,
                "job_key": "brief",
                "added_at": stamp,
                "updated_at": stamp,
                "status": "done",
            }
        )
    with History.open(path) as history:
        kinds = {c.id: c.kind for c in history.list_conversations()}
    assert kinds == {1: ConversationKind.CHAT, 2: ConversationKind.SUMMARY}
