"""Running the real `hearth` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEARTH = str(Path(sys.executable).with_name("hearth"))


def hearth(
    *args: str, stdin: str | None = None, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `hearth ARGS` with this test's HEARTH_HOME; fail with its output if it fails."""
    result = subprocess.run(
        [HEARTH, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"hearth {' '.join(args)} exited {result.returncode}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
    return result


def conversation_ids() -> list[int]:
    listing = hearth("history", "list").stdout
    return [int(line.split("\t")[0]) for line in listing.splitlines()]
