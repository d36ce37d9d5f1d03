"""What the model is asked at each step of a document summary.

Kept apart from the job so the wording can be tuned without touching the bookkeeping; the
wording itself is data in resources/prompts/ (summary.*.toml, summary-wording.toml), read
once through the prompt library. Map calls ask for faithful notes on one part (with its
pages); merge calls combine notes; only the last call asks for the style the user chose,
so the style applies once, to the whole document.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.protocol import ChatMessage
from app.errors import InvalidInputError
from app.tasks.prompt_library import shipped_library

WORDING = shipped_library().summary_wording
STYLES: dict[str, str] = dict(WORDING.styles)
STYLE_NAMES = tuple(STYLES)


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
        return WORDING.language_rule(self.language)

    @property
    def label(self) -> str:
        return "custom" if self.instruction else self.style


def map_prompt(name: str, part: int, parts: int, location: str, text: str) -> list[ChatMessage]:
    """Notes on one part of a long document, to be merged later."""
    return (
        shipped_library()
        .template("summary.map")
        .messages(
            name=name,
            part=str(part),
            parts=str(parts),
            where=f" ({location})" if location else "",
            text=text,
        )
    )


def merge_prompt(
    name: str, notes: list[tuple[str, str]], final: SummaryStyle | None
) -> list[ChatMessage]:
    """Combine notes on consecutive parts; with `final`, this is the last call."""
    body = "\n\n".join(WORDING.note.format(label=label, text=text) for label, text in notes)
    if final is None:
        return shipped_library().template("summary.merge").messages(name=name, notes=body)
    return (
        shipped_library()
        .template("summary.final")
        .messages(
            name=name,
            notes=body,
            instruction=final.final_instruction,
            language_rule=final.language_rule,
        )
    )


def whole_prompt(name: str, text: str, style: SummaryStyle) -> list[ChatMessage]:
    """The whole document fits one call."""
    return (
        shipped_library()
        .template("summary.whole")
        .messages(
            name=name,
            text=text,
            instruction=style.final_instruction,
            language_rule=style.language_rule,
        )
    )
