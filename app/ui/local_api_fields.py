"""The settings' Local API group: the switch, the port, whether to keep its conversations,
and, while the switch is on, the address and the key to paste into an editor or a script.

The key is the one `hearth serve` uses (the config folder's `api-key`, made on first use):
it is read (or made) only when the switch is on, and shown read-only with a Copy button.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.errors import HearthError
from app.serve.api_key import saved_key
from app.serve.local_api import LOOPBACK, api_address
from app.settings import Settings
from app.ui.dialog_parts import int_spin_box, widget_row

PORT_RANGE = (1024, 65535)
SWITCH_TEXT = (
    "Let other apps on this computer use the loaded model (OpenAI-compatible API on 127.0.0.1)"
)
EXPLANATION = "Only programs on this computer that have the key can use it."
STORE_TEXT = "Keep conversations made through the API in my history"


class LocalApiFields(QWidget):
    """The Local API settings; `show_settings` fills them, the dialog reads the fields."""

    def __init__(self, key_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key_file = key_file
        self.enabled = QCheckBox(SWITCH_TEXT)
        self.enabled.setAccessibleName("Local API")
        self.enabled.setAccessibleDescription(EXPLANATION)
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setAccessibleName("Local API explanation")
        self.explanation.setWordWrap(True)
        self.port = int_spin_box(PORT_RANGE[0], PORT_RANGE[1], "Local API port")
        self.port.setToolTip(f"The port on {LOOPBACK} that other apps connect to.")
        self.store = QCheckBox(STORE_TEXT)
        self.store.setAccessibleName("Keep the local API's conversations")
        self.address = _read_only("Local API address")
        self.copy_address_button = _copy_button("Copy the local API address", self.address)
        self.key = _read_only("Local API key")
        self.copy_key_button = _copy_button("Copy the local API key", self.key)
        self.key_problem = QLabel()
        self.key_problem.setAccessibleName("Local API key problem")
        self.key_problem.setWordWrap(True)
        self.key_problem.hide()
        self._lay_out()
        self.enabled.toggled.connect(self._show_access)
        self.port.valueChanged.connect(lambda port: self.address.setText(api_address(port)))

    def _lay_out(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.enabled)
        form.addRow(self.explanation)
        form.addRow("P&ort:", self.port)
        form.addRow(self.store)
        self._address_row = widget_row(self.address, self.copy_address_button)
        self._key_row = widget_row(self.key, self.copy_key_button)
        form.addRow("Address:", self._address_row)
        form.addRow("Key:", self._key_row)
        form.addRow(self.key_problem)
        self._form = form

    def show_settings(self, settings: Settings) -> None:
        port = min(max(settings.local_api_port, PORT_RANGE[0]), PORT_RANGE[1])
        self.port.setValue(port)
        self.address.setText(api_address(port))
        self.store.setChecked(settings.local_api_store)
        self.enabled.setChecked(settings.local_api)
        self._show_access(settings.local_api)

    def _show_access(self, on: bool) -> None:
        """The address and the key, while the switch is on (the key is made if need be)."""
        if on and not self.key.text():
            try:
                self.key.setText(saved_key(self._key_file))
                self.key_problem.hide()
            except HearthError as exc:
                self.key_problem.setText(exc.message)
                self.key_problem.show()
        for row in (self._address_row, self._key_row):
            self._form.setRowVisible(row, on)
        self.key_problem.setVisible(on and not self.key.text())


def _read_only(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setReadOnly(True)
    field.setAccessibleName(name)
    return field


def _copy_button(name: str, field: QLineEdit) -> QPushButton:
    button = QPushButton("Copy")
    button.setAccessibleName(name)
    button.clicked.connect(lambda: QGuiApplication.clipboard().setText(field.text()))
    return button
