"""Separating a message's own words from the earlier messages quoted in it."""

from __future__ import annotations

import pytest

from app.mail.model import MailAddress, QuotedMessage
from app.mail.quotes import split_quotes, tidy

ADA = MailAddress("Ada Lovelace", "ada@example.org")
CHARLES = MailAddress("Charles Babbage", "charles@example.org")


def test_text_without_quotes_is_all_its_own() -> None:
    assert split_quotes("Hi Bob,\r\n\r\n\r\n\r\nsee you.  \n\n") == ("Hi Bob,\n\nsee you.", ())


def test_nested_angle_quotes_become_older_messages() -> None:
    text = (
        "Top reply.\n\n"
        "On Tue, Mar 4, 2025 at 10:15 AM Ada Lovelace <ada@example.org> wrote:\n"
        "> Second message.\n"
        ">\n"
        "> On Mon, Mar 3, 2025 at 9:00 AM Charles Babbage <charles@example.org> wrote:\n"
        ">> First message.\n"
        ">>> A bare older quote.\n"
    )

    assert split_quotes(text) == (
        "Top reply.",
        (
            QuotedMessage(ADA, "Tue, Mar 4, 2025 at 10:15 AM", "Second message."),
            QuotedMessage(CHARLES, "Mon, Mar 3, 2025 at 9:00 AM", "First message."),
            QuotedMessage(None, "", "A bare older quote."),
        ),
    )


@pytest.mark.parametrize(
    ("attribution", "date"),
    [
        ("On 4 Mar 2025, at 10:15, Ada Lovelace <ada@example.org> wrote:", "4 Mar 2025, at 10:15"),
        ("On 04/03/2025 10:15, Ada Lovelace wrote:", "04/03/2025 10:15"),
        ("Le mar. 4 mars 2025 à 10:15, Ada Lovelace <ada@example.org> a écrit :",
         "mar. 4 mars 2025 à 10:15"),
        ("Am Di., 4. März 2025 um 10:15 Uhr schrieb Ada Lovelace <ada@example.org>:",
         "Di., 4. März 2025 um 10:15 Uhr"),
        ("Am 04.03.2025 um 10:15 schrieb Ada Lovelace:", "04.03.2025 um 10:15"),
        ("El mar, 4 mar 2025 a las 10:15, Ada Lovelace (<ada@example.org>) escribió:",
         "mar, 4 mar 2025 a las 10:15"),
        ("Il giorno mar 4 mar 2025 alle ore 10:15 Ada Lovelace <ada@example.org> ha scritto:",
         "mar 4 mar 2025 alle ore 10:15"),
        ("Op di 4 mrt. 2025 om 10:15 schreef Ada Lovelace <ada@example.org>:",
         "di 4 mrt. 2025 om 10:15"),
        ("Den tis 4 mars 2025 kl 10:15 skrev Ada Lovelace <ada@example.org>:",
         "tis 4 mars 2025 kl 10:15"),
        ("Em ter., 4 de mar. de 2025 às 10:15, Ada Lovelace <ada@example.org> escreveu:",
         "ter., 4 de mar. de 2025 às 10:15"),
        # Wrapped by the sender's client at ~76 characters.
        ("On Tue, Mar 4, 2025 at 10:15 AM Ada Lovelace <\nada@example.org> wrote:",
         "Tue, Mar 4, 2025 at 10:15 AM"),
    ],
)  # fmt: skip
def test_attributions_in_several_languages_name_the_author_and_date(
    attribution: str, date: str
) -> None:
    own, history = split_quotes(f"My answer.\n\n{attribution}\n> The question.\n")

    assert own == "My answer."
    assert len(history) == 1
    assert history[0].date == date
    assert history[0].author is not None
    assert history[0].author.name == "Ada Lovelace"
    assert history[0].author.address in ("ada@example.org", "")
    assert history[0].text == "The question."


def test_a_reply_below_or_between_the_quotes_is_kept_as_own_text() -> None:
    text = (
        "Ada Lovelace <ada@example.org> wrote:\n"
        "> Can you come on Friday?\n"
        "\n"
        "Yes.\n"
        "\n"
        "> And bring the drawings?\n"
        "Of course.\n"
    )

    own, history = split_quotes(text)

    assert own == "Yes.\n\nOf course."
    assert history == (
        QuotedMessage(ADA, "", "Can you come on Friday?\n\nAnd bring the drawings?"),
    )


def test_an_outlook_original_message_block_is_an_earlier_message_without_quote_marks() -> None:
    text = (
        "Thanks, done.\n\n"
        "-----Original Message-----\n"
        "From: Ada Lovelace [mailto:ada@example.org]\n"
        "Sent: Tuesday, March 4, 2025 10:15 AM\n"
        "To: Charles Babbage; Mary Somerville; Augustus De Morgan;\n"
        "  Michael Faraday\n"
        "Subject: RE: Drawings\n\n"
        "Please send them.\n\n"
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Charles Babbage <charles@example.org>\n"
        "Gesendet: Montag, 3. März 2025 09:00\n"
        "An: Ada Lovelace\n"
        "Betreff: Drawings\n\n"
        "Here they are.\n"
    )

    assert split_quotes(text) == (
        "Thanks, done.",
        (
            QuotedMessage(
                ADA, "Tuesday, March 4, 2025 10:15 AM", "Please send them.", "RE: Drawings"
            ),
            QuotedMessage(CHARLES, "Montag, 3. März 2025 09:00", "Here they are.", "Drawings"),
        ),
    )


def test_a_bold_header_block_from_an_html_mail_is_recognised() -> None:
    text = (
        "Agreed.\n\n*From:* Ada Lovelace <ada@example.org>\n*Sent:* Tuesday, 4 March 2025 "
        "10:15\n*To:* Charles\n*Subject:* Plans\n\nThe plans are ready.\n"
    )

    own, history = split_quotes(text)

    assert own == "Agreed."
    assert history == (
        QuotedMessage(ADA, "Tuesday, 4 March 2025 10:15", "The plans are ready.", "Plans"),
    )


def test_an_original_message_line_alone_starts_an_unnamed_earlier_message() -> None:
    own, history = split_quotes("New text.\n\n----- Original Message -----\nOld text.\n")

    assert own == "New text."
    assert history == (QuotedMessage(None, "", "Old text."),)


@pytest.mark.parametrize(
    "text",
    [
        "Here is the plan:\nFirst we meet.\nThen we build.",
        "Note: the meeting moved.\nFrom: the office, with love.",
        "Thanks,\nAda wrote: nothing since.",
        "On second thought, Bob wrote:\nwe should wait.",  # no date, no quote: prose
        "--- Agenda ---\n1. Budget\n2. Plans",
        "From: my side, all good.\nDate: to be decided.",  # no address-like header block
    ],
)
def test_ordinary_prose_is_not_taken_for_a_quote(text: str) -> None:
    own, history = split_quotes(text)

    assert history == ()
    assert own == text


def test_a_two_line_join_does_not_swallow_the_line_before_an_attribution() -> None:
    own, history = split_quotes("Thanks,\nAda wrote:\n> Hello\n")

    assert own == "Thanks,"
    assert history == (QuotedMessage(MailAddress("Ada"), "", "Hello"),)


def test_a_hostile_depth_of_quotes_does_not_exhaust_the_stack() -> None:
    text = "\n".join(">" * depth + " level" for depth in range(1, 500))

    own, history = split_quotes(text)

    assert own == ""
    assert 0 < len(history) <= 61
    assert history[0].text == "level"


def test_tidy_trims_lines_and_blank_runs() -> None:
    assert tidy("\n\n a  \n\n\n\nb\t\n\n") == " a\n\nb"
