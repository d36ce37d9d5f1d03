"""Running the built bundle as a person who installed it would: from another folder, with a
bare environment, and (where the kernel allows) inside a network namespace under strace, the
privacy test's method (tests/e2e/test_cli_faults.py)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

BUILD_TIMEOUT_S = 3600  # the build (its first test waits for it) and so each test's timeout
PACKAGING = [pytest.mark.packaging, pytest.mark.timeout(BUILD_TIMEOUT_S)]  # modules' pytestmark


@dataclass(frozen=True)
class Build:
    """What packaging/linux/build.sh made in a clean copy of the checkout."""

    source: Path

    @property
    def bundle(self) -> Path:
        return self.source / "dist" / "hearth"

    @property
    def squashfs(self) -> Path:
        """The AppImage's contents (the runtime is prepended on release builds)."""
        return self.source / "build" / "packaging" / "hearth.squashfs"

    def install(self, folder: Path) -> Path:
        """Copy the bundle to `folder` (as unpacking the tarball does); its executable."""
        shutil.copytree(self.bundle, folder / "hearth", symlinks=True)
        return folder / "hearth" / "hearth"


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """No virtualenv, no PYTHONPATH, no checkout on the path: only what a desktop session has."""
    (home / "user").mkdir(parents=True, exist_ok=True)
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home / "user"),
        "HEARTH_HOME": str(home / "hearth"),
        "LANG": "C.UTF-8",
        **extra,
    }


def can_trace() -> bool:
    """An unprivileged network namespace and strace are both available."""
    if shutil.which("strace") is None or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


def traced(command: list[str], trace: Path) -> list[str]:
    """`command` with no network and every socket call of every process written to `trace`."""
    strace = ["strace", "-f", "-qq", "-e", "trace=socket,socketpair,connect", "-o", str(trace)]
    return ["unshare", "-rn", *strace, *command]


def ip_socket_calls(trace: Path) -> list[str]:
    return [line for line in trace.read_text().splitlines() if "AF_INET" in line]
