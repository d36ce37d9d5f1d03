"""Routes llama.cpp's own log lines into Hearth's log file.

llama.cpp logs through a C callback in pieces (a message may arrive as several calls, the
later ones at level CONT). We join pieces into lines and hand each line to `logging`.
The ctypes callback object is kept at module level: if it were collected, llama.cpp would
call freed memory.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger("hearth.llama")

# ggml_log_level in the llama.cpp we build: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5.
# (The comment in llama-cpp-python's _logger.py shows an older order with DEBUG last: going
# by it hid llama.cpp's errors, like "invalid magic characters", as debug lines.)
_LEVELS = {
    0: logging.INFO,
    1: logging.DEBUG,
    2: logging.INFO,
    3: logging.WARNING,
    4: logging.ERROR,
}
_CONT = 5
_callback: Any = None
_pending: list[str] = []
_pending_level = logging.INFO


def _on_native_log(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
    global _pending_level
    if level != _CONT:
        _pending_level = _LEVELS.get(level, logging.INFO)
    _pending.append(text.decode("utf-8", errors="replace"))
    joined = "".join(_pending)
    if "\n" not in joined:
        return
    *lines, rest = joined.split("\n")
    _pending[:] = [rest] if rest else []
    for line in lines:
        if line.strip():
            log.log(_pending_level, "%s", line.rstrip())


def route_native_logs() -> None:
    """Install the callback; call once per process, after importing llama_cpp."""
    global _callback
    import llama_cpp

    if _callback is None:
        _callback = llama_cpp.llama_log_callback(_on_native_log)
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
