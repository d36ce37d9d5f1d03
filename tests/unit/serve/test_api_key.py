"""The local API's key: made once, kept for the user alone, or taken from the environment."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.errors import HearthError, InvalidInputError
from app.paths import resolve_paths
from app.serve.api_key import api_key, key_file


def test_a_key_is_made_once_and_readable_by_the_user_alone() -> None:
    paths = resolve_paths()
    first = api_key(paths)
    assert first.file == key_file(paths)
    assert len(first.value) >= 40
    assert stat.S_IMODE(key_file(paths).stat().st_mode) == 0o600
    assert api_key(paths).value == first.value  # the key pasted into an editor keeps working
    assert [p.name for p in key_file(paths).parent.iterdir()] == ["api-key"]  # no leftovers


def test_a_key_file_others_can_read_is_narrowed(hearth_home: Path) -> None:
    path = key_file(resolve_paths())
    path.parent.mkdir(parents=True)
    path.write_text("my-own-key\n")
    os.chmod(path, 0o644)
    assert api_key(resolve_paths()).value == "my-own-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_key_file_gets_a_new_key() -> None:
    path = key_file(resolve_paths())
    path.parent.mkdir(parents=True)
    path.write_text("\n")
    assert api_key(resolve_paths()).value == path.read_text().strip() != ""


def test_a_key_file_with_something_else_in_it_is_refused() -> None:
    path = key_file(resolve_paths())
    path.parent.mkdir(parents=True)
    path.write_text("two words\n")
    with pytest.raises(HearthError, match="not a key"):
        api_key(resolve_paths())


def test_a_key_from_the_environment_is_used_as_is_and_not_saved() -> None:
    key = api_key(resolve_paths(), "MY_KEY", {"MY_KEY": " a-long-enough-key-value \n"})
    assert (key.value, key.env, key.file) == ("a-long-enough-key-value", "MY_KEY", None)
    assert key.where == "key from $MY_KEY"
    assert key.warnings() == []
    assert not key_file(resolve_paths()).exists()


def test_an_unset_or_short_key_variable_is_said_plainly() -> None:
    with pytest.raises(InvalidInputError, match="MY_KEY is not set"):
        api_key(resolve_paths(), "MY_KEY", {})
    with pytest.raises(InvalidInputError, match="NAME of an environment variable"):
        api_key(resolve_paths(), "$MY_KEY", {})
    assert "short" in api_key(resolve_paths(), "K", {"K": "abc"}).warnings()[0]
