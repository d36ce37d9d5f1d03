"""The bundle's window starts (offscreen), from another folder with a bare environment."""

from __future__ import annotations

import os
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
from tests.support.window_process import run_until_shown

pytestmark = PACKAGING


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
    content = run_until_shown(command, env, tmp_path, log).log_text
    assert "Traceback" not in content
    assert " ERROR " not in content
    if trace.exists():
        assert ip_socket_calls(trace) == []
