"""Fixtures every test can use.

Every test runs with HEARTH_HOME pointing into its own temporary folder, so no test ever
touches the real home folder. Model fixtures live in tests/support/fixtures.py. Every test
also fails if it leaves a thread or a child process running: the autouse fixture
`no_leftovers` in tests/support/leaks.py (a plugin, so its own test can load it into an
inner pytest run), with its allow-lists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import LoadConfig

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

pytest_plugins = [
    "tests.support.leaks",
    "tests.support.fixtures",
    "tests.support.fake_hub",
    "pytester",  # tests/unit/test_leak_check.py runs an inner pytest session
]


@pytest.fixture(autouse=True)
def hearth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh portable Hearth home for each test."""
    home = tmp_path / "hearth-home"
    monkeypatch.setenv("HEARTH_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def isolated_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Servers' keys go to a file in this test's folder, never to the user's keyring; the
    file's path is yielded.

    The backend is keyrings.alt's PlaintextKeyring: a real keyring backend writing a real
    file, since test machines (CI, containers) have no keyring service (no D-Bus session,
    no Secret Service). This process uses it through `keyring.set_keyring`; `hearth` run in
    a subprocess finds it through PYTHON_KEYRING_BACKEND, which keyring reads first, and the
    backend puts its file under XDG_DATA_HOME (keyring.util.platform_.data_root, on Linux
    and macOS)."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    data_home = tmp_path / "keyring-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    backend = PlaintextKeyring()
    backend.file_path = str(data_home / "python_keyring" / backend.filename)
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield Path(backend.file_path)
    keyring.set_keyring(previous)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineClient]:
    """A real engine process; closed (and its process ended) after the test."""
    client = EngineClient(tmp_path / "engine.log")
    yield client
    client.close()


def load_config(model: Path, **overrides: object) -> LoadConfig:
    """A LoadConfig sized for tests: small context, two threads."""
    values: dict[str, object] = {"model_path": model, "n_ctx": 512, "n_threads": 2}
    values.update(overrides)
    return LoadConfig(**values)  # type: ignore[arg-type]
