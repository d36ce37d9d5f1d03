"""The prompt texts as values: templates with named blanks, refinements, summary wording.

Each type checks its own blanks when it is made (every `{placeholder}` declared, every
declared field used), so a renamed blank fails when the file is loaded instead of reaching
the model as literal braces. Reading the files is `prompt_files`; choosing among them is
`prompt_library`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.engine.protocol import ChatMessage


def placeholders(text: str) -> list[str]:
    """The `{names}` in `text`, in order; ValueError for braces that are not plain blanks."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ValueError(
            f"its braces do not pair up ({error}); write {{{{ or }}}} for a brace itself"
        ) from error
    names = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            written = (
                field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            raise ValueError(
                f"{{{written}}} is not a blank like {{points}} (a name in braces); "
                "write {{ or }} for a brace itself"
            )
        names.append(field)
    return names


def check_fields(fields: tuple[str, ...], texts: Iterable[str]) -> None:
    """ValueError unless `fields` are exactly the blanks `texts` use (each declared once)."""
    repeated = sorted({field for field in fields if fields.count(field) > 1})
    if repeated:
        raise ValueError(f"fields lists {_names(repeated)} more than once")
    used = [name for text in texts for name in placeholders(text)]
    undeclared = sorted(set(used) - set(fields))
    if undeclared:
        raise ValueError(f"the text uses {_blanks(undeclared)} but fields does not list it")
    unused = sorted(set(fields) - set(used))
    if unused:
        raise ValueError(f"fields lists {_names(unused)} but the text never uses {_blanks(unused)}")


def check_values(what: str, fields: tuple[str, ...], values: Mapping[str, str]) -> None:
    """ValueError naming the fields `values` lacks and the ones it has that `what` lacks.

    Not a HearthError: the caller, not the user, chose which values to pass."""
    missing = [field for field in fields if field not in values]
    unknown = sorted(set(values) - set(fields))
    if missing:
        raise ValueError(f"{what} needs a value for {_names(missing)}")
    if unknown:
        raise ValueError(f"{what} has no field {_names(unknown)}")


def refuse_braces(label: str, text: str, own: bool = False) -> None:
    """ValueError if `text` has braces: where it takes no blanks, a brace is a typo for one
    (or, in the user's own refinement, a blank Hearth would never fill)."""
    if "{" in text or "}" in text:
        takes = "your own refinements take" if own else "it takes"
        raise ValueError(f"{label} has a {{ or }}, but {takes} no blanks like {{language}}")


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)


def _blanks(names: Iterable[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


@dataclass(frozen=True)
class PromptTemplate:
    """A system and a user message with named blanks ("{points}"), e.g. an e-mail draft.

    `key` is the file's name without `.toml` ("email.compose"); `fields` are the blanks, in
    the order the file lists them."""

    key: str
    name: str
    system: str
    user: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        check_fields(self.fields, (self.system, self.user))

    def messages(self, **values: str) -> list[ChatMessage]:
        """The system and the user message with every blank filled (exactly its fields)."""
        check_values(f"the prompt {self.key!r}", self.fields, values)
        return [
            ChatMessage("system", self.system.format(**values)),
            ChatMessage("user", self.user.format(**values)),
        ]


@dataclass(frozen=True)
class Refinement:
    """A way to rework an e-mail draft: "Shorter", "Translate", or the user's own.

    Shipped instructions may have blanks (translate: "{language}"), listed in `fields`.
    A user's own instruction has no blanks and no braces at all, so formatting any
    instruction with `text()` (or `str.format`) is safe."""

    key: str
    name: str
    instruction: str
    user_made: bool
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.user_made:
            refuse_braces("the instruction", self.instruction, own=True)
        check_fields(self.fields, (self.instruction,))

    def text(self, **values: str) -> str:
        """The instruction with its blanks filled from `values`.

        Values it has no blank for are ignored, so a caller can offer what it has (the
        chosen language) whichever refinement the user picked; a missing one is a bug."""
        wanted = {field: value for field, value in values.items() if field in self.fields}
        check_values(f"the refinement {self.key!r}", self.fields, wanted)
        return self.instruction.format(**wanted)


@dataclass(frozen=True)
class SummaryWording:
    """The summary wording that is not a whole template: the styles people choose from
    (key -> instruction, in the order they are offered), the language rule, and how each
    part's notes are headed in a merge prompt."""

    styles: Mapping[str, str]
    language: str  # "Write in {language}."
    same_language: str  # when the user chose no language
    note: str  # "Notes on {label}:\n{text}"

    def __post_init__(self) -> None:
        if not self.styles:
            raise ValueError("there are no styles")
        for key, instruction in self.styles.items():
            refuse_braces(f"the style {key!r}", instruction)
        refuse_braces("same_language", self.same_language)
        for key, text, blanks in (
            ("language", self.language, ("language",)),
            ("note", self.note, ("label", "text")),
        ):
            if sorted(placeholders(text)) != sorted(blanks):
                raise ValueError(f"{key!r} must use the blanks {_blanks(blanks)}, each once")

    def language_rule(self, language: str | None) -> str:
        """ "Write in French." or, with no language, the one that keeps the document's."""
        return self.language.format(language=language) if language else self.same_language
