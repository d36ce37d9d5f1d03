"""The summarize panel: a queue of documents, the style, progress with time left, Cancel.

Files arrive by drop on the window or by "Summarize a document…" (Ctrl+O). They are
summarized one after another with the loaded model through the ChatSession; each result
opens as a conversation. Which file runs next and how each one ended is decided by the
SummaryQueue (app/tasks/summary_queue.py): the panel shows it and forwards the clicks.
"Summarize" runs the stopped and failed files again; a stopped one resumes where it stopped.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.tasks.job import Progress
from app.tasks.summarize import SummaryReady
from app.tasks.summary_prompts import STYLE_NAMES, SummaryStyle
from app.tasks.summary_queue import FileState, QueuedFile, SummaryQueue
from app.ui.icons import icon
from app.ui.metrics import GAP_SMALL
from app.ui.model_picker import ModelPicker
from app.units import human_duration

SAME_LANGUAGE = "Same as the document"
LANGUAGES = ("English", "Deutsch", "Español", "Français", "Italiano", "Nederlands", "Português")
STYLE_LABELS = {
    "brief": "Brief",
    "points": "Key points",
    "detailed": "Detailed",
    "actions": "Action items",
    "custom": "Custom instruction…",
}


STATE_LABELS = {
    FileState.WAITING: "Waiting",
    FileState.WORKING: "Summarizing",
    FileState.DONE: "Done",
    FileState.STOPPED: "Stopped (Summarize resumes it)",
    FileState.FAILED: "Could not be summarized",
}
STATE_ICONS = {
    FileState.WAITING: "waiting",
    FileState.WORKING: "regenerate",
    FileState.DONE: "done",
    FileState.STOPPED: "stop",
    FileState.FAILED: "failed",
}
VISIBLE_ROWS = 3  # the list grows to this many files, then scrolls


class SummarizePanel(QWidget):
    """See the module docstring. The window starts jobs when `start_requested` fires, and
    calls `start_next()` whenever the model is free again.

    Signals:
        start_requested(object, object): (Path, SummaryStyle) of the next file to run.
        cancel_requested(): the user pressed Cancel while a file is being summarized.
    """

    start_requested = Signal(object, object)
    cancel_requested = Signal()

    def __init__(self, model_picker: ModelPicker, parent: QWidget | None = None) -> None:
        """`model_picker` chooses the model summaries use (the window loads it)."""
        super().__init__(parent)
        self.setAccessibleName("Summarize documents")
        self.summary_queue = SummaryQueue()
        self.files = QListWidget()
        self.files.setAccessibleName("Documents to summarize")
        self.files.setWordWrap(True)
        self.files.setIconSize(QSize(20, 20))
        self.style_box = QComboBox()
        self.style_box.setAccessibleName("Summary style")
        for key in (*STYLE_NAMES, "custom"):
            self.style_box.addItem(STYLE_LABELS[key], key)
        self.instruction = QLineEdit()
        self.instruction.setAccessibleName("Custom instruction")
        self.instruction.setPlaceholderText("e.g. Summarize the risks for a board member")
        self.instruction.setVisible(False)
        self.language = QComboBox()
        self.language.setAccessibleName("Summary language")
        self.language.setEditable(True)  # any language the model knows can be typed
        self.language.addItem(SAME_LANGUAGE)
        self.language.addItems(LANGUAGES)
        self.model_picker = model_picker
        self.model_picker.setAccessibleName("Model used for summaries")
        self.model_picker.setToolTip("The model that reads the documents")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Summary progress")
        self.progress.setVisible(False)
        self.start_button = QPushButton(icon("document"), "Summarize")
        self.start_button.setAccessibleName("Summarize the waiting documents")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_button.setAccessibleName("Cancel the summary")
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the summarize panel")
        self._build()
        self.style_box.currentIndexChanged.connect(self._on_style_changed)
        self.start_button.clicked.connect(self.retry)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.close_button.clicked.connect(self.hide)

    def _build(self) -> None:
        options = QHBoxLayout()
        options.addWidget(QLabel("Style:"))
        options.addWidget(self.style_box)
        options.addWidget(self.instruction, 1)
        options.addStretch(1)
        options.addWidget(QLabel("Language:"))
        options.addWidget(self.language)
        options.addWidget(QLabel("Model:"))
        options.addWidget(self.model_picker)
        for button in (self.start_button, self.cancel_button, self.close_button):
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        actions = QHBoxLayout()
        actions.addWidget(self.progress, 1)
        actions.addStretch(0)
        actions.addWidget(self.start_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, GAP_SMALL, 0, GAP_SMALL)
        column.addWidget(self.files)
        column.addLayout(options)
        column.addLayout(actions)

    # --- the queue -----------------------------------------------------------------------

    @property
    def queue(self) -> list[QueuedFile]:
        """The files, in the order they came, each with its state and note."""
        return self.summary_queue.items

    def add_files(self, paths: list[Path]) -> None:
        """Queue `paths` (a file already waiting is not added twice) and start if idle."""
        self.summary_queue.add(paths)
        self.show()
        self._show_queue()
        self.start_next()

    def start_next(self) -> None:
        """Ask for the next waiting file to run (the window calls this when it is free)."""
        path = self.summary_queue.next_file()
        if path is not None:
            self.start_requested.emit(path, self.chosen_style())

    def retry(self) -> None:
        """Summarize: the waiting files, and again the stopped and failed ones."""
        self.summary_queue.retry()
        self._show_queue()
        self.start_next()

    def chosen_style(self) -> SummaryStyle:
        key = self.style_box.currentData()
        typed = self.language.currentText().strip()
        language = None if typed in ("", SAME_LANGUAGE) else typed
        if key == "custom":
            return SummaryStyle("brief", self.instruction.text().strip() or None, language)
        return SummaryStyle(str(key), language=language)

    def started(self, path: Path) -> None:
        """The window accepted the job for `path`."""
        self.summary_queue.started(path)
        self._show_queue()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._show_running(True)

    def refused(self, path: Path, reason: str) -> None:
        """The job could not start (no model, busy): the file waits for another try."""
        self.summary_queue.refused(path, reason)
        self._show_queue()

    def show_progress(self, progress: Progress) -> None:
        self.progress.setRange(0, progress.total)
        self.progress.setValue(progress.part - 1)
        text = f"part {progress.part} of {progress.total}"
        if progress.eta_seconds is not None:
            text += f", about {human_duration(progress.eta_seconds)} left"
        self.progress.setFormat(text)
        self.summary_queue.progressed(progress)
        self._show_queue()

    def finished(
        self, ready: SummaryReady | None, message: str = "", stopped: bool = False
    ) -> None:
        """The running file ended: done (`ready`), stopped by the user, or failed."""
        if ready is not None:
            self.summary_queue.done(ready.chunks)
        elif stopped:
            self.summary_queue.stopped(message)
        else:
            self.summary_queue.failed(message)
        self._show_queue()
        self.progress.setVisible(False)
        self._show_running(False)

    # --- display -------------------------------------------------------------------------

    def _show_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.start_button.setEnabled(not running)

    def _show_queue(self) -> None:
        """A row per file: its state as an icon, its name, then the state and note in
        words (the full path is the tooltip: names are what people recognise)."""
        self.files.clear()
        for item in self.queue:
            state = STATE_LABELS[item.state] + (f": {item.note}" if item.note else "")
            entry = QListWidgetItem(icon(STATE_ICONS[item.state]), f"{item.path.name}\n{state}")
            entry.setToolTip(str(item.path))
            self.files.addItem(entry)
        rows = min(len(self.queue), VISIBLE_ROWS)
        self.files.setFixedHeight(self.files.sizeHintForRow(0) * rows + 2 * self.files.frameWidth())

    def _on_style_changed(self) -> None:
        self.instruction.setVisible(self.style_box.currentData() == "custom")
