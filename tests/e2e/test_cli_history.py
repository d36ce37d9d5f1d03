"""`hearth history` end to end, on conversations made by `hearth chat`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli_helpers import conversation_ids, hearth


def make_conversations(model: Path) -> tuple[int, int]:
    hearth("chat", "Tell me about otters", "--model", str(model))
    hearth("chat", "Plan a trip to Lisbon", "--model", str(model))
    newer, older = conversation_ids()
    return older, newer


def test_list_is_newest_first_and_starts_with_the_id(scripted_model: Path) -> None:
    older, newer = make_conversations(scripted_model)
    lines = hearth("history", "list").stdout.splitlines()
    assert lines[0].startswith(f"{newer}\t")
    assert "Plan a trip to Lisbon" in lines[0]
    assert lines[1].startswith(f"{older}\t")


def test_show_prints_the_conversation(scripted_model: Path) -> None:
    older, _ = make_conversations(scripted_model)
    shown = hearth("history", "show", str(older)).stdout
    assert "Tell me about otters" in shown
    assert "Hello, world!" in shown
    assert "Lisbon" not in shown


def test_search_names_the_conversation_of_each_hit(scripted_model: Path) -> None:
    older, newer = make_conversations(scripted_model)
    hits = hearth("history", "search", "otters").stdout.splitlines()
    assert len(hits) == 1
    assert hits[0].startswith(f"{older}\t")
    assert "[otters]" in hits[0]
    both = hearth("history", "search", "Hello").stdout.splitlines()
    assert {int(h.split("\t")[0]) for h in both} == {older, newer}
    odd = hearth("history", "search", 'otters" OR -(')
    assert odd.returncode == 0


def test_export_markdown_and_json_then_import(scripted_model: Path, tmp_path: Path) -> None:
    older, _ = make_conversations(scripted_model)
    markdown = hearth("history", "export", str(older), "--format", "md").stdout
    assert markdown.startswith("# Tell me about otters")
    assert "Hello, world!" in markdown
    exported = hearth("history", "export", str(older), "--format", "json").stdout
    data = json.loads(exported)
    for message in data["messages"]:
        assert {"id", "parent_id", "role", "content", "status", "created_at"} <= set(message)
    file = tmp_path / "otters.json"
    file.write_text(exported, encoding="utf-8")
    new_id = int(hearth("history", "import", str(file)).stdout.strip())
    assert new_id not in (older,)
    assert new_id in conversation_ids()
    again = json.loads(hearth("history", "export", str(new_id), "--format", "json").stdout)
    assert [(m["role"], m["content"], m["status"]) for m in again["messages"]] == [
        (m["role"], m["content"], m["status"]) for m in data["messages"]
    ]


def test_import_of_a_bad_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = hearth("history", "import", str(bad), check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not a JSON file" in result.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"hello": 1}', encoding="utf-8")
    result = hearth("history", "import", str(wrong), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_delete_moves_to_trash_and_restore_brings_back(scripted_model: Path) -> None:
    older, newer = make_conversations(scripted_model)
    hearth("history", "delete", str(older))
    assert conversation_ids() == [newer]
    trash = hearth("history", "list", "--trash").stdout
    assert trash.startswith(f"{older}\t")
    assert hearth("history", "search", "otters").stdout == ""
    hearth("history", "restore", str(older))
    assert sorted(conversation_ids()) == sorted([older, newer])


def test_unknown_ids_are_one_line_errors() -> None:
    for args in (("show", "7"), ("export", "7"), ("delete", "7"), ("restore", "7")):
        result = hearth("history", *args, check=False)
        assert result.returncode == 1, args
        assert "There is no conversation 7" in result.stderr
        assert result.stderr.count("\n") == 1
