#!/usr/bin/env bash
# Build Hearth for Linux: the onedir bundle dist/hearth/ (run dist/hearth/hearth), a tarball,
# and an AppImage (Hearth-VERSION-ARCH.AppImage) with its .desktop entry, icon and AppStream
# metadata. Run from anywhere; needs Python 3.11+, a C/C++ compiler, cmake and mksquashfs.
#
#   bash packaging/linux/build.sh
#
# Environment:
#   PYTHON                  the Python to build with (default python3)
#   HEARTH_BUILD_DIR        scratch folder (default build/packaging in the checkout)
#   HEARTH_WHEEL_CACHE      where the portable llama-cpp-python wheel is kept between builds
#                           (default ~/.cache/hearth-build/wheels): it compiles for ~20 minutes
#   HEARTH_APPIMAGE_RUNTIME the AppImage runtime file (type2-runtime's runtime-ARCH). Without
#                           it the AppImage step stops at the squashfs image, with a note;
#                           HEARTH_FETCH_RUNTIME=1 downloads it from GitHub (release CI).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
ARCH="$(uname -m)"
BUILD="${HEARTH_BUILD_DIR:-$ROOT/build/packaging}"
WHEELS="${HEARTH_WHEEL_CACHE:-$HOME/.cache/hearth-build/wheels}"
DIST="$ROOT/dist"
VERSION="$("$PYTHON" -c 'import app; print(app.__version__)')"
LLAMA_VERSION="$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)"

# Portable native code: no -march=native (it dies with "illegal instruction" on older CPUs);
# instead one CPU backend per instruction-set level, the best picked at run time
# (app/engine/native_backends.py loads them from llama_cpp/lib, where they are installed).
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON"
CMAKE_ARGS+=" -DCMAKE_INSTALL_BINDIR=llama_cpp/lib -DLLAVA_BUILD=OFF"

step() { printf '\n== %s\n' "$*" >&2; }

step "llama-cpp-python $LLAMA_VERSION, portable ($CMAKE_ARGS)"
KEY="$(printf '%s|%s|%s' "$LLAMA_VERSION" "$CMAKE_ARGS" "$ARCH" | sha256sum | cut -c1-16)"
WHEEL_DIR="$WHEELS/$KEY"
if ! compgen -G "$WHEEL_DIR/llama_cpp_python-*.whl" >/dev/null; then
  rm -rf "$WHEEL_DIR.partial"
  CMAKE_ARGS="$CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$PYTHON" -m pip wheel --quiet --no-deps --no-binary llama-cpp-python \
    --no-cache-dir -w "$WHEEL_DIR.partial" "llama-cpp-python==$LLAMA_VERSION"
  mv "$WHEEL_DIR.partial" "$WHEEL_DIR"
else
  echo "cached: $WHEEL_DIR" >&2
fi

step "build environment"
"$PYTHON" -m venv --clear "$BUILD/venv"
VENV_PY="$BUILD/venv/bin/python"
"$VENV_PY" -m pip install --quiet --upgrade pip
"$VENV_PY" -m pip install --quiet "$WHEEL_DIR"/llama_cpp_python-*.whl "$ROOT" \
  "pyinstaller>=6.10,<7"

step "icon"
QT_QPA_PLATFORM=offscreen "$VENV_PY" packaging/render_icon.py "$BUILD/hearth.png" --size 256

step "PyInstaller bundle"
rm -rf "$DIST/hearth"
HEARTH_ICON="$BUILD/hearth.png" "$VENV_PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$BUILD/work" packaging/pyinstaller/hearth.spec
# Symbols off the libraries built from source (Python's, llama.cpp's), ~20 MB; not off the
# wheels' libraries: strip breaks those auditwheel rewrote (numpy's OpenBLAS stops loading).
find "$DIST/hearth/_internal" \( -name 'libpython3*.so*' -o -path '*/llama_cpp/lib/*' \
  -o -path '*/lib-dynload/*.so' \) -type f -exec strip --strip-unneeded {} +
"$DIST/hearth/hearth" --version

step "tarball"
TARBALL="$DIST/hearth-$VERSION-linux-$ARCH.tar.gz"
tar -C "$DIST" -czf "$TARBALL" hearth
echo "$TARBALL" >&2

step "AppImage"
APPDIR="$BUILD/Hearth.AppDir"
rm -rf "$APPDIR"
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/share/applications" "$APPDIR/usr/share/metainfo" \
  "$APPDIR/usr/share/icons/hicolor/256x256/apps"
cp -a "$DIST/hearth" "$APPDIR/usr/lib/hearth"
install -m 755 packaging/linux/AppRun "$APPDIR/AppRun"
install -m 644 packaging/linux/org.hearth.Hearth.desktop "$APPDIR/org.hearth.Hearth.desktop"
install -m 644 packaging/linux/org.hearth.Hearth.desktop "$APPDIR/usr/share/applications/"
sed "s/@VERSION@/$VERSION/; s/@DATE@/$(date -u +%Y-%m-%d)/" packaging/linux/org.hearth.Hearth.metainfo.xml \
  > "$APPDIR/usr/share/metainfo/org.hearth.Hearth.metainfo.xml"
install -m 644 "$BUILD/hearth.png" "$APPDIR/usr/share/icons/hicolor/256x256/apps/org.hearth.Hearth.png"
install -m 644 "$BUILD/hearth.png" "$APPDIR/org.hearth.Hearth.png"
ln -s org.hearth.Hearth.png "$APPDIR/.DirIcon"
SQUASHFS="$BUILD/hearth.squashfs"
rm -f "$SQUASHFS"
mksquashfs "$APPDIR" "$SQUASHFS" -root-owned -noappend -comp zstd -quiet -no-progress
RUNTIME="${HEARTH_APPIMAGE_RUNTIME:-}"
if [[ -z "$RUNTIME" && "${HEARTH_FETCH_RUNTIME:-0}" == 1 ]]; then
  RUNTIME="$BUILD/runtime-$ARCH"
  curl -fsSL -o "$RUNTIME" \
    "https://github.com/AppImage/type2-runtime/releases/download/continuous/runtime-$ARCH"
fi
if [[ -n "$RUNTIME" ]]; then
  APPIMAGE="$DIST/Hearth-$VERSION-$ARCH.AppImage"
  cat "$RUNTIME" "$SQUASHFS" > "$APPIMAGE"
  chmod 755 "$APPIMAGE"
  echo "$APPIMAGE" >&2
else
  echo "No AppImage runtime (set HEARTH_APPIMAGE_RUNTIME or HEARTH_FETCH_RUNTIME=1): the" \
    "AppImage's contents are in $SQUASHFS; prepend the runtime to make the AppImage." >&2
fi
