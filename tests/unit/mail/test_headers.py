"""Header values as people read them."""

from __future__ import annotations

import pytest

from app.mail.headers import decode_header_text, message_ids, parse_addresses
from app.mail.model import MailAddress


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("=?utf-8?q?Jos=C3=A9?= <j@x.org>", "José <j@x.org>"),
        ("=?UTF-8?B?SGVsbG8gV8O2cmxk?= =?UTF-8?B?IQ==?=", "Hello Wörld!"),
        ("=?iso-8859-1?q?d=E9j=E0?=\r\n  vu", "déjà vu"),  # folded
        ("=?utf-8*fr?q?caf=C3=A9?=", "café"),  # RFC 2231 language
        ("=?x-unknown?q?caf=C3=A9?= ok", "café ok"),  # unknown charset: the bytes decide
        ("=?utf-8?b?not base64!?= left", "=?utf-8?b?not base64!?= left"),
        ("Caf\udcc3\udca9 raw", "Café raw"),  # 8-bit UTF-8 as the parser leaves it
        ("Caf\udce9 raw", "Café raw"),  # 8-bit cp1252
        ("  plain   words  ", "plain words"),
    ],
)
def test_header_text_is_decoded(raw: str, text: str) -> None:
    assert decode_header_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "people"),
    [
        ("Ada Lovelace <ada@x.org>", [("Ada Lovelace", "ada@x.org")]),
        (
            '"Lovelace, Ada" <ada@x.org>, bob@y.org',
            [("Lovelace, Ada", "ada@x.org"), ("", "bob@y.org")],
        ),
        ("=?utf-8?q?Doe=2C_J=C3=B6rg?= <j@x.org>", [("Doe, Jörg", "j@x.org")]),
        ("Ada Lovelace [mailto:ada@x.org]", [("Ada Lovelace", "ada@x.org")]),
        ("Ada Lovelace; Charles Babbage", [("Ada Lovelace", ""), ("Charles Babbage", "")]),
        ("ada@x.org (Ada)", [("Ada", "ada@x.org")]),
        ("ada@x.org <ada@x.org>, ADA <ada@x.org>", [("", "ada@x.org")]),
        ("undisclosed-recipients:;", []),
        ("a@x.org b@y.org", [("", "a@x.org"), ("", "b@y.org")]),
        ("", []),
    ],
)
def test_addresses_are_split_into_people(raw: str, people: list[tuple[str, str]]) -> None:
    assert parse_addresses(raw) == tuple(MailAddress(name, address) for name, address in people)


def test_message_ids_keep_their_brackets_and_order() -> None:
    assert message_ids("<a@x>\r\n <b@y>  <c@z>") == ("<a@x>", "<b@y>", "<c@z>")
    assert message_ids("bare-id@host") == ("<bare-id@host>",)
    assert message_ids("") == ()
    assert message_ids("not an id") == ()
