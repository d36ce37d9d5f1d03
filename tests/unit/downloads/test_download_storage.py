"""The files a download keeps beside its destination (app/catalog/download_storage.py): the
lock, discarding a paused download, and cleaning up abandoned ones."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.catalog.download_storage import (
    FileLock,
    clean_stale_partials,
    discard_partial,
    lock_path,
    part_path,
    sidecar_path,
)
from app.errors import DownloadBusyError
from tests.support.fake_hub import FakeHub


def test_the_lock_excludes_threads_and_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf.lock"
    first, second = FileLock(path), FileLock(path)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert not path.exists()
    assert second.acquire()
    second.release()


def test_discard_partial(fake_hub: FakeHub, models_dir: Path) -> None:
    dest = models_dir / "a.gguf"
    part_path(dest).write_bytes(b"123")
    sidecar_path(dest).write_text("{}")
    assert discard_partial(dest) is True
    assert list(models_dir.iterdir()) == []
    assert discard_partial(dest) is False

    holder = FileLock(lock_path(dest))
    assert holder.acquire()
    with holder, pytest.raises(DownloadBusyError):
        discard_partial(dest)


def test_clean_stale_partials(models_dir: Path) -> None:
    def partial(name: str, *, days_old: float, sidecar: bool = True, part: bool = True) -> Path:
        dest = models_dir / name
        old = time.time() - days_old * 86400
        for path, wanted in ((part_path(dest), part), (sidecar_path(dest), sidecar)):
            if wanted:
                path.write_bytes(b"x")
                os.utime(path, (old, old))
        return dest

    old = partial("old.gguf", days_old=8)
    fresh = partial("fresh.gguf", days_old=1)
    busy = partial("busy.gguf", days_old=30)
    foreign = partial("foreign.gguf", days_old=30, sidecar=False)  # not Hearth's
    orphan = partial("orphan.gguf", days_old=30, part=False)
    (models_dir / "model.gguf").write_bytes(b"installed")

    holder = FileLock(lock_path(busy))
    assert holder.acquire()
    with holder:
        removed = clean_stale_partials(models_dir, older_than_days=7)

    assert sorted(removed) == sorted([part_path(old), sidecar_path(old), sidecar_path(orphan)])
    for kept in (part_path(fresh), part_path(busy), sidecar_path(busy), part_path(foreign)):
        assert kept.exists()
    assert (models_dir / "model.gguf").exists()
    assert not lock_path(old).exists()
