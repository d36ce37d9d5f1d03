"""The main window: conversations on the left; the transcript, composer and status right.

The window builds the widgets and wires them to the ChatSession (the engine, off the UI
thread); chat turns are `TurnFlow`'s, summaries `SummaryFlow`'s, e-mail drafts `EmailFlow`'s,
dialogs `WindowDialogs`', the menu `window_menus`', the model choice (local or on a server)
`ModelFlow`'s, the local API for other apps `LocalApiSwitch`'s; `ConversationStage` shows
the transcript, or the examples of the empty state while a conversation has no messages.
Conversations are read on the reading thread (`BackgroundReads`); this thread's History is
for small reads and writes. It keeps no state the store does not have: after a turn the
transcript is read back from the database, so what is shown is what was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.catalog.library import ModelLibrary
from app.engine.protocol import SamplingParams
from app.engine.state_cache import delete_saved_states
from app.errors import HearthError
from app.runtime import Runtime
from app.store import ConversationKind, History, Role
from app.tasks.conversation_view import ConversationView, MessageView
from app.tasks.sampling import resolve_sampling
from app.ui.background_reads import BackgroundReads
from app.ui.chat_session import ChatSession
from app.ui.composer import Composer
from app.ui.conversation_sidebar import ConversationSidebar
from app.ui.conversation_stage import ConversationStage
from app.ui.email_flow import EmailFlow
from app.ui.email_panel import EmailPanel
from app.ui.icons import icon
from app.ui.inline_error import InlineError
from app.ui.link_guard import confirm_and_open
from app.ui.local_api_switch import LocalApiSwitch
from app.ui.model_flow import ModelFlow
from app.ui.model_picker import ModelPicker
from app.ui.status_panel import StatusPanel
from app.ui.summarize_panel import SummarizePanel
from app.ui.summary_flow import SummaryFlow
from app.ui.transcript_view import TranscriptView
from app.ui.turn_flow import TurnFlow
from app.ui.window_dialogs import WindowDialogs
from app.ui.window_menus import build_hearth_menu
from app.ui.window_state import WindowState, load_window_state, save_window_state
from app.ui.words_note import WordsNote


class MainWindow(QMainWindow):
    """Hearth's window; see the module docstring.

    Signals:
        conversation_shown(int): a conversation's messages are on screen (opened or re-read).
    """

    conversation_shown = Signal(int)

    def __init__(self, runtime: Runtime, history: History, session: ChatSession) -> None:
        super().__init__()
        self._runtime, self._history, self._session = runtime, history, session
        self.library = ModelLibrary(runtime.models_dir)
        self._conversation_id: int | None = None
        self._conversation_kind = ConversationKind.CHAT  # of the current conversation
        self._shown_conversation: int | None = None  # whose messages the transcript shows
        self._shown_generation = 0  # bumped by every showing: a late read is dropped
        self.reads = BackgroundReads(runtime.paths.database, self)
        self._state_file = runtime.paths.config_dir / "window-state.json"
        self.dialogs = WindowDialogs(runtime, self)
        self.dialogs.first_model_ready.connect(self._on_first_model)
        self.setWindowTitle("Hearth")
        self.setWindowIcon(icon("hearth"))
        self.resize(1100, 720)
        self._build()
        self.models = ModelFlow(self)
        self.emails = EmailFlow(self)
        build_hearth_menu(self)
        self._connect()
        self.turns = TurnFlow(self)
        self.summaries = SummaryFlow(self)
        self.local_api = LocalApiSwitch(self)
        self.stage.show_messages(())  # no conversation yet: the ways to start one

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    @property
    def history(self) -> History:
        """This (the UI) thread's connection: only for small reads and for writes."""
        return self._history

    @property
    def session(self) -> ChatSession:
        return self._session

    # --- construction --------------------------------------------------------------------

    def _build(self) -> None:
        self.sidebar = ConversationSidebar(self._history, self.reads)
        self.model_picker = ModelPicker(self.library)
        self.transcript = TranscriptView(message_actions=True)
        self.stage = ConversationStage(self.transcript)  # the transcript or the empty state
        self.error_bar = InlineError()
        self.words_note = WordsNote()
        self.composer = Composer()
        self.status = StatusPanel()
        self.statusBar().addPermanentWidget(self.status, 1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.model_picker, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.stage, 1)
        self.summarize_panel = SummarizePanel(ModelPicker(self.library))
        self.summarize_panel.hide()
        column.addWidget(self.summarize_panel)
        self.email_panel = EmailPanel(self._runtime.settings)
        self.email_panel.hide()
        column.addWidget(self.email_panel)
        column.addWidget(self.error_bar)
        column.addWidget(self.words_note)
        column.addWidget(self.composer)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        self.setCentralWidget(splitter)

    def open_model_manager(self) -> None:
        self.dialogs.open_model_manager()

    def open_settings(self) -> None:
        self.dialogs.open_settings()

    def open_conversation_settings(self) -> None:
        if self._conversation_id is None:
            self.error_bar.show_error("Open a conversation first.", offer_reload=False)
            return
        self.dialogs.open_conversation_settings(self._history, self._conversation_id)

    def _on_first_model(self, model_id: str) -> None:
        """First run ends in a new conversation on the new model, showing its examples."""
        self.model_picker.refresh(model_id)
        self.new_conversation()  # it loads the model

    def _connect(self) -> None:
        session, sidebar = self._session, self.sidebar
        sidebar.new_conversation_requested.connect(self.new_conversation)
        sidebar.conversation_selected.connect(self.open_conversation)
        sidebar.search_hit_activated.connect(lambda cid, _mid: self.open_conversation(cid))
        sidebar.conversation_deleted.connect(self._on_conversation_deleted)
        # A saved state holds a conversation's tokens: deleting one forever empties the cache
        # (states are keyed by tokens, not conversations; the rest are rebuilt on their return)
        sidebar.conversation_purged.connect(
            lambda _cid: delete_saved_states(self._runtime.paths.states_dir)
        )
        sidebar.action_failed.connect(lambda message: self.error_bar.show_error(message, False))
        self.transcript.link_activated.connect(lambda url: confirm_and_open(self, url))
        examples = self.stage.empty_state
        examples.chat_prompt_chosen.connect(self.composer.suggest)
        examples.summarize_chosen.connect(self.choose_documents)
        examples.email_chosen.connect(lambda: self.emails.new_email())
        self.composer.stop_requested.connect(session.stop)
        self.composer.attachment_failed.connect(
            lambda message: self.error_bar.show_error(message, offer_reload=False)
        )
        session.state_changed.connect(self._on_state_changed)
        session.load_progress.connect(self.status.show_load_progress)
        self.status.cancel_load_requested.connect(session.cancel_load)
        session.engine_crashed.connect(self._on_engine_crashed)
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
            model=self.models.current_label(),
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
            self.stage.show_notice(exc.message)
            return
        self._conversation_id, self._conversation_kind = conversation_id, conversation.kind
        self.sidebar.select_conversation(conversation_id)
        self.setWindowTitle(f"{conversation.title or 'New conversation'} — Hearth")
        self.show_transcript(then)
        if conversation.model:
            self.model_picker.show_label(conversation.model)
            self.models.load_for(conversation.model)

    def current_conversation_id(self) -> int | None:
        return self._conversation_id

    def current_conversation_kind(self) -> ConversationKind | None:
        return self._conversation_kind if self._conversation_id is not None else None

    def show_transcript(self, then: Callable[[], None] | None = None) -> None:
        """Read the conversation's shown path on the reading thread; show it when it comes,
        unless something newer was shown meanwhile (another conversation, a reply)."""
        cid = self._conversation_id
        assert cid is not None
        self._shown_generation += 1
        generation = self._shown_generation
        self.reads.read(
            lambda reader: reader.view(cid),
            lambda view: self._show_view(view, generation, then),
            lambda message: self.stage.show_notice(message),
        )

    def _show_view(
        self, view: ConversationView, generation: int, then: Callable[[], None] | None
    ) -> None:
        if generation != self._shown_generation or view.id != self._conversation_id:
            return
        self._shown_conversation = view.id
        self.stage.show_messages(view.messages)
        self.conversation_shown.emit(view.id)
        if then is not None:
            then()

    def shown_messages(self) -> tuple[MessageView, ...]:
        """The messages on screen, if they are the current conversation's."""
        if self._shown_conversation != self._conversation_id:
            return ()
        return self.transcript.messages

    def stream_below(self, shown: Sequence[MessageView], into: int | None) -> None:
        """Show `shown` and stream the reply into message `into` (the last one, continued)
        or into a new message below them (None). A read still on its way is dropped."""
        self._shown_generation += 1
        self.stage.stream_below(shown, into)

    def _on_conversation_deleted(self, conversation_id: int) -> None:
        if conversation_id == self._conversation_id:
            self._conversation_id = None
            self.stage.show_messages(())

    # --- documents -----------------------------------------------------------------------

    def choose_documents(self) -> None:
        paths = self.dialogs.choose_documents()
        if paths:
            self.summarize_panel.add_files(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.open_files(paths)
            event.acceptProposedAction()

    def open_files(self, paths: list[Path]) -> None:
        """Files given to Hearth (dropped, `hearth --open`, "Open with" in the file manager):
        a lone .eml asks "reply or summarize?"; the rest join the summary queue."""
        documents = self.emails.take_dropped(paths)
        if documents:
            self.summarize_panel.add_files(documents)

    # --- models --------------------------------------------------------------------------

    # --- chatting ------------------------------------------------------------------------

    def model_ready(self) -> bool:
        """True if a turn can start; otherwise says why (the composer keeps its text)."""
        if self._session.model is not None and self._session.state == "ready":
            return True
        loading = self._session.state == "loading"
        self.error_bar.show_error(
            "The model is still loading; send again in a moment."
            if loading
            else "Choose a model first (the list above the conversation); your message is "
            "kept in the box.",
            action=None if loading else ("Choose a model", self.model_picker.showPopup),
        )
        return False

    def sampling(self) -> SamplingParams:
        assert self._conversation_id is not None
        saved = self._history.get_conversation(self._conversation_id).sampling
        return resolve_sampling(saved, self._runtime.settings.sampling)

    def _on_state_changed(self, state: str) -> None:
        self.status.show_state(state)
        self.composer.set_generating(state == "generating")
        if state == "ready":
            self.summarize_panel.start_next()  # documents waiting for the model

    def _on_engine_crashed(self, message: str) -> None:
        """The reply so far is saved (failed); offer Reload, which starts a fresh engine."""
        self.error_bar.show_error(message, offer_reload=True)
        self.status.show_model(None)

    def after_turn(self) -> None:
        """Show what was saved (after a failure: the partial reply, marked failed)."""
        if self._conversation_id is None:  # deleted meanwhile: just settle the stream
            self.transcript.end_streaming()
            return
        self.show_transcript()  # replaces the streamed text, so no separate final render
        self.sidebar.refresh()

    def copy_last_reply(self) -> None:
        replies = [m for m in self.shown_messages() if m.role == Role.ASSISTANT]
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
        self.local_api.shutdown()  # before the engine goes: no API request left on it
        self.dialogs.shutdown()
        self.models.shutdown()
        self.reads.shutdown()
        super().closeEvent(event)
