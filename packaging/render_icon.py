"""Render Hearth's icon (resources/icons/hearth.svg) into what each platform's installer needs.

    python packaging/render_icon.py OUT.png [--size N]   # Linux: one PNG (default 256 px)
    python packaging/render_icon.py OUT.ico              # Windows: 16-256 px in one file
    python packaging/render_icon.py OUT.iconset          # macOS: then `iconutil -c icns`

Uses Qt's SVG renderer (PySide6 is already one of Hearth's dependencies), so no image tool has
to be installed on the build machine. Set QT_QPA_PLATFORM=offscreen where there is no screen.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "hearth.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# macOS .iconset names: each size at 1x and 2x.
ICONSET = {
    f"icon_{size}x{size}{suffix}.png": size * scale
    for size in (16, 32, 128, 256, 512)
    for suffix, scale in (("", 1), ("@2x", 2))
}


def render_png(size: int) -> bytes:
    """The icon as PNG bytes, `size` pixels square, transparent around the drawing."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG-compressed image per size (Vista and later read these)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, images = b"", b""
    offset = 6 + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + entries + images


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a .png, .ico or .iconset path")
    parser.add_argument("--size", type=int, default=256, help="pixels, for a .png")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".png":
        out.write_bytes(render_png(args.size))
    elif out.suffix == ".ico":
        out.write_bytes(ico_bytes({size: render_png(size) for size in ICO_SIZES}))
    elif out.suffix == ".iconset":
        out.mkdir(exist_ok=True)
        for name, pixels in ICONSET.items():
            (out / name).write_bytes(render_png(pixels))
    else:
        parser.error("OUT must end in .png, .ico or .iconset")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
