"""Load llama.cpp's compute backends when the build keeps them in separate libraries.

A portable build (packaging: `GGML_BACKEND_DL=ON`, `GGML_CPU_ALL_VARIANTS=ON`) ships the CPU
backend as several libraries, one per instruction set (`libggml-cpu-haswell.so`, ...), and
ggml picks the best one this CPU runs. It looks for them beside the executable and in the
current folder, never in `llama_cpp/lib/` where they are installed; with none found every model
load fails with "no backends are loaded". So the engine points ggml at that folder before the
first model loads. A build with the backends linked in (the default source install) already
has them registered, and this does nothing.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

log = logging.getLogger("hearth.engine")


def load_backends() -> int:
    """Register the backends in `llama_cpp/lib/` if none is registered; the count registered."""
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent / "lib"
    ggml = _ggml_library(folder)
    if ggml is None:
        return -1  # an unusual build without a separate ggml library: llama.cpp decides
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    if ggml.ggml_backend_reg_count() == 0:
        ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
        ggml.ggml_backend_load_all_from_path(str(folder).encode())
        log.info("loaded llama.cpp backends from %s", folder)
    return int(ggml.ggml_backend_reg_count())


def _ggml_library(folder: Path) -> ctypes.CDLL | None:
    """The ggml library llama.cpp already loaded (opening it again returns the same one)."""
    for name in ("libggml.so", "libggml.dylib", "ggml.dll"):
        if (folder / name).exists():
            return ctypes.CDLL(str(folder / name))
    versioned = sorted(folder.glob("libggml.[0-9]*.dylib"), key=lambda p: len(p.name))
    return ctypes.CDLL(str(versioned[0])) if versioned else None
