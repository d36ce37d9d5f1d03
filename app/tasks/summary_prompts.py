"""What the model is asked at each step of a document summary.

Kept apart from the job so the wording can be tuned without touching the bookkeeping.
Map calls ask for faithful notes on one part (with its pages); merge calls combine notes;
only the last call asks for the style the user chose, so the style applies once, to the
whole document.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.protocol import ChatMessage
from app.errors import InvalidInputError

STYLES: dict[str, str] = {
    "brief": "Write a brief summary of the whole document: one or two short paragraphs.",
    "points": "Summarize the whole document as a list of its key points, one line each.",
    "detailed": (
        "Write a detailed summary of the whole document, section by section, keeping the "
        "important facts, figures and conclusions."
    ),
    "actions": (
        "List the action items in the document: who should do what, by when, as a "
        "checklist. Say so plainly if there are none."
    ),
}
STYLE_NAMES = tuple(STYLES)

SYSTEM = (
    "You summarize documents faithfully. Use only what the text says; never invent facts. "
    "Keep names, numbers and dates exact."
)


@dataclass(frozen=True)
class SummaryStyle:
    """The user's choice: a named style or their own instruction, and the language."""

    style: str = "brief"
    instruction: str | None = None
    language: str | None = None  # None: the document's own language

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise InvalidInputError(
                f"There is no summary style {self.style!r}; choose one of {', '.join(STYLE_NAMES)}."
            )

    @property
    def final_instruction(self) -> str:
        return self.instruction.strip() if self.instruction else STYLES[self.style]

    @property
    def language_rule(self) -> str:
        if self.language:
            return f"Write in {self.language}."
        return "Write in the same language as the document."

    @property
    def label(self) -> str:
        return "custom" if self.instruction else self.style


def map_prompt(name: str, part: int, parts: int, location: str, text: str) -> list[ChatMessage]:
    """Notes on one part of a long document, to be merged later."""
    where = f" ({location})" if location else ""
    return [
        ChatMessage("system", SYSTEM),
        ChatMessage(
            "user",
            f"This is part {part} of {parts} of the document {name}{where}.\n\n{text}\n\n"
            "Write concise notes on this part: its main points, facts, figures, decisions "
            "and open questions. Write in the same language as the text.",
        ),
    ]


def merge_prompt(
    name: str, notes: list[tuple[str, str]], final: SummaryStyle | None
) -> list[ChatMessage]:
    """Combine notes on consecutive parts; with `final`, this is the last call."""
    body = "\n\n".join(f"Notes on {label}:\n{text}" for label, text in notes)
    if final is None:
        ask = (
            "Merge these notes into one set of concise notes covering all of them, in order. "
            "Keep every important point. Write in the same language as the notes."
        )
    else:
        ask = f"{final.final_instruction} {final.language_rule}"
    return [
        ChatMessage("system", SYSTEM),
        ChatMessage("user", f"Notes on the document {name}, in order:\n\n{body}\n\n{ask}"),
    ]


def whole_prompt(name: str, text: str, style: SummaryStyle) -> list[ChatMessage]:
    """The whole document fits one call."""
    return [
        ChatMessage("system", SYSTEM),
        ChatMessage(
            "user",
            f"The document {name}:\n\n{text}\n\n{style.final_instruction} {style.language_rule}",
        ),
    ]
