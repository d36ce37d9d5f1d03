"""Saved e-mails: headers, the body read once, attachments listed but not read."""

from __future__ import annotations

from pathlib import Path

from app.documents.extract import extract_document
from app.documents.model import Block
from tests.support.documents import write_eml

BODY = "Dear Charles,\n\nthe engine drawings are attached.\nPlease review them.\n\nAda\n"
HTML = (
    "<html><body><p>Dear Charles,</p><p>the <b>engine</b> drawings are attached.</p></body></html>"
)


def test_a_multipart_email_reads_the_plain_body_once_and_lists_the_attachment(
    tmp_path: Path,
) -> None:
    path = write_eml(
        tmp_path / "drawings.eml",
        subject="Engine drawings – final",
        text=BODY,
        html=HTML,
        attachments=[("drawings.pdf", b"%PDF-1.4 SECRET-ATTACHMENT-CONTENT" + b"x" * 12_000)],
        cc="Mary Somerville <mary@example.org>",
    )

    document = extract_document(path)

    assert document.kind == "email"
    assert document.title == "Engine drawings – final"
    assert document.blocks == (
        Block(
            "From: Ada Lovelace <ada@example.org>\n"
            "To: Charles Babbage <charles@example.org>\n"
            "Cc: Mary Somerville <mary@example.org>\n"
            "Date: Tue, 04 Mar 2025 10:15:00 +0100\n"
            "Subject: Engine drawings – final",
            kind="header",
        ),
        Block("Dear Charles,"),
        Block("the engine drawings are attached.\nPlease review them."),
        Block("Ada"),
        Block("Attachments (not read):\n- drawings.pdf (12 KB)"),
    )
    assert document.notes == ("Attachment not read: drawings.pdf (12 KB)",)
    assert document.text.count("Dear Charles") == 1
    assert "SECRET-ATTACHMENT-CONTENT" not in document.text


def test_an_html_only_email_is_read_through_the_html_reader(tmp_path: Path) -> None:
    path = write_eml(tmp_path / "news.eml", subject="News", html=HTML)

    document = extract_document(path)

    assert [b.text for b in document.blocks[1:]] == [
        "Dear Charles,",
        "the engine drawings are attached.",
    ]
    assert document.notes == ()


def test_an_email_without_a_subject_is_titled_by_its_file_name(tmp_path: Path) -> None:
    path = write_eml(tmp_path / "no-subject.eml", subject="", text="Just a line.")

    document = extract_document(path)

    assert document.title == "no-subject"
    assert document.blocks[0].text.splitlines()[0] == "From: Ada Lovelace <ada@example.org>"
    assert document.blocks[-1] == Block("Just a line.")


def test_every_attachment_is_listed_with_its_size(tmp_path: Path) -> None:
    path = write_eml(
        tmp_path / "two.eml",
        subject="Files",
        text="See attached.",
        attachments=[("notes.txt", b"attached text that is not read"), ("photo.png", b"\x89PNG")],
    )

    document = extract_document(path)

    assert document.notes == (
        "Attachment not read: notes.txt (30 bytes)",
        "Attachment not read: photo.png (4 bytes)",
    )
    assert "attached text that is not read" not in document.text
