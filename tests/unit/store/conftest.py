"""Store fixtures: a real history file in tmp_path, with a clock that ticks on each read.

A ticking clock keeps "newest first" orderings deterministic: two writes in the same
millisecond would otherwise tie.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.store import History
from app.store.timestamps import utc_timestamp


class TickingClock:
    """Returns a timestamp one second later on every call."""

    def __init__(self) -> None:
        self._moment = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> str:
        self._moment += timedelta(seconds=1)
        return utc_timestamp(self._moment)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "hearth.db"


@pytest.fixture
def history(db_path: Path) -> Iterator[History]:
    with History.open(db_path, now=TickingClock()) as opened:
        yield opened
