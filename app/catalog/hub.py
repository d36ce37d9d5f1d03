"""Browsing the model hub: searching GGUF repositories and listing a repository's GGUF files.

The calls go through app/catalog/hub_connection.py (no implicit token, no telemetry, the
endpoint from ``HF_ENDPOINT``) and fail fast with the errors of app/catalog/hub_errors.py.
What one file is, for downloading it, is app/catalog/hub_file.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.catalog.hub_connection import hub_endpoint, hub_headers, prepare_hf
from app.catalog.hub_errors import HubCall, hub_errors
from app.errors import NoGgufFilesError

__all__ = [
    "GgufFile",
    "HubRepo",
    "RepoFiles",
    "hub_endpoint",  # where these calls go, for windows that show it
    "list_gguf_files",
    "search_gguf_repos",
]

API_TIMEOUT = 15.0
_SPLIT_PART = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)
# Fields asked for when searching: the Hub's default list answer has neither `gated` nor
# `lastModified`.
_SEARCH_FIELDS = ["downloads", "likes", "gated", "lastModified"]


@dataclass(frozen=True)
class HubRepo:
    """A search result."""

    id: str
    downloads: int
    likes: int
    gated: bool
    last_modified: datetime | None


@dataclass(frozen=True)
class GgufFile:
    """One ``.gguf`` file of a repository. Split models (``name-00001-of-00003.gguf``) come as
    several files: every part is needed, and llama.cpp loads them from the first part."""

    filename: str
    size: int | None
    sha256: str | None
    split_part: int | None = None  # 1-based
    split_count: int | None = None

    @property
    def is_split(self) -> bool:
        return self.split_count is not None and self.split_count > 1


@dataclass(frozen=True)
class RepoFiles:
    """The GGUF files of a repository at one commit.

    `notice` explains anything the user must know before downloading (a gated repository).
    A repository without any GGUF file is not returned: `list_gguf_files` raises
    `NoGgufFilesError`, since there is nothing to choose from.
    """

    repo: str
    commit: str | None
    gated: bool
    files: tuple[GgufFile, ...]
    notice: str | None = None


def search_gguf_repos(
    query: str, *, limit: int = 20, endpoint: str | None = None, timeout: float = API_TIMEOUT
) -> list[HubRepo]:
    """Repositories tagged ``gguf`` whose name contains `query`, most downloaded first.

    This sends the request `HfApi.list_models(search=, filter="gguf", sort=, limit=, expand=)`
    sends, but once: `list_models` has no timeout and retries connection errors five times
    (about 23 s of waiting) before an offline laptop hears "could not reach the hub".
    """
    prepare_hf()
    from huggingface_hub import ModelInfo, get_session, hf_raise_for_status

    endpoint = (endpoint or hub_endpoint()).rstrip("/")
    params: dict[str, Any] = {
        "search": query.strip(),
        "filter": ["gguf"],
        "sort": "downloads",
        "limit": limit,
        "expand": _SEARCH_FIELDS,
    }
    with hub_errors(HubCall(endpoint, what="search the model hub")):
        response = get_session().get(
            f"{endpoint}/api/models", params=params, headers=hub_headers(None), timeout=timeout
        )
        hf_raise_for_status(response)
        items = response.json()
        infos: list[ModelInfo] = [
            ModelInfo(**item)  # type: ignore[no-untyped-call]  # __init__(**kwargs) is untyped
            for item in items[:limit]
        ]
    return [
        HubRepo(
            id=info.id,
            downloads=info.downloads or 0,
            likes=info.likes or 0,
            gated=bool(info.gated),
            last_modified=info.last_modified,
        )
        for info in infos
    ]


def list_gguf_files(
    repo: str,
    *,
    revision: str | None = None,
    token: str | None = None,
    endpoint: str | None = None,
    timeout: float = API_TIMEOUT,
) -> RepoFiles:
    """The repository's ``.gguf`` files with size and sha256, at `revision` (default: main).

    Raises `NoGgufFilesError` when there is none. A gated repository is listed (its file list
    is public) with `gated` set and a `notice` explaining what downloading it needs.
    """
    prepare_hf()
    from huggingface_hub import HfApi

    endpoint = (endpoint or hub_endpoint()).rstrip("/")
    with hub_errors(HubCall(endpoint, repo, revision=revision, token=token)):
        info = HfApi(endpoint=endpoint, token=token or False).model_info(
            repo, revision=revision, files_metadata=True, timeout=timeout
        )
    files = tuple(
        sorted(
            (
                _gguf_file(s.rfilename, s.size, s.lfs.sha256 if s.lfs else None)
                for s in info.siblings or []
                if s.rfilename.lower().endswith(".gguf")
            ),
            key=lambda f: f.filename,
        )
    )
    if not files:
        raise NoGgufFilesError(
            f"{repo} has no GGUF files, and Hearth can only run GGUF models. Many models have "
            f'a GGUF version in another repository: try searching for "{repo.split("/")[-1]} '
            'GGUF".'
        )
    gated = bool(info.gated)
    return RepoFiles(
        repo=repo,
        commit=info.sha,
        gated=gated,
        files=files,
        notice=_gated_notice(repo, endpoint) if gated else None,
    )


def _gguf_file(filename: str, size: int | None, sha256: str | None) -> GgufFile:
    split = _SPLIT_PART.search(filename)
    return GgufFile(
        filename=filename,
        size=size,
        sha256=sha256.lower() if sha256 else None,
        split_part=int(split.group(1)) if split else None,
        split_count=int(split.group(2)) if split else None,
    )


def _gated_notice(repo: str, endpoint: str) -> str:
    return (
        f"{repo} is a gated model: its authors ask you to accept their terms on the model "
        f"hub ({endpoint}/{repo}) before downloading. Accept them there, create an access "
        "token in your hub account, and enter it in Hearth's settings. Hearth sends the token "
        "to the model hub only, and only because you set it."
    )
