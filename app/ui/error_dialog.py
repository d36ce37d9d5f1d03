"""Unhandled exceptions become a dialog that points to the log, never a dead window.

Python calls `sys.excepthook` for an exception that escapes a Qt slot or event handler. The
hook logs it with its traceback and asks a long-lived reporter, through a queued signal, to
show the dialog once the event loop is back in control: no modal loop runs inside the hook
while Python is still unwinding the failed slot.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("hearth.ui")


def describe_unexpected(error: BaseException, log_file: Path) -> str:
    return (
        f"Hearth hit an unexpected problem ({type(error).__name__}: {error}).\n\n"
        "Your conversations are saved. You can keep working; if something looks wrong, "
        f"restart Hearth.\n\nDetails are in the log file:\n{log_file}"
    )


class ErrorReporter(QObject):
    """Shows the dialog for an unexpected error.

    Signals:
        error_reported(str): the text to show (emitted by the hook, shown queued).
    """

    error_reported = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open: list[QMessageBox] = []  # a dialog with no parent lives while referenced
        self.error_reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    @Slot(str)
    def _show(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, "Hearth hit a problem", text)
        box.setObjectName("unexpected-error-dialog")
        box.finished.connect(lambda _result: self._open.remove(box))
        self._open.append(box)
        box.open()


def install_exception_dialog(log_file: Path) -> ErrorReporter:
    """Route uncaught exceptions on the UI thread to the log and a dialog."""
    reporter = ErrorReporter(QApplication.instance())

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("unhandled exception", exc_info=(kind, error, trace))
        if isinstance(error, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        reporter.error_reported.emit(describe_unexpected(error, log_file))

    sys.excepthook = hook
    return reporter
