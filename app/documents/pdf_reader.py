"""PDF files: text page by page, cut into paragraphs, each block knowing its page.

PDFium (via pypdfium2) gives each page's text as lines, with no blank line between
paragraphs. Where a paragraph ends is read from the layout instead: a gap taller than the
usual line spacing, a change of font size, a line that jumps up (a new column), or a short
line that ends a sentence. PDFium already joins a word split by a hyphen at a line end and
marks the join; the hyphen is dropped only when the joined word is clearly a word (it occurs
unhyphenated elsewhere in the document), so a compound like "well-known" keeps its hyphen.
A bare page number at the top or bottom of a page is left out: it is not part of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from app.documents.model import Block, Document
from app.errors import NoTextLayerError, PasswordProtectedError, UnsupportedDocumentError

# PDFium marks a hyphen it removed at a line end with U+FFFE (U+0002 in some calls). A soft
# hyphen (U+00AD) is the author saying "may break here": always part of one word.
_HYPHEN_MARKS = "\ufffe\x02"
_SOFT_HYPHEN = "\u00ad"
_JOINED_WORD = re.compile(r"(\w+)[\ufffe\x02](\w+)")
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
_SENTENCE_END = tuple('.!?:;"”’)')
_BULLETS = ("•", "◦", "▪", "●", "■", "– ", "- ", "* ")
_PAGE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[ivxlc]{1,7}", re.I)


@dataclass(frozen=True)
class _Line:
    """One line of a page and, when PDFium knows it, where it is (PDF units, y grows up).

    `top` and `height` come from the first character, `bottom` from the last: PDFium joins a
    line that ends in a hyphen with the next one, so a "line" may span two rows. Font sizes
    are those of the first and last characters.
    """

    text: str
    top: float = 0.0
    bottom: float = 0.0
    height: float = 0.0
    width: float = 0.0
    first_size: float = 0.0
    last_size: float = 0.0


def read_pdf(path: Path, data: bytes) -> Document:
    """A PDF as paragraph blocks with 1-based page numbers.

    Raises PasswordProtectedError, NoTextLayerError (scanned pages), or
    UnsupportedDocumentError when PDFium cannot open the file at all.
    """
    pdf = _open(path, data)
    try:
        title = pdf.get_metadata_value("Title").strip()
        page_count = len(pdf)
        pages, notes = _read_pages(pdf, page_count)
    finally:
        pdf.close()
    if page_count and not any(pages):
        raise NoTextLayerError(
            f"{path.name} has no text, only images of its {_pages(page_count)}: it was "
            "probably scanned. Scanned pages need OCR (text recognition), which Hearth does "
            "not do. Run the file through an OCR tool (many scanner and PDF apps have one), "
            "then try again."
        )
    return Document(
        path=path,
        kind="pdf",
        title=title or path.stem,
        blocks=_resolve_hyphens(pages),
        page_count=page_count,
        notes=tuple(notes),
    )


def _open(path: Path, data: bytes) -> Any:
    """The opened PdfDocument (the caller closes it), or the error that explains why not."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise PasswordProtectedError(
                f"{path.name} is protected with a password. Remove the password (e.g. print "
                "it to a new PDF) and try again."
            ) from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise UnsupportedDocumentError(
                f"{path.name} is encrypted in a way Hearth cannot open. Print it to a new PDF "
                "and try again."
            ) from exc
        raise UnsupportedDocumentError(
            f"{path.name} is damaged or is not really a PDF, so Hearth cannot read it. If it "
            "opens in a PDF viewer, print it to a new PDF and try again."
        ) from exc


def _read_pages(pdf: Any, page_count: int) -> tuple[list[list[str]], list[str]]:
    """Each page's paragraphs (hyphen marks still in), and notes about unread pages."""
    import pypdfium2

    pages: list[list[str]] = []
    unreadable: list[int] = []
    pictures_only: list[int] = []
    for index in range(page_count):
        try:
            lines, has_objects = _page_lines(pdf, index)
        except pypdfium2.PdfiumError:
            unreadable.append(index + 1)
            lines, has_objects = [], False
        if not lines and has_objects:
            pictures_only.append(index + 1)
        pages.append(_without_page_numbers(_paragraphs(lines)))
    notes = []
    if unreadable:
        notes.append(f"Left out {_page_list(unreadable)}: damaged, could not be read.")
    if pictures_only and len(pictures_only) < page_count:
        notes.append(
            f"Left out {_page_list(pictures_only)}: only pictures, no text (scanned?). "
            "Hearth does not do text recognition (OCR)."
        )
    return pages, notes


def _page_lines(pdf: Any, index: int) -> tuple[list[_Line], bool]:
    """The page's non-blank lines with their boxes, and whether the page draws anything."""
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            lines = [_measure(textpage, start, line) for start, line in _split_lines(text)]
        finally:
            textpage.close()
        has_objects = pdfium_c.FPDFPage_CountObjects(page.raw) > 0
    finally:
        page.close()
    return lines, has_objects


def _without_page_numbers(paragraphs: list[str]) -> list[str]:
    """The page's paragraphs without a first or last one that is only a page number."""
    if paragraphs and _PAGE_NUMBER.fullmatch(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    if paragraphs and _PAGE_NUMBER.fullmatch(paragraphs[0]):
        paragraphs = paragraphs[1:]
    return paragraphs


def _split_lines(text: str) -> list[tuple[int, str]]:
    """(index in the page text of the first visible character, line) for non-blank lines."""
    return [
        (match.start() + len(match.group()) - len(match.group().lstrip()), match.group())
        for match in re.finditer(r"[^\r\n]+", text)
        if match.group().strip()
    ]


def _measure(textpage: Any, start: int, line: str) -> _Line:
    """The line's box from its first and last characters (loose boxes: font ascent to descent)."""
    import pypdfium2.raw as pdfium_c

    text = " ".join(line.translate(_LIGATURES).split())
    end = start + len(line.strip()) - 1
    first = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage.raw, start)
    last = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage.raw, end)
    if first < 0 or last < 0:
        return _Line(text, width=len(text))  # no box: the length in characters stands in
    left, first_bottom, _, top = textpage.get_charbox(first, loose=True)
    _, bottom, right, _ = textpage.get_charbox(last, loose=True)
    return _Line(
        text,
        top=top,
        bottom=bottom,
        height=top - first_bottom,
        width=right - left,
        first_size=pdfium_c.FPDFText_GetFontSize(textpage.raw, first),
        last_size=pdfium_c.FPDFText_GetFontSize(textpage.raw, last),
    )


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Lines joined into paragraphs where the layout says a paragraph continues."""
    if not lines:
        return []
    gaps = sorted(a.bottom - b.top for a, b in pairwise(lines))
    gaps = [gap for gap in gaps if gap > 0]
    usual_gap = gaps[len(gaps) // 4] if gaps else 0.0  # the lower quartile: within paragraphs
    full_width = max(line.width for line in lines)
    paragraphs: list[list[str]] = [[lines[0].text]]
    for before, line in pairwise(lines):
        if _breaks(before, line, usual_gap, full_width):
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
    return [_join_lines(parts) for parts in paragraphs]


def _breaks(before: _Line, line: _Line, usual_gap: float, full_width: float) -> bool:
    """Whether `line` starts a new paragraph after `before`."""
    if line.text.startswith(_BULLETS):
        return True
    if before.height > 0 and line.height > 0 and _layout_breaks(before, line, usual_gap):
        return True
    return before.text.endswith(_SENTENCE_END) and before.width < 0.7 * full_width


def _layout_breaks(before: _Line, line: _Line, usual_gap: float) -> bool:
    height = max(before.height, line.height)
    if line.top > before.top + height / 2:  # jumped up: a new column or region
        return True
    sizes = (before.last_size, line.first_size)
    if min(sizes) > 0 and max(sizes) > 1.15 * min(sizes):  # another font size: a heading
        return True
    return before.bottom - line.top > height / 2 + min(usual_gap, height / 2)


def _join_lines(lines: list[str]) -> str:
    """One paragraph from its lines; a line ending in "wor-" + "ds" gets a hyphen mark."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith(_SOFT_HYPHEN):
            text = text[:-1] + line
        elif text.endswith(tuple(_HYPHEN_MARKS)) or (
            re.search(r"[^\W\d_]{2}-$", text) and line[:1].islower()
        ):
            text = text[:-1] + "\ufffe" + line
        else:
            text = f"{text} {line}"
    return text


def _resolve_hyphens(pages: list[list[str]]) -> tuple[Block, ...]:
    """Blocks with each line-end hyphen either dropped (a known word) or kept as "-"."""
    every_text = " ".join(text for page in pages for text in page).replace(_SOFT_HYPHEN, "")
    words = {word.lower() for word in re.findall(r"\w+", every_text)}

    def join(match: re.Match[str]) -> str:
        head, tail = match.groups()
        return head + tail if (head + tail).lower() in words else f"{head}-{tail}"

    def clean(text: str) -> str:
        text = _JOINED_WORD.sub(join, text.replace(_SOFT_HYPHEN, ""))
        return re.sub(f"[{_HYPHEN_MARKS}]", "-", text)

    return tuple(
        Block(clean(text), page=number)
        for number, page in enumerate(pages, start=1)
        for text in page
    )


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def _page_list(numbers: list[int]) -> str:
    """ "page 4", "pages 2, 5 and 9"."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}"
