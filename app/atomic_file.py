"""Writing a small file so that a crash or a second writer never leaves half of it.

Settings, the servers list, presets, model manifests, the window's state and the local API's
key were each written with their own copy of "temporary file, then rename"; some shared one
fixed temporary name (two writers could interleave) and some did not flush to disk. This is
the one way: a uniquely named temporary beside the target (mkstemp, so it is readable by the
user alone from the start), flushed and fsynced, then renamed over the target.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_beside(path: Path, text: str) -> Iterator[Path]:
    """A temporary file beside `path` holding `text`, on disk, for the caller to move into
    place (os.replace or os.link); it is removed on the way out if it is still there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp_file:
            tmp_file.write(text)
            tmp_file.flush()
            os.fsync(tmp_file.fileno())
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text`: readers see the old file or the new one, never a part.
    The new file is the user's alone (0600): none of these files is for other users."""
    with written_beside(path, text) as tmp:
        os.replace(tmp, path)
