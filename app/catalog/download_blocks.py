"""Writing and hashing a download's bytes on a thread of their own, in large blocks.

The network hands over pieces of 16 to 64 KiB. Writing and hashing each as it comes would keep the
receiving thread from reading while sha256 runs, and cost Python work per piece. So pieces
are gathered into blocks of `BLOCK` bytes and handed to a writing thread, which writes and
hashes a block while the next one arrives (both release the GIL). At most `IN_FLIGHT`
blocks wait, so memory stays bounded and a slow disk slows the download down instead of
filling memory. Each block written is sent on to the disk at once (see `_start_writeback`),
so the final fsync has little left to do and the disk works while the network does.

An error on the writing thread (a full disk) is raised on the caller's thread at its next
call, and at every call after: what follows it was not written. `drain()` returns once
every byte handed over is written and hashed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from typing import IO

__all__ = ["BLOCK", "IN_FLIGHT", "SYNC_EVERY", "BlockWriter"]

BLOCK = 1024 * 1024
IN_FLIGHT = 16
SYNC_EVERY = 16 * 1024 * 1024
DONTNEED = getattr(os, "POSIX_FADV_DONTNEED", 4)  # starts the write-back of dirty pages


class BlockWriter:
    """Appends to `file` (at its current position) and to `hasher`, a block at a time.

    `add(piece)` returns True when it handed a block to the writing thread: the moment to
    report progress or look for a stop. Call `drain()` before touching the file or the hash
    directly, and before reading them; the thread ends there and starts again with the next
    block.
    """

    def __init__(self, file: IO[bytes], hasher: hashlib._Hash) -> None:
        self.file = file
        self.hasher = hasher
        self._pieces: list[bytes] = []
        self._pending = 0  # bytes in self._pieces
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=IN_FLIGHT)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._unsynced = 0

    def add(self, piece: bytes) -> bool:
        self._raise_error()
        self._pieces.append(piece)
        self._pending += len(piece)
        if self._pending < BLOCK:
            return False
        self._hand_over()
        return True

    def drain(self) -> None:
        """Write and hash everything added so far; raise the writing thread's error, if any."""
        if self._pieces:
            self._hand_over()
        if self._thread is not None:
            self._blocks.put(None)
            self._thread.join()
            self._thread = None
        self._raise_error()

    def _hand_over(self) -> None:
        block = self._pieces[0] if len(self._pieces) == 1 else b"".join(self._pieces)
        self._pieces, self._pending = [], 0
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._write_blocks, name="hearth-download-writer", daemon=True
            )
            self._thread.start()
        self._blocks.put(block)

    def _write_blocks(self) -> None:
        while (block := self._blocks.get()) is not None:
            if self._error is not None:
                continue  # keep taking blocks so the caller never waits on a full queue
            try:
                self.file.write(block)
                self.hasher.update(block)
                self._start_writeback(len(block))
            except BaseException as exc:  # raised on the caller's thread (_raise_error)
                self._error = exc

    def _start_writeback(self, written: int) -> None:
        """Send the bytes just written on to the disk now, so it works while the network
        does and the final fsync has little left: on Linux by asking the kernel to start
        writing them back (without waiting), elsewhere with an fsync every SYNC_EVERY."""
        self.file.flush()
        if hasattr(os, "posix_fadvise"):
            end = self.file.tell()
            with contextlib.suppress(OSError):  # only advice: a file system may not take it
                os.posix_fadvise(self.file.fileno(), end - written, written, DONTNEED)
            return
        self._unsynced += written
        if self._unsynced >= SYNC_EVERY:
            os.fsync(self.file.fileno())
            self._unsynced = 0

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error
