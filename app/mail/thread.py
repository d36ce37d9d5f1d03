"""An e-mail to reply to, from a saved .eml file or from text pasted out of a mail app.

The body is read as the summary reader reads it (app.documents.mime_parts: plain text
preferred, HTML turned into text, attachments listed and never read); then the last
message's own words are separated from the quoted history (app.mail.quotes).

Mail in the wild is often broken; reading it is best effort and never crashes. What cannot
be answered at all (not an e-mail, no text, a missing file) is a MailError that says what is
wrong and what to do.
"""

from __future__ import annotations

import re
from email.errors import MessageError
from email.message import EmailMessage, Message, MIMEPart
from pathlib import Path

from app.documents.extract import DEFAULT_MAX_DOCUMENT_BYTES, read_file_bytes
from app.documents.html_reader import html_text
from app.documents.mime_parts import (
    attachment_name,
    attachment_parts,
    body_part,
    decode_with_charset,
    parse_email,
    part_text,
)
from app.documents.text_reader import decode_text, normalize_newlines
from app.errors import (
    DocumentNotFoundError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EmptyMailError,
    MailNotFoundError,
    NotAnEmailError,
)
from app.mail.headers import decode_header_text, message_ids, parse_addresses, raw_header
from app.mail.model import MailThread
from app.mail.quotes import split_quotes

# Headers that show a text is an e-mail (a pasted Outlook reply says "Sent" for "Date").
_MAIL_HEADERS = ("From", "To", "Subject", "Date", "Sent", "Message-ID")
# The standard library keeps broken MIME as "defects", but its header and parameter parsers
# still raise on some malformed values (IndexError and ValueError among them, in CPython bug
# reports); the raw text is then read instead. UnicodeError is a ValueError.
_PARSER_FAILURES = (MessageError, LookupError, ValueError, IndexError)
_SNIFF_BYTES = 8192
_BINARY_TYPES = ("application", "image", "audio", "video", "font", "model")
_BOUNDARY_LINE = re.compile(r"^--[^\s]{1,70}\s*$")  # RFC 2046: 1-70 characters
_HTML_STARTS = ("<!doctype html", "<html", "<body", "<div", "<p>", "<table")


def read_thread(path: Path, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> MailThread:
    """The e-mail saved at `path` (.eml), ready to answer.

    Raises MailNotFoundError (missing, a folder, unreadable), NotAnEmailError (binary,
    empty, no mail headers, over `max_bytes`) or EmptyMailError (no text to answer)."""
    data = _read_bytes(path, max_bytes)
    if decode_text(data[:_SNIFF_BYTES]) is None:
        raise NotAnEmailError(
            f"{path.name} is not a saved e-mail: it holds binary data (Outlook's .msg files "
            "are like that). In your mail app, save or drag the message out as an .eml file, "
            "or copy its text and paste it instead."
        )
    message = parse_email(data)
    if not _has_mail_headers(message):
        raise NotAnEmailError(
            f"{path.name} is not a saved e-mail: it has no mail headers (From, To, Subject). "
            "Save the message from your mail app as an .eml file, or paste its text instead."
        )
    return _thread(message, where=path.name)


def parse_thread(text: str) -> MailThread:
    """The e-mail in `text`, pasted from a mail app: with its headers (From:, Sent:, …, or
    the raw source) or just the body with its quoted history. Raises EmptyMailError when
    there is nothing to answer."""
    if not text.strip():
        raise EmptyMailError(
            "There is no e-mail to reply to. Paste the text of the e-mail you want to answer "
            "(its quoted history may come with it)."
        )
    message = parse_email(text.lstrip().encode("utf-8", errors="replace"))
    if _has_mail_headers(message):
        return _thread(message, where="The pasted e-mail")
    own, history = split_quotes(text)
    if not own and history:  # it starts with a header block or an attribution
        first, *rest = history
        return MailThread(
            first.author, first.subject, first.text, date=first.date, history=tuple(rest)
        )
    return MailThread(sender=None, subject="", text=own, history=history)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, read as documents are (one set of checks); a refusal becomes the
    mail error it is, with the same words."""
    try:
        return read_file_bytes(path, max_bytes)
    except DocumentNotFoundError as exc:
        raise MailNotFoundError(exc.message) from exc
    except (DocumentTooLargeError, EmptyDocumentError) as exc:
        raise NotAnEmailError(exc.message) from exc


def _has_mail_headers(message: EmailMessage) -> bool:
    return any(raw_header(message, name).strip() for name in _MAIL_HEADERS)


def _thread(message: EmailMessage, *, where: str) -> MailThread:
    """The thread in a parsed message; `where` names it in errors ("mail.eml")."""
    body, attachments = _body_and_attachments(message)
    own, history = split_quotes(body)
    if not own and history:  # a forward without a comment: answer the forwarded message
        own, history = history[0].text, history[1:]
    if not own:
        raise EmptyMailError(_no_text_message(where, attachments))
    senders = parse_addresses(raw_header(message, "From"))
    return MailThread(
        sender=senders[0] if senders else None,
        subject=decode_header_text(raw_header(message, "Subject")),
        text=own,
        reply_to=parse_addresses(raw_header(message, "Reply-To")),
        to=parse_addresses(raw_header(message, "To")),
        cc=parse_addresses(raw_header(message, "Cc")),
        date=decode_header_text(raw_header(message, "Date") or raw_header(message, "Sent")),
        message_id=next(iter(message_ids(raw_header(message, "Message-ID"))), ""),
        in_reply_to=next(iter(message_ids(raw_header(message, "In-Reply-To"))), ""),
        references=message_ids(raw_header(message, "References")),
        history=history,
        attachments=attachments,
    )


def _body_and_attachments(message: EmailMessage) -> tuple[str, tuple[str, ...]]:
    """The body as text and the attachments' names; the raw body when MIME is too broken."""
    try:
        body = body_part(message)
        names = tuple(attachment_name(part) for part in attachment_parts(message, body))
        return (_part_as_text(body) if body is not None else _raw_body(message)), names
    except _PARSER_FAILURES:
        return _raw_body(message), ()


def _part_as_text(part: MIMEPart) -> str:
    text = part_text(part)
    return html_text(text) if part.get_content_subtype() == "html" else text


def _raw_body(message: EmailMessage) -> str:
    """The text of the first text-like part, for a message whose structure is lost (a
    boundary missing or damaged, so the text sits in a preamble or an unsplit part): its
    first section, without MIME headers and boundaries; HTML is turned into text."""
    for part in message.walk():
        try:
            text = _first_section(_raw_text(part))
        except _PARSER_FAILURES:  # this part's headers are beyond repair: try the next
            continue
        if text.strip():
            looks_html = text.lstrip()[:15].lower().startswith(_HTML_STARTS)
            return html_text(text) if looks_html else text
    return ""


def _raw_text(part: Message) -> str:
    """A multipart's preamble, or a text part's content decoded from its transfer encoding;
    "" for files (attachments, pictures)."""
    if (
        part.get_content_maintype() in _BINARY_TYPES
        or part.get_content_disposition() == "attachment"
    ):
        return ""
    if part.is_multipart():
        data = (part.preamble or "").encode("utf-8", errors="surrogateescape")
        return decode_with_charset(data, None)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return decode_with_charset(data, part.get_content_charset())


def _first_section(text: str) -> str:
    """The first MIME section with content in raw multipart text, without its headers (the
    whole text when it has no boundary lines)."""
    sections: list[list[str]] = [[]]
    for line in normalize_newlines(text).split("\n"):
        if _BOUNDARY_LINE.match(line):
            sections.append([])
        else:
            sections[-1].append(line)
    for index, lines in enumerate(sections):
        if index > 0:  # a section after a boundary starts with its own headers
            blank = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
            lines = lines[blank:]
        if "".join(lines).strip():
            return "\n".join(lines)
    return ""


def _no_text_message(where: str, attachments: tuple[str, ...]) -> str:
    carried = f" (it carries only {', '.join(attachments)})" if attachments else ""
    return (
        f"{where} has no text to reply to{carried}. Open it in your mail app and paste the "
        "part you want to answer, or write the draft without an e-mail to reply to."
    )
