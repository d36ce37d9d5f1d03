"""One file on the model hub, as a HEAD request describes it: size, sha256, the commit it
resolved to and where its bytes are. Downloads (app/catalog/download.py) start here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from app import __version__
from app.catalog.hub_connection import hub_endpoint, prepare_hf
from app.catalog.hub_errors import HubCall, hub_errors
from app.errors import HubError

__all__ = ["RemoteFile", "file_metadata"]

METADATA_TIMEOUT = 10.0
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
