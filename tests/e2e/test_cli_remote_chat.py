"""`hearth chat --model NAME@SERVER`: a turn on a server the user added, as subprocesses
against a real HTTP server on 127.0.0.1 (tests/support/fake_openai_server.py)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import resolve_paths
from tests.e2e.cli_helpers import HEARTH, conversation_ids, hearth
from tests.support.fake_openai_server import (
    FAKE_MODEL,
    FAKE_REPLY,
    Fault,
    RunningFakeServer,
    fake_openai_server,
)


@pytest.fixture
def office(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningFakeServer]:
    """A server added as "office", its key in OFFICE_KEY."""
    with fake_openai_server() as running:
        running.state.fault, running.state.key = Fault.UNAUTHORIZED, "k3y"
        monkeypatch.setenv("OFFICE_KEY", "k3y")
        hearth("servers", "add", "office", running.url, "--key-env", "OFFICE_KEY")
        yield running


def test_a_turn_on_a_server_streams_its_reply_and_says_where_words_go(
    office: RunningFakeServer,
) -> None:
    result = hearth("chat", "--model", f"{FAKE_MODEL}@office", "Hello there")
    assert result.stdout == "".join(FAKE_REPLY) + "\n"
    host = office.url.removeprefix("http://")
    assert f"runs on the server office ({host})" in result.stderr  # said before sending
    chats = [r for r in office.state.requests if r["method"] == "POST"]
    assert [c["body"]["messages"][-1]["content"] for c in chats] == ["Hello there"]
    assert {r["authorization"] for r in office.state.requests} == {"Bearer k3y"}


def test_a_conversation_on_a_server_continues_there(office: RunningFakeServer) -> None:
    hearth("chat", "--model", f"{FAKE_MODEL}@office", "First")
    (cid,) = conversation_ids()
    result = hearth("chat", "--conversation", str(cid), "Second")
    assert result.stdout == "".join(FAKE_REPLY) + "\n"
    last = [r for r in office.state.requests if r["method"] == "POST"][-1]
    sent = [m["content"] for m in last["body"]["messages"] if m["role"] != "system"]
    assert sent == ["First", "".join(FAKE_REPLY), "Second"]


def test_a_fault_is_one_line_and_the_reply_so_far_is_kept(office: RunningFakeServer) -> None:
    office.state.fault = Fault.DROP
    result = hearth("chat", "--model", f"{FAKE_MODEL}@office", "Hello", check=False)
    assert result.returncode == 1
    assert result.stdout.startswith("".join(FAKE_REPLY[:2]))
    errors = [line for line in result.stderr.splitlines() if "was lost" in line]
    assert len(errors) == 1
    (cid,) = conversation_ids()
    shown = hearth("history", "show", str(cid)).stdout
    assert "".join(FAKE_REPLY[:2]) in shown


def test_a_missing_key_variable_is_named(office: RunningFakeServer) -> None:
    env_key = os.environ.pop("OFFICE_KEY")
    try:
        result = hearth("chat", "--model", f"{FAKE_MODEL}@office", "Hi", check=False)
    finally:
        os.environ["OFFICE_KEY"] = env_key
    assert result.returncode == 1
    assert "OFFICE_KEY" in result.stderr
    assert not [r for r in office.state.requests if r["method"] == "POST"]


def test_a_name_with_an_unknown_server_stays_local_and_sends_nothing(
    office: RunningFakeServer,
) -> None:
    result = hearth("chat", "--model", f"{FAKE_MODEL}@elsewhere", "Hi", check=False)
    assert result.returncode == 1
    assert office.state.requests == []  # no request to any server the user did not name


def test_summaries_and_e_mail_drafts_run_on_the_server_too(
    office: RunningFakeServer, tmp_path: Path
) -> None:
    """--model NAME@SERVER is accepted everywhere --model is."""
    memo = tmp_path / "memo.txt"
    memo.write_text("The roof is fixed. The bill is 420 euros.", encoding="utf-8")
    summary = hearth("summarize", str(memo), "--model", f"{FAKE_MODEL}@office")
    assert "".join(FAKE_REPLY) in summary.stdout
    draft = hearth(
        "draft", "--to", "Ada", "--points", "Lunch on Friday", "--model", f"{FAKE_MODEL}@office"
    )
    assert "".join(FAKE_REPLY) in draft.stdout
    asked = [r["body"]["messages"][-1]["content"] for r in office.state.requests if r["body"]]
    assert any("roof is fixed" in text for text in asked)
    assert any("Lunch on Friday" in text for text in asked)
    draft_id = max(conversation_ids())  # the newest: the draft
    refined = hearth("refine", str(draft_id), "--how", "shorter")
    assert "".join(FAKE_REPLY) in refined.stdout  # the draft's own server, again


def test_the_only_connections_are_to_the_server_the_user_added(
    office: RunningFakeServer, tmp_path: Path
) -> None:
    """Privacy with a server: strace sees IP connections only to its address and port."""
    if subprocess.run(["strace", "-V"], capture_output=True).returncode != 0:
        pytest.skip("strace is not installed (.ci/run installs it)")
    trace = tmp_path / "trace.txt"
    command = [
        "strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
        HEARTH, "chat", "--model", f"{FAKE_MODEL}@office", "Where do my words go?",
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(FAKE_REPLY) + "\n"
    port = int(office.url.rsplit(":", 1)[1])
    ip_connects = [line for line in trace.read_text().splitlines() if "AF_INET" in line]
    assert ip_connects  # the trace saw the requests
    for line in ip_connects:
        assert f"sin_port=htons({port})" in line, line
        assert 'inet_addr("127.0.0.1")' in line, line


def test_offline_mode_refuses_a_server_model(office: RunningFakeServer) -> None:
    settings = resolve_paths().settings_file
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"offline": True}), encoding="utf-8")
    result = hearth("chat", "--model", f"{FAKE_MODEL}@office", "Hi", check=False)
    assert result.returncode == 1
    assert "Offline mode is on" in result.stderr
    assert office.state.requests == []


def test_a_key_kept_in_the_keyring_is_sent_as_the_bearer_token(isolated_keyring: Path) -> None:
    with fake_openai_server() as lab:
        lab.state.fault, lab.state.key = Fault.UNAUTHORIZED, "keyring-k3y"
        hearth("servers", "add", "lab", lab.url, "--key-stdin", stdin="keyring-k3y\n")
        result = hearth("chat", "--model", f"{FAKE_MODEL}@lab", "Hello there")
    assert result.stdout == "".join(FAKE_REPLY) + "\n"
    assert {r["authorization"] for r in lab.state.requests} == {"Bearer keyring-k3y"}
    assert b"keyring-k3y" not in (resolve_paths().config_dir / "servers.json").read_bytes()
