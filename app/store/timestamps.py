"""Timestamps as the store writes them.

ISO-8601 UTC with milliseconds and a `Z` (`2026-11-21T01:02:03.456Z`): fixed width, so
sorting the text sorts by time, and readable in exported files.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_timestamp(moment: datetime | None = None) -> str:
    """`moment` (default: now) as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def compact_utc_timestamp(moment: datetime | None = None) -> str:
    """A timestamp safe in file names on every OS (no colons): `20261121T010203.456Z`."""
    return utc_timestamp(moment).replace("-", "").replace(":", "")
