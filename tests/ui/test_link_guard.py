"""Links from model output open only after the user agrees, and only web and mail links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.ui.link_guard import confirm_and_open


class UrlRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def record(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def url_recorder() -> Iterator[UrlRecorder]:
    """Qt's own hook for QDesktopServices.openUrl: records instead of starting a browser."""
    recorder = UrlRecorder()
    for scheme in ("http", "https", "mailto", "file"):
        # PySide6 (6.11 and 6.12) takes the slot name as str only; its stub says bytes.
        QDesktopServices.setUrlHandler(scheme, recorder, "record")  # type: ignore[arg-type]
    try:
        yield recorder
    finally:
        for scheme in ("http", "https", "mailto", "file"):
            QDesktopServices.unsetUrlHandler(scheme)


def answer_dialog(button: QMessageBox.StandardButton, questions: list[str]) -> QTimer:
    """Answer the next modal question with `button`, noting its text."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            timer.stop()
            questions.append(box.text())
            box.button(button).click()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(10)
    return timer


URL = "https://example.com/päth?q=<b>"


def test_confirm_and_open_answered_no_opens_nothing(
    qtbot: QtBot, url_recorder: UrlRecorder
) -> None:
    questions: list[str] = []
    timer = answer_dialog(QMessageBox.StandardButton.No, questions)
    assert confirm_and_open(None, QUrl(URL)) is False
    timer.stop()
    assert url_recorder.opened == []
    assert len(questions) == 1
    assert "https://example.com/p%C3%A4th?q=%3Cb%3E" in questions[0]


def test_confirm_and_open_answered_yes_opens_the_url(
    qtbot: QtBot, url_recorder: UrlRecorder
) -> None:
    questions: list[str] = []
    timer = answer_dialog(QMessageBox.StandardButton.Yes, questions)
    assert confirm_and_open(None, QUrl(URL)) is True
    timer.stop()
    assert url_recorder.opened == [QUrl(URL).toString()]


def test_confirm_and_open_refuses_other_schemes_without_asking(
    qtbot: QtBot, url_recorder: UrlRecorder
) -> None:
    questions: list[str] = []
    timer = answer_dialog(QMessageBox.StandardButton.Yes, questions)
    assert confirm_and_open(None, QUrl("file:///etc/passwd")) is False
    qtbot.wait(50)
    timer.stop()
    assert questions == []
    assert url_recorder.opened == []
