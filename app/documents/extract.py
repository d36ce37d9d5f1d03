"""From a path the user chose to a `Document`: checks, choosing a reader, and clear refusals.

The file is checked before any reader sees it (exists, is a file, is readable, not too large,
not empty) so every reader can assume a real file's bytes. The reader is chosen by the
name's suffix, checked against the content: a ".pdf" must start like a PDF, and a file with
an unknown suffix is read if its content shows what it is (a PDF, a Word file, HTML, text).
Every refusal is a DocumentError whose message names the file and says what to do.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from app.documents.docx_reader import read_docx
from app.documents.email_reader import read_email
from app.documents.html_reader import read_html
from app.documents.model import Document
from app.documents.pdf_reader import read_pdf
from app.documents.text_reader import decode_text, read_text
from app.errors import (
    DocumentNotFoundError,
    DocumentTooLargeError,
    EmptyDocumentError,
    UnsupportedDocumentError,
)
from app.units import human_size

DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
SUPPORTED_SUFFIXES = (
    ".pdf", ".docx", ".txt", ".md", ".markdown", ".text", ".log", ".csv", ".html", ".htm", ".eml"
)  # fmt: skip
_TEXT_SUFFIXES = frozenset({".txt", ".text", ".log", ".csv"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_SNIFF_BYTES = 4096

Reader = Callable[[Path, bytes], Document | None]


def extract_document(path: Path, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> Document:
    """The document at `path`, read into blocks.

    Raises DocumentNotFoundError, DocumentTooLargeError, EmptyDocumentError,
    UnsupportedDocumentError, or the PDF's PasswordProtectedError / NoTextLayerError.
    """
    data = read_file_bytes(path, max_bytes)
    document = _choose_reader(path, data)(path, data)
    if document is None:
        raise UnsupportedDocumentError(_unsupported_message(path, "holds binary data, not text"))
    if not any(block.text.strip() for block in document.blocks):
        raise EmptyDocumentError(
            f"{path.name} has no text to read. If it holds only pictures, Hearth cannot read "
            "them: choose a file with text in it."
        )
    return document


def read_file_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after checking it is a readable, non-empty file within the limit
    (DocumentNotFoundError, DocumentTooLargeError, EmptyDocumentError; e-mails to reply to
    are read through here too)."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentNotFoundError(
                f"{path.name} is a folder, not a file. Choose a document inside it."
            )
        if not stat.S_ISREG(info.st_mode):
            raise DocumentNotFoundError(f"{path.name} is not a regular file. Choose a document.")
        _check_size(path, info.st_size, max_bytes)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise DocumentNotFoundError(
            f"{path.name} does not exist (any more). Check the name, or choose the file again."
        ) from exc
    except PermissionError as exc:
        raise DocumentNotFoundError(
            f"Hearth is not allowed to read {path.name}. Check the file's permissions, or copy it "
            "somewhere you own (e.g. your Documents folder), and try again."
        ) from exc
    except OSError as exc:
        reason = exc.strerror or os.strerror(exc.errno or 0)
        raise DocumentNotFoundError(f"{path.name} cannot be read ({reason}).") from exc
    _check_size(path, len(data), max_bytes)  # it may have grown since stat()
    return data


def _check_size(path: Path, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise DocumentTooLargeError(
            f"{path.name} is {human_size(size)}, over the {human_size(max_bytes)} limit for "
            "documents. Choose a smaller file, or raise the document size limit in the settings."
        )
    if size == 0:
        raise EmptyDocumentError(f"{path.name} is empty (0 bytes). Choose a file with text.")


def _choose_reader(path: Path, data: bytes) -> Reader:
    """The reader for `path`: by suffix, confirmed by the content; by content if unknown."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        if b"%PDF-" not in data[:1024]:  # the header may follow a little junk
            raise UnsupportedDocumentError(
                f"{path.name} is named like a PDF but is not one (it does not start like a "
                "PDF). It may be damaged or renamed; open it in the program that made it and "
                "save it again as PDF."
            )
        return read_pdf
    if suffix == ".docx":
        return read_docx
    if suffix in _TEXT_SUFFIXES or suffix in _MARKDOWN_SUFFIXES:
        return partial(read_text, markdown=suffix in _MARKDOWN_SUFFIXES)
    if suffix in _HTML_SUFFIXES:
        return read_html
    if suffix == ".eml":
        return read_email
    return _sniff_reader(path, data)


def _sniff_reader(path: Path, data: bytes) -> Reader:
    """A reader for a file whose name does not say what it is, from what it holds."""
    if data.lstrip().startswith(b"%PDF-"):
        return read_pdf
    if data.startswith(b"PK\x03\x04") and _is_word_zip(data):
        return read_docx
    head = decode_text(data[:_SNIFF_BYTES])
    if head is None:
        raise UnsupportedDocumentError(_unsupported_message(path, "is not a type Hearth reads"))
    if head.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        return read_html
    return read_text


def _is_word_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _unsupported_message(path: Path, what: str) -> str:
    kinds = ", ".join(SUPPORTED_SUFFIXES)
    return (
        f"{path.name} {what}. Hearth reads these kinds of files: {kinds}. Save or export it "
        "as one of them (e.g. a .doc as .docx, or print it to PDF) and try again."
    )
