"""What jobs need from an engine, whoever runs the model.

The local engine (`EngineClient`, a child process running llama.cpp) and a server the user
added (`app/remote/remote_engine.RemoteEngine`, an OpenAI-compatible HTTP API) both offer
exactly this, so chat turns, summaries and e-mail drafts run unchanged on either: nothing
above the engine knows where the words are written.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Protocol

from app.engine.protocol import ChatEvent, ChatMessage, LoadConfig, ModelInfo, SamplingParams


class Engine(Protocol):
    """A model to chat with: loaded (`model`), counted in its own tokens, streamed."""

    model: ModelInfo | None

    def load_steps(self, config: LoadConfig) -> Generator[float, None, ModelInfo]:
        """Make `config`'s model the one in use, yielding the fraction done."""
        ...

    def count_tokens(
        self,
        messages: Sequence[ChatMessage],
        add_generation_prompt: bool = True,
        reply_prefix: str = "",
    ) -> int: ...

    def count_texts(self, texts: Sequence[str]) -> list[int]: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams | None = None,
        reply_prefix: str = "",
        *,
        keep_state: bool = False,
    ) -> Iterator[ChatEvent]:
        """Stream a reply: `TextPiece`s, then one `ChatStats`. Stop early with `cancel()`."""
        ...

    def cancel(self) -> None:
        """Ask the running request to stop; safe from any thread."""
        ...

    def reset_cancel(self) -> None: ...

    def close(self) -> None: ...
