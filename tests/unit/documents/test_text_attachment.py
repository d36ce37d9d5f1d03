"""Attached text files: encodings, refusals for binary and oversized files, quoting."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.documents.text_attachment import quote_attachment, read_text_attachment
from app.errors import InvalidInputError

TEXT = "Grüße, naïve café — “quotes”"


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-16"), TEXT),  # with its BOM
        ("Caf\u00e9 \u2014 ok".encode("cp1252"), "Café — ok"),
    ],
)
def test_encodings(tmp_path: Path, encoded: bytes, expected: str) -> None:
    file = tmp_path / "note.txt"
    file.write_bytes(encoded)
    assert read_text_attachment(file) == expected


def test_binary_files_are_refused(tmp_path: Path) -> None:
    file = tmp_path / "image.png"
    file.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InvalidInputError, match="not a text file"):
        read_text_attachment(file)


def test_large_files_are_refused_with_the_size(tmp_path: Path) -> None:
    file = tmp_path / "big.txt"
    file.write_text("x" * 1001, encoding="utf-8")
    with pytest.raises(InvalidInputError, match="1,001 bytes; at most 1,000"):
        read_text_attachment(file, limit=1000)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="Cannot read"):
        read_text_attachment(tmp_path / "gone.txt")


def test_quoting_uses_a_fence_longer_than_any_inside() -> None:
    quoted = quote_attachment(Path("/x/notes.md"), "a\n```\ncode\n```\n")
    assert quoted.startswith("notes.md:\n````\n")
    assert quoted.endswith("\n````\n")
