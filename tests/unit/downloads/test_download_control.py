"""Pause, cancel and backoff (app/catalog/download_control.py), and two downloads at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.catalog.download_control import BackoffPolicy, DownloadControl
from app.catalog.download_storage import lock_path, part_path, sidecar_path
from app.errors import DownloadBusyError, DownloadCancelled, DownloadPaused
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import REPO, Recorder, Worker, download, publish

SLOW = 1_000_000  # bytes per second: a 1 MB file takes a second


def _start(
    hub: FakeHub, dest: Path, *, size: int = 1_000_000, **kwargs: object
) -> tuple[Worker, DownloadControl, Recorder]:
    file = hub.add_file(REPO, "slow.gguf", size=size)
    control, progress = DownloadControl(), Recorder()
    worker = Worker(
        lambda: download(hub, file, dest, control=control, on_progress=progress, **kwargs)
    )
    return worker, control, progress


def test_pause_keeps_the_partial_and_resume_finishes(fake_hub: FakeHub, models_dir: Path) -> None:
    dest = models_dir / "slow.gguf"
    worker, control, progress = _start(fake_hub, dest)
    fake_hub.faults(REPO, "slow.gguf").throttle_bps = SLOW
    reached = progress.reached(200_000)
    worker.start()
    assert reached.wait(10)

    control.pause()
    worker.finish(timeout=2)

    assert isinstance(worker.error, DownloadPaused)
    assert "paused at" in worker.error.message
    kept = part_path(dest).stat().st_size
    assert kept >= 200_000
    assert sidecar_path(dest).exists()
    assert not lock_path(dest).exists()
    assert not dest.exists()

    fake_hub.faults(REPO, "slow.gguf").throttle_bps = None
    file = fake_hub.file(REPO, "slow.gguf")
    assert download(fake_hub, file, dest).read_bytes() == file.data
    last = fake_hub.requests_for("slow.gguf", method="GET")[-1]
    assert last.range_start == kept
    assert last.body_bytes == file.size - kept
    assert sorted(p.name for p in models_dir.iterdir()) == ["slow.gguf"]


def test_cancel_deletes_the_partial(fake_hub: FakeHub, models_dir: Path) -> None:
    dest = models_dir / "slow.gguf"
    worker, control, progress = _start(fake_hub, dest)
    fake_hub.faults(REPO, "slow.gguf").throttle_bps = SLOW
    reached = progress.reached(200_000)
    worker.start()
    assert reached.wait(10)

    control.cancel()
    worker.finish(timeout=2)

    assert isinstance(worker.error, DownloadCancelled)
    assert list(models_dir.iterdir()) == []


def test_pause_interrupts_a_stalled_read_at_once(fake_hub: FakeHub, models_dir: Path) -> None:
    dest = models_dir / "slow.gguf"
    worker, control, progress = _start(fake_hub, dest, stall_timeout=30.0)
    faults = fake_hub.faults(REPO, "slow.gguf")
    faults.stall_after, faults.stall_seconds = 100_000, 30.0
    reached = progress.when(lambda e: e.state == "downloading")
    worker.start()
    assert reached.wait(10)
    time.sleep(0.3)  # now blocked in a read that would wait for 30 s

    began = time.monotonic()
    control.pause()
    worker.finish(timeout=5)

    assert time.monotonic() - began < 1.0
    assert isinstance(worker.error, DownloadPaused)
    assert part_path(dest).stat().st_size == 100_000


def test_cancel_interrupts_a_backoff_wait(fake_hub: FakeHub, models_dir: Path) -> None:
    dest = models_dir / "slow.gguf"
    worker, control, progress = _start(
        fake_hub, dest, backoff=BackoffPolicy(base=30.0, cap=30.0, jitter=0.0)
    )
    fake_hub.faults(REPO, "slow.gguf").fail_first = 10
    retrying = progress.when(lambda e: e.state == "retrying")
    worker.start()
    assert retrying.wait(10)

    began = time.monotonic()
    control.cancel()
    worker.finish(timeout=5)

    assert time.monotonic() - began < 1.0
    assert isinstance(worker.error, DownloadCancelled)
    assert list(models_dir.iterdir()) == []


def test_a_control_stopped_before_the_start_stops_at_once(
    fake_hub: FakeHub, models_dir: Path
) -> None:
    file = publish(fake_hub)
    control = DownloadControl()
    control.pause()
    with pytest.raises(DownloadPaused):
        download(fake_hub, file, models_dir / "tiny.gguf", control=control)
    assert fake_hub.requests == []


def test_the_same_file_twice_at_once_refuses_the_second(
    fake_hub: FakeHub, models_dir: Path
) -> None:
    dest = models_dir / "slow.gguf"
    worker, _, progress = _start(fake_hub, dest)
    fake_hub.faults(REPO, "slow.gguf").throttle_bps = SLOW
    reached = progress.reached(100_000)
    worker.start()
    assert reached.wait(10)

    file = fake_hub.file(REPO, "slow.gguf")
    with pytest.raises(DownloadBusyError) as caught:
        download(fake_hub, file, dest)

    assert "already being downloaded by another Hearth window or process" in (caught.value.message)
    worker.finish()
    assert worker.error is None
    assert dest.read_bytes() == file.data
    assert len(fake_hub.requests_for("slow.gguf", method="GET")) == 1


def test_two_different_files_at_once(fake_hub: FakeHub, models_dir: Path) -> None:
    files = [fake_hub.add_file(REPO, f"part-{n}.gguf", size=700_000) for n in (1, 2)]
    for file in files:
        fake_hub.faults(REPO, file.filename).throttle_bps = 2 * SLOW
    workers = [
        Worker(lambda f=file: download(fake_hub, f, models_dir / f.filename)) for file in files
    ]
    for worker in workers:
        worker.start()
    for worker, file in zip(workers, files, strict=True):
        worker.finish()
        assert worker.error is None
        assert (models_dir / file.filename).read_bytes() == file.data
