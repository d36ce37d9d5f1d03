"""The store loads sqlite-utils without numpy (a large import the window does not need)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHECK = """
import sys
from pathlib import Path
from app.store import History
assert "numpy" not in sys.modules, "sqlite-utils pulled numpy in"
with History.open(Path(sys.argv[1])) as history:
    history.add_message(history.create_conversation(title="t"), "user", "still works")
    assert [hit.snippet for hit in history.search("works")] == ["still [works]"]
import numpy  # hidden only while sqlite-utils loaded
print(numpy.zeros(2).sum())
"""


def test_the_store_works_without_numpy_which_still_imports_after(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "h.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.0"
