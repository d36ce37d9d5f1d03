"""E-mail drafts from the window: compose, reply to a dropped .eml, rework into versions and
browse them, hand off (copy, mail app, .eml). Real engine on a generated model that writes a
draft, real SQLite, real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.settings import load_settings
from app.store import ConversationKind, DocumentStore, Message, Role
from app.tasks.email_draft import DraftResult
from app.tasks.job import Done, Outcome
from app.ui.email_panel import REPLY_TAB, SAME_AS_THREAD
from app.ui.main_window import MainWindow
from tests.support.mail import build_mail
from tests.support.tiny_gguf import long_text, write_scripted_model
from tests.ui.transcript_helpers import hover_message
from tests.ui.window_fixtures import (
    LOAD_TIMEOUT,
    choose_model,
    drop_files,
    reply_waits_for_the_screen,
    wait_for_reads,
)

DRAFT = "Subject: Lunch on Friday\n\nDear Ada,\n\nFriday at noon suits me well.\n\nBest,\nSam"
DRAFT_BODY = "Dear Ada,\n\nFriday at noon suits me well.\n\nBest,\nSam"


@pytest.fixture(scope="module")
def draft_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chatml model that answers every prompt with DRAFT (a Subject line, then a body)."""
    folder = tmp_path_factory.mktemp("draft-model")
    return write_scripted_model(folder / "draft-tiny.gguf", DRAFT, name="Draft Tiny")


class UrlRecorder(QObject):
    """Qt's own hook for QDesktopServices.openUrl: records instead of starting a mail app."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def record(self, url: QUrl) -> None:
        self.opened.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))


@pytest.fixture
def mail_app() -> Iterator[UrlRecorder]:
    recorder = UrlRecorder()
    QDesktopServices.setUrlHandler("mailto", recorder, "record")  # type: ignore[arg-type]
    try:
        yield recorder
    finally:
        QDesktopServices.unsetUrlHandler("mailto")


def write_eml(path: Path) -> Path:
    """A mail from Ada with a Reply-To, quoting an earlier message."""
    headers = {
        "From": "Ada Lovelace <ada@example.org>",
        "Reply-To": "Ada at home <ada@home.example.org>",
        "To": "Sam Smith <sam@example.org>",
        "Subject": "Lunch?",
        "Message-ID": "<lunch-2@example.org>",
        "References": "<lunch-1@example.org>",
    }
    text = (
        "Shall we have lunch on Friday?\n\nAda\n\n"
        "On Mon, 1 Dec 2026, Sam Smith <sam@example.org> wrote:\n> Are you free this week?\n"
    )
    path.write_bytes(build_mail(text=text, headers=headers))
    return path


def choose_draft_model(qtbot: QtBot, window: MainWindow, model: Path) -> None:
    """The draft model, with room for a prompt that carries a whole e-mail thread."""
    window._runtime.settings.context_length = 4096
    choose_model(qtbot, window, model)


def draft_now(qtbot: QtBot, window: MainWindow) -> Done:
    """Press Draft and wait until the draft is written and read back."""
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as finished:
        qtbot.mouseClick(window.email_panel.draft_button, Qt.MouseButton.LeftButton)
    wait_for_reads(qtbot, window)
    done: Done = finished.args[0]
    return done


def compose(qtbot: QtBot, window: MainWindow) -> DraftResult:
    """New e-mail from the Hearth menu, to Ada, formal, signed Sam."""
    menu = window.menuBar().actions()[0].menu()
    new_email = next(a for a in menu.actions() if a.text() == "New &e-mail")
    assert new_email.shortcut().toString() == "Ctrl+E"
    new_email.trigger()
    panel = window.email_panel
    assert panel.isVisible()
    qtbot.keyClicks(panel.recipient, "Ada Lovelace <ada@example.org>")
    panel.points.setPlainText("Lunch on Friday at noon suits me.")
    panel.tone.setCurrentIndex(panel.tone.findData("formal"))
    panel.sign_off.setText("Sam")
    done = draft_now(qtbot, window)
    assert done.outcome is Outcome.COMPLETED, done.message
    assert isinstance(done.result, DraftResult)
    return done.result


def open_stored_draft(qtbot: QtBot, window: MainWindow, draft: str) -> int:
    """An e-mail draft saved earlier, opened from the sidebar."""
    history = window._history
    cid = history.create_conversation(title="E-mail to Ada", kind=ConversationKind.EMAIL)
    request = history.add_message(cid, Role.USER, "E-mail to Ada (friendly, medium).\n\nHi.")
    history.add_message(cid, Role.ASSISTANT, draft, parent_id=request)
    window.sidebar.refresh()
    window.open_conversation(cid)  # what choosing it in the sidebar does
    wait_for_reads(qtbot, window)
    return cid


def drafts(window: MainWindow, cid: int) -> list[Message]:
    """Every version of the conversation's draft, oldest first."""
    request = window._history.active_path(cid)[0]
    return window._history.children(request.id)


def test_a_new_e_mail_streams_into_its_conversation_and_hands_off(
    qtbot: QtBot,
    window: MainWindow,
    draft_model: Path,
    mail_app: UrlRecorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    choose_draft_model(qtbot, window, draft_model)
    transcript = window.transcript
    draw = transcript.append_stream
    seen: list[tuple[bool, int | None]] = []  # (still writing, conversation shown)

    def drawn(text: str) -> None:
        draw(text)
        seen.append((window._session.generating, window.current_conversation_id()))

    monkeypatch.setattr(transcript, "append_stream", drawn)
    reply_waits_for_the_screen(monkeypatch, window, window.emails)
    result = compose(qtbot, window)
    cid = result.conversation_id
    assert seen
    assert all(writing and shown == cid for writing, shown in seen)
    assert (result.subject, result.body.strip()) == ("Lunch on Friday", DRAFT_BODY)
    assert window.current_conversation_id() == cid
    assert window._history.get_conversation(cid).kind is ConversationKind.EMAIL
    request, draft = window._history.active_path(cid)
    assert "formal" in request.content
    assert "Lunch on Friday at noon" in request.content
    assert (draft.content, draft.status) == (DRAFT, "complete")
    assert "Friday at noon suits me well." in transcript.toPlainText()
    assert "Ready: “Lunch on Friday”" in window.email_panel.draft_actions.note.text()
    # The sign-off name is remembered for next time.
    assert load_settings(window._runtime.paths.settings_file).sign_off_name == "Sam"
    actions = window.email_panel.draft_actions
    qtbot.mouseClick(actions.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"Subject: Lunch on Friday\n\n{DRAFT_BODY}"
    qtbot.mouseClick(actions.open_button, Qt.MouseButton.LeftButton)
    (url,) = mail_app.opened
    assert url.startswith("mailto:ada@example.org?subject=Lunch%20on%20Friday&body=Dear%20Ada")
    assert "%0D%0A%0D%0AFriday%20at%20noon" in url
    assert "Opened in your mail app" in actions.note.text()


def test_reply_to_a_dropped_e_mail_and_save_it_threaded(
    qtbot: QtBot, window: MainWindow, draft_model: Path, tmp_path: Path
) -> None:
    choose_draft_model(qtbot, window, draft_model)
    eml = write_eml(tmp_path / "lunch.eml")
    drop_files(window, [eml])
    question = window.emails.drop_question
    assert question is not None
    assert question.isVisible()
    assert "lunch.eml" in question.text()
    reply = next(b for b in question.buttons() if b.text() == "Reply to it")
    qtbot.mouseClick(reply, Qt.MouseButton.LeftButton)
    panel = window.email_panel
    assert panel.isVisible()
    assert panel.tabs.currentIndex() == REPLY_TAB
    assert "Ada Lovelace" in panel.source_label.text()
    assert "Lunch?" in panel.source_label.text()
    assert panel.language.currentText() == SAME_AS_THREAD  # a reply follows its thread
    assert not window.summarize_panel.isVisible()
    panel.reply_points.setPlainText("Yes, Friday at noon.")
    done = draft_now(qtbot, window)
    assert done.outcome is Outcome.COMPLETED, done.message
    assert isinstance(done.result, DraftResult)
    cid = done.result.conversation_id
    request, draft = window._history.active_path(cid)
    assert "Ada Lovelace" in request.content
    assert "Yes, Friday at noon." in request.content
    assert draft.content == DRAFT
    (attached,) = DocumentStore(window._history).for_conversation(cid)
    assert (attached.kind, attached.path) == ("eml", eml.resolve())
    qtbot.mouseClick(panel.draft_actions.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"Subject: Re: Lunch on Friday\n\n{DRAFT_BODY}"
    # Save as .eml…: the file dialog does not block; choose a file as a user would.
    qtbot.mouseClick(panel.draft_actions.save_button, Qt.MouseButton.LeftButton)
    dialog = window.emails.handoff.file_dialog
    assert dialog is not None
    assert dialog.isVisible()
    saved = tmp_path / "reply.eml"
    dialog.selectFile(str(saved))
    dialog.accept()
    mail = BytesParser(policy=policy.default).parsebytes(saved.read_bytes())
    assert mail["Subject"] == "Re: Lunch on Friday"
    assert mail["To"] == "Ada at home <ada@home.example.org>"  # Reply-To wins over From
    assert mail["In-Reply-To"] == "<lunch-2@example.org>"
    assert mail["References"] == "<lunch-1@example.org> <lunch-2@example.org>"
    assert mail["X-Unsent"] == "1"
    body = mail.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").strip() == DRAFT_BODY
    assert "Saved as reply.eml" in panel.draft_actions.note.text()


def test_a_dropped_e_mail_can_be_summarized_instead(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    eml = write_eml(tmp_path / "lunch.eml")
    drop_files(window, [eml])
    question = window.emails.drop_question
    assert question is not None
    summarize = next(b for b in question.buttons() if b.text() == "Summarize it")
    qtbot.mouseClick(summarize, Qt.MouseButton.LeftButton)
    assert [item.path for item in window.summarize_panel.queue] == [eml]
    assert not window.email_panel.isVisible()


def test_rework_twice_then_browse_back_to_the_first_version(
    qtbot: QtBot, window: MainWindow, draft_model: Path, hearth_home: Path
) -> None:
    choose_draft_model(qtbot, window, draft_model)
    first = compose(qtbot, window)
    cid = first.conversation_id
    (original,) = drafts(window, cid)
    actions = window.email_panel.draft_actions
    assert list(actions.refine_buttons) == [
        "shorter", "longer", "formal", "friendly", "grammar", "translate", "again"
    ]  # fmt: skip
    # Version 2: translated; the language is asked first.
    qtbot.mouseClick(actions.refine_buttons["translate"], Qt.MouseButton.LeftButton)
    assert actions.language_dialog is not None
    assert actions.language_dialog.isVisible()
    actions.language_dialog.setTextValue("Français")
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as second:
        actions.language_dialog.accept()
    wait_for_reads(qtbot, window)
    assert second.args[0].outcome is Outcome.COMPLETED, second.args[0].message
    # Version 3: with a template of the user's own, saved from the panel.
    qtbot.mouseClick(actions.save_template_button, Qt.MouseButton.LeftButton)
    dialog = actions.template_dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.name.setText("Shorter")  # a built-in's name: refused, the dialog stays open
    dialog.instruction.setPlainText("Rewrite it as a haiku.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "too close" in dialog.problems.text()
    dialog.name.setText("As a haiku")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert list((hearth_home / "config" / "prompts").glob("*.toml"))
    (haiku,) = actions.templates_menu.actions()
    assert haiku.text() == "As a haiku"
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as third:
        haiku.trigger()
    wait_for_reads(qtbot, window)
    assert third.args[0].outcome is Outcome.COMPLETED, third.args[0].message
    versions = drafts(window, cid)
    assert len(versions) == 3
    shown = window.shown_messages()[-1]
    assert shown.id == versions[2].id
    assert "3 of 3" in window.transcript.toPlainText()
    # Browse back with the navigator over the draft: the first version is intact.
    for _ in range(2):
        shown = window.shown_messages()[-1]
        assert shown.id is not None
        window.transcript.action_requested.emit("previous", shown.id)
        wait_for_reads(qtbot, window)
    shown = window.shown_messages()[-1]
    assert shown.id == original.id
    assert "1 of 3" in window.transcript.toPlainText()
    assert window._history.get_message(original.id) == original
    qtbot.mouseClick(actions.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"Subject: Lunch on Friday\n\n{DRAFT_BODY}"


def test_a_draft_too_long_for_a_mail_link_is_copied_instead(
    qtbot: QtBot, window: MainWindow, mail_app: UrlRecorder
) -> None:
    body = long_text(1500)
    open_stored_draft(qtbot, window, f"Subject: Everything\n\n{body}")
    panel = window.email_panel
    assert panel.isVisible()  # an e-mail draft opened from the sidebar brings its panel
    qtbot.mouseClick(panel.draft_actions.open_button, Qt.MouseButton.LeftButton)
    assert mail_app.opened == []
    assert QGuiApplication.clipboard().text() == f"Subject: Everything\n\n{body}"
    assert "too long for a mail link, so it was copied" in panel.draft_actions.note.text()


def test_drafting_without_a_model_says_what_to_do_and_keeps_the_points(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.emails.new_email()
    panel = window.email_panel
    panel.points.setPlainText("Ask about the invoice.")
    qtbot.mouseClick(panel.draft_button, Qt.MouseButton.LeftButton)
    assert window.error_bar.isVisible()
    assert "Choose a model first" in window.error_bar.label.text()
    assert panel.points.toPlainText() == "Ask about the invoice."
    assert window._history.list_conversations() == []
    # Nothing to reply to yet: the panel says so.
    panel.tabs.setCurrentIndex(REPLY_TAB)
    qtbot.mouseClick(panel.draft_button, Qt.MouseButton.LeftButton)
    assert "Choose the e-mail to answer first" in window.error_bar.label.text()


def test_a_pasted_thread_shows_who_wrote_it(qtbot: QtBot, window: MainWindow) -> None:
    window.emails.new_email()
    panel = window.email_panel
    panel.tabs.setCurrentIndex(REPLY_TAB)
    panel.pasted.setPlainText("From: Ada Lovelace <ada@example.org>\nSubject: Budget\n\nIs it ok?")
    qtbot.waitUntil(lambda: panel.source is not None, timeout=5000)
    assert "Ada Lovelace" in panel.source_label.text()
    assert "Budget" in panel.source_label.text()
    assert panel.source is not None
    assert panel.source.path is None
    panel.pasted.setPlainText("")
    qtbot.waitUntil(lambda: panel.source is None, timeout=5000)


def test_the_drop_question_is_a_plain_question_with_cancel(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    eml = write_eml(tmp_path / "lunch.eml")
    drop_files(window, [eml])
    question = window.emails.drop_question
    assert question is not None
    cancel = question.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not window.email_panel.isVisible()
    assert window.summarize_panel.queue == []


def test_a_file_that_is_not_an_e_mail_is_refused_in_words(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    fake = tmp_path / "notes.eml"
    fake.write_bytes(bytes(range(256)) * 8)
    drop_files(window, [fake])
    question = window.emails.drop_question
    assert question is not None
    reply = next(b for b in question.buttons() if b.text() == "Reply to it")
    qtbot.mouseClick(reply, Qt.MouseButton.LeftButton)
    assert window.error_bar.isVisible()
    assert "notes.eml" in window.error_bar.label.text()
    assert window.email_panel.source is None


def test_rework_and_hand_off_wait_for_a_draft_on_screen(qtbot: QtBot, window: MainWindow) -> None:
    window.emails.new_email()
    actions = window.email_panel.draft_actions
    buttons = [*actions.refine_buttons.values(), actions.copy_button, actions.save_button]
    assert not any(button.isEnabled() for button in buttons)  # nothing shown yet
    open_stored_draft(qtbot, window, "Subject: Hi\n\nHello Ada.")
    assert all(button.isEnabled() for button in buttons)
    window.new_conversation()  # a chat, not an e-mail draft
    wait_for_reads(qtbot, window)
    assert not any(button.isEnabled() for button in buttons)


def test_a_free_instruction_with_braces_is_refused_in_words(
    qtbot: QtBot, window: MainWindow
) -> None:
    open_stored_draft(qtbot, window, "Subject: Hi\n\nHello Ada.")
    actions = window.email_panel.draft_actions
    qtbot.mouseClick(actions.rework_button, Qt.MouseButton.LeftButton)
    assert "Write how to rework the draft first" in window.error_bar.label.text()
    qtbot.keyClicks(actions.instruction, "mention {the invoice}")
    qtbot.keyClick(actions.instruction, Qt.Key.Key_Return)
    assert "cannot be used" in window.error_bar.label.text()
    assert "{" in window.error_bar.label.text()


def test_reply_to_an_e_mail_from_the_menu(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    eml = write_eml(tmp_path / "lunch.eml")
    menu = window.menuBar().actions()[0].menu()
    reply = next(a for a in menu.actions() if a.text() == "&Reply to an e-mail…")
    reply.trigger()
    dialog = window.emails.file_dialog
    assert dialog is not None
    assert dialog.isVisible()  # it does not block the window
    dialog.selectFile(str(eml))
    dialog.accept()
    panel = window.email_panel
    assert panel.isVisible()
    assert panel.tabs.currentIndex() == REPLY_TAB
    assert panel.source is not None
    assert panel.source.path == eml
    assert "Ada Lovelace" in panel.source_label.text()


def test_regenerate_under_a_draft_writes_another_version_and_edit_points_to_the_panel(
    qtbot: QtBot, window: MainWindow, draft_model: Path
) -> None:
    choose_draft_model(qtbot, window, draft_model)
    first = compose(qtbot, window)
    cid = first.conversation_id
    request = window._history.active_path(cid)[0]
    with qtbot.waitSignal(window._session.job_finished, timeout=LOAD_TIMEOUT) as finished:
        hover_message(window.transcript, first.message_id).regenerate_button.click()
    wait_for_reads(qtbot, window)
    assert isinstance(finished.args[0].result, DraftResult)  # a draft, not a chat reply
    original, another = drafts(window, cid)
    assert original.id == first.message_id
    assert another.stats is not None
    assert another.stats["refinement"] == "Another version"
    assert "2 of 2" in window.transcript.toPlainText()
    hover_message(window.transcript, request.id).edit_button.click()
    assert window.error_bar.isVisible()
    assert "rework the draft" in window.error_bar.label.text()
    assert window.composer.text() == ""  # nothing went into the chat box
