"""The parts of a download the caller sees: progress events, pause/cancel, retry pacing.

Kept apart from the transfer itself (app/catalog/download.py) so the UI can import them without
pulling in any HTTP code.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.errors import DownloadCancelled, DownloadPaused

__all__ = [
    "BackoffPolicy",
    "DownloadControl",
    "DownloadProgress",
    "DownloadState",
    "ProgressReporter",
]

DownloadState = Literal["checking", "downloading", "retrying", "verifying", "done"]
StopRequest = Literal["pause", "cancel"]


@dataclass(frozen=True)
class DownloadProgress:
    """One progress event. `downloaded` counts bytes on disk (resumed bytes included)."""

    state: DownloadState
    downloaded: int
    total: int | None
    rate: float  # bytes per second, smoothed; 0 until measured
    eta_s: float | None
    attempt: int  # 1 for the first try; grows with consecutive failures
    message: str = ""

    @property
    def fraction(self) -> float | None:
        return self.downloaded / self.total if self.total else None


class DownloadControl:
    """Pause or cancel a running download from any thread.

    `pause()` stops it and keeps the partial file (the download raises `DownloadPaused`; running
    it again resumes). `cancel()` stops it and deletes the partial file (`DownloadCancelled`).
    Cancel wins over pause. The download checks between chunks; a blocked read (a stalled
    server) and a wait between retries are interrupted at once. One control per run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._request: StopRequest | None = None
        self._interrupt: Callable[[], None] | None = None

    def pause(self) -> None:
        self._stop("pause")

    def cancel(self) -> None:
        self._stop("cancel")

    @property
    def stop_request(self) -> StopRequest | None:
        with self._lock:
            return self._request

    def raise_if_stopped(self, filename: str, fraction: float | None = None) -> None:
        """Raise `DownloadCancelled` or `DownloadPaused` (saying how far it got) if asked."""
        request = self.stop_request
        if request == "cancel":
            raise DownloadCancelled(
                f"The download of {filename} was cancelled; its partial file is deleted."
            )
        if request == "pause":
            done = f" at {fraction:.0%}" if fraction is not None else ""
            raise DownloadPaused(
                f"The download of {filename} is paused{done}. Resume it to continue where it "
                "stopped."
            )

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True (at once) if a stop was requested."""
        return self._stopped.wait(max(0.0, seconds))

    def set_interrupt(self, interrupt: Callable[[], None] | None) -> None:
        """Register what unblocks the current network read (None when there is none)."""
        with self._lock:
            self._interrupt = interrupt
            pending = interrupt if self._request is not None else None
        if pending is not None:
            pending()

    def _stop(self, request: StopRequest) -> None:
        with self._lock:
            if self._request != "cancel":
                self._request = request
            interrupt = self._interrupt
        self._stopped.set()
        if interrupt is not None:
            interrupt()


@dataclass(frozen=True)
class BackoffPolicy:
    """Exponential backoff with jitter: base, 2 x base, 4 x base ... capped at `cap` seconds.

    Each wait is shortened by up to `jitter` (a fraction) at random, so many clients that
    failed together do not all come back together. A server's ``Retry-After`` is honoured up to
    `cap`.
    """

    base: float = 1.0
    cap: float = 30.0
    jitter: float = 0.5

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        exponent = max(0, failures - 1)
        wait = min(self.cap, self.base * 2.0 ** min(exponent, 30))
        wait *= 1.0 - self.jitter * random.random()
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait


class ProgressReporter:
    """Sends `DownloadProgress` events: every state change, and at most `per_second` updates
    while downloading. The rate is an exponential moving average of the bytes transferred in
    this run (bytes resumed from disk do not count)."""

    def __init__(
        self,
        callback: Callable[[DownloadProgress], None] | None,
        *,
        per_second: float = 10.0,
        smoothing: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._callback = callback
        self._interval = 1.0 / per_second
        self._smoothing = smoothing
        self._clock = clock
        self._state: DownloadState | None = None
        self._last_emit = float("-inf")
        self._sample: tuple[float, int] | None = None  # (time, bytes) at the last rate sample
        self.rate = 0.0
        self.total: int | None = None
        self.attempt = 1

    def emit(
        self, state: DownloadState, downloaded: int, message: str = "", *, force: bool = False
    ) -> None:
        """Send an event now if the state changed (or `force`), else only if the last one is
        old enough."""
        now = self._clock()
        if not force and state == self._state and now - self._last_emit < self._interval:
            return
        if state == "downloading":
            self._measure(now, downloaded)
        else:
            self._sample = None  # the next transfer starts a new measurement
        self._state = state
        self._last_emit = now
        if self._callback is None:
            return
        eta = None
        if self.total is not None and self.rate > 0 and state == "downloading":
            eta = max(0, self.total - downloaded) / self.rate
        self._callback(
            DownloadProgress(state, downloaded, self.total, self.rate, eta, self.attempt, message)
        )

    def _measure(self, now: float, downloaded: int) -> None:
        if self._sample is not None:
            then, before = self._sample
            if now > then and downloaded >= before:
                instant = (downloaded - before) / (now - then)
                a = self._smoothing
                self.rate = instant if self.rate == 0 else a * instant + (1 - a) * self.rate
        self._sample = (now, downloaded)
