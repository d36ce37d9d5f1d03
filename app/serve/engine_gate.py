"""One request at a time on the engine.

A model answers one request at a time (llama.cpp holds one conversation in its KV cache,
and the engine process takes one request at a time), so requests take turns. A request that
arrives while another is being answered waits for its turn, up to `wait_seconds` (five
minutes by default: long enough for a long reply, short enough that a stuck client hears
back); then it is told the model is busy (HTTP 429, which OpenAI clients retry by
themselves). Closing the gate sends the waiting requests away at once.

Gates can share one engine (`sharing()`): the window keeps a gate for its own jobs and gives
each local API server it starts a gate sharing it. One holder at a time among all of them;
but each gate is closed on its own, and `busy`, `wait_idle` and `if_holding` speak of its
own holder only, so stopping the API neither turns the window's jobs away nor waits for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DEFAULT_WAIT_SECONDS = 300.0


class EngineBusy(Exception):  # noqa: N818 (an outcome, not a failure of the gate)
    """Another request kept the engine for longer than a request may wait."""


class GateClosed(Exception):  # noqa: N818
    """The server is stopping: no new request starts."""


class TurnGivenUp(Exception):  # noqa: N818
    """The one waiting gave up (`given_up` became true) before its turn came."""


class _SharedEngine:
    """What gates sharing one engine have in common: one lock, and whether it is held."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.held = False


def _never() -> bool:
    return False


class EngineGate:
    """Lets one holder at a time through `turn()`; safe from any thread. `wait_seconds`
    None: a turn waits as long as it takes (until given up or closed)."""

    def __init__(
        self,
        wait_seconds: float | None = DEFAULT_WAIT_SECONDS,
        *,
        _shared: _SharedEngine | None = None,
    ) -> None:
        self.wait_seconds = wait_seconds
        self._shared = _shared or _SharedEngine()
        self._changed = self._shared.changed
        self._holding = False
        self._closed = False

    def sharing(self, wait_seconds: float | None = DEFAULT_WAIT_SECONDS) -> EngineGate:
        """A new, open gate onto the same engine (see the module docstring)."""
        return EngineGate(wait_seconds, _shared=self._shared)

    @contextmanager
    def turn(self, *, given_up: Callable[[], bool] = _never, wait: bool = True) -> Iterator[None]:
        """Hold the engine for the block. EngineBusy, GateClosed or TurnGivenUp if the turn
        never came. `given_up` is asked whenever the wait is woken (see `wake()`); with
        `wait` False the turn is taken only if the engine is free now."""
        with self._changed:
            free = self._changed.wait_for(
                lambda: self._closed or given_up() or not self._shared.held,
                timeout=self.wait_seconds if wait else 0,
            )
            if self._closed:
                raise GateClosed
            if given_up():
                raise TurnGivenUp
            if not free:
                raise EngineBusy
            self._shared.held = self._holding = True
        try:
            yield
        finally:
            with self._changed:
                self._shared.held = self._holding = False
                self._changed.notify_all()

    @property
    def busy(self) -> bool:
        """Whether a turn of this gate holds the engine."""
        with self._changed:
            return self._holding

    @property
    def taken(self) -> bool:
        """Whether any gate sharing the engine holds it."""
        with self._changed:
            return self._shared.held

    def if_holding(self, action: Callable[[], object]) -> None:
        """Run `action` (e.g. cancel the engine's request) only if this gate holds the
        engine; the turn cannot end meanwhile, so the action never reaches another's."""
        with self._changed:
            if self._holding:
                action()

    def wake(self) -> None:
        """Have the waiting turns ask their `given_up` again."""
        with self._changed:
            self._changed.notify_all()

    def close(self) -> None:
        """Turn new requests away, the waiting ones included; the running one goes on."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to `timeout` for this gate's running request to end; True if none runs."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._holding, timeout=timeout)
