"""The bundle's window starts (offscreen), from another folder with a bare environment."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.packaging.bundle_run import (
    PACKAGING,
    Build,
    bare_env,
    can_trace,
    ip_socket_calls,
    traced,
)

pytestmark = PACKAGING
SHOWN = "window shown"


def wait_for_line(log: Path, text: str, process: subprocess.Popen[str], timeout: float) -> str:
    """The log's contents once `text` is in it (fails if the process ends first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text() if log.exists() else ""
        if text in content:
            return content
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the window process ended ({process.returncode}): {err[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"no {text!r} in {log} after {timeout} s")


def test_the_window_starts_and_makes_no_network_connection(build: Build, tmp_path: Path) -> None:
    hearth = build.install(tmp_path / "elsewhere")
    env = bare_env(tmp_path / "home", QT_QPA_PLATFORM="offscreen")
    trace = tmp_path / "trace.txt"
    command = [str(hearth)]
    if can_trace():
        command = traced(command, trace)
    elif os.environ.get("CI"):
        pytest.fail("CI must run the privacy check: strace and `unshare -rn` are needed")
    log = tmp_path / "home" / "hearth" / "logs" / "hearth.log"
    process = subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        content = wait_for_line(log, SHOWN, process, timeout=60)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)
    assert "Traceback" not in content
    assert " ERROR " not in content
    if trace.exists():
        assert ip_socket_calls(trace) == []
