"""One HTTP attempt of a download: a GET from the current offset into a `Sink`.

Redirects are followed here, by hand, so that the ``Authorization`` header (sent only when
the user set a token) never leaves the hub's origin. The status decides what happens to the
bytes already on disk: 206 continues them, 200 (the server ignored ``Range``) starts over,
408/429/5xx and network errors are `RetryableError`. The socket read times out after
`stall_timeout` seconds without a byte; a pause or cancel unblocks a read at once.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, Protocol
from urllib.parse import urljoin

from app.catalog.download_control import DownloadControl
from app.catalog.hub_connection import hub_headers, same_origin
from app.catalog.hub_errors import HubCall, hub_error, hub_errors
from app.errors import DownloadError

if TYPE_CHECKING:
    import httpx2

__all__ = ["RangeGet", "RetryableError", "Sink", "fetch"]

CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 10
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


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
    import httpx2
    from huggingface_hub.errors import OfflineModeIsEnabled

    url = get.url
    headers = hub_headers(get.token if same_origin(url, get.endpoint) else None)
    if sink.offset:
        headers["Range"] = f"bytes={sink.offset}-"
    try:
        for _ in range(MAX_REDIRECTS):
            with _stream(url, headers, get.stall_timeout) as response:
                if response.has_redirect_location:
                    url = urljoin(url, response.headers["Location"])
                    if not same_origin(url, get.endpoint):
                        headers.pop("Authorization", None)  # never leave the hub
                    continue
                _accept(get, response, sink)
                _receive(get, response, sink, control)
                return
        raise RetryableError("The server redirected the download too many times.")
    except httpx2.TransportError as exc:
        sink.check_stop()  # a pause or cancel interrupts the read: not a failure
        raise RetryableError(_describe(exc, get.stall_timeout)) from exc
    except OfflineModeIsEnabled as exc:
        raise (hub_error(exc, _call(get)) or DownloadError(str(exc))) from exc


def _stream(
    url: str, headers: dict[str, str], stall_timeout: float
) -> AbstractContextManager[httpx2.Response]:
    import httpx2
    from huggingface_hub import get_session

    timeout = httpx2.Timeout(stall_timeout, connect=CONNECT_TIMEOUT)
    return get_session().stream(
        "GET", url, headers=headers, follow_redirects=False, timeout=timeout
    )


def _accept(get: RangeGet, response: httpx2.Response, sink: Sink) -> None:
    """Check the status; align the sink with what the server is about to send."""
    status = response.status_code
    if status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
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
    elif get.may_refresh and not same_origin(str(response.url), get.endpoint):
        # Signed CDN addresses expire: ask the hub for a fresh one.
        raise RetryableError(
            f"The download server refused the file (HTTP {status}).", refresh_url=True
        )
    else:
        _raise_for_status(get, response)


def _raise_for_status(get: RangeGet, response: httpx2.Response) -> NoReturn:
    from huggingface_hub import hf_raise_for_status

    response.read()
    with hub_errors(_call(get)):
        hf_raise_for_status(response)
    raise DownloadError(
        f"The server gave an unexpected answer for {get.filename} "
        f"(HTTP {response.status_code}). Try again later."
    )


def _call(get: RangeGet) -> HubCall:
    return HubCall(get.endpoint, get.repo, get.filename, token=get.token)


def _receive(
    get: RangeGet, response: httpx2.Response, sink: Sink, control: DownloadControl
) -> None:
    sink.started()
    control.set_interrupt(_interrupter(response))
    try:
        for piece in response.iter_raw():
            sink.check_stop()
            sink.write(piece)
    finally:
        control.set_interrupt(None)
    sink.check_stop()
    if sink.offset < get.size:
        raise RetryableError("The server ended the transfer early.")


def _interrupter(response: httpx2.Response) -> Callable[[], None]:
    """A function that unblocks a read in progress on the response's socket (from any thread).

    ``shutdown`` wakes a blocked ``recv`` where ``close`` may not; the base-class call skips
    `ssl.SSLSocket.shutdown`, which would drop its SSL object under the reading thread.
    """
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None

    def interrupt() -> None:
        if isinstance(sock, socket.socket):
            with suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    return interrupt


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _describe(exc: BaseException, stall_timeout: float) -> str:
    import httpx2

    if isinstance(exc, httpx2.ReadTimeout):
        return f"No data arrived for {stall_timeout:g} s."
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout):
        return "Hearth could not connect to the download server."
    return "The connection was interrupted."
