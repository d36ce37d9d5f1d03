"""Summaries from the window: start a queued file as a job, show its progress, stream its
final call into its conversation, and show where it ended.

The panel queues the files; this starts the next one when the model is ready and no reply
is being written (the session's gate), then reports back to the panel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.engine.protocol import TextPiece
from app.errors import DocumentNotFoundError, EngineCrashedError
from app.tasks.job import Done, JobEvent, Outcome, Progress, Saved
from app.tasks.sampling import resolve_sampling
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import SummaryStyle

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class SummaryFlow(QObject):
    """Runs the summary panel's files through the window's session, one at a time."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._panel = window.summarize_panel
        self._conversation: int | None = None  # where the running summary is written
        self._text: list[str] | None = None  # its text, until that conversation is shown
        self._panel.start_requested.connect(self.start)

    def start(self, path: Path, style: SummaryStyle) -> None:
        window, session = self._window, self._window.session
        if session.model is None and session.state != "loading":
            self._panel.refused(path, "choose a model first")
            window.model_ready()  # says so in the error bar
            return
        settings = window.runtime.settings
        job = SummaryJob(
            session.database,
            session.engine,
            path,
            style,
            resolve_sampling({}, settings.sampling),
            max_bytes=settings.max_document_mb * 1024 * 1024,
        )
        if session.start(job, self._on_event, self._on_done):
            self._panel.started(path)
        elif session.state == "loading":
            self._panel.refused(path, "waits until the model has loaded")
        else:
            self._panel.refused(path, "waits until the reply being written is done")

    def _on_event(self, event: JobEvent) -> None:
        """Progress goes to the panel; the final call's text streams into its conversation."""
        if isinstance(event, Saved):
            self._conversation = event.conversation_id
        elif isinstance(event, Progress):
            self._panel.show_progress(event)
            if event.stage == "writing" and self._conversation is not None:
                self._window.sidebar.refresh()
                self._text = []  # kept until the conversation is on screen
                self._window.open_conversation(self._conversation, self._begin_stream)
        elif isinstance(event, TextPiece) and self._streams_here():
            if self._text is not None:
                self._text.append(event.text)
            else:
                self._window.transcript.append_stream(event.text)

    def _begin_stream(self) -> None:
        """The summary's conversation is shown: its text so far, then as it comes."""
        transcript = self._window.transcript
        self._window.stream_below(transcript.messages, None)
        if self._text:
            transcript.append_stream("".join(self._text))
        self._text = None

    def _streams_here(self) -> bool:
        return (
            self._conversation is not None
            and self._conversation == self._window.current_conversation_id()
        )

    def _on_done(self, done: Done) -> None:
        window = self._window
        if isinstance(done.result, SummaryReady) and done.outcome is Outcome.COMPLETED:
            self._conversation = None
            self._panel.finished(done.result)
            window.sidebar.refresh()
            window.open_conversation(done.result.conversation_id)
            return
        if self._streams_here():
            window.after_turn()  # the reply as saved: stopped or failed, with its text
        self._conversation = None
        stopped = done.outcome is Outcome.CANCELLED
        self._panel.finished(None, done.message, stopped)
        if not stopped and not isinstance(done.error, EngineCrashedError):
            # A file that went missing or cannot be read: choosing it again is the way on.
            again = ("Choose the file again…", window.choose_documents)
            window.error_bar.show_error(
                done.message,
                offer_reload=window.session.model is None,
                action=again if isinstance(done.error, DocumentNotFoundError) else None,
            )
