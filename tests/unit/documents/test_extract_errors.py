"""Every way a document can be refused, each with a message that names the file and helps."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from app.documents.extract import SUPPORTED_SUFFIXES, extract_document
from app.errors import (
    DocumentNotFoundError,
    DocumentTooLargeError,
    EmptyDocumentError,
    NoTextLayerError,
    PasswordProtectedError,
    UnsupportedDocumentError,
)
from tests.support.documents import write_docx, write_image_pdf, write_pdf


def test_a_password_protected_pdf(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "payslip.pdf", [["Salary: secret."]], user_password="1234")

    with pytest.raises(PasswordProtectedError) as caught:
        extract_document(path)

    assert str(caught.value) == (
        "payslip.pdf is protected with a password. Remove the password (e.g. print it to a new "
        "PDF) and try again."
    )


def test_a_pdf_of_scanned_images_needs_ocr(tmp_path: Path) -> None:
    path = write_image_pdf(tmp_path / "scan.pdf", page_count=2)

    with pytest.raises(NoTextLayerError) as caught:
        extract_document(path)

    message = str(caught.value)
    assert message.startswith("scan.pdf has no text, only images of its 2 pages")
    assert "OCR (text recognition), which Hearth does not do" in message


def test_a_damaged_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)

    with pytest.raises(UnsupportedDocumentError, match=r"broken\.pdf is damaged"):
        extract_document(path)


def test_a_file_named_pdf_that_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "renamed.pdf"
    path.write_text("just some text", encoding="utf-8")

    with pytest.raises(UnsupportedDocumentError, match=r"renamed\.pdf is named like a PDF"):
        extract_document(path)


def test_a_damaged_word_file(tmp_path: Path) -> None:
    good = write_docx(tmp_path / "good.docx", ["Some text."]).read_bytes()
    (tmp_path / "truncated.docx").write_bytes(good[: len(good) // 2])
    (tmp_path / "text.docx").write_text("not a zip at all", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "other.docx", "w") as archive:
        archive.writestr("readme.txt", "a zip, but not a Word file")

    for name in ("truncated.docx", "text.docx", "other.docx"):
        with pytest.raises(UnsupportedDocumentError) as caught:
            extract_document(tmp_path / name)
        assert str(caught.value).startswith(f"{name} is damaged or is not a Word document")
        assert "save it again as .docx" in str(caught.value)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.touch()

    with pytest.raises(EmptyDocumentError, match=r"blank\.txt is empty \(0 bytes\)"):
        extract_document(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [("spaces.txt", b" \n\t\r\n  \n"), ("empty.md", b"#\n\n---\n"), ("bare.html", b"<p> </p>")],
)
def test_a_file_without_any_text(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(EmptyDocumentError, match=f"{name} has no text to read"):
        extract_document(path)


def test_a_word_file_without_text(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "empty.docx", ["", "  "])

    with pytest.raises(EmptyDocumentError, match=r"empty\.docx has no text to read"):
        extract_document(path)


def test_binary_data_in_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))

    with pytest.raises(UnsupportedDocumentError) as caught:
        extract_document(path)

    assert str(caught.value).startswith("photo.txt holds binary data, not text.")


def test_an_unknown_binary_type_lists_the_supported_types(tmp_path: Path) -> None:
    path = tmp_path / "song.mp3"
    path.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4)

    with pytest.raises(UnsupportedDocumentError) as caught:
        extract_document(path)

    message = str(caught.value)
    assert message.startswith("song.mp3 is not a type Hearth reads.")
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in message


def test_a_file_over_the_size_limit_says_the_size_and_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("x" * 2500, encoding="utf-8")

    with pytest.raises(DocumentTooLargeError) as caught:
        extract_document(path, max_bytes=1000)

    assert str(caught.value) == (
        "huge.txt is 2.5 KB, over the 1 KB limit for documents. Choose a smaller file, or "
        "raise the document size limit in the settings."
    )


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "exact.txt"
    path.write_text("y" * 1000, encoding="utf-8")

    assert extract_document(path, max_bytes=1000).text == "y" * 1000


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.pdf"

    with pytest.raises(DocumentNotFoundError) as caught:
        extract_document(path)

    assert str(caught.value) == (
        f"{path.name} does not exist (any more). Check the name, or choose the file again."
    )


def test_a_broken_link(tmp_path: Path) -> None:
    path = tmp_path / "link.txt"
    path.symlink_to(tmp_path / "nowhere.txt")

    with pytest.raises(DocumentNotFoundError, match="does not exist"):
        extract_document(path)


def test_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "Reports.pdf"
    folder.mkdir()

    with pytest.raises(DocumentNotFoundError) as caught:
        extract_document(folder)

    assert (
        str(caught.value) == f"{folder.name} is a folder, not a file. Choose a document inside it."
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "private.txt"
    path.write_text("secret", encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(DocumentNotFoundError, match="not allowed to read"):
            extract_document(path)
    finally:
        path.chmod(0o600)
