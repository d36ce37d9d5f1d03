"""Conversations' evaluated states, kept after a reply so that a returning one resumes at once.

Re-reading a long conversation costs seconds on a laptop CPU; restoring its KV state costs
milliseconds from memory and a fraction of a second from disk. After a reply the engine
`keep`s the model's state: in memory (the latest few) and, written by a thread of its own so
that the next request never waits for the disk, in the cache folder, where it survives a
restart. Before a prompt is evaluated, `restore_into` puts the kept state sharing the longest
prefix with it into the model when that beats what the model's KV cache already holds.

Any state that cannot be used (damaged, from another llama.cpp, refused) is dropped and the
prompt is evaluated normally: a cache can cost time, never a wrong answer or a failed reply.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from app.engine.protocol import KEPT_STATES_FULL_CONTEXTS, StateCacheConfig
from app.engine.state_bytes import capture, restore
from app.engine.state_cache import DiskStates, MemoryStates
from app.engine.state_key import StateKey

if TYPE_CHECKING:
    import llama_cpp

log = logging.getLogger("hearth.engine.kept_states")

# Restoring is worth it only when it saves more than this many tokens over the live KV cache
# (reading and checking a state file has a cost of its own).
MIN_GAIN_TOKENS = 16

Source = Literal["", "memory", "disk"]


class KeptStates:
    """The states of one loaded model (`model_id`, context size, KV type)."""

    def __init__(self, config: StateCacheConfig, model_id: str, n_ctx: int, kv_type: str) -> None:
        self._setup = (model_id, n_ctx, kv_type)
        self._memory_budget = config.memory_bytes
        self.memory = MemoryStates(config.memory_slots, config.memory_bytes)
        self.disk: DiskStates | None = None
        try:
            self.disk = DiskStates(config.folder, config.disk_bytes) if config.disk_bytes else None
        except OSError as exc:
            log.warning("Conversation states will not be kept on disk: %s", exc)
        self._writes: queue.Queue[tuple[StateKey, bytes] | None] = queue.Queue()
        # A daemon: if the engine dies (its client gone), a pending write must not keep the
        # process alive; a lost write only costs a cache miss. `close` finishes them normally.
        self._writer = threading.Thread(
            target=self._write_to_disk, name="state-writer", daemon=True
        )
        self._writer.start()

    def restore_into(self, llm: llama_cpp.Llama, prompt: Sequence[int], live: int) -> Source:
        """Restore the best kept state for `prompt` if it beats the `live` reusable prefix."""
        stores: tuple[tuple[Source, MemoryStates | DiskStates | None], ...] = (
            ("memory", self.memory),
            ("disk", self.disk),
        )
        for source, store in stores:
            hit = store.best_prefix(*self._setup, prompt) if store is not None else None
            if store is None or hit is None or hit.length < live + MIN_GAIN_TOKENS:
                continue
            try:
                restore(llm, hit.state)
            except (ValueError, RuntimeError) as exc:
                log.warning("A kept conversation state was not usable (%s); dropping it.", exc)
                store.discard(hit.key)
                continue
            log.info("restored %d of %d prompt tokens from %s", hit.length, len(prompt), source)
            return source
        return ""

    def keep(self, llm: llama_cpp.Llama) -> None:
        """Keep what `llm` has evaluated: in memory now, on disk soon (by the writer thread)."""
        n_tokens = int(llm.n_tokens)
        if n_tokens == 0:
            return
        # A reply stopped during prompt evaluation can leave cells past n_tokens: drop them, so
        # the state holds exactly the tokens its key names.
        llm._ctx.kv_cache_seq_rm(-1, n_tokens, -1)
        key = StateKey(*self._setup, tuple(int(t) for t in llm.input_ids[:n_tokens]))
        state = capture(llm)
        # In RAM, together no more than the full contexts' worth the fit estimate counts
        full_context = len(state) * self._setup[1] // n_tokens
        self.memory.max_bytes = min(self._memory_budget, KEPT_STATES_FULL_CONTEXTS * full_context)
        self.memory.put(key, state)
        if self.disk is not None:
            self._writes.put((key, state))

    def close(self) -> None:
        """Finish the pending disk writes, then stop the writer thread."""
        self._writes.put(None)
        self._writer.join()

    def _write_to_disk(self) -> None:
        while (item := self._writes.get()) is not None:
            if self.disk is not None:
                self.disk.put(*item)
