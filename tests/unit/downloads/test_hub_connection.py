"""Where the hub is and what every request carries (app/catalog/hub_connection.py)."""

from __future__ import annotations

import pytest

from app.catalog.hub_connection import DEFAULT_ENDPOINT, hub_endpoint, hub_headers, same_origin


def test_hub_endpoint_reads_the_environment_at_call_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert hub_endpoint() == DEFAULT_ENDPOINT
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:8080/")
    assert hub_endpoint() == "http://127.0.0.1:8080"


def test_a_token_is_sent_only_when_the_user_gave_one() -> None:
    assert "Authorization" not in hub_headers(None)
    assert "Authorization" not in hub_headers("")
    assert hub_headers("hf_secret")["Authorization"] == "Bearer hf_secret"
    assert hub_headers(None)["Accept-Encoding"] == "identity"


@pytest.mark.parametrize(
    ("url", "other", "same"),
    [
        ("https://huggingface.co/a/resolve/x", "https://huggingface.co", True),
        ("https://HuggingFace.co:443/a", "https://huggingface.co", True),
        ("https://cdn-lfs.hf.co/x", "https://huggingface.co", False),
        ("http://huggingface.co/a", "https://huggingface.co", False),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8081", False),
    ],
)
def test_same_origin_compares_scheme_host_and_port(url: str, other: str, same: bool) -> None:
    assert same_origin(url, other) is same
