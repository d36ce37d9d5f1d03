"""Saved KV states of conversations, so a returning conversation skips re-reading its history.

A state is an opaque byte string (app/engine/state_bytes.py makes one from a loaded model)
stored under a `StateKey`: which model file, which context size, which KV cache type, and the
exact tokens the state has evaluated. A lookup gets the stored state sharing the longest
prefix with a new prompt, for the same model/context/KV type only, so the engine restores it
and evaluates just the remaining tokens. A state that another one extends (same setup, its
tokens a prefix of the other's) is dropped when the longer one is stored: a growing
conversation keeps one state, not one per turn.

Two layers with the same small API (`put`, `best_prefix`, `size_bytes`, `clear`):
`MemoryStates` keeps the most recent few in RAM; `DiskStates` keeps many more in a folder,
capped in bytes, the least recently used evicted first. A cache must never give a wrong answer
or crash a reply: a file that is truncated, altered or unreadable is deleted and ignored, and
disk errors on saving are logged and reported as "not stored", never raised.

Concurrency: every public method holds one lock, so threads of one process may share a store.
Files are written to a temporary name and renamed into place (`os.replace`), so another process
never reads half a file; two processes writing to one folder stay safe (every read is verified)
but each keeps its own index and size accounting, so the cap is only enforced per process.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import logging
import os
import struct
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.engine.state_key import SUFFIX, Hit, StateKey, ranked_matches

log = logging.getLogger("hearth.engine.state_cache")

MAGIC = b"HKVSTAT1"  # file format and version
_PREAMBLE = struct.Struct("<8s32sI")  # magic, sha256 of everything after it, header length
_MAX_HEADER = 64 * 1024


# --- memory ------------------------------------------------------------------------------------


class MemoryStates:
    """The most recent states in RAM: at most `max_entries`, together at most `max_bytes`."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._states: OrderedDict[StateKey, bytes] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def put(self, key: StateKey, state: bytes) -> bool:
        """Keep `state`, evicting the least recently used; False if it can never fit."""
        if len(state) > self.max_bytes or self.max_entries < 1:
            return False
        with self._lock:
            for older in [kept for kept in self._states if key.extends(kept)]:
                del self._states[older]
            self._states.pop(key, None)
            self._states[key] = state
            while len(self._states) > self.max_entries or self._total() > self.max_bytes:
                self._states.popitem(last=False)
        return True

    def best_prefix(
        self, model_id: str, n_ctx: int, kv_type: str, tokens: Sequence[int]
    ) -> Hit | None:
        with self._lock:
            matches = ranked_matches(list(self._states), model_id, n_ctx, kv_type, tokens)
            if not matches:
                return None
            length, key = matches[0]
            self._states.move_to_end(key)
            return Hit(length, self._states[key], key)

    def discard(self, key: StateKey) -> None:
        with self._lock:
            self._states.pop(key, None)

    def size_bytes(self) -> int:
        with self._lock:
            return self._total()

    def clear(self) -> None:
        with self._lock:
            self._states.clear()

    def _total(self) -> int:
        return sum(len(state) for state in self._states.values())


# --- disk --------------------------------------------------------------------------------------


@dataclass
class _Entry:
    key: StateKey
    path: Path
    size: int
    last_used: int  # ns; also written as the file's mtime so the order survives a restart


class DiskStates:
    """States in `folder`, one file each, at most `max_bytes` in all (least recently used go).

    File layout: MAGIC | sha256 | header length (u32) | JSON header | tokens (int32 LE) | state.
    The sha256 covers everything after itself, so a truncated or altered file is detected
    before its state is returned. The index (keys and sizes) is read from the file headers
    once, when the store opens; the states themselves are read only on a hit.
    """

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self._entries: dict[str, _Entry] = {}
        self._last_stamp = 0
        self.folder.mkdir(parents=True, exist_ok=True)
        self._scan()

    # --- public API ----------------------------------------------------------------------

    def put(self, key: StateKey, state: bytes) -> bool:
        """Store `state` under `key` (replacing the same key); False if it was not stored."""
        blob = _encode(key, state)
        if len(blob) > self.max_bytes:
            return False
        with self._lock:
            path = self.folder / key.file_name()
            temp = self.folder / f".tmp-{uuid.uuid4().hex}"
            try:
                temp.write_bytes(blob)
                os.replace(temp, path)
            except OSError as exc:
                log.warning("Could not save a conversation state: %s", exc)
                temp.unlink(missing_ok=True)
                return False
            entry = _Entry(key, path, len(blob), 0)
            self._entries[path.name] = entry
            for older in [kept for kept in self._entries.values() if key.extends(kept.key)]:
                self._drop(older)
            self._touch(entry)
            self._evict_beyond_cap(keep=path.name)
            return True

    def best_prefix(
        self, model_id: str, n_ctx: int, kv_type: str, tokens: Sequence[int]
    ) -> Hit | None:
        """The state sharing the longest prefix with `tokens`, with that prefix's length."""
        with self._lock:
            by_key = {entry.key: entry for entry in self._entries.values()}
            for length, key in ranked_matches(list(by_key), model_id, n_ctx, kv_type, tokens):
                entry = by_key[key]
                state = self._read_verified(entry)
                if state is not None:
                    self._touch(entry)
                    return Hit(length, state, key)
            return None

    def discard(self, key: StateKey) -> None:
        """Forget a state that turned out unusable (llama.cpp refused it)."""
        with self._lock:
            for entry in [entry for entry in self._entries.values() if entry.key == key]:
                self._drop(entry)

    def size_bytes(self) -> int:
        with self._lock:
            return sum(entry.size for entry in self._entries.values())

    def clear(self) -> None:
        with self._lock:
            for entry in list(self._entries.values()):
                self._drop(entry)
            for path in self.folder.glob(f"*{SUFFIX}"):  # files another process wrote
                path.unlink(missing_ok=True)

    # --- internals ----------------------------------------------------------------------

    def _scan(self) -> None:
        """Index the folder: drop leftovers of interrupted writes and unreadable files."""
        for temp in self.folder.glob(".tmp-*"):
            temp.unlink(missing_ok=True)
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                key, size, mtime = read_key(path)
            except (OSError, ValueError) as exc:
                log.info("Dropping unreadable state file %s: %s", path.name, exc)
                path.unlink(missing_ok=True)
                continue
            self._entries[path.name] = _Entry(key, path, size, mtime)
            self._last_stamp = max(self._last_stamp, mtime)
        self._evict_beyond_cap(keep=None)

    def _read_verified(self, entry: _Entry) -> bytes | None:
        try:
            key, state = _decode(entry.path.read_bytes())
        except (OSError, ValueError) as exc:
            log.info("Dropping damaged state file %s: %s", entry.path.name, exc)
            self._drop(entry)
            return None
        if key != entry.key:  # replaced by another process under the same name
            self._drop(entry)
            return None
        return state

    def _touch(self, entry: _Entry) -> None:
        """Mark as just used, with a stamp strictly later than any before (clocks are coarse)."""
        self._last_stamp = max(time.time_ns(), self._last_stamp + 1)
        entry.last_used = self._last_stamp
        with contextlib.suppress(OSError):  # only the order after a restart would suffer
            os.utime(entry.path, ns=(self._last_stamp, self._last_stamp))

    def _evict_beyond_cap(self, keep: str | None) -> None:
        oldest_first = sorted(self._entries.values(), key=lambda entry: entry.last_used)
        total = sum(entry.size for entry in oldest_first)
        for entry in oldest_first:
            if total <= self.max_bytes:
                break
            if entry.path.name != keep:
                total -= entry.size
                self._drop(entry)

    def _drop(self, entry: _Entry) -> None:
        self._entries.pop(entry.path.name, None)
        try:
            entry.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("Could not delete state file %s: %s", entry.path.name, exc)


def saved_states_size(folder: Path) -> int:
    """Bytes the state files in `folder` take (for the settings page, any process)."""
    total = 0
    for path in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):  # deleted meanwhile
            total += path.stat().st_size
    return total


def delete_saved_states(folder: Path) -> None:
    """Delete every state file in `folder`. An engine that still indexes one finds it gone
    when it looks it up, and evaluates the prompt instead."""
    for path in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):
            path.unlink()


# --- file format -------------------------------------------------------------------------------


def _tokens_to_bytes(tokens: Sequence[int]) -> bytes:
    values = array.array("i", tokens)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def _tokens_from_bytes(data: bytes) -> tuple[int, ...]:
    values = array.array("i")
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return tuple(values)


def _header_bytes(key: StateKey, state_length: int) -> bytes:
    header = {
        "model_id": key.model_id,
        "n_ctx": key.n_ctx,
        "kv_type": key.kv_type,
        "n_tokens": len(key.tokens),
        "state_length": state_length,
    }
    return json.dumps(header, sort_keys=True).encode()


def _encode(key: StateKey, state: bytes) -> bytes:
    header = _header_bytes(key, len(state))
    body = b"".join([header, _tokens_to_bytes(key.tokens), state])
    digest = hashlib.sha256(struct.pack("<I", len(header)) + body).digest()
    return _PREAMBLE.pack(MAGIC, digest, len(header)) + body


def _parse_header(raw: bytes) -> tuple[dict[str, object], int, int]:
    """The header dict, the token count and the state length; ValueError if malformed."""
    header = json.loads(raw.decode())
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    n_tokens, state_length = header.get("n_tokens"), header.get("state_length")
    if not isinstance(n_tokens, int) or not isinstance(state_length, int):
        raise ValueError("header lacks sizes")
    return header, n_tokens, state_length


def _key_from(header: dict[str, object], tokens: tuple[int, ...]) -> StateKey:
    model_id, n_ctx, kv_type = header.get("model_id"), header.get("n_ctx"), header.get("kv_type")
    if not (isinstance(model_id, str) and isinstance(n_ctx, int) and isinstance(kv_type, str)):
        raise ValueError("header lacks the key")
    return StateKey(model_id, n_ctx, kv_type, tokens)


def read_key(path: Path) -> tuple[StateKey, int, int]:
    """The key, total size and mtime of a state file, reading only its header and tokens."""
    with path.open("rb") as file:
        stat = os.fstat(file.fileno())
        magic, _digest, header_length = _PREAMBLE.unpack(_read_exactly(file, _PREAMBLE.size))
        if magic != MAGIC or header_length > _MAX_HEADER:
            raise ValueError("not a state file of this version")
        header, n_tokens, state_length = _parse_header(_read_exactly(file, header_length))
        tokens = _tokens_from_bytes(_read_exactly(file, 4 * n_tokens))
    expected = _PREAMBLE.size + header_length + 4 * n_tokens + state_length
    if stat.st_size != expected:
        raise ValueError(f"size {stat.st_size} != {expected}: truncated or padded")
    return _key_from(header, tokens), stat.st_size, stat.st_mtime_ns


def _decode(blob: bytes) -> tuple[StateKey, bytes]:
    """The key and state of a whole file; ValueError unless the checksum and sizes agree."""
    if len(blob) < _PREAMBLE.size:
        raise ValueError("file too short")
    magic, digest, header_length = _PREAMBLE.unpack_from(blob)
    if magic != MAGIC:
        raise ValueError("not a state file of this version")
    if hashlib.sha256(blob[_PREAMBLE.size - 4 :]).digest() != digest:
        raise ValueError("checksum mismatch")
    start = _PREAMBLE.size
    header, n_tokens, state_length = _parse_header(blob[start : start + header_length])
    tokens_start = start + header_length
    state_start = tokens_start + 4 * n_tokens
    if len(blob) != state_start + state_length:
        raise ValueError("sizes disagree with the header")
    tokens = _tokens_from_bytes(blob[tokens_start:state_start])
    return _key_from(header, tokens), blob[state_start:]


def _read_exactly(file: BinaryIO, n: int) -> bytes:
    data = file.read(n)
    if len(data) != n:
        raise ValueError("file ends early")
    return data
