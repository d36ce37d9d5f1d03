"""Naming a conversation after its first question.

An untitled conversation takes the first line of the first user message, so the list is
readable without asking the user to name anything (they can still rename it).
"""

from __future__ import annotations

TITLE_MAX_CHARS = 60


def title_from(content: str) -> str:
    """The first non-blank line of `content`, at most 60 characters, cut with "…"."""
    line = next((ln.strip() for ln in content.splitlines() if ln.strip()), "")
    if len(line) <= TITLE_MAX_CHARS:
        return line
    return line[: TITLE_MAX_CHARS - 1].rstrip() + "…"
