"""The bundle's command line, run from another folder with a bare environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import app
from tests.packaging.bundle_run import (
    PACKAGING,
    Build,
    bare_env,
    can_trace,
    ip_socket_calls,
    traced,
)

pytestmark = PACKAGING


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=180)


def test_version_from_another_folder(build: Build, tmp_path: Path) -> None:
    hearth = build.install(tmp_path / "elsewhere")
    result = run([str(hearth), "--version"], bare_env(tmp_path / "home"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hearth {app.__version__}\n"


def test_a_chat_on_a_generated_model_makes_no_network_connection(
    build: Build, tmp_path: Path, scripted_model: Path
) -> None:
    """The engine child process starts from the frozen executable (freeze support), finds
    llama.cpp's CPU backends, answers, and nothing opens an IP socket."""
    if not can_trace():
        if os.environ.get("CI"):
            pytest.fail("CI must run the privacy check: strace and `unshare -rn` are needed")
        pytest.skip("no strace or no unprivileged network namespace here")
    hearth = build.install(tmp_path / "elsewhere")
    env = bare_env(tmp_path / "home")
    trace = tmp_path / "trace.txt"
    command = [str(hearth), "chat", "Is this private?", "--model", str(scripted_model)]
    result = run(traced(command, trace), env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, world!\n"
    calls = trace.read_text()
    assert "socketpair(AF_UNIX" in calls  # the trace saw the client and its engine talk
    assert ip_socket_calls(trace) == []
    log = (tmp_path / "home" / "hearth" / "logs" / "hearth.log").read_text()
    assert "engine process" in log
    assert "libggml-cpu-" in log  # a CPU variant chosen at run time, not a native build
    listed = run([str(hearth), "history", "list"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "Is this private?" in listed.stdout


def test_summarize_reads_the_bundled_prompts(
    build: Build, tmp_path: Path, scripted_model: Path
) -> None:
    hearth = build.install(tmp_path / "elsewhere")
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nThe bundle carries resources/prompts.\n", encoding="utf-8")
    env = bare_env(tmp_path / "home")
    result = run(
        [str(hearth), "summarize", str(notes), "--model", str(scripted_model)], env, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Hello, world!" in result.stdout


def test_the_catalog_is_bundled(build: Build, tmp_path: Path) -> None:
    hearth = build.install(tmp_path / "elsewhere")
    result = run([str(hearth), "models", "list"], bare_env(tmp_path / "home"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "qwen" in result.stdout.lower()


def test_an_error_is_one_line_and_a_non_zero_exit(build: Build, tmp_path: Path) -> None:
    hearth = build.install(tmp_path / "elsewhere")
    missing = tmp_path / "missing.gguf"
    result = run(
        [str(hearth), "chat", "Hi", "--model", str(missing)], bare_env(tmp_path / "home"), tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith("hearth: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_key_with_no_keyring_service_is_refused_in_one_line(build: Build, tmp_path: Path) -> None:
    """The frozen keyring runs: with no desktop session (no D-Bus, so no Secret Service) it
    finds no keyring, and the key is refused in words, not with a traceback."""
    hearth = build.install(tmp_path / "elsewhere")
    env = bare_env(tmp_path / "home")
    command = [str(hearth), "servers", "add", "office", "http://127.0.0.1:8080", "--key-stdin"]
    result = subprocess.run(
        command, env=env, cwd=tmp_path, input="sk-123\n", capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("hearth: This computer has no keyring service")
    assert len(result.stderr.strip().splitlines()) == 1
    listed = run([str(hearth), "servers", "list"], env, tmp_path)
    assert "office" not in listed.stdout + listed.stderr  # no server without its key
