"""The status line: which model, what it is doing, how fast, how full the context is."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.engine.protocol import ChatStats, ModelInfo
from app.ui.icons import icon
from app.ui.metrics import GAP_SMALL

WORDS_SENT = "What you write in this conversation is sent to this server to be answered."
STATE_TEXT = {
    "idle": "No model loaded: choose one to start",
    "loading": "Loading the model…",
    "ready": "Ready",
    "generating": "Writing…",
    "crashed": "The model stopped",
}
WAITING_TEXT = "Answering a request from another app…"


class StatusPanel(QWidget):
    """Model name, state (with load progress and Cancel while loading), speed of the last
    reply, and a context meter.

    Signals:
        cancel_load_requested(): the user pressed Cancel beside the load progress.
    """

    cancel_load_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.load_bar = QProgressBar()
        self.load_bar.setAccessibleName("Model loading progress")
        self.load_bar.setRange(0, 100)
        self.load_bar.setFormat("loading %p%")
        self.load_bar.setMaximumWidth(160)
        self.cancel_load_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_load_button.setAccessibleName("Cancel loading the model")
        self.cancel_load_button.clicked.connect(self.cancel_load_requested)
        self.load_bar.hide()
        self.cancel_load_button.hide()
        self.model_label = QLabel("")
        self.model_label.setAccessibleName("Current model")
        self.model_label.hide()  # the state says "No model loaded" until there is one
        self._state = "idle"
        self.state_label = QLabel(STATE_TEXT["idle"])
        self.state_label.setAccessibleName("Model state")
        self.speed_label = QLabel("")
        self.speed_label.setAccessibleName("Speed of the last reply")
        self.context_meter = QProgressBar()
        self.context_meter.setAccessibleName("Context used")
        self.context_meter.setMinimumWidth(200)
        self.context_meter.setFormat("context %v / %m tokens")
        self.context_meter.setValue(0)
        self.context_meter.hide()  # shown once a model (and so a context size) is loaded
        self.notice_label = QLabel("")
        self.notice_label.setAccessibleName("Context notice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(GAP_SMALL, 0, GAP_SMALL, 0)
        for widget in (
            self.model_label,
            self.state_label,
            self.load_bar,
            self.cancel_load_button,
            self.speed_label,
            self.notice_label,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.context_meter)

    def show_model(self, info: ModelInfo | None, server: str | None = None) -> None:
        """The loaded model; with `server` (its name and address), said as where the words
        go ("MODEL on office (192.168.1.20:8080)"), so a server model is never mistaken for
        a local one."""
        name = info.name.rpartition("@")[0] if info and server else info.name if info else ""
        self.model_label.setText(f"{name} on {server}" if server else name)
        self.model_label.setToolTip(WORDS_SENT if server else "")
        self.model_label.setAccessibleDescription(WORDS_SENT if server else "")
        self.model_label.setVisible(info is not None)
        self.context_meter.setMaximum(info.n_ctx if info else 1)
        self.context_meter.setValue(0)
        self.context_meter.setVisible(info is not None)

    def show_state(self, state: str) -> None:
        self._state = state
        self.state_label.setText(STATE_TEXT.get(state, state))
        loading = state == "loading"
        if loading and not self.load_bar.isVisible():
            self.load_bar.setValue(0)
        self.load_bar.setVisible(loading)
        self.cancel_load_button.setVisible(loading)
        if state == "generating":
            self.notice_label.setText("")

    def show_waiting(self, waiting: bool) -> None:
        """While the window's job waits for another app's request (the local API) to end."""
        self.state_label.setText(
            WAITING_TEXT if waiting else STATE_TEXT.get(self._state, self._state)
        )

    def show_load_progress(self, fraction: float) -> None:
        self.load_bar.setValue(round(fraction * 100))

    def show_stats(self, stats: ChatStats) -> None:
        self.speed_label.setText(
            f"{stats.tokens_per_s:.1f} tokens/s, first token after {stats.ttft_ms:.0f} ms"
        )
        used = min(stats.prompt_tokens + stats.completion_tokens, self.context_meter.maximum())
        self.context_meter.setValue(used)

    def show_trimmed(self, omitted_messages: int) -> None:
        self.notice_label.setText(
            f"{omitted_messages} older messages no longer fit in the context and were left out."
        )
