"""Downloads against a real (fake) hub: the happy path, faults, resumes, errors."""

from __future__ import annotations

import hashlib
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.catalog.download import DownloadRequest, download_file
from app.catalog.download_storage import part_path
from app.errors import (
    DownloadError,
    GatedModelError,
    HubError,
    ModelFileNotFoundError,
    ModelRepoNotFoundError,
    ModelRevisionNotFoundError,
)
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import (
    FAST,
    REPO,
    Recorder,
    download,
    publish,
    request_for,
    write_partial,
)


def test_downloads_a_verified_file_atomically(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 1_500_000)
    progress = Recorder()

    path = download(fake_hub, file, models_dir / "tiny.gguf", on_progress=progress)

    assert path == models_dir / "tiny.gguf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == file.sha256
    assert sorted(p.name for p in models_dir.iterdir()) == ["tiny.gguf"]  # no .part/.json/.lock
    downloaded = [e.downloaded for e in progress.events if e.state != "checking"]
    assert downloaded == sorted(downloaded)
    assert progress.states[0] == "checking"
    assert {"downloading", "verifying"} <= set(progress.states)
    assert progress.events[-1].state == "done"
    assert progress.events[-1].downloaded == progress.events[-1].total == file.size
    gets = fake_hub.requests_for(file.filename, method="GET")
    assert len(gets) == 1
    assert "range" not in gets[0].headers


def test_only_the_file_is_requested(fake_hub: FakeHub, models_dir: Path) -> None:
    """No telemetry or API calls: one HEAD and one GET of the file, nothing else."""
    file = publish(fake_hub)
    download(fake_hub, file, models_dir / "tiny.gguf")
    assert [(r.method, r.path.endswith(file.filename)) for r in fake_hub.requests] == [
        ("HEAD", True),
        ("GET", True),
    ]


def test_progress_is_rate_limited_with_rate_and_eta(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 600_000)
    fake_hub.faults(REPO, file.filename).throttle_bps = 1_000_000
    progress = Recorder()

    began = time.monotonic()
    download(fake_hub, file, models_dir / "tiny.gguf", on_progress=progress)
    elapsed = time.monotonic() - began

    updates = [e for e in progress.events if e.state == "downloading"]
    assert len(updates) <= 10 * elapsed + 2
    assert len(updates) >= 3
    measured = [e for e in updates if e.rate > 0]
    assert measured
    assert all(e.eta_s is not None and e.eta_s >= 0 for e in measured)
    assert 200_000 < measured[-1].rate < 5_000_000


def test_dropped_connection_resumes_with_range(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 1_000_000)
    fake_hub.faults(REPO, file.filename).drop_after = 300_000
    progress = Recorder()

    path = download(fake_hub, file, models_dir / "tiny.gguf", on_progress=progress)

    assert path.read_bytes() == file.data
    first, second = fake_hub.requests_for(file.filename, method="GET")
    assert first.body_bytes == 300_000
    assert second.range_start == 300_000
    assert second.status == 206
    assert second.body_bytes == file.size - 300_000
    assert "retrying" in progress.states


def test_a_link_that_drops_every_time_still_finishes(fake_hub: FakeHub, models_dir: Path) -> None:
    """Failures that brought new bytes do not use up the retries."""
    file = publish(fake_hub, 1_000_000)
    faults = fake_hub.faults(REPO, file.filename)
    faults.drop_after, faults.drop_times = 150_000, None

    path = download(fake_hub, file, models_dir / "tiny.gguf", max_retries=1)

    assert path.read_bytes() == file.data
    gets = fake_hub.requests_for(file.filename, method="GET")
    assert len(gets) == 7
    assert [g.range_start for g in gets[1:]] == [150_000 * n for n in range(1, 7)]


def test_server_errors_are_retried(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    fake_hub.faults(REPO, file.filename).fail_first = 2
    progress = Recorder()

    path = download(fake_hub, file, models_dir / "tiny.gguf", on_progress=progress)

    assert path.read_bytes() == file.data
    statuses = [r.status for r in fake_hub.requests_for(file.filename, method="GET")]
    assert statuses == [503, 503, 200]
    retries = [e for e in progress.events if e.state == "retrying"]
    assert [e.attempt for e in retries] == [2, 3]
    assert "HTTP 503" in retries[0].message


def test_metadata_errors_are_retried(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    faults = fake_hub.faults(REPO, file.filename)
    faults.fail_first, faults.fail_methods, faults.fail_status = 2, ("HEAD",), 502

    path = download(fake_hub, file, models_dir / "tiny.gguf")

    assert path.read_bytes() == file.data
    assert [r.status for r in fake_hub.requests_for(file.filename, method="HEAD")] == [
        502,
        502,
        200,
    ]


def test_gives_up_after_max_retries(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    fake_hub.faults(REPO, file.filename).fail_first = 100

    with pytest.raises(DownloadError, match="failed 3 times in a row") as caught:
        download(fake_hub, file, models_dir / "tiny.gguf", max_retries=2)

    assert "again resumes where it stopped" in caught.value.message
    assert len(fake_hub.requests_for(file.filename, method="GET")) == 3
    assert not (models_dir / "tiny.gguf.lock").exists()
    assert not (models_dir / "tiny.gguf").exists()


def test_a_stall_reconnects_and_finishes(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 600_000)
    faults = fake_hub.faults(REPO, file.filename)
    faults.stall_after, faults.stall_seconds = 200_000, 10.0
    progress = Recorder()

    began = time.monotonic()
    path = download(
        fake_hub, file, models_dir / "tiny.gguf", stall_timeout=0.5, on_progress=progress
    )

    assert time.monotonic() - began < 5
    assert path.read_bytes() == file.data
    second = fake_hub.requests_for(file.filename, method="GET")[1]
    assert second.range_start == 200_000
    assert any("No data arrived for 0.5 s" in e.message for e in progress.events)


def test_a_matching_partial_is_resumed(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    dest = models_dir / "tiny.gguf"
    revision = fake_hub.repo(REPO).commit
    write_partial(dest, file.data[:100_000], sha256=file.sha256, size=file.size, revision=revision)

    download(fake_hub, file, dest)

    assert dest.read_bytes() == file.data
    (get,) = fake_hub.requests_for(file.filename, method="GET")
    assert get.range_start == 100_000
    assert get.body_bytes == file.size - 100_000


def test_a_partial_of_another_file_starts_over(fake_hub: FakeHub, models_dir: Path) -> None:
    """The file changed upstream since the partial was written: its sidecar does not match."""
    file = publish(fake_hub)
    dest = models_dir / "tiny.gguf"
    old_sha = hashlib.sha256(b"the old version").hexdigest()
    revision = fake_hub.repo(REPO).commit
    write_partial(dest, file.data[:100_000], sha256=old_sha, size=file.size, revision=revision)

    download(fake_hub, file, dest)

    assert dest.read_bytes() == file.data
    (get,) = fake_hub.requests_for(file.filename, method="GET")
    assert "range" not in get.headers
    assert sorted(p.name for p in models_dir.iterdir()) == ["tiny.gguf"]


def test_a_partial_without_sidecar_is_not_trusted(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    dest = models_dir / "tiny.gguf"
    part_path(dest).write_bytes(file.data[:100_000])

    download(fake_hub, file, dest)

    assert dest.read_bytes() == file.data
    assert "range" not in fake_hub.requests_for(file.filename, method="GET")[0].headers


@pytest.mark.parametrize(
    ("repo", "filename", "revision", "error", "words"),
    [
        ("nobody/nothing", None, None, ModelRepoNotFoundError, "no repository named"),
        (REPO, "missing.gguf", None, ModelFileNotFoundError, "missing.gguf is not in"),
        (REPO, None, "0" * 40, ModelRevisionNotFoundError, "has no revision"),
    ],
)
def test_missing_things_have_their_own_errors(
    fake_hub: FakeHub,
    models_dir: Path,
    repo: str,
    filename: str | None,
    revision: str | None,
    error: type[Exception],
    words: str,
) -> None:
    file = publish(fake_hub)
    request = replace(
        request_for(fake_hub, file, models_dir / "x.gguf"),
        repo=repo,
        filename=filename or file.filename,
        revision=revision or fake_hub.repo(REPO).commit,
    )
    with pytest.raises(error, match=words):
        download_file(request, endpoint=fake_hub.url, backoff=FAST)
    assert list(models_dir.iterdir()) == []
    assert fake_hub.requests_for(method="GET") == []


def test_gated_model_needs_an_accepted_token(fake_hub: FakeHub, models_dir: Path) -> None:
    fake_hub.add_repo(REPO, gated="manual", accepted_tokens=("hf_accepted",))
    file = publish(fake_hub)
    fake_hub.faults(REPO, file.filename).via_cdn = True
    dest = models_dir / "tiny.gguf"

    with pytest.raises(GatedModelError) as no_token:
        download(fake_hub, file, dest)
    assert "accepting its terms" in no_token.value.message
    assert "token" in no_token.value.message
    assert f"{fake_hub.url}/{REPO}" in no_token.value.message

    with pytest.raises(GatedModelError, match="has not been granted access"):
        download(fake_hub, file, dest, token="hf_other")

    assert download(fake_hub, file, dest, token="hf_accepted").read_bytes() == file.data
    assert [r.status for r in fake_hub.requests_for(file.filename, method="HEAD")] == [
        401,
        403,
        302,
    ]
    assert all("authorization" not in r.headers for r in fake_hub.requests_for(server="cdn"))


def test_an_existing_verified_file_is_not_downloaded_again(
    fake_hub: FakeHub, models_dir: Path
) -> None:
    file = publish(fake_hub)
    dest = models_dir / "tiny.gguf"
    dest.write_bytes(file.data)
    progress = Recorder()

    assert download(fake_hub, file, dest, on_progress=progress) == dest

    assert fake_hub.requests_for(method="GET") == []
    assert progress.events[-1].state == "done"


def test_an_outdated_destination_is_replaced(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    dest = models_dir / "tiny.gguf"
    dest.write_bytes(b"x" * file.size)
    download(fake_hub, file, dest)
    assert dest.read_bytes() == file.data


def _closed_port() -> int:
    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_hub_is_explained(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    request = DownloadRequest(REPO, "x.gguf", "main", models_dir / "x.gguf")
    with pytest.raises(DownloadError) as caught:
        download_file(
            request, endpoint=f"http://127.0.0.1:{_closed_port()}", backoff=FAST, max_retries=1
        )
    assert "could not reach the model hub" in caught.value.message
    assert "everything else works offline" in caught.value.message
    assert list(models_dir.iterdir()) == []


def test_offline_mode_is_explained(models_dir: Path) -> None:
    """tests/conftest.py sets HF_HUB_OFFLINE=1: without the fake hub fixture, no request."""
    request = DownloadRequest(REPO, "x.gguf", "main", models_dir / "x.gguf")
    with pytest.raises(HubError, match="HF_HUB_OFFLINE"):
        download_file(request, endpoint=f"http://127.0.0.1:{_closed_port()}")
