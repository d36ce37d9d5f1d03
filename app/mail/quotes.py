"""A message's own words apart from the earlier messages quoted in it.

Mail programs quote in two ways, and threads mix them:
- "> " lines, one ">" per level, usually under an attribution ("On …, Ada wrote:"); a reply
  may sit above the quote, below it, or between its pieces;
- no marks at all under a strong marker (Outlook's header block, an attribution in an HTML
  mail read as text): everything below it is the earlier message.
Either way the earlier message is split again the same way, so a nested quote (">>", or a
header block inside a quote) becomes the next older message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.documents.text_reader import normalize_newlines
from app.mail.markers import Marker, marker_at
from app.mail.model import QuotedMessage

_QUOTED = re.compile(r"^ {0,3}>")
_QUOTE_MARK = re.compile(r"^ {0,3}> ?")
_BLANK_RUNS = re.compile(r"\n{3,}")
# Deeper than any real thread; it keeps a hostile mail from exhausting the recursion limit.
_MAX_DEPTH = 60


@dataclass
class _Quote:
    """One earlier message's lines, with quote marks removed, and who wrote it if said."""

    marker: Marker | None
    lines: list[str] = field(default_factory=list)


def split_quotes(text: str, depth: int = 0) -> tuple[str, tuple[QuotedMessage, ...]]:
    """`text`'s own words and the earlier messages quoted in it, newest first."""
    lines = [line.rstrip() for line in normalize_newlines(text).split("\n")]
    if depth >= _MAX_DEPTH:
        return tidy("\n".join(lines)), ()
    own, quotes = _separate(lines)
    history = [message for quote in quotes for message in _earlier(quote, depth)]
    return tidy("\n".join(own)), tuple(history)


def _separate(lines: list[str]) -> tuple[list[str], list[_Quote]]:
    """The lines written in this message, and the quoted earlier messages in order."""
    own: list[str] = []
    quotes: list[_Quote] = []
    index = 0
    while index < len(lines):
        marker = marker_at(lines, index)
        start = _next_content(lines, marker.end) if marker else index
        if marker and start < len(lines) and _QUOTED.match(lines[start]):
            quotes.append(_Quote(marker))
            index = _take_quote(lines, start, quotes[-1], own)
        elif marker and marker.strong:
            quotes.append(_Quote(marker, lines[marker.end :]))
            break
        elif _QUOTED.match(lines[index]):
            # Unattributed: a further piece of the message quoted just before (a reply
            # written between its paragraphs), else a message nobody is named for.
            if not quotes:
                quotes.append(_Quote(None))
            index = _take_quote(lines, index, quotes[-1], own)
        else:
            own.append(lines[index])
            index += 1
    return own, quotes


def _take_quote(lines: list[str], start: int, quote: _Quote, own: list[str]) -> int:
    """Adds the "> " block at `start` to `quote` and returns the index after the block;
    a blank line stands in for it in `own`."""
    end = _quote_end(lines, start)
    if quote.lines:
        quote.lines.append("")
    quote.lines.extend(_QUOTE_MARK.sub("", line) for line in lines[start:end])
    own.append("")
    return end


def _quote_end(lines: list[str], start: int) -> int:
    """The index after the "> " block at `start`: blank lines inside it belong to it."""
    end = start
    while end < len(lines):
        if _QUOTED.match(lines[end]):
            end += 1
            continue
        after_blanks = _next_content(lines, end)
        if after_blanks == end or after_blanks == len(lines):
            break
        if not _QUOTED.match(lines[after_blanks]):
            break
        end = after_blanks
    return end


def _next_content(lines: list[str], index: int) -> int:
    """The index of the first non-blank line at or after `index` (len(lines) if none)."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _earlier(quote: _Quote, depth: int) -> list[QuotedMessage]:
    """The quoted message and the older ones quoted inside it; an empty one is dropped."""
    own, older = split_quotes("\n".join(quote.lines), depth + 1)
    if not own:
        return list(older)
    marker = quote.marker or Marker(None, "", strong=False, end=0)
    return [QuotedMessage(marker.author, marker.date, own, marker.subject), *older]


def tidy(text: str) -> str:
    """Text as a reader wants it: no trailing spaces, at most one blank line in a row,
    none at the start or end."""
    lines = (line.rstrip() for line in normalize_newlines(text).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
