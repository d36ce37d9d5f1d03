"""Reading an e-mail to reply to: headers, the body read once, quotes split, refusals."""

from __future__ import annotations

import random
from email.message import EmailMessage
from pathlib import Path

import pytest

from app.errors import EmptyMailError, HearthError, MailError, MailNotFoundError, NotAnEmailError
from app.mail.model import MailAddress, QuotedMessage
from app.mail.thread import parse_thread, read_thread
from tests.support.mail import ORIGINAL_HEADERS, build_mail

ADA = MailAddress("Ada Lovelace", "ada@example.org")
CHARLES = MailAddress("Charles Babbage", "charles@example.org")


def write(tmp_path: Path, data: bytes, name: str = "mail.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_multipart_mail_is_read_with_its_headers_and_the_plain_text_once(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, build_mail(text="Plain words.\n", html="<p>HTML words.</p>"))

    thread = read_thread(path)

    assert thread.sender == ADA
    assert thread.to == (CHARLES,)
    assert thread.subject == "Engine drawings"
    assert thread.date == "Tue, 04 Mar 2025 10:15:00 +0100"
    assert thread.message_id == "<drawings-2@example.org>"
    assert thread.in_reply_to == "<drawings-1@example.org>"
    assert thread.references == ("<drawings-0@example.org>", "<drawings-1@example.org>")
    assert thread.text == "Plain words."
    assert thread.history == ()
    assert thread.reply_to == ()
    assert thread.reply_recipients() == (ADA,)


def test_encoded_headers_are_decoded(tmp_path: Path) -> None:
    raw = (
        b"From: =?utf-8?q?Jos=C3=A9_Mart=C3=ADnez?= <jose@example.es>\r\n"
        b"Reply-To: =?utf-8?b?w4lxdWlwZSwgdmVudGVz?= <ventes@example.es>\r\n"
        b"To: =?iso-8859-1?q?Andr=E9?= <andre@example.fr>, bob@example.org\r\n"
        b"Cc: =?x-unknown?q?Caf=C3=A9?= <cafe@example.org>\r\n"
        b"Subject: =?iso-8859-1?q?R=E9union_d=E9j=E0_?= =?utf-8?b?cHLDqXZ1ZQ==?=\r\n"
        b"Date: Tue, 04 Mar 2025 10:15:00 +0100\r\n"
        b"\r\nBonjour.\r\n"
    )

    thread = read_thread(write(tmp_path, raw))

    assert thread.sender == MailAddress("José Martínez", "jose@example.es")
    assert thread.reply_to == (MailAddress("Équipe, ventes", "ventes@example.es"),)
    assert thread.to == (
        MailAddress("André", "andre@example.fr"),
        MailAddress("", "bob@example.org"),
    )
    assert thread.cc == (MailAddress("Café", "cafe@example.org"),)
    # The blank between two encoded words is folding, not text; the "_" in the first is a space.
    assert thread.subject == "Réunion déjà prévue"
    assert thread.reply_recipients() == (MailAddress("Équipe, ventes", "ventes@example.es"),)


def test_an_html_only_mail_is_turned_into_text_and_its_quote_split(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<div>Thanks, <b>that</b> helps.<br>See you Friday.</div>"
        '<div class="gmail_quote"><div dir="ltr">On Mon, 3 Mar 2025 at 09:00, Charles '
        "Babbage &lt;charles@example.org&gt; wrote:<br></div>"
        "<blockquote><p>The engine is ready &amp; tested.</p></blockquote></div>"
        "</body></html>"
    )
    thread = read_thread(write(tmp_path, build_mail(html=html)))

    assert thread.text == "Thanks, that helps.\nSee you Friday."
    assert thread.history == (
        QuotedMessage(CHARLES, "Mon, 3 Mar 2025 at 09:00", "The engine is ready & tested."),
    )


def test_an_outlook_html_reply_is_split_at_its_header_block(tmp_path: Path) -> None:
    html = (
        "<html><body><div>Thanks, received.</div><div><br></div>"
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr">'
        "<font face=Calibri><b>From:</b> Ada Lovelace &lt;ada@example.org&gt;<br>"
        "<b>Sent:</b> Tuesday, March 4, 2025 10:15 AM<br><b>To:</b> Charles Babbage<br>"
        "<b>Subject:</b> Drawings</font><div>&nbsp;</div></div>"
        "<div><p>Please send the drawings.</p></div></body></html>"
    )
    thread = read_thread(write(tmp_path, build_mail(html=html)))

    assert thread.text == "Thanks, received."
    assert thread.history == (
        QuotedMessage(
            ADA, "Tuesday, March 4, 2025 10:15 AM", "Please send the drawings.", "Drawings"
        ),
    )


def test_a_blank_plain_part_gives_way_to_the_html_one(tmp_path: Path) -> None:
    path = write(tmp_path, build_mail(text="\n \n", html="<p>Only here.</p>"))

    assert read_thread(path).text == "Only here."


def test_attachments_are_listed_and_never_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        build_mail(
            text="See the attached drawings.",
            attachments=[("drawings.pdf", b"%PDF-1.4 SECRET"), ("notes.txt", b"SECRET notes")],
        ),
    )

    thread = read_thread(path)

    assert thread.attachments == ("drawings.pdf", "notes.txt")
    assert thread.text == "See the attached drawings."
    assert "SECRET" not in repr(thread.history)


def test_quoted_history_in_an_eml_is_split_newest_first(tmp_path: Path) -> None:
    text = (
        "Yes, Friday works.\n\n"
        "On Tue, 4 Mar 2025 at 10:15, Ada Lovelace <ada@example.org> wrote:\n"
        "> Can we meet on Friday?\n"
        ">\n"
        "> Le lun. 3 mars 2025 à 09:00, Charles Babbage <charles@example.org> a écrit :\n"
        ">> The engine is ready.\n"
    )
    thread = read_thread(write(tmp_path, build_mail(text=text)))

    assert thread.text == "Yes, Friday works."
    assert thread.history == (
        QuotedMessage(ADA, "Tue, 4 Mar 2025 at 10:15", "Can we meet on Friday?"),
        QuotedMessage(CHARLES, "lun. 3 mars 2025 à 09:00", "The engine is ready."),
    )


@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("utf-8", "Café crème, 5 €".encode("cp1252"), "Café crème, 5 €"),  # cp1252 called UTF-8
        ("iso-8859-1", "Café – déjà".encode(), "Café – déjà"),  # UTF-8 called Latin-1
        ("us-ascii", "Grüße".encode(), "Grüße"),
        ("x-no-such-charset", "Grüße".encode(), "Grüße"),
        ("x-no-such-charset", "Grüße".encode("cp1252"), "Grüße"),
        ("iso-8859-1", "Smart “quotes”".encode("cp1252"), "Smart “quotes”"),  # Latin-1 as cp1252
    ],
)
def test_a_wrong_or_unknown_charset_label_falls_back_to_what_the_bytes_are(
    tmp_path: Path, charset: str, body: bytes, expected: str
) -> None:
    raw = (
        b"From: ada@example.org\r\nSubject: Charset\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )

    assert read_thread(write(tmp_path, raw)).text == expected


def test_a_multipart_whose_first_boundary_is_damaged_still_gives_its_text(
    tmp_path: Path,
) -> None:
    raw = (
        b"From: ada@example.org\r\nSubject: Broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        b"--outr\r\n"  # damaged: the whole first section lands in the preamble
        b'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'
        b"--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"The text survives.\r\n"
        b"--inner\r\nContent-Type: text/html\r\n\r\n<p>The text survives.</p>\r\n--inner--\r\n"
        b"--outer\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        b'filename="plan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n'
        b"--outer--\r\n"
    )

    thread = read_thread(write(tmp_path, raw))

    assert thread.text == "The text survives."
    assert thread.attachments == ("plan.pdf",)


def test_a_multipart_without_a_boundary_is_read_as_its_first_section(tmp_path: Path) -> None:
    raw = (
        b"From: ada@example.org\r\nSubject: No boundary\r\n"
        b"Content-Type: multipart/alternative\r\n\r\n"
        b"--x1234567\r\nContent-Type: text/plain\r\n\r\nStill readable.\r\n"
        b"--x1234567\r\nContent-Type: text/html\r\n\r\n<p>Still readable.</p>\r\n--x1234567--\r\n"
    )

    assert read_thread(write(tmp_path, raw)).text == "Still readable."


def test_damaged_mail_never_raises_anything_but_a_mail_error(tmp_path: Path) -> None:
    original = build_mail(
        text="Hello é\n\nOn Tue, 4 Mar 2025, Ada <ada@example.org> wrote:\n> quoted\n>> older\n",
        html="<p>Hello é</p><blockquote>quoted</blockquote>",
        headers={**ORIGINAL_HEADERS, "Subject": "Réunion: ça va?", "Cc": '"B, C" <b@x.org>'},
        attachments=[("ré.pdf", bytes(range(256)) * 4)],
    )
    noise = [b"=", b"?", b"\n", b"--", b";", b'"', b"<", b":", b"\xff", b"=?", b"?=", b"\t"]
    rng = random.Random(20250304)
    read = 0
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randint(1, 10)):
            at = rng.randrange(min(len(data), 900))  # mostly in the headers and structure
            if rng.random() < 0.3:
                del data[at : at + rng.randint(1, 30)]
            else:
                data[at:at] = rng.choice(noise)
        try:
            thread = read_thread(write(tmp_path, bytes(data)))
        except MailError:
            continue
        read += 1
        assert thread.text
    assert read > 250  # most damage still leaves something to answer


def thread_of(count: int) -> str:
    """A plain-text thread of `count` messages, each quoting all earlier ones with ">"."""
    body = "Message 1 from Person 1."
    for n in range(2, count + 1):
        quoted = "\n".join(f">{line}" if line.startswith(">") else f"> {line}" if line
                           else ">" for line in body.split("\n"))  # fmt: skip
        attribution = (
            f"On Mon, {n - 1} Mar 2025 at 09:00, Person {n - 1} <p{n - 1}@example.org> wrote:"
        )
        body = f"Message {n} from Person {n}.\n\n{attribution}\n{quoted}"
    return body


def test_a_twenty_message_thread_is_split_into_its_messages(tmp_path: Path) -> None:
    thread = read_thread(write(tmp_path, build_mail(text=thread_of(20))))

    assert thread.text == "Message 20 from Person 20."
    assert len(thread.history) == 19
    for quoted, n in zip(thread.history, range(19, 0, -1), strict=True):
        assert quoted.author == MailAddress(f"Person {n}", f"p{n}@example.org")
        assert quoted.date == f"Mon, {n} Mar 2025 at 09:00"
        assert quoted.text == f"Message {n} from Person {n}."


def test_a_twenty_message_outlook_thread_is_split_into_its_messages() -> None:
    parts = [f"Reply {n}." for n in range(20, 0, -1)]
    text = parts[0]
    for n, part in zip(range(19, 0, -1), parts[1:], strict=True):
        text += (
            f"\n\n________________________________\nFrom: Person {n} <p{n}@example.org>\n"
            f"Sent: Monday, March {n}, 2025 9:00 AM\nTo: Team <team@example.org>\n"
            f"Subject: RE: Plans\n\n{part}"
        )

    thread = parse_thread(text)

    assert thread.text == "Reply 20."
    assert [(q.author, q.text) for q in thread.history] == [
        (MailAddress(f"Person {n}", f"p{n}@example.org"), f"Reply {n}.") for n in range(19, 0, -1)
    ]


def test_a_forward_without_a_comment_is_answered_as_the_forwarded_message(
    tmp_path: Path,
) -> None:
    text = (
        "---------- Forwarded message ---------\n"
        "From: Charles Babbage <charles@example.org>\n"
        "Date: Mon, 3 Mar 2025 at 09:00\nSubject: Engine\nTo: Ada <ada@example.org>\n\n"
        "The engine is ready.\n"
    )
    thread = read_thread(write(tmp_path, build_mail(text=text)))

    assert thread.sender == ADA
    assert thread.text == "The engine is ready."
    assert thread.history == ()


def test_pasted_body_text_with_quotes_has_no_headers() -> None:
    thread = parse_thread("Sounds good!\n\nAda wrote:\n> Lunch at one?\n")

    assert thread.sender is None
    assert thread.subject == ""
    assert thread.text == "Sounds good!"
    assert thread.history == (QuotedMessage(MailAddress("Ada"), "", "Lunch at one?"),)
    assert thread.reply_recipients() == ()


def test_a_pasted_mail_with_outlook_headers_gives_sender_subject_and_date() -> None:
    pasted = (
        "\nFrom: Ada Lovelace <ada@example.org>\nSent: Tuesday, March 4, 2025 10:15 AM\n"
        "To: Charles Babbage <charles@example.org>\nSubject: RE: Engine drawings\n\n"
        "Could you send them today?\n"
    )

    thread = parse_thread(pasted)

    assert thread.sender == ADA
    assert thread.subject == "RE: Engine drawings"
    assert thread.date == "Tuesday, March 4, 2025 10:15 AM"
    assert thread.to == (CHARLES,)
    assert thread.text == "Could you send them today?"


def test_a_pasted_mail_with_a_french_header_block_gives_its_sender() -> None:
    pasted = (
        "De : Ada Lovelace <ada@example.org>\nEnvoyé : mardi 4 mars 2025 10:15\n"
        "À : Charles Babbage\nObjet : Plans du moteur\n\nPouvez-vous les envoyer ?\n"
    )

    thread = parse_thread(pasted)

    assert thread.sender == ADA
    assert thread.subject == "Plans du moteur"
    assert thread.date == "mardi 4 mars 2025 10:15"
    assert thread.text == "Pouvez-vous les envoyer ?"


def test_a_pasted_raw_source_is_read_like_a_file() -> None:
    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.org>"
    message["Subject"] = "Grüße"
    message["Message-ID"] = "<raw@example.org>"
    message.set_content("Viele Grüße aus London.", cte="quoted-printable")

    thread = parse_thread(message.as_string())

    assert (thread.subject, thread.message_id) == ("Grüße", "<raw@example.org>")
    assert thread.text == "Viele Grüße aus London."


def test_a_missing_file_or_a_folder_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(MailNotFoundError, match=r"does not exist.*Check the name"):
        read_thread(tmp_path / "gone.eml")
    with pytest.raises(MailNotFoundError, match="is a folder"):
        read_thread(tmp_path)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Just a note to myself.\nNothing else.\n", r"no mail headers.*\.eml file.*paste"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00binary", r"binary data.*\.msg"),
        (b"", r"empty \(0 bytes\)"),
    ],
)
def test_a_file_that_is_not_an_email_is_refused(tmp_path: Path, data: bytes, expected: str) -> None:
    with pytest.raises(NotAnEmailError, match=expected) as caught:
        read_thread(write(tmp_path, data, "note.eml"))
    assert isinstance(caught.value, HearthError)
    assert "note.eml" in caught.value.message


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, build_mail(text="x" * 5000))

    with pytest.raises(NotAnEmailError, match="over the 1 KB limit"):
        read_thread(path, max_bytes=1000)


def test_a_mail_with_only_an_attachment_has_no_text_to_answer(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "ada@example.org"
    message["Subject"] = "Scan"
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="scan.png")

    with pytest.raises(EmptyMailError, match=r"mail\.eml has no text.*scan\.png.*paste"):
        read_thread(write(tmp_path, bytes(message)))


def test_pasting_nothing_is_refused() -> None:
    with pytest.raises(EmptyMailError, match="Paste the text"):
        parse_thread(" \n\t\n")
