"""llama-cpp-python's `LlamaState` to bytes and back, for the state cache (state_cache.py).

A plain binary layout rather than pickle: cache files sit on disk, and unpickling a file
someone replaced would run their code.

What is kept: the native context state (`llama_state_get_data`: the KV cache), the evaluated
tokens and the sampler seed. The last logits are not usable after `load_state` (they read as
zeros): evaluate at least one token before sampling; `Llama.generate` does that by itself.

What is not kept, by default: `LlamaState.scores`. Without `logits_all=True` (Hearth never
sets it) llama-cpp-python samples from the native logits and never reads that array, yet it
holds up to n_batch x n_vocab floats (hundreds of MB for a 150k-token vocabulary).
`load_state` copies the stored scores into the model's scores buffer with numpy broadcasting,
so a single zero is stored instead. `input_ids` is stored up to `n_tokens` and padded back to
its full length (n_ctx), which later evaluation writes into.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import llama_cpp

MAGIC = b"HLSTATE1"
# magic, n_tokens, input_ids length, seed, scores rows, scores columns, native state length
_HEADER = struct.Struct("<8sqqqqqq")


def state_to_bytes(state: llama_cpp.LlamaState, *, include_scores: bool = False) -> bytes:
    """Serialize `state`; `include_scores` only matters for a model with `logits_all=True`."""
    n_tokens = int(state.n_tokens)
    input_ids = np.asarray(state.input_ids, dtype="<i4")
    if include_scores:
        scores = np.asarray(state.scores, dtype="<f4")
    else:
        scores = np.zeros((1, 1), dtype="<f4")
    rows, columns = scores.shape
    native = bytes(state.llama_state)[: int(state.llama_state_size)]
    header = _HEADER.pack(
        MAGIC, n_tokens, len(input_ids), int(state.seed), rows, columns, len(native)
    )
    return b"".join([header, input_ids[:n_tokens].tobytes(), scores.tobytes(), native])


def state_from_bytes(data: bytes) -> llama_cpp.LlamaState:
    """The `LlamaState` written by `state_to_bytes`; ValueError if `data` is not one."""
    import llama_cpp

    if len(data) < _HEADER.size:
        raise ValueError("too short for a saved model state")
    magic, n_tokens, ids_length, seed, rows, columns, native_length = _HEADER.unpack_from(data)
    if magic != MAGIC or min(n_tokens, ids_length, rows, columns, native_length) < 0:
        raise ValueError("not a saved model state of this version")
    ids_end = _HEADER.size + 4 * n_tokens
    scores_end = ids_end + 4 * rows * columns
    if n_tokens > ids_length or len(data) != scores_end + native_length:
        raise ValueError("saved model state has inconsistent sizes")
    input_ids = np.zeros(ids_length, dtype=np.intc)
    input_ids[:n_tokens] = np.frombuffer(data, dtype="<i4", count=n_tokens, offset=_HEADER.size)
    scores = np.frombuffer(data, dtype="<f4", count=rows * columns, offset=ids_end)
    return llama_cpp.LlamaState(
        input_ids=input_ids,
        scores=scores.astype(np.single).reshape(rows, columns),
        n_tokens=n_tokens,
        llama_state=data[scores_end:],
        llama_state_size=native_length,
        seed=seed,
    )
