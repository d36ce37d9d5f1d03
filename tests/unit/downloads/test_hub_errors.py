"""Hub failures explained to people (app/catalog/hub_errors.py), through every kind of call."""

from __future__ import annotations

import socket
import time

import pytest

from app.catalog.hub import list_gguf_files, search_gguf_repos
from app.catalog.hub_file import file_metadata
from app.errors import HubError, HubUnavailableError


def test_an_unreachable_hub_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)

    began = time.monotonic()
    for call in (
        lambda: search_gguf_repos("llama"),
        lambda: list_gguf_files("acme/model-GGUF"),
        lambda: file_metadata("acme/model-GGUF", "m.gguf", "main"),
    ):
        with pytest.raises(HubUnavailableError) as caught:
            call()
        assert caught.value.message == (
            "Hearth could not reach the model hub (127.0.0.1: no connection). Check your "
            "connection; everything else works offline."
        )
    assert time.monotonic() - began < 3


def test_offline_mode_is_respected() -> None:
    """tests/conftest.py sets HF_HUB_OFFLINE=1; without the fake hub fixture nothing is sent."""
    with pytest.raises(HubError, match="HF_HUB_OFFLINE"):
        search_gguf_repos("llama", endpoint="http://127.0.0.1:9")
