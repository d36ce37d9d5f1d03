"""Handing the shown draft to the user's mail: copy it, open it in the mail app, save an .eml.

"The shown draft" is the version on screen: the last reply of the e-mail conversation the
transcript shows, as the version navigator left it. Its subject and body are split from the
model's text; what the text does not say (who it goes to, the mail it answers, a subject
when the model wrote none) is the draft's `DraftContext`, kept when the draft was made or,
for a draft from an earlier session, read back from the mail attached to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog

from app.errors import HearthError
from app.mail.draft_file import reply_subject, write_draft
from app.mail.draft_text import split_draft
from app.mail.mailto import mailto_url
from app.mail.model import MailAddress, MailThread
from app.mail.thread import read_thread
from app.store import ConversationKind, DocumentStore, History, Role
from app.tasks.conversation_view import MessageView

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

NOT_A_DRAFT = "Open an e-mail draft first: the sidebar lists them with your conversations."


@dataclass(frozen=True)
class DraftContext:
    """What a draft's hand-off needs beyond its text: the recipients (none: the mail app
    asks), the mail it answers (None: a new e-mail) and a subject for versions without one."""

    to: tuple[MailAddress, ...] = ()
    thread: MailThread | None = None
    subject: str = ""


@dataclass(frozen=True)
class ShownDraft:
    conversation_id: int
    subject: str
    body: str
    context: DraftContext

    @property
    def text(self) -> str:
        """As it is copied: the Subject line, a blank line, the body."""
        return f"Subject: {self.subject}\n\n{self.body}" if self.subject else self.body


def reply_context(thread: MailThread) -> DraftContext:
    """A reply goes to the original's Reply-To or sender, under "Re:" its subject."""
    return DraftContext(thread.reply_recipients(), thread, reply_subject(thread.subject))


def stored_context(history: History, conversation_id: int) -> DraftContext:
    """A draft made in an earlier session: threaded if the mail it answers is still there."""
    for document in DocumentStore(history).for_conversation(conversation_id):
        if document.kind == "eml" and document.path.is_file():
            try:
                return reply_context(read_thread(document.path))
            except HearthError:
                continue  # changed or gone since: the draft is handed off unthreaded
    return DraftContext()


class DraftHandoff(QObject):
    """Copy, Open in mail app and Save as .eml for the window's shown draft."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._contexts: dict[int, DraftContext] = {}
        self.file_dialog: QFileDialog | None = None  # the open "Save as .eml" dialog

    def remember(self, conversation_id: int, context: DraftContext) -> None:
        self._contexts[conversation_id] = context

    def context(self, conversation_id: int) -> DraftContext:
        if conversation_id not in self._contexts:
            self._contexts[conversation_id] = stored_context(self._window.history, conversation_id)
        return self._contexts[conversation_id]

    def shown_version(self) -> MessageView | None:
        """The version on screen, if the window shows an e-mail draft that has one (what is
        on screen only: nothing is read)."""
        window = self._window
        if window.current_conversation_kind() is not ConversationKind.EMAIL:
            return None
        drafts = [m for m in window.shown_messages() if m.role == Role.ASSISTANT]
        drafts = [m for m in drafts if m.content.strip() and m.conversation_id is not None]
        return drafts[-1] if drafts else None

    def shown_draft(self) -> ShownDraft | None:
        """The shown version's subject and body, with its draft's context."""
        version = self.shown_version()
        if version is None or version.conversation_id is None:
            return None
        cid = version.conversation_id
        context = self.context(cid)
        subject, body = split_draft(version.content)
        subject = subject or context.subject
        if context.thread is not None:  # a reply reads as one, as its .eml will
            subject = reply_subject(subject or context.thread.subject)
        return ShownDraft(cid, subject, body, context)

    # --- the three hand-offs -------------------------------------------------------------

    def copy(self) -> None:
        draft = self._shown_or_say()
        if draft is not None:
            QGuiApplication.clipboard().setText(draft.text)
            self._note("Copied the subject and body: paste them into a new e-mail.")

    def open_in_mail_app(self) -> None:
        """A mailto: link for the mail app; too long for one (or no mail app): copied."""
        draft = self._shown_or_say()
        if draft is None:
            return
        url = mailto_url(draft.context.to, draft.subject, draft.body)
        if url is not None and QDesktopServices.openUrl(QUrl(url)):
            self._note("Opened in your mail app as a new message.")
            return
        QGuiApplication.clipboard().setText(draft.text)
        self._note(
            "This draft is too long for a mail link, so it was copied instead: paste it into "
            "a new e-mail in your mail app."
            if url is None
            else "No mail app opened the draft, so it was copied instead: paste it into a "
            "new e-mail."
        )

    def choose_file(self) -> None:
        """Save as .eml…: ask where (a dialog that does not block the window)."""
        draft = self._shown_or_say()
        if draft is None:
            return
        dialog = QFileDialog(self._window, "Save the draft as an e-mail file")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("E-mail files (*.eml)")
        dialog.setDefaultSuffix("eml")
        dialog.selectFile(_file_name(draft.subject))
        dialog.fileSelected.connect(lambda chosen: self.save_to(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()

    def save_to(self, path: Path) -> None:
        """Write the shown draft to `path`: an unsent mail the mail app opens as a draft,
        threaded under the mail it answers."""
        draft = self._shown_or_say()
        if draft is None:
            return
        context = draft.context
        try:
            write_draft(path, draft.subject, draft.body, to=context.to, reply_to=context.thread)
        except HearthError as error:
            self._window.error_bar.show_error(error.message, offer_reload=False)
            return
        self._note(f"Saved as {path.name}: open it in your mail app to finish and send it.")

    def _shown_or_say(self) -> ShownDraft | None:
        draft = self.shown_draft()
        if draft is None:
            self._window.error_bar.show_error(NOT_A_DRAFT, offer_reload=False)
        return draft

    def _note(self, text: str) -> None:
        self._window.email_panel.draft_actions.show_note(text)


def _file_name(subject: str) -> str:
    """A file name from the subject: letters, digits, spaces and dashes, at most 60."""
    cleaned = re.sub(r"[^\w\s-]", "", subject, flags=re.UNICODE).strip()
    return (re.sub(r"\s+", " ", cleaned)[:60].strip() or "draft") + ".eml"
