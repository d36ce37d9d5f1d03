"""A drafted e-mail as one text: a "Subject: …" line, a blank line, then the body.

The prompt asks the model for exactly that, and the same form is what a person edits and
what a refinement is asked to keep. Models drift from it, so reading is forgiving: Markdown
bold or a heading mark around "Subject:", the label in the draft's language, a short
preamble ("Here is the draft:") before it, a code fence around everything, a stray "Body:"
label, extra blank lines. Without a subject line the whole text is the body.
"""

from __future__ import annotations

import re

from app.documents.text_reader import normalize_newlines
from app.mail.quotes import tidy

_LABELS = "subject|subject line|betreff|objet|asunto|oggetto|onderwerp|assunto|ämne|emne|temat"
# "Subject:", "**Subject:**", "**Subject**:", "## Subject:"; the value is cleaned separately.
_SUBJECT_LINE = re.compile(
    rf"^\s*(?:#{{1,6}}\s*)?(?P<open>[*_]{{0,2}})\s*(?:{_LABELS})\s*[*_]{{0,2}}\s*:[*_]{{0,2}}"
    r"(?P<subject>.*)$",
    re.IGNORECASE,
)
_EMPHASIS = ("**", "__", "*", "_")
_BODY_LABEL = re.compile(r"^\s*[*_]{0,2}\s*body\s*[*_]{0,2}\s*:\s*[*_]{0,2}\s*$", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")
# The subject line may follow a short preamble; further down, "Subject:" is body text.
_SUBJECT_SEARCH_LINES = 3
_QUOTES = ('"', "'", "“", "”", "«", "»")


def split_draft(text: str) -> tuple[str, str]:
    """(subject, body) of a drafted e-mail; ("", the whole text) without a subject line."""
    lines = _unfenced(normalize_newlines(text).split("\n"))
    filled = [index for index, line in enumerate(lines) if line.strip()]
    for index in filled[:_SUBJECT_SEARCH_LINES]:
        if match := _SUBJECT_LINE.match(lines[index]):
            body = lines[index + 1 :]
            first = next((i for i, line in enumerate(body) if line.strip()), len(body))
            if first < len(body) and _BODY_LABEL.match(body[first]):
                body = body[first + 1 :]
            subject = _clean_subject(match.group("subject"), match.group("open"))
            return subject, tidy("\n".join(body))
    return "", tidy("\n".join(lines))


def join_draft(subject: str, body: str) -> str:
    """The one text `split_draft` reads back as (`subject`, `body`): "Subject: …", a blank
    line, the body. The subject line is there even when empty, so a body that happens to
    start with "Subject:" stays body."""
    return f"Subject: {' '.join(subject.split())}\n\n{tidy(body)}"


def _unfenced(lines: list[str]) -> list[str]:
    """The lines inside a code fence that wraps the whole text (some models add one)."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    if len(filled) >= 2 and _FENCE.match(lines[filled[0]]) and _FENCE.match(lines[filled[-1]]):
        return lines[filled[0] + 1 : filled[-1]]
    return lines


def _clean_subject(subject: str, opened: str) -> str:
    """The subject without Markdown emphasis or quotes wrapped around all of it, nor the
    end of a bold that began before the label ("**Subject: Plans**")."""
    subject = " ".join(subject.split())
    if opened and subject.endswith(opened) and not subject.startswith(opened):
        subject = subject[: -len(opened)].rstrip()
    for mark in _EMPHASIS:
        if len(subject) > 2 * len(mark) and subject.startswith(mark) and subject.endswith(mark):
            subject = subject[len(mark) : -len(mark)].strip()
            break
    if len(subject) >= 2 and subject[0] in _QUOTES and subject[-1] in _QUOTES:
        subject = subject[1:-1].strip()
    return subject
