"""How a download's GET reaches the server (app/catalog/download_connection.py): directly, or
through the proxy the environment names, as the hub's own client would."""

from __future__ import annotations

import base64
import http.client
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.catalog.download_connection import ExchangeTarget
from app.errors import DownloadError
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import download, publish


class ForwardingProxy(ThreadingHTTPServer):
    """A plain-HTTP forward proxy on 127.0.0.1 that records what it was asked."""

    daemon_threads = False
    block_on_close = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[tuple[str, str, str | None]] = []  # method, target, Proxy-Authorization

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: ForwardingProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._forward("GET")

    def do_HEAD(self) -> None:
        self._forward("HEAD")

    def _forward(self, method: str) -> None:
        self.server.seen.append((method, self.path, self.headers.get("Proxy-Authorization")))
        target = urlsplit(self.path)  # a proxy is asked for the whole URL
        upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-authorization"}
        upstream.request(method, target.path, headers=headers)
        answer = upstream.getresponse()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() != "connection":
                self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if method == "GET":
            shutil.copyfileobj(answer, self.wfile)
        upstream.close()
        self.close_connection = True


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    """A running proxy. huggingface_hub's client (the HEAD before each download) reads the
    proxy settings once, when created: it is closed around each test, so none keeps a
    proxy that is gone."""
    from huggingface_hub import close_session

    server = ForwardingProxy()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    close_session()
    yield server
    close_session()
    server.shutdown()
    server.server_close()
    thread.join()


def gets(proxy: ForwardingProxy) -> list[tuple[str, str, str | None]]:
    return [seen for seen in proxy.seen if seen[0] == "GET"]


def test_the_download_goes_through_the_environments_proxy(
    fake_hub: FakeHub, models_dir: Path, proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = publish(fake_hub)
    monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://ada:p%40ss@"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    download(fake_hub, file, models_dir / "tiny.gguf")

    assert (models_dir / "tiny.gguf").read_bytes() == file.data
    [(_, target, authorization)] = gets(proxy)
    assert target.startswith(f"{fake_hub.url}/{file.filename}".rsplit("/", 1)[0])
    assert target.endswith(f"/{file.filename}")
    assert authorization == "Basic " + base64.b64encode(b"ada:p@ss").decode()


def test_no_proxy_names_servers_reached_directly(
    fake_hub: FakeHub, models_dir: Path, proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = publish(fake_hub)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,127.0.0.2")

    download(fake_hub, file, models_dir / "tiny.gguf")

    assert (models_dir / "tiny.gguf").read_bytes() == file.data
    assert gets(proxy) == []


def test_a_proxy_hearth_cannot_speak_to_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(DownloadError, match="through http:// proxies only"):
        ExchangeTarget("https://huggingface.co/some/file")
