"""A chat turn on a server the user added, through the same job as a local one, against a
real HTTP server on 127.0.0.1 that fails on request (tests/support/fake_openai_server.py).

Each fault ends the turn with one line a person understands; the user's message is always
kept, and so is whatever part of the reply arrived, marked failed.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.protocol import LoadConfig, ModelInfo, SamplingParams, TextPiece
from app.errors import InvalidInputError, RemoteError
from app.remote import openai_api
from app.remote.openai_api import OpenAIServer, api_root
from app.remote.remote_engine import RemoteEngine
from app.remote.servers import Server
from app.store import History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.job import Done, Outcome
from tests.support.fake_openai_server import (
    FAKE_MODEL,
    FAKE_REPLY,
    Fault,
    RunningFakeServer,
)
from tests.support.jobs import run_to_end, streamed

CONFIG = LoadConfig(Path("unused.gguf"), n_ctx=4096)

pytestmark = pytest.mark.usefixtures("quick_server_retries")


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db") as opened:
        yield opened


def engine_for(
    fake_server: RunningFakeServer, key: str | None = None, **timeouts: float
) -> RemoteEngine:
    server = Server("office", fake_server.url)
    api = OpenAIServer(fake_server.url, key, **timeouts)
    engine = RemoteEngine(server, FAKE_MODEL, api)
    list(engine.load_steps(CONFIG))  # asks the server whether it offers the model
    return engine


def turn(history: History, engine: RemoteEngine, text: str = "Hi") -> tuple[str, Done, int]:
    cid = history.create_conversation(model=engine.label)
    events, done = run_to_end(ChatTurnJob.send(history, engine, cid, text, SamplingParams()))
    return streamed(events), done, cid


def test_a_turn_streams_the_servers_reply_and_saves_it_with_figures(
    history: History, fake_server: RunningFakeServer
) -> None:
    engine = engine_for(fake_server)
    assert engine.model is not None
    assert engine.model.name == f"{FAKE_MODEL}@office"
    text, done, cid = turn(history, engine, "Say hello")
    assert done.outcome is Outcome.COMPLETED
    assert text == "".join(FAKE_REPLY)
    user, reply = history.active_path(cid)
    assert (user.content, reply.content, reply.status) == ("Say hello", text, "complete")
    assert isinstance(done.result, TurnFinished)
    assert done.result.stats.completion_tokens == len(FAKE_REPLY)
    chat = fake_server.state.requests[-1]
    assert chat["path"] == "/v1/chat/completions"
    assert chat["body"]["stream"] is True
    assert chat["body"]["messages"][-1] == {"role": "user", "content": "Say hello"}


def model_of(engine: RemoteEngine) -> ModelInfo:
    assert engine.model is not None
    return engine.model


def test_the_context_is_the_servers_when_it_reports_one_else_the_setting(
    fake_server: RunningFakeServer,
) -> None:
    assert model_of(engine_for(fake_server)).n_ctx == CONFIG.n_ctx  # nothing reported
    fake_server.state.context = 32768  # as vLLM reports max_model_len
    assert model_of(engine_for(fake_server)).n_ctx == 32768


def test_the_address_works_with_or_without_v1() -> None:
    assert api_root("http://host:8080") == "http://host:8080/v1"
    assert api_root("http://host:8080/v1/") == "http://host:8080/v1"


def test_a_model_the_server_does_not_offer_is_refused_at_load(
    fake_server: RunningFakeServer,
) -> None:
    engine = RemoteEngine(
        Server("office", fake_server.url), "llama-70b", OpenAIServer(fake_server.url)
    )
    with pytest.raises(InvalidInputError, match=f"no model named 'llama-70b'.*{FAKE_MODEL}"):
        list(engine.load_steps(CONFIG))


def test_the_key_is_sent_as_a_bearer_token_and_a_wrong_one_is_named(
    history: History, fake_server: RunningFakeServer
) -> None:
    fake_server.state.fault, fake_server.state.key = Fault.UNAUTHORIZED, "s3cret"
    _, done, _ = turn(history, engine_for(fake_server, "s3cret"))
    assert done.outcome is Outcome.COMPLETED
    assert {r["authorization"] for r in fake_server.state.requests} == {"Bearer s3cret"}
    with pytest.raises(RemoteError, match=r"refused Hearth's key.*--key-env"):
        engine_for(fake_server, "wrong")


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault.NO_MODEL, "has no model named 'tiny-remote'"),
        (Fault.NOT_JSON, "not the OpenAI-compatible API"),
    ],
)
def test_a_refused_chat_fails_in_one_line_and_keeps_the_users_message(
    history: History, fake_server: RunningFakeServer, fault: Fault, says: str
) -> None:
    engine = engine_for(fake_server)
    fake_server.state.fault = fault
    text, done, cid = turn(history, engine, "Still there?")
    assert done.outcome is Outcome.FAILED
    assert says in done.message
    assert "\n" not in done.message
    assert text == ""
    messages = history.active_path(cid)
    assert messages[0].content == "Still there?"  # nothing the user wrote is lost


@pytest.mark.parametrize(("fault", "says"), [(Fault.DROP, "was lost"), (Fault.SLOW, "in time")])
def test_a_reply_cut_part_way_is_kept_and_marked_failed(
    history: History, fake_server: RunningFakeServer, fault: Fault, says: str
) -> None:
    engine = engine_for(fake_server, read_timeout=0.5)
    fake_server.state.fault, fake_server.state.slow_s = fault, 2.0
    text, done, cid = turn(history, engine)
    assert done.outcome is Outcome.FAILED
    assert says in done.message
    assert text == "".join(FAKE_REPLY[:2])
    reply = history.active_path(cid)[-1]
    assert (reply.content, reply.status) == (text, "failed")
    assert reply.error is not None
    assert says in reply.error


def test_a_busy_server_is_asked_again_a_bounded_number_of_times(
    history: History, fake_server: RunningFakeServer
) -> None:
    engine = engine_for(fake_server)
    fake_server.state.fault, fake_server.state.busy_times = Fault.BUSY, openai_api.RETRIES
    _, done, _ = turn(history, engine)
    assert done.outcome is Outcome.COMPLETED  # it answered on the last try
    fake_server.state.busy_times = openai_api.RETRIES + 1
    before = len(fake_server.state.requests)
    _, done, _ = turn(history, engine)
    assert done.outcome is Outcome.FAILED
    assert "is busy" in done.message
    assert len(fake_server.state.requests) - before == openai_api.RETRIES + 1


def test_a_server_that_is_down_says_so(history: History) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    engine = RemoteEngine(Server("office", url), FAKE_MODEL, OpenAIServer(url))
    with pytest.raises(RemoteError, match=r"cannot reach the server at 127\.0\.0\.1") as caught:
        list(engine.load_steps(CONFIG))
    assert "\n" not in caught.value.message


def test_stop_while_the_server_is_silent_keeps_the_reply_as_stopped(
    history: History, fake_server: RunningFakeServer
) -> None:
    engine = engine_for(fake_server)
    fake_server.state.fault, fake_server.state.slow_s = Fault.SLOW, 5.0
    cid = history.create_conversation(model=engine.label)
    job = ChatTurnJob.send(history, engine, cid, "Hi", SamplingParams())
    received = []
    for event in job.run():
        if isinstance(event, TextPiece):
            received.append(event.text)
            if len(received) == 2:  # the server goes silent now: Stop, from another thread
                threading.Timer(0.2, job.cancel).start()
    assert isinstance(event, Done)
    assert event.outcome is Outcome.CANCELLED
    reply = history.active_path(cid)[-1]
    assert (reply.content, reply.status) == ("".join(FAKE_REPLY[:2]), "stopped")


def test_only_the_added_server_is_ever_asked(
    history: History, fake_server: RunningFakeServer
) -> None:
    turn(history, engine_for(fake_server))
    port = fake_server.url.rsplit(":", 1)[1]
    assert {r["host"] for r in fake_server.state.requests} == {f"127.0.0.1:{port}"}


def test_a_length_limit_ends_the_reply_complete(
    history: History, fake_server: RunningFakeServer
) -> None:
    engine = engine_for(fake_server)
    cid = history.create_conversation(model=engine.label)
    job = ChatTurnJob.send(history, engine, cid, "Hi", SamplingParams(max_tokens=3))
    events, done = run_to_end(job)
    assert done.outcome is Outcome.COMPLETED
    assert streamed(events) == "".join(FAKE_REPLY[:3])
    assert isinstance(done.result, TurnFinished)
    assert done.result.stats.finish_reason == "length"
