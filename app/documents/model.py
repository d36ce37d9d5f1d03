"""What a document is once read: an ordered list of blocks with where they came from.

Every reader (PDF, DOCX, text, HTML, e-mail) produces the same `Document`, so chunking and
summarizing never care about the file type. Each block keeps its page (PDF) and the heading
it sits under, so a summary or an answer can cite "page 4" or "Results".
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
