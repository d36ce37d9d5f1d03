"""Download figures: Hearth's verified, resumable download against plain `curl`.

Both fetch the same file from the fake Hub (tests/support/fake_hub.py) on 127.0.0.1, which
runs in a process of its own (in this one, its threads would share the downloader's GIL and
slow it unfairly). Hearth's side is `download_file` as the app runs it: HEAD for the size and
sha256, lock, sidecar, the GET, sha256 of every byte, fsync, rename. curl only writes the
bytes. Runs alternate (Hearth, curl, Hearth, curl ...) so a busy machine slows both alike;
the ratio is of medians. The server is Python: absolute speeds are the server's, the
ratio is what matters.

The profile rows run one more download under cProfile (which sees the receiving thread):
the share of its time spent in Hearth's own Python code (app/: per-piece bookkeeping, or a
hash or write made on the receiving thread, would show there), and all Python calls per MB
(mostly the HTTP library parsing each 16-64 KiB piece the socket gives).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from app.catalog.download import DownloadRequest, download_file
from tests.bench.figures import Figure, at_least, at_most, interleaved, reported
from tests.support.fake_hub import resolve_path

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app")
REPO, FILENAME = "bench/Big-GGUF", "big.gguf"

SERVER = """
import os, sys
from tests.support.fake_hub import FakeHub
hub = FakeHub().start()
hub.add_file({repo!r}, {filename!r}, data=os.urandom({size}))
print(hub.url, hub.repo({repo!r}).commit, flush=True)
sys.stdin.read()
hub.close()
"""


class _RemoteHub:
    """The fake Hub running in another process: its address and the file's commit."""

    def __init__(self, size: int) -> None:
        code = SERVER.format(repo=REPO, filename=FILENAME, size=size)
        self.size = size
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdout is not None
        self.url, self.commit = self.process.stdout.readline().split()

    def close(self) -> None:
        self.process.communicate("", timeout=60)


def figures(quick: bool) -> Iterator[Figure]:
    size, runs = (64 * 2**20, 3) if quick else (256 * 2**20, 5)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    hub = _RemoteHub(size)
    try:
        with tempfile.TemporaryDirectory(prefix="hearth-bench-downloads-") as folder:
            dest = Path(folder) / FILENAME
            hearth, curl = interleaved(runs, lambda: _hearth(hub, dest), lambda: _curl(hub, dest))
            own_share, calls = _profile(hub, dest)
    finally:
        hub.close()
    mb = size / 1e6
    note = f"{mb:.0f} MB, median of {runs}"
    yield reported("downloads: Hearth (sha256 + fsync)", mb / hearth, "MB/s", note=note)
    yield reported("downloads: curl", mb / curl, "MB/s", note=note)
    yield at_least("downloads: Hearth / curl throughput", curl / hearth, 0.9, "x")
    yield at_most("downloads: time in Hearth's Python while receiving", own_share, 5, "%")
    yield reported("downloads: Python calls per MB received (all code)", calls, "")


def _hearth(hub: _RemoteHub, dest: Path) -> float:
    request = DownloadRequest(REPO, FILENAME, hub.commit, dest)
    started = time.perf_counter()
    download_file(request, endpoint=hub.url)
    elapsed = time.perf_counter() - started
    dest.unlink()
    return elapsed


def _curl(hub: _RemoteHub, dest: Path) -> float:
    url = hub.url + resolve_path(REPO, hub.commit, FILENAME)
    started = time.perf_counter()
    subprocess.run(["curl", "-sSfL", "-o", str(dest), url], check=True)
    elapsed = time.perf_counter() - started
    if dest.stat().st_size != hub.size:
        raise RuntimeError("curl fetched a file of the wrong size")
    dest.unlink()
    return elapsed


def _profile(hub: _RemoteHub, dest: Path) -> tuple[float, float]:
    """One download under cProfile: the % of its time in app/ code, and calls per MB."""
    profile = cProfile.Profile()
    profile.enable()
    elapsed = _hearth(hub, dest)
    profile.disable()
    stats = pstats.Stats(profile)
    if os.environ.get("HEARTH_BENCH_PROFILE"):
        stats.sort_stats("tottime").print_stats(15)
    entries = stats.stats  # type: ignore[attr-defined]
    own = sum(entry[2] for (file, _, _), entry in entries.items() if file.startswith(APP))
    calls = sum(entry[1] for entry in entries.values())
    return 100 * own / elapsed, calls / (hub.size / 1e6)
