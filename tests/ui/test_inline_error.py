"""The error bar: the message, the button that helps, Dismiss, and readable colours in both
themes (real widgets)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.inline_error import DARK_COLOURS, LIGHT_COLOURS, InlineError
from app.ui.theme import palette_for


def shown_bar(qtbot: QtBot) -> InlineError:
    bar = InlineError()
    qtbot.addWidget(bar)
    return bar


def test_an_action_is_a_button_that_acts_and_closes_the_bar(qtbot: QtBot) -> None:
    bar = shown_bar(qtbot)
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


def test_an_error_without_an_action_shows_no_action_button(qtbot: QtBot) -> None:
    bar = shown_bar(qtbot)
    bar.show_error("first", action=("Do it", lambda: None))
    bar.show_error("The engine stopped.", offer_reload=True)
    assert bar.reload_button.isVisible()
    assert not bar.action_button.isVisible()


def test_dismiss_closes_the_bar(qtbot: QtBot) -> None:
    bar = shown_bar(qtbot)
    bar.show_error("Something went wrong.")
    qtbot.mouseClick(bar.dismiss_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_the_colours_follow_the_theme(qtbot: QtBot) -> None:
    bar = shown_bar(qtbot)
    bar.setPalette(palette_for("light"))
    assert LIGHT_COLOURS[0] in bar.styleSheet()
    bar.setPalette(palette_for("dark"))
    assert DARK_COLOURS[0] in bar.styleSheet()
    assert DARK_COLOURS[2] in bar.styleSheet()  # light text on the dark bar
