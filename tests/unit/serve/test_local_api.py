"""The local API in-process, on a real engine with generated models, over real HTTP."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any

import pytest

from app.engine.client import EngineClient
from app.errors import HearthError
from app.serve.engine_gate import EngineGate
from app.serve.local_api import LocalApiServer, ServedModel
from app.store import History
from tests.conftest import load_config

KEY = "test-key-0123456789"
MODEL_ID = "tiny"
HELLO = [{"role": "user", "content": "Hi"}]
REPLY_LOG = re.compile(
    r"reply of (\d+) tokens \(prompt \d+\) ended: (\w+)( \(the client went away\))?"
)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@contextmanager
def running(engine: EngineClient, model: Path, **options: Any) -> Iterator[LocalApiServer]:
    server = LocalApiServer(ServedModel(engine, MODEL_ID, str(model)), KEY, port=0, **options)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def scripted(engine: EngineClient, scripted_model: Path) -> Iterator[LocalApiServer]:
    engine.load(load_config(scripted_model))
    with running(engine, scripted_model) as server:
        yield server


@pytest.fixture
def babbling(engine: EngineClient, random_model: Path) -> EngineClient:
    """The engine with a model that writes until max_tokens (or the end of its context)."""
    engine.load(load_config(random_model, n_ctx=4096))
    return engine


def call(
    server: LocalApiServer,
    method: str,
    path: str,
    body: object = None,
    *,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request; `body` as JSON (bytes as they are)."""
    sent = {"Authorization": f"Bearer {KEY}", **(headers or {})}
    data = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
    if data is not None:
        sent["Content-Type"] = "application/json"
    connection = HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.request(method, path, body=data, headers=sent)
        response: HTTPResponse = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    content_type = response.headers.get("Content-Type", "")
    parsed = json.loads(raw) if content_type.startswith("application/json") else raw.decode()
    return Answer(response.status, dict(response.headers.items()), parsed)


def chat(server: LocalApiServer, **fields: Any) -> Answer:
    return call(server, "POST", "/v1/chat/completions", {"messages": HELLO, **fields})


def chunks_of(streamed: Answer) -> list[dict[str, Any]]:
    """The chunks of a streamed answer, which must end with `data: [DONE]`."""
    events = streamed.body.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    assert all(event.startswith("data: ") for event in events[:-2])
    return [json.loads(event.removeprefix("data: ")) for event in events[:-2]]


def error_of(answer: Answer) -> dict[str, Any]:
    error: dict[str, Any] = answer.body["error"]
    assert set(error) == {"message", "type", "code"}
    return error


def replies_logged(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str, bool]]:
    """(completion tokens, finish reason, client went away) of each reply, in order."""
    found = [REPLY_LOG.search(record.getMessage()) for record in caplog.records]
    return [(int(m[1]), m[2], bool(m[3])) for m in found if m]


# -- what the API answers ---------------------------------------------------------------------


def test_a_whole_reply_has_the_text_and_usage(scripted: LocalApiServer) -> None:
    answer = chat(scripted, model=MODEL_ID, temperature=0)
    assert answer.status == 200
    assert answer.body["object"] == "chat.completion"
    assert answer.body["model"] == MODEL_ID
    (choice,) = answer.body["choices"]
    assert choice["message"] == {"role": "assistant", "content": "Hello, world!"}
    assert choice["finish_reason"] == "stop"
    usage = answer.body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_streamed_reply_is_server_sent_events_ending_in_done(scripted: LocalApiServer) -> None:
    answer = chat(scripted, temperature=0, stream=True, stream_options={"include_usage": True})
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    chunks = chunks_of(answer)
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert "".join(d.get("content", "") for d in deltas) == "Hello, world!"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] > 0


def test_the_model_list_names_the_loaded_model(scripted: LocalApiServer) -> None:
    answer = call(scripted, "GET", "/v1/models")
    assert answer.status == 200
    assert [m["id"] for m in answer.body["data"]] == [MODEL_ID]
    assert call(scripted, "GET", f"/v1/models/{MODEL_ID}").body["id"] == MODEL_ID


def test_stop_strings_end_the_reply_before_them(scripted: LocalApiServer) -> None:
    answer = chat(scripted, temperature=0, stop=[", w", "zzz"])
    assert answer.body["choices"][0]["message"]["content"] == "Hello"
    assert answer.body["choices"][0]["finish_reason"] == "stop"
    streamed = chunks_of(chat(scripted, temperature=0, stop=",", stream=True))
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in streamed) == "Hello"
    assert streamed[-1]["choices"][0]["finish_reason"] == "stop"


# -- what it refuses --------------------------------------------------------------------------


def test_bad_json_is_a_400(scripted: LocalApiServer) -> None:
    answer = call(scripted, "POST", "/v1/chat/completions", b"{not json")
    assert answer.status == 400
    assert error_of(answer)["type"] == "invalid_request_error"
    assert error_of(answer)["code"] == "invalid_json"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"model": MODEL_ID}, "missing_messages"),
        ({"messages": []}, "missing_messages"),
        ({"messages": [{"role": "tool", "content": "42"}]}, "invalid_role"),
        ({"messages": HELLO, "temperature": "hot"}, "invalid_value"),
        ({"messages": HELLO, "max_tokens": 0}, "invalid_value"),
    ],
)
def test_a_malformed_request_is_a_400_saying_what_to_fix(
    scripted: LocalApiServer, body: dict[str, Any], code: str
) -> None:
    answer = call(scripted, "POST", "/v1/chat/completions", body)
    assert answer.status == 400
    assert error_of(answer)["code"] == code
    assert error_of(answer)["message"]


def test_a_request_addressed_to_another_host_is_refused(scripted: LocalApiServer) -> None:
    rebound = call(scripted, "GET", "/v1/models", headers={"Host": f"evil.example:{scripted.port}"})
    assert rebound.status == 403
    assert error_of(rebound)["code"] == "host_not_allowed"
    other_port = call(scripted, "GET", "/v1/models", headers={"Host": "127.0.0.1:1"})
    assert other_port.status == 403
    by_name = call(scripted, "GET", "/v1/models", headers={"Host": f"localhost:{scripted.port}"})
    assert by_name.status == 200


def test_a_request_without_the_key_is_a_401(scripted: LocalApiServer) -> None:
    for authorization in ("", "Bearer wrong", f"Basic {KEY}"):
        answer = call(scripted, "GET", "/v1/models", headers={"Authorization": authorization})
        assert answer.status == 401
        assert error_of(answer)["code"] == "invalid_api_key"
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_paths_and_models_are_404(scripted: LocalApiServer) -> None:
    assert call(scripted, "GET", "/v1/nothing").status == 404
    assert call(scripted, "POST", "/v1/completions", {"prompt": "x"}).status == 404
    assert call(scripted, "OPTIONS", "/v1/chat/completions").status == 404
    other = chat(scripted, model="gpt-4o")
    assert other.status == 404
    assert error_of(other)["code"] == "model_not_found"
    assert chat(scripted, model=str(scripted.model.label)).status == 200  # the label works too
    assert chat(scripted).status == 200  # no model named: the loaded one


def test_it_listens_on_127_0_0_1_only(scripted: LocalApiServer) -> None:
    assert scripted.base_url == f"http://127.0.0.1:{scripted.port}/v1"
    with pytest.raises(HearthError, match="another program is using it"):
        LocalApiServer(scripted.model, KEY, port=scripted.port)


# -- one request at a time, and clients that leave -----------------------------------------------


def _open_stream(server: LocalApiServer, body: dict[str, Any], chunks: int) -> socket.socket:
    """A raw client that sends a streaming request and reads the first `chunks` events."""
    data = json.dumps({**body, "stream": True}).encode()
    client = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    client.sendall(head.encode() + data)
    received = b""
    while received.count(b"data: ") < chunks:
        more = client.recv(4096)
        assert more, received
        received += more
    return client


def test_a_client_that_leaves_mid_stream_stops_the_generation(
    babbling: EngineClient, random_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hearth.serve")
    with running(babbling, random_model) as server:
        long_reply = {"messages": HELLO, "max_tokens": 4000, "seed": 1}
        _open_stream(server, long_reply, chunks=3).close()
        answer = chat(server, max_tokens=5, seed=1)  # served as soon as the engine is free
        assert answer.status == 200
        assert answer.body["usage"]["completion_tokens"] == 5
    (left_tokens, left_reason, gone), after = replies_logged(caplog)
    assert (left_reason, gone) == ("cancelled", True)
    assert left_tokens < 4000
    assert after == (5, "length", False)


def test_a_second_request_waits_for_its_turn(
    babbling: EngineClient, random_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hearth.serve")
    with running(babbling, random_model) as server:
        first = _open_stream(server, {"messages": HELLO, "max_tokens": 300, "seed": 1}, chunks=2)
        answers: list[Answer] = []
        second = threading.Thread(target=lambda: answers.append(chat(server, max_tokens=7)))
        second.start()
        with first:
            while first.recv(65536):  # the first reply, read to its end
                pass
        second.join(timeout=120)
    assert [a.status for a in answers] == [200]
    assert [(tokens, reason) for tokens, reason, _ in replies_logged(caplog)] == [
        (300, "length"),
        (7, "length"),
    ]


def test_a_request_waits_while_the_engine_is_busy_then_is_answered(
    scripted: LocalApiServer,
) -> None:
    answers: list[Answer] = []
    with scripted.gate.turn():  # as if another request were being answered
        waiting = threading.Thread(target=lambda: answers.append(chat(scripted, temperature=0)))
        waiting.start()
        waiting.join(timeout=0.5)
        assert answers == []  # still waiting: the engine is not free
    waiting.join(timeout=120)
    assert [a.status for a in answers] == [200]


def test_a_request_that_waits_too_long_is_told_the_model_is_busy(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    with running(engine, scripted_model, gate=EngineGate(wait_seconds=0.1)) as server:
        with server.gate.turn():
            answer = chat(server)
        assert answer.status == 429
        assert error_of(answer)["code"] == "engine_busy"
        assert answer.headers["Retry-After"]
        assert chat(server).status == 200  # free again


def test_closing_sends_waiting_requests_away(engine: EngineClient, scripted_model: Path) -> None:
    engine.load(load_config(scripted_model))
    server = LocalApiServer(ServedModel(engine, MODEL_ID, MODEL_ID), KEY, port=0)
    server.start()
    answers: list[Answer] = []
    with server.gate.turn():
        waiting = threading.Thread(target=lambda: answers.append(chat(server)))
        waiting.start()
        waiting.join(timeout=0.5)
        server.gate.close()  # what close() does first
    waiting.join(timeout=60)
    server.close()
    assert [a.status for a in answers] == [503]


# -- storing --------------------------------------------------------------------------------


def test_nothing_is_stored_by_default(scripted: LocalApiServer, tmp_path: Path) -> None:
    assert chat(scripted).status == 200
    assert not (tmp_path / "hearth.db").exists()


def test_with_storing_each_request_is_a_new_conversation(
    engine: EngineClient, scripted_model: Path, tmp_path: Path
) -> None:
    engine.load(load_config(scripted_model))
    database = tmp_path / "hearth.db"
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "An answer"},
        {"role": "user", "content": [{"type": "text", "text": "Second question"}]},
    ]
    with running(engine, scripted_model, store_in=database) as server:
        assert call(server, "POST", "/v1/chat/completions", {"messages": messages}).status == 200
        assert chat(server, stream=True).status == 200
    with History.open(database) as history:
        second, first = history.list_conversations()
        assert first.title == "First question"
        assert first.system_prompt == "Be brief."
        assert first.model == str(scripted_model)
        path = history.active_path(first.id)
        assert [(m.role, m.content, m.status) for m in path] == [
            ("user", "First question", "complete"),
            ("assistant", "An answer", "complete"),
            ("user", "Second question", "complete"),
            ("assistant", "Hello, world!", "complete"),
        ]
        assert [m.content for m in history.active_path(second.id)] == ["Hi", "Hello, world!"]


def test_a_stored_reply_whose_client_left_is_kept_as_stopped(
    babbling: EngineClient, random_model: Path, tmp_path: Path
) -> None:
    database = tmp_path / "hearth.db"
    with running(babbling, random_model, store_in=database) as server:
        _open_stream(server, {"messages": HELLO, "max_tokens": 4000}, chunks=3).close()
        assert chat(server, max_tokens=3).status == 200  # the first one has ended by now
    with History.open(database) as history:
        left = history.list_conversations()[-1]
        reply = history.active_path(left.id)[-1]
        assert reply.role == "assistant"
        assert reply.status == "stopped"
        assert reply.content


def test_a_prompt_longer_than_the_context_is_a_400(scripted: LocalApiServer) -> None:
    long = [{"role": "user", "content": "word " * 3000}]
    answer = call(scripted, "POST", "/v1/chat/completions", {"messages": long, "stream": True})
    assert answer.status == 400
    assert error_of(answer)["code"] == "context_length_exceeded"
    assert chat(scripted).status == 200  # the engine is free and well
