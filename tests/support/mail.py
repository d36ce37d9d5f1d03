"""E-mails for the mail tests, built with the standard library (or by hand when broken).

`build_mail` makes a well-formed message the way mail programs do; tests that need broken
MIME or lying charsets write the bytes themselves so the damage is visible in the test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage

ORIGINAL_HEADERS = {
    "From": "Ada Lovelace <ada@example.org>",
    "To": "Charles Babbage <charles@example.org>",
    "Date": "Tue, 04 Mar 2025 10:15:00 +0100",
    "Subject": "Engine drawings",
    "Message-ID": "<drawings-2@example.org>",
    "In-Reply-To": "<drawings-1@example.org>",
    "References": "<drawings-0@example.org> <drawings-1@example.org>",
}


def build_mail(
    *,
    text: str | None = None,
    html: str | None = None,
    headers: Mapping[str, str] = ORIGINAL_HEADERS,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """A message with `headers`, plain text and/or HTML (alternatives), then attachments."""
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(message)
