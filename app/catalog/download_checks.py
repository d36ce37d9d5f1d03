"""What a download checks before it fetches a byte: that the hub's file is the one Hearth
expects (the catalog's sha256 and size), and that the rest of it fits on the disk.

Each refusal says "Nothing was downloaded" or how much space is missing, so the person knows
what to do; none of them is worth a retry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from app.catalog.hub_file import RemoteFile
from app.errors import DiskSpaceError, DownloadError
from app.units import human_size

__all__ = ["DISK_MARGIN", "PinnedFile", "check_disk_space", "pinned_file"]

DISK_MARGIN = 0.01  # keep 1 % of the file size free on top of what the rest needs


@dataclass(frozen=True)
class PinnedFile:
    """The sha256 and size the downloaded bytes must have."""

    sha256: str
    size: int


def pinned_file(
    remote: RemoteFile, expected_sha256: str | None, expected_size: int | None
) -> PinnedFile:
    """The catalog's expectations where it has them, else what the hub publishes; a
    disagreement between the two, or a file nobody gives a sha256 or size for, is refused."""
    name = remote.filename
    expected = (expected_sha256 or "").lower() or None
    if expected and remote.sha256 and expected != remote.sha256:
        raise DownloadError(
            f"The model hub publishes a different checksum for {name} than Hearth's "
            "catalog expects, so the catalog entry is out of date. Nothing was downloaded."
        )
    if expected_size is not None and remote.size is not None and expected_size != remote.size:
        raise DownloadError(
            f"The model hub says {name} is {human_size(remote.size)}, but Hearth's "
            f"catalog expects {human_size(expected_size)}. Nothing was downloaded."
        )
    sha256 = expected or remote.sha256
    size = expected_size if expected_size is not None else remote.size
    if sha256 is None or size is None:
        raise DownloadError(
            f"The model hub publishes no checksum or size for {name}, so Hearth could not "
            "verify it. Nothing was downloaded."
        )
    return PinnedFile(sha256, size)


def check_disk_space(filename: str, folder: Path, file: PinnedFile, kept: int, free: int) -> None:
    """Refuse to start when `free` bytes in `folder` cannot hold the rest of the file (beyond
    the `kept` bytes already there) plus a margin."""
    needed = file.size - kept + math.ceil(file.size * DISK_MARGIN)
    if free < needed:
        raise DiskSpaceError(
            f"Not enough disk space for {filename}: the download needs "
            f"{human_size(needed)} more, and only {human_size(free)} is free in "
            f"{folder}. Free some space or choose another models folder, then "
            "try again."
        )
