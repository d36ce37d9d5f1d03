"""The hub helpers: search, file lists, file metadata, and errors explained to people."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest

from app.catalog.hub import (
    DEFAULT_ENDPOINT,
    file_metadata,
    hub_endpoint,
    list_gguf_files,
    search_gguf_repos,
)
from app.errors import (
    GatedModelError,
    HubError,
    HubUnavailableError,
    InvalidInputError,
    ModelFileNotFoundError,
    ModelRepoNotFoundError,
    ModelRevisionNotFoundError,
    NoGgufFilesError,
)
from tests.support.fake_hub import FakeHub


@pytest.fixture
def hub(fake_hub: FakeHub) -> FakeHub:
    """Three GGUF repositories, one gated, and one without GGUF files."""
    fake_hub.add_repo("acme/Llama-3.2-1B-Instruct-GGUF", downloads=900, likes=40)
    fake_hub.add_repo(
        "acme/Qwen2.5-0.5B-Instruct-GGUF",
        downloads=5000,
        likes=80,
        last_modified="2025-02-03T04:05:06.000Z",
    )
    fake_hub.add_repo("bigco/Secret-Llama-GGUF", gated="manual", downloads=100)
    fake_hub.add_repo("acme/Llama-3.2-1B-Instruct", downloads=99999)  # safetensors only
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf")
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q8_0.gguf")
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct-GGUF", "README.md", size=100, lfs=False)
    for part in (1, 2):
        name = f"qwen2.5-0.5b-instruct-fp16-0000{part}-of-00002.gguf"
        fake_hub.add_file("acme/Qwen2.5-0.5B-Instruct-GGUF", name, size=1000)
    fake_hub.add_file("bigco/Secret-Llama-GGUF", "secret-Q4_0.gguf")
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct", "model.safetensors")
    return fake_hub


def test_hub_endpoint_reads_the_environment_at_call_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert hub_endpoint() == DEFAULT_ENDPOINT
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:8080/")
    assert hub_endpoint() == "http://127.0.0.1:8080"


def test_search_finds_gguf_repos_by_name(hub: FakeHub) -> None:
    found = search_gguf_repos("llama", endpoint=hub.url)

    assert [r.id for r in found] == [
        "acme/Llama-3.2-1B-Instruct-GGUF",
        "bigco/Secret-Llama-GGUF",
    ]  # most downloaded first; the repository without GGUF files is filtered out
    first = found[0]
    assert (first.downloads, first.likes, first.gated) == (900, 40, False)
    assert found[1].gated is True
    (request,) = hub.requests
    assert request.path == "/api/models"
    assert request.query["filter"] == ["gguf"]
    assert request.query["search"] == ["llama"]
    assert "authorization" not in request.headers


def test_search_reports_dates_and_limits(hub: FakeHub) -> None:
    found = search_gguf_repos("instruct", limit=1, endpoint=hub.url)
    assert [r.id for r in found] == ["acme/Qwen2.5-0.5B-Instruct-GGUF"]
    assert found[0].last_modified == datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert search_gguf_repos("no such model", endpoint=hub.url) == []


def test_list_gguf_files_gives_sizes_and_checksums(hub: FakeHub) -> None:
    repo = "acme/Llama-3.2-1B-Instruct-GGUF"
    listed = list_gguf_files(repo, endpoint=hub.url)

    assert listed.repo == repo
    assert listed.commit == hub.repo(repo).commit
    assert (listed.gated, listed.notice) == (False, None)
    assert [(f.filename, f.size, f.sha256) for f in listed.files] == [
        (name, hub.file(repo, name).size, hub.file(repo, name).sha256)
        for name in ("Llama-3.2-1B-Instruct-Q4_K_M.gguf", "Llama-3.2-1B-Instruct-Q8_0.gguf")
    ]
    assert not any(f.is_split for f in listed.files)
    (request,) = hub.requests
    assert request.query.get("blobs") == ["true"]


def test_list_gguf_files_notes_split_models(hub: FakeHub) -> None:
    listed = list_gguf_files("acme/Qwen2.5-0.5B-Instruct-GGUF", revision="main", endpoint=hub.url)
    assert [(f.split_part, f.split_count, f.is_split) for f in listed.files] == [
        (1, 2, True),
        (2, 2, True),
    ]


def test_a_gated_repo_is_listed_with_an_explanation(hub: FakeHub) -> None:
    listed = list_gguf_files("bigco/Secret-Llama-GGUF", endpoint=hub.url)
    assert listed.gated is True
    assert [f.filename for f in listed.files] == ["secret-Q4_0.gguf"]
    assert listed.notice is not None
    assert "accept their terms" in listed.notice
    assert "access token" in listed.notice
    assert f"{hub.url}/bigco/Secret-Llama-GGUF" in listed.notice


def test_a_repo_without_gguf_files_is_explained(hub: FakeHub) -> None:
    with pytest.raises(NoGgufFilesError, match="has no GGUF files") as caught:
        list_gguf_files("acme/Llama-3.2-1B-Instruct", endpoint=hub.url)
    assert '"Llama-3.2-1B-Instruct GGUF"' in caught.value.message


@pytest.mark.parametrize(
    ("repo", "revision", "error"),
    [
        ("acme/nothing-here", None, ModelRepoNotFoundError),
        ("acme/Llama-3.2-1B-Instruct-GGUF", "f" * 40, ModelRevisionNotFoundError),
        ("not a repo name", None, InvalidInputError),
    ],
)
def test_list_errors(hub: FakeHub, repo: str, revision: str | None, error: type) -> None:
    with pytest.raises(error):
        list_gguf_files(repo, revision=revision, endpoint=hub.url)


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


def test_the_fake_tree_listing_is_what_huggingface_hub_parses(hub: FakeHub) -> None:
    """Not used by Hearth today; keeps the fake hub honest for whoever needs it."""
    from huggingface_hub import HfApi

    repo = "acme/Llama-3.2-1B-Instruct-GGUF"
    entries = list(HfApi(endpoint=hub.url, token=False).list_repo_tree(repo, revision="main"))
    by_path = {e.path: e for e in entries}
    gguf = by_path["Llama-3.2-1B-Instruct-Q4_K_M.gguf"]
    assert gguf.lfs is not None
    assert gguf.lfs.sha256 == hub.file(repo, gguf.path).sha256
    assert by_path["README.md"].lfs is None
