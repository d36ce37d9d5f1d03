"""One HTTP attempt of a download (app/catalog/download_http.py), seen through whole downloads
from the fake hub: Range, redirects to a CDN, and where the token may go."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import HubError
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import REPO, download, publish


def test_a_server_ignoring_range_starts_over(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    faults = fake_hub.faults(REPO, file.filename)
    faults.drop_after, faults.ignore_range = 200_000, True

    path = download(fake_hub, file, models_dir / "tiny.gguf")

    assert path.read_bytes() == file.data
    _, second = fake_hub.requests_for(file.filename, method="GET")
    assert second.range_start == 200_000
    assert (second.status, second.body_bytes) == (200, file.size)


def test_cdn_redirect_keeps_the_token_on_the_hub(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 800_000)
    faults = fake_hub.faults(REPO, file.filename)
    faults.via_cdn, faults.drop_after = True, 300_000  # a resume goes to the CDN too

    path = download(fake_hub, file, models_dir / "tiny.gguf", token="hf_secret")

    assert path.read_bytes() == file.data
    (head,) = fake_hub.requests_for(file.filename, server="hub")
    assert (head.method, head.status) == ("HEAD", 302)
    assert head.headers["authorization"] == "Bearer hf_secret"
    cdn = fake_hub.requests_for(file.filename, server="cdn")
    assert [(r.method, r.range_start) for r in cdn] == [("GET", None), ("GET", 300_000)]
    assert all("authorization" not in r.headers for r in cdn)
    assert all(r.query.get("X-Amz-Signature") == ["fake"] for r in cdn)


def test_an_expired_cdn_address_is_fetched_again(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    faults = fake_hub.faults(REPO, file.filename)
    faults.via_cdn, faults.fail_first, faults.fail_status = True, 1, 403

    assert download(fake_hub, file, models_dir / "tiny.gguf").read_bytes() == file.data

    assert [(r.server, r.method, r.status) for r in fake_hub.requests] == [
        ("hub", "HEAD", 302),
        ("cdn", "GET", 403),
        ("hub", "HEAD", 302),
        ("cdn", "GET", 200),
    ]


def test_a_cdn_that_keeps_refusing_is_an_error(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    faults = fake_hub.faults(REPO, file.filename)
    faults.via_cdn, faults.fail_first, faults.fail_status = True, 100, 403

    with pytest.raises(HubError, match="HTTP 403"):
        download(fake_hub, file, models_dir / "tiny.gguf")

    assert len(fake_hub.requests_for(file.filename, server="cdn")) == 2
    assert not (models_dir / "tiny.gguf.lock").exists()


def test_no_token_means_no_authorization_anywhere(
    fake_hub: FakeHub, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not even a token stored by other Hugging Face tools (HF_TOKEN)."""
    monkeypatch.setenv("HF_TOKEN", "hf_stored_elsewhere")
    file = publish(fake_hub)
    fake_hub.faults(REPO, file.filename).via_cdn = True

    download(fake_hub, file, models_dir / "tiny.gguf")

    assert len(fake_hub.requests) == 2
    assert all("authorization" not in r.headers for r in fake_hub.requests)


def test_same_host_redirect_keeps_token(fake_hub: FakeHub, models_dir: Path) -> None:
    """Without a CDN the hub serves the bytes itself, and the token goes with the GET."""
    file = publish(fake_hub)
    download(fake_hub, file, models_dir / "tiny.gguf", token="hf_secret")
    assert all(r.headers.get("authorization") == "Bearer hf_secret" for r in fake_hub.requests)
