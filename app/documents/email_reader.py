"""Saved e-mails (.eml): who wrote to whom, when, about what, and what they said.

The body is read once: the plain-text part, or the HTML part when there is no plain one
(most mail clients send both, saying the same thing twice). Attachments are listed but not
read, both in the notes (for the person) and as a last block (so the model knows they exist
and does not invent their content).
"""

from __future__ import annotations

from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from pathlib import Path

from app.documents.html_reader import html_blocks
from app.documents.model import Block, Document
from app.documents.text_reader import decode_text, paragraph_blocks
from app.units import human_size

_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def read_email(path: Path, data: bytes) -> Document:
    """An .eml file as a header block, the body's blocks and a list of attachments."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    body = message.get_body(preferencelist=("plain", "html"))
    blocks = [*_header_blocks(message), *_body_blocks(body)]
    attachments = [_describe(part) for part in _leaf_parts(message) if _is_attachment(part, body)]
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
    text = _part_text(body)
    if body.get_content_subtype() == "html":
        return list(html_blocks(text).blocks)
    return paragraph_blocks(text)


def _part_text(part: MIMEPart) -> str:
    """A text part's content in its declared charset, else as the shared decoder reads it."""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    return decode_text(raw) or ""


def _leaf_parts(part: MIMEPart) -> Iterator[MIMEPart]:
    """Every part that holds content; an attached e-mail counts as one part (not opened)."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for child in part.iter_parts():
        yield from _leaf_parts(child)


def _is_attachment(part: MIMEPart, body: MIMEPart | None) -> bool:
    if part is body:
        return False
    return (
        part.is_attachment()
        or part.get_filename() is not None
        or part.get_content_type() == "message/rfc822"
    )


def _describe(part: MIMEPart) -> str:
    """ "report.pdf (12 KB)", or a forwarded message by its subject."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload(0)
        subject = str(inner.get("Subject", "")) if isinstance(inner, MIMEPart) else ""
        return f'forwarded e-mail "{subject}"' if subject else "forwarded e-mail"
    name = part.get_filename() or f"unnamed {part.get_content_type()} file"
    payload = part.get_payload(decode=True)
    return f"{name} ({human_size(len(payload))})" if isinstance(payload, bytes) else name
