"""Reading OpenAI chat requests and cutting replies at stop strings (no engine needed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from app.engine.protocol import ChatEvent, ChatMessage, ChatStats, SamplingParams, TextPiece
from app.serve.stop_words import cut_at_stops
from app.serve.wire import ApiError, parse_chat_request

DEFAULTS = SamplingParams(temperature=0.7, top_p=0.9, max_tokens=512)
STATS = ChatStats(5, 0, 9, 1.0, 100.0, "cancelled", 1)


def parse(**body: Any) -> Any:
    return parse_chat_request({"messages": [{"role": "user", "content": "Hi"}], **body}, DEFAULTS)


def test_unset_values_are_the_users_defaults_and_given_ones_win() -> None:
    assert parse().sampling == DEFAULTS
    given = parse(temperature=0, top_p=1, max_completion_tokens=9, seed=-3).sampling
    assert (given.temperature, given.top_p, given.max_tokens, given.seed) == (0.0, 1.0, 9, -3)
    assert parse(max_tokens=7).sampling.max_tokens == 7


def test_roles_and_content_parts_are_read() -> None:
    request = parse_chat_request(
        {
            "messages": [
                {"role": "developer", "content": "Be brief."},
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                },
                {"role": "assistant", "content": None},
            ],
            "tools": [{"type": "function"}],  # ignored: editors send them anyway
        },
        DEFAULTS,
    )
    assert request.messages == (
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "ab"),
        ChatMessage("assistant", ""),
    )


@pytest.mark.parametrize(
    "body",
    [
        {"temperature": 3},
        {"top_p": True},
        {"max_tokens": 1.5},
        {"seed": "1"},
        {"stop": ["a", "b", "c", "d", "e"]},
        {"stop": [""]},
        {"n": 2},
        {"stream": "yes"},
        {"model": 4},
        {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
    ],
)
def test_values_it_cannot_honour_are_a_400(body: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as raised:
        parse(**body)
    assert raised.value.status == 400


def _run(pieces: Iterable[str], stops: list[str]) -> tuple[str, list[str], ChatStats, int]:
    cancels: list[int] = []
    events: list[ChatEvent] = [*(TextPiece(p) for p in pieces), STATS]
    out = list(cut_at_stops(events, stops, lambda: cancels.append(1)))
    *texts, stats = out
    assert isinstance(stats, ChatStats)
    sent = [t.text for t in texts if isinstance(t, TextPiece)]
    return "".join(sent), sent, stats, len(cancels)


def test_a_stop_string_split_across_pieces_still_cuts_the_reply() -> None:
    text, _, stats, cancels = _run(["Hello", " wo", "rld", " and more"], ["world"])
    assert (text, stats.finish_reason, cancels) == ("Hello ", "stop", 1)


def test_without_a_stop_string_everything_is_passed_on() -> None:
    text, _, stats, cancels = _run(["Hel", "lo"], ["xyz"])
    assert (text, stats, cancels) == ("Hello", STATS, 0)
    assert _run(["Hel", "lo"], [])[1] == ["Hel", "lo"]
