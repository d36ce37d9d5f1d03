"""A real serving engine: llama-cpp-python's own server on a generated model, on loopback.

The scripted model answers every chat prompt with "Hello, world!", so what the server
streams is known; the turn runs through the same job as a local one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.protocol import LoadConfig, SamplingParams
from app.errors import RemoteError
from app.remote.openai_api import OpenAIServer
from app.remote.remote_engine import RemoteEngine
from app.remote.servers import Server
from app.store import History
from app.tasks.chat_turn import ChatTurnJob
from app.tasks.job import Outcome
from tests.support.jobs import run_to_end, streamed
from tests.support.llama_cpp_server import llama_cpp_server

KEY = "workstation-key"


@pytest.fixture(scope="module")
def served(scripted_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_cpp_server(scripted_model, "scripted", log, api_key=KEY) as url:
        yield url


def test_a_turn_on_llama_cpp_server_streams_and_is_saved(served: str, tmp_path: Path) -> None:
    engine = RemoteEngine(Server("workstation", served), "scripted", OpenAIServer(served, KEY))
    list(engine.load_steps(LoadConfig(Path("unused"), n_ctx=1024)))
    with History.open(tmp_path / "hearth.db") as history:
        cid = history.create_conversation(model=engine.label)
        job = ChatTurnJob.send(history, engine, cid, "Hi", SamplingParams(max_tokens=16))
        events, done = run_to_end(job)
        assert done.outcome is Outcome.COMPLETED, done.message
        assert streamed(events) == "Hello, world!"
        reply = history.active_path(cid)[-1]
        assert (reply.content, reply.status) == ("Hello, world!", "complete")
        assert reply.model == "scripted@workstation"  # which model, on which server


def test_llama_cpp_server_refuses_a_wrong_key(served: str) -> None:
    engine = RemoteEngine(Server("workstation", served), "scripted", OpenAIServer(served, "no"))
    with pytest.raises(RemoteError, match="refused Hearth's key"):
        list(engine.load_steps(LoadConfig(Path("unused"), n_ctx=1024)))
