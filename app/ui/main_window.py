"""The main window: conversations on the left; the transcript, composer and status right.

The window wires widgets to the ChatSession (the engine, off the UI thread) and to the
History (this thread's connection). It keeps no state the store does not have: after a
turn the transcript is re-read from the database, so what is shown is what was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.catalog.library import ModelLibrary
from app.catalog.resolve import resolve_model
from app.documents.extract import SUPPORTED_SUFFIXES
from app.engine.client import EngineClient
from app.engine.protocol import ModelInfo, SamplingParams, TextPiece
from app.errors import EngineCrashedError, HearthError
from app.runtime import Runtime
from app.store import History, Role
from app.tasks.branches import switch_branch
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.conversation_view import ConversationView, MessageView
from app.tasks.job import ContextTrimmed, Done, JobEvent, Outcome, Progress, Saved
from app.tasks.sampling import resolve_sampling
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import SummaryStyle
from app.tasks.turn_prompt import count_draft
from app.ui.background_reads import BackgroundReads
from app.ui.chat_session import ChatSession
from app.ui.composer import Composer
from app.ui.conversation_sidebar import ConversationSidebar
from app.ui.icons import icon
from app.ui.inline_error import InlineError
from app.ui.link_guard import confirm_and_open
from app.ui.model_picker import ModelPicker
from app.ui.status_panel import StatusPanel
from app.ui.summarize_panel import SummarizePanel
from app.ui.transcript_view import TranscriptView
from app.ui.window_dialogs import WindowDialogs
from app.ui.window_state import WindowState, load_window_state, save_window_state

EMPTY_TEXT = "Start a conversation: choose a model above, write a message below, press Enter."


class MainWindow(QMainWindow):
    """Hearth's window; see the module docstring."""

    def __init__(self, runtime: Runtime, history: History, session: ChatSession) -> None:
        super().__init__()
        self._runtime, self._history, self._session = runtime, history, session
        self._library = ModelLibrary(runtime.models_dir)
        self._conversation_id: int | None = None
        self._summary_conversation: int | None = None  # where the running summary goes
        self._summary_text: list[str] | None = None  # its text, until that is on screen
        self._shown_conversation: int | None = None  # whose messages the transcript shows
        self._shown_generation = 0  # bumped by every showing: a late read is dropped
        self.reads = BackgroundReads(runtime.paths.database, self)
        self._state_file = runtime.paths.config_dir / "window-state.json"
        self.dialogs = WindowDialogs(runtime, self)
        self.dialogs.models_changed.connect(self._on_models_changed)
        self.dialogs.first_model_ready.connect(self._on_first_model)
        self.setWindowTitle("Hearth")
        self.setWindowIcon(icon("hearth"))
        self.resize(1100, 720)
        self._build()
        self._build_menus()
        self._connect()
        self.transcript.show_notice(EMPTY_TEXT)

    # --- construction --------------------------------------------------------------------

    def _build(self) -> None:
        self.sidebar = ConversationSidebar(self._history, self.reads)
        self.model_picker = ModelPicker(self._library)
        self.transcript = TranscriptView(message_actions=True)
        self.error_bar = InlineError()
        self.composer = Composer()
        self.status = StatusPanel()
        self.statusBar().addPermanentWidget(self.status, 1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.model_picker, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.transcript, 1)
        self.summarize_panel = SummarizePanel(ModelPicker(self._library))
        self.summarize_panel.hide()
        column.addWidget(self.summarize_panel)
        column.addWidget(self.error_bar)
        column.addWidget(self.composer)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        self.setCentralWidget(splitter)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Hearth")
        for label, keys, slot, icon_name in (
            ("&New conversation", "Ctrl+N", self.new_conversation, "new"),
            ("Summarize a &document…", "Ctrl+O", self.choose_documents, "document"),
            ("&Models…", "Ctrl+M", self.open_model_manager, "models"),
            ("&Settings…", "Ctrl+,", self.open_settings, ""),
            ("&Conversation settings…", "", self.open_conversation_settings, ""),
            ("&Quit", "Ctrl+Q", self.close, ""),
        ):
            action = QAction(icon(icon_name), label, self) if icon_name else QAction(label, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            menu.addAction(action)

    def open_model_manager(self) -> None:
        self.dialogs.open_model_manager()

    def start_onboarding_if_needed(self) -> None:
        self.dialogs.start_onboarding_if_needed()

    def open_settings(self) -> None:
        self.dialogs.open_settings()

    def open_conversation_settings(self) -> None:
        if self._conversation_id is None:
            self.error_bar.show_error("Open a conversation first.", offer_reload=False)
            return
        self.dialogs.open_conversation_settings(self._history, self._conversation_id)

    def _on_models_changed(self) -> None:
        self.model_picker.refresh(self._current_model_label())
        loaded = self._session.model
        self.summarize_panel.model_picker.refresh(str(loaded.path) if loaded else None)

    def _on_first_model(self, model_id: str) -> None:
        self.model_picker.refresh(model_id)
        self._on_model_chosen(Path(), model_id)

    def _connect(self) -> None:
        session, sidebar = self._session, self.sidebar
        sidebar.new_conversation_requested.connect(self.new_conversation)
        sidebar.conversation_selected.connect(self.open_conversation)
        sidebar.search_hit_activated.connect(lambda cid, _mid: self.open_conversation(cid))
        sidebar.conversation_deleted.connect(self._on_conversation_deleted)
        sidebar.action_failed.connect(lambda message: self.error_bar.show_error(message, False))
        self.transcript.link_activated.connect(lambda url: confirm_and_open(self, url))
        self.model_picker.model_chosen.connect(self._on_model_chosen)
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(session.stop)
        self.composer.draft_changed.connect(self._count_draft)
        self.composer.attachment_failed.connect(
            lambda message: self.error_bar.show_error(message, offer_reload=False)
        )
        self.error_bar.reload_button.clicked.connect(self._reload_model)
        session.state_changed.connect(self._on_state_changed)
        session.load_progress.connect(self.status.show_load_progress)
        self.status.cancel_load_requested.connect(session.cancel_load)
        session.model_loaded.connect(self._on_model_loaded)
        session.model_failed.connect(lambda message: self.error_bar.show_error(message, False))
        session.engine_crashed.connect(self._on_engine_crashed)
        self.transcript.action_requested.connect(self._on_message_action)
        self.summarize_panel.start_requested.connect(self._start_summary)
        self.summarize_panel.model_picker.model_chosen.connect(
            lambda _path, label: self._load_for(label)
        )
        self.summarize_panel.cancel_requested.connect(session.stop)
        self.setAcceptDrops(True)  # a document dropped anywhere but the composer
        for keys, action in (
            ("Ctrl+K", sidebar.focus_search),
            ("Esc", session.stop),
            ("Ctrl+Shift+C", self.copy_last_reply),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(action)

    # --- conversations -------------------------------------------------------------------

    def new_conversation(self) -> int:
        settings = self._runtime.settings
        cid = self._history.create_conversation(
            model=self._current_model_label(),
            system_prompt=settings.default_system_prompt,
        )
        self.sidebar.refresh()
        self.open_conversation(cid)
        self.composer.editor.setFocus()
        return cid

    def open_conversation(
        self, conversation_id: int, then: Callable[[], None] | None = None
    ) -> None:
        """Show a conversation (its messages come from the reading thread; `then` runs once
        they are on screen) and load its model."""
        try:
            conversation = self._history.get_conversation(conversation_id)
        except HearthError as exc:
            self.transcript.show_notice(exc.message)
            return
        self._conversation_id = conversation_id
        self.sidebar.select_conversation(conversation_id)
        self.setWindowTitle(f"{conversation.title or 'New conversation'} — Hearth")
        self._show_transcript(then)
        if conversation.model:
            self.model_picker.show_label(conversation.model)
            self._load_for(conversation.model)

    def current_conversation_id(self) -> int | None:
        return self._conversation_id

    def _show_transcript(self, then: Callable[[], None] | None = None) -> None:
        """Read the conversation's shown path on the reading thread; show it when it comes,
        unless something newer was shown meanwhile (another conversation, a reply)."""
        cid = self._conversation_id
        assert cid is not None
        self._shown_generation += 1
        generation = self._shown_generation
        self.reads.read(
            lambda reader: reader.view(cid),
            lambda view: self._show_view(view, generation, then),
            lambda message: self.transcript.show_notice(message),
        )

    def _show_view(
        self, view: ConversationView, generation: int, then: Callable[[], None] | None
    ) -> None:
        if generation != self._shown_generation or view.id != self._conversation_id:
            return
        self._shown_conversation = view.id
        if view.messages:
            self.transcript.show_messages(view.messages)
        else:
            self.transcript.show_notice(EMPTY_TEXT)
        if then is not None:
            then()

    def _shown_messages(self) -> tuple[MessageView, ...]:
        """The messages on screen, if they are the current conversation's."""
        if self._shown_conversation != self._conversation_id:
            return ()
        return self.transcript.messages

    def _stream_below(self, shown: Sequence[MessageView], into: int | None) -> None:
        """Show `shown` and stream the reply into message `into` (the last one, continued)
        or into a new message below them (None). A read still on its way is dropped."""
        self._shown_generation += 1
        self.transcript.show_messages(shown)
        self.transcript.begin_streaming(into)

    def _on_conversation_deleted(self, conversation_id: int) -> None:
        if conversation_id == self._conversation_id:
            self._conversation_id = None
            self.transcript.show_notice(EMPTY_TEXT)

    # --- documents -----------------------------------------------------------------------

    def choose_documents(self) -> None:
        suffixes = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Summarize documents", "", f"Documents ({suffixes});;All files (*)"
        )
        if paths:
            self.summarize_panel.add_files([Path(p) for p in paths])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.summarize_panel.add_files(paths)
            event.acceptProposedAction()

    def _start_summary(self, path: Path, style: SummaryStyle) -> None:
        if self._session.model is None and self._session.state != "loading":
            self.summarize_panel.refused(path, "choose a model first")
            self._model_ready()  # says so in the error bar
            return
        settings = self._runtime.settings
        job = SummaryJob(
            self._session.database,
            self._session.engine,
            path,
            style,
            resolve_sampling({}, settings.sampling),
            max_bytes=settings.max_document_mb * 1024 * 1024,
        )
        if self._session.start(job, self._on_summary_event, self._on_summary_done):
            self.summarize_panel.started(path)
        elif self._session.state == "loading":
            self.summarize_panel.refused(path, "waits until the model has loaded")
        else:
            self.summarize_panel.refused(path, "waits until the reply being written is done")

    def _on_summary_event(self, event: JobEvent) -> None:
        """Progress goes to the panel; the final call's text streams into its conversation."""
        if isinstance(event, Saved):
            self._summary_conversation = event.conversation_id
        elif isinstance(event, Progress):
            self.summarize_panel.show_progress(event)
            if event.stage == "writing" and self._summary_conversation is not None:
                self.sidebar.refresh()
                self._summary_text = []  # kept until the conversation is on screen
                self.open_conversation(self._summary_conversation, self._begin_summary_stream)
        elif isinstance(event, TextPiece) and self._streams_summary():
            if self._summary_text is not None:
                self._summary_text.append(event.text)
            else:
                self.transcript.append_stream(event.text)

    def _begin_summary_stream(self) -> None:
        """The summary's conversation is shown: its text so far, then as it comes."""
        self._stream_below(self.transcript.messages, None)
        if self._summary_text:
            self.transcript.append_stream("".join(self._summary_text))
        self._summary_text = None

    def _streams_summary(self) -> bool:
        return (
            self._summary_conversation is not None
            and self._summary_conversation == self._conversation_id
        )

    def _on_summary_done(self, done: Done) -> None:
        if isinstance(done.result, SummaryReady) and done.outcome is Outcome.COMPLETED:
            self._summary_conversation = None
            self.summarize_panel.finished(done.result)
            self.sidebar.refresh()
            self.open_conversation(done.result.conversation_id)
            return
        if self._streams_summary():
            self._after_turn()  # the reply as saved: stopped or failed, with its text
        self._summary_conversation = None
        stopped = done.outcome is Outcome.CANCELLED
        self.summarize_panel.finished(None, done.message, stopped)
        if not stopped and not isinstance(done.error, EngineCrashedError):
            self.error_bar.show_error(done.message, offer_reload=self._session.model is None)

    # --- models --------------------------------------------------------------------------

    def _current_model_label(self) -> str | None:
        data = self.model_picker.currentData()
        return data[1] if isinstance(data, tuple) else None

    def _on_model_chosen(self, _path: Path, label: str) -> None:
        if self._conversation_id is not None:
            self._history.update_conversation(self._conversation_id, model=label)
        self._load_for(label)

    def _load_for(self, label: str) -> None:
        try:
            model = resolve_model(label, self._library)
        except HearthError as exc:
            self.error_bar.show_error(exc.message, False)
            return
        loaded = self._session.model
        if loaded is not None and loaded.path == model.path:
            return
        self.error_bar.hide()
        self._session.load_model(self._runtime.load_config(model.path))

    def _reload_model(self) -> None:
        self.error_bar.hide()
        self._session.reload()

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.status.show_model(info)
        self.summarize_panel.model_picker.refresh(str(info.path))
        if info.warnings:
            self.error_bar.show_error(" ".join(info.warnings), False)

    # --- chatting ------------------------------------------------------------------------

    def send(self, text: str) -> None:
        if not self._model_ready():
            return
        if self._conversation_id is None:
            self.new_conversation()
        assert self._conversation_id is not None
        editing = self.composer.editing_message_id
        job = ChatTurnJob.send(
            self._session.database,
            self._session.engine,
            self._conversation_id,
            text,
            self._sampling(),
            editing=editing,
        )
        if not self._start_turn(job):
            return
        self.error_bar.hide()
        self.composer.clear_sent()
        shown = self._shown_messages()
        earlier = shown if editing is None else _before(shown, editing)
        self._stream_below([*earlier, MessageView.pending(self._conversation_id, text)], None)

    def _count_draft(self, text: str) -> None:
        """How much of the context the prompt would take if this draft were sent now
        (counted as the turn will build it, document excerpts included), off this thread."""
        if self._conversation_id is None or self._session.model is None:
            self.composer.show_token_count("")
            return
        database, cid, sampling = self._session.database, self._conversation_id, self._sampling()

        def count(engine: EngineClient) -> int:
            with History.open(database) as history:
                return count_draft(history, engine, cid, text, sampling)

        self._session.ask(count, self._show_token_count)

    def _show_token_count(self, count: object) -> None:
        model = self._session.model
        if model is not None and isinstance(count, int):
            self.composer.show_token_count(f"{count:,} / {model.n_ctx:,} tokens")

    def _model_ready(self) -> bool:
        """True if a turn can start; otherwise says why (the composer keeps its text)."""
        if self._session.model is not None and self._session.state == "ready":
            return True
        self.error_bar.show_error(
            "The model is still loading; send again in a moment."
            if self._session.state == "loading"
            else "Choose a model first (the list above the conversation); your message is "
            "kept in the box.",
            offer_reload=False,
        )
        return False

    def _on_message_action(self, action: str, message_id: int) -> None:
        """Copy, Edit, Regenerate, Continue and the branch navigator under each message; the
        message is one the transcript shows, so nothing is read from the store here."""
        shown = self._shown_messages()
        index = next((i for i, m in enumerate(shown) if m.id == message_id), None)
        if index is None or self._conversation_id is None:
            return
        message, cid = shown[index], self._conversation_id
        if action == "copy":
            QGuiApplication.clipboard().setText(message.content)
        elif action == "edit":
            self.composer.begin_edit(message_id, message.content)
        elif action == "regenerate" and index > 0:
            asked = shown[index - 1]  # the user's message this replies to
            assert asked.id is not None
            job = ChatTurnJob.regenerate(
                self._session.database, self._session.engine, cid, asked.id, self._sampling()
            )
            if self._model_ready() and self._start_turn(job):
                self._stream_below(shown[:index], into=None)
        elif action == "continue" and message.continuable:
            job = ChatTurnJob.resume(
                self._session.database, self._session.engine, cid, message_id, self._sampling()
            )
            if self._model_ready() and self._start_turn(job):
                self._stream_below(shown[: index + 1], into=message_id)
        elif action in ("previous", "next") and not self._session.generating:
            switch_branch(self._history, message_id, -1 if action == "previous" else 1)
            self._show_transcript()

    def _sampling(self) -> SamplingParams:
        assert self._conversation_id is not None
        saved = self._history.get_conversation(self._conversation_id).sampling
        return resolve_sampling(saved, self._runtime.settings.sampling)

    def _on_state_changed(self, state: str) -> None:
        self.status.show_state(state)
        self.composer.set_generating(state == "generating")
        if state == "ready":
            self.summarize_panel.start_next()  # documents waiting for the model

    def _start_turn(self, job: ChatTurnJob) -> bool:
        return self._session.start(job, self._on_turn_event, self._on_turn_done)

    def _on_turn_event(self, event: JobEvent) -> None:
        if isinstance(event, TextPiece):
            self.transcript.append_stream(event.text)
        elif isinstance(event, ContextTrimmed):
            self.status.show_trimmed(event.omitted_messages)

    def _on_turn_done(self, done: Done) -> None:
        if isinstance(done.result, TurnFinished):
            self.status.show_stats(done.result.stats)
        elif done.outcome is Outcome.FAILED and not isinstance(done.error, EngineCrashedError):
            self.error_bar.show_error(done.message, offer_reload=False)
        # Re-read what was saved: the sent message gets its id, both get their actions and
        # branch navigator (bounded: the transcript materializes only the last messages).
        self._after_turn()

    def _on_engine_crashed(self, message: str) -> None:
        """The reply so far is saved (failed); offer Reload, which starts a fresh engine."""
        self.error_bar.show_error(message, offer_reload=True)
        self.status.show_model(None)

    def _after_turn(self) -> None:
        """Show what was saved (after a failure: the partial reply, marked failed)."""
        if self._conversation_id is None:  # deleted meanwhile: just settle the stream
            self.transcript.end_streaming()
            return
        self._show_transcript()  # replaces the streamed text, so no separate final render
        self.sidebar.refresh()

    def copy_last_reply(self) -> None:
        replies = [m for m in self._shown_messages() if m.role == Role.ASSISTANT]
        if replies:
            QGuiApplication.clipboard().setText(replies[-1].content)

    # --- window state --------------------------------------------------------------------

    def restore_state(self) -> None:
        state = load_window_state(self._state_file)
        if state.geometry:
            self.restoreGeometry(QByteArray.fromBase64(state.geometry.encode("ascii")))
        if state.last_conversation is not None:
            self.open_conversation(state.last_conversation)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        save_window_state(WindowState(geometry, self._conversation_id), self._state_file)
        self.dialogs.shutdown()
        self.reads.shutdown()
        super().closeEvent(event)


def _before(messages: Sequence[MessageView], message_id: int) -> Sequence[MessageView]:
    """The messages above `message_id` (all of them if it is not among them)."""
    ids = [m.id for m in messages]
    return messages[: ids.index(message_id)] if message_id in ids else messages
