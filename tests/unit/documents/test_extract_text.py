"""Text and Markdown files: encodings, paragraphs, Markdown headings and sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.documents.extract import extract_document
from app.documents.model import Block
from app.documents.text_reader import decode_text

SAMPLE = "café – naïve “quoted” Grüße"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8.txt", SAMPLE.encode("utf-8")),
        ("utf8-bom.txt", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")),
        ("utf16-le.txt", b"\xff\xfe" + SAMPLE.encode("utf-16-le")),
        ("utf16-be.txt", b"\xfe\xff" + SAMPLE.encode("utf-16-be")),
        ("utf32.txt", SAMPLE.encode("utf-32")),
    ],
)
def test_unicode_encodings_round_trip(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)

    assert extract_document(path).text == SAMPLE


def test_cp1252_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "old-windows.txt"
    path.write_bytes("café – naïve, 20 €".encode("cp1252"))

    assert extract_document(path).text == "café – naïve, 20 €"


def test_utf8_with_invalid_bytes_is_read_with_replacements(tmp_path: Path) -> None:
    path = tmp_path / "damaged.txt"
    path.write_bytes("Grüße aus Köln ".encode() + b"\xff\xfe\xfa" + " — bis bald".encode())

    text = extract_document(path).text

    assert text.startswith("Grüße aus Köln ")
    assert text.endswith(" — bis bald")
    assert "\ufffd" in text


def test_paragraphs_split_on_blank_lines_with_any_line_ending(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"First line\r\nstill first.\r\n\r\n  \r\nSecond.\rThird line\n\n\nLast.  \n")

    document = extract_document(path)

    assert document.kind == "text"
    assert document.title == "notes"
    assert document.blocks == (
        Block("First line\nstill first."),
        Block("Second.\nThird line"),
        Block("Last."),
    )


def test_markdown_headings_have_levels_and_set_sections(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(
        "Intro before any heading.\n\n"
        "# Garden Plan #\n\n"
        "We plant in spring.\nTwo beds.\n\n"
        "## Vegetables\n"
        "Tomatoes and beans.\n\n"
        "```\n# not a heading\n\nstill code\n```\n\n"
        "Herbs\n-----\n\n"
        "Basil.\n\n"
        "---\n\n"
        "#hashtag is text\n",
        encoding="utf-8",
    )

    document = extract_document(path)

    assert document.title == "Garden Plan"
    assert document.blocks == (
        Block("Intro before any heading."),
        Block("Garden Plan", "heading", 1, section="Garden Plan"),
        Block("We plant in spring.\nTwo beds.", section="Garden Plan"),
        Block("Vegetables", "heading", 2, section="Vegetables"),
        Block("Tomatoes and beans.", section="Vegetables"),
        Block("```\n# not a heading\n\nstill code\n```", section="Vegetables"),
        Block("Herbs", "heading", 2, section="Herbs"),
        Block("Basil.", section="Herbs"),
        Block("#hashtag is text", section="Herbs"),
    )


def test_hash_lines_in_plain_text_are_not_headings(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    path.write_text("# started\nport 8080\n", encoding="utf-8")

    (block,) = extract_document(path).blocks

    assert block == Block("# started\nport 8080")


def test_a_text_file_with_an_unknown_suffix_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "config.ini"
    path.write_text("[main]\nname = Hearth\n", encoding="utf-8")

    document = extract_document(path)

    assert document.kind == "text"
    assert document.text == "[main]\nname = Hearth"


def test_the_shared_decoder_refuses_binary_data() -> None:
    assert decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is None
    assert decode_text(bytes(range(1, 32)) * 20) is None
    assert decode_text(b"tab\tand\x0cform feed\x1b[0m") == "tab\tand\x0cform feed\x1b[0m"
