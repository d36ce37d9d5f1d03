"""What a document is once read: an ordered list of blocks with where they came from.

Every reader (PDF, DOCX, text, HTML, e-mail) produces the same `Document`, so chunking and
summarizing never care about the file type. Each block keeps its page (PDF) and the heading
it sits under, so a summary or an answer can cite "page 4" or "Results". The chunker cuts a
document into `Chunk`s; the store saves and returns the same type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table", "list", "header"]
DocumentKind = Literal["pdf", "docx", "text", "html", "email"]


@dataclass(frozen=True)
class Block:
    """One unit of document structure, in reading order.

    `text` never contains the separators chunking adds between blocks. A heading has a
    `level` (1 = top); other kinds have 0. `page` is 1-based and only known for PDFs.
    `section` is the text of the nearest heading above the block (None before the first).
    """

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True)
class Document:
    """A file read into blocks. `notes` tell the reader about what was not read."""

    path: Path
    kind: DocumentKind
    title: str
    blocks: tuple[Block, ...]
    page_count: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The whole text, blocks separated by blank lines."""
        return "\n\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive blocks (or of pieces of one large block) that fits a token budget,
    in reading order: fresh from the chunker or read back from the store.

    `text` is what the model reads: blocks joined with a blank line, pieces of one block with
    their original spacing. `tokens` is the model's exact count of `text`. Pages are 1-based
    and known for PDFs; `sections` are the headings the chunk covers.
    """

    index: int
    text: str
    tokens: int
    first_page: int | None
    last_page: int | None
    sections: tuple[str, ...]

    def location(self) -> str:
        """Where the chunk sits, for citations: "page 4", "pages 4–6", "section “Results”",
        "sections “A” to “C”", or "" when unknown. Pages win over sections."""
        first, last, sections = self.first_page, self.last_page, self.sections
        if first is not None and last is not None:
            return f"page {first}" if first == last else f"pages {first}–{last}"
        if len(sections) == 1:
            return f"section “{sections[0]}”"
        if sections:
            return f"sections “{sections[0]}” to “{sections[-1]}”"
        return ""
