"""`hearth summarize` end to end: the real command, a generated model and document, a real
history file. The summary goes to stdout, `part i of N` progress to stderr."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import HEARTH, conversation_ids, hearth
from tests.support.tiny_gguf import long_text

PROGRESS = re.compile(r"^part (\d+) of (\d+)(?: \(about \d+ (?:s|min) left\))?$")


def progress_lines(stderr: str) -> list[tuple[int, int]]:
    """(part, total) of every progress line; any other line must be the closing note."""
    found = []
    for line in stderr.splitlines():
        match = PROGRESS.match(line)
        if match:
            found.append((int(match[1]), int(match[2])))
        else:
            assert line.startswith("hearth: saved as conversation "), line
    return found


def test_a_short_document_prints_only_the_summary(scripted_model: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting on 4 March. Ada will send the budget by Friday.\n", "utf-8")
    result = hearth("summarize", str(notes), "--model", str(scripted_model), "--ctx", "1024")
    assert result.stdout == "Hello, world!\n"
    assert progress_lines(result.stderr) == [(1, 1)]
    assert result.stderr.splitlines()[0] == "part 1 of 1"
    (cid,) = conversation_ids()
    assert f"hearth chat --conversation {cid}" in result.stderr
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    assert [(m["role"], m["content"]) for m in exported["messages"]] == [
        ("user", "Summarize notes.txt (brief)."),
        ("assistant", "Hello, world!"),
    ]


@pytest.mark.slow
def test_a_long_document_reports_every_part(random_model: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("\n\n".join(long_text(120, seed=i) for i in range(5)), "utf-8")
    result = hearth("summarize", str(report), "--model", str(random_model), "--ctx", "2048")
    parts = progress_lines(result.stderr)
    total = parts[0][1]
    assert total >= 4  # several chunks, at least one merge, the final call
    assert parts == [(i, total) for i in range(1, total + 1)]
    assert result.stderr.splitlines()[0] == f"part 1 of {total}"  # no estimate yet
    assert result.stdout.endswith("\n")
    assert result.stdout.strip()  # the random model's summary, and nothing else
    assert "part " not in result.stdout


def test_a_missing_file_is_one_line_and_a_failure(scripted_model: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pdf"
    result = hearth(
        "summarize", str(missing), "--model", str(scripted_model), "--ctx", "1024", check=False
    )
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("hearth: ")
    assert "missing.pdf" in line
    assert conversation_ids() == []


def test_an_unknown_style_is_refused_by_the_argument_parser(tmp_path: Path) -> None:
    result = hearth("summarize", str(tmp_path / "x.txt"), "--style", "bogus", check=False)
    assert result.returncode == 2  # argparse's usage error
    assert result.stdout == ""
    assert result.stderr.startswith("usage: hearth summarize")
    assert "argument --style: invalid choice: 'bogus'" in result.stderr
    assert "'brief', 'points', 'detailed', 'actions'" in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_with_exit_130_and_the_same_command_resumes(
    random_model: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("\n\n".join(long_text(120, seed=i) for i in range(3)), "utf-8")
    command = [HEARTH, "summarize", str(report), "--model", str(random_model), "--ctx", "2048"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy()
    )
    assert process.stderr is not None
    seen = [process.stderr.readline().decode() for _ in range(2)]  # parts 1 and 2 began
    assert all(line.startswith("part ") for line in seen), seen
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err.decode()
    assert "stopped after" in err.decode()
    assert "Summarize the same file again" in err.decode()
    resumed = hearth(*command[1:])
    parts = progress_lines(resumed.stderr)
    assert parts[0][0] > 1  # the finished parts are not read again
    assert resumed.stdout.strip()
