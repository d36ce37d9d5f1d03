"""mailto: links that open a new message in the person's own mail app, filled in.

RFC 6068: addresses, then `subject` and `body` fields, every byte outside the unreserved
set percent-encoded as UTF-8 (so a space is %20, never "+", and "&", "?", "#", "%" cannot
end a field early), and line breaks in the body written as CRLF (%0D%0A).

Long links are not reliable: Windows hands them to the mail app through a path limited to
about 2,048 characters (older Outlook and Internet Explorer stopped at 2,083), and some mail
apps cut longer ones silently, losing the end of the draft without a word. Above the limit
there is no link at all, so the caller copies the draft instead and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from app.documents.text_reader import normalize_newlines
from app.mail.model import MailAddress

# The longest mailto: link Hearth hands out (see the module docstring): under Windows'
# ~2,048-character limit, with room to spare for the way each client re-encodes it.
MAILTO_MAX_LENGTH = 2000


def mailto_url(to: Sequence[MailAddress], subject: str, body: str) -> str | None:
    """A mailto: link to `to` (addresses only; names do not belong in one) with `subject`
    and `body`, or None when it would be longer than MAILTO_MAX_LENGTH."""
    addresses = ",".join(quote(person.address, safe="@") for person in to if person.address)
    fields = []
    if subject:
        fields.append(f"subject={_encode(' '.join(subject.split()))}")
    if body:
        fields.append(
            f"body={_encode(normalize_newlines(body).replace(chr(10), chr(13) + chr(10)))}"
        )
    url = f"mailto:{addresses}" + (f"?{'&'.join(fields)}" if fields else "")
    return url if len(url) <= MAILTO_MAX_LENGTH else None


def _encode(text: str) -> str:
    """Every character but letters, digits and "-._~" percent-encoded as UTF-8."""
    return quote(text, safe="", encoding="utf-8")
