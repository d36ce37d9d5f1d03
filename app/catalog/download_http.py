"""One HTTP attempt of a download: a GET from the current offset into a `Sink`.

The body is read with http.client's `read1`: whatever has arrived, up to `READ_SIZE` bytes,
in one call from Python (download_connection says why, and how the server is reached). A
fast link gives large pieces, a slow one small pieces soon (progress stays current).
Redirects are followed here, by hand, so that the ``Authorization`` header (sent only when
the user set a token) never leaves the hub's origin. The status decides what happens to the
bytes already on disk: 206 continues them, 200 (the server ignored ``Range``) starts over,
408/429/5xx and network errors are `RetryableError`. The socket read times out after
`stall_timeout` seconds without a byte; a pause or cancel unblocks a read at once.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn, Protocol
from urllib.parse import urljoin

from app.catalog.download_connection import ExchangeTarget, interrupter, open_connection
from app.catalog.download_control import DownloadControl
from app.catalog.hub_connection import hub_headers, same_origin
from app.catalog.hub_errors import HubCall, hub_error, hub_errors
from app.errors import DownloadError

__all__ = ["RangeGet", "RetryableError", "Sink", "fetch"]

CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 10
READ_SIZE = 1024 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_NETWORK_ERRORS = (OSError, http.client.HTTPException)  # timeouts and TLS errors included


class RetryableError(Exception):
    """A transient failure: wait, then try again from the current offset."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, refresh_url: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason  # a sentence for people
        self.retry_after = retry_after
        self.refresh_url = refresh_url  # ask the hub for a fresh download URL first


class Sink(Protocol):
    """Where the bytes go: the partial file and its running sha256."""

    @property
    def offset(self) -> int: ...

    def started(self) -> None:
        """The server accepted the request; bytes from `offset` follow."""

    def write(self, piece: bytes) -> None: ...

    def restart(self) -> None:
        """Forget the bytes so far: the server sends the file from its first byte."""

    def check_stop(self) -> None:
        """Raise `DownloadPaused` / `DownloadCancelled` if the user asked."""


@dataclass(frozen=True)
class RangeGet:
    url: str  # the download URL: the hub's resolve URL or a CDN's
    size: int
    endpoint: str  # the hub: the only origin that may see the token
    token: str | None
    stall_timeout: float
    may_refresh: bool  # a 4xx from a CDN means "URL expired" (else: a real error)
    repo: str
    filename: str


def fetch(get: RangeGet, sink: Sink, control: DownloadControl) -> None:
    """GET the rest of the file into `sink`; returns once it has `get.size` bytes."""
    _refuse_offline(get)
    url = get.url
    headers = hub_headers(get.token if same_origin(url, get.endpoint) else None)
    if sink.offset:
        headers["Range"] = f"bytes={sink.offset}-"
    for _ in range(MAX_REDIRECTS):
        with _exchange(url, headers, get, sink, control) as response:
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                url = urljoin(url, location)
                if not same_origin(url, get.endpoint):
                    headers.pop("Authorization", None)  # never leave the hub
                continue
            _accept(get, url, response, sink)
            _receive(get, response, sink)
            return
    raise RetryableError("The server redirected the download too many times.")


@contextmanager
def _exchange(
    url: str, headers: dict[str, str], get: RangeGet, sink: Sink, control: DownloadControl
) -> Iterator[http.client.HTTPResponse]:
    """Connect, send the GET and read the answer's head (the body is the caller's); the
    connection is closed at the end of the block."""
    target = ExchangeTarget(url)
    try:
        connection = open_connection(target, CONNECT_TIMEOUT)
    except _NETWORK_ERRORS as exc:
        raise _network_failure(sink, "Hearth could not connect to the download server.") from exc
    try:
        connection.sock.settimeout(get.stall_timeout)
        control.set_interrupt(interrupter(connection))
        try:
            connection.request(
                "GET", target.request_target, headers=target.request_headers(headers)
            )
            response = connection.getresponse()
        except _NETWORK_ERRORS as exc:
            raise _network_failure(sink, _describe(exc, get.stall_timeout)) from exc
        try:
            yield response
        finally:
            response.close()  # it may own the socket now (a "Connection: close" answer)
    finally:
        control.set_interrupt(None)
        connection.close()


def _network_failure(sink: Sink, reason: str) -> RetryableError:
    """A failed read or connection: worth another attempt, unless the user stopped the
    download (a pause or cancel interrupts the read on purpose)."""
    sink.check_stop()
    return RetryableError(reason)


def _accept(get: RangeGet, url: str, response: http.client.HTTPResponse, sink: Sink) -> None:
    """Check the status; align the sink with what the server is about to send."""
    status = response.status
    if status == 206:
        match = _CONTENT_RANGE.fullmatch((response.getheader("Content-Range") or "").strip())
        total = match.group(3) if match else ""
        if match is None or int(match.group(1)) != sink.offset or total not in ("*", f"{get.size}"):
            sink.restart()
            raise RetryableError("The server sent another part of the file than the one asked for.")
    elif status == 200:
        if sink.offset:
            sink.restart()  # the server ignored Range: take the whole file from 0
    elif status == 416:
        sink.restart()
        raise RetryableError("The server could not resume the download.")
    elif status in (408, 429) or status >= 500:
        raise RetryableError(f"The server answered HTTP {status}.", _retry_after(response))
    elif get.may_refresh and not same_origin(url, get.endpoint):
        # Signed CDN addresses expire: ask the hub for a fresh one.
        raise RetryableError(
            f"The download server refused the file (HTTP {status}).", refresh_url=True
        )
    else:
        _raise_for_status(get, url, response)


def _raise_for_status(get: RangeGet, url: str, response: http.client.HTTPResponse) -> NoReturn:
    """The hub's error for this answer (gated, not found...), read as huggingface_hub does."""
    import httpx2
    from huggingface_hub import hf_raise_for_status

    try:
        body = response.read(64 * 1024)  # the hub's explanation, if any
    except _NETWORK_ERRORS:
        body = b""
    answer = httpx2.Response(
        response.status,
        headers=response.getheaders(),
        content=body,
        request=httpx2.Request("GET", url),
    )
    with hub_errors(_call(get)):
        hf_raise_for_status(answer)
    raise DownloadError(
        f"The server gave an unexpected answer for {get.filename} "
        f"(HTTP {response.status}). Try again later."
    )


def _refuse_offline(get: RangeGet) -> None:
    """huggingface_hub's offline switch (``HF_HUB_OFFLINE``) holds for downloads too."""
    from huggingface_hub import constants
    from huggingface_hub.errors import OfflineModeIsEnabled

    if constants.is_offline_mode():
        refusal = OfflineModeIsEnabled(f"Cannot reach {get.url}: offline mode is enabled.")
        raise hub_error(refusal, _call(get)) or DownloadError(str(refusal))


def _call(get: RangeGet) -> HubCall:
    return HubCall(get.endpoint, get.repo, get.filename, token=get.token)


def _receive(get: RangeGet, response: http.client.HTTPResponse, sink: Sink) -> None:
    sink.started()
    while sink.offset < get.size:
        try:
            piece = response.read1(READ_SIZE)  # what has arrived, up to READ_SIZE: one call
        except _NETWORK_ERRORS as exc:
            raise _network_failure(sink, _describe(exc, get.stall_timeout)) from exc
        if not piece:
            break
        sink.write(piece)
    sink.check_stop()
    if sink.offset < get.size:
        raise RetryableError("The server ended the transfer early.")


def _retry_after(response: http.client.HTTPResponse) -> float | None:
    value = (response.getheader("Retry-After") or "").strip()
    return float(value) if value.isdigit() else None


def _describe(exc: BaseException, stall_timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"No data arrived for {stall_timeout:g} s."
    return "The connection was interrupted."
