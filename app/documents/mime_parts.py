"""The parts of a MIME e-mail, shared by the summary reader and the e-mail drafting core.

Both need the same answers: which part is the body (plain text preferred, HTML when there
is no plain text or it is empty), what that part says in characters, and which parts are
attachments that are listed but never read. Keeping them here means a summary and a reply
read the same e-mail the same way.

Mail in the wild often lies about its charset (a "us-ascii" or "iso-8859-1" label on UTF-8
text, a label Python does not know), so text is decoded by what the bytes are, with the
label as a hint, and never raises.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser

from app.documents.text_reader import decode_text
from app.units import human_size

# Labels trusted over "these bytes are valid UTF-8": wide and East Asian multi-byte
# encodings, whose text can happen to be valid UTF-8 too (and is more likely mislabelled
# the other way round). Single-byte labels are the ones mail gets wrong.
_MULTIBYTE_ENCODINGS = (
    "utf-16", "utf-32", "shift_jis", "euc_", "gb", "big5", "iso2022", "cp93", "cp94", "cp95",
    "johab", "hz",
)  # fmt: skip
_LATIN_1_LABELS = frozenset({"latin-1", "iso8859-1", "ascii"})


def parse_email(data: bytes) -> EmailMessage:
    """The message in `data`; broken MIME is kept as the parser's best guess, never raised."""
    return BytesParser(policy=policy.default).parsebytes(data)


def body_part(message: EmailMessage) -> MIMEPart | None:
    """The part holding the body: plain text, else HTML (also when the plain part is blank)."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None and part_text(plain).strip():
        return plain
    return message.get_body(preferencelist=("html",)) or plain


def part_text(part: MIMEPart) -> str:
    """A text part's content as characters, whatever its charset label claims."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return decode_with_charset(data, part.get_content_charset())


def decode_with_charset(data: bytes, charset: str | None) -> str:
    """`data` as text: valid UTF-8 wins over a single-byte label (mislabelled UTF-8 is
    common), then the label if the bytes fit it (Latin-1 read as cp1252, as browsers do),
    then the shared text decoder. Never raises."""
    encoding = _known_encoding(charset)
    multibyte = encoding is not None and encoding.startswith(_MULTIBYTE_ENCODINGS)
    if not data.isascii() and not multibyte:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if encoding is not None:
        try:
            return data.decode("cp1252" if encoding in _LATIN_1_LABELS else encoding)
        except UnicodeDecodeError:
            pass
    text = decode_text(data)
    return text if text is not None else data.decode("utf-8", errors="replace")


def _known_encoding(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except (LookupError, ValueError):  # an unknown name, or one with a NUL in it
        return None


def attachment_parts(message: EmailMessage, body: MIMEPart | None) -> list[MIMEPart]:
    """Every part that is not the body and is meant as a file (named, attached, a forward)."""
    return [part for part in _leaf_parts(message) if _is_attachment(part, body)]


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


def attachment_name(part: MIMEPart) -> str:
    """ "report.pdf", or a forwarded message by its subject."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload(0)
        subject = str(inner.get("Subject", "")) if isinstance(inner, MIMEPart) else ""
        return f'forwarded e-mail "{subject}"' if subject else "forwarded e-mail"
    return part.get_filename() or f"unnamed {part.get_content_type()} file"


def describe_attachment(part: MIMEPart) -> str:
    """ "report.pdf (12 KB)": the name and, for a file, its decoded size."""
    name = attachment_name(part)
    if part.get_content_type() == "message/rfc822":
        return name
    payload = part.get_payload(decode=True)
    return f"{name} ({human_size(len(payload))})" if isinstance(payload, bytes) else name
