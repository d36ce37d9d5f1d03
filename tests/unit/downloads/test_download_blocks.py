"""A download's bytes are written and hashed on a thread of their own, in large blocks
(app/catalog/download_blocks.py); its errors reach the caller."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import sys
import threading
from pathlib import Path

import pytest

from app.catalog import download_blocks
from app.catalog.download_blocks import BLOCK, BlockWriter
from app.catalog.download_storage import part_path, sidecar_path
from app.catalog.download_writer import PartialWriter


class RecordingFile(io.BytesIO):
    """A file in memory that notes the size of each write and the thread that made it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[int, str]] = []

    def write(self, data: object) -> int:
        self.writes.append((len(data), threading.current_thread().name))  # type: ignore[arg-type]
        return super().write(data)  # type: ignore[arg-type]


def pieces(total: int, size: int = 64 * 1024) -> list[bytes]:
    data = (bytes(range(256)) * (total // 256 + 1))[:total]
    return [data[start : start + size] for start in range(0, total, size)]


def test_pieces_are_written_and_hashed_in_blocks_on_another_thread() -> None:
    file, hasher = RecordingFile(), hashlib.sha256()
    writer = BlockWriter(file, hasher)
    given = pieces(2 * BLOCK + 1000)
    handed = [writer.add(piece) for piece in given]
    writer.drain()

    assert file.getvalue() == b"".join(given)
    assert hasher.hexdigest() == hashlib.sha256(b"".join(given)).hexdigest()
    assert [size for size, _ in file.writes] == [BLOCK, BLOCK, 1000]
    assert {name for _, name in file.writes} == {"hearth-download-writer"}
    assert sum(handed) == 2  # the caller is told when a block left (to report progress)
    assert not any(t.name == "hearth-download-writer" for t in threading.enumerate())


def test_the_writing_thread_starts_again_after_a_drain() -> None:
    file, hasher = RecordingFile(), hashlib.sha256()
    writer = BlockWriter(file, hasher)
    writer.add(b"first")
    writer.drain()
    writer.add(b" second")
    writer.drain()
    assert file.getvalue() == b"first second"
    assert hasher.hexdigest() == hashlib.sha256(b"first second").hexdigest()


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_each_block_is_sent_on_to_the_disk_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    advised: list[tuple[int, int, int]] = []
    monkeypatch.setattr(
        download_blocks.os, "posix_fadvise", lambda fd, *region: advised.append(region)
    )
    with (tmp_path / "part").open("wb") as file:
        writer = BlockWriter(file, hashlib.sha256())
        for piece in pieces(2 * BLOCK + 10):
            writer.add(piece)
        writer.drain()
    dontneed = download_blocks.DONTNEED
    assert advised == [(0, BLOCK, dontneed), (BLOCK, BLOCK, dontneed), (2 * BLOCK, 10, dontneed)]


def test_without_posix_fadvise_the_file_is_synced_as_it_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.delattr(download_blocks.os, "posix_fadvise", raising=False)
    monkeypatch.setattr(download_blocks, "SYNC_EVERY", 2 * BLOCK)
    monkeypatch.setattr(download_blocks.os, "fsync", synced.append)
    with (tmp_path / "part").open("wb") as file:
        writer = BlockWriter(file, hashlib.sha256())
        for piece in pieces(5 * BLOCK):
            writer.add(piece)
        writer.drain()
        assert synced == [file.fileno()] * 2  # after blocks 2 and 4; the final fsync is later


@pytest.mark.skipif(sys.platform != "linux", reason="/dev/full is Linux's")
def test_a_full_disk_on_the_writing_thread_reaches_the_caller(tmp_path: Path) -> None:
    dest = tmp_path / "model.gguf"
    part_path(dest).symlink_to("/dev/full")  # every write fails: no space left
    sidecar_path(dest).write_text("{}")
    size = 3 * BLOCK
    with (
        pytest.raises(OSError) as caught,  # noqa: PT011 (the errno is checked below)
        PartialWriter(dest, dest.name, size, "0" * 64) as writer,
    ):
        for piece in pieces(size):
            writer.write(piece)
        writer.finish()
    assert caught.value.errno == errno.ENOSPC
    assert not any(t.name == "hearth-download-writer" for t in threading.enumerate())
