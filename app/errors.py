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


class RemoteError(EngineError):
    """A server the user added failed a request (down, slow, refused, not the API).

    `retryable`: the same request may succeed shortly (a refused connection, a busy server),
    so it is tried again a bounded number of times before the message is shown."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


# Stopping is an outcome the user asked for, not a failure: hence no "Error" suffix.
class JobCancelled(HearthError):  # noqa: N818
    """A job was stopped because the user asked; what it had done is kept.

    `result` is whatever the job had produced by then (a stopped reply's statistics), so
    the caller can still show it."""

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class LoadCancelled(JobCancelled):
    """Loading a model was stopped by the user; nothing is loaded."""


class PortUnavailableError(HearthError):
    """A server of Hearth's cannot listen on `port`; `reason` says why, without advice (the
    command line and the window each say how to choose another port their own way)."""

    def __init__(self, message: str, *, port: int, reason: str) -> None:
        super().__init__(message)
        self.port = port
        self.reason = reason


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


class HubError(HearthError):
    """A request to the model hub failed (refused, malformed, or turned off by the user)."""


class HubUnavailableError(HubError):
    """The model hub could not be reached, or is overloaded: offline, DNS, refused, timed out,
    HTTP 5xx or 429. Transient: trying again later may work."""


class ModelRepoNotFoundError(NotFoundError):
    """The model repository does not exist on the hub (or is private)."""


class ModelRevisionNotFoundError(NotFoundError):
    """The repository exists but the requested revision (commit, branch, tag) does not."""


class ModelFileNotFoundError(NotFoundError):
    """The repository and revision exist but the requested file is not in them."""


class GatedModelError(HearthError):
    """The model's authors require accepting their terms (and a token) before downloading."""


class NoGgufFilesError(HearthError):
    """A repository holds no GGUF files, so Hearth has nothing it could run from it."""


class DownloadError(HearthError):
    """A model download failed; the message says why and whether running it again resumes."""


class DownloadBusyError(DownloadError):
    """The same file is already being downloaded by another Hearth window or process."""


class DiskSpaceError(DownloadError):
    """There is not enough free disk space for the rest of a download."""


class ChecksumMismatchError(DownloadError):
    """The downloaded bytes do not match the published sha256 (or size); they were deleted."""


# Pausing and cancelling are outcomes the user asked for, not failures: hence no "Error" suffix.
class DownloadPaused(HearthError):  # noqa: N818
    """A download stopped because the user paused it; the partial file is kept for resuming."""


class DownloadCancelled(HearthError):  # noqa: N818
    """A download stopped because the user cancelled it; the partial file was deleted."""


def message_for_people(error: object) -> str:
    """What to show for a failure: a HearthError's own message; anything else is a bug."""
    if isinstance(error, HearthError):
        return error.message
    return f"Something went wrong inside Hearth ({error}). Details are in the log file."


class DocumentError(HearthError):
    """A document cannot be read into text; the message says why and what to do instead."""


class DocumentNotFoundError(DocumentError):
    """The file does not exist or cannot be opened (permissions, a folder, a broken link)."""


class DocumentTooLargeError(DocumentError):
    """The file is over the size limit set in the settings (default 50 MB)."""


class UnsupportedDocumentError(DocumentError):
    """The file is binary or of a type Hearth cannot read."""


class EmptyDocumentError(DocumentError):
    """The file holds no text at all."""


class PasswordProtectedError(DocumentError):
    """The PDF is encrypted with a password."""


class NoTextLayerError(DocumentError):
    """The PDF has pages but no text layer (scanned pages; Hearth does no OCR)."""


class MailError(HearthError):
    """An e-mail cannot be read to reply to, or a draft cannot be saved; the message says why
    and what to do instead."""


class MailNotFoundError(MailError):
    """The e-mail file does not exist or cannot be opened (permissions, a folder)."""


class NotAnEmailError(MailError):
    """The file or pasted text is not an e-mail (no mail headers, binary data, too large)."""


class EmptyMailError(MailError):
    """The e-mail has no text to reply to (only attachments or pictures, or nothing at all)."""
