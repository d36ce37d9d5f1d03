"""The ``.part`` file of a running download: bytes appended and hashed as they arrive (on a
thread of their own, in large blocks: download_blocks), then verified, made durable and moved
onto the destination in one step.

A file that does not match its sha256 (or grew past its size) is a `ChecksumMismatchError`:
it can never become right by resuming, so the caller deletes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from app.catalog.download_blocks import BlockWriter
from app.catalog.download_storage import part_path, sidecar_path
from app.errors import ChecksumMismatchError

__all__ = ["CHUNK", "PartialWriter", "hash_prefix"]

CHUNK = 1024 * 1024  # file write buffer and re-hash read size


def hash_prefix(
    file: IO[bytes],
    length: int,
    *,
    check_stop: Callable[[], None],
    hashed: Callable[[int], None],
) -> hashlib._Hash:
    """sha256 of the first `length` bytes of `file`; leaves the position at `length`.

    `check_stop()` runs before each block and may raise (a pause while re-checking gigabytes);
    `hashed(bytes_so_far)` runs after each block, to report progress."""
    digest = hashlib.sha256()
    file.seek(0)
    remaining = length
    while remaining > 0:
        check_stop()
        block = file.read(min(CHUNK, remaining))
        if not block:
            break
        digest.update(block)
        remaining -= len(block)
        hashed(length - remaining)
    return digest


class PartialWriter:
    """Writes `dest`'s ``.part`` (which must exist) for a file of `size` bytes and `sha256`.

    Use it as a context manager: the file is open inside. `resume` keeps the first `offset`
    bytes already there (re-hashing them), `write` appends, `restart` drops everything,
    `finish` verifies and installs the file at `dest`. `offset` counts the bytes written
    so far, including those the writing thread has still to write: every method but
    `write` waits for it first.
    """

    def __init__(self, dest: Path, filename: str, size: int, sha256: str) -> None:
        self.dest = dest
        self.filename = filename
        self.size = size
        self.sha256 = sha256
        self.offset = 0
        self._hasher = hashlib.sha256()
        self._file: IO[bytes] | None = None
        self._blocks: BlockWriter | None = None

    def __enter__(self) -> PartialWriter:
        self._file = part_path(self.dest).open("r+b", buffering=CHUNK)
        self._blocks = BlockWriter(self._file, self._hasher)
        return self

    def __exit__(self, exc_type: object = None, *exc: object) -> None:
        if self._file is None:
            return
        try:
            if exc_type is None:
                self._drain()
            else:  # already failing: keep what can be written, report the first problem
                with contextlib.suppress(Exception):
                    self._drain()
        finally:
            self._file.close()
            self._file = None
            self._blocks = None

    def _drain(self) -> None:
        """Wait until the writing thread has written and hashed every byte given."""
        assert self._blocks is not None, "PartialWriter used outside its with block"
        self._blocks.drain()

    @property
    def file(self) -> IO[bytes]:
        assert self._file is not None, "PartialWriter used outside its with block"
        return self._file

    def resume(
        self, offset: int, *, check_stop: Callable[[], None], hashed: Callable[[int], None]
    ) -> None:
        """Keep the first `offset` bytes (hashed again: the sha256 covers the whole file)."""
        self._drain()
        self._set_hasher(hash_prefix(self.file, offset, check_stop=check_stop, hashed=hashed))
        self.offset = offset

    def seek_end(self) -> None:
        """Put the file's position where the next byte goes (after a failed attempt)."""
        self._drain()
        self.file.seek(self.offset)

    def write(self, piece: bytes) -> bool:
        """Append `piece`; True when a block went to the writing thread (a moment to report
        progress: that happens every few MB, not at every piece)."""
        if self.offset + len(piece) > self.size:
            raise ChecksumMismatchError(
                f"The server sent more bytes than {self.filename} has; the partial "
                "file was deleted. Try again."
            )
        assert self._blocks is not None, "PartialWriter used outside its with block"
        handed = self._blocks.add(piece)
        self.offset += len(piece)
        return handed

    def restart(self) -> None:
        """Forget every byte: the server sends the file from its first byte."""
        self._drain()
        self.file.seek(0)
        self.file.truncate()
        self.offset = 0
        self._set_hasher(hashlib.sha256())

    def _set_hasher(self, hasher: hashlib._Hash) -> None:
        self._hasher = hasher
        assert self._blocks is not None
        self._blocks.hasher = hasher

    def finish(self) -> None:
        """Check size and sha256, make the bytes durable and move them onto `dest`; the
        sidecar goes. Raises `ChecksumMismatchError` (the caller deletes the part)."""
        self._drain()
        file = self.file
        file.flush()
        os.fsync(file.fileno())
        self.__exit__()  # closed before the rename: Windows cannot rename an open file
        if self.offset != self.size or self._hasher.hexdigest() != self.sha256:
            raise ChecksumMismatchError(
                f"The downloaded file {self.filename} does not match its published "
                "checksum; it was deleted. Try again."
            )
        os.replace(part_path(self.dest), self.dest)
        _fsync_folder(self.dest.parent)
        sidecar_path(self.dest).unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows cannot open folders this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
