"""What the model is asked for an e-mail: the user's choices, turned into the library's
prompts (resources/prompts/email.*.toml and the refinements)."""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.protocol import ChatMessage
from app.errors import InvalidInputError
from app.tasks.prompt_library import EMAIL_LENGTHS, EMAIL_TONES, PromptLibrary, Refinement

THREAD_LANGUAGE = "the same language as the last message"


@dataclass(frozen=True)
class EmailStyle:
    """How the draft should read. `language` "" means: a reply follows its thread, a new
    e-mail is written in the app's language (the caller passes it)."""

    tone: str = "friendly"
    length: str = "medium"
    language: str = ""
    sign_off: str = ""

    def __post_init__(self) -> None:
        if self.tone not in EMAIL_TONES:
            raise InvalidInputError(
                f"There is no tone {self.tone!r}; choose one of {', '.join(EMAIL_TONES)}."
            )
        if self.length not in EMAIL_LENGTHS:
            raise InvalidInputError(
                f"There is no length {self.length!r}; choose one of {', '.join(EMAIL_LENGTHS)}."
            )

    @property
    def words(self) -> int:
        return EMAIL_LENGTHS[self.length]

    def describe(self) -> str:
        """ "friendly, medium, in French" — how the request reads in the conversation."""
        parts = [self.tone, self.length] + ([f"in {self.language}"] if self.language else [])
        return ", ".join(parts)


def compose_prompt(
    library: PromptLibrary, recipient: str, points: str, style: EmailStyle
) -> list[ChatMessage]:
    return library.template("email.compose").messages(
        recipient=recipient.strip() or "the recipient",
        points=points.strip(),
        tone=style.tone,
        words=str(style.words),
        language=style.language or "English",
        sign_off=style.sign_off.strip(),
    )


def reply_prompt(
    library: PromptLibrary,
    *,
    sender: str,
    subject: str,
    last_message: str,
    history: str,
    points: str,
    style: EmailStyle,
) -> list[ChatMessage]:
    return library.template("email.reply").messages(
        sender=sender,
        subject=subject,
        last_message=last_message,
        history=history,
        points=points.strip(),
        tone=style.tone,
        words=str(style.words),
        language=style.language or THREAD_LANGUAGE,
        sign_off=style.sign_off.strip(),
    )


def refine_prompt(
    library: PromptLibrary, draft: str, refinement: Refinement, language: str = ""
) -> list[ChatMessage]:
    """Rework `draft` as `refinement` says (a translation needs `language`)."""
    if "language" in refinement.fields and not language.strip():
        raise InvalidInputError("Say which language to translate the draft into.")
    instruction = refinement.text(language=language.strip())
    return library.template("email.refine").messages(draft=draft, instruction=instruction)
