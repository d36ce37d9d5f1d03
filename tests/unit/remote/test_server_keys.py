"""Servers' keys in the system keyring: stored and read back, never in servers.json, deleted
with the server, and each keyring failure a message that says what to do.

The keyring is keyrings.alt's file backend in this test's folder (the autouse fixture
`isolated_keyring` in tests/conftest.py): a real backend writing a real file, since test
machines have no keyring service."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked

from app.errors import HearthError, InvalidInputError
from app.remote.choice import list_server_models
from app.remote.remote_engine import RemoteEngine
from app.remote.server_keys import (
    SERVICE,
    KeyMissingError,
    KeyringRefusedError,
    KeyringUnavailableError,
    read_key,
    store_key,
)
from app.remote.servers import Server, ServerList, ServersFileError
from tests.support.fake_openai_server import FAKE_MODEL, Fault, RunningFakeServer
from tests.support.keyring_file import key_in_file

KEY = "sk-kept-in-the-keyring-4711"


class LockedKeyring(KeyringBackend):
    """A keyring that is there but stays locked, as the Secret Service is when the user
    cancels its unlock prompt (keyring then raises KeyringLocked)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


@pytest.fixture
def servers_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "servers.json"


def test_the_key_is_stored_in_the_keyring_and_read_back_but_never_written_to_the_file(
    servers_path: Path, isolated_keyring: Path
) -> None:
    server, warnings = ServerList.load(servers_path).add(
        "cloud", "https://api.example.com/v1", key=f"  {KEY}\n"
    )
    assert (server, warnings) == (
        Server("cloud", "https://api.example.com/v1", key_in_keyring=True),
        [],
    )
    assert keyring.get_password(SERVICE, "cloud") == KEY  # stripped
    assert key_in_file(isolated_keyring, "cloud") == KEY  # in the keyring's own file
    assert KEY.encode() not in servers_path.read_bytes()
    assert json.loads(servers_path.read_text(encoding="utf-8"))["servers"] == [
        {
            "name": "cloud",
            "base_url": "https://api.example.com/v1",
            "key_env": None,
            "key_in_keyring": True,
        }
    ]
    again = ServerList.load(servers_path).get("cloud")
    assert again.key_in_keyring
    assert again.api_key() == KEY
    assert again.key_place == "key in keyring"


def test_removing_the_server_deletes_its_key(servers_path: Path, isolated_keyring: Path) -> None:
    servers = ServerList.load(servers_path)
    servers.add("cloud", "https://api.example.com/v1", key=KEY)
    servers.add("lab", "https://lab.example.org", key="another-key")
    assert ServerList.load(servers_path).remove("cloud") == (
        Server("cloud", "https://api.example.com/v1", key_in_keyring=True),
        [],
    )
    assert keyring.get_password(SERVICE, "cloud") is None
    assert keyring.get_password(SERVICE, "lab") == "another-key"  # the other key is kept
    assert key_in_file(isolated_keyring, "cloud") is None


def test_a_key_already_gone_from_the_keyring_does_not_stop_removing(servers_path: Path) -> None:
    ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    keyring.delete_password(SERVICE, "cloud")  # deleted in the keyring's own app
    removed, warnings = ServerList.load(servers_path).remove("cloud")
    assert (removed.name, warnings) == ("cloud", [])
    assert ServerList.load(servers_path).servers == ()


def test_a_key_missing_from_the_keyring_says_how_to_add_it_again(servers_path: Path) -> None:
    ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    keyring.delete_password(SERVICE, "cloud")
    with pytest.raises(KeyMissingError) as caught:
        ServerList.load(servers_path).get("cloud").api_key()
    assert caught.value.message == (
        "The key of the server cloud is no longer in the system keyring. Add it again: "
        "`hearth servers remove cloud`, then `hearth servers add cloud URL --key-stdin` (or, "
        "in the window, remove the server under Settings → Servers… and add it again with its "
        "API key)."
    )


@pytest.mark.parametrize("key", ["", "   ", "\n"])
def test_an_empty_key_is_refused_and_nothing_is_kept(servers_path: Path, key: str) -> None:
    with pytest.raises(InvalidInputError, match="The API key is empty"):
        ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=key)
    assert not servers_path.exists()
    assert keyring.get_password(SERVICE, "cloud") is None


def test_a_key_with_a_space_inside_is_refused_without_repeating_it(servers_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="space or an invisible character") as caught:
        ServerList.load(servers_path).add("cloud", "https://api.example.com", key="sk-a\rb c")
    assert "sk-a" not in caught.value.message
    assert not servers_path.exists()


def test_a_key_from_a_variable_and_one_in_the_keyring_are_refused_together(
    servers_path: Path,
) -> None:
    with pytest.raises(InvalidInputError, match="Give the server's key one way") as caught:
        ServerList.load(servers_path).add("cloud", "https://api.example.com", "CLOUD_KEY", key=KEY)
    assert KEY not in caught.value.message
    assert not servers_path.exists()
    assert keyring.get_password(SERVICE, "cloud") is None
    with pytest.raises(ValueError, match="two places"):
        Server("cloud", "https://api.example.com", "CLOUD_KEY", key_in_keyring=True)


def test_no_keyring_on_this_computer_says_to_use_a_variable(servers_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())  # what keyring picks when it finds no service
    with pytest.raises(KeyringUnavailableError) as caught:
        ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    assert "no keyring service" in caught.value.message
    assert "--key-env VARIABLE" in caught.value.message
    assert not servers_path.exists()  # no server left without its key
    with pytest.raises(KeyringUnavailableError):
        Server("cloud", "https://api.example.com/v1", key_in_keyring=True).api_key()


def test_a_plain_file_keyring_is_used_only_when_chosen(
    servers_path: Path, isolated_keyring: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyrings.alt's file, taken by keyring by itself (nobody named it), is no keyring
    service: a developer's environment has it, an installed Hearth does not."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")  # as if keyring had fallen back on it
    with pytest.raises(KeyringUnavailableError):
        ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    assert not servers_path.exists()
    assert not isolated_keyring.exists()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    assert read_key("cloud") == KEY  # chosen on purpose: the user's call


def test_a_locked_keyring_says_to_unlock_it_and_adds_nothing(servers_path: Path) -> None:
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(KeyringRefusedError) as caught:
        ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    assert caught.value.message == (
        "The system keyring is locked (or unlocking it was cancelled), so Hearth could not "
        "store the key of the server cloud. Unlock the keyring (your login keyring or "
        "keychain) and try again."
    )
    assert not servers_path.exists()
    with pytest.raises(KeyringRefusedError, match="could not read the key of the server cloud"):
        read_key("cloud")


def test_a_locked_keyring_does_not_stop_removing_but_says_the_key_stays(
    servers_path: Path,
) -> None:
    ServerList.load(servers_path).add("cloud", "https://api.example.com/v1", key=KEY)
    keyring.set_keyring(LockedKeyring())
    removed, warnings = ServerList.load(servers_path).remove("cloud")
    assert removed.name == "cloud"
    assert ServerList.load(servers_path).servers == ()
    (warning,) = warnings
    assert "could not delete the key of the server cloud" in warning
    assert f"still in the keyring (service {SERVICE!r}, user 'cloud')" in warning


def test_a_list_that_cannot_be_saved_takes_its_key_back_out_of_the_keyring(
    tmp_path: Path,
) -> None:
    path = tmp_path / "servers.json"
    path.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(ServersFileError, match="could not be saved"):
        ServerList(path).add("cloud", "https://api.example.com/v1", key=KEY)
    assert keyring.get_password(SERVICE, "cloud") is None


def test_a_key_that_the_keyring_does_not_keep_is_an_error(servers_path: Path) -> None:
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())  # accepts every key and keeps none
    with pytest.raises(KeyringRefusedError, match="did not keep the key of the server cloud"):
        store_key("cloud", KEY)


def test_old_files_without_the_flag_are_read_and_a_bad_flag_is_damage(
    servers_path: Path,
) -> None:
    servers_path.parent.mkdir(parents=True)
    old = {
        "schema_version": 1,
        "servers": [{"name": "lab", "base_url": "http://127.0.0.1:8080", "key_env": "LAB_KEY"}],
    }
    servers_path.write_text(json.dumps(old), encoding="utf-8")
    assert ServerList.load(servers_path).get("lab") == Server(
        "lab", "http://127.0.0.1:8080", "LAB_KEY"
    )
    for flag, says in (("yes", "must be true or false"), (True, "keep one of them")):
        old["servers"][0]["key_in_keyring"] = flag
        servers_path.write_text(json.dumps(old), encoding="utf-8")
        with pytest.raises(ServersFileError, match=says):
            ServerList.load(servers_path)


def test_a_request_carries_the_key_from_the_keyring_as_a_bearer_token(
    servers_path: Path, fake_server: RunningFakeServer, quick_server_retries: None
) -> None:
    fake_server.state.fault, fake_server.state.key = Fault.UNAUTHORIZED, KEY
    server, _ = ServerList.load(servers_path).add("office", fake_server.url, key=KEY)
    assert list_server_models(server) == [FAKE_MODEL]
    assert [r["authorization"] for r in fake_server.state.requests] == [f"Bearer {KEY}"]


def test_the_engine_reads_the_key_at_its_first_request_not_when_made(
    servers_path: Path, fake_server: RunningFakeServer
) -> None:
    server, _ = ServerList.load(servers_path).add("office", fake_server.url, key=KEY)
    keyring.set_keyring(fail.Keyring())
    engine = RemoteEngine(server, FAKE_MODEL)  # the window makes it on its UI thread
    with pytest.raises(HearthError, match="no keyring service"):
        engine.api.list_models()  # the first request, made on the engine's thread
    assert fake_server.state.requests == []  # no request went out without its key
