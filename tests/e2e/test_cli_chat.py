"""`hearth chat` end to end: the real command, a generated model, a real history file."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from app import __version__
from tests.e2e.cli_helpers import conversation_ids, hearth

STATS_LINE = re.compile(
    r"^stats: prompt_tokens=\d+ cached_tokens=\d+ completion_tokens=\d+ "
    r"ttft_ms=\d+\.\d+ tokens_per_s=\d+\.\d+$"
)


def test_version() -> None:
    assert hearth("--version").stdout.strip() == f"hearth {__version__}"


def test_one_turn_streams_the_reply_and_records_it(scripted_model: Path) -> None:
    result = hearth(
        "chat",
        "Hello?",
        "--model",
        str(scripted_model),
        "--temperature",
        "0",
        "--stats",
        "--ctx",
        "512",
    )
    assert result.stdout == "Hello, world!\n"
    stats = [line for line in result.stderr.splitlines() if line.startswith("stats:")]
    assert len(stats) == 1
    assert STATS_LINE.match(stats[0]), stats[0]
    assert "completion_tokens=4 " in stats[0]
    (cid,) = conversation_ids()
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    assert [(m["role"], m["content"], m["status"]) for m in exported["messages"]] == [
        ("user", "Hello?", "complete"),
        ("assistant", "Hello, world!", "complete"),
    ]


def test_continuing_a_conversation_sends_its_history(scripted_model: Path) -> None:
    hearth("chat", "First", "--model", str(scripted_model), "--seed", "1")
    (cid,) = conversation_ids()
    result = hearth(
        "chat", "Second", "--conversation", str(cid), "--stats", "--system", "Answer in one line."
    )
    assert result.stdout == "Hello, world!\n"
    prompt_tokens = int(re.search(r"prompt_tokens=(\d+)", result.stderr).group(1))  # type: ignore[union-attr]
    first_only = hearth(
        "chat",
        "Second",
        "--model",
        str(scripted_model),
        "--stats",
        "--system",
        "Answer in one line.",
    )
    alone = int(re.search(r"prompt_tokens=(\d+)", first_only.stderr).group(1))  # type: ignore[union-attr]
    assert prompt_tokens > alone  # the first exchange was part of the prompt
    messages = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    chain = messages["messages"]
    assert [m["content"] for m in chain] == ["First", "Hello, world!", "Second", "Hello, world!"]
    assert [m["parent_id"] for m in chain] == [None] + [m["id"] for m in chain[:-1]]
    assert messages["system_prompt"] == "Answer in one line."


def test_interactive_chat_reads_one_turn_per_line_from_a_pipe(scripted_model: Path) -> None:
    result = hearth("chat", "--model", str(scripted_model), "--stats", stdin="one\n\ntwo\nthree\n")
    assert result.stdout == "Hello, world!\n" * 3
    assert len([x for x in result.stderr.splitlines() if x.startswith("stats:")]) == 3
    (cid,) = conversation_ids()
    shown = hearth("history", "show", str(cid)).stdout
    assert shown.count("Hello, world!") == 3
    assert "two" in shown


def test_a_missing_model_is_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    result = hearth("chat", "hi", "--model", str(tmp_path / "missing.gguf"), check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "There is no model file" in result.stderr
    assert "Traceback" not in result.stderr
    assert conversation_ids() == []  # no empty conversation left behind


def test_a_bad_model_file_is_named_in_one_line(bad_model_files: dict[str, Path]) -> None:
    bad = bad_model_files["truncated"]
    result = hearth("chat", "hi", "--model", str(bad), check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert str(bad) in result.stderr
    assert "not a usable GGUF model" in result.stderr
    assert conversation_ids() == []


def test_sampling_flags_are_kept_with_the_conversation(scripted_model: Path) -> None:
    hearth(
        "chat", "hi", "--model", str(scripted_model), "--temperature", "0.1", "--max-tokens", "3"
    )
    (cid,) = conversation_ids()
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    assert exported["sampling"] == {"temperature": 0.1, "max_tokens": 3}
    assert exported["model"] == str(scripted_model.resolve())
    # The follow-up (no flags) uses the saved max_tokens: the reply is cut at 3 tokens.
    follow_up = hearth("chat", "again", "--conversation", str(cid), "--stats")
    assert "completion_tokens=3 " in follow_up.stderr
    assert follow_up.stdout == "Hello, world\n"


def test_unknown_conversation_is_an_error(scripted_model: Path) -> None:
    result = hearth(
        "chat", "hi", "--model", str(scripted_model), "--conversation", "99", check=False
    )
    assert result.returncode == 1
    assert "There is no conversation 99" in result.stderr


def test_a_model_without_template_warns_by_name(scripted_model_no_template: Path) -> None:
    result = hearth("chat", "hi", "--model", str(scripted_model_no_template))
    assert result.stdout == "Hello, world!\n"
    assert "No Template Tiny" in result.stderr
    assert "warning" in result.stderr


def test_a_conversation_continued_in_a_new_process_resumes_from_its_saved_state(
    scripted_model: Path,
) -> None:
    """The first `hearth chat` keeps the conversation's state on disk at exit; the second,
    a fresh process with a fresh engine, restores it instead of re-reading the history."""
    question = "Tell me about the weather in the mountains this week, please."
    hearth("chat", question, "--model", str(scripted_model), "--seed", "1")
    (cid,) = conversation_ids()

    result = hearth("chat", "And next week?", "--conversation", str(cid), "--stats")

    assert result.stdout == "Hello, world!\n"
    cached = int(re.search(r"cached_tokens=(\d+)", result.stderr).group(1))  # type: ignore[union-attr]
    assert cached > len(question)  # the scripted model reads one character per token


def test_interactive_turns_never_re_read_what_the_engine_already_holds(
    scripted_model: Path,
) -> None:
    """Each turn's prompt starts with the previous prompt, already evaluated: only the reply
    as the template writes it (its token split may differ from the generated one) and the new
    message are read."""
    lines = "".join(f"Question number {n}, asked with some words around it.\n" for n in range(4))
    result = hearth("chat", "--model", str(scripted_model), "--stats", stdin=lines)
    stats = [
        {key: int(value) for key, value in re.findall(r"(\w+_tokens)=(\d+)", line)}
        for line in result.stderr.splitlines()
        if line.startswith("stats:")
    ]
    assert len(stats) == 4
    for before, turn in itertools.pairwise(stats):
        assert turn["cached_tokens"] >= before["prompt_tokens"]
        new_message = len("Question number 0, asked with some words around it.")
        reply = len("Hello, world!")  # one character per token at most
        assert turn["prompt_tokens"] - turn["cached_tokens"] <= reply + new_message + 16
