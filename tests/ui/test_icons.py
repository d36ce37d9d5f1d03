"""Icons come from resources/icons as SVG and stay sharp at any pixel density."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.resources import resource_path
from app.ui.card_frame import tinted
from app.ui.icons import ICON_NAMES, ICONS_DIR, icon
from app.ui.main_window import MainWindow


def test_every_icon_file_is_listed_and_every_listed_icon_exists() -> None:
    assert sorted(p.stem for p in ICONS_DIR.glob("*.svg")) == sorted(ICON_NAMES)


def test_every_icon_is_listed_with_its_license_in_the_resources_readme() -> None:
    readme = resource_path("README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `icons/([a-z-]+)\.svg` \|", readme, flags=re.MULTILINE))
    assert listed == {p.stem for p in ICONS_DIR.glob("*.svg")}
    assert "MIT" in readme


@pytest.mark.parametrize("name", ICON_NAMES)
@pytest.mark.parametrize("ratio", [1.0, 2.0, 3.0])
def test_icons_render_at_the_screens_own_pixel_density(
    qtbot: QtBot, name: str, ratio: float
) -> None:
    pixmap = icon(name).pixmap(QSize(24, 24), ratio)
    # Drawn at 24 x ratio device pixels (not a scaled-up 24 px bitmap): sharp on high DPI.
    assert (pixmap.width(), pixmap.height()) == (round(24 * ratio), round(24 * ratio))
    assert pixmap.devicePixelRatio() == ratio
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    painted = sum(
        image.pixelColor(x, y).alpha() > 0
        for x in range(image.width())
        for y in range(image.height())
    )
    assert painted > image.width()  # something was drawn, not an empty icon


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_a_tinted_icon_is_drawn_at_the_screens_pixel_density(qtbot: QtBot, ratio: float) -> None:
    accent = QColor("#1e6fd9")
    pixmap = tinted(icon("chat"), 24, accent, ratio)
    assert (pixmap.width(), pixmap.height()) == (round(24 * ratio), round(24 * ratio))
    assert pixmap.devicePixelRatio() == ratio
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    inked = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert inked  # the strokes are there, over the whole high-DPI pixmap
    assert all(colour.rgb() == accent.rgb() for colour in inked)
    corner = image.pixelColor(image.width() - 1, image.height() - 1)
    assert corner.alpha() == 0  # the tint covers the strokes only, not the background


def test_the_window_and_its_main_controls_have_icons(window: MainWindow) -> None:
    assert not window.windowIcon().isNull()
    for button in (
        window.composer.send_button,
        window.composer.stop_button,
        window.composer.attach_button,
        window.sidebar.new_button,
        window.summarize_panel.start_button,
        window.status.cancel_load_button,
    ):
        assert not button.icon().isNull(), button.accessibleName()
        assert button.text()  # the label stays: icons never replace words
