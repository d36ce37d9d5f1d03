"""Files a download keeps next to its destination, and the lock that guards them.

For a destination ``model.gguf``:

- ``model.gguf.part``: the bytes received so far, always a prefix of the real file;
- ``model.gguf.part.json``: the sidecar, saying what the ``.part`` is a prefix *of* (repo,
  filename, revision, sha256, size). A ``.part`` is resumed only when its sidecar matches the
  request; a ``.part`` without a sidecar is never trusted (and never deleted by cleanup: it
  may not be Hearth's);
- ``model.gguf.lock``: held (``flock``/``msvcrt.locking``, non-blocking) by the one process
  or thread downloading that file. The OS drops the lock when its holder dies, so a crash
  never leaves a file locked; the lock file itself is removed on release.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from app.errors import DownloadBusyError

__all__ = [
    "FileLock",
    "PartialInfo",
    "clean_stale_partials",
    "discard_partial",
    "lock_path",
    "part_path",
    "read_sidecar",
    "remove_partial",
    "resumable_bytes",
    "sidecar_path",
    "start_partial",
    "write_sidecar",
]

SIDECAR_VERSION = 1


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def sidecar_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part.json")


def lock_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".lock")


@dataclass(frozen=True)
class PartialInfo:
    """What a ``.part`` file is a prefix of (the sidecar's content)."""

    repo: str
    filename: str
    revision: str
    sha256: str
    size: int
    url: str = ""  # the hub's resolve URL (never a signed CDN URL), for people reading it


def write_sidecar(dest: Path, info: PartialInfo) -> None:
    """Write the sidecar atomically (a torn sidecar would not match, so would restart)."""
    target = sidecar_path(dest)
    temp = target.with_name(target.name + ".tmp")
    temp.write_text(json.dumps({"version": SIDECAR_VERSION, **asdict(info)}, indent=1))
    os.replace(temp, target)


def read_sidecar(dest: Path) -> PartialInfo | None:
    """The sidecar's content, or None when missing or unreadable."""
    try:
        data: Any = json.loads(sidecar_path(dest).read_text())
        if data.pop("version", None) != SIDECAR_VERSION:
            return None
        return PartialInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def resumable_bytes(dest: Path, wanted: PartialInfo) -> int:
    """How many bytes of an earlier attempt at `wanted` can be kept (0: start over): all of
    the ``.part``, if its sidecar describes the same file (the URL aside) and it is not too
    long. Whether those bytes are right, only the final sha256 tells."""
    part, found = part_path(dest), read_sidecar(dest)
    if found is None or not part.is_file() or found != replace(wanted, url=found.url):
        return 0
    size = part.stat().st_size
    return size if size <= wanted.size else 0


def start_partial(dest: Path, info: PartialInfo, *, keep: bool) -> None:
    """Make sure a ``.part`` and its sidecar describing `info` exist: the bytes already there
    if `keep`, else an empty file."""
    if not keep:
        remove_partial(dest)
    write_sidecar(dest, info)
    part_path(dest).touch()


def remove_partial(dest: Path) -> None:
    """Delete the ``.part`` and its sidecar (whatever exists)."""
    for path in (part_path(dest), sidecar_path(dest)):
        path.unlink(missing_ok=True)


class FileLock:
    """A non-blocking, exclusive lock on ``<dest>.lock``, between processes and threads.

    `flock` locks belong to an open file, so two threads of one process exclude each other too.
    The lock file is deleted on release; `acquire` checks that the file it locked is still the
    one at the path, so a racing holder that just deleted it cannot give two owners.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if free; False if someone holds it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                return False
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return True
            os.close(fd)  # the holder before us deleted it on release: lock the new one

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):  # Windows cannot delete an open file: left behind
            self.path.unlink()
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> FileLock:
        """Hold the lock for the block (taken now unless already held); raises
        `BlockingIOError` if someone else holds it."""
        if self._fd is None and not self.acquire():
            raise BlockingIOError(f"{self.path} is held by another download")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def busy_error(dest: Path) -> DownloadBusyError:
    return DownloadBusyError(
        f"{dest.name} is already being downloaded by another Hearth window or process. "
        "Let that download finish (or stop it there) and try again."
    )


def discard_partial(dest: Path) -> bool:
    """Delete a paused download's ``.part`` and sidecar (what "cancel" means for a download
    that is not running). True if there was something to delete; raises `DownloadBusyError`
    while the file is being downloaded."""
    lock = FileLock(lock_path(dest))
    if not lock.acquire():
        raise busy_error(dest)
    with lock:
        existed = part_path(dest).exists() or sidecar_path(dest).exists()
        remove_partial(dest)
        return existed


def clean_stale_partials(
    folder: Path, older_than_days: float = 7, *, now: float | None = None
) -> list[Path]:
    """Delete abandoned downloads under `folder`: ``.part`` files with a Hearth sidecar, not
    being downloaded, untouched for `older_than_days`; and sidecars whose ``.part`` is gone.
    Returns the deleted paths."""
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    removed: list[Path] = []
    for sidecar in sorted(folder.rglob("*.part.json")):
        dest = sidecar.with_name(sidecar.name.removesuffix(".part.json"))
        part = part_path(dest)
        if _newest_mtime(part, sidecar) > cutoff:
            continue
        lock = FileLock(lock_path(dest))
        if not lock.acquire():
            continue  # being downloaded right now
        with lock:
            for path in (part, sidecar):
                if path.exists():
                    path.unlink()
                    removed.append(path)
    return removed


def _newest_mtime(*paths: Path) -> float:
    newest = float("-inf")
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            newest = max(newest, path.stat().st_mtime)
    return newest
