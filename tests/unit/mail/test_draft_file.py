"""Drafts saved as .eml files: threading headers, subject, recipients, text that survives."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from app.errors import MailError
from app.mail.draft_file import draft_message, reply_references, reply_subject, write_draft
from app.mail.model import MailAddress, MailThread

ADA = MailAddress("Ada Lovelace", "ada@example.org")
ORIGINAL = MailThread(
    sender=ADA,
    subject="Engine drawings",
    text="Could you send them?",
    to=(MailAddress("Charles Babbage", "charles@example.org"),),
    message_id="<drawings-2@example.org>",
    in_reply_to="<drawings-1@example.org>",
    references=("<drawings-0@example.org>", "<drawings-1@example.org>"),
)


def read_back(path: Path) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def body_of(message: EmailMessage) -> str:
    """The text as written: the parser keeps the file's CRLF line ends in the content."""
    return str(message.get_content()).replace("\r\n", "\n")


def test_a_written_reply_round_trips_with_its_threading_headers(tmp_path: Path) -> None:
    path = tmp_path / "reply.eml"

    write_draft(path, "", "Here they are.\n\nCharles", reply_to=ORIGINAL)
    message = read_back(path)

    assert message["In-Reply-To"] == "<drawings-2@example.org>"
    assert message["References"].split() == [
        "<drawings-0@example.org>",
        "<drawings-1@example.org>",
        "<drawings-2@example.org>",
    ]
    assert message["Subject"] == "Re: Engine drawings"
    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [
        ("Ada Lovelace", "ada@example.org")
    ]
    assert message["X-Unsent"] == "1"
    assert body_of(message) == "Here they are.\n\nCharles\n"
    assert message.defects == []


def test_the_file_is_rfc_5322_with_crlf_line_ends_a_date_and_a_fresh_message_id(
    tmp_path: Path,
) -> None:
    now = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    first = write_draft(tmp_path / "a.eml", "Plans", "Line one.\nLine two.", now=now)
    second = draft_message("Plans", "Line one.", now=now)

    data = (tmp_path / "a.eml").read_bytes()
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    message = read_back(tmp_path / "a.eml")
    assert message["Date"].datetime == now
    assert message["Message-ID"] == first["Message-ID"]
    assert first["Message-ID"] != second["Message-ID"]
    assert message["Message-ID"][0] + message["Message-ID"][-1] == "<>"
    assert "From" not in message  # the mail app sets the account's own address
    assert "To" not in message


def test_reply_to_wins_over_from(tmp_path: Path) -> None:
    team = MailAddress("Engine team", "team@example.org")
    thread = MailThread(ADA, "Plans", "Text", reply_to=(team,), message_id="<p@x>")

    message = draft_message("", "Body", reply_to=thread)

    assert [a.addr_spec for a in message["To"].addresses] == ["team@example.org"]


def test_named_recipients_and_a_sender_address_are_written() -> None:
    message = draft_message(
        "Plans",
        "Body",
        [MailAddress("Lovelace, Ada", "ada@example.org"), MailAddress(address="bob@example.org")],
        sender_name="Charles Babbage",
        sender_address="charles@example.org",
    )

    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [
        ("Lovelace, Ada", "ada@example.org"),
        ("", "bob@example.org"),
    ]
    assert message["From"].addresses[0].display_name == "Charles Babbage"
    assert message["Message-ID"].endswith("@example.org>")


def test_line_breaks_in_header_values_cannot_break_the_file(tmp_path: Path) -> None:
    path = tmp_path / "draft.eml"
    to = [MailAddress('Ada "the\nCountess" <x>', "ada@example.org"), MailAddress("Bob, no address")]

    write_draft(
        path,
        "Plans\nBcc: eve@example.org",
        "Body",
        to,
        sender_name="Charles\r\nBabbage",
        sender_address="charles@example.org",
    )
    message = read_back(path)

    assert message["Subject"] == "Plans Bcc: eve@example.org"
    assert "Bcc" not in message
    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [
        ('Ada "the Countess" <x>', "ada@example.org")
    ]
    assert message["From"].addresses[0].display_name == "Charles Babbage"


def test_an_international_domain_is_written_in_its_ascii_form() -> None:
    message = draft_message("s", "b", [MailAddress("Jörg", "joerg@bücher.de")])

    assert message["To"].addresses[0].addr_spec == "joerg@xn--bcher-kva.de"


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Engine drawings", "Re: Engine drawings"),
        ("Re: Engine drawings", "Re: Engine drawings"),
        ("RE: Engine drawings", "RE: Engine drawings"),
        ("re:Engine drawings", "re:Engine drawings"),
        ("Re: Re: Engine drawings", "Re: Re: Engine drawings"),  # left as it was, not tripled
        ("Aw: Motorzeichnungen", "Aw: Motorzeichnungen"),
        ("SV: Ritningar", "SV: Ritningar"),
        ("Antw: Tekeningen", "Antw: Tekeningen"),
        ("Re[2]: Engine", "Re[2]: Engine"),
        ("[engine-list] Re: Drawings", "[engine-list] Re: Drawings"),
        ("回复：图纸", "回复：图纸"),
        ("Fwd: Drawings", "Re: Fwd: Drawings"),  # a forward is not a reply
        ("Reunion", "Re: Reunion"),  # "Re" must be a prefix, not the start of a word
        ("Research: results", "Re: Research: results"),
        ("  Plans\n  for Friday ", "Re: Plans for Friday"),
        ("", "Re:"),
    ],
)
def test_a_reply_subject_is_never_doubled(original: str, expected: str) -> None:
    assert reply_subject(original) == expected


def test_a_reply_given_its_own_subject_still_reads_as_a_reply() -> None:
    assert draft_message("Drawings attached", "Body", reply_to=ORIGINAL)["Subject"] == (
        "Re: Drawings attached"
    )
    assert draft_message("RE: Engine drawings", "Body", reply_to=ORIGINAL)["Subject"] == (
        "RE: Engine drawings"
    )


def test_references_fall_back_to_in_reply_to_and_never_repeat_an_id() -> None:
    bare = MailThread(ADA, "s", "t", message_id="<3@x>", in_reply_to="<2@x>")
    repeated = MailThread(ADA, "s", "t", message_id="<3@x>", references=("<1@x>", "<3@x>"))

    assert reply_references(bare) == ("<2@x>", "<3@x>")
    assert reply_references(repeated) == ("<1@x>", "<3@x>")


def test_a_reply_to_a_mail_without_a_message_id_has_no_threading_headers() -> None:
    pasted = MailThread(ADA, "Plans", "Text")

    message = draft_message("", "Body", reply_to=pasted)

    assert "In-Reply-To" not in message
    assert "References" not in message
    assert message["Subject"] == "Re: Plans"


def test_non_ascii_subjects_bodies_and_names_survive(tmp_path: Path) -> None:
    path = tmp_path / "grüße.eml"
    body = "Liebe Frau Müller,\n\nvielen Dank — 5 € sind bezahlt. 日本語も大丈夫。\n\nGrüße\n"
    to = [MailAddress("Jörg Müller", "joerg@example.de")]

    write_draft(path, "Größe und Maße – 東京", body, to, sender_name="Zoë", sender_address="z@x.de")
    raw = path.read_bytes()
    message = read_back(path)

    assert raw.split(b"\r\n\r\n")[0].isascii()  # headers are encoded (RFC 2047)
    assert message["Subject"] == "Größe und Maße – 東京"
    assert message["To"].addresses[0].display_name == "Jörg Müller"
    assert message["From"].addresses[0].display_name == "Zoë"
    assert message.get_content_charset() == "utf-8"
    assert body_of(message) == body


def test_a_draft_that_cannot_be_saved_is_a_mail_error_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "missing-folder"

    with pytest.raises(MailError, match=r"could not save the draft.*Choose another folder"):
        write_draft(folder / "draft.eml", "Plans", "Body")
    assert not folder.exists()


def test_saving_over_an_existing_draft_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "draft.eml"
    write_draft(path, "First", "One")

    write_draft(path, "Second", "Two")

    assert read_back(path)["Subject"] == "Second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.eml"]
