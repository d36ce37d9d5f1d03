"""Servers' API keys in the system keyring: store, read and delete, with messages for people.

A key typed into the Servers dialog or given to `hearth servers add --key-stdin` is kept in
the operating system's own secret store (macOS Keychain, Windows Credential Locker, the
Secret Service of GNOME Keyring or KWallet on Linux), through the `keyring` library: never
in servers.json, settings.json or a log. Each key is an entry of the service SERVICE whose
user name is the server's name.

`keyring` is imported inside each function, so Hearth's start-up does not pay for it (it
looks for its backends when first imported). Its failures become HearthErrors saying what
happened and what to do: no keyring service on this computer (use an environment variable
instead), a locked keyring or one that refused (unlock it, try again). The key itself is
never part of a message.

These calls can block while the keyring asks the user to unlock it, so the window makes them
off its UI thread.
"""

from __future__ import annotations

import os

from app.errors import HearthError, InvalidInputError

SERVICE = "Hearth servers"


class KeyringUnavailableError(InvalidInputError):
    """This computer has no keyring service Hearth can keep a key in."""

    def __init__(self) -> None:
        super().__init__(
            "This computer has no keyring service (such as the macOS Keychain, the Windows "
            "Credential Locker, or GNOME Keyring or KWallet on Linux) for Hearth to keep the "
            "key in. Put the key in an environment variable instead and add the server with "
            "--key-env VARIABLE (in the window: 'Key from variable')."
        )


class KeyringRefusedError(HearthError):
    """The keyring is there but locked, or refused the request."""


class KeyMissingError(InvalidInputError):
    """A server's key should be in the keyring but is not (deleted there, or another user)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The key of the server {name} is no longer in the system keyring. Add it again: "
            f"`hearth servers remove {name}`, then `hearth servers add {name} URL "
            "--key-stdin` (or, in the window, remove the server under Settings → Servers… and "
            "add it again with its API key)."
        )
        self.name = name


def check_key(key: str) -> str:
    """The key without the spaces around it, if it can be sent as a key. The key is never
    repeated in a message."""
    key = key.strip()
    if not key:
        raise InvalidInputError(
            "The API key is empty: give the server's key, or add the server without one."
        )
    if any(c.isspace() or not c.isprintable() for c in key):
        raise InvalidInputError(
            "The API key has a space or an invisible character in it: give the key alone, "
            "on one line."
        )
    return key


def store_key(name: str, key: str) -> None:
    """Keep `key` as server `name`'s key (replacing any older one), and check it reads back:
    a keyring that keeps nothing (keyring's "null" backend) must not pass for one that does."""
    import keyring
    from keyring.errors import KeyringError

    _check_usable()
    try:
        keyring.set_password(SERVICE, name, key)
        kept = keyring.get_password(SERVICE, name)
    except (KeyringError, OSError) as exc:
        raise _refusal(exc, f"store the key of the server {name}") from None
    if kept != key:
        raise KeyringRefusedError(
            f"The system keyring did not keep the key of the server {name}. Check that your "
            "keyring service works (or add the server with --key-env VARIABLE instead)."
        )


def read_key(name: str) -> str:
    """Server `name`'s key from the keyring; KeyMissingError if it is not there."""
    import keyring
    from keyring.errors import KeyringError

    _check_usable()
    try:
        key = keyring.get_password(SERVICE, name)
    except (KeyringError, OSError) as exc:
        raise _refusal(exc, f"read the key of the server {name}") from None
    if not key:
        raise KeyMissingError(name)
    return key


def delete_key(name: str) -> None:
    """Delete server `name`'s key; an entry that is not there (or no keyring) is fine."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if _no_backend():
        return  # no keyring: nothing can have been kept in it
    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return  # already gone
    except (KeyringError, OSError) as exc:
        raise _refusal(exc, f"delete the key of the server {name}") from None


def _no_backend() -> bool:
    """Whether keyring found no keyring service: no backend at all (its "fail" backend
    raises on every call), or only a file of keyrings.alt's that it fell back on by itself."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    return isinstance(backend, fail.Keyring) or _unchosen_file_fallback(backend)


def _unchosen_file_fallback(backend: object) -> bool:
    """Whether `backend` is keyrings.alt's (a plain or weakly protected file) although
    nobody chose it. keyring takes it by itself when no real store is there, as in a
    developer's environment (the test extra installs it) on a machine without a Secret
    Service; a key must not land in a plain file passing for the system keyring. Chosen on
    purpose, with PYTHON_KEYRING_BACKEND or keyring's keyringrc.cfg, it is the user's call."""
    import keyring.core

    if os.environ.get("PYTHON_KEYRING_BACKEND") or keyring.core.load_config() is not None:
        return False
    inner = getattr(backend, "backends", None) or [backend]  # the chainer's, or this one
    return all(type(b).__module__.startswith("keyrings.alt") for b in inner)


def _check_usable() -> None:
    if _no_backend():
        raise KeyringUnavailableError()


def _refusal(exc: BaseException, doing: str) -> HearthError:
    """The HearthError for a keyring failure while `doing` ("store the key of ...")."""
    from keyring.errors import KeyringLocked, NoKeyringError

    if isinstance(exc, NoKeyringError):
        return KeyringUnavailableError()
    if isinstance(exc, KeyringLocked):
        return KeyringRefusedError(
            f"The system keyring is locked (or unlocking it was cancelled), so Hearth could "
            f"not {doing}. Unlock the keyring (your login keyring or keychain) and try again."
        )
    reason = str(exc).strip() or type(exc).__name__
    return KeyringRefusedError(
        f"The system keyring refused to {doing} ({reason}). Check that it is unlocked and "
        "working, then try again; or use an environment variable with --key-env VARIABLE."
    )
