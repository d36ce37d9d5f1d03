"""The CLI under stress: SIGKILL mid-reply loses nothing; Ctrl+C stops a reply, not the chat."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import HEARTH, conversation_ids, hearth


def start_chat(model: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [HEARTH, "chat", "--model", str(model), "--ctx", "4096", "--max-tokens", "1500", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )


def read_some(process: subprocess.Popen[bytes], at_least: int) -> bytes:
    assert process.stdout is not None
    received = b""
    while len(received) < at_least:
        chunk = os.read(process.stdout.fileno(), 4096)
        assert chunk, "hearth chat ended before streaming enough"
        received += chunk
    return received


@pytest.mark.slow
def test_sigkill_while_streaming_keeps_the_message_and_the_partial_reply(
    slow_model: Path,
) -> None:
    process = start_chat(slow_model, "Tell me a long story.")
    try:
        streamed = read_some(process, 20)
        time.sleep(1.2)  # more than two flush intervals of 0.5 s
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    (cid,) = conversation_ids()
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    user, reply = exported["messages"]
    assert (user["role"], user["content"], user["status"]) == (
        "user",
        "Tell me a long story.",
        "complete",
    )
    assert reply["role"] == "assistant"
    assert reply["status"] == "interrupted"
    assert reply["parent_id"] == user["id"]
    assert len(reply["content"].encode()) >= len(streamed) // 2
    assert reply["content"].startswith(streamed.decode("utf-8", errors="ignore")[:10])


@pytest.mark.slow
def test_ctrl_c_stops_the_reply_and_the_chat_goes_on(random_model: Path) -> None:
    process = start_chat(random_model, "--stats")
    assert process.stdin is not None
    process.stdin.write(b"first question\n")
    process.stdin.flush()
    read_some(process, 10)
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    _, err = process.communicate(b"second question\n", timeout=120)
    assert process.returncode == 0, err.decode()
    stderr = err.decode()
    assert "reply stopped" in stderr
    assert stderr.count("stats:") == 2
    (cid,) = conversation_ids()
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    statuses = [(m["role"], m["status"]) for m in exported["messages"]]
    assert statuses[:2] == [("user", "complete"), ("assistant", "stopped")]
    assert statuses[2] == ("user", "complete")
    assert statuses[3][0] == "assistant"
    assert statuses[3][1] == "complete"


def test_chat_in_a_network_namespace_makes_no_ip_connection(
    scripted_model: Path, tmp_path: Path
) -> None:
    """Privacy: with no network interface at all, chat works; strace sees no IP socket."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"this kernel refuses an unprivileged network namespace: {probe.stderr}")
    if subprocess.run(["strace", "-V"], capture_output=True).returncode != 0:
        pytest.skip("strace is not installed (.ci/run installs it)")
    trace = tmp_path / "trace.txt"
    result = subprocess.run(
        [
            "unshare",
            "-rn",
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=socket,socketpair,connect",
            "-o",
            str(trace),
            HEARTH,
            "chat",
            "Is this private?",
            "--model",
            str(scripted_model),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, world!\n"
    calls = trace.read_text()
    # The trace did see the processes: the client and the engine talk over a Unix socketpair.
    assert "socketpair(AF_UNIX" in calls
    ip_calls = [line for line in calls.splitlines() if "AF_INET" in line]
    assert ip_calls == []
    assert len(conversation_ids()) == 1
