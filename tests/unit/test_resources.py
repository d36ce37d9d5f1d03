"""The resources folder is found in one place, by the window and by the core alike."""

from __future__ import annotations

from app.resources import resource_path
from app.tasks.prompt_library import SHIPPED_DIR


def test_the_icons_and_the_prompts_are_found_beside_the_app() -> None:
    assert resource_path("icons", "hearth.svg").is_file()
    assert resource_path("prompts", "email.compose.toml").is_file()
    assert resource_path("prompts") == SHIPPED_DIR
