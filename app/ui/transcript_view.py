"""A read-only view of one conversation's messages.

Model output is untrusted: it is escaped (raw HTML shows as text), no resource is ever
loaded for it, and links are not followed.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.store import Message

SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "System"}


class TranscriptView(QTextBrowser):
    """Shows messages as escaped text; never opens files or URLs on their behalf."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAccessibleName("Conversation transcript")

    def loadResource(self, _type: int, _name: QUrl | str) -> object:  # noqa: N802 (Qt's name)
        return None  # no image, style sheet or file is ever fetched for model output

    def show_messages(self, messages: list[Message]) -> None:
        parts = []
        for message in messages:
            speaker = SPEAKERS.get(message.role, message.role)
            note = "" if message.status == "complete" else f" <i>({message.status})</i>"
            body = html.escape(message.content).replace("\n", "<br>")
            parts.append(f"<p><b>{speaker}</b>{note}<br>{body}</p>")
        self.setHtml("".join(parts))

    def show_notice(self, text: str) -> None:
        self.setHtml(f"<p><i>{html.escape(text)}</i></p>")
