"""Where quoted earlier messages begin: attributions, header blocks, separators."""

from __future__ import annotations

import pytest

from app.mail.markers import Marker, marker_at, person, split_date_and_author
from app.mail.model import MailAddress


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        (
            "Tue, Mar 4, 2025 at 10:15 AM Ada <ada@x.org>",
            ("Tue, Mar 4, 2025 at 10:15 AM", "Ada <ada@x.org>"),
        ),
        ("4 Mar 2025, at 10:15, Ada <ada@x.org>", ("4 Mar 2025, at 10:15", "Ada <ada@x.org>")),
        (
            "Tue, 4 Mar 2025 10:15:00 +0100, ada2@x.org",
            ("Tue, 4 Mar 2025 10:15:00 +0100", "ada2@x.org"),
        ),
        ("mar 4 mar 2025 alle ore 10.15 Ada", ("mar 4 mar 2025 alle ore 10.15", "Ada")),
        ("Tuesday", ("Tuesday", "")),
    ],
)
def test_the_author_is_split_from_the_date(rest: str, expected: tuple[str, str]) -> None:
    assert split_date_and_author(rest) == expected


def test_a_person_is_whoever_the_text_names() -> None:
    assert person("Ada <ada@x.org>") == MailAddress("Ada", "ada@x.org")
    assert person("Ada Lovelace") == MailAddress("Ada Lovelace")
    assert person("  ") is None


def test_a_dated_attribution_is_strong_and_a_bare_one_weak() -> None:
    dated = ["On 4 Mar 2025, Ada wrote:", "> quoted"]
    bare = ["Ada wrote:", "> quoted"]

    assert marker_at(dated, 0) == Marker(MailAddress("Ada"), "4 Mar 2025", strong=True, end=1)
    assert marker_at(bare, 0) == Marker(MailAddress("Ada"), "", strong=False, end=1)
    assert marker_at(dated, 1) is None  # a quoted line is never a marker


def test_a_header_block_ends_at_the_blank_line_and_keeps_its_subject() -> None:
    lines = [
        "________________________________",
        "From: Ada <ada@x.org>",
        "Sent: Tuesday, 4 March 2025 10:15",
        "To: Charles <c@x.org>,",
        "    Mary <m@x.org>",
        "Subject: Plans",
        "",
        "Body.",
    ]

    assert marker_at(lines, 0) == Marker(
        MailAddress("Ada", "ada@x.org"), "Tuesday, 4 March 2025 10:15", True, 6, "Plans"
    )


def test_a_rule_of_underscores_without_a_header_block_is_no_marker() -> None:
    assert marker_at(["_" * 32, "", "Just a line."], 0) is None


def test_an_overlong_line_is_never_a_marker() -> None:
    assert marker_at(["On " + "very " * 100 + "long 2025 Ada wrote:", "> x"], 0) is None
