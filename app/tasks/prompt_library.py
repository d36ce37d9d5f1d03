"""The prompt library: every prompt Hearth sends, read from data files, plus the user's own.

Shipped files live in `resources/prompts/` (their format is in the README there):
`<key>.toml` is one template ("email.compose.toml"), `refinements.toml` the ways to rework
a draft, `summary-wording.toml` the summary styles. A broken shipped file is a bug of ours,
so loading raises. The user's refinements are one file each in their own folder (the
config folder's `prompts/`); a broken one is skipped and described in `problems`, and the
app runs on. A user's refinement never replaces nor shadows a shipped one: its key starts
with "user:" and its name may not match a shipped name or key.

The e-mail tones and lengths are constants here, not data: code chooses among them (the
CLI's choices, the window's menus), so they change with code, not with wording.
"""

from __future__ import annotations

import functools
from pathlib import Path

from app.errors import InvalidInputError
from app.paths import Paths
from app.resources import resource_path
from app.tasks.prompt_files import (
    PromptFileError,
    read_refinements,
    read_summary_wording,
    read_template,
    read_user_refinement,
    slug,
    write_user_refinement,
)
from app.tasks.prompt_templates import PromptTemplate, Refinement, SummaryWording

__all__ = [
    "EMAIL_LENGTHS",
    "EMAIL_TONES",
    "TEMPLATE_FIELDS",
    "PromptFileError",
    "PromptLibrary",
    "PromptTemplate",
    "Refinement",
    "SummaryWording",
    "shipped_library",
    "user_prompts_dir",
]

EMAIL_TONES: tuple[str, ...] = ("formal", "friendly", "concise", "apologetic", "persuasive")
EMAIL_LENGTHS: dict[str, int] = {"short": 80, "medium": 160, "long": 300}  # words, roughly

SHIPPED_DIR = resource_path("prompts")
REFINEMENTS_FILE = "refinements.toml"
SUMMARY_WORDING_FILE = "summary-wording.toml"

# The templates the code fills in, with the blanks it fills: a shipped file that lacks one,
# or whose blanks differ, fails on load (the code would fail on first use anyway).
TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "summary.map": frozenset({"name", "part", "parts", "where", "text"}),
    "summary.merge": frozenset({"name", "notes"}),
    "summary.final": frozenset({"name", "notes", "instruction", "language_rule"}),
    "summary.whole": frozenset({"name", "text", "instruction", "language_rule"}),
    "email.compose": frozenset({"recipient", "points", "tone", "words", "language", "sign_off"}),
    "email.reply": frozenset(
        {"sender", "subject", "last_message", "history", "points"}
        | {"tone", "words", "language", "sign_off"}
    ),
    "email.refine": frozenset({"draft", "instruction"}),
}


def user_prompts_dir(paths: Paths) -> Path:
    """Where the user's own prompt files live: `prompts/` in the config folder."""
    return paths.config_dir / "prompts"


class PromptLibrary:
    """The loaded templates and refinements. `problems`: a sentence per skipped user file."""

    def __init__(
        self,
        templates: dict[str, PromptTemplate],
        refinements: list[Refinement],
        summary_wording: SummaryWording,
        user_dir: Path | None = None,
    ) -> None:
        self._templates = templates
        self._shipped = list(refinements)
        self._own: list[Refinement] = []
        self.summary_wording = summary_wording
        self.user_dir = user_dir
        self.problems: list[str] = []

    @classmethod
    def load(
        cls, user_dir: Path | None = None, *, shipped_dir: Path | None = None
    ) -> PromptLibrary:
        """The shipped files (from `shipped_dir`, for tests; else resources/prompts) and the
        user's from `user_dir` (which need not exist yet). PromptFileError for a broken
        shipped file; a broken user file only adds to `problems`."""
        shipped = SHIPPED_DIR if shipped_dir is None else shipped_dir
        library = cls(
            _read_templates(shipped),
            read_refinements(shipped / REFINEMENTS_FILE),
            read_summary_wording(shipped / SUMMARY_WORDING_FILE),
            user_dir,
        )
        if user_dir is not None:
            library._read_user_files(user_dir)
        return library

    def template(self, key: str) -> PromptTemplate:
        """The template `key` ("email.compose"); LookupError (a bug) if there is none."""
        if key not in self._templates:
            raise LookupError(f"there is no prompt template {key!r}")
        return self._templates[key]

    def template_keys(self) -> list[str]:
        return sorted(self._templates)

    def refinements(self) -> list[Refinement]:
        """The shipped ones in their file's order, then the user's by name."""
        return [*self._shipped, *self._own]

    def refinement(self, key: str) -> Refinement:
        """The refinement with this key ("shorter", "user:tweet") or, failing that, this
        name in any case ("Rewrite as a tweet"); InvalidInputError naming the choices."""
        for refinement in self.refinements():
            if refinement.key == key:
                return refinement
        for refinement in self.refinements():
            if refinement.name.casefold() == key.strip().casefold():
                return refinement
        choices = ", ".join(refinement.key for refinement in self.refinements())
        raise InvalidInputError(f"There is no refinement {key!r}; choose one of {choices}.")

    def add_user_refinement(self, name: str, instruction: str) -> Refinement:
        """Save the user's own refinement as a file in `user_dir` and list it.

        InvalidInputError for an empty name or instruction, or a name that matches one
        already there (shipped or the user's); PromptFileError if the file can't be written."""
        if self.user_dir is None:
            raise ValueError("this library was loaded without a user folder")
        name, instruction = " ".join(name.split()), instruction.strip()
        key = slug(name)
        if not key:
            raise InvalidInputError("A refinement needs a name with letters or digits in it.")
        if not instruction:
            raise InvalidInputError(f"The refinement {name!r} needs an instruction.")
        self._refuse_clash(name, key)
        try:
            refinement = Refinement(f"user:{key}", name, instruction, True)
        except ValueError as error:
            raise InvalidInputError(f"The refinement {name!r} cannot be saved: {error}.") from error
        try:
            write_user_refinement(self.user_dir, key, name, instruction)
        except FileExistsError as error:
            raise InvalidInputError(
                f"There is already a refinement file {error.filename}; choose another name."
            ) from error
        except OSError as error:
            path = self.user_dir / f"{key}.toml"
            raise PromptFileError(
                path, f"it cannot be written ({error.strerror or error})"
            ) from error
        self._add_own(refinement)
        return refinement

    def _refuse_clash(self, name: str, key: str) -> None:
        """InvalidInputError if `name` (slug `key`) would read like a refinement already
        listed: a shipped key or name, or one of the user's names."""
        for refinement in self.refinements():
            taken = {slug(refinement.name)}
            if not refinement.user_made:
                taken.add(refinement.key)
            if key in taken:
                whose = "your own" if refinement.user_made else "a built-in"
                raise InvalidInputError(
                    f"{name!r} is too close to {whose} refinement {refinement.name!r}; "
                    "choose another name."
                )

    def _read_user_files(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.toml")):
            try:
                refinement = read_user_refinement(path)
                self._refuse_clash(refinement.name, slug(refinement.name))
            except PromptFileError as error:
                self.problems.append(f"Your prompt file {path} was skipped: {error.problem}.")
                continue
            except InvalidInputError as error:
                self.problems.append(f"Your prompt file {path} was skipped: {error.message}")
                continue
            self._add_own(refinement)

    def _add_own(self, refinement: Refinement) -> None:
        self._own.append(refinement)
        self._own.sort(key=lambda own: (own.name.casefold(), own.key))


def _read_templates(folder: Path) -> dict[str, PromptTemplate]:
    special = {REFINEMENTS_FILE, SUMMARY_WORDING_FILE}
    paths = [path for path in sorted(folder.glob("*.toml")) if path.name not in special]
    templates = {path.stem: read_template(path) for path in paths}
    for key, fields in TEMPLATE_FIELDS.items():
        path = folder / f"{key}.toml"
        if key not in templates:
            raise PromptFileError(path, "it is missing")
        if set(templates[key].fields) != fields:
            expected = ", ".join(sorted(fields))
            raise PromptFileError(path, f"its fields must be exactly {expected}")
    return templates


@functools.cache
def shipped_library() -> PromptLibrary:
    """The shipped prompts alone, read once: what summaries use on every call."""
    return PromptLibrary.load()
