"""The installed app against the checkout: cold start to a shown window (no model).

Needs the Linux bundle (`bash packaging/linux/build.sh` makes dist/hearth/); without it the
suite reports nothing. Both sides are timed the same way, interleaved: from spawning the
process to the "window shown" line in Hearth's log (written right after `window.show()`),
whose timestamp has millisecond precision, then the process is stopped. The checkout side is
`python -m app` with the checkout's virtual environment, as the quickstart runs it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.bench.figures import Figure, at_most, interleaved, reported
from tests.support.window_process import run_until_shown

ROOT = Path(__file__).resolve().parent.parent.parent
BUNDLE = ROOT / "dist" / "hearth" / "hearth"


def figures(quick: bool) -> Iterator[Figure]:
    if not BUNDLE.exists():
        print(f"bundle: no {BUNDLE} (bash packaging/linux/build.sh makes it)", file=sys.stderr)
        return
    runs = 3 if quick else 9
    with tempfile.TemporaryDirectory(prefix="hearth-bench-bundle-") as home:
        bundle_home, source_home = Path(home) / "bundle", Path(home) / "source"
        for first in (bundle_home, source_home):  # the first start creates the home
            shown_after([str(BUNDLE)], first)
        bundle, source = interleaved(
            runs,
            lambda: shown_after([str(BUNDLE)], bundle_home),
            lambda: shown_after([sys.executable, "-m", "app"], source_home),
        )
    yield at_most("bundle: cold start to a shown window", bundle, 1.0, "s")
    yield reported("bundle: cold start / python -m app", bundle / source, "x", f"{source:.2f} s")
    files = [p for p in BUNDLE.parent.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    yield at_most("bundle: size unpacked, without models", size / 1e6, 250, "MB")


def shown_after(command: list[str], home: Path) -> float:
    """Seconds from spawning `command` to its log's "window shown" line."""
    env = {**os.environ, "HEARTH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    spawned = time.time()
    shown = run_until_shown(command, env, ROOT, home / "logs" / "hearth.log")
    return shown.logged_at - spawned
