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
5. Stream ``GET`` with ``Range: bytes=N-``, writing and hashing as bytes arrive (on a thread
   of their own, in blocks of a few MB: download_blocks). No bytes for
   `stall_timeout` seconds, a dropped connection, HTTP 5xx/408/429: wait (exponential backoff
   with jitter) and resume from the current offset. `max_retries` counts consecutive failures
   that brought no new byte, so a long download over a flaky link still finishes.
6. Verify size and sha256, fsync, `os.replace` onto the destination, remove sidecar and lock.
   A mismatch deletes the partial file: it can never become right by resuming.

Only HEAD and GET requests for the file itself are made: no telemetry, no other call.

This module runs the steps; the pieces are beside it: download_checks (step 1's verdict and
step 4), download_storage (the files and the lock of steps 2-3), download_http (one attempt of
step 5) and download_connection (how it reaches the server), download_writer (the ``.part``
being written, and step 6) and download_blocks (its writing thread), download_control
(progress, pause/cancel, backoff).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from app.catalog.download_checks import PinnedFile, check_disk_space, pinned_file
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
    remove_partial,
    resumable_bytes,
    start_partial,
)
from app.catalog.download_writer import PartialWriter, hash_prefix
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


_NOT_YET_KNOWN = PinnedFile(sha256="", size=0)  # until the hub has described the file


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
    kept: int = 0  # bytes of an earlier attempt kept (before the transfer starts)
    target: PinnedFile = _NOT_YET_KNOWN
    remote: RemoteFile | None = None
    url_refreshed: bool = False  # a fresh download URL was fetched, with no success since
    writer: PartialWriter | None = None  # the .part file, open during the transfer

    @property
    def dest(self) -> Path:
        return self.request.dest

    @property
    def size(self) -> int:
        return self.target.size

    @property
    def offset(self) -> int:
        """Bytes of the file on disk so far."""
        return self.writer.offset if self.writer is not None else self.kept

    # -- the steps ---------------------------------------------------------------------------
    def run(self) -> Path:
        try:
            self.check_stop()
            self.reporter.emit("checking", 0, "Asking the model hub about the file")
            self.remote = self._fetch_metadata()
            request = self.request
            self.target = pinned_file(self.remote, request.expected_sha256, request.expected_size)
            self.reporter.total = self.size
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
            self.kept = resumable_bytes(self.dest, self._partial_info())
            free = self.disk_free(self.dest.parent)
            check_disk_space(self.request.filename, self.dest.parent, self.target, self.kept, free)
            start_partial(self.dest, self._partial_info(), keep=self.kept > 0)
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

    def _already_downloaded(self) -> bool:
        """True if `dest` already holds the verified file (nothing to fetch)."""
        if not self.dest.is_file() or self.dest.stat().st_size != self.size:
            return False
        with self.dest.open("rb") as file:
            digest = hash_prefix(
                file,
                self.size,
                check_stop=self.check_stop,
                hashed=self._checked("Checking the file already there"),
            )
        if digest.hexdigest() != self.target.sha256:
            return False
        self.reporter.emit("done", self.size, "Already downloaded and verified")
        return True

    def _checked(self, message: str) -> Callable[[int], None]:
        """Reports bytes re-hashed so far as a "checking" event with `message`."""
        return lambda done: self.reporter.emit("checking", done, message)

    def _partial_info(self) -> PartialInfo:
        r, url = self.request, self.remote.url if self.remote else ""
        return PartialInfo(r.repo, r.filename, r.revision, self.target.sha256, self.size, url)

    def _transfer(self) -> None:
        writer = PartialWriter(self.dest, self.request.filename, self.size, self.target.sha256)
        try:
            with writer:
                message = f"Checking the {human_size(self.kept)} already here"
                writer.resume(self.kept, check_stop=self.check_stop, hashed=self._checked(message))
                self.writer = writer
                self._receive_all()
                self.reporter.emit("verifying", self.offset, "Verifying the checksum")
                writer.finish()
        except OSError as exc:
            raise DownloadError(
                f"Hearth could not write {part_path(self.dest)} ({exc.strerror or exc}). Check "
                "the disk and run the download again; it resumes where it stopped."
            ) from exc

    def _receive_all(self) -> None:
        assert self.writer is not None
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
                self.writer.seek_end()
                fetch(get, self, self.control)
            except RetryableError as retry:
                if self.offset > started:
                    self.failures = 0  # progress was made: this is a new run of failures
                refresh = retry.refresh_url
                self._failed(retry)

    # -- the Sink that download_http.fetch writes into ---------------------------------------
    def started(self) -> None:
        self.url_refreshed = False  # the URL works
        self.reporter.attempt = self.failures + 1
        self.reporter.emit("downloading", self.offset, "Downloading")

    def write(self, piece: bytes) -> None:
        assert self.writer is not None
        if self.writer.write(piece):  # a block went to the writing thread
            self.check_stop()  # (a stop also interrupts the read itself, at once)
        self.reporter.emit("downloading", self.offset, "Downloading")

    def restart(self) -> None:
        assert self.writer is not None
        self.writer.restart()

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
        fraction = self.offset / self.size if self.size else None
        self.control.raise_if_stopped(self.request.filename, fraction)
