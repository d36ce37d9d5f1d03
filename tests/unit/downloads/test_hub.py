"""Browsing the hub (app/catalog/hub.py): searching GGUF repositories and listing their files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.catalog.hub import list_gguf_files, search_gguf_repos
from app.errors import (
    InvalidInputError,
    ModelRepoNotFoundError,
    ModelRevisionNotFoundError,
    NoGgufFilesError,
)
from tests.support.fake_hub import FakeHub


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
