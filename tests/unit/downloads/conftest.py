"""Helpers for the download and hub tests: a published file, a fast retry policy.

The ``fake_hub`` fixture (tests/support/fake_hub.py) is a real HTTP server on 127.0.0.1 with a
"CDN" on 127.0.0.2; nothing here reaches the network.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.catalog.download import (
    BackoffPolicy,
    DownloadProgress,
    DownloadRequest,
    download_file,
)
from app.catalog.download_storage import part_path, sidecar_path
from tests.support.fake_hub import FakeFile, FakeHub

REPO = "hearth-test/Tiny-Model-GGUF"
FILENAME = "tiny-model-Q4_K_M.gguf"
FAST = BackoffPolicy(base=0.01, cap=0.05, jitter=0.0)


def publish(hub: FakeHub, size: int = 512 * 1024, *, filename: str = FILENAME) -> FakeFile:
    return hub.add_file(REPO, filename, size=size)


def request_for(hub: FakeHub, file: FakeFile, dest: Path, **fields: Any) -> DownloadRequest:
    return DownloadRequest(REPO, file.filename, hub.repo(REPO).commit, dest, **fields)


def download(hub: FakeHub, file: FakeFile, dest: Path, **kwargs: Any) -> Path:
    """`download_file` against the fake hub, with a tiny backoff unless told otherwise."""
    fields = {
        k: kwargs.pop(k) for k in ("token", "expected_sha256", "expected_size") if k in kwargs
    }
    kwargs.setdefault("backoff", FAST)
    kwargs.setdefault("endpoint", hub.url)
    return download_file(request_for(hub, file, dest, **fields), **kwargs)


def write_partial(dest: Path, data: bytes, *, sha256: str, size: int, revision: str) -> None:
    """A ``.part`` of `data` with a sidecar saying what it is a prefix of."""
    part_path(dest).write_bytes(data)
    sidecar = {
        "version": 1,
        "repo": REPO,
        "filename": "tiny-model-Q4_K_M.gguf",
        "revision": revision,
        "sha256": sha256,
        "size": size,
        "url": "",
    }
    sidecar_path(dest).write_text(json.dumps(sidecar))


class Recorder:
    """Collects progress events; `reached(n)` is set once `n` bytes are downloaded."""

    def __init__(self) -> None:
        self.events: list[DownloadProgress] = []
        self._waits: list[tuple[Callable[[DownloadProgress], bool], threading.Event]] = []

    def __call__(self, event: DownloadProgress) -> None:
        self.events.append(event)
        for predicate, flag in self._waits:
            if predicate(event):
                flag.set()

    def when(self, predicate: Callable[[DownloadProgress], bool]) -> threading.Event:
        flag = threading.Event()
        self._waits.append((predicate, flag))
        return flag

    def reached(self, n: int) -> threading.Event:
        return self.when(lambda e: e.state == "downloading" and e.downloaded >= n)

    @property
    def states(self) -> list[str]:
        return [e.state for e in self.events]


class Worker(threading.Thread):
    """Runs a download on a thread and keeps its result or exception."""

    def __init__(self, target: Callable[[], Path]) -> None:
        super().__init__(daemon=True)
        self._target_fn = target
        self.result: Path | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._target_fn()
        except BaseException as exc:
            self.error = exc

    def finish(self, timeout: float = 20.0) -> Worker:
        self.join(timeout)
        assert not self.is_alive(), "the download did not stop in time"
        return self


@pytest.fixture
def hub(fake_hub: FakeHub) -> FakeHub:
    """Three GGUF repositories, one gated, and one without GGUF files."""
    fake_hub.add_repo("acme/Llama-3.2-1B-Instruct-GGUF", downloads=900, likes=40)
    fake_hub.add_repo(
        "acme/Qwen2.5-0.5B-Instruct-GGUF",
        downloads=5000,
        likes=80,
        last_modified="2025-02-03T04:05:06.000Z",
    )
    fake_hub.add_repo("bigco/Secret-Llama-GGUF", gated="manual", downloads=100)
    fake_hub.add_repo("acme/Llama-3.2-1B-Instruct", downloads=99999)  # safetensors only
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf")
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q8_0.gguf")
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct-GGUF", "README.md", size=100, lfs=False)
    for part in (1, 2):
        name = f"qwen2.5-0.5b-instruct-fp16-0000{part}-of-00002.gguf"
        fake_hub.add_file("acme/Qwen2.5-0.5B-Instruct-GGUF", name, size=1000)
    fake_hub.add_file("bigco/Secret-Llama-GGUF", "secret-Q4_0.gguf")
    fake_hub.add_file("acme/Llama-3.2-1B-Instruct", "model.safetensors")
    return fake_hub


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    return folder
