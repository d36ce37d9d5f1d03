"""The MIME parts the summary reader and the e-mail core share: body, charset, attachments."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from app.documents.mime_parts import (
    attachment_name,
    attachment_parts,
    body_part,
    decode_with_charset,
    describe_attachment,
    parse_email,
)


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("Grüße".encode(), "utf-8", "Grüße"),
        ("Grüße".encode(), "iso-8859-1", "Grüße"),  # mislabelled UTF-8: the bytes win
        ("Grüße".encode("cp1252"), "utf-8", "Grüße"),  # not UTF-8 at all: cp1252 fallback
        ("“Smart” – 5 €".encode("cp1252"), "iso-8859-1", "“Smart” – 5 €"),  # Latin-1 means cp1252
        ("Привет".encode("koi8-r"), "koi8-r", "Привет"),  # a real 8-bit label is used
        ("Привет".encode("utf-16"), "utf-16", "Привет"),  # UTF-16 is never read as UTF-8
        ("ﾃｩ".encode("shift_jis"), "shift_jis", "ﾃｩ"),  # valid UTF-8 bytes too ("é")
        ("中文".encode("gbk"), "gb2312", "中文"),
        ("Grüße".encode(), "no-such-charset", "Grüße"),
        ("Grüße".encode("cp1252"), None, "Grüße"),
        (b"plain", '"us-ascii"', "plain"),
        (b"", "utf-8", ""),
    ],
)
def test_text_is_decoded_by_what_the_bytes_are_with_the_label_as_a_hint(
    data: bytes, charset: str | None, text: str
) -> None:
    assert decode_with_charset(data, charset) == text


def test_a_blank_plain_part_gives_way_to_html_and_a_real_one_wins() -> None:
    blank = EmailMessage()
    blank.set_content("  \n")
    blank.add_alternative("<p>Words</p>", subtype="html")
    filled = EmailMessage()
    filled.set_content("Words")
    filled.add_alternative("<p>Words</p>", subtype="html")

    blank_body = body_part(parse_email(bytes(blank)))
    filled_body = body_part(parse_email(bytes(filled)))

    assert blank_body is not None
    assert blank_body.get_content_type() == "text/html"
    assert filled_body is not None
    assert filled_body.get_content_type() == "text/plain"


def test_attachments_and_a_forwarded_mail_are_named_but_not_the_body() -> None:
    inner = EmailMessage()
    inner["Subject"] = "Old news"
    inner.set_content("forwarded text")
    message = EmailMessage()
    message.set_content("See attached.")
    message.add_attachment(b"x" * 2000, maintype="application", subtype="pdf", filename="a.pdf")
    message.add_attachment(inner)
    parsed = parse_email(bytes(message))

    parts = attachment_parts(parsed, body_part(parsed))

    assert [attachment_name(part) for part in parts] == ["a.pdf", 'forwarded e-mail "Old news"']
    assert [describe_attachment(part) for part in parts] == [
        "a.pdf (2 KB)",
        'forwarded e-mail "Old news"',
    ]
