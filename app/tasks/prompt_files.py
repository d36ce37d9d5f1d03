"""Reading and writing the prompt files (TOML), with a sentence for each way one can be wrong.

People write their own refinement files by hand, so every check names the file and says
what to change. Shipped files get the same checks: a typo in ours fails the tests instead
of confusing the model. Texts are stripped of leading and trailing whitespace, so a
multi-line string may start and end on lines of its own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.errors import HearthError
from app.tasks.prompt_templates import PromptTemplate, Refinement, SummaryWording

TEMPLATE_KEYS = ("name", "fields", "system", "user")
REFINEMENT_KEYS = ("name", "instruction", "fields")
USER_REFINEMENT_KEYS = ("name", "instruction")
WORDING_KEYS = ("language", "same_language", "note", "styles")
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")  # a shipped refinement's or style's key

TYPE_NAMES: dict[type, str] = {
    str: "text in quotes",
    bool: "true or false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "a table",
}


class PromptFileError(HearthError):
    """A prompt file cannot be used: unreadable, not TOML, or not the shape it must have.

    A shipped one is a bug in Hearth; a user's is skipped and reported."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"The prompt file {path} cannot be used: {problem}.")
        self.path = path
        self.problem = problem


def read_template(path: Path) -> PromptTemplate:
    """The template in `path`; its key is the file name without `.toml`."""
    table = _read_toml(path)
    _check_keys(path, table, TEMPLATE_KEYS, required=TEMPLATE_KEYS)
    with _own_checks(path):
        return PromptTemplate(
            key=path.stem,
            name=_text(path, table, "name"),
            system=_text(path, table, "system"),
            user=_text(path, table, "user"),
            fields=_text_list(path, table, "fields"),
        )


def read_refinements(path: Path) -> list[Refinement]:
    """The shipped refinements: one table each, in the file's order."""
    refinements = []
    for key, entry in _read_toml(path).items():
        table = _table(path, key, entry)
        _check_keys(path, table, REFINEMENT_KEYS, required=("name", "instruction"), where=key)
        name = _text(path, table, "name", where=key)
        instruction = _text(path, table, "instruction", where=key)
        fields = _text_list(path, table, "fields", where=key) if "fields" in table else ()
        with _own_checks(path, where=key):
            refinements.append(Refinement(key, name, instruction, False, fields))
    return refinements


def read_user_refinement(path: Path) -> Refinement:
    """A refinement the user made: `name` and `instruction`; its key is `user:<file name>`."""
    table = _read_toml(path)
    _check_keys(path, table, USER_REFINEMENT_KEYS, required=USER_REFINEMENT_KEYS)
    name = " ".join(_text(path, table, "name").split())
    with _own_checks(path):
        return Refinement(f"user:{path.stem}", name, _text(path, table, "instruction"), True)


def read_summary_wording(path: Path) -> SummaryWording:
    """The summary styles, language rule and note heading."""
    table = _read_toml(path)
    _check_keys(path, table, WORDING_KEYS, required=WORDING_KEYS)
    styles = _table(path, "styles", table["styles"])
    for key in styles:
        _check_key(path, key)
    with _own_checks(path):
        return SummaryWording(
            styles={key: _text(path, styles, key, where="styles") for key in styles},
            language=_text(path, table, "language"),
            same_language=_text(path, table, "same_language"),
            note=_text(path, table, "note"),
        )


def write_user_refinement(folder: Path, key: str, name: str, instruction: str) -> Path:
    """Save a new refinement as `folder/<key>.toml`; never replaces a file (FileExistsError)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.toml"
    text = (
        "# A refinement you added to Hearth: a way to rework an e-mail draft.\n"
        "# Edit the name or the instruction here; Hearth reads this file when it starts.\n"
        f"name = {_toml_string(name)}\n"
        f"instruction = {_toml_string(instruction, multiline=True)}\n"
    )
    with path.open("x", encoding="utf-8", newline="\n") as file:
        file.write(text)
    return path


def slug(name: str) -> str:
    """A file-name-safe key for a name: "Rewrite as a tweet!" -> "rewrite-as-a-tweet"."""
    return "-".join(re.findall(r"[^\W_]+", name.casefold()))[:60].strip("-")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise PromptFileError(path, f"it is not valid TOML ({error})") from error
    except UnicodeDecodeError as error:
        raise PromptFileError(path, "it is not UTF-8 text") from error
    except OSError as error:
        raise PromptFileError(path, f"it cannot be read ({error.strerror or error})") from error


@contextmanager
def _own_checks(path: Path, where: str = "") -> Iterator[None]:
    """Turn the ValueError of a prompt type's own checks into a PromptFileError for `path`."""
    try:
        yield
    except ValueError as error:
        raise PromptFileError(path, _at(where) + str(error)) from error


def _check_keys(
    path: Path,
    table: dict[str, Any],
    allowed: tuple[str, ...],
    required: tuple[str, ...],
    where: str = "",
) -> None:
    missing = [key for key in required if key not in table]
    if missing:
        raise PromptFileError(path, f"{_at(where)}it has no {missing[0]!r}")
    unknown = [key for key in table if key not in allowed]
    if unknown:
        choices = ", ".join(repr(key) for key in allowed)
        raise PromptFileError(path, f"{_at(where)}{unknown[0]!r} is not one of {choices}")


def _check_key(path: Path, key: str) -> None:
    if not KEY_PATTERN.fullmatch(key):
        raise PromptFileError(path, f"[{key}] is not a key of lower-case letters, digits and -")


def _table(path: Path, key: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PromptFileError(path, f"{key!r} must be a table ([{key}]), not {_kind(value)}")
    _check_key(path, key)
    return value


def _text(path: Path, table: dict[str, Any], key: str, where: str = "") -> str:
    value = table[key]
    if not isinstance(value, str):
        raise PromptFileError(
            path, f"{_at(where)}{key!r} must be text in quotes, not {_kind(value)}"
        )
    if not value.strip():
        raise PromptFileError(path, f"{_at(where)}{key!r} is empty")
    return value.strip()


def _text_list(path: Path, table: dict[str, Any], key: str, where: str = "") -> tuple[str, ...]:
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PromptFileError(
            path, f"{_at(where)}{key!r} must be a list of names in quotes, not {_kind(value)}"
        )
    return tuple(value)


def _at(where: str) -> str:
    return f"in [{where}], " if where else ""


def _kind(value: object) -> str:
    if isinstance(value, list) and value:
        return "a list of " + ", ".join(sorted({_kind(item) for item in value}))
    return TYPE_NAMES.get(type(value), type(value).__name__)


def _toml_string(text: str, multiline: bool = False) -> str:
    """`text` as a TOML basic string: quotes, backslashes and control characters escaped;
    with `multiline`, its line breaks kept as lines so the file stays readable."""
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif char == "\n" and multiline:
            escaped.append(char)
        elif char != "\t" and (ord(char) < 0x20 or ord(char) == 0x7F):
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    body = "".join(escaped)
    return f'"""\n{body}\n"""' if multiline else f'"{body}"'
