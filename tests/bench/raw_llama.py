"""The baseline: llama-cpp-python used directly in the benchmark's own process.

Every ratio in the engine and summary suites compares Hearth with this: the same model file,
threads, context and batch size, the same prompt tokens and the same sampler, but no engine
process, no pipe, no detokenizing and no store.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.engine.protocol import ChatMessage, LoadConfig, SamplingParams

_keep_log_callback: list[Any] = []  # llama.cpp holds a pointer to it: keep it alive


def quiet_native_logs() -> None:
    """Drop llama.cpp's native log lines (the benchmark prints a table, not a load log)."""
    import llama_cpp

    if _keep_log_callback:
        return

    def drop(_level: int, _text: bytes, _data: ctypes.c_void_p) -> None:
        return None

    callback = llama_cpp.llama_log_callback(drop)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    _keep_log_callback.append(callback)


@dataclass(frozen=True)
class Timed:
    """One generation: when it started, and when each token came."""

    started: float
    token_times: list[float]
    tokens: list[int] = field(default_factory=list)  # what was generated

    @property
    def ttft(self) -> float:
        return self.token_times[0] - self.started

    @property
    def tokens_per_s(self) -> float:
        """Decode speed after the first token (which the prompt evaluation dominates): one
        over the median time between tokens. On a shared machine another process now and
        then takes a core for a moment, and llama.cpp's threads, which wait for each other
        at every step, stall; the median ignores those few slow tokens, which an average
        would count, and which have nothing to do with the software measured."""
        gaps = [later - earlier for earlier, later in itertools.pairwise(self.token_times)]
        return 1 / statistics.median(gaps)


class RawLlama:
    """A `llama_cpp.Llama` loaded as Hearth's engine would load it for `config`."""

    def __init__(self, config: LoadConfig) -> None:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        from app.engine.runner import KV_TYPES

        quiet_native_logs()
        kv_type = KV_TYPES.get(config.kv_cache_type, 1)
        self.llm = llama_cpp.Llama(
            str(config.model_path),
            n_ctx=config.n_ctx,
            n_threads=config.n_threads,
            n_threads_batch=config.n_threads,
            n_gpu_layers=config.n_gpu_layers,
            n_batch=config.n_batch,
            type_k=kv_type,
            type_v=kv_type,
            flash_attn=config.kv_cache_type != "f16",
            verbose=False,
        )
        template = self.llm.metadata["tokenizer.chat_template"]
        self._template: Any = Jinja2ChatFormatter(template, "", "")

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> list[int]:
        """The chat-templated prompt, tokenized as Hearth's engine tokenizes it."""
        rendered = self._template(
            messages=[{"role": m.role, "content": m.content} for m in messages]
        )
        tokens: list[int] = self.llm.tokenize(rendered.prompt.encode(), add_bos=False, special=True)
        return tokens

    def generate(self, prompt: list[int], sampling: SamplingParams, n_tokens: int) -> Timed:
        """Evaluate `prompt` (reusing the cached prefix, as `generate` always does) and
        generate exactly `n_tokens` tokens, timing each."""
        token_times: list[float] = []
        generated: list[int] = []
        started = time.perf_counter()
        tokens = self.llm.generate(
            prompt,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
        )
        try:
            for token in tokens:
                token_times.append(time.perf_counter())
                generated.append(token)
                if len(token_times) >= n_tokens:
                    break
        finally:
            tokens.close()
        return Timed(started, token_times, generated)

    def close(self) -> None:
        self.llm.close()


@contextlib.contextmanager
def raw_llama(config: LoadConfig) -> Iterator[RawLlama]:
    raw = RawLlama(config)
    try:
        yield raw
    finally:
        raw.close()
