"""The messages between the engine client and the engine process.

Plain picklable dataclasses: the same vocabulary could later travel over a socket to a remote
server. Requests go down, events come back tagged with the request id they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "cancelled", "context"]
FailureKind = Literal["model_file", "engine", "context", "cancelled"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


# Conversations' states kept in the engine's RAM: the latest few, together no more than one
# full context's KV cache and this budget (app/catalog/fit.py counts the same).
KEPT_STATES_MEMORY_BYTES = 512 * 1024 * 1024
KEPT_STATES_FULL_CONTEXTS = 1
KEPT_STATES_SLOTS = 8


@dataclass(frozen=True)
class StateCacheConfig:
    """How much of conversations' evaluated state the engine keeps (app/engine/kept_states.py):
    the latest `memory_slots` within `memory_bytes` in RAM, and up to `disk_bytes` in `folder`."""

    folder: Path
    disk_bytes: int
    memory_bytes: int = KEPT_STATES_MEMORY_BYTES
    memory_slots: int = KEPT_STATES_SLOTS


@dataclass(frozen=True)
class LoadConfig:
    """How to load a model. `n_ctx` is always explicit: 0 would mean 'training context'.
    `state_cache` None: no state is kept beyond the one conversation in the KV cache."""

    model_path: Path
    n_ctx: int = 4096
    n_threads: int = 2
    n_gpu_layers: int = -1
    n_batch: int = 512
    kv_cache_type: str = "f16"
    state_cache: StateCacheConfig | None = None


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    max_tokens: int = 1024
    seed: int | None = None  # None: a fresh random seed for every request


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    name: str
    architecture: str
    n_ctx: int
    n_ctx_train: int
    n_vocab: int
    n_params: int
    file_size: int
    has_chat_template: bool
    load_ms: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadProgress:
    """How far a model load has got, 0.0 to 1.0 (llama.cpp's own measure)."""

    fraction: float


@dataclass(frozen=True)
class TextPiece:
    """A piece of the reply as it is generated."""

    text: str


@dataclass(frozen=True)
class ChatStats:
    """The last event of a chat request."""

    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    ttft_ms: float
    tokens_per_s: float
    finish_reason: FinishReason
    seed: int
    restored_from: Literal["", "memory", "disk"] = ""  # where a kept state came from, if any

    def summary_line(self) -> str:
        return (
            f"stats: prompt_tokens={self.prompt_tokens} cached_tokens={self.cached_tokens} "
            f"completion_tokens={self.completion_tokens} ttft_ms={self.ttft_ms:.1f} "
            f"tokens_per_s={self.tokens_per_s:.2f}"
        )


ChatEvent = TextPiece | ChatStats


# --- wire messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """Client -> engine. `op` names what to do; `payload` depends on it."""

    request_id: int
    op: Literal["load", "chat", "count", "count_texts", "unload", "cancel", "shutdown"]
    payload: object = None


@dataclass(frozen=True)
class ChatPayload:
    """`reply_prefix`: the start of the reply, already written; generation continues it.
    `keep_state`: keep the evaluated state afterwards, for a conversation that will return."""

    messages: tuple[ChatMessage, ...]
    sampling: SamplingParams = field(default_factory=SamplingParams)
    reply_prefix: str = ""
    keep_state: bool = False


@dataclass(frozen=True)
class CountPayload:
    messages: tuple[ChatMessage, ...]
    add_generation_prompt: bool = True
    reply_prefix: str = ""


@dataclass(frozen=True)
class CountTextsPayload:
    """Plain texts (no template) whose tokens are counted one by one, in one round trip."""

    texts: tuple[str, ...]


@dataclass(frozen=True)
class Failure:
    """The engine could not do what was asked. `kind` picks the HearthError subclass."""

    kind: FailureKind
    message: str


@dataclass(frozen=True)
class Reply:
    """Engine -> client: one event for `request_id`; `final` closes the request."""

    request_id: int
    event: object
    final: bool
