"""One request at a time on the engine.

A model answers one request at a time (llama.cpp holds one conversation in its KV cache,
and the engine process takes one request at a time), so requests take turns. A request that
arrives while another is being answered waits for its turn, up to `wait_seconds` (five
minutes by default: long enough for a long reply, short enough that a stuck client hears
back); then it is told the model is busy (HTTP 429, which OpenAI clients retry by
themselves). Closing the gate sends the waiting requests away at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_WAIT_SECONDS = 300.0


class EngineBusy(Exception):  # noqa: N818 (an outcome, not a failure of the gate)
    """Another request kept the engine for longer than a request may wait."""


class GateClosed(Exception):  # noqa: N818
    """The server is stopping: no new request starts."""


class EngineGate:
    """Lets one holder at a time through `turn()`; safe from any thread."""

    def __init__(self, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._changed = threading.Condition()
        self._busy = False
        self._closed = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the engine for the block; EngineBusy or GateClosed if the turn never came."""
        with self._changed:
            free = self._changed.wait_for(
                lambda: self._closed or not self._busy, timeout=self.wait_seconds
            )
            if self._closed:
                raise GateClosed
            if not free:
                raise EngineBusy
            self._busy = True
        try:
            yield
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()

    @property
    def busy(self) -> bool:
        with self._changed:
            return self._busy

    def close(self) -> None:
        """Turn new requests away, the waiting ones included; the running one goes on."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to `timeout` for the running request to end; True if none runs now."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._busy, timeout=timeout)
