"""The status line: which model, what it is doing, how fast, how full the context is."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from app.engine.protocol import ChatStats, ModelInfo

STATE_TEXT = {
    "idle": "No model loaded",
    "loading": "Loading the model…",
    "ready": "Ready",
    "generating": "Writing…",
    "crashed": "The model stopped",
}


class StatusPanel(QWidget):
    """Model name, state, speed of the last reply, and a context meter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_label = QLabel("No model")
        self.model_label.setAccessibleName("Current model")
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
        layout.setContentsMargins(4, 0, 4, 0)
        for widget in (self.model_label, self.state_label, self.speed_label, self.notice_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.context_meter)

    def show_model(self, info: ModelInfo | None) -> None:
        self.model_label.setText(info.name if info else "No model")
        self.context_meter.setMaximum(info.n_ctx if info else 1)
        self.context_meter.setValue(0)
        self.context_meter.setVisible(info is not None)

    def show_state(self, state: str) -> None:
        self.state_label.setText(STATE_TEXT.get(state, state))
        if state == "generating":
            self.notice_label.setText("")

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
