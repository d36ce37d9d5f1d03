"""How a summary's prompts name the parts they read: "part 3 (pages 4–6)", "parts 1–4
(pages 1–9)". A merge call labels each note with the chunks it covers, so the final
summary can still say where things are in the document.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.documents.model import Chunk

WIDEST_PART = 9999  # part numbers and pages are budgeted as if they had four digits
WIDEST_LOCATION = f"pages {WIDEST_PART}–{WIDEST_PART}"
WIDEST_LABEL = f"parts {WIDEST_PART}–{WIDEST_PART} ({WIDEST_LOCATION})"  # a label at its longest

Span = tuple[int, int]
"""The first and last chunk (indexes) a note covers."""


def part_label(chunk: Chunk) -> str:
    """ "part 3 (pages 4–6)", or "part 3" when the chunk's location is unknown."""
    location = chunk.location()
    return f"part {chunk.index + 1}" + (f" ({location})" if location else "")


def span_label(chunks: Sequence[Chunk], span: Span) -> str:
    """The label of a note on chunks `span[0]..span[1]` (pages only when both are known)."""
    first, last = chunks[span[0]], chunks[span[1]]
    if first.index == last.index:
        return part_label(first)
    pages = (first.first_page, last.last_page)
    where = f" (pages {pages[0]}–{pages[1]})" if None not in pages else ""
    return f"parts {first.index + 1}–{last.index + 1}{where}"
