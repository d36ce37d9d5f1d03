"""What the window figures show: a long conversation of Markdown answers, and its history.

The answers look like a model's (prose with emphasis and links, lists, tables, code blocks),
because rendering Markdown is what a transcript spends its time on.
"""

from __future__ import annotations

from pathlib import Path

from app.store import History

LONG_CONVERSATION = 2000


def answer(number: int, length: int) -> str:
    """Markdown shaped like a model's answer: prose, lists, a table, code blocks."""
    prose = (
        f"Point {number}: the quick brown fox **jumps** over the lazy dog, and `parse()` "
        "explains why the [documentation](https://example.com/docs) matters here. "
    )
    code = "\n".join(
        f"def handler_{i}(request):\n    value = compute(request.data, {i})  # note\n"
        "    return value * 2"
        for i in range(6)
    )
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts += [
            prose * 3,
            "- first point\n- second point with `code`\n- third point",
            f"```python\n{code}\n```",
            "| option | value |\n|---|--:|\n| retries | 3 |\n| timeout | 30 |",
            prose * 2,
            "```bash\npip install thing && thing --flag\n```",
        ]
    return "\n\n".join(parts)[:length]


def add_conversation(history: History, title: str, messages: int) -> int:
    """A conversation of `messages` questions and 900-character answers, written through
    `History` in one transaction (as an import would)."""
    cid = history.create_conversation(title=title)
    with history.db.atomic():
        for number in range(1, messages + 1):
            if number % 2:
                history.add_message(cid, "user", f"Question {number}: how do I do thing {number}?")
            else:
                history.add_message(cid, "assistant", answer(number, 900))
    return cid


def long_and_short(database: Path) -> tuple[int, int]:
    """A history with a 2,000-message conversation and a short one (to switch between)."""
    with History.open(database) as history:
        long = add_conversation(history, "A long conversation", LONG_CONVERSATION)
        short = add_conversation(history, "A short one", 4)
    return long, short
