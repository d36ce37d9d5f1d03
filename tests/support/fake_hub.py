"""A fake Hugging Face Hub: a real threaded HTTP server on 127.0.0.1 serving generated files.

Tests never reach the network, yet the download code must meet real sockets: partial bodies,
dropped connections, stalls, redirects to another host. `FakeHub` speaks the slice of the Hub
protocol that Hearth and huggingface_hub use:

- ``HEAD|GET /{org}/{repo}/resolve/{rev}/{file}``: ``X-Repo-Commit``, ``ETag``, and for LFS files
  ``X-Linked-Etag`` (the quoted sha256) and ``X-Linked-Size``; ``Accept-Ranges: bytes``; 206 with
  ``Content-Range`` for ``Range: bytes=N-``; or a 302 to a "CDN" (a second server on 127.0.0.2,
  another host as far as any client can tell) when the file's faults say ``via_cdn``.
- ``GET /api/models/{org}/{repo}[/revision/{rev}]`` (``siblings`` with ``size`` and ``lfs`` only
  when ``blobs=true``, as `HfApi.model_info(files_metadata=True)` asks),
  ``GET /api/models/{org}/{repo}/tree/{rev}`` and ``GET /api/models?search=&filter=&limit=``.
- Errors as the Hub sends them: 404 with ``X-Error-Code: RepoNotFound | RevisionNotFound |
  EntryNotFound``; 401 (no token) or 403 (a token that did not accept the terms) with
  ``X-Error-Code: GatedRepo`` for gated repos.

Faults are set per file through `FileFaults` (throttle, drop after N bytes, 503 the first K
times, stall mid-body, wrong bytes, ignore Range, redirect to the CDN). Every request is
recorded (server, method, path, headers, status, body bytes sent) so tests can assert what a
client sent: a ``Range`` on resume, no ``Authorization`` at the CDN.

Every response carries ``Connection: close``: no idle keep-alive sockets, and `close()` joins
every handler thread, so no test leaves a thread or a socket behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

__all__ = ["FakeFile", "FakeHub", "FakeRepo", "FileFaults", "RecordedRequest", "fake_hub"]

_SEND_PIECE = 16 * 1024
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_API_REPO = re.compile(
    r"^/api/models/(?P<repo>[^/]+/[^/]+)(?:/(?P<kind>revision|tree)/(?P<rev>[^/]+)(?P<sub>/.*)?)?$"
)
_CDN = re.compile(r"^/cdn/(?P<sha>[0-9a-f]{64})$")


@dataclass
class FileFaults:
    """What goes wrong when a file is served. Tests change these fields at any time.

    Counts (``*_times``) are consumed per response; ``None`` means every time.
    """

    throttle_bps: int | None = None  # body bytes per second
    drop_after: int | None = None  # close the socket after this many body bytes of a response
    drop_times: int | None = 1
    fail_first: int = 0  # answer `fail_status` to the first K matching requests
    fail_status: int = 503
    fail_methods: tuple[str, ...] = ("GET",)
    stall_after: int | None = None  # stop sending (socket kept open) after this many body bytes
    stall_seconds: float = 0.0
    stall_times: int | None = 1
    wrong_bytes: bool = False  # serve other bytes of the same size (sha256 no longer matches)
    ignore_range: bool = False  # answer 200 with the whole file to Range requests
    via_cdn: bool = False  # resolve answers 302 to the CDN host, which serves the bytes


@dataclass
class FakeFile:
    filename: str
    data: bytes
    lfs: bool = True
    faults: FileFaults = field(default_factory=FileFaults)

    @property
    def size(self) -> int:
        return len(self.data)

    # Digests of `data`, computed once per bytes object: a HEAD of a 256 MB file would
    # otherwise spend a second hashing it (and slow down the download benchmark).
    _digests: dict[str, tuple[bytes, str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        return self._digest("sha256", lambda data: hashlib.sha256(data).hexdigest())

    @property
    def git_sha1(self) -> str:
        return self._digest(
            "git_sha1", lambda data: hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        )

    def _digest(self, kind: str, compute: Callable[[bytes], str]) -> str:
        cached = self._digests.get(kind)
        if cached is None or cached[0] is not self.data:  # new, or `data` was replaced
            cached = (self.data, compute(self.data))
            self._digests[kind] = cached
        return cached[1]

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.git_sha1


@dataclass
class FakeRepo:
    repo_id: str
    commit: str
    gated: Literal[False, "auto", "manual"] = False
    accepted_tokens: frozenset[str] = frozenset()
    downloads: int = 0
    likes: int = 0
    tags: tuple[str, ...] = ()
    last_modified: str = "2024-05-01T12:00:00.000Z"
    files: dict[str, FakeFile] = field(default_factory=dict)

    def resolve_revision(self, revision: str) -> str | None:
        return self.commit if revision in ("main", self.commit) else None

    def all_tags(self) -> list[str]:
        has_gguf = any(name.endswith(".gguf") for name in self.files)
        return [*self.tags, *(["gguf"] if has_gguf else [])]


@dataclass
class RecordedRequest:
    server: Literal["hub", "cdn"]
    method: str
    path: str  # unquoted, without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    status: int = 0
    body_bytes: int = 0  # body bytes actually written to the socket

    @property
    def range_start(self) -> int | None:
        match = re.fullmatch(r"bytes=(\d+)-\d*", self.headers.get("range", ""))
        return int(match.group(1)) if match else None


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    block_on_close = True

    def __init__(self, host: str, hub: FakeHub, role: Literal["hub", "cdn"]) -> None:
        super().__init__((host, 0), _Handler)
        self.hub = hub
        self.role: Literal["hub", "cdn"] = role

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (paused, cancelled, stall timeout) is expected here.
        pass


class FakeHub:
    """The fake Hub (127.0.0.1) and its CDN (127.0.0.2); a context manager."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repos: dict[str, FakeRepo] = {}
        self._requests: list[RecordedRequest] = []
        self._counts: dict[tuple[int, str], int] = {}
        self.stopping = threading.Event()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._rng = random.Random(1234)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeHub:
        roles: tuple[tuple[str, Literal["hub", "cdn"]], ...] = (
            ("127.0.0.1", "hub"),
            ("127.0.0.2", "cdn"),  # another host to any client: the whole 127/8 is loopback
        )
        for host, role in roles:
            server = _Server(host, self, role)
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def close(self) -> None:
        self.stopping.set()  # ends throttles and stalls at once
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return _server_url(self._servers[0])

    @property
    def cdn_url(self) -> str:
        return _server_url(self._servers[1])

    # -- content ---------------------------------------------------------------------------
    def add_repo(
        self,
        repo_id: str,
        *,
        gated: Literal[False, "auto", "manual"] = False,
        accepted_tokens: tuple[str, ...] = (),
        downloads: int = 0,
        likes: int = 0,
        tags: tuple[str, ...] = (),
        last_modified: str = "2024-05-01T12:00:00.000Z",
    ) -> FakeRepo:
        repo = FakeRepo(
            repo_id,
            commit=f"{self._rng.getrandbits(160):040x}",
            gated=gated,
            accepted_tokens=frozenset(accepted_tokens),
            downloads=downloads,
            likes=likes,
            tags=tags,
            last_modified=last_modified,
        )
        with self._lock:
            self._repos[repo_id] = repo
        return repo

    def add_file(
        self,
        repo_id: str,
        filename: str,
        *,
        size: int = 256 * 1024,
        data: bytes | None = None,
        seed: int | None = None,
        lfs: bool = True,
    ) -> FakeFile:
        """Add a file of `size` random bytes (or `data`); the repo is created if needed."""
        repo = self._repos.get(repo_id) or self.add_repo(repo_id)
        if data is None:
            data = random.Random(seed if seed is not None else filename).randbytes(size)
        file = FakeFile(filename, data, lfs=lfs)
        with self._lock:
            repo.files[filename] = file
        return file

    def repo(self, repo_id: str) -> FakeRepo:
        return self._repos[repo_id]

    def file(self, repo_id: str, filename: str) -> FakeFile:
        return self._repos[repo_id].files[filename]

    def faults(self, repo_id: str, filename: str) -> FileFaults:
        return self.file(repo_id, filename).faults

    # -- requests --------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(
        self,
        filename: str | None = None,
        *,
        method: str | None = None,
        server: Literal["hub", "cdn"] | None = None,
    ) -> list[RecordedRequest]:
        """Recorded requests for one file (by name at the Hub, by sha256 at the CDN)."""
        shas = {f.sha256 for r in self._repos.values() for f in r.files.values()}
        names = {f.sha256: f.filename for r in self._repos.values() for f in r.files.values()}

        def is_for(req: RecordedRequest) -> bool:
            if filename is None:
                return True
            if req.server == "cdn":
                sha = req.path.rsplit("/", 1)[-1]
                return sha in shas and names[sha] == filename
            return req.path.endswith("/" + filename) and "/resolve/" in req.path

        return [
            r
            for r in self.requests
            if is_for(r)
            and (method is None or r.method == method)
            and (server is None or r.server == server)
        ]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- used by the handler ---------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _take(self, file: FakeFile, what: str, allowed: int | None) -> bool:
        """Consume one use of a counted fault; False once `allowed` uses are spent."""
        with self._lock:
            key = (id(file), what)
            used = self._counts.get(key, 0)
            if allowed is not None and used >= allowed:
                return False
            self._counts[key] = used + 1
            return True

    def _find_by_sha(self, sha: str) -> FakeFile | None:
        with self._lock:
            for repo in self._repos.values():
                for file in repo.files.values():
                    if file.sha256 == sha:
                        return file
        return None

    def _get_repo(self, repo_id: str) -> FakeRepo | None:
        with self._lock:
            return self._repos.get(repo_id)

    def _all_repos(self) -> list[FakeRepo]:
        with self._lock:
            return list(self._repos.values())


def _server_url(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # a stuck client cannot keep a handler thread forever
    server: _Server
    record: RecordedRequest

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `FakeHub.requests` instead

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_GET(self) -> None:
        self._dispatch("GET")

    # -- routing ---------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self.record = RecordedRequest(
            server=self.server.role,
            method=method,
            path=path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        self.server.hub._record(self.record)
        # The client may go away mid-response (paused, cancelled, timed out): expected here.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            self._route(method, path)

    def _route(self, method: str, path: str) -> None:
        hub = self.server.hub
        if self.server.role == "cdn":
            match = _CDN.match(path)
            file = hub._find_by_sha(match.group("sha")) if match else None
            if file is None:
                return self._error(404, "EntryNotFound", "Not found")
            return self._serve_file(method, file, {})
        if (match := _RESOLVE.match(path)) is not None:
            return self._resolve(method, match["repo"], match["rev"], match["file"])
        if method == "GET" and path == "/api/models":
            return self._list_models()
        if method == "GET" and (match := _API_REPO.match(path)) is not None:
            return self._repo_api(match["repo"], match["kind"], match["rev"])
        self._error(404, None, "Not found")

    def _resolve(self, method: str, repo_id: str, revision: str, filename: str) -> None:
        repo = self._repo_or_error(repo_id, revision)
        if repo is None:
            return
        if repo.gated and not self._may_download(repo):
            return
        file = repo.files.get(filename)
        if file is None:
            return self._error(404, "EntryNotFound", f"{filename} does not exist")
        faults = file.faults
        if method in faults.fail_methods and self.server.hub._take(file, "fail", faults.fail_first):
            return self._error(faults.fail_status, None, "Service unavailable (injected)")
        headers = {"X-Repo-Commit": repo.commit, "ETag": f'"{file.etag}"'}
        if file.lfs:
            headers |= {"X-Linked-Etag": f'"{file.sha256}"', "X-Linked-Size": str(file.size)}
        if faults.via_cdn:
            location = f"{self.server.hub.cdn_url}/cdn/{file.sha256}?X-Amz-Signature=fake"
            return self._respond(302, {**headers, "Location": location, "Content-Length": "0"})
        self._serve_file(method, file, headers)

    def _repo_or_error(self, repo_id: str, revision: str | None) -> FakeRepo | None:
        repo = self.server.hub._get_repo(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found")
            return None
        if revision is not None and repo.resolve_revision(unquote(revision)) is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return None
        return repo

    def _may_download(self, repo: FakeRepo) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        if token is not None and token in repo.accepted_tokens:
            return True
        message = (
            f"Access to model {repo.repo_id} is restricted. You must have access to it "
            "and be authenticated to access it."
        )
        self._error(401 if token is None else 403, "GatedRepo", message)
        return False

    # -- file bodies -----------------------------------------------------------------------
    def _serve_file(self, method: str, file: FakeFile, headers: dict[str, str]) -> None:
        faults = file.faults
        if (
            self.server.role == "cdn"
            and method in faults.fail_methods
            and self.server.hub._take(file, "fail", faults.fail_first)
        ):
            return self._error(faults.fail_status, None, "Service unavailable (injected)")
        data = _wrong(file.data) if faults.wrong_bytes else file.data
        start = self._range_start(file.size, faults.ignore_range)
        if start is None:
            return  # 416 already sent
        headers = {**headers, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        if self.server.role == "cdn":
            headers["ETag"] = f'"{file.sha256}"'
        headers["Content-Length"] = str(file.size - start)
        if start > 0:
            headers["Content-Range"] = f"bytes {start}-{file.size - 1}/{file.size}"
        self._respond(206 if start > 0 else 200, headers)
        if method == "GET":
            self._send_body(file, memoryview(data)[start:])

    def _range_start(self, size: int, ignore_range: bool) -> int | None:
        match = re.fullmatch(r"bytes=(\d+)-\d*", self.headers.get("Range", "").strip())
        if match is None or ignore_range:
            return 0
        start = int(match.group(1))
        if start >= size:
            self._respond(416, {"Content-Range": f"bytes */{size}", "Content-Length": "0"})
            return None
        return start

    def _send_body(self, file: FakeFile, body: memoryview) -> None:
        hub = self.server.hub
        faults = file.faults
        rate = faults.throttle_bps
        piece = max(1024, min(_SEND_PIECE, rate // 20)) if rate else _SEND_PIECE
        began = time.monotonic()
        sent = 0
        drop_checked = stall_checked = False
        while sent < len(body) and not hub.stopping.is_set():
            if not drop_checked and faults.drop_after is not None and sent >= faults.drop_after:
                drop_checked = True
                if hub._take(file, "drop", faults.drop_times):
                    return self._drop()
            if not stall_checked and faults.stall_after is not None and sent >= faults.stall_after:
                stall_checked = True
                if hub._take(file, "stall", faults.stall_times):
                    self.wfile.flush()
                    hub.stopping.wait(faults.stall_seconds)
                    began = time.monotonic() - (sent / rate if rate else 0)
            limit = len(body) - sent
            for mark in (faults.drop_after, faults.stall_after):
                if mark is not None and mark > sent:
                    limit = min(limit, mark - sent)
            chunk = body[sent : sent + min(piece, limit)]
            self.wfile.write(chunk)
            sent += len(chunk)
            self.record.body_bytes = sent
            if rate:
                self.wfile.flush()
                ahead = sent / rate - (time.monotonic() - began)
                if ahead > 0:
                    hub.stopping.wait(ahead)
        self.wfile.flush()

    def _drop(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- API -------------------------------------------------------------------------------
    def _repo_api(self, repo_id: str, kind: str | None, revision: str | None) -> None:
        repo = self._repo_or_error(repo_id, revision)
        if repo is None:
            return
        if kind == "tree":
            entries = [
                {"type": "file", "oid": f.git_sha1, "size": f.size, "path": f.filename}
                | ({"lfs": _lfs(f, oid_key="oid")} if f.lfs else {})
                for f in repo.files.values()
            ]
            return self._json(entries)
        blobs = self.record.query.get("blobs", [""])[0].lower() == "true"
        siblings = [
            {"rfilename": f.filename}
            | (
                {"size": f.size, "blobId": f.git_sha1}
                | ({"lfs": _lfs(f, oid_key="sha256")} if f.lfs else {})
                if blobs
                else {}
            )
            for f in repo.files.values()
        ]
        self._json({**_summary(repo), "sha": repo.commit, "siblings": siblings})

    def _list_models(self) -> None:
        query = self.record.query
        search = query.get("search", [""])[0].lower()
        filters = set(query.get("filter", []))
        repos = [
            r
            for r in self.server.hub._all_repos()
            if search in r.repo_id.lower() and filters <= set(r.all_tags())
        ]
        if query.get("sort", [""])[0] == "downloads":
            repos.sort(key=lambda r: r.downloads, reverse=True)
        limit = int(query.get("limit", ["1000"])[0])
        expand = query.get("expand", []) + query.get("expand[]", [])
        items = []
        for repo in repos[:limit]:
            summary = _summary(repo)
            if expand:
                summary = {k: v for k, v in summary.items() if k in {"id", "_id", *expand}}
            else:  # the Hub's default list fields: no gated, no lastModified
                summary = {k: v for k, v in summary.items() if k not in {"gated", "lastModified"}}
            items.append(summary)
        self._json(items)

    # -- responses -------------------------------------------------------------------------
    def _respond(self, status: int, headers: dict[str, str]) -> None:
        self.record.status = status
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()

    def _json(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self._respond(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        if self.command == "GET":
            self.wfile.write(body)
            self.record.body_bytes = len(body)

    def _error(self, status: int, code: str | None, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        if code is not None:
            headers["X-Error-Code"] = code
        headers["X-Error-Message"] = message
        self._respond(status, headers)
        if self.command == "GET":
            self.wfile.write(body)


def _summary(repo: FakeRepo) -> dict[str, Any]:
    return {
        "_id": repo.commit[:24],
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "private": False,
        "gated": repo.gated,
        "downloads": repo.downloads,
        "likes": repo.likes,
        "tags": repo.all_tags(),
        "lastModified": repo.last_modified,
        "createdAt": "2024-01-01T00:00:00.000Z",
    }


def _lfs(file: FakeFile, *, oid_key: str) -> dict[str, Any]:
    return {oid_key: file.sha256, "size": file.size, "pointerSize": 134}


def _wrong(data: bytes) -> bytes:
    """The same size, other bytes: flip one byte in the middle."""
    if not data:
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def resolve_path(repo_id: str, revision: str, filename: str) -> str:
    """The resolve path for a file, as clients quote it."""
    return f"/{repo_id}/resolve/{quote(revision, safe='')}/{quote(filename)}"


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A running `FakeHub`; `HF_ENDPOINT` points at it and huggingface_hub's offline mode is
    lifted for this test only (tests/conftest.py sets ``HF_HUB_OFFLINE=1`` for every test, and
    huggingface_hub reads it once, at import)."""
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with FakeHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub
