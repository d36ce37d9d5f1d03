"""E-mail drafts from the window: compose, reply and refine as DraftJobs, streamed into the
draft's conversation, and the panel kept in step.

Every draft runs through the session's gate (one writing job at a time, with a model
ready). A draft's first event says which conversation it is written into: the window opens
it, shows it down to the request the new version answers, and streams the version below;
when the job ends the conversation is read back, so the version navigator over the draft
counts the new version. Hand-offs are `DraftHandoff`'s (app/ui/draft_handoff.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox

from app.engine.protocol import SamplingParams, TextPiece
from app.errors import EngineCrashedError, HearthError
from app.mail.headers import parse_addresses
from app.mail.thread import read_thread
from app.settings import save_settings
from app.store import ConversationKind
from app.tasks.email_draft import DraftJob, DraftResult
from app.tasks.email_prompts import EmailStyle
from app.tasks.email_reply import ReplySource
from app.tasks.job import ContextTrimmed, Done, JobEvent, Outcome, Saved
from app.tasks.prompt_library import PromptLibrary, Refinement, user_prompts_dir
from app.tasks.sampling import resolve_sampling
from app.ui.draft_handoff import NOT_A_DRAFT, DraftContext, DraftHandoff, reply_context

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

JobBuilder = Callable[[PromptLibrary], DraftJob]


class EmailFlow(QObject):
    """Runs the e-mail panel's drafts through the window's session; see the module docstring."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._panel = window.email_panel
        self.handoff = DraftHandoff(window)
        self._library: PromptLibrary | None = None
        self._conversation: int | None = None  # where the running draft is written
        self._parent: int | None = None  # the request its version answers
        self._text: list[str] | None = None  # its text, until that conversation is shown
        self._context: DraftContext | None = None  # the running draft's, until it is saved
        self._last_shown: int | None = None
        self.drop_question: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        panel, actions = self._panel, self._panel.draft_actions
        panel.compose_requested.connect(self.compose)
        panel.reply_requested.connect(self.reply)
        panel.choose_requested.connect(self.choose_email)
        panel.stop_requested.connect(window.session.stop)
        panel.problem_found.connect(self._show_problem)
        actions.problem_found.connect(self._show_problem)
        actions.refine_requested.connect(self.refine)
        actions.template_requested.connect(self.save_template)
        actions.copy_requested.connect(self.handoff.copy)
        actions.open_requested.connect(self.handoff.open_in_mail_app)
        actions.save_requested.connect(self.handoff.choose_file)
        window.conversation_shown.connect(self._on_conversation_shown)

    # --- what to answer ------------------------------------------------------------------

    def new_email(self) -> None:
        """New e-mail (Ctrl+E)."""
        self._prepare_panel()
        self._panel.begin_compose()

    def choose_email(self) -> None:
        """Reply to an e-mail…: pick the .eml (a dialog that does not block the window)."""
        dialog = QFileDialog(self._window, "Reply to an e-mail")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["E-mails (*.eml)", "All files (*)"])
        dialog.fileSelected.connect(lambda chosen: self.open_email(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()

    def open_email(self, path: Path) -> None:
        """Show `path` in the panel's Reply tab, ready to answer; say why if it cannot be."""
        try:
            limit = self._window.runtime.settings.max_document_mb * 1024 * 1024
            source = ReplySource(read_thread(path, limit), path.read_bytes(), path)
        except HearthError as error:
            self._show_problem(error.message)
            return
        except OSError as error:  # gone between reading and reading again
            self._show_problem(f"{path.name} cannot be read ({error.strerror or error}).")
            return
        self._prepare_panel()
        self._panel.use_email(source)

    def take_dropped(self, paths: list[Path]) -> list[Path]:
        """Files given to the window: a lone .eml asks "reply or summarize?"; the rest
        (returned) are for the summary queue."""
        emails = [path for path in paths if path.suffix.lower() == ".eml"]
        if len(emails) != 1:
            return paths
        self._ask_about(emails[0])
        return [path for path in paths if path != emails[0]]

    def _ask_about(self, path: Path) -> None:
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("An e-mail")
        box.setText(f"Reply to {path.name}, or summarize it?")
        reply = box.addButton("Reply to it", QMessageBox.ButtonRole.AcceptRole)
        summarize = box.addButton("Summarize it", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(reply)

        def answered(button: QAbstractButton) -> None:
            if button is reply:
                self.open_email(path)
            elif button is summarize:
                self._window.summarize_panel.add_files([path])

        box.buttonClicked.connect(answered)
        box.finished.connect(box.deleteLater)
        self.drop_question = box
        box.open()

    # --- drafting ------------------------------------------------------------------------

    def compose(self, recipient: str, points: str, style: EmailStyle) -> None:
        """A new e-mail; `recipient` as typed: names, addresses or both ("Ada <a@x.org>")."""
        people = parse_addresses(recipient)
        who = ", ".join(person.name or person.address for person in people) or recipient
        sampling, label = self._default_sampling(), self._model_label()
        self._remember_sign_off(style.sign_off)
        session = self._window.session

        def build(library: PromptLibrary) -> DraftJob:
            return DraftJob.compose(
                session.database,
                session.engine,
                who,
                points,
                style,
                sampling,
                library,
                model_label=label,
            )

        self._start(build, DraftContext(tuple(p for p in people if p.address)))

    def reply(self, source: ReplySource, points: str, style: EmailStyle) -> None:
        sampling, label = self._default_sampling(), self._model_label()
        self._remember_sign_off(style.sign_off)
        session = self._window.session

        def build(library: PromptLibrary) -> DraftJob:
            return DraftJob.reply(
                session.database,
                session.engine,
                source,
                points,
                style,
                sampling,
                library,
                model_label=label,
            )

        self._start(build, reply_context(source.thread))

    def refine(self, refinement: Refinement, language: str) -> None:
        """A new version of the draft on screen, reworked as `refinement` says."""
        window = self._window
        cid = window.current_conversation_id()
        if cid is None or window.current_conversation_kind() is not ConversationKind.EMAIL:
            self._show_problem(NOT_A_DRAFT)
            return
        saved = window.history.get_conversation(cid).sampling
        sampling = resolve_sampling(saved, window.runtime.settings.sampling)
        session = window.session

        def build(library: PromptLibrary) -> DraftJob:
            return DraftJob.refine(
                session.database,
                session.engine,
                cid,
                refinement,
                sampling,
                library,
                language=language,
            )

        self._start(build, None)

    def _start(self, build: JobBuilder, context: DraftContext | None) -> None:
        library = self.library()
        if library is None or not self._model_free():
            return
        try:
            job = build(library)
        except HearthError as error:
            self._show_problem(error.message)
            return
        if not self._window.session.start(job, self._on_event, self._on_done):
            self._model_free()  # says why
            return
        self._conversation = self._parent = self._text = None
        self._context = context
        self._window.error_bar.hide()
        self._panel.set_running(True)
        self._panel.draft_actions.show_note("Writing…  Stop (Esc) keeps what is written so far.")

    def _show_problem(self, message: str) -> None:
        self._window.error_bar.show_error(message, offer_reload=False)

    def _model_free(self) -> bool:
        """True if a draft can start now; otherwise says why (the fields keep their text)."""
        session = self._window.session
        if session.model is not None and session.state == "ready":
            return True
        if session.generating:
            why = "Hearth is still writing; wait until it is done, or stop it with Esc."
        elif session.state == "loading":
            why = "The model is still loading; press Draft again in a moment."
        else:
            why = (
                "Choose a model first (the list above the conversation); what you wrote in "
                "the e-mail panel is kept."
            )
        self._show_problem(why)
        return False

    def _model_label(self) -> str | None:
        """How the draft's conversation names its model, to load it again when opened: the
        installed model's id as the model list has it, else the file's path."""
        loaded = self._window.session.model
        if loaded is None:
            return None
        picker = self._window.model_picker
        for row in range(picker.count()):
            data = picker.itemData(row)
            if isinstance(data, tuple) and Path(data[0]).resolve() == loaded.path.resolve():
                return str(data[1])
        return str(loaded.path)

    def _default_sampling(self) -> SamplingParams:
        return resolve_sampling({}, self._window.runtime.settings.sampling)

    def _remember_sign_off(self, name: str) -> None:
        """The sign-off name is kept in the settings for next time."""
        runtime = self._window.runtime
        if name == runtime.settings.sign_off_name:
            return
        runtime.settings.sign_off_name = name
        try:
            save_settings(runtime.settings, runtime.paths.settings_file)
        except OSError as error:
            self._panel.draft_actions.show_note(
                f"Your sign-off name could not be kept for next time ({error.strerror or error})."
            )

    # --- the draft as it is written ------------------------------------------------------

    def _on_event(self, event: JobEvent) -> None:
        window = self._window
        if isinstance(event, Saved) and self._conversation is None:
            self._conversation, self._parent = event.conversation_id, event.message_id
            if self._context is not None:
                self.handoff.remember(event.conversation_id, self._context)
            window.sidebar.refresh()
            self._text = []  # kept until the conversation is on screen
            window.open_conversation(event.conversation_id, self._begin_stream)
        elif isinstance(event, ContextTrimmed):
            window.status.show_trimmed(event.omitted_messages)
            self._panel.draft_actions.show_note(
                f"The {event.omitted_messages} oldest quoted message(s) of the thread were left "
                "out so the rest fits the model's context; the last message is whole."
            )
        elif isinstance(event, TextPiece) and self._streams_here():
            if self._text is not None:
                self._text.append(event.text)
            else:
                window.transcript.append_stream(event.text)

    def _begin_stream(self) -> None:
        """The draft's conversation is shown: down to the request, then the new version."""
        if self._text is None or not self._streams_here():
            return
        shown = self._window.transcript.messages
        ids = [message.id for message in shown]
        upto = shown[: ids.index(self._parent) + 1] if self._parent in ids else shown
        self._window.stream_below(upto, None)
        if self._text:
            self._window.transcript.append_stream("".join(self._text))
        self._text = None

    def _streams_here(self) -> bool:
        return (
            self._conversation is not None
            and self._conversation == self._window.current_conversation_id()
        )

    def _on_done(self, done: Done) -> None:
        window, panel = self._window, self._panel
        if self._streams_here():
            window.after_turn()  # read back: the version as saved, with its navigator
        else:
            window.sidebar.refresh()
        result = done.result if isinstance(done.result, DraftResult) else None
        if result is not None and self._context is not None and not self._context.subject:
            self.handoff.remember(
                result.conversation_id,
                DraftContext(self._context.to, self._context.thread, result.subject),
            )
        self._conversation = self._parent = self._text = self._context = None
        panel.set_running(False)
        if done.outcome is Outcome.COMPLETED and result is not None:
            panel.draft_actions.show_note(
                f"Ready: “{result.subject}”. ‹ › over the draft browse its versions; rework "
                "it or hand it off here."
            )
        elif done.outcome is Outcome.CANCELLED:
            panel.draft_actions.show_note(done.message)
        else:
            panel.draft_actions.show_note("The draft could not be written; see above.")
            if not isinstance(done.error, EngineCrashedError):
                self._show_problem(done.message)

    # --- the library and the user's templates ---------------------------------------------

    def library(self) -> PromptLibrary | None:
        """The prompts, read once; a broken user file is reported and skipped."""
        if self._library is None:
            try:
                self._library = PromptLibrary.load(user_prompts_dir(self._window.runtime.paths))
            except HearthError as error:
                self._show_problem(error.message)
                return None
            if self._library.problems:
                problems = " ".join(self._library.problems)
                self._show_problem(problems)
            self._panel.draft_actions.show_refinements(self._library.refinements())
        return self._library

    def save_template(self, name: str, instruction: str) -> None:
        library = self.library()
        if library is None:
            return
        try:
            saved = library.add_user_refinement(name, instruction)
        except HearthError as error:
            self._panel.draft_actions.template_refused(error.message)
            return
        self._panel.draft_actions.template_saved(library.refinements(), saved)

    def _prepare_panel(self) -> None:
        self.library()  # fills the rework buttons

    def _on_conversation_shown(self, conversation_id: int) -> None:
        """The rework and hand-off buttons work on the draft shown, if there is one; opening
        an e-mail draft (from the sidebar, say) brings its panel with it."""
        shown = self.handoff.shown_version() is not None
        self._panel.draft_actions.set_draft_shown(shown)
        if conversation_id == self._last_shown:
            return
        self._last_shown = conversation_id
        if shown and not self._panel.isVisible():
            self._prepare_panel()
            self._panel.show()
