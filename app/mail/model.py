"""What Hearth knows about an e-mail it helps to answer: who, to whom, about what, and the
text of the last message apart from the quoted history below it.

Everything is plain text, decoded once when the mail is read, so the drafting job, the CLI
and the window never deal with MIME, encoded headers or quote markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MailAddress:
    """A person's name and address; either may be "" (a pasted "From: Ada" has no address)."""

    name: str = ""
    address: str = ""

    def __str__(self) -> str:
        """ "Ada Lovelace <ada@example.org>", or whichever half is known."""
        if self.name and self.address:
            name = self.name
            if any(char in name for char in ',;:<>@"()[]\\'):  # RFC 5322 specials: quoted
                name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            return f"{name} <{self.address}>"
        return self.name or self.address


@dataclass(frozen=True)
class QuotedMessage:
    """An earlier message quoted in the thread. `author` is None and `date` and `subject`
    are "" when the quote does not say (a bare "> ..." block; only Outlook's header block
    names the subject)."""

    author: MailAddress | None
    date: str
    text: str
    subject: str = ""


@dataclass(frozen=True)
class MailThread:
    """An e-mail to reply to, read from a .eml file or from pasted text.

    `text` is the last message's own words; `history` holds the earlier messages quoted
    below (or above) it, newest first, each with its own quotes removed. Message ids keep
    their angle brackets ("<id@host>"); headers a pasted mail does not show are "" or empty.
    `attachments` names the files the mail carried; they are never read.
    """

    sender: MailAddress | None
    subject: str
    text: str
    reply_to: tuple[MailAddress, ...] = ()
    to: tuple[MailAddress, ...] = ()
    cc: tuple[MailAddress, ...] = ()
    date: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    history: tuple[QuotedMessage, ...] = field(default=())
    attachments: tuple[str, ...] = ()

    def reply_recipients(self) -> tuple[MailAddress, ...]:
        """Who a reply goes to: the Reply-To addresses if any, else the sender; only entries
        with an address (a pasted mail may name the sender without one)."""
        chosen = self.reply_to or ((self.sender,) if self.sender else ())
        return tuple(person for person in chosen if person.address)
