"""One file's metadata from the hub (app/catalog/hub_file.py): size, sha256, commit, and where
the bytes are."""

from __future__ import annotations

import pytest

from app.catalog.hub_file import file_metadata
from app.errors import GatedModelError, HubError, HubUnavailableError, ModelFileNotFoundError
from tests.support.fake_hub import FakeHub


def test_file_metadata(hub: FakeHub) -> None:
    repo = "acme/Llama-3.2-1B-Instruct-GGUF"
    name = "Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    remote = file_metadata(repo, name, "main", endpoint=hub.url)

    file = hub.file(repo, name)
    assert (remote.size, remote.sha256, remote.commit) == (
        file.size,
        file.sha256,
        hub.repo(repo).commit,
    )
    assert remote.url == f"{hub.url}/{repo}/resolve/main/{name}"
    assert remote.download_url == remote.url
    assert [r.method for r in hub.requests] == ["HEAD"]
    assert "authorization" not in hub.requests[0].headers


def test_file_metadata_through_a_cdn(hub: FakeHub) -> None:
    repo = "acme/Llama-3.2-1B-Instruct-GGUF"
    name = "Llama-3.2-1B-Instruct-Q8_0.gguf"
    hub.faults(repo, name).via_cdn = True

    remote = file_metadata(repo, name, "main", token="hf_secret", endpoint=hub.url)

    assert remote.download_url.startswith(f"{hub.cdn_url}/cdn/")
    assert remote.sha256 == hub.file(repo, name).sha256
    assert remote.size == hub.file(repo, name).size
    assert [(r.server, r.headers.get("authorization")) for r in hub.requests] == [
        ("hub", "Bearer hf_secret")  # the CDN was not contacted at all
    ]


def test_a_file_without_sha256_says_so(hub: FakeHub) -> None:
    remote = file_metadata("acme/Llama-3.2-1B-Instruct-GGUF", "README.md", "main", endpoint=hub.url)
    assert remote.sha256 is None  # a git blob id is not a sha256
    assert remote.size == 100


def test_file_metadata_errors(hub: FakeHub) -> None:
    repo = "acme/Llama-3.2-1B-Instruct-GGUF"
    with pytest.raises(ModelFileNotFoundError, match=r"missing\.gguf is not in"):
        file_metadata(repo, "missing.gguf", "main", endpoint=hub.url)
    with pytest.raises(GatedModelError, match="gated model"):
        file_metadata("bigco/Secret-Llama-GGUF", "secret-Q4_0.gguf", "main", endpoint=hub.url)
    name = "Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    faults = hub.faults(repo, name)
    faults.fail_first, faults.fail_methods, faults.fail_status = 2, ("HEAD",), 500
    with pytest.raises(HubUnavailableError, match="HTTP 500"):
        file_metadata(repo, name, "main", endpoint=hub.url)
    faults.fail_status = 429
    with pytest.raises(HubUnavailableError, match="HTTP 429"):
        file_metadata(repo, name, "main", endpoint=hub.url)
    faults.fail_first, faults.fail_status = 3, 418
    with pytest.raises(HubError, match="HTTP 418"):
        file_metadata(repo, name, "main", endpoint=hub.url)
