"""Word documents (.docx): headings, paragraphs and tables, in the order they appear.

python-docx's `iter_inner_content()` yields paragraphs and tables interleaved as in the
file, so a table stays next to the text that introduces it. Tables become pipe rows (as in
Markdown), which models read well and which keep a row's cells together.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from app.documents.model import Block, Document
from app.errors import UnsupportedDocumentError

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

_HEADING_STYLE = re.compile(r"heading (\d)", re.IGNORECASE)


def read_docx(path: Path, data: bytes) -> Document:
    """A .docx file as blocks; UnsupportedDocumentError if it is damaged or not a Word file."""
    from docx.table import Table

    document = _open(path, data)
    blocks: list[Block] = []
    section: str | None = None
    for item in document.iter_inner_content():
        block = _table_block(item) if isinstance(item, Table) else _paragraph_block(item)
        if block is None:
            continue
        if block.kind == "heading":
            section = block.text
        blocks.append(Block(block.text, block.kind, block.level, section=section))
    headings = (block.text for block in blocks if block.kind == "heading")
    title = (document.core_properties.title or "").strip() or next(headings, path.stem)
    return Document(path=path, kind="docx", title=title, blocks=tuple(blocks))


def _open(path: Path, data: bytes) -> WordDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    # A damaged zip, a zip that is not a Word file (missing parts: KeyError), another Office
    # type (ValueError), or broken XML inside (lxml's XMLSyntaxError is a SyntaxError).
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise UnsupportedDocumentError(
            f"{path.name} is damaged or is not a Word document, so Hearth cannot read it. "
            "If it opens in Word or LibreOffice, save it again as .docx (or as PDF) and try "
            "again."
        ) from exc


def _paragraph_block(paragraph: Paragraph) -> Block | None:
    text = paragraph.text.strip()
    if not text:
        return None
    style = paragraph.style.name if paragraph.style is not None else None
    level = _heading_level(style or "")
    if level:
        return Block(" ".join(text.split()), kind="heading", level=level)
    return Block(text)


def _heading_level(style: str) -> int:
    """1 for "Title" and "Heading 1", N for "Heading N", 0 for any other style."""
    if style.lower() == "title":
        return 1
    match = _HEADING_STYLE.fullmatch(style)
    return int(match.group(1)) if match else 0


def _table_block(table: Table) -> Block | None:
    """The table as pipe rows, a separator under the first; merged cells appear once."""
    rows = [cells for row in table.rows if any(cells := _row_texts(row.cells))]
    if not rows:
        return None
    lines = [f"| {' | '.join(cells)} |" for cells in rows]
    lines.insert(1, "|" + " --- |" * max(len(cells) for cells in rows))
    return Block("\n".join(lines), kind="table")


def _row_texts(cells: tuple[_Cell, ...]) -> list[str]:
    texts = []
    previous = None
    for cell in cells:
        if cell is not previous:  # python-docx repeats a cell merged across columns
            texts.append(" ".join(cell.text.split()).replace("|", "\\|"))
        previous = cell
    return texts
