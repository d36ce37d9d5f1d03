"""Chat turns from the window: send (or edit), regenerate, continue, and the draft count.

Each turn is a ChatTurnJob started through the session's gate. What is on screen is shown
at once with the new message (a prefix of the shown messages: nothing is read from the
store), the reply streams below it, and when the job ends the window reads back what was
saved. A turn a server failed shows its one-line message with "Use a local model" (the
partial reply is already kept, marked failed; Regenerate tries the server again). A message
stopped before it was saved (Stop while the turn waited for another app's request to the
local API) goes back into the box, unsent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication

from app.engine.interface import Engine
from app.engine.protocol import TextPiece
from app.errors import EngineCrashedError, RemoteError
from app.store import ConversationKind, History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.conversation_view import MessageView
from app.tasks.job import ContextTrimmed, Done, JobEvent, Outcome, Saved
from app.tasks.turn_prompt import count_draft
from app.ui.model_flow import USE_LOCAL

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


DRAFTING = frozenset({"regenerate", "edit"})  # actions that mean something else in a draft
EDIT_A_DRAFT = (
    "To change what this e-mail says, rework the draft in the e-mail panel below, or start "
    "a new e-mail with other points."
)


class TurnFlow(QObject):
    """The window's chat turns; see the module docstring."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._unsaved: str | None = None  # the message being sent, until it is saved
        window.composer.send_requested.connect(self.send)
        window.composer.draft_changed.connect(self.count_draft)
        window.transcript.action_requested.connect(self.act_on_message)

    def send(self, text: str) -> None:
        window = self._window
        if not window.model_ready():
            return
        cid = window.current_conversation_id()
        if cid is None:
            cid = window.new_conversation()
        editing = window.composer.editing_message_id
        session = window.session
        job = ChatTurnJob.send(
            session.database, session.engine, cid, text, window.sampling(), editing=editing
        )
        if not self._start(job):
            return
        self._unsaved = text
        window.error_bar.hide()
        window.composer.clear_sent()
        shown = window.shown_messages()
        earlier = shown if editing is None else _before(shown, editing)
        window.stream_below([*earlier, MessageView.pending(cid, text)], None)

    def act_on_message(self, action: str, message_id: int) -> None:
        """Copy, Edit, Regenerate, Continue and the branch navigator under each message; the
        message is one the transcript shows, so nothing is read from the store here."""
        window = self._window
        shown = window.shown_messages()
        index = next((i for i, m in enumerate(shown) if m.id == message_id), None)
        cid = window.current_conversation_id()
        if index is None or cid is None:
            return
        message, session = shown[index], window.session
        if window.current_conversation_kind() is ConversationKind.EMAIL and action in DRAFTING:
            self._act_on_draft(action)
            return
        if action == "copy":
            QGuiApplication.clipboard().setText(message.content)
        elif action == "edit":
            window.composer.begin_edit(message_id, message.content)
        elif action == "regenerate" and index > 0:
            asked = shown[index - 1].id  # the user's message this replies to
            assert asked is not None
            job = ChatTurnJob.regenerate(
                session.database, session.engine, cid, asked, window.sampling()
            )
            if window.model_ready() and self._start(job):
                window.stream_below(shown[:index], into=None)
        elif action == "continue" and message.continuable:
            job = ChatTurnJob.resume(
                session.database, session.engine, cid, message_id, window.sampling()
            )
            if window.model_ready() and self._start(job):
                window.stream_below(shown[: index + 1], into=message_id)
        elif action in ("previous", "next") and not session.generating:
            step = -1 if action == "previous" else 1
            window.reads.read(
                lambda reader: reader.switch_branch(message_id, step),
                lambda _leaf: window.show_transcript(),
                lambda why: window.error_bar.show_error(why, offer_reload=False),
            )

    def _act_on_draft(self, action: str) -> None:
        """In an e-mail draft, Regenerate writes another version of the e-mail (with the
        e-mail prompts, not as a chat reply); Edit points to the panel, where what the
        e-mail says is changed."""
        emails = self._window.emails
        library = emails.library()
        if action == "regenerate" and library is not None:
            emails.refine(library.refinement("again"), "")
        elif action == "edit":
            self._window.error_bar.show_error(EDIT_A_DRAFT, offer_reload=False)

    def count_draft(self, text: str) -> None:
        """How much of the context the prompt would take if this draft were sent now
        (counted as the turn will build it, document excerpts included), off this thread."""
        window = self._window
        cid = window.current_conversation_id()
        if cid is None or window.session.model is None:
            window.composer.show_token_count("")
            return
        database, sampling = window.session.database, window.sampling()

        def count(engine: Engine) -> int:
            with History.open(database) as history:
                return count_draft(history, engine, cid, text, sampling)

        window.session.ask(count, self._show_token_count)

    def _show_token_count(self, done: Done) -> None:
        """The count's answer; failures are dropped (the count is a nicety)."""
        model, count = self._window.session.model, done.result
        if done.outcome is Outcome.COMPLETED and model is not None and isinstance(count, int):
            self._window.composer.show_token_count(f"{count:,} / {model.n_ctx:,} tokens")

    def _start(self, job: ChatTurnJob) -> bool:
        self._unsaved = None
        return self._window.session.start(job, self._on_event, self._on_done)

    def _on_event(self, event: JobEvent) -> None:
        if isinstance(event, TextPiece):
            self._window.transcript.append_stream(event.text)
        elif isinstance(event, ContextTrimmed):
            self._window.status.show_trimmed(event.omitted_messages)
        elif isinstance(event, Saved):
            self._unsaved = None

    def _on_done(self, done: Done) -> None:
        window, unsaved, self._unsaved = self._window, self._unsaved, None
        if done.outcome is Outcome.CANCELLED and unsaved is not None:
            window.composer.suggest(unsaved)  # stopped before it was saved: not lost
        if isinstance(done.result, TurnFinished):
            window.status.show_stats(done.result.stats)
        elif isinstance(done.error, RemoteError):  # the server failed: retry, or go local
            action = (USE_LOCAL, window.model_picker.showPopup)
            window.error_bar.show_error(done.message, action=action)
        elif done.outcome is Outcome.FAILED and not isinstance(done.error, EngineCrashedError):
            window.error_bar.show_error(done.message, offer_reload=False)
        # Read back what was saved: the sent message gets its id, both get their actions and
        # branch navigator (bounded: the transcript materializes only the last messages).
        window.after_turn()


def _before(messages: Sequence[MessageView], message_id: int) -> Sequence[MessageView]:
    """The messages above `message_id` (all of them if it is not among them)."""
    ids = [m.id for m in messages]
    return messages[: ids.index(message_id)] if message_id in ids else messages
