"""Word documents: headings, paragraphs and tables in document order, sections, titles."""

from __future__ import annotations

from pathlib import Path

import docx

from app.documents.extract import extract_document
from app.documents.model import Block
from tests.support.documents import write_docx


def test_headings_paragraphs_and_tables_keep_document_order(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "report.docx",
        [
            (0, "Library Wing Report"),
            "Prepared for the board.",
            (1, "Budget"),
            "The costs were as follows:",
            [["Item", "Cost"], ["Roof", "12,000"], ["Shelves", "3,500"]],
            "Totals are final.",
            (2, "Risks"),
            "Winter rains may delay the roof.",
        ],
    )

    document = extract_document(path)

    assert document.kind == "docx"
    assert document.blocks == (
        Block("Library Wing Report", "heading", 1, section="Library Wing Report"),
        Block("Prepared for the board.", section="Library Wing Report"),
        Block("Budget", "heading", 1, section="Budget"),
        Block("The costs were as follows:", section="Budget"),
        Block(
            "| Item | Cost |\n| --- | --- |\n| Roof | 12,000 |\n| Shelves | 3,500 |",
            "table",
            section="Budget",
        ),
        Block("Totals are final.", section="Budget"),
        Block("Risks", "heading", 2, section="Risks"),
        Block("Winter rains may delay the roof.", section="Risks"),
    )


def test_text_before_the_first_heading_has_no_section(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "memo.docx", ["Opening line.", (1, "Details"), "More."])

    blocks = extract_document(path).blocks

    assert [(b.text, b.section) for b in blocks] == [
        ("Opening line.", None),
        ("Details", "Details"),
        ("More.", "Details"),
    ]


def test_the_title_is_the_core_property_else_the_first_heading_else_the_name(
    tmp_path: Path,
) -> None:
    with_property = write_docx(tmp_path / "a.docx", [(1, "Heading")], title="Official Title")
    with_heading = write_docx(tmp_path / "b.docx", ["Intro.", (2, "First Heading")])
    plain = write_docx(tmp_path / "shopping-list.docx", ["Milk, eggs."])

    assert extract_document(with_property).title == "Official Title"
    assert extract_document(with_heading).title == "First Heading"
    assert extract_document(plain).title == "shopping-list"


def test_merged_cells_appear_once_and_pipes_are_escaped(tmp_path: Path) -> None:
    word = docx.Document()
    table = word.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Spanning header"
    table.cell(0, 2).text = "Right"
    for column, text in enumerate(["a|b", "multi\nline", ""]):
        table.cell(1, column).text = text
    word.add_paragraph("After the table.")
    word.save(str(tmp_path / "merged.docx"))

    blocks = extract_document(tmp_path / "merged.docx").blocks

    assert blocks[0].kind == "table"
    assert blocks[0].text == (
        "| Spanning header | Right |\n| --- | --- | --- |\n| a\\|b | multi line |  |"
    )
    assert blocks[1].text == "After the table."


def test_empty_paragraphs_are_skipped(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "gaps.docx", ["One.", "", "   ", "Two."])

    assert [b.text for b in extract_document(path).blocks] == ["One.", "Two."]


def test_a_word_file_without_its_suffix_is_recognised(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "attachment", ["Recognised by its content."])

    document = extract_document(path)

    assert document.kind == "docx"
    assert document.text == "Recognised by its content."
