"""The model manager's Hub search tab: find GGUF repos, list a repo's files, download one.

Searching and listing run as jobs (`JobRunner`) on the dialog's pool, through the
`run_in_background` the dialog hands over; each file's download is a `DownloadControls`,
the same as a catalog model's. Only the search words and the chosen repo's name go to the
Hub, and a token only when the user set one (gated models).

A file's fit is estimated from its size (`estimate_from_file_size`): before the download
there is no header to read, and the label's tooltip says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.catalog.fit import FitVerdict, estimate_from_file_size, judge_fit_now
from app.catalog.hub import GgufFile, HubRepo, RepoFiles, hub_endpoint
from app.catalog.library import ModelLibrary
from app.settings import Settings
from app.tasks.job import Job
from app.ui.download_controls import OFFLINE_REASON, DownloadControls, DownloadOffer
from app.ui.download_process import DownloadProcess
from app.ui.job_runner import JobRunner
from app.units import human_size

Runner = Callable[[Callable[[Job], Any], Callable[[Any], None], Callable[[str], None]], JobRunner]
"""`run_in_background` bound to the dialog and its pool: (work, on_success, on_failure)."""

PRIVACY_NOTE = (
    "Searching sends your search words to huggingface.co, and choosing a repo sends its name; "
    "nothing else."
)
FIT_UNKNOWN = "Unknown"
_SPLIT_SUFFIX = re.compile(r"-\d{5}-of-\d{5}\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class HubFileRow:
    """One .gguf of a listed repo and what the table says about it."""

    file: GgufFile
    model_size: int | None  # the whole model's: every part of a split model; None: unknown
    fit: FitVerdict | None  # None: the size is unknown, so is the fit
    installed: bool


def describe_files(listing: RepoFiles, library: ModelLibrary, n_ctx: int) -> list[HubFileRow]:
    """The table's rows (off the UI thread: it reads the disk and the free memory)."""
    sizes: dict[str, list[int | None]] = {}
    for file in listing.files:
        sizes.setdefault(_model_stem(file), []).append(file.size)
    rows = []
    for file in listing.files:
        parts = sizes[_model_stem(file)]
        size = None if None in parts else sum(p or 0 for p in parts)
        fit = judge_fit_now(estimate_from_file_size(size, n_ctx)) if size is not None else None
        installed = library.download_destination(listing.repo, file.filename).is_file()
        rows.append(HubFileRow(file, size, fit, installed))
    return rows


def hub_file_notice(repo: str, file: GgufFile, gated_notice: str | None) -> str:
    """What the user reads before downloading a Hub file: where it comes from, its license."""
    text = (
        f"{file.filename} comes from {repo} on the Hugging Face Hub. Hearth has not reviewed "
        f"it; its license is on the model page, {hub_endpoint()}/{repo}. Read it before you "
        "use the model."
    )
    if file.is_split:
        text += " " + split_notice(file)
    return f"{text}\n\n{gated_notice}" if gated_notice else text


def split_notice(file: GgufFile) -> str:
    return (
        f"This is part {file.split_part} of {file.split_count} of one model: the model needs "
        f"all {file.split_count} parts, so download each of them."
    )


def _model_stem(file: GgufFile) -> str:
    return _SPLIT_SUFFIX.sub("", file.filename) if file.is_split else file.filename


class HubSearchTab(QWidget):
    """Search field, matching repos, and the chosen repo's GGUF files with downloads.

    Signals:
        download_finished(str): a Hub file was downloaded and installed (its model id).
    """

    download_finished = Signal(str)

    def __init__(
        self,
        library: ModelLibrary,
        settings: Settings,
        run: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self._run = run
        self._shown_repo: str | None = None
        # Every file's controls, by (repo, filename); those with a download stay (parked
        # outside the table) while another repo is shown, so the download goes on.
        self.downloads: dict[tuple[str, str], DownloadControls] = {}
        self.search_field = QLineEdit()
        self.search_field.setAccessibleName("Search the Hugging Face Hub")
        self.search_field.setPlaceholderText("Search GGUF models on the Hugging Face Hub")
        self.search_button = QPushButton("Search")
        self.search_button.setAccessibleName("Search the Hub")
        self.search_results = QListWidget()
        self.files_table = self._files_table()
        self.search_status = QLabel(OFFLINE_REASON if settings.offline else PRIVACY_NOTE)
        self.search_status.setWordWrap(True)
        for widget in (self.search_field, self.search_button):
            widget.setEnabled(not settings.offline)
        self.search_field.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.search_results.currentItemChanged.connect(self._on_repo_chosen)
        row = QHBoxLayout()
        row.addWidget(self.search_field)
        row.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.search_results, 1)
        layout.addWidget(self.files_table, 2)
        layout.addWidget(self.search_status)

    @staticmethod
    def _files_table() -> QTableWidget:
        table = QTableWidget(0, 4)
        table.setHorizontalHeaderLabels(["File", "Size", "Fit", "Download"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return table

    def shutdown(self) -> None:
        """Pause running downloads: their parts stay, and Resume picks them up next time."""
        for controls in self.downloads.values():
            controls.stop_for_exit()

    def show_removed(self, path: Path) -> None:
        """The installed model at `path` was removed: its file can be downloaded again."""
        for (repo, filename), controls in self.downloads.items():
            destination = self.library.download_destination(repo, filename)
            if destination.resolve() == path.resolve() and not controls.running:
                controls.show_state("idle")

    # --- searching -----------------------------------------------------------------------

    @Slot()
    def search(self) -> None:
        query = self.search_field.text().strip()
        if not query or self.settings.offline:
            return
        from app.catalog.hub import search_gguf_repos

        self.search_button.setEnabled(False)
        self.search_status.setText(f"Searching for {query!r}…")
        self._run(lambda _token: search_gguf_repos(query), self._on_search_results, self._on_failed)

    def _on_search_results(self, repos: list[HubRepo]) -> None:
        self.search_button.setEnabled(True)
        self.search_results.clear()
        for repo in repos:
            gated = " — gated: needs the author's approval and a token" if repo.gated else ""
            item = QListWidgetItem(f"{repo.id}   {repo.downloads:,} downloads{gated}")
            item.setData(Qt.ItemDataRole.UserRole, repo.id)
            self.search_results.addItem(item)
        self.search_status.setText(
            "Choose a repo to see its GGUF files." if repos else "No GGUF repos match."
        )

    def _on_failed(self, message: str) -> None:
        self.search_button.setEnabled(True)
        self.search_status.setText(message)

    # --- a repo's files ------------------------------------------------------------------

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_repo_chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.list_files(str(item.data(Qt.ItemDataRole.UserRole)))

    def list_files(self, repo: str) -> None:
        """Read `repo`'s GGUF files in the background and show them with their fit."""
        if self.settings.offline:
            return
        from app.catalog.hub import list_gguf_files

        self._shown_repo = repo
        self._clear_files()
        self.search_status.setText(f"Reading the files of {repo}…")
        token = self.settings.hub_token or None
        n_ctx = self.settings.context_length
        library = self.library  # the work gets plain data, never the widget

        def work(_token: object) -> tuple[RepoFiles, list[HubFileRow]]:
            listing = list_gguf_files(repo, token=token)
            return listing, describe_files(listing, library, n_ctx)

        def failed(message: str) -> None:
            if repo == self._shown_repo:  # an answer for a repo no longer shown goes unseen
                self.search_status.setText(message)

        self._run(work, lambda result: self._on_files(repo, *result), failed)

    def _on_files(self, repo: str, listing: RepoFiles, rows: list[HubFileRow]) -> None:
        if repo != self._shown_repo:
            return
        self._clear_files()
        table = self.files_table
        table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            self._show_file(index, listing, row)
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        count = f"{len(rows)} GGUF file{'s' if len(rows) != 1 else ''} in {repo}."
        self.search_status.setText(" ".join(filter(None, [count, listing.notice])))

    def _show_file(self, index: int, listing: RepoFiles, row: HubFileRow) -> None:
        file = row.file
        name = QTableWidgetItem(file.filename)
        if file.is_split:
            name.setToolTip(split_notice(file))
        size = human_size(file.size) if file.size is not None else "size unknown"
        self.files_table.setItem(index, 0, name)
        self.files_table.setItem(index, 1, QTableWidgetItem(size))
        self.files_table.setItem(index, 2, self._fit_item(row))
        holder = QWidget()  # the table deletes it with the row; parked controls survive
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        controls = self._controls_for(listing, row)
        layout.addWidget(controls)
        controls.setVisible(True)
        self.files_table.setCellWidget(index, 3, holder)

    @staticmethod
    def _fit_item(row: HubFileRow) -> QTableWidgetItem:
        if row.fit is None or row.model_size is None:
            item = QTableWidgetItem(FIT_UNKNOWN)
            item.setToolTip("The Hub does not give this file's size: fit unknown until downloaded.")
            return item
        whole = ""
        if row.file.is_split:
            count = row.file.split_count
            whole = f"For the whole model (all {count} parts, {human_size(row.model_size)}): "
        item = QTableWidgetItem(row.fit.label.value)
        item.setToolTip(
            f"{whole}{row.fit.explanation} Estimated from the file size; Hearth knows exactly "
            "once it is downloaded."
        )
        return item

    def _controls_for(self, listing: RepoFiles, row: HubFileRow) -> DownloadControls:
        key = (listing.repo, row.file.filename)
        if key in self.downloads:
            return self.downloads[key]
        repo, filename, commit = listing.repo, row.file.filename, listing.commit
        library = self.library

        def make_process(owner: QObject) -> DownloadProcess:
            # The commit listed is the one downloaded, whatever main points to later.
            return DownloadProcess.for_hub_file(repo, filename, library, commit, owner)

        notice = hub_file_notice(repo, row.file, listing.notice)
        offer = DownloadOffer(filename, row.file.size, notice)
        controls = DownloadControls(offer, make_process, installed=row.installed)
        controls.set_offline(self.settings.offline)
        controls.setToolTip(split_notice(row.file) if row.file.is_split else "")
        controls.download_finished.connect(self.download_finished)
        self.downloads[key] = controls
        return controls

    def _clear_files(self) -> None:
        """Empty the table; controls that started a download are kept (parked) outside it."""
        for key, controls in list(self.downloads.items()):
            if controls.process is None:
                del self.downloads[key]  # the table deletes it with its row
            else:
                controls.setParent(self)
                controls.hide()
        self.files_table.setRowCount(0)
