"""A download survives its process being killed: the next run resumes with a Range request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog.download_storage import part_path
from app.errors import DownloadBusyError
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import REPO, download, publish

CHECKOUT = Path(__file__).resolve().parents[3]
SCRIPT = """
import sys
from pathlib import Path
from app.catalog.download import DownloadRequest, download_file

endpoint, repo, filename, revision, dest = sys.argv[1:]
download_file(DownloadRequest(repo, filename, revision, Path(dest)), endpoint=endpoint)
"""


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_download_resumes_in_the_next_run(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 3_000_000)
    fake_hub.faults(REPO, file.filename).throttle_bps = 1_000_000  # 3 s: killed after ~1 s
    dest = models_dir / "tiny.gguf"
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    args = [fake_hub.url, REPO, file.filename, fake_hub.repo(REPO).commit, str(dest)]

    with subprocess.Popen(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=CHECKOUT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as child:
        grown = _wait_for(
            lambda: part_path(dest).exists() and part_path(dest).stat().st_size > 0, 15
        )
        if grown:  # while it runs, this process cannot download the same file
            with pytest.raises(DownloadBusyError):
                download(fake_hub, file, dest)
        child.send_signal(signal.SIGKILL)
        _, stderr = child.communicate(timeout=10)
    assert grown, stderr.decode(errors="replace")
    assert child.returncode == -signal.SIGKILL

    kept = part_path(dest).stat().st_size
    assert 0 < kept < file.size
    fake_hub.faults(REPO, file.filename).throttle_bps = None
    fake_hub.clear_requests()

    assert download(fake_hub, file, dest).read_bytes() == file.data

    (get,) = fake_hub.requests_for(file.filename, method="GET")
    assert get.range_start == kept
    assert get.status == 206
    assert get.body_bytes == file.size - kept
    assert sorted(p.name for p in models_dir.iterdir()) == ["tiny.gguf"]
