"""Download throughput: Hearth's verified, resumable download vs plain curl, same server.

Run: .venv/bin/python -m tests.bench.bench_download   (prints figures; asserts nothing)
Both fetch the same file from the fake Hub on 127.0.0.1, which runs in a process of its own
(in-process, its threads would share the downloader's GIL and slow it unfairly). Hearth also
hashes (sha256) and fsyncs; curl only writes. The server is Python: absolute figures are the
server's, the ratio is what matters.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.catalog.download import DownloadRequest, download_file
from tests.support.fake_hub import resolve_path

SIZE = 256 * 1024 * 1024
RUNS = 3
REPO, FILENAME = "bench/Big-GGUF", "big.gguf"


SERVER = f"""
import os, sys
from tests.support.fake_hub import FakeHub
hub = FakeHub().start()
hub.add_file({REPO!r}, {FILENAME!r}, data=os.urandom({SIZE}))
print(hub.url, hub.repo({REPO!r}).commit, flush=True)
sys.stdin.read()
hub.close()
"""


class _RemoteHub:
    """Just what the timings need of a FakeHub running in another process."""

    def __init__(self, url: str, commit: str) -> None:
        self.url, self.commit = url, commit


def _timed_hearth(hub: _RemoteHub, dest: Path) -> float:
    request = DownloadRequest(REPO, FILENAME, hub.commit, dest)
    started = time.perf_counter()
    download_file(request, endpoint=hub.url)
    elapsed = time.perf_counter() - started
    dest.unlink()
    return elapsed


def _timed_curl(hub: _RemoteHub, dest: Path) -> float:
    url = hub.url + resolve_path(REPO, hub.commit, FILENAME)
    started = time.perf_counter()
    subprocess.run(["curl", "-sSfL", "-o", str(dest), url], check=True)
    elapsed = time.perf_counter() - started
    assert dest.stat().st_size == SIZE
    dest.unlink()
    return elapsed


def main() -> None:
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert server.stdout is not None
    url, commit = server.stdout.readline().split()
    hub = _RemoteHub(url, commit)
    try:
        with tempfile.TemporaryDirectory() as folder:
            dest = Path(folder) / FILENAME
            hearth = [_timed_hearth(hub, dest) for _ in range(RUNS)]
            curl = [_timed_curl(hub, dest) for _ in range(RUNS)]
    finally:
        server.communicate("", timeout=30)
    mb = SIZE / 1e6
    h, c = statistics.median(hearth), statistics.median(curl)
    print(f"file: {mb:.0f} MB from the fake Hub on 127.0.0.1, median of {RUNS}")
    print(f"hearth download_file (sha256 + fsync): {h:.2f} s = {mb / h:.0f} MB/s")
    print(f"curl -o                              : {c:.2f} s = {mb / c:.0f} MB/s")
    print(f"ratio hearth/curl time: {h / c:.2f}")


if __name__ == "__main__":
    main()
