"""The OpenAI chat-completions format: requests read into Hearth's types, replies written.

Only what a local model can honour is accepted: system, user and assistant messages with
text; temperature, top_p, max_tokens (or max_completion_tokens), seed, stop, one choice
(n=1), streaming with optional usage. Fields that ask for what it cannot do (tool calls,
response formats, logprobs) are ignored, as many servers do, so editors that always send
them still work. Anything malformed is a 400 with a message that says what to fix.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.engine.protocol import ChatMessage, ChatStats, Role, SamplingParams

MAX_STOPS = 4  # as OpenAI allows
ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",  # OpenAI's newer name for system messages
    "user": "user",
    "assistant": "assistant",
}
# A full context is "length" to OpenAI clients; "cancelled" reaches a client only when the
# server stops mid-reply (a client that left hears nothing), and the text it has is whole.
FINISH_REASONS = {"stop": "stop", "length": "length", "context": "length", "cancelled": "stop"}


class ApiError(Exception):
    """A request the API refuses: sent as `{"error": {message, type, code}}` with `status`."""

    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", code: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.kind, "code": self.code or None}}


def bad_request(message: str, code: str = "invalid_value") -> ApiError:
    return ApiError(400, message, "invalid_request_error", code)


@dataclass(frozen=True)
class ChatRequest:
    """One chat-completions request, checked."""

    messages: tuple[ChatMessage, ...]
    sampling: SamplingParams
    model: str | None = None
    stream: bool = False
    include_usage: bool = False  # stream_options.include_usage: a last chunk with usage
    stops: tuple[str, ...] = ()


def parse_json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"The request body is not valid JSON ({exc}).", "invalid_json") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", "invalid_json")
    return body


def parse_chat_request(body: Mapping[str, Any], defaults: SamplingParams) -> ChatRequest:
    """`body` as a ChatRequest; unset sampling values come from `defaults` (the user's)."""
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise bad_request('"model" must be a string.')
    if body.get("n", 1) != 1:
        raise bad_request('Only one choice per request is supported ("n": 1).')
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad_request('"stream_options" must be an object.')
    return ChatRequest(
        messages=parse_messages(body.get("messages")),
        sampling=parse_sampling(body, defaults),
        model=model,
        stream=_flag(body, "stream"),
        include_usage=_flag(options, "include_usage"),
        stops=parse_stops(body.get("stop")),
    )


def parse_messages(raw: object) -> tuple[ChatMessage, ...]:
    if not isinstance(raw, list) or not raw:
        raise bad_request('"messages" must be a non-empty list of messages.', "missing_messages")
    return tuple(_message(item, number) for number, item in enumerate(raw))


def _message(item: object, number: int) -> ChatMessage:
    if not isinstance(item, dict):
        raise bad_request(f"messages[{number}] must be an object with a role and content.")
    role = ROLES.get(str(item.get("role")))
    if role is None:
        raise bad_request(
            f"messages[{number}] has the role {item.get('role')!r}; this server takes system, "
            "user and assistant messages (no tools).",
            "invalid_role",
        )
    return ChatMessage(role, _text(item.get("content"), number, role))


def _text(content: object, number: int, role: Role) -> str:
    """A message's text: a string, or a list of text parts joined (images are refused)."""
    if isinstance(content, str):
        return content
    if content is None and role == "assistant":
        return ""
    if isinstance(content, list):
        parts = []
        for part in content:
            if not (isinstance(part, dict) and part.get("type") == "text"):
                raise bad_request(f"messages[{number}]: only text content is supported.")
            text = part.get("text")
            if not isinstance(text, str):
                raise bad_request(f'messages[{number}]: a text part needs a "text" string.')
            parts.append(text)
        return "".join(parts)
    raise bad_request(f"messages[{number}] needs its content as a string.")


def parse_sampling(body: Mapping[str, Any], defaults: SamplingParams) -> SamplingParams:
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    return dataclasses.replace(
        defaults,
        temperature=_number(body, "temperature", 0.0, 2.0, defaults.temperature),
        top_p=_number(body, "top_p", 0.0, 1.0, defaults.top_p),
        max_tokens=defaults.max_tokens if max_tokens is None else _max_tokens(max_tokens),
        seed=defaults.seed if body.get("seed") is None else _integer(body["seed"], "seed"),
    )


def parse_stops(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    stops = [raw] if isinstance(raw, str) else raw
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise bad_request('"stop" must be a non-empty string or a list of them.')
    if len(stops) > MAX_STOPS:
        raise bad_request(f'"stop" takes at most {MAX_STOPS} strings.')
    return tuple(stops)


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request(f'"{name}" must be true or false.')
    return value


def _number(body: Mapping[str, Any], name: str, low: float, high: float, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise bad_request(f'"{name}" must be a number.')
    if not low <= value <= high:
        raise bad_request(f'"{name}" must be between {low:g} and {high:g}.')
    return float(value)


def _integer(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f'"{name}" must be a whole number.')
    return value


def _max_tokens(value: object) -> int:
    tokens = _integer(value, "max_tokens")
    if tokens < 1:
        raise bad_request('"max_tokens" must be at least 1.')
    return tokens


# --- replies -------------------------------------------------------------------------------


def finish_reason(stats: ChatStats) -> str:
    """OpenAI's name for how a reply ended: a full context counts as "length"."""
    return FINISH_REASONS[stats.finish_reason]


def usage(stats: ChatStats) -> dict[str, int]:
    return {
        "prompt_tokens": stats.prompt_tokens,
        "completion_tokens": stats.completion_tokens,
        "total_tokens": stats.prompt_tokens + stats.completion_tokens,
    }


def completion(
    reply_id: str, created: int, model: str, text: str, stats: ChatStats
) -> dict[str, Any]:
    """The whole reply as one `chat.completion` object."""
    return {
        "id": reply_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason(stats),
                "logprobs": None,
            }
        ],
        "usage": usage(stats),
    }


def chunk(
    reply_id: str,
    created: int,
    model: str,
    delta: Mapping[str, str],
    finish: str | None = None,
) -> dict[str, Any]:
    """One `chat.completion.chunk` of a streamed reply."""
    return {
        "id": reply_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": dict(delta), "finish_reason": finish, "logprobs": None}],
    }


def usage_chunk(reply_id: str, created: int, model: str, stats: ChatStats) -> dict[str, Any]:
    """The extra last chunk `stream_options.include_usage` asks for: no choices, the usage."""
    return {
        "id": reply_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [],
        "usage": usage(stats),
    }


def model_list(model_ids: Sequence[str], created: int) -> dict[str, Any]:
    return {"object": "list", "data": [model_entry(mid, created) for mid in model_ids]}


def model_entry(model_id: str, created: int) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": "hearth"}
