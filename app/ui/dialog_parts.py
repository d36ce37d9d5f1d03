"""Pieces every settings-like dialog has: a problems label, OK/Cancel, named spin boxes,
rows of widgets side by side."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

ERROR_COLOUR = "#b3261e"


def problems_label() -> QLabel:
    """A hidden red label that lists what is wrong when OK is pressed."""
    label = QLabel()
    label.setAccessibleName("Problems with these settings")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.hide()
    return label


def ok_cancel_buttons(
    dialog: QDialog, ok_name: str
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """OK (named `ok_name` for screen readers) and Cancel, wired to accept and reject."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setAccessibleName(ok_name)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setAccessibleName("Cancel without saving")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok, cancel


def int_spin_box(low: int, high: int, name: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setAccessibleName(name)
    return box


def float_spin_box(low: float, high: float, step: float, name: str) -> QDoubleSpinBox:
    """Two decimals, as settings are saved."""
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(2)
    box.setSingleStep(step)
    box.setAccessibleName(name)
    return box


def widget_row(*widgets: QWidget) -> QWidget:
    """`widgets` side by side, for one row of a form (a field and its button)."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder
