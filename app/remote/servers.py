"""The servers the user added, kept in their own file in the config folder.

Hearth never sends a word to a server the user did not add, so this list is the whole of
the opt-in: a model runs remotely only when it is named `NAME@SERVER` and SERVER is here.
It lives in `servers.json`, not in settings.json, so that resetting or repairing settings
can never add or change a place words are sent to.

Addresses are checked (app/remote/addresses.py) when added *and* when read back, so a
hand-edited file cannot route words in plain http to the internet: https is required, except
for this computer and the user's own network. API keys are never written in this file: a
server either names the environment variable that holds its key, or has its key in the
system keyring (app/remote/server_keys.py), and the file records only that it does
(`"key_in_keyring": true`). Either way the key is read each time the server is used.

SCHEMA_VERSION stays 1: `key_in_keyring` is written only for servers that have it, so a
file without such servers is as before, and an older Hearth reading one with it ignores the
flag and sends no key, which the server refuses with a message; no key can go anywhere new.

A damaged file is refused with a message, not replaced by an empty list (as settings are
replaced by defaults): quietly forgetting the user's servers would make `model@server`
names fall back to local models, or fail, with no word about why.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from app.atomic_file import write_atomically
from app.errors import HearthError, InvalidInputError
from app.paths import Paths
from app.remote.addresses import check_address
from app.remote.server_keys import SERVICE, check_key, delete_key, read_key, store_key

SERVERS_FILE_NAME = "servers.json"
SCHEMA_VERSION = 1
MAX_NAME_LENGTH = 40

# Starts with a letter or digit so that a name is never taken for an option (`-x`) or a
# hidden file; no '@' (names end `model@server`), '/' or spaces.
_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_NAME_LENGTH - 1}}}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UnknownServerError(InvalidInputError):
    """The user named a server they have not added (or have removed)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"No server named {name!r}. `hearth servers list` shows the ones you added."
        )
        self.name = name


class ServersFileError(HearthError):
    """servers.json cannot be read, is damaged, or cannot be written."""


@dataclass(frozen=True)
class Server:
    """A server the user added: where it is and where its key is, if it takes one (the
    environment variable `key_env`, or the system keyring; never both)."""

    name: str
    base_url: str  # as given, minus a trailing '/': "http://127.0.0.1:8080/v1"
    key_env: str | None = None  # the variable's NAME; the key itself is never stored
    key_in_keyring: bool = False  # the key is in the system keyring, under `name`

    def __post_init__(self) -> None:
        if self.key_env is not None and self.key_in_keyring:
            raise ValueError(f"the server {self.name} has its key in two places")

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The key, read now from `key_env` or the keyring (so a changed key needs no
        re-adding); None when the server takes none. A key that should be there but is not
        is an error, not "no key": sending no key would only fail later with a vaguer
        message from the server."""
        if self.key_in_keyring:
            return read_key(self.name)
        if self.key_env is None:
            return None
        env = os.environ if environ is None else environ
        key = env.get(self.key_env, "").strip()
        if not key:
            raise InvalidInputError(
                f"The server {self.name} takes its key from the environment variable "
                f"{self.key_env}, which is not set here. Set it (for example: export "
                f"{self.key_env}=YOUR-KEY) and try again."
            )
        return key

    @property
    def key_place(self) -> str | None:
        """Where its key is, in words ("key from $VAR", "key in keyring"); None: no key."""
        if self.key_in_keyring:
            return "key in keyring"
        return f"key from ${self.key_env}" if self.key_env else None


def servers_file(paths: Paths) -> Path:
    return paths.config_dir / SERVERS_FILE_NAME


def check_name(name: str) -> str:
    """`name` if it can name a server; else InvalidInputError saying what a name may hold."""
    if _NAME.fullmatch(name):
        return name
    raise InvalidInputError(
        f"{name!r} cannot name a server: use 1 to {MAX_NAME_LENGTH} letters, digits, '-', "
        "'_' or '.', starting with a letter or digit (no '@': models on it are named "
        "model@NAME)."
    )


def check_key_env(key_env: str) -> str:
    """`key_env` if it is an environment variable's name. The value is not repeated in the
    message: a shell-expanded `$VAR` would have put the key itself here."""
    if _ENV_NAME.fullmatch(key_env):
        return key_env
    raise InvalidInputError(
        "--key-env takes the NAME of an environment variable that holds the key (like "
        "LLAMA_API_KEY, written without '$'), not the key itself."
    )


def split_model_at_server(spec: str, names: Collection[str]) -> tuple[str, str] | None:
    """("model", "server") for "model@server" when the part after the LAST '@' is one of
    `names`, else None: a local path or model id with an '@' in it stays local."""
    model, at, server = spec.rpartition("@")
    if not at or not model or server not in names:
        return None
    return model, server


class ServerList:
    """The servers the user added, in `path`, in the order added; each change is saved at
    once, atomically (a temporary file, then os.replace), so a crash never leaves half a
    file. A missing file is an empty list; a damaged one is a ServersFileError."""

    def __init__(self, path: Path, servers: tuple[Server, ...] = ()) -> None:
        self.path = path
        self._servers = servers

    @classmethod
    def load(cls, path: Path) -> ServerList:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ServersFileError(
                f"The servers file {path} cannot be read ({_reason(exc)}). Check that it is "
                "a readable file."
            ) from exc
        try:
            return cls(path, _parse(text))
        except (ValueError, InvalidInputError) as exc:
            raise ServersFileError(
                f"The servers file {path} is damaged ({exc}). Fix it in a text editor, or "
                "delete it and add your servers again with `hearth servers add`."
            ) from exc

    @property
    def servers(self) -> tuple[Server, ...]:
        return self._servers

    def get(self, name: str) -> Server:
        for server in self._servers:
            if server.name == name:
                return server
        raise UnknownServerError(name)

    def add(
        self,
        name: str,
        url: str,
        key_env: str | None = None,
        *,
        key: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> tuple[Server, list[str]]:
        """Add and save a server; (it, warnings to show). `key`, when given, goes into the
        system keyring first, and the server is saved only once it is there (and the key is
        deleted again if saving fails): a server is never left without its key. Nothing is
        sent to the server: whether it answers is a separate question, asked only when the
        user uses it or tests it."""
        check_name(name)
        if any(server.name == name for server in self._servers):
            raise InvalidInputError(
                f"A server named {name!r} exists; remove it first or choose another name."
            )
        base_url, warnings = check_address(url)
        if key_env is not None and key is not None:
            raise InvalidInputError(
                "Give the server's key one way: from an environment variable (--key-env) or "
                "kept in the system keyring (--key-stdin, or the window's API key field), "
                "not both."
            )
        if key_env is not None:
            check_key_env(key_env)
            env = os.environ if environ is None else environ
            if not env.get(key_env, "").strip():
                warnings.append(
                    f"The environment variable {key_env} is not set here; set it to the "
                    "server's key before using the server."
                )
        server = Server(name, base_url, key_env, key_in_keyring=key is not None)
        if key is not None:
            store_key(name, check_key(key))
        try:
            self._save((*self._servers, server))
        except ServersFileError:
            if key is not None:
                with suppress(HearthError):  # a key left behind is replaced when re-added
                    delete_key(name)
            raise
        return server, warnings

    def remove(self, name: str) -> tuple[Server, list[str]]:
        """Forget server `name`, then delete its key from the keyring; (it, warnings). The
        server goes first, so a locked keyring never keeps the user from removing it: a key
        that could not be deleted is a warning saying so."""
        server = self.get(name)
        self._save(tuple(s for s in self._servers if s is not server))
        if not server.key_in_keyring:
            return server, []
        try:
            delete_key(name)
        except HearthError as exc:
            return server, [
                f"{exc.message} Its key is still in the keyring (service {SERVICE!r}, "
                f"user {name!r}); delete it there if you no longer need it."
            ]
        return server, []

    def _save(self, servers: tuple[Server, ...]) -> None:
        """Write `servers`; only once they are on disk does this list change."""
        document = {
            "schema_version": SCHEMA_VERSION,
            "servers": [_entry(s) for s in servers],
        }
        try:
            write_atomically(self.path, json.dumps(document, indent=2) + "\n")
        except OSError as exc:
            raise ServersFileError(
                f"The servers file {self.path} could not be saved ({_reason(exc)}); your "
                "servers are as they were."
            ) from exc
        self._servers = servers


def _entry(server: Server) -> dict[str, object]:
    """How `server` is written: never its key, only whether the keyring holds it."""
    entry: dict[str, object] = {
        "name": server.name,
        "base_url": server.base_url,
        "key_env": server.key_env,
    }
    if server.key_in_keyring:
        entry["key_in_keyring"] = True
    return entry


def _parse(text: str) -> tuple[Server, ...]:
    """Servers from the file's text; ValueError or InvalidInputError says what is wrong."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("servers"), list):
        raise ValueError('it needs an object with a "servers" list')
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError('"schema_version" is missing or not a number')
    if version > SCHEMA_VERSION:
        raise ValueError("it was written by a newer Hearth; update Hearth to use it")
    servers: list[Server] = []
    for number, entry in enumerate(raw["servers"], start=1):
        server = _server_from(entry, number)
        if any(s.name == server.name for s in servers):
            raise ValueError(f"server {number}: the name {server.name!r} is used twice")
        servers.append(server)
    return tuple(servers)


def _server_from(entry: object, number: int) -> Server:
    if not isinstance(entry, dict):
        raise ValueError(f"server {number} is not an object")
    name, url, key_env = entry.get("name"), entry.get("base_url"), entry.get("key_env")
    if not isinstance(name, str) or not isinstance(url, str):
        raise ValueError(f'server {number} needs a "name" and a "base_url" text')
    if key_env is not None and not isinstance(key_env, str):
        raise ValueError(f'server {number}: "key_env" must be text or null')
    in_keyring = entry.get("key_in_keyring", False)  # absent in files from before the keyring
    if not isinstance(in_keyring, bool):
        raise ValueError(f'server {number}: "key_in_keyring" must be true or false')
    if in_keyring and key_env is not None:
        raise ValueError(
            f'server {number}: a key from "key_env" and one in the keyring; keep one of them'
        )
    try:
        check_name(name)
        base_url, _ = check_address(url)
        if key_env is not None:
            check_key_env(key_env)
    except InvalidInputError as exc:
        raise ValueError(f"server {number}: {exc.message}") from exc
    return Server(name, base_url, key_env, key_in_keyring=in_keyring)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
