"""`hearth serve`: the local API as a user's script uses it, with the official OpenAI client,
against the real command in a subprocess serving a generated model."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from tests.e2e.cli_helpers import HEARTH, conversation_ids, hearth

SERVING = re.compile(r"^hearth: serving (\S+) at (http://127\.0\.0\.1:(\d+)/v1) \((.+)\)$")
STARTED = "press Ctrl+C to stop"


@dataclass
class Serving:
    process: subprocess.Popen[str]
    model_id: str
    base_url: str
    port: int
    where_key: str
    banner: list[str]
    key: str | None  # as printed (None: taken from the environment, not printed)

    def client(self, key: str | None = None) -> openai.OpenAI:
        api_key = key or self.key
        assert api_key is not None
        return openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, timeout=60)

    def stop(self, how: signal.Signals = signal.SIGINT) -> tuple[int, str]:
        """Ctrl+C (or `kill`), as a user stops it: (exit code, the rest of stderr)."""
        self.process.send_signal(how)
        _, rest = self.process.communicate(timeout=60)
        return self.process.returncode, rest


@contextmanager
def serving(*args: str) -> Iterator[Serving]:
    """`hearth serve --port 0 ARGS` running, its banner read; stopped afterwards."""
    process = subprocess.Popen(
        [HEARTH, "serve", "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        yield _started(process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def _started(process: subprocess.Popen[str]) -> Serving:
    assert process.stderr is not None
    banner: list[str] = []
    while STARTED not in (line := process.stderr.readline()):
        if not line:  # it ended before serving
            raise AssertionError(f"hearth serve ended: {process.wait()}\n{''.join(banner)}")
        banner.append(line.rstrip("\n"))
    found = [m for m in map(SERVING.match, banner) if m]
    assert len(found) == 1, banner
    model_id, base_url, port, where_key = found[0].groups()
    keys = [line.removeprefix("hearth: API key: ") for line in banner if "API key:" in line]
    return Serving(
        process, model_id, base_url, int(port), where_key, banner, next(iter(keys), None)
    )


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on `port` (Linux: /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def _other_address() -> str | None:
    """This machine's address on its network, if it has one (a UDP 'connect' sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_a_script_chats_with_the_local_model_and_nothing_is_kept(
    scripted_model: Path, hearth_home: Path
) -> None:
    with serving("--model", str(scripted_model)) as server:
        assert server.model_id == scripted_model.name
        key_file = hearth_home / "config" / "api-key"
        assert server.where_key == f"key in {key_file}"
        assert server.key == key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert any("are not kept" in line for line in server.banner)
        client = server.client()

        assert [m.id for m in client.models.list()] == [scripted_model.name]

        whole = client.chat.completions.create(
            model=server.model_id,
            messages=[{"role": "user", "content": "Hi"}],
            temperature=0,
            max_tokens=32,
        )
        assert whole.choices[0].message.content == "Hello, world!"
        assert whole.choices[0].finish_reason == "stop"
        assert whole.usage is not None
        assert whole.usage.completion_tokens > 0
        assert whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens

        chunks = list(
            client.chat.completions.create(
                model=server.model_id,
                messages=[{"role": "user", "content": "Hi again"}],
                temperature=0,
                stream=True,
            )
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == "Hello, world!"
        assert chunks[-1].choices[0].finish_reason == "stop"

        with pytest.raises(openai.AuthenticationError):
            server.client("not-the-key").models.list()

        assert _listening_addresses(server.port) <= {"0100007F"}  # 127.0.0.1, nothing else
        other = _other_address()
        if other is not None:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((other, server.port), timeout=5).close()

        code, rest = server.stop()
    assert code == 0, rest
    assert rest.strip().splitlines()[-1] == "hearth: stopped"
    assert conversation_ids() == []


def test_with_store_each_request_becomes_a_conversation(
    scripted_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_HEARTH_KEY", "a-key-of-my-own-that-is-long")
    with serving("--model", str(scripted_model), "--store", "--key-env", "MY_HEARTH_KEY") as server:
        assert server.where_key == "key from $MY_HEARTH_KEY"
        assert server.key is None  # the user's own key is not printed back
        reply = server.client("a-key-of-my-own-that-is-long").chat.completions.create(
            model=server.model_id,
            messages=[
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is a hearth?"},
            ],
            temperature=0,
        )
        assert reply.choices[0].message.content == "Hello, world!"
        code, rest = server.stop(signal.SIGTERM)  # `kill PID` stops it cleanly too
    assert code == 0, rest
    assert rest.strip().splitlines()[-1] == "hearth: stopped"
    (cid,) = conversation_ids()
    listing = hearth("history", "list").stdout
    assert "What is a hearth?" in listing
    shown = hearth("history", "show", str(cid)).stdout
    assert "What is a hearth?" in shown
    assert "Hello, world!" in shown


def test_a_model_on_a_server_is_not_served(scripted_model: Path) -> None:
    hearth("servers", "add", "box", "http://127.0.0.1:9/v1")
    result = hearth("serve", "--port", "0", "--model", "some-model@box", check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "serves this computer's own model" in result.stderr
