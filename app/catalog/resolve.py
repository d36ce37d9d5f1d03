"""Turning what the user typed after `--model` into a model file.

A path to a file wins; otherwise an installed model's id; a catalog id that is not
downloaded yet gets the command that downloads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.catalog.library import ModelLibrary
from app.errors import InvalidInputError, ModelFileError


@dataclass(frozen=True)
class ResolvedModel:
    path: Path
    label: str  # what the conversation remembers: the installed id, or the file's path


def resolve_model(spec: str | None, library: ModelLibrary) -> ResolvedModel:
    if not spec:
        raise InvalidInputError(
            "Choose a model: --model with an installed model's id (see: hearth models list) "
            "or the path of a .gguf file."
        )
    path = Path(spec).expanduser()
    if path.is_file():
        return ResolvedModel(path.resolve(), str(path.resolve()))
    installed = library.find(spec)
    if installed is not None:
        return ResolvedModel(installed.path, installed.id)
    if _looks_like_a_path(spec):
        raise ModelFileError(f"There is no model file at {path}. Check the path and try again.")
    from app.catalog.catalog import find_catalog_model, load_catalog

    entry = find_catalog_model(load_catalog(), spec)
    if entry is not None:
        raise ModelFileError(
            f"{entry.name} is not downloaded yet. Download it with: "
            f"hearth models download {entry.id}"
        )
    raise ModelFileError(
        f"No installed model has the id {spec!r} and there is no file by that name. "
        "See the installed models with: hearth models list"
    )


def _looks_like_a_path(spec: str) -> bool:
    return "/" in spec or "\\" in spec or spec.lower().endswith(".gguf") or spec.startswith(".")
