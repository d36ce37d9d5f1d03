"""What an installed (PyInstaller-built) Hearth needs before anything else runs.

Run from a checkout none of this matters; the bundle's entry point
(packaging/pyinstaller/hearth_main.py) calls `prepare_process` first thing, in the app and in
the engine child process alike.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def prepare_process() -> None:
    """Give a windowed app somewhere to print, then let a spawned engine child take over.

    A windowed executable (Windows' hearthw.exe, the macOS .app started from Finder) has no
    console: `sys.stdout` and `sys.stderr` are None and the first print would raise. They point
    at the null device instead; what matters goes to the log file anyway. Then
    `multiprocessing.freeze_support()`: in the engine child (started with "spawn", which
    re-runs this executable) it runs the child's code and exits, never reaching the CLI.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    multiprocessing.freeze_support()
