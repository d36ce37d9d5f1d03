"""Hearth's own resumable, verified model download.

huggingface_hub's `hf_hub_download` cannot resume across runs (each attempt writes a new
``*.incomplete`` file) and checks only the size. So Hearth does it itself:

1. HEAD the file on the hub (`file_metadata`): size, sha256, and where the bytes are (the hub,
   or a CDN after a redirect). The token, if the user set one, goes to the hub only.
2. Lock the destination (``<dest>.lock``): a second download of the same file, from another
   window, process or thread, is refused at once with `DownloadBusyError` rather than left
   waiting behind the first: the other window already shows that download's progress.
3. Resume ``<dest>.part`` when its sidecar (``<dest>.part.json``) describes the same file
   (revision, sha256, size); otherwise start over. The bytes already there are re-hashed to
   seed the sha256.
4. Check the free disk space for the rest (plus 1 %), before fetching anything.
5. Stream ``GET`` with ``Range: bytes=N-``, writing and hashing as bytes arrive. No bytes for
   `stall_timeout` seconds, a dropped connection, HTTP 5xx/408/429: wait (exponential backoff
   with jitter) and resume from the current offset. `max_retries` counts consecutive failures
   that brought no new byte, so a long download over a flaky link still finishes.
6. Verify size and sha256, fsync, `os.replace` onto the destination, remove sidecar and lock.
   A mismatch deletes the partial file: it can never become right by resuming.

Only HEAD and GET requests for the file itself are made: no telemetry, no other call.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from app.catalog.download_control import (
    BackoffPolicy,
    DownloadControl,
    DownloadProgress,
    ProgressReporter,
)
from app.catalog.download_http import CONNECT_TIMEOUT, RangeGet, RetryableError, fetch
from app.catalog.download_storage import (
    FileLock,
    PartialInfo,
    busy_error,
    clean_stale_partials,
    discard_partial,
    lock_path,
    part_path,
    read_sidecar,
    remove_partial,
    sidecar_path,
    write_sidecar,
)
from app.catalog.hub_connection import hub_endpoint
from app.catalog.hub_file import RemoteFile, file_metadata
from app.errors import (
    ChecksumMismatchError,
    DiskSpaceError,
    DownloadBusyError,
    DownloadCancelled,
    DownloadError,
    DownloadPaused,
    HubUnavailableError,
)
from app.units import human_size

__all__ = [
    "BackoffPolicy",
    "ChecksumMismatchError",
    "DiskSpaceError",
    "DownloadBusyError",
    "DownloadCancelled",
    "DownloadControl",
    "DownloadError",
    "DownloadPaused",
    "DownloadProgress",
    "DownloadRequest",
    "clean_stale_partials",
    "discard_partial",
    "download_file",
    "human_size",
]

CHUNK = 1024 * 1024  # file write buffer and re-hash read size
DISK_MARGIN = 0.01  # keep 1 % of the file size free on top of what the rest needs


@dataclass(frozen=True)
class DownloadRequest:
    """One file to download. `revision` should be a commit, so the bytes cannot change."""

    repo: str
    filename: str
    revision: str
    dest: Path  # the final file; the folder is created if needed
    expected_sha256: str | None = None  # from the catalog; else the hub's published sha256
    expected_size: int | None = None
    token: str | None = field(default=None, repr=False)  # sent to the hub only, if set


def download_file(
    request: DownloadRequest,
    *,
    on_progress: Callable[[DownloadProgress], None] | None = None,
    control: DownloadControl | None = None,
    stall_timeout: float = 30.0,
    max_retries: int = 8,
    backoff: BackoffPolicy | None = None,
    endpoint: str | None = None,
    disk_free: Callable[[Path], int] | None = None,
) -> Path:
    """Download `request` to `request.dest`, resuming any partial download; returns `dest`.

    Raises `DownloadPaused` / `DownloadCancelled` when `control` asks, `DownloadBusyError` if
    the file is being downloaded elsewhere, `DiskSpaceError`, `ChecksumMismatchError`, the hub
    errors of app/catalog/hub_errors.py (not found, gated), or `DownloadError` once `max_retries`
    consecutive attempts failed. `disk_free(folder)` returns free bytes (default:
    `shutil.disk_usage`). `on_progress` is called on this thread.
    """
    return _Download(
        request,
        reporter=ProgressReporter(on_progress),
        control=control or DownloadControl(),
        stall_timeout=stall_timeout,
        max_retries=max_retries,
        backoff=backoff or BackoffPolicy(),
        endpoint=(endpoint or hub_endpoint()).rstrip("/"),
        disk_free=disk_free or (lambda folder: shutil.disk_usage(folder).free),
    ).run()


@dataclass
class _Download:
    request: DownloadRequest
    reporter: ProgressReporter
    control: DownloadControl
    stall_timeout: float
    max_retries: int
    backoff: BackoffPolicy
    endpoint: str
    disk_free: Callable[[Path], int]
    failures: int = 0
    offset: int = 0
    sha256: str = ""
    size: int = 0
    remote: RemoteFile | None = None
    url_refreshed: bool = False  # a fresh download URL was fetched, with no success since
    file: IO[bytes] | None = None  # the .part file, open during the transfer
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)

    @property
    def dest(self) -> Path:
        return self.request.dest

    # -- the steps ---------------------------------------------------------------------------
    def run(self) -> Path:
        try:
            self.check_stop()
            self.reporter.emit("checking", 0, "Asking the model hub about the file")
            self.remote = self._fetch_metadata()
            self._set_target(self.remote)
            self.dest.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(lock_path(self.dest))
            if not lock.acquire():
                raise busy_error(self.dest)
            with lock:
                if not self._already_downloaded():
                    self._download()
        except DownloadCancelled:
            if self.dest.parent.is_dir():  # cancel means: keep nothing of this download
                with suppress(DownloadBusyError):
                    discard_partial(self.dest)
            raise
        return self.dest

    def _download(self) -> None:
        try:
            self.offset = self._resumable_offset()
            self._check_disk()
            self._start_partial()
            self._transfer()
        except ChecksumMismatchError:
            remove_partial(self.dest)
            raise
        self.reporter.emit("done", self.size, "Downloaded and verified")

    def _fetch_metadata(self) -> RemoteFile:
        request = self.request
        while True:
            self.check_stop()
            try:
                return file_metadata(
                    request.repo,
                    request.filename,
                    request.revision,
                    token=request.token,
                    endpoint=self.endpoint,
                    timeout=max(self.stall_timeout, CONNECT_TIMEOUT),
                )
            except HubUnavailableError as exc:
                self._failed(RetryableError(exc.message))

    def _set_target(self, remote: RemoteFile) -> None:
        name = self.request.filename
        expected = (self.request.expected_sha256 or "").lower() or None
        if expected and remote.sha256 and expected != remote.sha256:
            raise DownloadError(
                f"The model hub publishes a different checksum for {name} than Hearth's "
                "catalog expects, so the catalog entry is out of date. Nothing was downloaded."
            )
        size = self.request.expected_size
        if size is not None and remote.size is not None and size != remote.size:
            raise DownloadError(
                f"The model hub says {name} is {human_size(remote.size)}, but Hearth's "
                f"catalog expects {human_size(size)}. Nothing was downloaded."
            )
        sha256, size = expected or remote.sha256, size if size is not None else remote.size
        if sha256 is None or size is None:
            raise DownloadError(
                f"The model hub publishes no checksum or size for {name}, so Hearth could not "
                "verify it. Nothing was downloaded."
            )
        self.sha256, self.size = sha256, size
        self.reporter.total = size

    def _already_downloaded(self) -> bool:
        """True if `dest` already holds the verified file (nothing to fetch)."""
        if not self.dest.is_file() or self.dest.stat().st_size != self.size:
            return False
        with self.dest.open("rb") as file:
            digest = self._hash_prefix(file, self.size, "Checking the file already there")
        if digest.hexdigest() != self.sha256:
            return False
        self.reporter.emit("done", self.size, "Already downloaded and verified")
        return True

    def _resumable_offset(self) -> int:
        """How many bytes of an earlier attempt can be kept (0: start over)."""
        part, found = part_path(self.dest), read_sidecar(self.dest)
        if found is None or not part.is_file() or found != self._partial_info(found.url):
            return 0
        size = part.stat().st_size
        return size if size <= self.size else 0

    def _partial_info(self, url: str = "") -> PartialInfo:
        r = self.request
        return PartialInfo(r.repo, r.filename, r.revision, self.sha256, self.size, url)

    def _check_disk(self) -> None:
        needed = self.size - self.offset + math.ceil(self.size * DISK_MARGIN)
        free = self.disk_free(self.dest.parent)
        if free < needed:
            raise DiskSpaceError(
                f"Not enough disk space for {self.request.filename}: the download needs "
                f"{human_size(needed)} more, and only {human_size(free)} is free in "
                f"{self.dest.parent}. Free some space or choose another models folder, then "
                "try again."
            )

    def _start_partial(self) -> None:
        if self.offset == 0:
            remove_partial(self.dest)
        url = self.remote.url if self.remote else ""
        write_sidecar(self.dest, self._partial_info(url))
        part_path(self.dest).touch()

    def _transfer(self) -> None:
        part = part_path(self.dest)
        try:
            with part.open("r+b", buffering=CHUNK) as self.file:
                self.hasher = self._hash_prefix(
                    self.file, self.offset, f"Checking the {human_size(self.offset)} already here"
                )
                self._receive_all()
                self.reporter.emit("verifying", self.offset, "Verifying the checksum")
                self.file.flush()
                os.fsync(self.file.fileno())
            self.file = None
            self._verify()
            os.replace(part, self.dest)
            _fsync_folder(self.dest.parent)
            sidecar_path(self.dest).unlink(missing_ok=True)
        except OSError as exc:
            raise DownloadError(
                f"Hearth could not write {part} ({exc.strerror or exc}). Check the disk and "
                "run the download again; it resumes where it stopped."
            ) from exc

    def _receive_all(self) -> None:
        refresh = False
        while self.offset < self.size:
            if refresh:
                self.remote = self._fetch_metadata()
                self.url_refreshed = True
            assert self.remote is not None
            get = RangeGet(
                url=self.remote.download_url,
                size=self.size,
                endpoint=self.endpoint,
                token=self.request.token,
                stall_timeout=self.stall_timeout,
                may_refresh=not self.url_refreshed,
                repo=self.request.repo,
                filename=self.request.filename,
            )
            started = self.offset
            try:
                assert self.file is not None
                self.file.seek(self.offset)
                fetch(get, self, self.control)
            except RetryableError as retry:
                if self.offset > started:
                    self.failures = 0  # progress was made: this is a new run of failures
                refresh = retry.refresh_url
                self._failed(retry)

    def _verify(self) -> None:
        if self.offset != self.size or self.hasher.hexdigest() != self.sha256:
            raise ChecksumMismatchError(
                f"The downloaded file {self.request.filename} does not match its published "
                "checksum; it was deleted. Try again."
            )

    # -- the Sink that download_http.fetch writes into ---------------------------------------
    def started(self) -> None:
        self.url_refreshed = False  # the URL works
        self.reporter.attempt = self.failures + 1
        self.reporter.emit("downloading", self.offset, "Downloading")

    def write(self, piece: bytes) -> None:
        if self.offset + len(piece) > self.size:
            raise ChecksumMismatchError(
                f"The server sent more bytes than {self.request.filename} has; the partial "
                "file was deleted. Try again."
            )
        assert self.file is not None
        self.file.write(piece)
        self.hasher.update(piece)
        self.offset += len(piece)
        self.reporter.emit("downloading", self.offset, "Downloading")

    def restart(self) -> None:
        assert self.file is not None
        self.file.seek(0)
        self.file.truncate()
        self.offset = 0
        self.hasher = hashlib.sha256()

    # -- failures, stops ---------------------------------------------------------------------
    def _failed(self, retry: RetryableError) -> None:
        """Count a failure; wait before the next attempt, or give up."""
        self.failures += 1
        name = self.request.filename
        if self.failures > self.max_retries:
            saved = f" ({human_size(self.offset)} of {human_size(self.size)} are saved)"
            raise DownloadError(
                f"Downloading {name} failed {self.failures} times in a row. Last problem: "
                f"{retry.reason} Running the same download again resumes where it stopped"
                f"{saved if self.offset else ''}."
            )
        delay = self.backoff.delay(self.failures, retry.retry_after)
        self.reporter.attempt = self.failures + 1
        self.reporter.emit(
            "retrying",
            self.offset,
            f"{retry.reason} Trying again in {delay:.0f} s "
            f"(attempt {self.failures + 1} of {self.max_retries + 1}).",
            force=True,  # every retry is news
        )
        if self.control.wait(delay):
            self.check_stop()

    def check_stop(self) -> None:
        request = self.control.stop_request
        name = self.request.filename
        if request == "cancel":
            raise DownloadCancelled(
                f"The download of {name} was cancelled; its partial file is deleted."
            )
        if request == "pause":
            done = f" at {self.offset / self.size:.0%}" if self.size else ""
            raise DownloadPaused(
                f"The download of {name} is paused{done}. Resume it to continue where it stopped."
            )

    def _hash_prefix(self, file: IO[bytes], length: int, message: str) -> hashlib._Hash:
        """sha256 of the first `length` bytes of `file`; leaves the position at `length`."""
        digest = hashlib.sha256()
        file.seek(0)
        remaining = length
        while remaining > 0:
            self.check_stop()
            block = file.read(min(CHUNK, remaining))
            if not block:
                break
            digest.update(block)
            remaining -= len(block)
            self.reporter.emit("checking", length - remaining, message)
        return digest


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows cannot open folders this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
