"""A download's events as text: one JSON object per line for programs, one line for people.

`hearth models download --progress json` writes every event as a JSON line on stderr, and the
window's `DownloadProcess` reads them back; both use `encode_event` / `decode_event`, so the
format is defined here only. The lines look like::

    {"event": "progress", "state": "downloading", "downloaded": 1048576, "total": 5242880,
     "rate": 2000000.0, "eta_s": 2.1, "attempt": 1, "message": "Downloading"}
    {"event": "notice", "message": "Qwen2.5 0.5B Instruct is released under ..."}
    {"event": "paused", "message": "The download of x.gguf is paused at 42%. ..."}
    {"event": "failed", "message": "The model hub has no repository named ..."}

``rate`` and ``eta_s`` are null until measured. A ``failed`` line is the last one; its message
is the one-line error the terminal shows. `describe_progress` is the terminal's wording for a
progress event, so the window's tooltip and the terminal say the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from app.catalog.download_control import DownloadProgress, DownloadState
from app.units import human_size

__all__ = [
    "DownloadEvent",
    "DownloadMessage",
    "decode_event",
    "describe_progress",
    "download_label",
    "encode_event",
    "human_seconds",
]

MessageKind = Literal["notice", "paused", "failed"]
_STATES: frozenset[str] = frozenset(get_args(DownloadState))
_MESSAGE_KINDS: frozenset[str] = frozenset(get_args(MessageKind))


@dataclass(frozen=True)
class DownloadMessage:
    """A sentence for people about the download: a notice (a license, a cleaned-up file),
    that it paused, or why it failed."""

    kind: MessageKind
    message: str


DownloadEvent = DownloadProgress | DownloadMessage


def encode_event(event: DownloadEvent) -> str:
    """One line of JSON (ASCII only: safe on any console encoding), without the newline."""
    if isinstance(event, DownloadMessage):
        return json.dumps({"event": event.kind, "message": event.message})
    return json.dumps(
        {
            "event": "progress",
            "state": event.state,
            "downloaded": event.downloaded,
            "total": event.total,
            "rate": event.rate or None,  # 0 means "not measured yet"
            "eta_s": event.eta_s,
            "attempt": event.attempt,
            "message": event.message,
        }
    )


def decode_event(line: str) -> DownloadEvent | None:
    """The event a line holds; None for any other line (a warning, a crash's last words), which
    the reader may still show as text."""
    try:
        data: Any = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("event")
    if kind in _MESSAGE_KINDS and isinstance(data.get("message"), str):
        return DownloadMessage(kind, data["message"])
    if kind == "progress":
        return _decode_progress(data)
    return None


def _decode_progress(data: dict[str, Any]) -> DownloadProgress | None:
    state: Any = data.get("state")
    downloaded: Any = data.get("downloaded")
    total: Any = data.get("total")
    rate: Any = data.get("rate")
    eta: Any = data.get("eta_s")
    attempt: Any = data.get("attempt", 1)
    if (
        state not in _STATES
        or not _is_int(downloaded)
        or not (total is None or _is_int(total))
        or not (rate is None or _is_number(rate))
        or not (eta is None or _is_number(eta))
        or not _is_int(attempt)
    ):
        return None
    message = data.get("message")
    return DownloadProgress(
        state=state,
        downloaded=downloaded,
        total=total,
        rate=float(rate or 0.0),
        eta_s=None if eta is None else float(eta),
        attempt=attempt,
        message=message if isinstance(message, str) else "",
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or isinstance(value, float)


def download_label(name: str) -> str:
    """What a download's progress lines start with."""
    return f"Downloading {name}"


def describe_progress(label: str, progress: DownloadProgress) -> str:
    """A progress event in one line: "Downloading X: 42% (2.1 MB of 5 MB), at 1 MB/s, 3 s left"
    while downloading, else the state and its message."""
    if progress.state == "downloading" and progress.total:
        percent = 100 * progress.downloaded / progress.total
        parts = [
            f"{label}: {percent:.0f}% ({human_size(progress.downloaded)} of "
            f"{human_size(progress.total)})"
        ]
        if progress.rate:
            parts.append(f"at {human_size(progress.rate)}/s")
        if progress.eta_s is not None:
            parts.append(f"{human_seconds(progress.eta_s)} left")
        return ", ".join(parts)
    message = f" {progress.message}" if progress.message else ""
    return f"{label}: {progress.state}{message}"


def human_seconds(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
