"""mailto: links, percent-encoded for every mail app, and none when too long."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from app.mail.mailto import MAILTO_MAX_LENGTH, mailto_url
from app.mail.model import MailAddress

ADA = MailAddress("Ada Lovelace", "ada@example.org")


def url(to: list[MailAddress], subject: str, body: str) -> str:
    result = mailto_url(to, subject, body)
    assert result is not None
    return result


def test_a_simple_link_has_the_address_subject_and_body() -> None:
    assert url([ADA], "Plans", "Hello") == "mailto:ada@example.org?subject=Plans&body=Hello"


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("a b", "a%20b"),  # a space is %20, never "+"
        ("a+b", "a%2Bb"),  # a "+" is not a space
        ("fish & chips", "fish%20%26%20chips"),  # "&" would start a new field
        ("why?", "why%3F"),
        ("item #3", "item%20%233"),  # "#" would start a fragment
        ("100%", "100%25"),
        ("a=b", "a%3Db"),
        ("Grüße", "Gr%C3%BC%C3%9Fe"),  # non-ASCII as UTF-8
        ("東京", "%E6%9D%B1%E4%BA%AC"),
        ("5 €", "5%20%E2%82%AC"),
    ],
)
def test_each_kind_of_character_is_percent_encoded(text: str, encoded: str) -> None:
    assert url([ADA], text, text) == f"mailto:ada@example.org?subject={encoded}&body={encoded}"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_breaks_in_the_body_are_crlf(newline: str) -> None:
    link = url([ADA], "", f"one{newline}two{newline}{newline}three")

    assert link == "mailto:ada@example.org?body=one%0D%0Atwo%0D%0A%0D%0Athree"


def test_a_subject_stays_on_one_line() -> None:
    assert (
        url([ADA], "Plans\nfor Friday", "") == "mailto:ada@example.org?subject=Plans%20for%20Friday"
    )


def test_several_recipients_are_comma_separated_and_names_left_out() -> None:
    people = [ADA, MailAddress("Bob", "bob+work@example.org"), MailAddress("No address")]

    assert url(people, "", "") == "mailto:ada@example.org,bob%2Bwork@example.org"


def test_a_link_with_no_recipient_still_opens_a_filled_in_message() -> None:
    assert url([], "Plans", "Hi") == "mailto:?subject=Plans&body=Hi"


def test_a_link_decodes_back_to_the_same_text() -> None:
    subject = "Réunion & plan? #2 100% sûr"
    body = "Bonjour,\n\nça va ? 5 € + 3 € = 8 €.\nÀ bientôt"

    parts = urlsplit(url([ADA], subject, body))
    fields = parse_qs(parts.query)

    assert unquote(parts.path) == "ada@example.org"
    assert fields["subject"] == [subject]
    assert fields["body"] == [body.replace("\n", "\r\n")]


def test_a_link_longer_than_the_limit_is_not_made() -> None:
    prefix = len("mailto:ada@example.org?subject=S&body=")
    fits = "x" * (MAILTO_MAX_LENGTH - prefix)

    assert len(url([ADA], "S", fits)) == MAILTO_MAX_LENGTH
    assert mailto_url([ADA], "S", fits + "x") is None
    # The limit counts encoded characters: 400 "é" are 2,400 once encoded.
    assert mailto_url([ADA], "S", "é" * 400) is None
