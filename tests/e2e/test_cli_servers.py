"""`hearth servers add|list|remove` end to end: the real command in a subprocess."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import resolve_paths
from tests.e2e.cli_helpers import hearth
from tests.support.keyring_file import key_in_file

NO_SERVERS = "hearth: no servers added; add one with: hearth servers add NAME URL\n"


def config_folder() -> Path:
    return resolve_paths().config_dir


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A socket on 127.0.0.1 that records whether anyone connected to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def test_with_no_servers_list_says_how_to_add_one() -> None:
    result = hearth("servers", "list")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", NO_SERVERS)


def test_add_list_remove(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_KEY", "sk-test-secret")
    added = hearth("servers", "add", "laptop", "http://127.0.0.1:8080/v1/")
    assert (added.stdout, added.stderr) == ("added laptop: http://127.0.0.1:8080/v1\n", "")
    cloud = hearth(
        "servers", "add", "cloud", "https://api.example.com/v1", "--key-env", "CLOUD_KEY"
    )
    assert cloud.stdout == "added cloud: https://api.example.com/v1 (key from $CLOUD_KEY)\n"
    assert cloud.stderr == ""

    listing = hearth("servers", "list")
    assert listing.stdout == (
        "laptop\thttp://127.0.0.1:8080/v1\ncloud\thttps://api.example.com/v1\tkey from $CLOUD_KEY\n"
    )
    assert listing.stderr == ""
    saved = (config_folder() / "servers.json").read_text(encoding="utf-8")
    assert "CLOUD_KEY" in saved
    assert "sk-test-secret" not in saved  # the key itself is never written down

    removed = hearth("servers", "remove", "laptop")
    assert (removed.stdout, removed.stderr) == ("removed laptop\n", "")
    assert hearth("servers", "list").stdout == (
        "cloud\thttps://api.example.com/v1\tkey from $CLOUD_KEY\n"
    )
    hearth("servers", "remove", "cloud")
    assert hearth("servers", "list").stderr == NO_SERVERS


def test_http_on_the_home_network_is_added_with_a_warning_on_stderr() -> None:
    result = hearth("servers", "add", "office", "http://192.168.1.20:8080/v1")
    assert result.stdout == "added office: http://192.168.1.20:8080/v1\n"
    assert result.stderr == (
        "hearth: warning: Words sent to 192.168.1.20 travel unencrypted on your network; "
        "use https if the server offers it.\n"
    )


def test_a_key_variable_that_is_not_set_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_ABSENT_KEY", raising=False)
    result = hearth(
        "servers", "add", "lab", "https://lab.example.org", "--key-env", "HEARTH_ABSENT_KEY"
    )
    assert result.stdout == "added lab: https://lab.example.org (key from $HEARTH_ABSENT_KEY)\n"
    assert result.stderr.startswith("hearth: warning: The environment variable HEARTH_ABSENT_KEY")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "cloud", "http://api.example.com/v1"), "over https"),
        (("add", "cloud", "ftp://192.168.1.2"), "over http or https, not ftp"),
        (("add", "lab@home", "http://127.0.0.1:8080"), "cannot name a server"),
        (("add", "cloud", "https://api.example.com", "--key-env", "sk-abc"), "NAME of an"),
        (("remove", "attic"), "No server named 'attic'. `hearth servers list` shows the ones"),
    ],
)
def test_refusals_are_one_line_on_stderr_and_exit_1(args: tuple[str, ...], says: str) -> None:
    result = hearth("servers", *args, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("hearth: ")
    assert result.stderr.count("\n") == 1
    assert says in result.stderr
    assert not (config_folder() / "servers.json").exists()


def test_a_duplicate_name_is_refused_and_the_first_is_kept() -> None:
    hearth("servers", "add", "office", "http://127.0.0.1:8080")
    again = hearth("servers", "add", "office", "http://127.0.0.1:9090", check=False)
    assert again.returncode == 1
    assert again.stderr == (
        "hearth: A server named 'office' exists; remove it first or choose another name.\n"
    )
    assert hearth("servers", "list").stdout == "office\thttp://127.0.0.1:8080\n"


def test_a_damaged_file_is_a_message_not_a_traceback() -> None:
    file = config_folder() / "servers.json"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("{not json", encoding="utf-8")
    result = hearth("servers", "list", check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"hearth: The servers file {file} is damaged")
    assert "Traceback" not in result.stderr
    assert file.read_text(encoding="utf-8") == "{not json"


def test_adding_sends_nothing_to_the_server(listening: socket.socket) -> None:
    port = listening.getsockname()[1]
    hearth("servers", "add", "here", f"http://127.0.0.1:{port}/v1")
    hearth("servers", "list")
    with pytest.raises(BlockingIOError):
        listening.accept()  # nobody connected


def test_servers_stay_out_of_settings() -> None:
    settings = config_folder() / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"theme": "dark"}) + "\n", encoding="utf-8")
    before = settings.read_bytes()
    hearth("servers", "add", "office", "http://192.168.1.20:8080/v1")
    hearth("servers", "list")
    assert settings.read_bytes() == before
    hearth("servers", "remove", "office")
    assert settings.read_bytes() == before
    assert sorted(p.name for p in config_folder().iterdir()) == ["servers.json", "settings.json"]


# --- keys in the system keyring (`isolated_keyring`: a file backend the subprocess uses too)

KEY = "sk-from-stdin-0042"
ADD_CLOUD = ("servers", "add", "cloud", "https://api.example.com")  # a public https server


def test_a_key_from_stdin_goes_to_the_keyring_and_is_deleted_with_the_server(
    isolated_keyring: Path,
) -> None:
    added = hearth(
        "servers", "add", "cloud", "https://api.example.com/v1", "--key-stdin", stdin=f"{KEY}\n"
    )
    assert (added.stdout, added.stderr) == (
        "added cloud: https://api.example.com/v1 (key in keyring)\n",
        "",
    )
    assert key_in_file(isolated_keyring, "cloud") == KEY
    saved = (config_folder() / "servers.json").read_bytes()
    assert KEY.encode() not in saved
    assert json.loads(saved)["servers"][0]["key_in_keyring"] is True
    assert hearth("servers", "list").stdout == (
        "cloud\thttps://api.example.com/v1\tkey in keyring\n"
    )

    removed = hearth("servers", "remove", "cloud")
    assert (removed.stdout, removed.stderr) == ("removed cloud\n", "")
    assert key_in_file(isolated_keyring, "cloud") is None


@pytest.mark.parametrize("stdin", ["\n", "", "   \n"])
def test_an_empty_key_on_stdin_is_refused(stdin: str, isolated_keyring: Path) -> None:
    result = hearth(*ADD_CLOUD, "--key-stdin", stdin=stdin, check=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "hearth: --key-stdin read no key: give the server's key on standard input, on one "
        "line (for example: hearth servers add cloud URL --key-stdin < key-file).\n"
    )
    assert not (config_folder() / "servers.json").exists()
    assert not isolated_keyring.exists()


def test_key_env_and_key_stdin_together_are_refused() -> None:
    result = hearth(
        *ADD_CLOUD, "--key-env", "CLOUD_KEY", "--key-stdin", stdin=f"{KEY}\n", check=False
    )
    assert (result.returncode, result.stdout) == (2, "")  # argparse's usage error
    assert "argument --key-stdin: not allowed with argument --key-env" in result.stderr
    assert not (config_folder() / "servers.json").exists()


def test_with_no_keyring_service_the_key_is_refused_and_no_server_added(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    result = hearth(*ADD_CLOUD, "--key-stdin", stdin=f"{KEY}\n", check=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("hearth: This computer has no keyring service")
    assert "add the server with --key-env VARIABLE" in result.stderr
    assert result.stderr.count("\n") == 1
    assert KEY not in result.stderr
    assert not (config_folder() / "servers.json").exists()
