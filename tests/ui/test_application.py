"""Starting the window: what it imports decides how fast it opens (DESIGN.md: heavy
libraries are imported where they are needed, not at start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# app.engine.worker: the engine child's code (llama.cpp glue, numpy), never the window's
HEAVY = ["numpy", "llama_cpp", "huggingface_hub", "httpx2", "gguf", "pypdfium2", "docx"]
HEAVY += ["app.engine.worker"]

IMPORTS = """
import sys
import app.cli
app.cli.build_parser()  # `hearth` parses its arguments before opening the window
import app.ui.application
import app.ui.main_window
print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
"""


def test_opening_the_window_imports_no_heavy_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS, *HEAVY],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
