"""The model hub (Hugging Face), seen through a few typed calls with errors for people.

Everything here wraps huggingface_hub helpers, imported inside the functions (the library is
heavy and the window must open fast). Rules that keep Hearth private:

- No token is sent unless the user set one: the library's "implicit" token (a stored login,
  ``HF_TOKEN``) is never used (``token=False`` where the user gave none).
- No telemetry: huggingface_hub's telemetry and its agent detection (which fetches
  ``/api/agent-harnesses``) are switched off before the first request.
- The endpoint is ``HF_ENDPOINT`` (read at each call) or https://huggingface.co; every call
  also takes ``endpoint=`` explicitly (tests point it at a fake hub on 127.0.0.1).
- No call retries on its own: a search or a file listing fails fast when the laptop is offline,
  and downloads (app/catalog/download.py) decide themselves when to try again.

Every huggingface_hub or network error becomes a `HearthError` (`hub_error`): transient ones
(unreachable, timeouts, HTTP 5xx and 429) are `HubUnavailableError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from app import __version__
from app.errors import (
    GatedModelError,
    HearthError,
    HubError,
    HubUnavailableError,
    InvalidInputError,
    ModelFileNotFoundError,
    ModelRepoNotFoundError,
    ModelRevisionNotFoundError,
    NoGgufFilesError,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "GgufFile",
    "HubCall",
    "HubRepo",
    "RemoteFile",
    "RepoFiles",
    "file_metadata",
    "hub_endpoint",
    "hub_error",
    "hub_errors",
    "hub_headers",
    "list_gguf_files",
    "prepare_hf",
    "same_origin",
    "search_gguf_repos",
]

DEFAULT_ENDPOINT = "https://huggingface.co"
ENDPOINT_ENV = "HF_ENDPOINT"
METADATA_TIMEOUT = 10.0
API_TIMEOUT = 15.0
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SPLIT_PART = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)
# Fields asked for when searching: the Hub's default list answer has neither `gated` nor
# `lastModified`.
_SEARCH_FIELDS = ["downloads", "likes", "gated", "lastModified"]


@dataclass(frozen=True)
class RemoteFile:
    """What the hub says about one file at one revision (from a HEAD request)."""

    repo: str
    filename: str
    revision: str  # as requested: a commit, branch or tag
    commit: str  # the commit the revision resolved to (X-Repo-Commit)
    size: int | None
    sha256: str | None  # None when the hub publishes no sha256 (files not stored with LFS)
    url: str  # the hub's resolve URL
    download_url: str  # where the bytes are: the resolve URL, or a CDN after a redirect


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


def hub_endpoint() -> str:
    """The model hub's address: ``HF_ENDPOINT`` if set (read now, not at import), else the
    public hub."""
    return (os.environ.get(ENDPOINT_ENV, "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def prepare_hf() -> None:
    """Import huggingface_hub with telemetry and implicit tokens off (idempotent, cheap after
    the first call). Call it before any other use of the library."""
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    from huggingface_hub import constants

    # The library reads these once at import; whoever imported it first, Hearth wants them on.
    constants.HF_HUB_DISABLE_TELEMETRY = True
    constants.HF_HUB_DISABLE_IMPLICIT_TOKEN = True


def hub_headers(token: str | None) -> dict[str, str]:
    """Request headers: Hearth's user agent, and ``Authorization`` only when a token is given."""
    headers = {
        "User-Agent": f"hearth/{__version__}",
        "Accept-Encoding": "identity",  # the bytes of the file, never a re-encoding
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs have the same scheme, host and port (where a token may be sent)."""

    def origin(value: str) -> tuple[str, str, int | None]:
        parts = urlsplit(value)
        default = {"http": 80, "https": 443}.get(parts.scheme)
        return parts.scheme, (parts.hostname or "").lower(), parts.port or default

    return origin(url) == origin(other)


def file_metadata(
    repo: str,
    filename: str,
    revision: str,
    *,
    token: str | None = None,
    endpoint: str | None = None,
    timeout: float = METADATA_TIMEOUT,
) -> RemoteFile:
    """HEAD the file's resolve URL: size, sha256, commit and where to download the bytes.

    Redirects on the hub are followed; a redirect to another host (a CDN) is not: its target
    becomes `download_url`, and the token (if any) was sent to the hub only.
    """
    prepare_hf()
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    endpoint = (endpoint or hub_endpoint()).rstrip("/")
    with hub_errors(HubCall(endpoint, repo, filename, revision, token)):
        url = hf_hub_url(repo, filename, revision=revision, endpoint=endpoint)
        meta = get_hf_file_metadata(
            url,
            token=token or False,
            timeout=timeout,
            library_name="hearth",
            library_version=__version__,
            endpoint=endpoint,
        )
    if not meta.commit_hash:
        raise HubError(
            f"The model hub's answer about {filename} lacked its commit id, so Hearth cannot "
            "pin what it downloads. Try again later."
        )
    etag = (meta.etag or "").lower()
    return RemoteFile(
        repo=repo,
        filename=filename,
        revision=revision,
        commit=meta.commit_hash,
        size=meta.size,
        sha256=etag if _SHA256.fullmatch(etag) else None,
        url=url,
        download_url=urljoin(url, meta.location),
    )


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


@dataclass(frozen=True)
class HubCall:
    """What a request was about, for the error message if it fails."""

    endpoint: str
    repo: str | None = None
    filename: str | None = None
    revision: str | None = None
    token: str | None = None
    what: str | None = None  # e.g. "search the model hub"

    @property
    def subject(self) -> str:
        if self.what:
            return self.what
        return f"download {self.filename}" if self.filename else f"read {self.repo}"


@contextmanager
def hub_errors(call: HubCall) -> Iterator[None]:
    """Turn any huggingface_hub or network error raised inside into a HearthError."""
    try:
        yield
    except HearthError:
        raise
    except Exception as exc:
        error = hub_error(exc, call)
        if error is None:
            raise
        raise error from exc


def hub_error(exc: BaseException, call: HubCall) -> HearthError | None:
    """The HearthError for an exception from huggingface_hub or httpx2 (None: not one of
    theirs, i.e. a bug that should surface as such)."""
    import httpx2
    from huggingface_hub import errors as hf_errors

    repo, filename = call.repo, call.filename
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return HubError(
            "Hearth cannot reach the model hub because the HF_HUB_OFFLINE environment variable "
            "is set. Unset it to download models; everything else works offline."
        )
    if isinstance(exc, hf_errors.GatedRepoError):
        return _gated_error(repo or "This model", call.endpoint, call.token)
    if isinstance(exc, hf_errors.DisabledRepoError):
        return ModelRepoNotFoundError(f"The model hub has disabled the repository {repo}.")
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return ModelRepoNotFoundError(
            f'The model hub has no repository named "{repo}" (or it is private). Check the name.'
        )
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return ModelRevisionNotFoundError(
            f'{repo} has no revision "{call.revision}". The model may have been updated since '
            "the catalog was written; refresh the model list."
        )
    if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        return ModelFileNotFoundError(
            f"{filename} is not in {repo} (revision {_short(call.revision)}). It may have been "
            "renamed or removed; refresh the model list."
        )
    if isinstance(exc, hf_errors.HfHubHTTPError):
        return http_status_error(exc.response.status_code, call.subject, exc.server_message)
    if isinstance(exc, hf_errors.HFValidationError):
        return InvalidInputError(f'"{repo}" is not a model repository name (owner/name).')
    if isinstance(exc, httpx2.TransportError | httpx2.TooManyRedirects):
        return unreachable_error(exc, call.endpoint)
    if isinstance(exc, ValueError):  # an answer that is not the JSON it should be
        return HubError(f"The model hub sent an answer Hearth could not read ({call.subject}).")
    return None


def http_status_error(status: int, subject: str, detail: str | None = None) -> HearthError:
    """The error for an HTTP error status without a more specific meaning."""
    if status == 429:
        return HubUnavailableError(
            "The model hub is limiting requests right now (HTTP 429). Wait a few minutes and "
            "try again."
        )
    if status >= 500 or status == 408:
        return HubUnavailableError(
            f"The model hub is having trouble (HTTP {status}). Try again in a few minutes; "
            "everything else works offline."
        )
    suffix = f": {detail}" if detail else ""
    return HubError(f"The model hub refused to {subject} (HTTP {status}{suffix}).")


def unreachable_error(exc: BaseException, endpoint: str) -> HubUnavailableError:
    """'Could not reach the hub', with the host and the reason in a few words."""
    import httpx2

    host = urlsplit(endpoint).hostname or "the model hub"
    reason = {
        httpx2.ConnectTimeout: "no answer",
        httpx2.ConnectError: "no connection",
        httpx2.TimeoutException: "it stopped answering",
        httpx2.TooManyRedirects: "too many redirects",
    }
    words = next((w for kind, w in reason.items() if isinstance(exc, kind)), "connection lost")
    return HubUnavailableError(
        f"Hearth could not reach the model hub ({host}: {words}). Check your connection; "
        "everything else works offline."
    )


def _gated_error(repo: str, endpoint: str, token: str | None) -> GatedModelError:
    if token:
        return GatedModelError(
            f"The access token you set has not been granted access to {repo} yet. Accept the "
            f"model's terms at {endpoint}/{repo} (some authors approve requests by hand, "
            "which can take a while), then try again."
        )
    return GatedModelError(
        f"{repo} is a gated model: downloading it requires accepting its terms on the model "
        f"hub ({endpoint}/{repo}) and an access token. Create a token in your hub account and "
        "enter it in Hearth's settings; Hearth sends it to the model hub only, and only "
        "because you set it."
    )


def _short(revision: str | None) -> str:
    if revision and re.fullmatch(r"[0-9a-f]{40}", revision):
        return revision[:12]
    return revision or "main"
