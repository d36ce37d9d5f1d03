"""The list of servers the user added: address rules, names, the file, keys, `model@server`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import HearthError, InvalidInputError
from app.paths import resolve_paths
from app.remote.addresses import check_address
from app.remote.servers import (
    SERVERS_FILE_NAME,
    Server,
    ServerList,
    UnknownServerError,
    servers_file,
    split_model_at_server,
)

# --- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com/v1",
        "https://8.8.8.8:8443",
        "https://gpu-box.local/v1",
    ],
)
def test_https_is_accepted_anywhere_without_a_warning(url: str) -> None:
    assert check_address(url) == (url, [])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1",
        "http://127.5.6.7:8080",
        "http://localhost:11434",
        "http://LOCALHOST:11434",
        "http://[::1]:8080/v1",
    ],
)
def test_plain_http_on_this_computer_is_accepted_without_a_warning(url: str) -> None:
    assert check_address(url) == (url, [])


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://192.168.1.20:8080/v1", "192.168.1.20"),
        ("http://10.0.0.7:8000", "10.0.0.7"),
        ("http://172.16.0.1", "172.16.0.1"),
        ("http://172.31.255.254:1234", "172.31.255.254"),
        ("http://[fd00::5]:8080", "fd00::5"),
        ("http://gpu-box.local:8080", "gpu-box.local"),
    ],
)
def test_plain_http_on_the_home_network_is_accepted_with_a_warning(url: str, host: str) -> None:
    base, warnings = check_address(url)
    assert base == url
    assert warnings == [
        f"Words sent to {host} travel unencrypted on your network; use https if the "
        "server offers it."
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example.com/v1",
        "http://8.8.8.8:8080",
        "http://172.32.0.1",  # just past 172.16/12
        "http://gpu-box.lan",  # a name Hearth cannot tell is local without looking it up
        "http://[2001:db8::1]:8080",
    ],
)
def test_plain_http_to_a_public_host_is_refused_with_the_https_address(url: str) -> None:
    with pytest.raises(InvalidInputError, match="only talk to it over https") as caught:
        check_address(url)
    assert "use https://" in caught.value.message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://192.168.1.2/models", "over http or https, not ftp"),
        ("127.0.0.1:8080", "starting with http:// or https://"),
        ("http://", "no server name or IP address"),
        ("http://:8080/v1", "no server name or IP address"),
        ("http://127.0.0.1:8080/v1?key=abc", "Leave out the part after '?'"),
        ("http://127.0.0.1:8080/v1#top", "Leave out the part after '?' or '#'"),
        ("http://user:secret@127.0.0.1:8080", "Leave the user name and password out"),
        ("http://127.0.0.1:99999", "not a number from 0 to 65535"),
        ("http://0.0.0.0:8080", "use 127.0.0.1"),
        ("http://127.0.0.1 :8080", "a space"),
        ("http://[::1", "not a usable address"),
    ],
)
def test_unusable_addresses_are_refused_with_what_to_do(url: str, says: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_address(url)
    assert says in caught.value.message


def test_the_address_is_kept_as_given_minus_the_trailing_slash() -> None:
    assert check_address("  http://127.0.0.1:8080/v1/  ")[0] == "http://127.0.0.1:8080/v1"
    assert check_address("http://127.0.0.1:8080/")[0] == "http://127.0.0.1:8080"
    assert check_address("HTTPS://Api.Example.com/Open/V1/")[0] == "https://Api.Example.com/Open/V1"


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["office", "gpu-box", "llama_server.2", "A", "x" * 40])
def test_valid_names_are_kept(tmp_path: Path, name: str) -> None:
    server, _ = ServerList.load(tmp_path / "s.json").add(name, "http://127.0.0.1:8080")
    assert server.name == name


@pytest.mark.parametrize(
    "name", ["", "x" * 41, "a@b", "-office", ".hidden", "my server", "a/b", "café"]
)
def test_invalid_names_are_refused_and_nothing_is_saved(tmp_path: Path, name: str) -> None:
    file = tmp_path / "s.json"
    with pytest.raises(InvalidInputError, match="cannot name a server"):
        ServerList.load(file).add(name, "http://127.0.0.1:8080")
    assert not file.exists()


def test_an_at_sign_is_refused_because_names_end_model_at_server(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no '@'"):
        ServerList.load(tmp_path / "s.json").add("lab@home", "http://127.0.0.1:8080")


# --- the file ----------------------------------------------------------------------------


def test_the_file_lives_in_the_config_folder_apart_from_settings() -> None:
    paths = resolve_paths()
    assert servers_file(paths) == paths.config_dir / SERVERS_FILE_NAME
    assert servers_file(paths) != paths.settings_file


def test_a_missing_file_is_an_empty_list(tmp_path: Path) -> None:
    assert ServerList.load(tmp_path / "nothing-here.json").servers == ()


def test_add_list_remove_round_trip_through_the_file(tmp_path: Path) -> None:
    file = tmp_path / "config" / "servers.json"
    servers = ServerList.load(file)
    office, warnings = servers.add("office", "http://192.168.1.20:8080/v1/", "OFFICE_KEY")
    assert office == Server("office", "http://192.168.1.20:8080/v1", "OFFICE_KEY")
    assert len(warnings) == 2  # unencrypted on the network; OFFICE_KEY is not set here
    servers.add("laptop", "http://127.0.0.1:8080")
    servers.add("cloud", "https://api.example.com/v1", environ={"CLOUD_KEY": "k"})

    again = ServerList.load(file)
    assert [s.name for s in again.servers] == ["office", "laptop", "cloud"]
    assert again.get("office") == office
    assert json.loads(file.read_text(encoding="utf-8")) == {
        "schema_version": 1,
        "servers": [
            {"name": "office", "base_url": "http://192.168.1.20:8080/v1", "key_env": "OFFICE_KEY"},
            {"name": "laptop", "base_url": "http://127.0.0.1:8080", "key_env": None},
            {"name": "cloud", "base_url": "https://api.example.com/v1", "key_env": None},
        ],
    }

    assert again.remove("laptop") == (Server("laptop", "http://127.0.0.1:8080"), [])
    assert [s.name for s in ServerList.load(file).servers] == ["office", "cloud"]
    assert [p.name for p in file.parent.iterdir()] == ["servers.json"]  # no temporary left


def test_a_duplicate_name_is_refused_and_the_first_is_kept(tmp_path: Path) -> None:
    file = tmp_path / "servers.json"
    ServerList.load(file).add("office", "http://127.0.0.1:8080")
    with pytest.raises(InvalidInputError) as caught:
        ServerList.load(file).add("office", "http://127.0.0.1:9090")
    assert caught.value.message == (
        "A server named 'office' exists; remove it first or choose another name."
    )
    assert ServerList.load(file).get("office").base_url == "http://127.0.0.1:8080"


def test_an_unknown_name_says_where_to_look(tmp_path: Path) -> None:
    servers = ServerList.load(tmp_path / "servers.json")
    for attempt in (servers.get, servers.remove):
        with pytest.raises(UnknownServerError) as caught:
            attempt("attic")
        assert caught.value.message == (
            "No server named 'attic'. `hearth servers list` shows the ones you added."
        )
        assert isinstance(caught.value, InvalidInputError)


def test_a_refused_address_changes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "servers.json"
    ServerList.load(file).add("office", "http://127.0.0.1:8080")
    before = file.read_bytes()
    with pytest.raises(InvalidInputError):
        ServerList.load(file).add("cloud", "http://api.example.com")
    assert file.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[]", 'an object with a "servers" list'),
        ('{"schema_version": 1}', 'an object with a "servers" list'),
        ('{"servers": []}', '"schema_version" is missing'),
        ('{"schema_version": 2, "servers": []}', "written by a newer Hearth"),
        ('{"schema_version": 1, "servers": ["office"]}', "server 1 is not an object"),
        ('{"schema_version": 1, "servers": [{"name": "office"}]}', 'needs a "name" and a'),
        (
            '{"schema_version": 1, "servers": [{"name": "a@b", "base_url": "http://[::1]"}]}',
            "cannot name a server",
        ),
        (  # a hand-edited file cannot send words in plain http to the internet
            '{"schema_version": 1, "servers": [{"name": "a", "base_url": "http://8.8.8.8"}]}',
            "only talk to it over https",
        ),
        (
            '{"schema_version": 1, "servers": [{"name": "a", "base_url": "http://[::1]"},'
            ' {"name": "a", "base_url": "http://[::1]"}]}',
            "used twice",
        ),
    ],
)
def test_a_damaged_file_is_refused_with_its_name_and_how_to_fix_it(
    tmp_path: Path, text: str, reason: str
) -> None:
    file = tmp_path / "servers.json"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(HearthError) as caught:
        ServerList.load(file)
    message = caught.value.message
    assert str(file) in message
    assert reason in message
    assert "Fix it in a text editor, or delete it" in message
    assert file.read_text(encoding="utf-8") == text  # left for the user to repair


def test_a_file_that_cannot_be_read_is_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "servers.json"
    folder.mkdir()
    with pytest.raises(HearthError, match="cannot be read"):
        ServerList.load(folder)


def test_a_failed_save_leaves_the_list_and_the_file_as_they_were(tmp_path: Path) -> None:
    file = tmp_path / "servers.json"
    servers = ServerList.load(file)
    servers.add("office", "http://127.0.0.1:8080")
    file.unlink()
    file.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(HearthError, match="could not be saved"):
        servers.add("laptop", "http://127.0.0.1:9090")
    assert [s.name for s in servers.servers] == ["office"]
    assert [p.name for p in tmp_path.iterdir()] == ["servers.json"]  # no temporary left


# --- keys --------------------------------------------------------------------------------


def test_the_key_is_read_from_the_named_variable_and_never_stored(tmp_path: Path) -> None:
    file = tmp_path / "servers.json"
    server, warnings = ServerList.load(file).add(
        "cloud", "https://api.example.com/v1", "CLOUD_KEY", environ={"CLOUD_KEY": "sk-secret"}
    )
    assert warnings == []
    assert server.api_key({"CLOUD_KEY": " sk-secret\n"}) == "sk-secret"
    assert "sk-secret" not in file.read_text(encoding="utf-8")


def test_no_key_variable_means_no_key() -> None:
    assert Server("laptop", "http://127.0.0.1:8080").api_key({"ANY": "x"}) is None


@pytest.mark.parametrize("environ", [{}, {"CLOUD_KEY": ""}, {"CLOUD_KEY": "  "}])
def test_a_missing_key_says_which_variable_to_set(environ: dict[str, str]) -> None:
    server = Server("cloud", "https://api.example.com/v1", "CLOUD_KEY")
    with pytest.raises(InvalidInputError) as caught:
        server.api_key(environ)
    assert caught.value.message == (
        "The server cloud takes its key from the environment variable CLOUD_KEY, which is "
        "not set here. Set it (for example: export CLOUD_KEY=YOUR-KEY) and try again."
    )


def test_the_key_is_read_from_the_process_environment_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEARTH_TEST_KEY", "from-env")
    assert Server("a", "http://127.0.0.1:1", "HEARTH_TEST_KEY").api_key() == "from-env"


@pytest.mark.parametrize("key_env", ["$CLOUD_KEY", "sk-abc123", "has space", "1ABC", ""])
def test_a_key_in_place_of_a_variable_name_is_refused_without_repeating_it(
    tmp_path: Path, key_env: str
) -> None:
    file = tmp_path / "servers.json"
    with pytest.raises(InvalidInputError, match="NAME of an environment variable") as caught:
        ServerList.load(file).add("cloud", "https://api.example.com", key_env)
    assert not key_env or key_env not in caught.value.message
    assert not file.exists()


# --- model@server ------------------------------------------------------------------------


def test_model_at_a_known_server_is_split() -> None:
    assert split_model_at_server("llama-3-8b@office", ["office", "cloud"]) == (
        "llama-3-8b",
        "office",
    )


def test_an_unknown_suffix_stays_local() -> None:
    assert split_model_at_server("llama-3-8b@attic", ["office"]) is None
    assert split_model_at_server("llama-3-8b", ["office"]) is None
    assert split_model_at_server("@office", ["office"]) is None  # no model named
    assert split_model_at_server("llama@", ["office"]) is None


def test_a_path_with_an_at_sign_in_a_folder_stays_local() -> None:
    assert split_model_at_server("/home/me/models@office/qwen.gguf", ["office"]) is None


def test_the_last_at_sign_wins() -> None:
    assert split_model_at_server("org@team/model@office", {"office", "team"}) == (
        "org@team/model",
        "office",
    )
