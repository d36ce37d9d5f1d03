"""A loaded model's evaluated state to bytes and back, for the state cache (state_cache.py).

Why not `Llama.save_state`/`load_state`: they copy `Llama.scores` both ways, an
n_batch x n_vocab float array (about 300 MB for a 150k-token vocabulary) that llama-cpp-python
only reads with `logits_all=True`, which Hearth never sets: sampling reads the native logits.
So only what decides the next tokens is kept: the native context state (`llama_state_get_data`:
the KV cache, for the cells in use), the evaluated token ids and the sampler seed.

A plain binary layout rather than pickle: cache files sit on disk, and unpickling a file
someone replaced would run their code.

After `restore` the last logits are stale: at least one token must be evaluated before
sampling. `restore` marks the model so, and `Llama.generate` then re-evaluates the last
matching token by itself.
"""

from __future__ import annotations

import ctypes
import struct
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import llama_cpp

MAGIC = b"HLSTATE2"
# magic, n_tokens, seed, native state length
_HEADER = struct.Struct("<8sqqq")


def capture(llm: llama_cpp.Llama) -> bytes:
    """The evaluated tokens, seed and native state of `llm`, as one byte string."""
    import llama_cpp

    ctx = llm._ctx.ctx
    size = int(llama_cpp.llama_state_get_size(ctx))
    buffer = (ctypes.c_uint8 * size)()
    written = int(llama_cpp.llama_state_get_data(ctx, buffer, size))
    if written > size:
        raise RuntimeError("llama.cpp wrote more state than it announced")
    n_tokens = int(llm.n_tokens)
    input_ids = np.asarray(llm.input_ids[:n_tokens], dtype="<i4")
    header = _HEADER.pack(MAGIC, n_tokens, int(llm._seed), written)
    return b"".join([header, input_ids.tobytes(), memoryview(buffer)[:written]])


def restore(llm: llama_cpp.Llama, data: bytes) -> int:
    """Put a captured state into `llm` (same model, context and KV type); its token count.

    ValueError if `data` is not a whole state; RuntimeError if llama.cpp refuses it (then the
    model's cache is cleared, so nothing half-restored is ever used).
    """
    import llama_cpp

    n_tokens, seed, native_length = _check(data)
    if n_tokens > llm.n_ctx():
        raise ValueError("saved model state is longer than this context")
    start = _HEADER.size + 4 * n_tokens
    native = (ctypes.c_uint8 * native_length).from_buffer_copy(data, start)
    if int(llama_cpp.llama_state_set_data(llm._ctx.ctx, native, native_length)) != native_length:
        llm.n_tokens = 0
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        raise RuntimeError("llama.cpp did not accept the saved state")
    llm.input_ids[:n_tokens] = np.frombuffer(data, dtype="<i4", count=n_tokens, offset=_HEADER.size)
    llm.n_tokens = n_tokens
    llm._seed = seed
    llm._requires_eval = True  # the logits are not part of the state
    return n_tokens


def _check(data: bytes) -> tuple[int, int, int]:
    if len(data) < _HEADER.size:
        raise ValueError("too short for a saved model state")
    magic, n_tokens, seed, native_length = _HEADER.unpack_from(data)
    if magic != MAGIC or n_tokens < 0 or native_length < 0:
        raise ValueError("not a saved model state of this version")
    if len(data) != _HEADER.size + 4 * n_tokens + native_length:
        raise ValueError("saved model state has inconsistent sizes")
    return n_tokens, seed, native_length
