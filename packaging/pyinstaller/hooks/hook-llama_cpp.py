"""PyInstaller hook: llama-cpp-python's native libraries.

They are opened with ctypes (`llama_cpp/lib/libllama.so`, `libggml*.so`, and in a portable build
one `libggml-cpu-<variant>` per instruction set, loaded by ggml itself at run time), so import
analysis never sees them. Every library in the package's `lib/` folder is collected to the same
place in the bundle, where llama_cpp and app/engine/native_backends.py look for them. On macOS
that is `.dylib` and `.so` alike (CMake names the loadable backend modules `.so` there too); the
Metal build embeds its shader library, so no `.metal` file is needed.
"""

from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

_, package_dir = get_package_paths("llama_cpp")
_lib = Path(package_dir) / "lib"
_SUFFIXES = (".so", ".dylib", ".dll")

binaries = [
    (str(path), "llama_cpp/lib")
    for path in sorted(_lib.iterdir())
    if path.is_file() and (path.suffix in _SUFFIXES or ".so." in path.name)
]
# The server and its web dependencies are optional extras Hearth never imports.
excludedimports = ["llama_cpp.server"]
