"""Header values as people read them: encoded words decoded, addresses split, ids found.

Headers are decoded from their raw text rather than through the standard library's header
objects, because real mail breaks those in many small ways (8-bit bytes in a header, an
unknown charset in an encoded word, an Outlook "[mailto:...]" address, a name with a comma)
and a reply must still be possible. Nothing here raises on a malformed value.
"""

from __future__ import annotations

import base64
import binascii
import re
from email.message import Message
from email.quoprimime import header_decode
from email.utils import getaddresses

from app.documents.mime_parts import decode_with_charset
from app.mail.model import MailAddress

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n[ \t]*")
_MAILTO = re.compile(r"\[mailto:([^\]\s]+)\]", re.IGNORECASE)
_ADDRESS = re.compile(r"[^\s<>()\"',;:\[\]@]+@[^\s<>()\"',;:\[\]@]+\.[^\s<>()\"',;:\[\]@]+")
_VALID_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def raw_header(message: Message, name: str) -> str:
    """The first `name` header's raw value as the parser found it, or "" when absent."""
    wanted = name.lower()
    return next((str(value) for key, value in message.raw_items() if key.lower() == wanted), "")


def decode_header_text(raw: str) -> str:
    """A header value as one line of text: RFC 2047 encoded words and 8-bit bytes decoded
    (an unknown charset falls back like a body does), folding and runs of spaces collapsed."""
    text = _FOLD.sub(" ", _unescape_bytes(raw))
    pieces: list[str] = []
    end = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[end : match.start()]
        if end == 0 or between.strip():  # the space between two encoded words is dropped
            pieces.append(between)
        pieces.append(_decode_word(*match.groups()))
        end = match.end()
    pieces.append(text[end:])
    return " ".join("".join(pieces).split())


def _unescape_bytes(raw: str) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit header bytes decoded as text."""
    if raw.isascii():
        return raw
    data = raw.encode("utf-8", errors="surrogateescape")
    return decode_with_charset(data, None)


def _decode_word(charset: str, encoding: str, payload: str) -> str:
    charset = charset.split("*")[0]  # RFC 2231 language suffix: "utf-8*en"
    if encoding in "qQ":
        data = header_decode(payload).encode("latin-1", errors="replace")
    else:
        try:
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        except (binascii.Error, ValueError):
            return payload
    return decode_with_charset(data, charset)


def parse_addresses(raw: str) -> tuple[MailAddress, ...]:
    """The people in an address header (or typed by a person): "Ada <ada@x.org>, bob@y.org",
    Outlook's "Ada [mailto:ada@x.org]", a bare name. Group names and empty entries are left
    out; the same address twice is kept once."""
    text = _MAILTO.sub(r"<\1>", _unescape_bytes(_FOLD.sub(" ", raw)))
    people: list[MailAddress] = []
    for item in _split_list(text):
        for person in _item_addresses(item):
            if not person.address or person.address not in {p.address for p in people}:
                people.append(person)
    return tuple(people)


def _split_list(text: str) -> list[str]:
    """Entries split at commas and semicolons that are not inside quotes or angle brackets."""
    items: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for char in text:
        if char == '"' and not angled:
            quoted = not quoted
        elif char in "<>" and not quoted:
            angled = char == "<"
        elif char in ",;" and not quoted and not angled:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _item_addresses(item: str) -> list[MailAddress]:
    """One list entry as people: usually one, several when addresses were run together."""
    if "@" not in item:
        name = decode_header_text(item).strip("\"' ")
        return [] if not name or name.endswith(":") else [MailAddress(name=name)]
    for name, address in getaddresses([item]):
        if _VALID_ADDRESS.match(address):
            name = decode_header_text(name).strip("\"' ")
            return [MailAddress("" if name == address else name, address)]
    return [MailAddress(address=found) for found in _ADDRESS.findall(item)]


def message_ids(raw: str) -> tuple[str, ...]:
    """The "<id@host>" tokens of a Message-ID, In-Reply-To or References header, in order;
    a lone id written without brackets is given them."""
    found = tuple(_MESSAGE_ID.findall(raw))
    bare = raw.strip()
    if not found and bare and " " not in bare and "@" in bare:
        return (f"<{bare.strip('<>')}>",)
    return found
