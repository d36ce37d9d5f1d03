"""A model download as a child process: `hearth models download`, watched from the window.

The window's own process never touches the network for a download: the `hearth` command
does the work (resumable, verified, one-line errors) and this object turns what it reports
into signals. It runs with ``--progress json``: its stderr carries one JSON event per line
(app/catalog/download_events.py: progress, notices, and a last ``failed`` line with the
one-line error); its stdout carries the installed model's id.

Pause is the command's own Ctrl+C: SIGINT makes it keep the partial file and exit 130, and
resuming is simply starting it again (it continues with a Range request). Cancel kills the
process and deletes the partial file.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal, Slot

from app.catalog.catalog import CatalogModel
from app.catalog.download_control import DownloadProgress
from app.catalog.download_events import (
    DownloadMessage,
    decode_event,
    describe_progress,
    download_label,
)
from app.catalog.download_storage import discard_partial
from app.catalog.library import ModelLibrary
from app.errors import HearthError

PAUSED_EXIT_CODE = 130
JSON_PROGRESS = ["--progress", "json"]
_ERROR_PREFIX = "hearth: "


def hearth_program() -> str:
    """The `hearth` command installed beside this Python (the venv's or the bundle's)."""
    return str(Path(sys.executable).with_name("hearth"))


class DownloadProcess(QObject):
    """One download, run by the `hearth` command in a child process.

    Signals:
        started(): the child process is running (also after a resume).
        progress(int, str): percent done and the progress line the terminal would show.
        paused(): stopped on request; the partial file stays and `start()` resumes.
        cancelled(): stopped on request and the partial file was deleted.
        finished_ok(str): the installed model's id.
        failed(str): the command's one-line error, for people.
    """

    started = Signal()
    progress = Signal(int, str)
    paused = Signal()
    cancelled = Signal()
    finished_ok = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        arguments: list[str],
        dest: Path,
        parent: QObject | None = None,
        *,
        name: str | None = None,
    ) -> None:
        """`arguments` of `hearth` (``models download ...``; ``--progress json`` is added);
        `name` is what the progress lines call the download (default: the file's name)."""
        super().__init__(parent)
        self.arguments = arguments
        self.dest = dest
        self.percent = 0
        self._label = download_label(name or dest.name)
        self._stopping: str | None = None  # "pause" or "cancel" while the child winds down
        self._stderr_tail = ""
        self._last_line = ""
        self._failure: str | None = None  # the command's `failed` event
        self._process = QProcess(self)
        self._process.setProgram(hearth_program())
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)

    @classmethod
    def for_catalog(
        cls, model: CatalogModel, library: ModelLibrary, parent: QObject | None = None
    ) -> DownloadProcess:
        dest = library.download_destination(model.repo, model.filename)
        return cls(["models", "download", model.id], dest, parent, name=model.name)

    @classmethod
    def for_hub_file(
        cls,
        repo: str,
        filename: str,
        library: ModelLibrary,
        revision: str | None = None,
        parent: QObject | None = None,
    ) -> DownloadProcess:
        arguments = ["models", "download", repo, filename]
        if revision:
            arguments += ["--revision", revision]
        dest = library.download_destination(repo, filename)
        return cls(arguments, dest, parent, name=filename)

    @property
    def running(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def start(self) -> None:
        """Start the download, or resume it after a pause (the command picks up the part)."""
        if self.running:
            return
        self._stopping = None
        self._stderr_tail = self._last_line = ""
        self._failure = None
        self._process.setArguments([*self.arguments, *JSON_PROGRESS])
        self._process.start()
        self.started.emit()

    def pause(self) -> None:
        """Ask the command to stop and keep the partial file (its Ctrl+C)."""
        if not self.running or self._stopping:
            return
        self._stopping = "pause"
        pid = self._process.processId()
        if sys.platform == "win32" or not pid:
            self._process.kill()  # no SIGINT there; a killed download resumes all the same
        else:
            os.kill(pid, signal.SIGINT)

    def cancel(self) -> None:
        """Stop the download and delete the partial file."""
        if self.running:
            self._stopping = "cancel"
            self._process.kill()  # `_on_finished` deletes the part once the lock is free
        else:
            self._discard()

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the child has exited (for shutdown only; the UI never waits)."""
        return not self.running or self._process.waitForFinished(msecs)

    def stop_for_exit(self, msecs: int = 5000) -> None:
        """Pause (keeping the part for next time) and wait; kill if it does not stop."""
        if not self.running:
            return
        self.pause()
        if not self.wait(msecs):
            self._process.kill()
            self._process.waitForFinished(msecs)

    # --- the child's output --------------------------------------------------------------

    @Slot()
    def _read_stderr(self) -> None:
        data = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        text = self._stderr_tail + data.replace("\r", "\n")
        *lines, self._stderr_tail = text.split("\n")
        for line in lines:
            self._take_line(line.strip())

    def _take_line(self, line: str) -> None:
        if not line:
            return
        event = decode_event(line)
        if isinstance(event, DownloadProgress):
            self._take_progress(event)
        elif isinstance(event, DownloadMessage):
            self._last_line = event.message
            if event.kind == "failed":
                self._failure = event.message
        else:  # not an event: e.g. the last words of a crash
            self._last_line = line

    def _take_progress(self, event: DownloadProgress) -> None:
        text = describe_progress(self._label, event)
        self._last_line = text
        if event.state == "downloading" and event.total:
            self.percent = min(100, round(100 * event.downloaded / event.total))
            self.progress.emit(self.percent, text)

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stderr()
        self._take_line(self._stderr_tail.strip())
        self._stderr_tail = ""
        stopping, self._stopping = self._stopping, None
        if stopping == "cancel":
            self._discard()
        elif stopping == "pause" or code == PAUSED_EXIT_CODE:
            self.paused.emit()
        elif status == QProcess.ExitStatus.NormalExit and code == 0:
            output = bytes(self._process.readAllStandardOutput().data()).decode("utf-8", "replace")
            lines = output.split()
            self.percent = 100
            self.finished_ok.emit(lines[-1] if lines else "")
        else:
            self.failed.emit(self._error_message(code))

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed.emit(
                f"Hearth could not start its download helper ({hearth_program()}). "
                "Reinstall Hearth."
            )

    def _error_message(self, code: int) -> str:
        if self._failure:
            return self._failure
        line = self._last_line.removeprefix(_ERROR_PREFIX)
        if self._last_line.startswith(_ERROR_PREFIX) and line:
            return line
        return f"The download stopped unexpectedly (exit code {code}). {line}".strip()

    def _discard(self) -> None:
        try:
            discard_partial(self.dest)
        except HearthError as exc:
            self.failed.emit(exc.message)
            return
        self.percent = 0
        self.cancelled.emit()
