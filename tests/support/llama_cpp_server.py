"""llama-cpp-python's own OpenAI-compatible server (`python -m llama_cpp.server`), started
on 127.0.0.1 on a generated model: a real serving engine, as a user would run on a
workstation, for the remote-engine tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def llama_cpp_server(
    model: Path, alias: str, log: Path, *, api_key: str | None = None
) -> Iterator[str]:
    """The server's address (http://127.0.0.1:PORT) while it runs; its output goes to `log`."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model),
        "--model_alias", alias, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024",
    ]  # fmt: skip
    if api_key:
        command += ["--api_key", api_key]
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, process, api_key, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(
    url: str, process: subprocess.Popen[bytes], api_key: str | None, log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    request = urllib.request.Request(f"{url}/v1/models")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                json.load(response)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"llama_cpp.server did not start: {log.read_text(errors='replace')}")
