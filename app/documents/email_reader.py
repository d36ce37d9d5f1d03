"""Saved e-mails (.eml): who wrote to whom, when, about what, and what they said.

The body is read once: the plain-text part, or the HTML part when there is no plain one or it
is blank (most mail clients send both, saying the same thing twice); which part is the body
and how its charset is read is shared with the e-mail drafting core (mime_parts). Attachments
are listed but not read, both in the notes (for the person) and as a last block (so the model
knows they exist and does not invent their content).
"""

from __future__ import annotations

from email.message import EmailMessage, MIMEPart
from pathlib import Path

from app.documents.html_reader import html_blocks
from app.documents.mime_parts import (
    attachment_parts,
    body_part,
    describe_attachment,
    parse_email,
    part_text,
)
from app.documents.model import Block, Document
from app.documents.text_reader import paragraph_blocks

_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def read_email(path: Path, data: bytes) -> Document:
    """An .eml file as a header block, the body's blocks and a list of attachments."""
    message = parse_email(data)
    body = body_part(message)
    blocks = [*_header_blocks(message), *_body_blocks(body)]
    attachments = [describe_attachment(part) for part in attachment_parts(message, body)]
    if attachments:
        listing = "\n".join(f"- {item}" for item in attachments)
        blocks.append(Block(f"Attachments (not read):\n{listing}"))
    subject = " ".join(str(message.get("Subject", "")).split())
    return Document(
        path=path,
        kind="email",
        title=subject or path.stem,
        blocks=tuple(blocks),
        notes=tuple(f"Attachment not read: {item}" for item in attachments),
    )


def _header_blocks(message: EmailMessage) -> list[Block]:
    lines = []
    for name in _HEADERS:
        value = " ".join(str(message.get(name, "")).split())
        if value:
            lines.append(f"{name}: {value}")
    return [Block("\n".join(lines), kind="header")] if lines else []


def _body_blocks(body: MIMEPart | None) -> list[Block]:
    if body is None:
        return []
    text = part_text(body)
    if body.get_content_subtype() == "html":
        return list(html_blocks(text).blocks)
    return paragraph_blocks(text)
