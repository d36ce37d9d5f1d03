"""Reading the test keyring's file (see `isolated_keyring` in tests/conftest.py) directly,
so a test can tell what a `hearth` subprocess kept in it."""

from __future__ import annotations

from pathlib import Path

from keyrings.alt.file import PlaintextKeyring

from app.remote.server_keys import SERVICE


def key_in_file(keyring_file: Path, server: str) -> str | None:
    """The key kept for `server` in the keyring file (a fresh reader, not the process's
    backend: what is on disk); None if there is none."""
    reader = PlaintextKeyring()
    reader.file_path = str(keyring_file)
    return reader.get_password(SERVICE, server)
