#!/usr/bin/env bash
# Build Hearth.app and dist/Hearth-<version>-macos-<arch>.dmg on a Mac (see README.md here).
#
#   bash packaging/macos/build.sh
#
# Environment (all optional):
#   PYTHON                     python.org Python 3.11+ to build with (default: the oldest
#                              3.11+ in /Library/Frameworks/Python.framework, else python3)
#   HEARTH_WHEEL_CACHE         where the llama-cpp-python wheel is kept between builds (default
#                              ~/.cache/hearth-build/wheels), in <key>/ = a hash of its version,
#                              CMAKE_ARGS, architecture, deployment target and Python version
#   HEARTH_CODESIGN_IDENTITY   "Developer ID Application: Name (TEAMID)"; without it the app is
#                              signed ad hoc and not notarized (it runs on this Mac only)
#   HEARTH_NOTARY_PROFILE      keychain profile made with `xcrun notarytool store-credentials`
#   HEARTH_NOTARY_KEYCHAIN     keychain holding that profile (default: the login keychain)
#
# Written for the bash 3.2 that macOS ships: no associative arrays, no mapfile, and no
# "${array[@]}" of a possibly empty array under `set -u`.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="0.3.36"
PYINSTALLER_REQUIREMENT="pyinstaller>=6.10,<7"
MIN_MACOS="13.3"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

log() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$(uname -s)" == "Darwin" ]] || die "this script builds the macOS app and runs on macOS only."
xcode-select -p >/dev/null 2>&1 \
  || die "the Xcode command line tools are missing: run 'xcode-select --install'."

TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/hearth-build.XXXXXX")"
cleanup() { rm -rf "$TMP_ROOT"; }
trap cleanup EXIT

# --- Python ---------------------------------------------------------------------------------
BASE_PYTHON="${PYTHON:-}"
if [[ -z "$BASE_PYTHON" ]]; then
  for minor in 11 12 13 14; do
    candidate="/Library/Frameworks/Python.framework/Versions/3.$minor/bin/python3.$minor"
    if [[ -x "$candidate" ]]; then
      BASE_PYTHON="$candidate"
      break
    fi
  done
fi
if [[ -z "$BASE_PYTHON" ]]; then
  BASE_PYTHON="$(command -v python3 || true)"
fi
[[ -n "$BASE_PYTHON" ]] || die "no Python found: install Python 3.11+ from python.org or set PYTHON."
"$BASE_PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "$BASE_PYTHON is older than Python 3.11: install 3.11+ from python.org or set PYTHON."
BASE_PREFIX="$("$BASE_PYTHON" -c 'import sys; print(sys.base_prefix)')"
case "$BASE_PREFIX" in
  /Library/Frameworks/Python.framework/*) ;;
  *) warn "$BASE_PYTHON is not a python.org build ($BASE_PREFIX). Homebrew and pyenv Pythons" \
       "may link libraries that do not exist on other Macs; release builds use python.org's." ;;
esac
PY_VERSION="$("$BASE_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

# The architecture this Python runs as (a Rosetta terminal runs a universal Python as x86_64).
ARCH="$("$BASE_PYTHON" -c 'import platform; print(platform.machine())')"
case "$ARCH" in
  arm64)
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON -DLLAVA_BUILD=OFF"
    ;;
  x86_64)
    # One CPU backend per instruction-set level, the best picked at run time. ggml installs
    # such backends into CMAKE_INSTALL_BINDIR: point it at llama_cpp/lib, where
    # app/engine/native_backends.py loads them from (as packaging/linux/build.sh does).
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_METAL=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON"
    CMAKE_ARGS="$CMAKE_ARGS -DCMAKE_INSTALL_BINDIR=llama_cpp/lib -DLLAVA_BUILD=OFF"
    ;;
  *) die "unsupported architecture: $ARCH" ;;
esac
# Both architectures target the Info.plist's LSMinimumSystemVersion; without it the compiler
# would target the build machine's own macOS and the libraries could refuse older systems.
CMAKE_ARGS="$CMAKE_ARGS -DCMAKE_OSX_DEPLOYMENT_TARGET=$MIN_MACOS"
export MACOSX_DEPLOYMENT_TARGET="$MIN_MACOS"

BUILD="$ROOT/build/macos-$ARCH"
VENV="$BUILD/venv"
PY="$VENV/bin/python"
DIST="$ROOT/dist"
APP="$DIST/Hearth.app"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"
mkdir -p "$BUILD" "$DIST"

# --- Signing settings ------------------------------------------------------------------------
IDENTITY="${HEARTH_CODESIGN_IDENTITY:-}"
if [[ "$IDENTITY" == "-" ]]; then
  IDENTITY=""
fi
NOTARY_PROFILE="${HEARTH_NOTARY_PROFILE:-}"
if [[ -n "$IDENTITY" ]]; then
  security find-identity -v -p codesigning | grep -F -- "$IDENTITY" >/dev/null \
    || die "no valid code-signing identity matching '$IDENTITY' in the keychain search list."
fi
# PyInstaller signs ad hoc when no identity reaches the spec; "-" must not reach it, as
# PyInstaller would then also turn on the hardened runtime, whose library validation refuses
# ad-hoc-signed libraries.
unset HEARTH_CODESIGN_IDENTITY
if [[ -n "$IDENTITY" ]]; then
  export HEARTH_CODESIGN_IDENTITY="$IDENTITY"
fi

# --- Build environment -----------------------------------------------------------------------
log "Creating the build environment in $VENV (Python $PY_VERSION, $ARCH)"
"$BASE_PYTHON" -m venv --clear "$VENV"
"$PY" -m pip install --quiet --upgrade pip

# --- llama-cpp-python wheel (built once per configuration, then cached) ----------------------
WHEEL_CACHE="${HEARTH_WHEEL_CACHE:-$HOME/.cache/hearth-build/wheels}"
KEY_TEXT="llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION|$CMAKE_ARGS|macos-$ARCH|$MIN_MACOS|py$PY_VERSION"
KEY="$(printf '%s' "$KEY_TEXT" | shasum -a 256 | cut -c1-16)"
WHEEL_DIR="$WHEEL_CACHE/$KEY"

find_wheel() {
  local f
  for f in "$WHEEL_DIR"/llama_cpp_python-"$LLAMA_CPP_PYTHON_VERSION"-*.whl; do
    if [[ -f "$f" ]]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  return 1
}

WHEEL="$(find_wheel || true)"
if [[ -n "$WHEEL" ]]; then
  log "Using the cached wheel $WHEEL"
else
  log "Building llama-cpp-python $LLAMA_CPP_PYTHON_VERSION (about 10-15 minutes)"
  printf 'CMAKE_ARGS=%s\n' "$CMAKE_ARGS" >&2
  mkdir -p "$TMP_ROOT/wheels"
  # --no-cache-dir: pip's own wheel cache ignores CMAKE_ARGS and could hand back a wheel
  # built for this CPU only (e.g. by `python3 -m app`). ARCHFLAGS tells scikit-build-core
  # the target architecture (CMAKE_OSX_ARCHITECTURES and the wheel tag).
  CMAKE_ARGS="$CMAKE_ARGS" ARCHFLAGS="-arch $ARCH" \
    "$PY" -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
    --wheel-dir "$TMP_ROOT/wheels" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
  mkdir -p "$WHEEL_DIR"
  mv "$TMP_ROOT"/wheels/llama_cpp_python-*.whl "$WHEEL_DIR"/
  printf '%s\n' "$KEY_TEXT" >"$WHEEL_DIR/build-key.txt"
  WHEEL="$(find_wheel)" || die "pip built no llama_cpp_python wheel."
  log "Cached $WHEEL"
fi

log "Installing Hearth, its dependencies and PyInstaller"
"$PY" -m pip install --quiet "$WHEEL" . "$PYINSTALLER_REQUIREMENT"
"$PY" -c 'import llama_cpp; print("llama_cpp", llama_cpp.__version__, "loads")'
VERSION="$("$PY" -c 'import app; print(app.__version__)')"
[[ -n "$VERSION" ]] || die "could not read app.__version__."
log "Hearth $VERSION"

# --- Icon ------------------------------------------------------------------------------------
log "Rendering the icon"
ICONSET="$BUILD/hearth.iconset"
ICNS="$BUILD/hearth.icns"
rm -rf "$ICONSET" "$ICNS"
"$PY" packaging/render_icon.py "$ICONSET"
iconutil -c icns "$ICONSET" -o "$ICNS"

# --- PyInstaller -----------------------------------------------------------------------------
log "Freezing with PyInstaller"
HEARTH_ICON="$ICNS" HEARTH_ENTITLEMENTS="$ENTITLEMENTS" \
  "$PY" -m PyInstaller --noconfirm --clean --distpath "$DIST" --workpath "$BUILD/pyinstaller" \
  packaging/pyinstaller/hearth.spec
[[ -x "$APP/Contents/MacOS/hearth" ]] || die "PyInstaller did not produce $APP/Contents/MacOS/hearth."

# --- Signing ---------------------------------------------------------------------------------
# PyInstaller has signed every binary already; sign the whole bundle once more so the outer
# signature, the entitlements and the hardened runtime are exactly ours.
if [[ -n "$IDENTITY" ]]; then
  log "Signing Hearth.app as '$IDENTITY' (hardened runtime)"
  codesign --force --deep --options runtime --timestamp --entitlements "$ENTITLEMENTS" \
    --sign "$IDENTITY" "$APP"
  codesign --display --verbose=2 "$APP" 2>&1 | grep -E 'flags=.*runtime' >/dev/null \
    || die "Hearth.app is not signed with the hardened runtime."
else
  log "No HEARTH_CODESIGN_IDENTITY: signing Hearth.app ad hoc (runs on this Mac only)"
  # No hardened runtime here: its library validation refuses ad-hoc-signed libraries.
  codesign --force --deep --entitlements "$ENTITLEMENTS" --sign - "$APP"
fi

# --- Smoke test and verification -------------------------------------------------------------
log "Smoke test: hearth --version"
SMOKE_HOME="$TMP_ROOT/home"
mkdir -p "$SMOKE_HOME"
SMOKE_OUT="$(HEARTH_HOME="$SMOKE_HOME" "$APP/Contents/MacOS/hearth" --version)" \
  || die "Hearth.app/Contents/MacOS/hearth --version failed."
printf '%s\n' "$SMOKE_OUT"
[[ "$SMOKE_OUT" == *"$VERSION"* ]] || die "the app reports '$SMOKE_OUT', expected version $VERSION."

# After the smoke test, so that a file written into the bundle by running it would show here.
log "Verifying the signature"
codesign --verify --deep --strict --verbose=2 "$APP"

# --- Disk image ------------------------------------------------------------------------------
DMG="$DIST/Hearth-$VERSION-macos-$ARCH.dmg"
log "Making $DMG"
STAGE="$TMP_ROOT/dmg"
mkdir -p "$STAGE"
ditto "$APP" "$STAGE/Hearth.app"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
# hdiutil sometimes fails with "Resource busy" on busy machines (CI): try three times.
attempt=1
until hdiutil create -volname "Hearth $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO \
  -ov "$DMG"; do
  if [[ $attempt -ge 3 ]]; then
    die "hdiutil create failed three times."
  fi
  attempt=$((attempt + 1))
  warn "hdiutil create failed; trying again in 10 seconds."
  sleep 10
done

if [[ -z "$IDENTITY" ]]; then
  log "Done (ad hoc, not notarized): $DMG"
  echo "Without a Developer ID identity, Gatekeeper blocks this app on other Macs." >&2
  echo "Set HEARTH_CODESIGN_IDENTITY and HEARTH_NOTARY_PROFILE for a build to share." >&2
  exit 0
fi

log "Signing the disk image"
codesign --force --timestamp --sign "$IDENTITY" "$DMG"
codesign --verify --verbose=2 "$DMG"

# --- Notarization ----------------------------------------------------------------------------
if [[ -z "$NOTARY_PROFILE" ]]; then
  log "Done (signed, NOT notarized): $DMG"
  warn "HEARTH_NOTARY_PROFILE is not set: the disk image was not notarized, and Gatekeeper" \
    "refuses to open it on other Macs. See packaging/macos/README.md."
  exit 0
fi

NOTARY_ARGS=(--keychain-profile "$NOTARY_PROFILE")
if [[ -n "${HEARTH_NOTARY_KEYCHAIN:-}" ]]; then
  NOTARY_ARGS+=(--keychain "$HEARTH_NOTARY_KEYCHAIN")
fi

# Reads one field of notarytool's JSON output on stdin; prints nothing if it is not JSON.
json_field() {
  "$PY" -c '
import json, sys
try:
    data = json.loads(sys.stdin.read())
except ValueError:
    data = {}
print(data.get(sys.argv[1], "") if isinstance(data, dict) else "")
' "$1"
}

log "Notarizing $DMG (usually a few minutes)"
NOTARY_RC=0
NOTARY_OUT="$(xcrun notarytool submit "$DMG" "${NOTARY_ARGS[@]}" --wait --output-format json)" \
  || NOTARY_RC=$?
printf '%s\n' "$NOTARY_OUT"
SUBMISSION_ID="$(printf '%s' "$NOTARY_OUT" | json_field id)"
STATUS="$(printf '%s' "$NOTARY_OUT" | json_field status)"
if [[ "$STATUS" != "Accepted" ]]; then
  echo "Notarization status: '${STATUS:-unknown}' (notarytool exit code $NOTARY_RC)." >&2
  if [[ -n "$SUBMISSION_ID" ]]; then
    echo "Apple's log for submission $SUBMISSION_ID:" >&2
    xcrun notarytool log "$SUBMISSION_ID" "${NOTARY_ARGS[@]}" >&2 || true
  fi
  die "notarization failed."
fi

log "Stapling the ticket to the disk image"
xcrun stapler staple "$DMG"
xcrun stapler validate "$DMG"

# Gatekeeper's own verdicts, now that Apple knows both the image and the app inside it. The
# app in dist/ carries no stapled ticket, so its check asks Apple online, where a ticket can
# take a few minutes to appear: a warning only.
log "Gatekeeper assessment"
spctl --assess --type open --context context:primary-signature -vv "$DMG"
spctl --assess --type execute -vv "$APP" \
  || warn "Gatekeeper did not accept dist/Hearth.app yet (its ticket is looked up online)."

log "Done: $DMG (signed, notarized, stapled)"
