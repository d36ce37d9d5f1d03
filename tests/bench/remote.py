"""The remote path's overhead: a reply streamed from a server the user added, through
Hearth (RemoteEngine, a chat turn job, the reply saved as it streams), against the same
request made directly with the leanest client (http.client reading the event stream).

The server is llama-cpp-python's own (`llama_cpp.server`) on a realistic-size random model
on this machine, so both sides wait for the same decoding; the difference is Hearth's
parsing, events and saving. Measured interleaved, median of several runs. Goal: <= 1.05x.
"""

from __future__ import annotations

import http.client
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from app.engine.protocol import LoadConfig, SamplingParams
from app.remote.openai_api import OpenAIServer
from app.remote.remote_engine import RemoteEngine
from app.remote.servers import Server
from app.store import History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from tests.bench.figures import Figure, at_most, interleaved, reported
from tests.bench.models import QUICK_MODEL, model_file
from tests.support.llama_cpp_server import llama_cpp_server

ALIAS = "bench"
PROMPT = "Tell me about the sea."
SEED = 7


def figures(quick: bool) -> Iterator[Figure]:
    tokens, runs = (48, 3) if quick else (128, 5)
    sampling = SamplingParams(max_tokens=tokens, seed=SEED, temperature=0.7)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-remote-") as folder:
        root = Path(folder)
        with llama_cpp_server(model_file(QUICK_MODEL), ALIAS, root / "server.log") as url:
            engine = RemoteEngine(Server("bench", url), ALIAS, OpenAIServer(url))
            list(engine.load_steps(LoadConfig(Path(ALIAS), n_ctx=1024)))
            with History.open(root / "hearth.db") as history:
                pieces: list[int] = []

                def through_hearth() -> float:
                    cid = history.create_conversation(model=engine.label)
                    job = ChatTurnJob.send(history, engine, cid, PROMPT, sampling)
                    started = time.perf_counter()
                    *_, done = job.run()
                    elapsed = time.perf_counter() - started
                    assert isinstance(done.result, TurnFinished), done.message
                    pieces.append(done.result.stats.completion_tokens)
                    return elapsed

                def direct() -> float:
                    return stream_directly(url, sampling)

                through_hearth()  # warm both paths (the server's first request loads more)
                direct()
                hearth_s, direct_s = interleaved(runs, through_hearth, direct)
    yield reported(f"remote: streamed reply, direct client ({tokens} tokens)", direct_s, "s")
    yield reported("remote: streamed reply, through Hearth", hearth_s, "s")
    yield at_most(
        "remote: Hearth / direct, streamed reply",
        hearth_s / direct_s,
        1.05,
        "x",
        note=f"llama_cpp.server, {QUICK_MODEL.label}, {min(pieces)} pieces",
    )


def stream_directly(url: str, sampling: SamplingParams) -> float:
    """One streamed completion read with nothing but http.client: the floor."""
    address = urlsplit(url)
    body = json.dumps(
        {
            "model": ALIAS,
            "messages": [{"role": "user", "content": PROMPT}],
            "stream": True,
            "max_tokens": sampling.max_tokens,
            "seed": sampling.seed,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
        }
    )
    started = time.perf_counter()
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    while line := response.readline():
        if line.strip() == b"data: [DONE]":
            break
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed
