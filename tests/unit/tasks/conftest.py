"""A history file and a recording engine for the task tests (each test gets its own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import History
from tests.support.recording_engine import RecordingEngine


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db") as opened:
        yield opened


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[RecordingEngine]:
    with RecordingEngine(tmp_path / "engine.log") as engine:
        yield engine
