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
    ggml = _loaded_ggml(folder)
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    if ggml.ggml_backend_reg_count() == 0:
        ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
        ggml.ggml_backend_load_all_from_path(str(folder).encode())
        log.info("loaded llama.cpp backends from %s", folder)
    return int(ggml.ggml_backend_reg_count())


def _loaded_ggml(folder: Path) -> ctypes.CDLL:
    """The ggml library llama.cpp uses: not opened again from a file, which could load a second
    copy (a wheel holds copies, not links, of `libggml.so` and `libggml.so.0`) with a registry
    of its own. On Linux and macOS a symbol lookup in llama's library also searches the
    libraries it links against; Windows looks in the named DLL only, where opening `ggml.dll`
    by path returns the module already loaded."""
    from llama_cpp import llama_cpp as native

    llama: ctypes.CDLL = native._lib
    if hasattr(llama, "ggml_backend_load_all_from_path"):
        return llama
    return ctypes.CDLL(str(folder / "ggml.dll"))
