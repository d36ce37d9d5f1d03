"""The installed-app tests: build the Linux bundle once per session from a clean copy of the
checkout, then run it from another folder with a bare environment.

Marked `packaging` (about 20 minutes the first time on two cores, while llama.cpp compiles;
a few minutes once `~/.cache/hearth-build/wheels` holds the portable wheel). CI runs them; on a
machine without the build tools (cmake, a C++ compiler, mksquashfs) they are skipped unless
`CI` is set, where a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.bundle_run import BUILD_TIMEOUT_S, Build

ROOT = Path(__file__).resolve().parent.parent.parent
BUILD_TOOLS = ("cmake", "c++", "mksquashfs", "unsquashfs", "git")


def clean_copy(destination: Path) -> Path:
    """The checkout's files as a fresh clone would have them, with uncommitted edits: git's
    tracked and untracked-but-not-ignored files (no .venv, build/, dist/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    missing = [tool for tool in BUILD_TOOLS if shutil.which(tool) is None]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"the Linux build needs {', '.join(missing)} (.ci/run installs them)")
    source = clean_copy(tmp_path_factory.mktemp("checkout"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env["HEARTH_BUILD_DIR"] = str(source / "build" / "packaging")
    result = subprocess.run(
        ["bash", str(source / "packaging" / "linux" / "build.sh")],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return Build(source=source)
