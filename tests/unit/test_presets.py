"""Presets: built-ins always there; user presets saved, loaded and deleted; bad files survived."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app.errors import InvalidInputError
from app.paths import resolve_paths
from app.presets import (
    BUILTIN_PRESETS,
    Preset,
    delete_user_preset,
    find_preset,
    load_presets,
    presets_file,
    sampling_problems,
    save_user_preset,
)
from app.settings import Sampling


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "presets.json"


def names(presets: list[Preset]) -> list[str]:
    return [p.name for p in presets]


def test_builtins_are_offered_without_a_file(path: Path) -> None:
    presets = load_presets(path)
    assert names(presets) == ["Balanced", "Precise", "Creative", "Email drafting"]
    assert all(p.builtin for p in presets)
    precise = find_preset(presets, "Precise")
    creative = find_preset(presets, "Creative")
    email = find_preset(presets, "Email drafting")
    assert precise is not None
    assert precise.sampling.temperature == 0.2
    assert creative is not None
    assert creative.sampling.temperature == 1.0
    assert email is not None
    assert "e-mail" in email.system_prompt
    assert all(sampling_problems(p.sampling) == [] for p in BUILTIN_PRESETS)


def test_presets_file_is_in_the_config_folder(tmp_path: Path) -> None:
    paths = resolve_paths({"HEARTH_HOME": str(tmp_path)})
    assert presets_file(paths) == paths.config_dir / "presets.json"


def test_user_preset_is_saved_loaded_replaced_and_deleted(path: Path) -> None:
    save_user_preset(path, Preset("  Terse ", "Answer in one line.", Sampling(0.3, 0.8, 128)))
    loaded = find_preset(load_presets(path), "Terse")
    assert loaded == Preset("Terse", "Answer in one line.", Sampling(0.3, 0.8, 128))
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1

    save_user_preset(path, Preset("Terse", "Answer in a word.", Sampling(0.1, 0.5, 16)))
    save_user_preset(path, Preset("Another", "", Sampling()))
    presets = load_presets(path)
    assert names(presets)[4:] == ["Another", "Terse"]
    terse = find_preset(presets, "Terse")
    assert terse is not None
    assert terse.system_prompt == "Answer in a word."

    assert delete_user_preset(path, "Terse") is True
    assert delete_user_preset(path, "Terse") is False
    assert names(load_presets(path))[4:] == ["Another"]
    assert not path.with_name("presets.json.tmp").exists()


def test_builtins_cannot_be_replaced_or_deleted(path: Path) -> None:
    with pytest.raises(InvalidInputError, match="built-in"):
        save_user_preset(path, Preset("precise", "x", Sampling()))
    with pytest.raises(InvalidInputError, match="built-in"):
        delete_user_preset(path, "Balanced")
    with pytest.raises(InvalidInputError, match="needs a name"):
        save_user_preset(path, Preset("   ", "x", Sampling()))
    with pytest.raises(InvalidInputError, match="Temperature"):
        save_user_preset(path, Preset("Hot", "x", Sampling(temperature=9.0)))
    assert not path.exists()


def test_corrupt_file_gives_builtins_and_a_warning(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="hearth.presets"):
        presets = load_presets(path)
    assert presets == list(BUILTIN_PRESETS)
    assert "unreadable" in caplog.text
    assert path.read_text(encoding="utf-8") == "{not json"  # reading never changes the file


def test_saving_over_a_corrupt_file_keeps_a_backup(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("[1, 2", encoding="utf-8")
    save_user_preset(path, Preset("Mine", "p", Sampling()))
    assert names(load_presets(path))[4:] == ["Mine"]
    backups = list(path.parent.glob("presets.json.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == "[1, 2"


def test_bad_entries_are_skipped(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sampling = {"temperature": 0.5, "top_p": 0.9, "max_tokens": 100}
    good = {"name": "Good", "system_prompt": "", "sampling": sampling}
    entries = [good, {"name": "No sampling", "system_prompt": ""}, "junk"]
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 1, "presets": entries}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="hearth.presets"):
        assert names(load_presets(path))[4:] == ["Good"]
    assert "Skipping" in caplog.text


def test_sampling_problems_name_each_bad_value() -> None:
    assert sampling_problems(Sampling()) == []
    problems = sampling_problems(Sampling(temperature=-1, top_p=0.0, max_tokens=0))
    assert len(problems) == 3
    assert any("Top-p" in p for p in problems)
    assert any("Max tokens" in p for p in problems)
