"""PDF extraction: paragraphs with their page numbers, titles, hyphens, headings, notes."""

from __future__ import annotations

import io
import time
from pathlib import Path

from fpdf import FPDF

from app.documents.extract import extract_document
from tests.support.documents import tiny_png, write_pdf

FILLER = (
    "The committee reviewed the budget for the coming year and agreed to fund the new "
    "library wing, provided that the builders finish the roof before the winter rains. "
)


def paragraph(page: int, number: int, repeats: int = 2) -> str:
    return f"Page {page} paragraph {number}. " + FILLER * repeats


def test_a_multi_page_pdf_keeps_each_paragraph_on_its_page(tmp_path: Path) -> None:
    pages = [[paragraph(p, n, repeats=n) for n in (1, 2, 3)] for p in (1, 2, 3)]
    document = extract_document(write_pdf(tmp_path / "minutes.pdf", pages))

    assert document.kind == "pdf"
    assert document.page_count == 3
    assert [(b.page, b.text) for b in document.blocks] == [
        (p, " ".join(text.split())) for p, texts in enumerate(pages, start=1) for text in texts
    ]
    assert all(block.kind == "paragraph" for block in document.blocks)
    assert document.notes == ()


def test_the_title_comes_from_the_metadata_else_the_file_name(tmp_path: Path) -> None:
    titled = write_pdf(tmp_path / "a.pdf", [["Some text."]], title="Annual Report 2024")
    untitled = write_pdf(tmp_path / "board-minutes.pdf", [["Some text."]])

    assert extract_document(titled).title == "Annual Report 2024"
    assert extract_document(untitled).title == "board-minutes"


def write_lines(path: Path, lines: list[tuple[float, str, int]]) -> Path:
    """A one-page PDF with each (y in mm, text, font size) placed exactly."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    for y, text, size in lines:
        pdf.set_font("Helvetica", size=size)
        pdf.text(20, y, text)
    pdf.output(str(path))
    return path


def test_line_end_hyphens_are_dropped_only_for_known_words(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "hyphens.pdf",
        [
            (20, "Automatic hyphen-", 11),
            (25.5, "ation splits words; hyphenation is common in justified text set", 11),
            (31, "by typesetters, and a well-", 11),
            (36.5, "known compound keeps its hyphen at the end of a line.", 11),
        ],
    )
    (block,) = extract_document(path).blocks

    assert block.text == (
        "Automatic hyphenation splits words; hyphenation is common in justified text set "
        "by typesetters, and a well-known compound keeps its hyphen at the end of a line."
    )


def test_a_larger_font_starts_its_own_block(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "heading.pdf",
        [
            (20, "Results", 18),
            (28, "The wing opened in May and the", 11),
            (33.5, "roof held through the winter.", 11),
        ],
    )

    texts = [block.text for block in extract_document(path).blocks]

    assert texts == ["Results", "The wing opened in May and the roof held through the winter."]


def test_bare_page_numbers_at_the_top_or_bottom_are_left_out(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "numbered.pdf",
        [(12, "iv", 9), (30, "There were 12 members present.", 11), (285, "Page 4 of 9", 9)],
    )

    texts = [block.text for block in extract_document(path).blocks]

    assert texts == ["There were 12 members present."]


def test_pages_with_only_a_picture_are_noted(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.text(20, 20, "A typed cover letter.")
    pdf.add_page()
    pdf.image(io.BytesIO(tiny_png(16, 16)), x=20, y=20, w=100)
    pdf.output(str(tmp_path / "mixed.pdf"))

    document = extract_document(tmp_path / "mixed.pdf")

    assert [(b.page, b.text) for b in document.blocks] == [(1, "A typed cover letter.")]
    assert document.page_count == 2
    assert len(document.notes) == 1
    assert "page 2" in document.notes[0]
    assert "OCR" in document.notes[0]


def test_a_pdf_without_the_pdf_suffix_is_recognised(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "download.bin", [["Recognised by its content."]])

    document = extract_document(path)

    assert document.kind == "pdf"
    assert document.text == "Recognised by its content."


def test_a_hundred_pages_are_written_and_read_quickly(tmp_path: Path) -> None:
    pages = [[paragraph(p, n, repeats=1 + n % 3) for n in range(1, 6)] for p in range(1, 101)]
    started = time.perf_counter()
    path = write_pdf(tmp_path / "long.pdf", pages)
    document = extract_document(path)
    elapsed = time.perf_counter() - started

    assert document.page_count == 100
    assert len(document.blocks) == 500
    assert document.blocks[-1].page == 100
    assert document.blocks[-1].text.startswith("Page 100 paragraph 5. The committee")
    assert elapsed < 10  # about 0.5 s here; a generous bound for slow CI machines
