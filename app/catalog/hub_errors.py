"""Hub failures explained to people: every huggingface_hub or network error becomes a
`HearthError`.

Transient failures (unreachable, timeouts, HTTP 5xx, 408 and 429) are `HubUnavailableError`,
which downloads retry; the rest say what is wrong (not found, gated, refused). An exception
that is not the library's or the network's is a bug and passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.errors import (
    GatedModelError,
    HearthError,
    HubError,
    HubUnavailableError,
    InvalidInputError,
    ModelFileNotFoundError,
    ModelRepoNotFoundError,
    ModelRevisionNotFoundError,
)

__all__ = ["HubCall", "http_status_error", "hub_error", "hub_errors", "unreachable_error"]


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
