"""Model fixtures: tiny GGUF models written once per test session.

Loaded as a pytest plugin from tests/conftest.py. The models are written by
tests/support/tiny_gguf.py into ``tmp_path_factory`` folders, so they never depend on
HEARTH_HOME or on anything downloaded. Session scope so each file is written once: tests must
treat the returned files as read-only (copy them to modify them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.remote import openai_api
from tests.support.fake_openai_server import RunningFakeServer, fake_openai_server
from tests.support.tiny_gguf import (
    write_bad_files,
    write_random_model,
    write_scripted_model,
    write_slow_model,
)


@pytest.fixture(scope="session")
def scripted_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chatml model that answers every chat prompt with exactly "Hello, world!"."""
    return write_scripted_model(tmp_path_factory.mktemp("scripted") / "scripted-tiny.gguf")


@pytest.fixture(scope="session")
def scripted_model_no_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scripted model without a ``tokenizer.chat_template`` key ("No Template Tiny")."""
    folder = tmp_path_factory.mktemp("scripted-no-template")
    return write_scripted_model(
        folder / "no-template-tiny.gguf", chat_template=None, name="No Template Tiny"
    )


@pytest.fixture(scope="session")
def random_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model that babbles until ``max_tokens`` (never emits eos)."""
    return write_random_model(tmp_path_factory.mktemp("random") / "random-tiny.gguf")


@pytest.fixture(scope="session")
def slow_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random model that takes ~3 s to evaluate a 3000-token prompt (29 MB)."""
    return write_slow_model(tmp_path_factory.mktemp("slow") / "slow-tiny.gguf")


@pytest.fixture
def bad_model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Broken ``.gguf`` files: empty, truncated, wrong_magic, random_bytes, text."""
    return write_bad_files(tmp_path_factory.mktemp("bad-models"))


@pytest.fixture
def fake_server() -> Iterator[RunningFakeServer]:
    """An OpenAI-compatible server on 127.0.0.1 that fails on request (fake_openai_server)."""
    with fake_openai_server() as running:
        yield running


@pytest.fixture
def quick_server_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server's retries keep their count; their waits shrink so the suite stays quick."""
    monkeypatch.setattr(openai_api, "RETRY_DELAYS_S", (0.01, 0.02))
