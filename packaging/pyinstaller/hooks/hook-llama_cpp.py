"""PyInstaller hook: llama-cpp-python's native libraries.

They are opened with ctypes (`llama_cpp/lib/libllama.so`; in a portable build also one
`libggml-cpu-<variant>` per instruction set, which ggml loads at run time), so import analysis
never sees them. They are collected to the same folder in the bundle, where llama_cpp and
app/engine/native_backends.py look for them.

A wheel cannot hold symbolic links, so each versioned library arrives three times
(`libggml.so`, `libggml.so.0`, `libggml.so.0.25.3`). Only the names something opens are kept:
the library llama_cpp opens itself, the SONAMEs the libraries link against (`libggml.so.0`;
on macOS `libggml.0.dylib`), and the backend modules, which have no versions. On macOS the
modules end in `.so` (CMake's suffix for loadable modules there) and the rest in `.dylib`; the
Metal build embeds its shader library, so no `.metal` file is needed. Windows DLLs have no
versions: all are kept. The multimodal library (mtmd) is not used.
"""

import re
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

_, package_dir = get_package_paths("llama_cpp")
LIB = Path(package_dir) / "lib"
OPENED_BY_LLAMA_CPP = {"libllama.so", "libllama.dylib", "llama.dll"}
SONAME = re.compile(r"^(lib.+)\.so\.\d+$|^(lib.+)\.\d+\.dylib$")
FULL_VERSION = re.compile(r"\.so\.\d+\.\d+|\.\d+\.\d+\.dylib$")


def soname_base(name: str) -> str | None:
    """`libggml.so` for `libggml.so.0`, `libggml.dylib` for `libggml.0.dylib`, else None."""
    match = SONAME.match(name)
    if match is None:
        return None
    return f"{match[1]}.so" if match[1] else f"{match[2]}.dylib"


def kept(path: Path, names: set[str]) -> bool:
    name = path.name
    if name.startswith(("libmtmd", "mtmd")) or FULL_VERSION.search(name):
        return False
    base = soname_base(name)
    if base is not None:
        return base not in OPENED_BY_LLAMA_CPP
    if not name.endswith((".so", ".dylib", ".dll")):
        return False
    has_soname_twin = any(soname_base(other) == name for other in names)
    return name in OPENED_BY_LLAMA_CPP or not has_soname_twin


_names = {p.name for p in LIB.iterdir() if p.is_file()}
binaries = [(str(p), "llama_cpp/lib") for p in sorted(LIB.iterdir()) if p.is_file() and kept(p, _names)]
# The server and its web dependencies are optional extras Hearth never imports.
excludedimports = ["llama_cpp.server"]
