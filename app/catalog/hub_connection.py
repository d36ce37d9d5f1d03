"""How Hearth talks to the model hub (Hugging Face): where it is, and privately.

Every hub call in app/catalog goes through these helpers; huggingface_hub is imported inside
the functions (the library is heavy and the window must open fast). Rules that keep Hearth
private:

- No token is sent unless the user set one: the library's "implicit" token (a stored login,
  ``HF_TOKEN``) is never used (``token=False`` where the user gave none).
- No telemetry: huggingface_hub's telemetry and its agent detection (which fetches
  ``/api/agent-harnesses``) are switched off before the first request.
- The endpoint is ``HF_ENDPOINT`` (read at each call) or https://huggingface.co; every call
  also takes ``endpoint=`` explicitly (tests point it at a fake hub on 127.0.0.1).
- No call retries on its own: a search or a file listing fails fast when the laptop is offline,
  and downloads (app/catalog/download.py) decide themselves when to try again.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from app import __version__

__all__ = ["DEFAULT_ENDPOINT", "hub_endpoint", "hub_headers", "prepare_hf", "same_origin"]

DEFAULT_ENDPOINT = "https://huggingface.co"
ENDPOINT_ENV = "HF_ENDPOINT"


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
