"""A draft saved as an .eml file that mail apps open as an editable, unsent message.

`X-Unsent: 1` is what makes Outlook (and Windows Mail) open the file as a new message ready
to edit and send rather than as a received one; other apps offer "Edit as new". A reply
carries the threading headers (In-Reply-To, References) so it lands in the right
conversation, and goes to the original's Reply-To, else its sender.

The file is RFC 5322 with CRLF line ends and UTF-8 text; headers that are not ASCII are
encoded by the standard library (policy.SMTP), so every mail app reads them back.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from app.errors import MailError
from app.mail.model import MailAddress, MailThread

# Prefixes mail programs put before a reply's subject, in the languages Hearth's users
# are likely to meet: Re (most), Aw (German), Sv (Nordic), Antw (Dutch), Vs (Finnish),
# Odp (Polish), R/Rif (Italian), Res (Portuguese), Ynt (Turkish), Отв (Russian), and the
# Chinese 回复/答复/回覆 with a full-width colon; "Re[2]:" and "Re(2):" count too.
_REPLY_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:re|aw|sv|antw|antwort|vs|odp|r|rif|res|ynt|отв|ответ|回复|答复|回覆)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]",
    re.IGNORECASE,
)
# Only for the Message-ID: make_msgid() would otherwise ask the network for this computer's
# name (socket.getfqdn), which can stall for seconds offline.
_FALLBACK_DOMAIN = "hearth.localhost"


def reply_subject(subject: str) -> str:
    """ "Re: " + `subject`, unless it already reads as a reply ("RE:", "Aw:", "Sv:", …)."""
    subject = " ".join(subject.split())
    if _REPLY_PREFIX.match(subject):
        return subject
    return f"Re: {subject}" if subject else "Re:"


def original_subject(subject: str) -> str:
    """`subject` without the reply prefixes in front of it ("Re: Aw: Lunch?" -> "Lunch?")."""
    subject = " ".join(subject.split())
    while match := _REPLY_PREFIX.match(subject):
        subject = subject[match.end() :].strip()
    return subject


def draft_message(
    subject: str,
    body: str,
    to: Sequence[MailAddress] = (),
    *,
    reply_to: MailThread | None = None,
    sender_name: str = "",
    sender_address: str = "",
    now: datetime | None = None,
) -> EmailMessage:
    """A draft e-mail, unsent. As a reply to `reply_to`: its subject (`subject`, or the
    original's when `subject` is "") reads as a reply, "Re:" never twice; it threads under
    the original; it goes to the original's Reply-To or sender unless `to` names the
    recipients (people in `to` without an address are left out). From is written only
    with `sender_address` (mail apps fill in the account's own when sending). `now`
    (default: the current local time) dates it."""
    message = EmailMessage(policy=policy.SMTP)
    people = to or _reply_recipients(reply_to)
    recipients = [_header_address(person) for person in people if person.address.strip()]
    if sender_address.strip():
        message["From"] = _header_address(MailAddress(sender_name, sender_address))
    if recipients:
        message["To"] = recipients
    subject = _one_line(subject)
    message["Subject"] = reply_subject(subject or reply_to.subject) if reply_to else subject
    message["Date"] = format_datetime(now or datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=_domain(sender_address))
    if reply_to is not None and reply_to.message_id:
        message["In-Reply-To"] = reply_to.message_id
        message["References"] = " ".join(reply_references(reply_to))
    message["X-Unsent"] = "1"
    message.set_content(body, charset="utf-8")
    return message


def reply_references(thread: MailThread) -> tuple[str, ...]:
    """A reply's References (RFC 5322 §3.6.4): the original's References (or, without them,
    its In-Reply-To), then its Message-ID; each id once."""
    earlier = thread.references or ((thread.in_reply_to,) if thread.in_reply_to else ())
    return tuple(dict.fromkeys((*earlier, thread.message_id)))


def _reply_recipients(thread: MailThread | None) -> tuple[MailAddress, ...]:
    return thread.reply_recipients() if thread is not None else ()


def _header_address(person: MailAddress) -> Address:
    """`person` for an address header: the name quoted or encoded as needed by the standard
    library, a non-ASCII domain in its ASCII (IDNA) form."""
    local, at, domain = _one_line(person.address).rpartition("@")
    if not at:
        return Address(display_name=_one_line(person.name), username=domain)
    with contextlib.suppress(UnicodeError):  # not a valid domain name: written as typed
        domain = domain.encode("idna").decode("ascii")
    return Address(display_name=_one_line(person.name), username=local, domain=domain)


def _one_line(text: str) -> str:
    """`text` without line breaks or runs of spaces: a header value may hold neither."""
    return " ".join(text.split())


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip()
    return domain if domain and re.fullmatch(r"[\w.-]+", domain) else _FALLBACK_DOMAIN


def write_draft(
    path: Path,
    subject: str,
    body: str,
    to: Sequence[MailAddress] = (),
    *,
    reply_to: MailThread | None = None,
    sender_name: str = "",
    sender_address: str = "",
    now: datetime | None = None,
) -> EmailMessage:
    """Saves the draft `draft_message` makes of the same arguments at `path` (an .eml file)
    and returns it. Raises MailError when the file cannot be written; nothing half-written
    is left behind."""
    message = draft_message(
        subject, body, to, reply_to=reply_to, sender_name=sender_name,
        sender_address=sender_address, now=now,
    )  # fmt: skip
    save_message(path, message)
    return message


def save_message(path: Path, message: EmailMessage) -> None:
    """Writes `message` to `path` as RFC 5322 bytes (CRLF), replacing the file at once."""
    data = message.as_bytes(policy=policy.SMTP)
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # the error above is the one to report
            partial.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise MailError(
            f"Hearth could not save the draft as {path} ({reason}). Choose another folder, "
            "or copy the draft instead."
        ) from exc
