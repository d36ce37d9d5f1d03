"""The engine interface on a server the user added: jobs run on it unchanged.

A conversation whose model is `NAME@SERVER` runs here instead of in the local engine
process. "Loading" asks the server whether it offers the model (nothing is downloaded);
chatting streams the server's reply as `TextPiece`s and ends with `ChatStats`, as the local
engine does, so the one rule of `reply_stream` applies: a reply cut by a fault is kept and
marked failed, with the fault's one-line message.

Counting tokens: the OpenAI API has no tokenizer endpoint, so texts are counted at
CHARS_PER_TOKEN characters a token, a deliberately high count (most tokenizers average
about four characters a token in English), so trimming history to the context errs on the
side of leaving room.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Self

from app.engine.protocol import (
    ChatEvent,
    ChatMessage,
    ChatStats,
    FinishReason,
    LoadConfig,
    ModelInfo,
    SamplingParams,
    TextPiece,
)
from app.errors import InvalidInputError, RemoteError
from app.remote.openai_api import OpenAIServer
from app.remote.servers import Server

CHARS_PER_TOKEN = 3
MESSAGE_OVERHEAD_TOKENS = 4  # role markers around each message, as chat templates add


def remote_label(model: str, server: str) -> str:
    """How a server's model is named everywhere a model is: `model@server`."""
    return f"{model}@{server}"


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)  # rounded up


class RemoteEngine:
    """`Engine` for model `model_name` on `server` (see the module docstring)."""

    def __init__(self, server: Server, model_name: str, api: OpenAIServer | None = None) -> None:
        self.server = server
        self.model_name = model_name
        # The key is read at the first request, off the window's thread (see OpenAIServer).
        self.api = api or OpenAIServer(server.base_url, server.api_key)
        self.model: ModelInfo | None = None
        self._cancelled = threading.Event()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def label(self) -> str:
        return remote_label(self.model_name, self.server.name)

    def load_steps(self, config: LoadConfig) -> Generator[float, None, ModelInfo]:
        """Check the server offers the model. The context is the one the server reports for
        it (vLLM does), else `config.n_ctx`: the user's setting or --ctx (if the server's own
        is smaller, it says so when a reply does not fit)."""
        started = time.perf_counter()
        yield 0.0
        offered = self.api.offered_models()
        if self.model_name not in offered:
            names = ", ".join(list(offered)[:8]) or "none"
            raise InvalidInputError(
                f"The server {self.server.name} ({self.api.host}) has no model named "
                f"{self.model_name!r}. It offers: {names}."
            )
        self.model = ModelInfo(
            path=Path(self.label),
            name=self.label,
            architecture="remote",
            n_ctx=offered[self.model_name] or config.n_ctx,
            n_ctx_train=offered[self.model_name] or 0,
            n_vocab=0,
            n_params=0,
            file_size=0,
            has_chat_template=True,
            load_ms=(time.perf_counter() - started) * 1000,
        )
        yield 1.0
        return self.model

    def count_tokens(
        self,
        messages: Sequence[ChatMessage],
        add_generation_prompt: bool = True,
        reply_prefix: str = "",
    ) -> int:
        texts = [m.content for m in messages]
        framing = MESSAGE_OVERHEAD_TOKENS * (len(messages) + int(add_generation_prompt))
        return sum(self.count_texts(texts)) + framing + estimate_tokens(reply_prefix)

    def count_texts(self, texts: Sequence[str]) -> list[int]:
        return [estimate_tokens(text) for text in texts]

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams | None = None,
        reply_prefix: str = "",
        *,
        keep_state: bool = False,
    ) -> Iterator[ChatEvent]:
        """Stream the server's reply. A reply being continued is sent as the last, unfinished
        assistant message, which OpenAI-compatible servers continue. `keep_state` is the
        server's business (servers keep their own prompt caches)."""
        if self.model is None:
            raise RemoteError("No model is chosen on the server. Choose one first.")
        sampling = sampling or SamplingParams()
        sent = list(messages)
        if reply_prefix:
            sent.append(ChatMessage("assistant", reply_prefix))
        started = time.perf_counter()
        first_at: float | None = None
        pieces = 0
        finish: str | None = None
        for delta in self.api.stream_chat(self.model_name, sent, sampling, self._cancelled.is_set):
            if delta.text:
                first_at = first_at or time.perf_counter()
                pieces += 1
                yield TextPiece(delta.text)
            finish = delta.finish_reason or finish
        ended = time.perf_counter()
        writing = ended - (first_at or ended)
        yield ChatStats(
            prompt_tokens=self.count_tokens(sent),
            cached_tokens=0,
            completion_tokens=pieces,  # servers send about a token a piece
            ttft_ms=((first_at or ended) - started) * 1000,
            tokens_per_s=pieces / writing if writing > 0 else 0.0,
            finish_reason=_finish_reason(finish, self._cancelled.is_set()),
            seed=sampling.seed or 0,
        )

    def cancel(self) -> None:
        self._cancelled.set()
        self.api.interrupt()

    def reset_cancel(self) -> None:
        self._cancelled.clear()

    def close(self) -> None:
        """Nothing to stop: the server is the user's, and stays as it was."""
        self.model = None


def _finish_reason(finish: str | None, cancelled: bool) -> FinishReason:
    if cancelled and finish is None:
        return "cancelled"
    return "length" if finish == "length" else "stop"
