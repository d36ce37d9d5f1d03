"""The shared "choose a .gguf and import it" flow on its own, with real files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.catalog.library import InstalledModel, ModelLibrary
from app.ui.model_import import GGUF_FILTER, GgufImport

WAIT_MS = 30_000


class Host(QWidget):
    """What a dialog gives the flow: a button, a status label, a pool, a library."""

    def __init__(self, models_dir: Path) -> None:
        super().__init__()
        self.button = QPushButton("Import…")
        self.status = QLabel()
        self.pool = QThreadPool(self)
        self.library = ModelLibrary(models_dir)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button)
        layout.addWidget(self.status)
        self.importer = GgufImport(self.library, self.pool, self.button, self.status, self)


@pytest.fixture
def host(qtbot: QtBot, tmp_path: Path) -> Iterator[Host]:
    widget = Host(tmp_path / "models")
    qtbot.addWidget(widget)
    yield widget
    widget.pool.waitForDone()


def test_import_waits_then_reports_the_installed_model(
    qtbot: QtBot, host: Host, scripted_model: Path
) -> None:
    with qtbot.waitSignal(host.importer.model_imported, timeout=WAIT_MS) as imported:
        host.importer.import_file(scripted_model)
        assert not host.button.isEnabled()
        assert host.status.text() == f"Importing {scripted_model.name}…"
    (model,) = imported.args
    assert isinstance(model, InstalledModel)
    assert [m.id for m in host.library.installed()] == [model.id]
    assert host.button.isEnabled()


def test_a_bad_file_is_explained_and_the_button_works_again(
    qtbot: QtBot, host: Host, bad_model_files: dict[str, Path]
) -> None:
    with qtbot.assertNotEmitted(host.importer.model_imported):
        host.importer.import_file(bad_model_files["wrong_magic"])
        qtbot.waitUntil(host.button.isEnabled, timeout=WAIT_MS)
    assert "not a usable GGUF model" in host.status.text()
    assert host.library.installed() == []


def test_the_button_asks_for_a_gguf_file(
    qtbot: QtBot, host: Host, scripted_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[object, ...]] = []

    def choose(*args: object) -> tuple[str, str]:
        asked.append(args)
        return str(scripted_model), GGUF_FILTER

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    with qtbot.waitSignal(host.importer.model_imported, timeout=WAIT_MS):
        host.button.click()
    assert asked == [(host, "Import a model", "", GGUF_FILTER)]


def test_cancelling_the_file_dialog_does_nothing(
    qtbot: QtBot, host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: ("", ""))
    host.button.click()
    assert host.button.isEnabled()
    assert host.status.text() == ""
    assert host.library.installed() == []
