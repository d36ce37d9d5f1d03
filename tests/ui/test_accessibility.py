"""Every control in the window and its dialogs has an accessible name (screen readers)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.main_window import MainWindow

KINDS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit)


def unnamed_controls(top: QWidget) -> list[str]:
    """Controls a screen reader would announce without a name. A button's text is its name
    (Qt reads it out when no accessible name is set); Qt's own parts (a line edit's clear
    button, "qt_"-named helpers) and the editors inside spin and combo boxes are left out."""
    found = [w for w in top.findChildren(QWidget) if isinstance(w, KINDS)]
    own = [
        w
        for w in found
        if not isinstance(w.parent(), QAbstractSpinBox | QComboBox | QLineEdit)
        and not w.objectName().startswith("qt_")
    ]
    return [
        f"{type(w).__name__} in {type(w.parent()).__name__}"
        for w in own
        if not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text())
    ]


def test_every_control_of_the_main_window_has_a_name(qtbot: QtBot, window: MainWindow) -> None:
    window.summarize_panel.show()
    assert unnamed_controls(window) == []


def test_every_control_of_the_e_mail_panel_has_a_name_and_takes_the_tab_key(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.emails.new_email()
    panel = window.email_panel
    assert unnamed_controls(panel) == []
    assert unnamed_controls(window) == []
    controls = [w for w in panel.findChildren(QWidget) if isinstance(w, KINDS)]
    controls = [w for w in controls if not isinstance(w.parent(), QComboBox | QLineEdit)]
    unreachable = [
        w.accessibleName() or type(w).__name__
        for w in controls
        if not w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    assert unreachable == []
    # The rework buttons come from the prompt library, one per shipped refinement.
    assert len(panel.draft_actions.refine_buttons) >= 6


def test_the_save_as_template_dialog_names_its_controls(qtbot: QtBot, window: MainWindow) -> None:
    window.emails.new_email()
    window.email_panel.draft_actions.ask_template()
    dialog = window.email_panel.draft_actions.template_dialog
    assert dialog is not None
    assert unnamed_controls(dialog) == []


def test_every_control_of_the_model_manager_has_a_name(qtbot: QtBot, window: MainWindow) -> None:
    window.open_model_manager()
    assert window.dialogs.model_manager is not None
    assert unnamed_controls(window.dialogs.model_manager) == []


def test_every_control_of_first_run_onboarding_has_a_name(qtbot: QtBot, window: MainWindow) -> None:
    window.dialogs.start_onboarding_if_needed()  # no model is installed: the dialog opens
    assert window.dialogs.onboarding is not None
    assert unnamed_controls(window.dialogs.onboarding) == []


def test_every_control_of_the_servers_dialog_has_a_name(qtbot: QtBot, window: MainWindow) -> None:
    window.dialogs.open_servers()
    assert window.dialogs.servers_dialog is not None
    assert unnamed_controls(window.dialogs.servers_dialog) == []
