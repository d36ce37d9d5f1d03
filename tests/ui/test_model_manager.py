"""Downloads in a child process and the model manager (the first-run dialog has its own
tests: test_onboarding_dialog.py).

Downloads run the real `hearth` command against the fake Hub on 127.0.0.1. A catalog model
cannot be served with its real sha256, so downloads here name a Hub repo and file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.catalog.catalog import CatalogModel, license_notice, load_catalog
from app.catalog.fit import FitLabel, GiB
from app.catalog.guide import MemoryFigures, SizeClass, SpeedClass
from app.catalog.library import ModelLibrary
from app.settings import Settings
from app.store import History
from app.ui.catalog_card import RECOMMENDED_TITLE, CatalogCard
from app.ui.catalog_tab import NOTHING_MATCHES, ONLY_RECOMMENDED
from app.ui.download_controls import OFFLINE_REASON
from app.ui.download_process import DownloadProcess
from app.ui.hub_search_tab import HubSearchTab
from app.ui.model_manager_dialog import ModelManagerDialog
from app.units import human_size
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
    hub.faults(REPO, BIG).throttle_bps = 2_000_000  # about 3 s: many progress events
    seen: list[tuple[int, str]] = []
    download.progress.connect(lambda percent, text: seen.append((percent, text)))
    with qtbot.waitSignal(download.finished_ok, timeout=WAIT_MS) as done:
        download.start()
    assert done.args == ["random-5mb-f16"]
    assert len(seen) > 1, "no progress event was read"
    percents = [percent for percent, _ in seen]
    assert percents == sorted(percents)
    assert all(0 <= p <= 100 for p in percents)
    assert percents[-1] > percents[0]
    for percent, text in seen:  # the terminal's wording, with the same percent
        assert text.startswith(f"Downloading {BIG}: {percent}% (")
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
    assert message.startswith('The model hub has no repository named "nobody/Nothing-GGUF"')


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


LAPTOP_8GB = MemoryFigures(total=8 * GiB, available=5 * GiB)
"""Fixed memory figures: the tests never depend on this machine's memory."""


def open_manager(
    qtbot: QtBot,
    models_dir: Path,
    settings: Settings,
    *,
    memory: MemoryFigures = LAPTOP_8GB,
    catalog: list[CatalogModel] | None = None,
    database: Path | None = None,
) -> ModelManagerDialog:
    dialog = ModelManagerDialog(
        models_dir, settings, catalog=catalog, database=database, memory=memory
    )
    qtbot.addWidget(dialog)
    return dialog


@pytest.fixture
def manager(qtbot: QtBot, models_dir: Path) -> Iterator[ModelManagerDialog]:
    dialog = open_manager(qtbot, models_dir, Settings())
    yield dialog
    dialog.shutdown()


def all_cards(manager: ModelManagerDialog) -> list[CatalogCard]:
    tab = manager.catalog_tab
    return [tab.recommended_card, *tab.cards.values()]


def test_the_catalog_tab_shows_every_model_as_a_card_with_its_fit(
    manager: ModelManagerDialog,
) -> None:
    catalog = load_catalog()
    cards = all_cards(manager)
    assert [card.model.id for card in cards] == [manager.recommended.id] + [
        m.id for m in catalog if m.id != manager.recommended.id
    ]
    labels = {label.value for label in FitLabel}
    for card in cards:
        memory = card.memory
        assert memory.bar.label.value in labels
        assert memory.verdict.text() == f"<b>{memory.bar.label.value}</b>"
        assert "Needs about" in memory.toolTip()
        assert memory.accessibleDescription() == memory.toolTip()
        assert card.download_size.text().startswith("Download: ")
        assert card.speed.text() in {speed.value for speed in SpeedClass}
        assert card.license.text().startswith(f"License: {card.model.license.name}")
        assert manager.downloads[card.model.id] is card.controls
    assert len(manager.downloads) == len(catalog)


def test_the_recommended_model_is_highlighted_on_top(manager: ModelManagerDialog) -> None:
    tab = manager.catalog_tab
    card = tab.recommended_card
    assert manager.recommended.id == "granite-3.3-2b-instruct-q4_k_m"  # for 8 GB, 5 GB free
    assert card.model == manager.recommended
    assert tab.layout().itemAt(0).widget() is card
    assert card.objectName() == "recommended-card"
    assert card.accessibleName() == f"{RECOMMENDED_TITLE}: {manager.recommended.name}"
    assert card.reason.text().startswith("The most capable model that fits")
    assert card.memory.bar.label is FitLabel.FITS
    assert card.controls.download_button.text() == "Download"
    assert card.controls.isAncestorOf(card.controls.download_button)
    assert card.isAncestorOf(card.controls)
    assert manager.recommended.id not in tab.cards  # shown once, on top
    assert all(c.objectName() == "catalog-card" for c in tab.cards.values())


def test_a_cards_memory_bar_shows_the_need_against_the_free_memory(
    manager: ModelManagerDialog,
) -> None:
    card = manager.catalog_tab.cards["qwen2.5-7b-instruct-q4_k_m"]  # needs 5.2 GB
    bar = card.memory.gauge.bar
    assert bar.label is FitLabel.TIGHT  # more than the 5 GB free, within 85% of 8 GB
    assert (bar.in_use, bar.needed, bar.overflows) == (0.375, 0.625, True)
    assert card.memory.summary.text() == "Needs 5.2 GB; 5.0 GB of 8.0 GB free"
    assert "Close other apps" in card.memory.toolTip()
    assert "grey is in use by other programs" in card.memory.accessibleDescription()
    assert "GPU" not in card.memory.toolTip()  # no GPU share on this (non-Mac) machine
    assert card.speed.text() == "Slow on this computer"
    small = manager.catalog_tab.cards["qwen2.5-0.5b-instruct-q4_k_m"].memory.gauge.bar
    assert small.label is FitLabel.FITS
    assert not small.overflows
    assert small.in_use == 0.375


def test_on_a_mac_the_bar_marks_the_gpu_share_and_the_pick_fits_in_it(
    qtbot: QtBot, models_dir: Path
) -> None:
    mac = MemoryFigures(total=8 * GiB, available=int(7.8 * GiB), gpu_budget=int(0.65 * 8 * GiB))
    dialog = open_manager(qtbot, models_dir, Settings(), memory=mac)
    assert dialog.recommended.id == "qwen3-4b-q4_k_m"  # the 7B fits in RAM, not on the GPU
    seven = dialog.catalog_tab.cards["qwen2.5-7b-instruct-q4_k_m"].memory
    assert seven.bar.label is FitLabel.TIGHT
    assert seven.bar.gpu_limit == pytest.approx(0.65)
    assert "can be on the GPU" in seven.toolTip()
    assert "The line marks how much the GPU can use." in seven.toolTip()
    dialog.shutdown()


def test_a_card_says_what_the_model_is_good_at_and_flags_its_license(
    manager: ModelManagerDialog,
) -> None:
    qwen3b = manager.catalog_tab.cards["qwen2.5-3b-instruct-q4_k_m"]
    assert qwen3b.good_for.text() == "Good for chat, summaries and e-mail writing"
    assert qwen3b.languages.text().startswith("Languages: English, Chinese")
    assert "Japanese" in qwen3b.languages.toolTip()
    assert qwen3b.license.text() == "License: Qwen Research License: non-commercial use only"
    assert qwen3b.license.toolTip() == license_notice(qwen3b.model)
    embedder = manager.catalog_tab.cards["bge-small-en-v1.5-q8_0"]
    assert "not a chat model" in embedder.good_for.text()


def test_the_size_filter_hides_the_other_sizes(manager: ModelManagerDialog) -> None:
    tab = manager.catalog_tab
    filters = tab.filters
    assert filters.size_box.accessibleName() == "Filter by download size"
    filters.size_box.setCurrentIndex(filters.size_box.findData(SizeClass.LARGE))
    assert tab.shown_ids() == [
        "qwen2.5-7b-instruct-q4_k_m",
        "llama-3.1-8b-instruct-q4_k_m",
        "mistral-7b-instruct-v0.3-q4_k_m",
    ]
    assert tab.empty_notice.isHidden()
    assert tab.embedding_heading.isHidden()
    filters.size_box.setCurrentIndex(0)  # Any
    assert len(tab.shown_ids()) == len(tab.cards)
    assert not tab.embedding_heading.isHidden()


def test_the_language_filter_keeps_models_that_speak_it(manager: ModelManagerDialog) -> None:
    tab = manager.catalog_tab
    box = tab.filters.language_box
    assert box.accessibleName() == "Filter by language"
    box.setCurrentIndex(box.findText("Japanese"))
    shown = tab.shown_ids()
    assert "phi-4-mini-instruct-q4_k_m" in shown
    assert "llama-3.2-3b-instruct-q4_k_m" not in shown  # its card lists no Japanese
    assert all("ja" in tab.cards[i].model.languages for i in shown)
    assert tab.embedding_heading.isHidden()


def test_the_use_filter_keeps_models_good_for_it(manager: ModelManagerDialog) -> None:
    tab = manager.catalog_tab
    box = tab.filters.use_box
    assert box.accessibleName() == "Filter by use"
    box.setCurrentIndex(box.findText("E-mail"))
    shown = tab.shown_ids()
    assert "gemma-3-1b-it-q4_k_m" not in shown
    assert "qwen2.5-0.5b-instruct-q4_k_m" not in shown
    assert "qwen3-4b-q4_k_m" in shown
    assert all("email" in tab.cards[i].model.good_for for i in shown)


def test_filters_that_match_nothing_say_so(qtbot: QtBot, models_dir: Path) -> None:
    catalog = [m for m in load_catalog() if m.id != "qwen2.5-7b-instruct-q4_k_m"]
    dialog = open_manager(qtbot, models_dir, Settings(), catalog=catalog)
    tab = dialog.catalog_tab
    tab.filters.size_box.setCurrentIndex(tab.filters.size_box.findData(SizeClass.LARGE))
    tab.filters.language_box.setCurrentIndex(tab.filters.language_box.findText("Japanese"))
    assert tab.shown_ids() == []
    assert tab.empty_notice.text() == NOTHING_MATCHES
    assert not tab.empty_notice.isHidden()
    tab.filters.language_box.setCurrentIndex(0)
    assert tab.empty_notice.isHidden()
    dialog.shutdown()


def test_filters_that_match_only_the_recommended_model_say_so(
    qtbot: QtBot, models_dir: Path
) -> None:
    roomy = MemoryFigures(total=16 * GiB, available=10 * GiB)
    dialog = open_manager(qtbot, models_dir, Settings(), memory=roomy)
    tab = dialog.catalog_tab
    assert dialog.recommended.id == "qwen2.5-7b-instruct-q4_k_m"
    tab.filters.size_box.setCurrentIndex(tab.filters.size_box.findData(SizeClass.LARGE))
    tab.filters.language_box.setCurrentIndex(tab.filters.language_box.findText("Japanese"))
    assert tab.shown_ids() == []
    assert tab.empty_notice.text() == ONLY_RECOMMENDED
    assert tab.recommended_card.isVisibleTo(dialog)
    dialog.shutdown()


def test_the_dialog_is_resizable_with_a_minimum_size(manager: ModelManagerDialog) -> None:
    assert (manager.minimumWidth(), manager.minimumHeight()) == (640, 480)
    assert manager.maximumWidth() > 2000


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
    assert table.horizontalHeaderItem(3).text() == "Conversations"
    assert table.item(0, 4).text().endswith(".gguf")
    assert table.item(0, 2).text()  # quantization, from the header
    assert manager.disk_use.text().startswith("1 model uses ")
    table.selectRow(0)
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        manager.remove_button.click()
    assert "Delete" in answers[0]
    assert table.rowCount() == 0
    assert manager.library.installed() == []
    assert manager.disk_use.text() == "No model is installed."


def test_the_installed_tab_shows_disk_use_and_the_conversations_using_each_model(
    qtbot: QtBot, models_dir: Path, library: ModelLibrary, scripted_model: Path, tmp_path: Path
) -> None:
    installed = library.import_file(scripted_model)
    database = tmp_path / "hearth.db"
    with History.open(database) as history:
        for title in ("Trip plan", "Recipe"):
            history.create_conversation(title=title, model=installed.id)
        history.create_conversation(title="Opened as a file", model=str(installed.path))
        history.create_conversation(title="Another model", model="qwen3-4b-q4_k_m")
        history.delete(history.create_conversation(title="In the trash", model=installed.id))
    dialog = open_manager(qtbot, models_dir, Settings(), database=database)
    table = dialog.installed_table
    qtbot.waitUntil(lambda: table.item(0, 3).text() == "3", timeout=WAIT_MS)
    tooltip = table.item(0, 3).toolTip()
    assert tooltip.startswith("Used by 3 conversations:")
    for title in ("Trip plan", "Recipe", "Opened as a file"):
        assert title in tooltip
    assert "Another model" not in tooltip
    assert "In the trash" not in tooltip
    assert table.item(0, 1).text() == human_size(installed.size_bytes)
    assert (
        dialog.disk_use.text() == f"1 model uses {human_size(installed.size_bytes)} of disk space"
    )
    dialog.shutdown()


def test_without_a_history_the_conversations_column_stays_empty(
    qtbot: QtBot, models_dir: Path, library: ModelLibrary, scripted_model: Path
) -> None:
    library.import_file(scripted_model)
    dialog = open_manager(qtbot, models_dir, Settings())
    assert dialog.installed_table.item(0, 3).text() == ""
    dialog.shutdown()


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


# --- Hub search: a repo's files, downloaded from the dialog ----------------------------------


def choose_repo(qtbot: QtBot, manager: ModelManagerDialog, rows: int = 1) -> HubSearchTab:
    """Search for "Random", choose the first repo, wait until its files are listed."""
    manager.search_field.setText("Random")
    manager.search_button.click()
    qtbot.waitUntil(lambda: manager.search_results.count() == 1, timeout=WAIT_MS)
    manager.search_results.setCurrentRow(0)
    tab = manager.hub_search
    qtbot.waitUntil(lambda: tab.files_table.rowCount() == rows, timeout=WAIT_MS)
    return tab


def show_files(qtbot: QtBot, tab: HubSearchTab, repo: str, rows: int) -> None:
    tab.list_files(repo)
    qtbot.waitUntil(lambda: tab.files_table.rowCount() == rows, timeout=WAIT_MS)


def test_choosing_a_repo_lists_its_files_with_size_and_fit(
    qtbot: QtBot, hub: FakeHub, manager: ModelManagerDialog, big_model: bytes
) -> None:
    tab = choose_repo(qtbot, manager)
    table = tab.files_table
    assert table.item(0, 0).text() == BIG
    assert table.item(0, 1).text() == human_size(len(big_model))
    assert table.item(0, 2).text() in {label.value for label in FitLabel}
    assert "Estimated from the file size" in table.item(0, 2).toolTip()
    assert manager.search_status.text() == f"1 GGUF file in {REPO}."
    controls = tab.downloads[(REPO, BIG)]
    assert table.cellWidget(0, 3).isAncestorOf(controls)
    assert not controls.download_button.isHidden()  # not installed yet


@pytest.mark.slow
def test_a_hub_file_downloads_from_the_search_tab(
    qtbot: QtBot,
    hub: FakeHub,
    manager: ModelManagerDialog,
    library: ModelLibrary,
    answers: list[str],
) -> None:
    hub.faults(REPO, BIG).throttle_bps = 2_000_000  # about 3 s: progress lines every ~2 s
    controls = choose_repo(qtbot, manager).downloads[(REPO, BIG)]
    seen: list[int] = []
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        controls.download_button.click()
        assert controls.process is not None
        controls.process.progress.connect(lambda percent, _text: seen.append(percent))
    assert f"{BIG} comes from {REPO} on the Hugging Face Hub" in answers[0]
    assert f"{hub.url}/{REPO}" in answers[0]  # where its license is
    assert seen, "no progress was shown"
    assert controls.process.percent == 100
    assert controls.status.text() == "Installed"
    installed = library.find("random-5mb-f16")
    assert installed is not None
    assert installed.repo == REPO
    assert installed.revision == hub.repo(REPO).commit  # the commit that was listed
    assert manager.installed_table.rowCount() == 1


def test_a_hub_file_notice_includes_the_gated_terms(
    qtbot: QtBot, hub: FakeHub, manager: ModelManagerDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = "hearth-test/Gated-GGUF"
    hub.add_repo(gated, gated="manual")
    hub.add_file(gated, "gated-Q4_K_M.gguf", size=4000)
    tab = manager.hub_search
    show_files(qtbot, tab, gated, rows=1)
    assert "is a gated model" in tab.search_status.text()
    asked: list[str] = []

    def decline(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    controls = tab.downloads[(gated, "gated-Q4_K_M.gguf")]
    controls.download_button.click()
    assert asked[0].startswith(f"gated-Q4_K_M.gguf comes from {gated} on the Hugging Face Hub")
    assert "is a gated model" in asked[0]
    assert "(4 KB) now?" in asked[0]
    assert controls.process is None  # declined: nothing started


def test_a_split_model_shows_every_part_and_needs_them_all(
    qtbot: QtBot, hub: FakeHub, manager: ModelManagerDialog
) -> None:
    split = "hearth-test/Split-GGUF"
    parts = [f"big-Q8_0-0000{n}-of-00002.gguf" for n in (1, 2)]
    for part in parts:
        hub.add_file(split, part, size=3000)
    tab = manager.hub_search
    show_files(qtbot, tab, split, rows=2)
    table = tab.files_table
    assert [table.item(row, 0).text() for row in range(2)] == parts
    assert "part 2 of 2" in table.item(1, 0).toolTip()
    assert "needs all 2 parts" in tab.downloads[(split, parts[0])].toolTip()
    assert "all 2 parts, 6 KB" in table.item(0, 2).toolTip()  # fit for the whole model
    assert "needs all 2 parts" in tab.downloads[(split, parts[1])].offer.notice


def test_a_downloaded_hub_file_shows_installed_until_it_is_removed(
    qtbot: QtBot,
    hub: FakeHub,
    manager: ModelManagerDialog,
    library: ModelLibrary,
    big_model: bytes,
    answers: list[str],
) -> None:
    destination = library.download_destination(REPO, BIG)
    destination.parent.mkdir(parents=True)
    destination.write_bytes(big_model)
    manager.refresh_installed()
    controls = choose_repo(qtbot, manager).downloads[(REPO, BIG)]
    assert controls.status.text() == "Installed"
    assert controls.download_button.isHidden()
    manager.installed_table.selectRow(0)
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        manager.remove_button.click()
    assert not destination.exists()
    assert not controls.download_button.isHidden()  # it can be downloaded again


def test_listing_errors_show_in_the_status_label(
    qtbot: QtBot, hub: FakeHub, manager: ModelManagerDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.add_file("hearth-test/No-GGUF", "README.md", size=10)
    tab = manager.hub_search
    show_files(qtbot, tab, REPO, rows=1)
    cases = [
        ("hearth-test/No-GGUF", "hearth-test/No-GGUF has no GGUF files"),
        ("nobody/Nothing-GGUF", 'no repository named "nobody/Nothing-GGUF"'),
    ]
    for repo, expected in cases:
        tab.list_files(repo)
        qtbot.waitUntil(lambda e=expected: e in tab.search_status.text(), timeout=WAIT_MS)
        assert tab.files_table.rowCount() == 0
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    tab.list_files(REPO)
    unreachable = "could not reach the model hub"
    qtbot.waitUntil(lambda: unreachable in tab.search_status.text(), timeout=WAIT_MS)


def test_offline_mode_keeps_the_hub_tab_off_the_network(
    qtbot: QtBot, hub: FakeHub, models_dir: Path
) -> None:
    dialog = open_manager(qtbot, models_dir, Settings(offline=True))
    dialog.search_field.setText("Random")
    dialog.hub_search.search()
    dialog.hub_search.list_files(REPO)
    dialog.shutdown()
    assert hub.requests == []
    assert dialog.search_status.text() == OFFLINE_REASON
    assert dialog.search_results.count() == 0
    assert dialog.hub_search.files_table.rowCount() == 0


@pytest.mark.slow
def test_a_hub_download_survives_showing_another_repo_and_pauses_on_shutdown(
    qtbot: QtBot, hub: FakeHub, manager: ModelManagerDialog, answers: list[str]
) -> None:
    hub.faults(REPO, BIG).throttle_bps = 500_000
    other = "hearth-test/Other-GGUF"
    hub.add_file(other, "other-Q4_0.gguf", size=2048)
    tab = choose_repo(qtbot, manager)
    controls = tab.downloads[(REPO, BIG)]
    controls.download_button.click()
    assert controls.process is not None
    part = part_of(controls.process)
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 0, timeout=WAIT_MS)
    show_files(qtbot, tab, other, rows=1)
    qtbot.waitUntil(lambda: tab.files_table.item(0, 0).text() == "other-Q4_0.gguf")
    assert controls.running  # parked outside the table, still downloading
    show_files(qtbot, tab, REPO, rows=1)
    qtbot.waitUntil(lambda: tab.files_table.item(0, 0).text() == BIG)
    assert tab.files_table.cellWidget(0, 3).isAncestorOf(controls)  # the same controls
    manager.shutdown()
    assert not controls.running
    assert part.exists()  # kept for Resume next time
    assert not controls.process.dest.exists()
