"""The resources folder is found in one place, by the window and by the core alike."""

from __future__ import annotations

from app.resources import resource_path


def test_the_icons_are_found_beside_the_app() -> None:
    assert resource_path("icons", "hearth.svg").is_file()
