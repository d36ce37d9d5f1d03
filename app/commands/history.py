"""`hearth history ...`: list, show, search, export, import, delete and restore."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import InvalidInputError
from app.runtime import Runtime
from app.store import History, export_json, export_markdown, import_json


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("history", help="browse, search, export and import conversations")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one line per conversation, newest first")
    listing.add_argument("--trash", action="store_true", help="list the trash instead")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="print a conversation")
    show.add_argument("id", type=int)
    show.set_defaults(run=run_show)
    search = actions.add_parser("search", help="full-text search over all messages")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=50)
    search.set_defaults(run=run_search)
    export = actions.add_parser("export", help="write a conversation to stdout")
    export.add_argument("id", type=int)
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.set_defaults(run=run_export)
    importing = actions.add_parser("import", help="import a conversation exported as JSON")
    importing.add_argument("file", type=Path)
    importing.set_defaults(run=run_import)
    delete = actions.add_parser("delete", help="move a conversation to the trash")
    delete.add_argument("id", type=int)
    delete.set_defaults(run=run_delete)
    restore = actions.add_parser("restore", help="bring a conversation back from the trash")
    restore.add_argument("id", type=int)
    restore.set_defaults(run=run_restore)


def _history() -> History:
    return Runtime.start().open_history()


def run_list(args: argparse.Namespace) -> int:
    with _history() as history:
        for c in history.list_conversations(trash=args.trash):
            pin = "[pinned] " if c.pinned else ""
            print(f"{c.id}\t{c.updated_at}\t{pin}{c.title or '(untitled)'}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with _history() as history:
        conversation = history.get_conversation(args.id)
        print(f"# {conversation.title or '(untitled)'}  [conversation {conversation.id}]")
        if conversation.system_prompt:
            print(f"\nSystem: {conversation.system_prompt}")
        for message in history.active_path(args.id):
            speaker = {"user": "You", "assistant": "Assistant"}.get(message.role, "System")
            note = "" if message.status == "complete" else f"  ({message.status})"
            print(f"\n{speaker}:{note}\n{message.content}")
            if message.error:
                print(f"[error: {message.error}]")
    return 0


def run_search(args: argparse.Namespace) -> int:
    with _history() as history:
        hits = history.search(args.query, limit=args.limit)
        for hit in hits:
            print(f"{hit.conversation_id}\t{hit.conversation_title}\t{hit.role}: {hit.snippet}")
    if not hits:
        print(f"No messages match {args.query!r}.", file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    with _history() as history:
        if args.format == "json":
            json.dump(export_json(history, args.id), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(export_markdown(history, args.id))
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {args.file} ({exc.strerror}).") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"{args.file} is not a JSON file ({exc}). Import takes a file made by "
            "'hearth history export ID --format json'."
        ) from exc
    with _history() as history:
        print(import_json(history, data))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with _history() as history:
        history.delete(args.id)
    print(
        f"Moved conversation {args.id} to the trash. Undo with: hearth history restore {args.id}",
        file=sys.stderr,
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    with _history() as history:
        history.restore(args.id)
    print(f"Restored conversation {args.id}.", file=sys.stderr)
    return 0
