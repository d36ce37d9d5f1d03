"""Reading a text file the user attaches to a message.

The file's text is quoted into the message, so it must be text, and small enough to fit
beside a conversation: a binary file or a large one gets a clear refusal instead of a wall
of garbage or a silently truncated prompt.
"""

from __future__ import annotations

from pathlib import Path

from app.documents.text_reader import decode_text
from app.errors import InvalidInputError

MAX_ATTACHMENT_BYTES = 200_000


def read_text_attachment(path: Path, limit: int = MAX_ATTACHMENT_BYTES) -> str:
    """The text of `path` (UTF-8, UTF-16 with a BOM, else cp1252); InvalidInputError if not."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InvalidInputError(
                f"{path.name} is too large to attach ({size:,} bytes; at most {limit:,}). "
                "Attach a shorter file or paste the part you need."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path.name} ({exc.strerror}).") from exc
    return _decode(data, path)


def _decode(data: bytes, path: Path) -> str:
    text = decode_text(data)
    if text is None:
        raise InvalidInputError(
            f"{path.name} is not a text file. Attach plain text (.txt, .md, code, CSV…)."
        )
    return text


def quote_attachment(path: Path, text: str) -> str:
    """The attachment as it goes into the message: its name, then its text fenced."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{path.name}:\n{fence}\n{text.rstrip()}\n{fence}\n"
