"""Folders come from HEARTH_HOME or the platform; settings survive bad files."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import psutil
import pytest

from app.paths import resolve_paths
from app.settings import Settings, load_settings, save_settings


def test_hearth_home_holds_every_folder(tmp_path: Path) -> None:
    paths = resolve_paths({"HEARTH_HOME": str(tmp_path / "portable")}).ensure()
    for folder in (paths.data_dir, paths.config_dir, paths.cache_dir, paths.log_dir):
        assert folder.is_dir()
        assert folder.is_relative_to(tmp_path / "portable")
    assert paths.database.parent == paths.data_dir
    assert paths.settings_file.parent == paths.config_dir


def test_without_hearth_home_the_platform_folders_are_used() -> None:
    paths = resolve_paths({})
    assert "Hearth" in str(paths.data_dir)
    assert "Hearth" in str(paths.config_dir)


def test_the_suite_runs_in_its_own_home(hearth_home: Path) -> None:
    assert resolve_paths().data_dir.is_relative_to(hearth_home)


def test_settings_round_trip(tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    settings = Settings(threads=3, context_length=8192, theme="dark")
    settings.sampling.temperature = 0.2
    save_settings(settings, file)
    assert load_settings(file) == settings


def test_missing_settings_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.json") == Settings()


def test_corrupt_settings_are_backed_up_and_replaced_by_defaults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    file = tmp_path / "settings.json"
    file.write_text("{ this is not json", encoding="utf-8")
    logger = logging.getLogger("hearth")
    logger.propagate = True  # let caplog see it even if file logging was configured
    with caplog.at_level(logging.WARNING, logger="hearth.settings"):
        assert load_settings(file) == Settings()
    backups = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == "{ this is not json"
    assert not file.exists()
    assert "unreadable" in caplog.text


def test_a_bad_value_falls_back_to_its_default_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    file = tmp_path / "settings.json"
    file.write_text(
        json.dumps(
            {
                "threads": "many",
                "context_length": 2048,
                "sampling": {"temperature": 1, "max_tokens": True},
            }
        ),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="hearth.settings"):
        settings = load_settings(file)
    assert settings.threads == Settings().threads
    assert settings.context_length == 2048
    assert settings.sampling.temperature == 1.0
    assert settings.sampling.max_tokens == Settings().sampling.max_tokens
    assert "threads" in caplog.text


def test_threads_default_to_one_per_physical_core() -> None:
    physical = psutil.cpu_count(logical=False)
    assert Settings(threads=0).effective_threads() == (physical or os.cpu_count() or 1)
    assert Settings(threads=5).effective_threads() == 5
