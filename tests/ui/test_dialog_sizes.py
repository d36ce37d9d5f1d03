"""Every dialog is resizable, fits a small laptop screen, and cuts nothing off at its minimum.

Each dialog is opened for real (as its own tests open it), then shrunk to its minimum size:
every control must still get the room it asks for and every wrapped text its full height.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractScrollArea, QDialog, QLabel, QLayout, QSizePolicy, QWidget
from pytestqt.qtbot import QtBot

from app.catalog.fit import GiB
from app.catalog.guide import MemoryFigures
from app.paths import resolve_paths
from app.settings import Settings, load_settings, save_settings
from app.store import History
from app.ui.conversation_settings_dialog import ConversationSettingsDialog
from app.ui.model_manager_dialog import ModelManagerDialog
from app.ui.onboarding_dialog import OnboardingDialog
from app.ui.refinement_dialog import RefinementDialog
from app.ui.servers_dialog import ServersDialog
from app.ui.settings_dialog import SettingsDialog

SMALL_LAPTOP = QSize(800, 600)  # the largest minimum a dialog may have
FLOOR = QSize(360, 240)  # smaller than this, no dialog here is usable
LAPTOP_8GB = MemoryFigures(total=8 * GiB, available=5 * GiB)

Opener = Callable[[Path, History], QDialog]


def settings_dialog(tmp_path: Path, _history: History) -> QDialog:
    path = tmp_path / "config" / "settings.json"
    save_settings(Settings(), path)
    return SettingsDialog(
        load_settings(path),
        path,
        models_dir=tmp_path / "models",
        data_dir=tmp_path / "data",
        states_dir=tmp_path / "states",
        folder_opener=lambda _folder: None,
    )


def conversation_settings_dialog(tmp_path: Path, history: History) -> QDialog:
    cid = history.create_conversation(title="Plans", system_prompt="Be brief.")
    return ConversationSettingsDialog(history, cid, tmp_path / "presets.json")


def refinement_dialog(_tmp_path: Path, _history: History) -> QDialog:
    return RefinementDialog("Make it shorter and friendlier.")


def model_manager_dialog(_tmp_path: Path, _history: History) -> QDialog:
    models_dir = resolve_paths().default_models_dir
    return ModelManagerDialog(models_dir, Settings(), memory=LAPTOP_8GB)


def onboarding_dialog(_tmp_path: Path, _history: History) -> QDialog:
    return OnboardingDialog(resolve_paths().default_models_dir, Settings())


def servers_dialog(tmp_path: Path, _history: History) -> QDialog:
    return ServersDialog(tmp_path / "config" / "servers.json")


OPENERS = {
    "settings": settings_dialog,
    "conversation settings": conversation_settings_dialog,
    "save as template": refinement_dialog,
    "model manager": model_manager_dialog,
    "onboarding": onboarding_dialog,
    "servers": servers_dialog,
}


@pytest.fixture(params=list(OPENERS))
def dialog(
    request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, hearth_home: Path
) -> Iterator[QDialog]:
    with History.open(tmp_path / "hearth.db") as history:
        opened = OPENERS[request.param](tmp_path, history)
        qtbot.addWidget(opened)
        opened.show()
        qtbot.waitExposed(opened)
        yield opened
        shutdown = getattr(opened, "shutdown", None)
        if shutdown is not None:
            shutdown()
        opened.close()


def fits(inner: QSize, outer: QSize) -> bool:
    return inner.width() <= outer.width() and inner.height() <= outer.height()


def test_every_dialog_is_resizable_and_fits_a_small_laptop(dialog: QDialog) -> None:
    minimum = dialog.minimumSize()
    assert minimum != dialog.maximumSize()
    assert fits(FLOOR, minimum), minimum
    assert fits(minimum, SMALL_LAPTOP), minimum
    layout = dialog.layout()
    assert layout is not None
    assert fits(layout.totalMinimumSize(), minimum)


def test_every_dialog_opens_at_a_comfortable_size_on_the_screen(dialog: QDialog) -> None:
    screen = dialog.screen().availableGeometry().size()
    assert fits(dialog.minimumSize(), dialog.size())
    assert fits(dialog.size(), screen)
    assert dialog.size() != dialog.minimumSize()  # room to spare, not squeezed to the floor


def in_layout(layout: QLayout, widget: QWidget) -> bool:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        inner = item.layout() if item else None
        if item and (item.widget() is widget or (inner and in_layout(inner, widget))):
            return True
    return False


def shown_widgets(dialog: QDialog) -> list[QWidget]:
    """The dialog's visible widgets that its layouts place (not a scroll area's contents,
    which scroll rather than shrink, nor the parts a widget places itself)."""
    scrolled = [area.viewport() for area in dialog.findChildren(QAbstractScrollArea)]
    shown = []
    for widget in dialog.findChildren(QWidget):
        parent = widget.parentWidget()
        layout = parent.layout() if parent else None
        if not widget.isVisible() or layout is None or not in_layout(layout, widget):
            continue
        if not any(view.isAncestorOf(widget) for view in scrolled):
            shown.append(widget)
    return shown


def squeezed(widget: QWidget) -> bool:
    """Smaller than it asks to be, in a direction where it may not shrink."""
    policy = widget.sizePolicy()
    wanted = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    ignored = QSizePolicy.Policy.Ignored
    narrow = policy.horizontalPolicy() != ignored and widget.width() < wanted.width()
    short = policy.verticalPolicy() != ignored and widget.height() < wanted.height()
    if isinstance(widget, QLabel) and widget.wordWrap():
        short = widget.height() < widget.heightForWidth(widget.width())
    return narrow or short


def test_nothing_is_cut_off_at_the_minimum_size(qtbot: QtBot, dialog: QDialog) -> None:
    dialog.resize(dialog.minimumSize())
    qtbot.waitUntil(lambda: dialog.size() == dialog.minimumSize())
    layout = dialog.layout()
    assert layout is not None
    layout.activate()
    cut = [
        f"{type(w).__name__} {w.accessibleName() or w.objectName()}: "
        f"{w.size().toTuple()} < {w.minimumSizeHint().toTuple()}"
        for w in shown_widgets(dialog)
        if squeezed(w)
    ]
    assert cut == []
