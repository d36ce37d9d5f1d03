"""The key a client of the local API must send (`Authorization: Bearer KEY`).

Listening on 127.0.0.1 keeps other computers out, but not other programs on this one (nor a
web page in the user's browser): the key is what makes the endpoint the user's own. It comes
from an environment variable the user names (`--key-env VAR`) or, by default, from a file in
the config folder, made once with a random key and readable by the user alone, so the key
pasted into an editor keeps working across restarts.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.atomic_file import written_beside
from app.errors import HearthError, InvalidInputError
from app.paths import Paths
from app.remote.servers import check_key_env

KEY_FILE_NAME = "api-key"
SHORT_KEY_CHARS = 16  # below this, a key from the environment earns a warning


@dataclass(frozen=True)
class ApiKey:
    """The key and where it was found: `file` for a saved key, else `env` names the variable."""

    value: str
    file: Path | None = None
    env: str | None = None

    @property
    def where(self) -> str:
        """For the startup line: `key in FILE` or `key from $VAR`."""
        return f"key in {self.file}" if self.file is not None else f"key from ${self.env}"

    def warnings(self) -> list[str]:
        if self.env is not None and len(self.value) < SHORT_KEY_CHARS:
            return [
                f"the key in ${self.env} is short ({len(self.value)} characters); any program "
                "on this computer could guess it. Use a long random one."
            ]
        return []


def key_file(paths: Paths) -> Path:
    return paths.config_dir / KEY_FILE_NAME


def api_key(
    paths: Paths, key_env: str | None = None, environ: Mapping[str, str] | None = None
) -> ApiKey:
    """The key from `key_env` when given (it must be set), else the saved one (made if none)."""
    if key_env is None:
        path = key_file(paths)
        return ApiKey(saved_key(path), file=path)
    check_key_env(key_env)
    env = os.environ if environ is None else environ
    value = env.get(key_env, "").strip()
    if not value:
        raise InvalidInputError(
            f"The environment variable {key_env} is not set, so there is no key for the local "
            f"API. Set it (for example: export {key_env}=A-LONG-RANDOM-KEY) or leave out "
            "--key-env to use a key Hearth makes and saves for you."
        )
    return ApiKey(value, env=key_env)


def saved_key(path: Path) -> str:
    """The key in `path`; a new random one is written there first if it has none."""
    try:
        existing = _read_key(path)
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    try:
        return _create_key(path, secrets.token_urlsafe(32))
    except OSError as exc:
        raise HearthError(
            f"The API key could not be saved in {path} ({exc.strerror or exc}). Check that "
            "the config folder is writable, or pass a key with --key-env VAR."
        ) from exc


def _read_key(path: Path) -> str:
    """The file's key ("" when empty); its permissions are narrowed to the user alone."""
    try:
        text = path.read_text(encoding="utf-8").strip()
        if os.name == "posix" and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # a copied or hand-made file: others must not read it
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise HearthError(
            f"The API key file {path} cannot be read ({exc}). Delete it to get a new key, "
            "or pass one with --key-env VAR."
        ) from exc
    if text and not (text.isprintable() and text.isascii() and " " not in text):
        raise HearthError(
            f"The API key file {path} holds something that is not a key (one line of "
            "letters, digits and punctuation). Delete it to get a new key."
        )
    return text


def _create_key(path: Path, key: str) -> str:
    """Write `key` to `path` unless another process just did: whichever key is in the file
    afterwards is returned, so two `hearth serve` starting together agree on one key.

    mkstemp makes the temporary file 0600 from the start, so the key is never readable by
    others, not even for a moment."""
    with written_beside(path, key + "\n") as tmp:
        try:
            os.link(tmp, path)  # atomic, and fails if a key file appeared meanwhile
        except FileExistsError:
            return _read_key(path) or _replace(tmp, path, key)
        except OSError:  # a file system without hard links: replace atomically instead
            return _replace(tmp, path, key)
    return key


def _replace(tmp: Path, path: Path, key: str) -> str:
    os.replace(tmp, path)
    return key
