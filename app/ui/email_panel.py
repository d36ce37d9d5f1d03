"""The e-mail panel: write a new e-mail or answer one, then rework and hand off the draft.

Two tabs say what to draft: "New e-mail" (recipient and key points) and "Reply" (an .eml
opened or dropped on the window, or a thread pasted into the box, with the user's points).
Below them, how it should read: tone, length, language and the sign-off name. The draft
itself streams into its conversation in the transcript above, where the version navigator
("‹ 1/2 ›") browses its versions; the actions under the fields (DraftActions) rework the
shown version and hand it to the mail app. The panel only collects choices and shows
states: EmailFlow (app/ui/email_flow.py) runs the jobs.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import HearthError
from app.mail.thread import parse_thread
from app.settings import Settings
from app.tasks.email_prompts import EmailStyle
from app.tasks.email_reply import ReplySource, sender_name
from app.tasks.prompt_library import EMAIL_LENGTHS, EMAIL_TONES
from app.ui.draft_actions import DraftActions
from app.ui.icons import icon
from app.ui.metrics import GAP_SMALL
from app.ui.summarize_panel import LANGUAGES

SAME_AS_THREAD = "Same as the e-mail"
NO_EMAIL_YET = "No e-mail chosen: open an .eml file, drop one on the window, or paste it below."
PASTE_PAUSE_MS = 400  # read a pasted thread once typing pauses this long
COMPOSE_TAB, REPLY_TAB = 0, 1


def _text_box(name: str, placeholder: str, height: int) -> QPlainTextEdit:
    """A short multi-line box that Tab leaves (keyboard users move on, not indent)."""
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class EmailPanel(QWidget):
    """See the module docstring.

    Signals:
        compose_requested(str, str, object): recipient, key points, EmailStyle.
        reply_requested(object, str, object): the ReplySource, the user's points, EmailStyle.
        choose_requested(): the user wants to pick an .eml file to answer.
        stop_requested(): the user pressed Stop while a draft is being written.
        problem_found(str): what is missing before a draft can start (for the error bar).
    """

    compose_requested = Signal(str, str, object)
    reply_requested = Signal(object, str, object)
    choose_requested = Signal()
    stop_requested = Signal()
    problem_found = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        """`settings` gives the defaults: the e-mail language and the sign-off name."""
        super().__init__(parent)
        self.setAccessibleName("E-mail drafts")
        self._default_language = settings.email_language
        self.source: ReplySource | None = None  # the e-mail a reply answers
        self._build_compose_tab()
        self._build_reply_tab()
        self._build_style_row(settings)
        self.draft_actions = DraftActions()
        self._paste_timer = QTimer(self)
        self._paste_timer.setSingleShot(True)
        self._paste_timer.setInterval(PASTE_PAUSE_MS)
        self._lay_out()
        self._paste_timer.timeout.connect(self._read_pasted)
        self.pasted.textChanged.connect(self._paste_timer.start)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.open_button.clicked.connect(self.choose_requested)
        self.draft_button.clicked.connect(self.request_draft)
        self.stop_button.clicked.connect(self.stop_requested)
        self.close_button.clicked.connect(self.hide)
        self.set_running(False)

    # --- construction --------------------------------------------------------------------

    def _build_compose_tab(self) -> None:
        self.recipient = QLineEdit()
        self.recipient.setAccessibleName("Recipient")
        self.recipient.setPlaceholderText("Who it is for: a name, or Name <address>")
        self.points = _text_box(
            "Key points of the e-mail", "What the e-mail should say, e.g. lunch moved to 1 pm", 64
        )
        self.compose_page = QWidget()
        form = QFormLayout(self.compose_page)
        form.addRow("&To:", self.recipient)
        form.addRow("&Key points:", self.points)

    def _build_reply_tab(self) -> None:
        self.open_button = QPushButton("&Open an e-mail…")
        self.open_button.setAccessibleName("Open an e-mail file to reply to")
        self.source_label = QLabel(NO_EMAIL_YET)
        self.source_label.setAccessibleName("The e-mail being answered")
        self.source_label.setWordWrap(True)
        self.pasted = _text_box(
            "Pasted e-mail thread", "…or paste the e-mail here, with its From: and Subject:", 48
        )
        self.reply_points = _text_box(
            "Points of your reply", "What your reply says (optional), e.g. yes to Tuesday", 40
        )
        self.reply_page = QWidget()
        grid = QGridLayout(self.reply_page)
        grid.addWidget(self.open_button, 0, 0)
        grid.addWidget(self.source_label, 0, 1)
        grid.addWidget(self.pasted, 1, 0, 1, 2)
        grid.addWidget(QLabel("Your points:"), 2, 0)
        grid.addWidget(self.reply_points, 2, 1)
        grid.setColumnStretch(1, 1)

    def _build_style_row(self, settings: Settings) -> None:
        self.tone = QComboBox()
        self.tone.setAccessibleName("Tone")
        for tone in EMAIL_TONES:
            self.tone.addItem(tone.capitalize(), tone)
        self.tone.setCurrentIndex(EMAIL_TONES.index("friendly"))
        self.length = QComboBox()
        self.length.setAccessibleName("Length")
        for length in EMAIL_LENGTHS:
            self.length.addItem(length.capitalize(), length)
        self.length.setToolTip(
            "; ".join(f"{length}: about {words} words" for length, words in EMAIL_LENGTHS.items())
        )
        self.length.setCurrentIndex(list(EMAIL_LENGTHS).index("medium"))
        self.language = QComboBox()
        self.language.setAccessibleName("Language of the e-mail")
        self.language.setEditable(True)  # any language the model knows can be typed
        self.language.setMinimumContentsLength(8)  # and it grows with the panel
        self.language.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.language.addItem(SAME_AS_THREAD)
        self.language.addItems([name for name in LANGUAGES if name != settings.email_language])
        self.language.insertItem(1, settings.email_language)
        self.language.setCurrentText(settings.email_language)
        self.sign_off = QLineEdit(settings.sign_off_name)
        self.sign_off.setAccessibleName("Sign-off name")
        self.sign_off.setPlaceholderText("Your name")
        self.sign_off.setMinimumWidth(100)
        self.draft_button = QPushButton(icon("send"), "&Draft")
        self.draft_button.setAccessibleName("Draft the e-mail")
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.stop_button.setAccessibleName("Stop the draft")
        self.stop_button.setToolTip("Stop the draft (Esc); what was written is kept")
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the e-mail panel")

    def _lay_out(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("What to draft")
        self.tabs.addTab(self.compose_page, "New e-mail")
        self.tabs.addTab(self.reply_page, "Reply")
        self.tabs.setCornerWidget(self.close_button)
        style = QHBoxLayout()
        for label, field in (
            ("Tone:", self.tone),
            ("Length:", self.length),
            ("Language:", self.language),
            ("Sign as:", self.sign_off),
        ):
            style.addWidget(QLabel(label))
            style.addWidget(field, 1 if field is self.language else 0)
        for button in (self.draft_button, self.stop_button):
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            style.addWidget(button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, GAP_SMALL, 0, GAP_SMALL)
        column.addWidget(self.tabs)
        column.addLayout(style)
        column.addWidget(self.draft_actions)

    # --- what the user asks for ----------------------------------------------------------

    def begin_compose(self) -> None:
        """New e-mail: show the panel on its first tab, the cursor in the recipient field."""
        self.tabs.setCurrentIndex(COMPOSE_TAB)
        self.show()
        self.recipient.setFocus()

    def use_email(self, source: ReplySource) -> None:
        """Answer `source` (opened or dropped): show who wrote it and about what."""
        self.pasted.blockSignals(True)
        self.pasted.clear()
        self.pasted.blockSignals(False)
        self._show_source(source)
        self.tabs.setCurrentIndex(REPLY_TAB)
        self.show()
        self.reply_points.setFocus()

    def chosen_style(self) -> EmailStyle:
        """The tone, length, language ("" = the thread's, for a reply) and sign-off."""
        typed = self.language.currentText().strip()
        replying = self.tabs.currentIndex() == REPLY_TAB
        if typed in ("", SAME_AS_THREAD):
            typed = "" if replying else self._default_language
        return EmailStyle(
            str(self.tone.currentData()),
            str(self.length.currentData()),
            typed,
            self.sign_off.text().strip(),
        )

    def request_draft(self) -> None:
        """Draft: a new e-mail or a reply, whichever tab is shown."""
        if self.tabs.currentIndex() == COMPOSE_TAB:
            points = self.points.toPlainText()
            if not points.strip():
                self.problem_found.emit("Write the key points first: what should the e-mail say?")
                self.points.setFocus()
                return
            self.compose_requested.emit(self.recipient.text().strip(), points, self.chosen_style())
            return
        self._read_pasted()
        if self.source is None:
            self.problem_found.emit(
                "Choose the e-mail to answer first: open it (or drop it on the window), or "
                "paste it into the box."
            )
            self.open_button.setFocus()
            return
        self.reply_requested.emit(self.source, self.reply_points.toPlainText(), self.chosen_style())

    # --- states --------------------------------------------------------------------------

    def set_running(self, running: bool) -> None:
        """While a draft is written: Stop instead of Draft, and no rework or hand-off."""
        self.draft_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.draft_actions.set_running(running)

    # --- the e-mail to answer ------------------------------------------------------------

    def _show_source(self, source: ReplySource | None, problem: str = "") -> None:
        self.source = source
        if source is None:
            self.source_label.setText(problem or NO_EMAIL_YET)
            return
        thread = source.thread
        who = sender_name(thread) or "someone"
        text = f"From {who}: “{thread.subject or '(no subject)'}”"
        if thread.history:
            text += f", with {len(thread.history)} earlier message(s) quoted"
        if thread.attachments:
            text += f"; attachments not read: {', '.join(thread.attachments)}"
        self.source_label.setText(text)

    def _read_pasted(self) -> None:
        """A pasted thread, read once typing pauses (and before drafting)."""
        self._paste_timer.stop()
        text = self.pasted.toPlainText()
        if not text.strip():
            if self.source is not None and self.source.path is None:
                self._show_source(None)  # the pasted thread was deleted
            return
        try:
            thread = parse_thread(text)
        except HearthError as error:
            self._show_source(None, error.message)
            return
        self._show_source(ReplySource(thread, text.encode("utf-8"), None))

    def _on_tab_changed(self, index: int) -> None:
        """A reply follows its thread's language unless chosen; a new e-mail has one."""
        typed = self.language.currentText()
        if index == REPLY_TAB and typed == self._default_language:
            self.language.setCurrentText(SAME_AS_THREAD)
        elif index == COMPOSE_TAB and typed == SAME_AS_THREAD:
            self.language.setCurrentText(self._default_language)
