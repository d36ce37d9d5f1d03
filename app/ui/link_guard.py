"""Opening a link found in model output: only after the user has seen the whole address.

A model can write any link text it likes, so the question names the address itself, fully
encoded (punycode host names, %-escapes) so that look-alike characters cannot disguise it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.markdown_html import is_safe_link


def shown_address(url: QUrl) -> str:
    """The address as the question shows it: fully encoded, nothing decoded for looks."""
    return bytes(url.toEncoded().data()).decode("ascii", errors="replace")


def confirmation_box(parent: QWidget | None, url: QUrl) -> QMessageBox:
    """The question asked before opening `url`; "No" is the default and Escape's answer."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Open link?")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the address is never read as markup
    box.setText(f"Open this address in your web browser?\n\n{shown_address(url)}")
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    return box


def confirm_and_open(parent: QWidget | None, url: QUrl) -> bool:
    """Ask (modally) whether to open `url`; open it only on "Yes". Returns whether it was
    handed to the system. Anything but http, https and mailto is refused without asking."""
    if not is_safe_link(shown_address(url)):
        return False
    box = confirmation_box(parent, url)
    try:
        answer = box.exec()
    finally:
        box.deleteLater()
    if answer != QMessageBox.StandardButton.Yes:
        return False
    return QDesktopServices.openUrl(url)
