"""What a conversation with no messages shows: three ways to start, one per thing Hearth does.

A blank page does not say what Hearth is for, so an empty conversation (the first one after
a model is installed, and every new one) offers an example of each job: a question to chat
about, a file to summarize, an e-mail to draft. Choosing one only starts it: the question
goes into the message box, unsent, so the user can change it first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.card_frame import emphasized, muted
from app.ui.icons import icon
from app.ui.metrics import GAP, TEXT_TITLE
from app.ui.prompt_card import PromptCard

TITLE = "What shall we do?"
SUBTITLE = "Write a message below and press Enter, or start with one of these."
CHAT_PROMPT = "Explain how a heat pump works, simply."
MAX_WIDTH = 760  # the cards stay readable on a wide window


class EmptyState(QWidget):
    """A title and three example cards: chat, summarize a file, draft an e-mail.

    Signals:
        chat_prompt_chosen(str): the chat example was chosen (its text, to put in the box).
        summarize_chosen(): "Summarize a file" was chosen.
        email_chosen(): "Draft an e-mail" was chosen.
    """

    chat_prompt_chosen = Signal(str)
    summarize_chosen = Signal()
    email_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Start a conversation")
        self.chat_card = PromptCard(icon("chat"), "Ask anything", f"“{CHAT_PROMPT}”")
        self.summarize_card = PromptCard(
            icon("document"),
            "Summarize a file",
            "Choose a PDF, Word or text file and get its main points.",
        )
        self.email_card = PromptCard(
            icon("email"), "Draft an e-mail", "Say who it is for and what to say; Hearth writes it."
        )
        self.chat_card.clicked.connect(lambda: self.chat_prompt_chosen.emit(CHAT_PROMPT))
        self.summarize_card.clicked.connect(self.summarize_chosen)
        self.email_card.clicked.connect(self.email_chosen)
        self._lay_out()

    @property
    def cards(self) -> tuple[PromptCard, PromptCard, PromptCard]:
        return (self.chat_card, self.summarize_card, self.email_card)

    def _lay_out(self) -> None:
        title = emphasized(QLabel(TITLE), TEXT_TITLE)
        subtitle = muted(QLabel(SUBTITLE))
        subtitle.setWordWrap(True)
        subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.setSpacing(GAP)
        for card in self.cards:
            row.addWidget(card, 1)
        column = QVBoxLayout()
        column.setSpacing(GAP)
        column.addStretch(2)
        column.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(subtitle)
        column.addSpacing(GAP)
        column.addLayout(row)
        column.addStretch(3)
        body = QWidget()
        body.setMaximumWidth(MAX_WIDTH)
        body.setLayout(column)
        outer = QHBoxLayout(self)
        outer.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setFocusProxy(self.chat_card)
