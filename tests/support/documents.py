"""Document files for tests, written on the fly: PDF (fpdf2), DOCX (python-docx), EML (stdlib).

Nothing here is committed as a binary: every test writes the file it reads into tmp_path.
`write_pdf` places lines itself instead of using fpdf2's flowing text (`multi_cell`), which
is ~50 times slower: 100 pages of five paragraphs take about 0.1 s.
"""

from __future__ import annotations

import io
import struct
import textwrap
import zlib
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from fpdf import FPDF

# A4 in mm, 11 pt Helvetica: about 90 characters fit between 15 mm margins.
_PAGE_HEIGHT = 297.0
_MARGIN = 15.0
_LINE = 5.5
_WRAP = 88

# A paragraph: str. A heading: (level, text), level 0 for the "Title" style. A table: rows.
DocxItem = str | tuple[int, str] | list[list[str]]


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    user_password: str | None = None,
) -> Path:
    """A PDF with one page per entry of `pages`, each holding its paragraphs.

    Paragraphs wrap at ~88 characters and are separated by a blank line. Text must be
    Latin-1 (the built-in Helvetica font). With `user_password`, the PDF needs it to open.
    """
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    if title is not None:
        pdf.set_title(title)
    for paragraphs in pages:
        pdf.add_page()
        y = _MARGIN + _LINE
        for paragraph in paragraphs:
            for line in textwrap.wrap(paragraph, _WRAP):
                if y > _PAGE_HEIGHT - _MARGIN:
                    raise ValueError(f"too much text for one page: {paragraph[:40]!r}…")
                pdf.text(_MARGIN, y, line)
                y += _LINE
            y += _LINE
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-" + user_password, user_password=user_password)
    pdf.output(str(path))
    return path


def write_image_pdf(path: Path, page_count: int = 2) -> Path:
    """A PDF whose pages hold only a picture: what a scanner without OCR produces."""
    pdf = FPDF(format="A4", unit="mm")
    picture = tiny_png(32, 32)
    for _ in range(page_count):
        pdf.add_page()
        pdf.image(io.BytesIO(picture), x=20, y=20, w=120)
    pdf.output(str(path))
    return path


def tiny_png(width: int, height: int) -> bytes:
    """A grey-level PNG with a diagonal pattern, built by hand (no imaging library)."""
    rows = b"".join(
        b"\x00" + bytes((x * y) % 256 for x in range(width)) for y in range(height)
    )  # each row starts with filter type 0

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def write_docx(path: Path, body: Sequence[DocxItem], *, title: str | None = None) -> Path:
    """A .docx with `body` in order: str paragraphs, (level, text) headings, row-list tables."""
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    for item in body:
        if isinstance(item, str):
            document.add_paragraph(item)
        elif isinstance(item, tuple):
            document.add_heading(item[1], level=item[0])
        else:
            table = document.add_table(rows=len(item), cols=len(item[0]))
            for row, values in zip(table.rows, item, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
    document.save(str(path))
    return path


def write_eml(
    path: Path,
    *,
    subject: str,
    text: str | None = None,
    html: str | None = None,
    attachments: Sequence[tuple[str, bytes]] = (),
    sender: str = "Ada Lovelace <ada@example.org>",
    to: str = "Charles Babbage <charles@example.org>",
    cc: str | None = None,
) -> Path:
    """An e-mail: plain text and/or HTML (alternatives of each other), then attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc is not None:
        message["Cc"] = cc
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0100"
    message["Subject"] = subject
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, data in attachments:
        maintype, subtype = _content_type(name).split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.write_bytes(bytes(message))
    return path


def _content_type(name: str) -> str:
    types = {".pdf": "application/pdf", ".png": "image/png", ".txt": "text/plain"}
    return types.get(Path(name).suffix.lower(), "application/octet-stream")
