"""People and threads as plain values."""

from __future__ import annotations

from app.mail.model import MailAddress, MailThread


def test_an_address_is_written_as_mail_programs_write_it() -> None:
    assert str(MailAddress("Ada Lovelace", "ada@x.org")) == "Ada Lovelace <ada@x.org>"
    assert str(MailAddress("Lovelace, Ada", "ada@x.org")) == '"Lovelace, Ada" <ada@x.org>'
    assert str(MailAddress('Ada "the Countess"', "a@x.org")) == r'"Ada \"the Countess\"" <a@x.org>'
    assert str(MailAddress("Ada")) == "Ada"
    assert str(MailAddress(address="ada@x.org")) == "ada@x.org"


def test_a_reply_goes_to_reply_to_else_to_the_sender_and_only_to_addresses() -> None:
    ada = MailAddress("Ada", "ada@x.org")
    team = MailAddress("Team", "team@x.org")

    assert MailThread(ada, "s", "t").reply_recipients() == (ada,)
    assert MailThread(ada, "s", "t", reply_to=(team,)).reply_recipients() == (team,)
    assert MailThread(MailAddress("Ada"), "s", "t").reply_recipients() == ()
    assert MailThread(None, "s", "t").reply_recipients() == ()
