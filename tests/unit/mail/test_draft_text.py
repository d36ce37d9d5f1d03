"""A model's draft split into subject and body, and joined back."""

from __future__ import annotations

import pytest

from app.mail.draft_text import join_draft, split_draft


@pytest.mark.parametrize(
    ("text", "subject", "body"),
    [
        ("Subject: Plans\n\nHi Bob,\n\nsee you.", "Plans", "Hi Bob,\n\nsee you."),
        ("Subject: Plans\nHi Bob,", "Plans", "Hi Bob,"),  # no blank line
        (
            "\n\nSubject:   Plans  \n\n\n\nHi Bob,\n\n\n\nsee you.\n\n",
            "Plans",
            "Hi Bob,\n\nsee you.",
        ),
        ("**Subject:** Plans\n\nHi", "Plans", "Hi"),
        ("**Subject: Plans**\n\nHi", "Plans", "Hi"),
        ("*Subject*: Plans\n\nHi", "Plans", "Hi"),
        ("## Subject: Plans\n\nHi", "Plans", "Hi"),
        ('Subject: "Plans for Friday"\n\nHi', "Plans for Friday", "Hi"),
        ("subject line: Plans\n\nHi", "Plans", "Hi"),
        ("Betreff: Termin\n\nHallo", "Termin", "Hallo"),
        ("Objet : Réunion\n\nBonjour", "Réunion", "Bonjour"),
        ("Subject: Plans\n\n**Body:**\n\nHi", "Plans", "Hi"),
        ("Sure! Here is a draft:\n\nSubject: Plans\n\nHi", "Plans", "Hi"),
        ("```\nSubject: Plans\n\nHi\n```", "Plans", "Hi"),
        ("Subject:\n\nHi", "", "Hi"),
        ("Subject: Plans\r\n\r\nHi\r\nBob", "Plans", "Hi\nBob"),
    ],
)
def test_the_subject_line_is_found_in_its_usual_forms(text: str, subject: str, body: str) -> None:
    assert split_draft(text) == (subject, body)


def test_without_a_subject_line_the_whole_text_is_the_body() -> None:
    text = "Hi Bob,\n\nthe subject: plans for Friday.\n\nAda"

    assert split_draft(text) == ("", text)


def test_a_subject_line_deep_in_the_body_is_body_text() -> None:
    text = "Hi Bob,\n\nAbout the mail.\n\nWe agreed.\nSubject: plans\n\nAda"

    assert split_draft(text) == ("", text)


def test_an_empty_draft_is_empty() -> None:
    assert split_draft("") == ("", "")
    assert split_draft("\n \n") == ("", "")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Plans", "Hi Bob,\n\nsee you.\n\nAda"),
        ("Réunion – 東京", "Grüße\n\n— Zoë"),
        ("", "Subject: this line is body text\n\nAda"),
        ("", ""),
        ("**Bold** subject", "Body"),
    ],
)
def test_joining_and_splitting_give_back_the_same_draft(subject: str, body: str) -> None:
    text = join_draft(subject, body)

    assert text.startswith(f"Subject: {subject}")
    assert split_draft(text) == (subject, body)


def test_joining_puts_the_subject_on_one_line_and_a_blank_line_after() -> None:
    assert join_draft("Plans\nfor Friday", "\n\nHi\n\n\n\nBob\n") == (
        "Subject: Plans for Friday\n\nHi\n\nBob"
    )
