"""packaging/render_icon.py: the icon each installer needs, rendered from the SVG with Qt."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent.parent


def render_icon() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_icon", ROOT / "packaging/render_icon.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["render_icon"] = module
    spec.loader.exec_module(module)
    return module


def test_a_png_of_the_asked_size_with_a_transparent_corner(tmp_path: Path) -> None:
    out = tmp_path / "hearth.png"
    assert render_icon().main([str(out), "--size", "64"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (64, 64)
    assert image.pixelColor(0, 0).alpha() == 0
    assert any(image.pixelColor(x, 32).alpha() > 0 for x in range(64))  # something is drawn


def test_an_ico_holds_every_windows_size(tmp_path: Path) -> None:
    module = render_icon()
    out = tmp_path / "hearth.ico"
    assert module.main([str(out)]) == 0
    data = out.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(module.ICO_SIZES))
    sides = []
    for index in range(count):
        width, _, _, _, _, _, size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + size <= len(data)
        sides.append(width or 256)
    assert sides == list(module.ICO_SIZES)


def test_an_iconset_has_the_names_iconutil_expects(tmp_path: Path) -> None:
    out = tmp_path / "Hearth.iconset"
    assert render_icon().main([str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "icon_512x512@2x.png" in names
    assert len(names) == 10
    assert QImage(str(out / "icon_512x512@2x.png")).width() == 1024
    assert QImage(str(out / "icon_16x16.png")).width() == 16
