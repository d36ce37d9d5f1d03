"""Downloads in a child process, the model manager and the first-run dialog.

Downloads run the real `hearth` command against the fake Hub on 127.0.0.1. A catalog model
cannot be served with its real sha256, so downloads here name a Hub repo and file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.catalog.catalog import license_notice, load_catalog
from app.catalog.fit import FitLabel
from app.catalog.library import ModelLibrary
from app.paths import resolve_paths
from app.settings import Settings
from app.ui.download_process import DownloadProcess
from app.ui.model_manager_dialog import ModelManagerDialog
from app.ui.onboarding_dialog import OnboardingDialog
from tests.support.fake_hub import FakeHub
from tests.support.tiny_gguf import write_random_model

REPO = "hearth-test/Random-GGUF"
BIG = "random-5mb-F16.gguf"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def big_model(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("big") / BIG
    return write_random_model(path, n_embd=256, n_layer=4, n_head=4, n_ff=512).read_bytes()


@pytest.fixture
def hub(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, big_model: bytes) -> FakeHub:
    """The fake Hub serving a ~5 MB model; child processes may use the network."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    fake_hub.add_repo(REPO, downloads=7)
    fake_hub.add_file(REPO, BIG, data=big_model)
    return fake_hub


@pytest.fixture
def models_dir(hearth_home: Path) -> Path:
    """Where the `hearth` command (run with this test's HEARTH_HOME) installs models."""
    return resolve_paths().default_models_dir


@pytest.fixture
def library(models_dir: Path) -> ModelLibrary:
    return ModelLibrary(models_dir)


@pytest.fixture
def download(library: ModelLibrary, models_dir: Path) -> Iterator[DownloadProcess]:
    process = DownloadProcess.for_hub_file(REPO, BIG, library)
    yield process
    process.stop_for_exit()


def part_of(process: DownloadProcess) -> Path:
    return process.dest.with_name(process.dest.name + ".part")


# --- DownloadProcess -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_download_reports_progress_then_the_installed_id(
    qtbot: QtBot, hub: FakeHub, download: DownloadProcess, library: ModelLibrary
) -> None:
    hub.faults(REPO, BIG).throttle_bps = 2_000_000  # about 3 s: progress lines every ~2 s
    seen: list[int] = []
    download.progress.connect(lambda percent, _text: seen.append(percent))
    with qtbot.waitSignal(download.finished_ok, timeout=WAIT_MS) as done:
        download.start()
    assert done.args == ["random-5mb-f16"]
    assert seen, "no progress line was parsed"
    assert all(0 <= p <= 100 for p in seen)
    assert download.dest.read_bytes() == hub.file(REPO, BIG).data
    assert [m.id for m in library.installed()] == ["random-5mb-f16"]


@pytest.mark.slow
def test_pause_keeps_the_partial_and_resume_finishes(
    qtbot: QtBot, hub: FakeHub, download: DownloadProcess
) -> None:
    hub.faults(REPO, BIG).throttle_bps = 1_000_000
    part = part_of(download)
    with qtbot.waitSignal(download.progress, timeout=WAIT_MS):
        download.start()
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 0, timeout=WAIT_MS)
    with qtbot.waitSignal(download.paused, timeout=WAIT_MS):
        download.pause()
    size = len(hub.file(REPO, BIG).data)
    assert 0 < part_of(download).stat().st_size < size
    assert not download.dest.exists()
    hub.faults(REPO, BIG).throttle_bps = None
    hub.clear_requests()
    with qtbot.waitSignal(download.finished_ok, timeout=WAIT_MS):
        download.start()
    gets = [r for r in hub.requests if r.method == "GET" and "/resolve/" in r.path]
    assert gets[0].range_start  # it resumed, not restarted
    assert download.dest.read_bytes() == hub.file(REPO, BIG).data


@pytest.mark.slow
def test_cancel_removes_the_partial(qtbot: QtBot, hub: FakeHub, download: DownloadProcess) -> None:
    hub.faults(REPO, BIG).throttle_bps = 1_000_000
    with qtbot.waitSignal(download.progress, timeout=WAIT_MS):
        download.start()
    assert part_of(download).exists()
    with qtbot.waitSignal(download.cancelled, timeout=WAIT_MS):
        download.cancel()
    assert not part_of(download).exists()
    assert not download.dest.exists()


def test_a_missing_repo_fails_with_one_line(
    qtbot: QtBot, hub: FakeHub, library: ModelLibrary
) -> None:
    process = DownloadProcess.for_hub_file("nobody/Nothing-GGUF", "x.gguf", library)
    with qtbot.waitSignal(process.failed, timeout=WAIT_MS) as failed:
        process.start()
    message = failed.args[0]
    assert "nobody/Nothing-GGUF" in message
    assert "\n" not in message
    assert not message.startswith("hearth:")


# --- the model manager -----------------------------------------------------------------------


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Confirmation boxes are answered Yes; their texts are recorded here."""
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def open_manager(qtbot: QtBot, models_dir: Path, settings: Settings) -> ModelManagerDialog:
    dialog = ModelManagerDialog(models_dir, settings)
    qtbot.addWidget(dialog)
    return dialog


@pytest.fixture
def manager(qtbot: QtBot, models_dir: Path) -> Iterator[ModelManagerDialog]:
    dialog = open_manager(qtbot, models_dir, Settings())
    yield dialog
    dialog.shutdown()


def test_the_catalog_tab_lists_every_model_with_its_fit(manager: ModelManagerDialog) -> None:
    table = manager.catalog_table
    catalog = load_catalog()
    assert table.rowCount() == len(catalog)
    labels = {label.value for label in FitLabel}
    for row in range(table.rowCount()):
        fit = table.item(row, 3)
        assert fit.text() in labels
        assert "Needs about" in fit.toolTip()
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert [n for n in names if n.endswith("(recommended)")] == [
        f"{manager.recommended.name} (recommended)"
    ]


def test_download_shows_the_license_first_and_can_be_declined(
    manager: ModelManagerDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def decline(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    controls = manager.downloads[manager.recommended.id]
    controls.download_button.click()
    assert asked
    assert asked[0].startswith(license_notice(manager.recommended))
    assert controls.process is None  # declined: nothing started


def test_import_then_remove_an_installed_model(
    qtbot: QtBot, manager: ModelManagerDialog, scripted_model: Path, answers: list[str]
) -> None:
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        manager.import_file(scripted_model)
    table = manager.installed_table
    assert table.rowCount() == 1
    assert table.item(0, 3).text().endswith(".gguf")
    assert table.item(0, 2).text()  # quantization, from the header
    table.selectRow(0)
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        manager.remove_button.click()
    assert "Delete" in answers[0]
    assert table.rowCount() == 0
    assert manager.library.installed() == []


def test_the_import_button_opens_a_file_dialog(
    qtbot: QtBot,
    manager: ModelManagerDialog,
    scripted_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(scripted_model), ""))
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        manager.import_button.click()
    assert manager.installed_table.rowCount() == 1


def test_importing_a_bad_file_shows_why(
    qtbot: QtBot, manager: ModelManagerDialog, bad_model_files: dict[str, Path]
) -> None:
    manager.import_file(bad_model_files["wrong_magic"])
    qtbot.waitUntil(manager.import_button.isEnabled, timeout=WAIT_MS)
    assert "not a usable GGUF model" in manager.installed_status.text()
    assert manager.installed_table.rowCount() == 0


def test_offline_mode_disables_downloads_and_search(qtbot: QtBot, models_dir: Path) -> None:
    dialog = open_manager(qtbot, models_dir, Settings(offline=True))
    assert dialog.offline_notice.isVisibleTo(dialog)
    assert "Offline mode is on" in dialog.offline_notice.text()
    assert all(not c.download_button.isEnabled() for c in dialog.downloads.values())
    assert not dialog.search_field.isEnabled()
    assert not dialog.search_button.isEnabled()
    dialog.shutdown()


def test_hub_search_lists_matching_repos(
    qtbot: QtBot, hub: FakeHub, manager: ModelManagerDialog
) -> None:
    manager.search_field.setText("Random")
    manager.search_button.click()
    qtbot.waitUntil(lambda: manager.search_results.count() == 1, timeout=WAIT_MS)
    assert manager.search_results.item(0).text().startswith(REPO)


# --- first run -------------------------------------------------------------------------------


@pytest.fixture
def onboarding(qtbot: QtBot, models_dir: Path) -> Iterator[OnboardingDialog]:
    dialog = OnboardingDialog(models_dir, Settings())
    qtbot.addWidget(dialog)
    yield dialog
    dialog.shutdown()


def test_onboarding_shows_the_recommended_model_and_its_license(
    onboarding: OnboardingDialog,
) -> None:
    recommended = onboarding.recommended
    assert recommended.name in onboarding.model_label.text()
    assert any(label.value in onboarding.model_label.text() for label in FitLabel)
    assert onboarding.license_label.text() == license_notice(recommended)
    texts = " ".join(label.text() for label in onboarding.findChildren(QLabel))
    assert "only time Hearth uses the network" in texts
    assert "copy a .gguf model file here" in texts.lower()


def test_onboarding_import_makes_a_model_ready(
    qtbot: QtBot, onboarding: OnboardingDialog, scripted_model: Path
) -> None:
    with qtbot.waitSignal(onboarding.model_ready, timeout=WAIT_MS) as ready:
        onboarding.import_file(scripted_model)
    assert ready.args == ["scripted-tiny"]
    assert onboarding.result() == OnboardingDialog.DialogCode.Accepted
