"""What a saved conversation state is valid for, and how a prompt finds the best one.

A `StateKey` names one model file (by `model_identity`), context size, KV cache type and the
exact tokens a state has evaluated; `ranked_matches` orders stored keys by how much of a new
prompt they already hold. The stores themselves are in state_cache.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

SUFFIX = ".kvstate"  # a state file's name: a digest of its key, then this


def shared_prefix_length(first: Iterable[int], second: Iterable[int]) -> int:
    """How many tokens two sequences share from the start."""
    common = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        common += 1
    return common


def model_identity(model_path: Path) -> str:
    """Identify a model file by its resolved path, size and modification time (in ns).

    Why not a hash of the GGUF header: fine-tunes of one base model share the same header
    (shapes, tokenizer) yet have different weights, and hashing the weights themselves would
    mean reading gigabytes. Path + size + mtime is free and changes whenever the file is
    replaced (re-download, re-quantization); moving or touching the file only costs a cache miss.
    """
    resolved = model_path.resolve()
    stat = resolved.stat()
    text = f"{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StateKey:
    """What a saved state is valid for: one model file, context size, KV type and token prefix."""

    model_id: str
    n_ctx: int
    kv_type: str
    tokens: tuple[int, ...]

    def same_setup(self, model_id: str, n_ctx: int, kv_type: str) -> bool:
        return (self.model_id, self.n_ctx, self.kv_type) == (model_id, n_ctx, kv_type)

    def shared_prefix(self, tokens: Sequence[int]) -> int:
        """How many leading tokens this state has in common with `tokens`.

        All of them are usable: after restoring, llama.cpp drops the cells past the shared
        prefix (`Llama.generate` does so itself), so a state that ends with a reply worded a
        little differently from the stored text is still used up to the difference.
        """
        return shared_prefix_length(self.tokens, tokens)

    def extends(self, other: StateKey) -> bool:
        """Whether this state holds everything `other` holds (same setup, longer prefix):
        then `other` is never the better choice, and can go."""
        return (
            other is not self
            and other.same_setup(self.model_id, self.n_ctx, self.kv_type)
            and len(other.tokens) < len(self.tokens)
            and self.tokens[: len(other.tokens)] == other.tokens
        )

    def file_name(self) -> str:
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:40]
        return digest + SUFFIX


class Hit(NamedTuple):
    """A lookup's answer: `length` tokens of the prompt are in `state`, stored under `key`."""

    length: int
    state: bytes
    key: StateKey


def ranked_matches(
    keys: Sequence[StateKey], model_id: str, n_ctx: int, kv_type: str, tokens: Sequence[int]
) -> list[tuple[int, StateKey]]:
    """The keys of this setup sharing a prefix with `tokens`, the longest shared first (and of
    equal ones the shortest state, which is the least to read and restore)."""
    matches = []
    for key in keys:
        if key.same_setup(model_id, n_ctx, kv_type):
            length = key.shared_prefix(tokens)
            if length:
                matches.append((length, key))
    matches.sort(key=lambda match: (-match[0], len(match[1].tokens)))
    return matches
