"""Icons come from resources/icons as SVG and stay sharp at any pixel density."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.ui.icons import ICON_NAMES, ICONS_DIR, icon
from app.ui.main_window import MainWindow


def test_every_icon_file_is_listed_and_every_listed_icon_exists() -> None:
    assert sorted(p.stem for p in ICONS_DIR.glob("*.svg")) == sorted(ICON_NAMES)


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
