"""The real engine client, remembering what every chat request asked and how it ended.

For tests and benchmarks that check the prompts the engine received (every chunk read once,
every prompt within the context) and time the calls; `stop_at = k` asks the engine to stop
as call k starts, like a user pressing Stop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import ChatEvent, ChatMessage, ChatStats, SamplingParams


@dataclass(frozen=True)
class Call:
    """One chat request as the caller sent it."""

    messages: tuple[ChatMessage, ...]
    max_tokens: int
    prompt_tokens: int  # the templated prompt, counted by the model's own tokenizer

    @property
    def ask(self) -> str:
        return self.messages[-1].content

    @property
    def is_map(self) -> bool:
        return self.ask.startswith("This is part ")


class RecordingEngine(EngineClient):
    """Records every chat call (`calls`), the stats it ended with (`stats`) and the time
    the client spent waiting in chat calls (`waited`, seconds)."""

    def __init__(self, log_file: Path) -> None:
        super().__init__(log_file)
        self.calls: list[Call] = []
        self.stats: list[ChatStats] = []
        self.stop_at: int | None = None
        self.waited = 0.0

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams | None = None,
        reply_prefix: str = "",
        *,
        keep_state: bool = False,
    ) -> Iterator[ChatEvent]:
        sampling = sampling or SamplingParams()
        self.calls.append(Call(tuple(messages), sampling.max_tokens, self.count_tokens(messages)))
        if len(self.calls) == self.stop_at:
            self.cancel()
        started = time.perf_counter()
        for event in super().chat(messages, sampling, reply_prefix, keep_state=keep_state):
            if isinstance(event, ChatStats):
                self.stats.append(event)
            yield event
        self.waited += time.perf_counter() - started
