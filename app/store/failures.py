"""Turning SQLite's environment failures into messages for people.

A full disk, an I/O error, a read-only folder or a damaged file is not a bug: the user can
do something about it, so it becomes a `StoreError` saying what. Every other sqlite3 error
(a wrong column, a constraint we broke) is a bug and is left alone to be logged as one.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from app.errors import StoreError

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Primary SQLite result code -> (what happened, what to do).
_ENVIRONMENT: dict[str, tuple[str, str]] = {
    "SQLITE_FULL": ("the disk is full", "Free some space and try again."),
    "SQLITE_IOERR": ("the disk reported an error", "Check the disk and try again."),
    "SQLITE_READONLY": ("the file cannot be written", "Check that you may write to it."),
    "SQLITE_PERM": ("access was denied", "Check that you may read and write the file."),
    "SQLITE_CANTOPEN": ("the file cannot be opened", "Check that its folder exists."),
    "SQLITE_BUSY": ("another program kept it locked", "Close other Hearth windows and retry."),
    "SQLITE_LOCKED": ("another program kept it locked", "Close other Hearth windows and retry."),
}
_DAMAGED = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})


def _primary_code(exc: sqlite3.Error) -> str:
    """`SQLITE_IOERR_WRITE` -> `SQLITE_IOERR`: extended codes share their advice."""
    name: str = getattr(exc, "sqlite_errorname", "") or ""
    return "_".join(name.split("_")[:2])


def damaged_message(path: Path) -> str:
    return (
        f"{path} is not a Hearth history file, or it is damaged. Move it somewhere else "
        "(or put a backup in its place) and start Hearth again to begin a new history."
    )


def to_store_error(exc: sqlite3.Error, path: Path | None) -> StoreError | None:
    """The StoreError for an environment failure, or None when `exc` is a bug."""
    code = _primary_code(exc)
    where = f"the history at {path}" if path else "the history"
    if code in _DAMAGED:
        return StoreError(damaged_message(path) if path else f"{where} is damaged.")
    if code in _ENVIRONMENT:
        what, advice = _ENVIRONMENT[code]
        return StoreError(f"Hearth could not use {where}: {what}. {advice}")
    return None


@contextmanager
def sqlite_failures(path: Path | None = None) -> Iterator[None]:
    """Re-raise environment failures inside the block as StoreError (see module doc)."""
    try:
        yield
    except sqlite3.Error as exc:
        translated = to_store_error(exc, path)
        if translated is None:
            raise
        raise translated from exc


def translate_sqlite_failures(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator form of `sqlite_failures` for store methods."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with sqlite_failures():
            return fn(*args, **kwargs)

    return wrapper
