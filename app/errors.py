"""Errors meant for people.

A `HearthError` carries a message written for the user: what happened and what to do about
it. The CLI prints it as one line, the window shows it in a dialog or inline. Anything that
is *not* a HearthError is a bug: it is logged with its traceback and reported as such.
"""

from __future__ import annotations


class HearthError(Exception):
    """A problem the user can understand and act on; `message` is shown to them as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ModelFileError(HearthError):
    """A model file is missing, unreadable or not a usable GGUF model."""


class EngineCrashedError(HearthError):
    """The engine process stopped unexpectedly; a fresh one can be started."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason  # e.g. "killed by SIGKILL", for messages that wrap this one


class EngineError(HearthError):
    """The engine refused a request (nothing loaded, a bad setting, a failed decode)."""


class ContextOverflowError(HearthError):
    """The input cannot fit into the model's context even after leaving out old turns."""


class StoreError(HearthError):
    """The history database cannot be opened or written."""


class DatabaseTooNewError(StoreError):
    """The history database was written by a newer Hearth than this one."""


class NotFoundError(HearthError):
    """A conversation, message or file the user named does not exist."""


class InvalidInputError(HearthError):
    """Something the user passed (a file to import, an option) is not acceptable."""
