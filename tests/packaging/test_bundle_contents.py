"""What the bundle and the AppImage hold: small, portable, complete."""

from __future__ import annotations

import configparser
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import app
from tests.packaging.bundle_run import PACKAGING, Build, bare_env

pytestmark = PACKAGING
MAX_BUNDLE_BYTES = 250 * 1024 * 1024  # the goal: 250 MB unpacked, without models


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


def test_the_bundle_stays_small(build: Build) -> None:
    size = sum(p.stat().st_size for p in files_under(build.bundle))
    assert size <= MAX_BUNDLE_BYTES, f"{size / 1024**2:.0f} MB"


def test_llama_cpp_is_portable_with_one_cpu_backend_per_instruction_set(build: Build) -> None:
    lib = build.bundle / "_internal" / "llama_cpp" / "lib"
    variants = sorted(p.name for p in lib.glob("libggml-cpu-*.so"))
    # x64 builds name variants after CPU generations; a native build would have none.
    assert "libggml-cpu-x64.so" in variants
    assert len(variants) >= 4, variants
    assert (lib / "libllama.so").exists()
    assert not list(lib.glob("libmtmd*")), "the multimodal library is not used"


def test_only_the_qt_plugins_the_window_uses(build: Build) -> None:
    plugins = build.bundle / "_internal" / "PySide6" / "Qt" / "plugins"
    folders = {p.name for p in plugins.iterdir() if any(p.iterdir())}
    assert {"platforms", "imageformats", "iconengines"} <= folders
    assert not folders & {"egldeviceintegrations", "generic", "sqldrivers", "tls"}
    assert (plugins / "platforms" / "libqoffscreen.so").exists()
    assert (plugins / "iconengines" / "libqsvgicon.so").exists()
    assert not list(plugins.glob("imageformats/libqpdf*"))


def test_resources_and_catalog_are_bundled(build: Build) -> None:
    internal = build.bundle / "_internal"
    assert (internal / "models.json").read_bytes() == (build.source / "models.json").read_bytes()
    prompts = sorted(p.name for p in (internal / "resources" / "prompts").glob("*.toml"))
    assert prompts == sorted(p.name for p in (build.source / "resources/prompts").glob("*.toml"))
    assert (internal / "resources" / "icons" / "hearth.svg").exists()


def test_the_keyring_finds_its_backends_in_the_bundle(build: Build) -> None:
    """keyring discovers the OS's secret stores through its package metadata (entry points):
    without its dist-info, a frozen Hearth would find no keyring even on a Mac."""
    (metadata,) = (build.bundle / "_internal").glob("keyring-*.dist-info")
    points = configparser.ConfigParser()
    points.read(metadata / "entry_points.txt", encoding="utf-8")
    backends = dict(points["keyring.backends"])
    assert {"macos", "windows", "secretservice"} <= {name.lower() for name in backends}
    assert not list((build.bundle / "_internal").glob("keyrings.alt*")), "a test-only backend"


def test_the_appimage_contents_run_and_describe_the_app(build: Build, tmp_path: Path) -> None:
    appdir = tmp_path / "squashfs-root"
    subprocess.run(
        ["unsquashfs", "-q", "-n", "-d", str(appdir), str(build.squashfs)],
        check=True,
        capture_output=True,
    )
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]  (keys are case-sensitive)
    desktop.read(appdir / "org.hearth.Hearth.desktop")
    entry = desktop["Desktop Entry"]
    assert entry["Exec"] == "hearth --open %F"
    assert "message/rfc822" in entry["MimeType"].split(";")
    assert (appdir / f"{entry['Icon']}.png").exists()
    assert (appdir / ".DirIcon").exists()
    metainfo = ET.parse(appdir / "usr/share/metainfo/org.hearth.Hearth.metainfo.xml").getroot()
    assert metainfo.findtext("id") == "org.hearth.Hearth"
    assert metainfo.find("launchable") is not None
    assert metainfo.find("launchable").text == "org.hearth.Hearth.desktop"  # type: ignore[union-attr]
    release = metainfo.find("releases/release")
    assert release is not None
    assert release.get("version") == app.__version__
    result = subprocess.run(
        [str(appdir / "AppRun"), "--version"],
        env=bare_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hearth {app.__version__}\n"
