"""`hearth models` end to end: the real command against a fake Hub on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.catalog.download_control import DownloadProgress
from app.catalog.download_events import DownloadEvent, DownloadMessage, decode_event
from app.paths import resolve_paths
from tests.e2e.cli_helpers import HEARTH, hearth
from tests.support.fake_hub import FakeHub
from tests.support.tiny_gguf import write_random_model

REPO = "hearth-test/Scripted-GGUF"
FILENAME = "scripted-tiny-F32.gguf"
BIG = "random-5mb-F16.gguf"  # big enough to be caught mid-download (writes go in 1 MiB steps)


@pytest.fixture(scope="module")
def big_model(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("big") / BIG
    return write_random_model(path, n_embd=256, n_layer=4, n_head=4, n_ff=512).read_bytes()


@pytest.fixture
def hub(
    fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, scripted_model: Path, big_model: bytes
) -> Iterator[FakeHub]:
    """The fake Hub serving real GGUF models; subprocesses may use the network."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    fake_hub.add_repo(REPO, downloads=42)
    fake_hub.add_file(REPO, FILENAME, data=scripted_model.read_bytes())
    fake_hub.add_file(REPO, BIG, data=big_model)
    return fake_hub


def models_folder() -> Path:
    return resolve_paths().data_dir / "models"


def wait_for(predicate: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_download_then_chat_then_remove(hub: FakeHub) -> None:
    result = hearth("models", "download", REPO, FILENAME)
    model_id = result.stdout.strip()
    assert model_id == "scripted-tiny-f32"
    installed = models_folder() / "hearth-test__Scripted-GGUF" / FILENAME
    assert installed.read_bytes() == hub.file(REPO, FILENAME).data
    assert [p.name for p in installed.parent.iterdir() if ".part" in p.name] == []
    listing = hearth("models", "list").stdout
    line = next(x for x in listing.splitlines() if x.startswith(model_id))
    assert "installed (hub)" in line
    info = hearth("models", "info", model_id).stdout
    assert f"revision: {hub.repo(REPO).commit}" in info
    assert f"sha256: {hub.file(REPO, FILENAME).sha256}" in info
    chat = hearth("chat", "hi", "--model", model_id)
    assert chat.stdout == "Hello, world!\n"
    hearth("models", "remove", model_id)
    assert not installed.exists()
    shown = hearth("history", "show", "1").stdout
    assert "Hello, world!" in shown  # the conversation keeps its text
    gone = hearth("chat", "hi", "--conversation", "1", check=False)
    assert gone.returncode == 1
    assert "hearth models list" in gone.stderr


def test_a_killed_download_resumes_with_a_range_request(hub: FakeHub) -> None:
    size = len(hub.file(REPO, BIG).data)
    hub.faults(REPO, BIG).throttle_bps = 2_000_000  # about 3 s in all
    part = models_folder() / "hearth-test__Scripted-GGUF" / (BIG + ".part")
    process = subprocess.Popen(
        [HEARTH, "models", "download", REPO, BIG],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        wait_for(lambda: part.exists() and part.stat().st_size > 0)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    hub.faults(REPO, BIG).throttle_bps = None
    hub.clear_requests()
    assert hearth("models", "download", REPO, BIG).stdout.strip() == "random-5mb-f16"
    gets = [r for r in hub.requests if r.method == "GET" and "/resolve/" in r.path]
    assert gets, "the second run fetched nothing"
    start = gets[0].range_start
    assert start is not None
    assert start > 0
    assert sum(r.body_bytes for r in gets) == size - start


def test_ctrl_c_pauses_and_the_same_command_resumes(hub: FakeHub) -> None:
    size = len(hub.file(REPO, BIG).data)
    hub.faults(REPO, BIG).throttle_bps = 2_000_000
    part = models_folder() / "hearth-test__Scripted-GGUF" / (BIG + ".part")
    process = subprocess.Popen(
        [HEARTH, "models", "download", REPO, BIG],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    wait_for(lambda: part.exists() and part.stat().st_size > 0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Paused" in err.decode()
    part_size_when_paused = part.stat().st_size
    assert 0 < part_size_when_paused < size
    hub.faults(REPO, BIG).throttle_bps = None
    hub.clear_requests()
    assert hearth("models", "download", REPO, BIG).returncode == 0
    (resumed,) = [r for r in hub.requests if r.method == "GET" and "/resolve/" in r.path]
    assert resumed.range_start == part_size_when_paused
    assert resumed.body_bytes == size - part_size_when_paused


def json_events(stderr: str) -> list[DownloadEvent]:
    """Every stderr line of ``--progress json``, decoded; each one must be an event."""
    events = [decode_event(line) for line in stderr.splitlines()]
    assert None not in events, stderr
    return [e for e in events if e is not None]


def test_json_progress_reports_every_event_as_a_line(hub: FakeHub) -> None:
    size = len(hub.file(REPO, BIG).data)
    hub.faults(REPO, BIG).throttle_bps = 5_000_000  # about a second: several progress events
    result = hearth("models", "download", REPO, BIG, "--progress", "json")
    assert result.stdout.strip() == "random-5mb-f16"
    events = json_events(result.stderr)
    progress = [e for e in events if isinstance(e, DownloadProgress)]
    assert len(progress) == len(events)
    downloading = [e.downloaded for e in progress if e.state == "downloading"]
    assert len(downloading) > 1
    assert downloading == sorted(downloading)
    assert {e.total for e in progress if e.state != "checking"} == {size}
    assert progress[-1].state == "done"
    assert progress[-1].downloaded == size


def test_json_progress_ends_a_failure_with_the_message_for_people(hub: FakeHub) -> None:
    text = hearth("models", "download", "nobody/Nothing-GGUF", "x.gguf", check=False)
    result = hearth(
        "models", "download", "nobody/Nothing-GGUF", "x.gguf", "--progress", "json", check=False
    )
    assert (text.returncode, result.returncode) == (1, 1)
    assert json_events(result.stderr) == [
        DownloadMessage("failed", text.stderr.strip().removeprefix("hearth: "))
    ]
    hub.faults(REPO, FILENAME).wrong_bytes = True
    corrupt = hearth("models", "download", REPO, FILENAME, "--progress", "json", check=False)
    assert corrupt.returncode == 1
    *progress, last = json_events(corrupt.stderr)
    assert all(isinstance(e, DownloadProgress) for e in progress)
    assert isinstance(last, DownloadMessage)
    assert last.kind == "failed"
    assert "does not match its published checksum" in last.message


def test_json_progress_reports_a_pause_and_exits_130(hub: FakeHub) -> None:
    size = len(hub.file(REPO, BIG).data)
    hub.faults(REPO, BIG).throttle_bps = 2_000_000
    part = models_folder() / "hearth-test__Scripted-GGUF" / (BIG + ".part")
    process = subprocess.Popen(
        [HEARTH, "models", "download", REPO, BIG, "--progress", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    wait_for(lambda: part.exists() and part.stat().st_size > 0)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert out == b""
    *progress, last = json_events(err.decode())
    assert any(isinstance(e, DownloadProgress) and e.state == "downloading" for e in progress)
    assert isinstance(last, DownloadMessage)
    assert last.kind == "paused"
    assert f"The download of {BIG} is paused at " in last.message
    assert 0 < part.stat().st_size < size


def test_errors_are_one_line(hub: FakeHub) -> None:
    missing = hearth("models", "download", "nobody/Nothing-GGUF", "x.gguf", check=False)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1
    hub.add_repo("gated-org/Gated-GGUF", gated="manual")
    hub.add_file("gated-org/Gated-GGUF", "g.gguf", size=1000)
    gated = hearth("models", "download", "gated-org/Gated-GGUF", "g.gguf", check=False)
    assert gated.returncode == 1
    assert "gated-org/Gated-GGUF" in gated.stderr
    hub.faults(REPO, FILENAME).wrong_bytes = True
    corrupt = hearth("models", "download", REPO, FILENAME, check=False)
    assert corrupt.returncode == 1
    assert "checksum" in corrupt.stderr
    assert list(models_folder().rglob("*.gguf*")) == []


def test_offline_mode_refuses_to_download(hub: FakeHub) -> None:
    paths = resolve_paths().ensure()
    paths.settings_file.write_text(json.dumps({"offline": True}), encoding="utf-8")
    result = hearth("models", "download", REPO, FILENAME, check=False)
    assert result.returncode == 1
    assert "Offline mode is on" in result.stderr
    assert hub.requests == []


def test_search_lists_repos_and_a_repos_files_with_fit(hub: FakeHub) -> None:
    found = hearth("models", "search", "Scripted").stdout
    assert found.startswith(f"{REPO}\t42 downloads")
    files = hearth("models", "search", REPO).stdout.splitlines()
    assert sorted(line.split("\t")[0] for line in files) == sorted([BIG, FILENAME])
    assert all("\tFits: " in line for line in files)


def test_import_and_info_of_a_local_file(scripted_model_no_template: Path) -> None:
    result = hearth("models", "import", str(scripted_model_no_template))
    model_id = result.stdout.strip()
    assert "Chat template: no" in result.stderr
    assert model_id in hearth("models", "list").stdout
    info = hearth("models", "info", str(scripted_model_no_template)).stdout
    assert "name: No Template Tiny" in info
    assert "fit: " in info


def test_import_refuses_a_bad_file(bad_model_files: dict[str, Path]) -> None:
    result = hearth("models", "import", str(bad_model_files["wrong_magic"]), check=False)
    assert result.returncode == 1
    assert "not a usable GGUF model" in result.stderr


def test_a_download_cleans_partials_abandoned_for_a_week(hub: FakeHub) -> None:
    folder = models_folder() / "someone__Old-GGUF"
    folder.mkdir(parents=True)
    part, sidecar = folder / "old.gguf.part", folder / "old.gguf.part.json"
    part.write_bytes(b"x" * 100)
    sidecar.write_text("{}", encoding="utf-8")
    week_ago = time.time() - 8 * 86400
    for path in (part, sidecar):
        os.utime(path, (week_ago, week_ago))
    result = hearth("models", "download", REPO, FILENAME)
    assert "abandoned partial download: old.gguf.part" in result.stderr
    assert not part.exists()
    assert not sidecar.exists()
