"""The error bar: the message, the button that helps, Dismiss, and readable colours in both
themes (real widgets)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.ui.inline_error import DARK_COLOURS, LIGHT_COLOURS, InlineError
from app.ui.theme import apply_theme, palette_for


@pytest.fixture
def holder(qtbot: QtBot) -> QWidget:
    """A window on screen for the bar, as the main window holds it above the composer."""
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    return window


def text_colour(bar: InlineError) -> str:
    return bar.label.palette().color(QPalette.ColorRole.WindowText).name()


def test_an_action_is_a_button_that_acts_and_closes_the_bar(qtbot: QtBot, holder: QWidget) -> None:
    bar = InlineError(holder)
    bar.show()
    acted: list[bool] = []
    bar.show_error(
        "report.pdf does not exist.", action=("Choose the file again…", lambda: acted.append(True))
    )
    assert bar.isVisible()
    assert not bar.reload_button.isVisible()
    assert bar.action_button.text() == "Choose the file again…"
    assert bar.action_button.accessibleName() == "Choose the file again…"
    qtbot.mouseClick(bar.action_button, Qt.MouseButton.LeftButton)
    assert acted == [True]
    assert not bar.isVisible()


def test_an_error_without_an_action_shows_no_action_button(qtbot: QtBot, holder: QWidget) -> None:
    bar = InlineError(holder)
    bar.show()
    bar.show_error("first", action=("Do it", lambda: None))
    bar.show_error("The engine stopped.", offer_reload=True)
    assert bar.reload_button.isVisible()
    assert not bar.action_button.isVisible()


def test_dismiss_closes_the_bar(qtbot: QtBot, holder: QWidget) -> None:
    bar = InlineError(holder)
    bar.show()
    bar.show_error("Something went wrong.")
    qtbot.mouseClick(bar.dismiss_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_the_colours_follow_the_theme(qtbot: QtBot, holder: QWidget) -> None:
    bar = InlineError(holder)
    bar.show()
    bar.setPalette(palette_for("light"))
    assert bar.colours == LIGHT_COLOURS
    assert text_colour(bar) == LIGHT_COLOURS[2]
    bar.setPalette(palette_for("dark"))
    assert bar.colours == DARK_COLOURS
    assert text_colour(bar) == DARK_COLOURS[2]  # light text on the dark bar


def test_the_colours_follow_the_applications_theme(qtbot: QtBot, holder: QWidget) -> None:
    """As the settings' theme switch does it: the whole application's palette changes."""
    bar = InlineError(holder)
    bar.show()
    before = QApplication.palette()
    try:
        # Qt hands the application's new palette on to widgets through posted events.
        apply_theme(QApplication.instance(), "dark")  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: bar.colours == DARK_COLOURS)
        assert text_colour(bar) == DARK_COLOURS[2]
        apply_theme(QApplication.instance(), "light")  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: bar.colours == LIGHT_COLOURS)
        assert text_colour(bar) == LIGHT_COLOURS[2]
    finally:
        QApplication.setPalette(before)
