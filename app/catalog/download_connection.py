"""The connection a download's GET is made on: http.client, reached the way the hub's client
reaches it.

The body of a model file is read with the standard library's http.client, whose `readinto`
fills a large buffer in one call from Python (download_http). huggingface_hub's client
(httpx) parses every 16-64 KiB piece in Python: on a fast link that bookkeeping costs more
than the bytes (tests/bench/downloads.py). To reach the server exactly as that client
would, this module takes from it what it takes from the environment: proxies from
``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` minus ``NO_PROXY``, and httpcore's default TLS
context (certifi's authorities, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``). Certificates are
always verified.
"""

from __future__ import annotations

import base64
import http.client
import socket
from collections.abc import Callable
from contextlib import suppress
from urllib.parse import SplitResult, unquote, urlsplit
from urllib.request import getproxies_environment, proxy_bypass

from app.errors import DownloadError

__all__ = ["ExchangeTarget", "interrupter", "open_connection"]

DEFAULT_PORTS = {"http": 80, "https": 443}


class ExchangeTarget:
    """Where a request goes: the server's URL and, through a proxy, what to ask for."""

    def __init__(self, url: str) -> None:
        self.url = urlsplit(url)
        if self.url.scheme not in DEFAULT_PORTS or not self.url.hostname:
            raise DownloadError(f"Hearth cannot download from {url!r}: not an http(s) address.")
        self.host = self.url.hostname
        self.port = self.url.port or DEFAULT_PORTS[self.url.scheme]
        self.proxy = _proxy_for(self.url)

    @property
    def request_target(self) -> str:
        """The path to request: the full URL when a plain-HTTP proxy forwards it."""
        path = self.url.path or "/"
        if self.url.query:
            path += f"?{self.url.query}"
        if self.proxy is not None and self.url.scheme == "http":
            return f"http://{self.url.netloc}{path}"
        return path

    def request_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """`headers`, plus the proxy's credentials when a plain-HTTP proxy forwards the
        request (through a tunnel they went with CONNECT)."""
        if self.proxy is not None and self.url.scheme == "http":
            return headers | self.proxy_headers()
        return headers

    def proxy_headers(self) -> dict[str, str]:
        """Proxy-Authorization, when the proxy's address carries a user name."""
        if self.proxy is None or self.proxy.username is None:
            return {}
        user = f"{unquote(self.proxy.username)}:{unquote(self.proxy.password or '')}"
        return {"Proxy-Authorization": "Basic " + base64.b64encode(user.encode()).decode()}


def open_connection(target: ExchangeTarget, connect_timeout: float) -> http.client.HTTPConnection:
    """A connected (and, for https, TLS-verified) connection to `target`'s server."""
    proxy = target.proxy
    host, port = (target.host, target.port) if proxy is None else _proxy_address(proxy)
    connection: http.client.HTTPConnection
    if target.url.scheme == "https":
        import httpcore2

        context = httpcore2.default_ssl_context()
        connection = http.client.HTTPSConnection(
            host, port, timeout=connect_timeout, context=context
        )
        if proxy is not None:  # a CONNECT tunnel through the proxy, TLS inside it
            connection.set_tunnel(target.host, target.port, headers=target.proxy_headers())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=connect_timeout)
    try:
        connection.connect()
    except BaseException:
        connection.close()
        raise
    return connection


def interrupter(connection: http.client.HTTPConnection) -> Callable[[], None]:
    """A function that unblocks a read in progress on the connection (from any thread).

    ``shutdown`` wakes a blocked ``recv`` where ``close`` may not; the base-class call skips
    `ssl.SSLSocket.shutdown`, which would drop its SSL object under the reading thread.
    """
    sock = connection.sock

    def interrupt() -> None:
        if isinstance(sock, socket.socket):
            with suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    return interrupt


def _proxy_for(url: SplitResult) -> SplitResult | None:
    """The proxy the environment names for `url`, if any and not bypassed."""
    proxies = getproxies_environment()
    address = proxies.get(url.scheme) or proxies.get("all")
    host = url.hostname or ""
    if not address or proxy_bypass(host):  # NO_PROXY (the environment's, as proxies are set)
        return None
    if "://" not in address:
        address = f"http://{address}"
    proxy = urlsplit(address)
    if proxy.scheme != "http" or not proxy.hostname:
        raise DownloadError(
            f"Hearth downloads through http:// proxies only; the proxy set for {host} is "
            f"{proxy.scheme}://{proxy.hostname}. Set HTTPS_PROXY to an http:// proxy."
        )
    return proxy


def _proxy_address(proxy: SplitResult) -> tuple[str, int]:
    assert proxy.hostname is not None
    return proxy.hostname, proxy.port or DEFAULT_PORTS["http"]
