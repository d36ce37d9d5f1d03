"""Conversations that come back: growing, switching, and resuming after a restart (issue 12,
items 1, 5 and 6), through Hearth's whole chat path against raw llama-cpp-python.

Hearth's side is what the window and `hearth chat` run: a `ChatTurnJob` (the user's message
and the streamed reply written to a real SQLite history) on an `EngineClient` child process,
with the state cache the app configures (`Runtime.load_config`: memory, then disk). Its time
to first token is taken in this process, from starting the job to the first streamed piece.

Raw: `llama_cpp.Llama` in this process on the same model, threads, context and batch, fed the
same conversation rendered with the model's own template (llama-cpp-python's formatter),
timed from `generate` to its first token. Raw keeps one KV cache, as llama.cpp does: on a
growing conversation it reuses its prefix, which is the fair comparison; when conversations
alternate it has nothing to reuse, which is what Hearth fixes.

The random-weight model never ends a reply early, so every reply is exactly REPLY_TOKENS.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import (
    ChatMessage,
    LoadConfig,
    SamplingParams,
    StateCacheConfig,
    TextPiece,
)
from app.engine.state_cache import read_key
from app.engine.state_key import shared_prefix_length
from app.settings import Settings
from app.store import History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.job import Done
from tests.bench.figures import Figure, at_most, reported
from tests.bench.models import QUICK_MODEL, model_file
from tests.bench.raw_llama import RawLlama
from tests.support.tiny_gguf import long_text

N_CTX = 4096
REPLY_TOKENS = 24
GREEDY = SamplingParams(temperature=0.0, max_tokens=REPLY_TOKENS, seed=1)
SYSTEM = "You are Hearth, a helpful assistant running privately on this computer."


def user_text(turn: int, topic: int, words: int = 18) -> str:
    """About 100 tokens of a user's message (the generated models' tokenizer)."""
    return long_text(words, seed=1000 * topic + turn)


def bench_config(model: Path) -> LoadConfig:
    """The same model, threads, context and batch for both sides."""
    return LoadConfig(model, N_CTX, Settings().effective_threads())


class HearthSide:
    """Conversations through the app's own chat path, in a history of their own."""

    def __init__(self, model: Path, folder: Path, *, keep_states: bool = True) -> None:
        self.model, self.folder, self.keep_states = model, folder, keep_states
        folder.mkdir(parents=True, exist_ok=True)
        self.history = History.open(folder / "hearth.db")
        self.engine = EngineClient(folder / "engine.log")
        self.load()

    def load(self) -> None:
        """As `Runtime.load_config` loads it (or, for the "before" figures, without states)."""
        cache = StateCacheConfig(self.folder / "states", disk_bytes=2 * 1024**3)
        config = bench_config(self.model)
        self.engine.load(replace(config, state_cache=cache) if self.keep_states else config)

    def restart(self) -> None:
        """A new engine process, as after quitting and starting Hearth again."""
        self.engine.close()
        self.engine = EngineClient(self.folder / "engine.log")
        self.load()

    def new_conversation(self) -> int:
        return self.history.create_conversation(system_prompt=SYSTEM)

    def turn(self, cid: int, text: str) -> tuple[float, TurnFinished]:
        job = ChatTurnJob.send(self.history, self.engine, cid, text, GREEDY)
        started, first = time.perf_counter(), 0.0
        for event in job.run():
            if isinstance(event, TextPiece) and not first:
                first = time.perf_counter()
            if isinstance(event, Done):
                assert isinstance(event.result, TurnFinished), event.message
                return first - started, event.result
        raise AssertionError("a job ends with Done")

    def close(self) -> None:
        self.engine.close()
        self.history.close()


class RawSide:
    """The same conversations on llama-cpp-python alone (one KV cache, its prefix reuse)."""

    def __init__(self, model: Path) -> None:
        self.raw = RawLlama(bench_config(model))
        self.conversations: dict[int, list[ChatMessage]] = {}

    def turn(self, cid: int, text: str) -> tuple[float, int]:
        """TTFT and the number of prompt tokens llama.cpp evaluated."""
        messages = self.conversations.setdefault(cid, [ChatMessage("system", SYSTEM)])
        messages.append(ChatMessage("user", text))
        prompt = self.raw.prompt_tokens(messages)
        llm = self.raw.llm
        reused = shared_prefix_length(llm.input_ids[: llm.n_tokens], prompt)
        timed = self.raw.generate(prompt, GREEDY, REPLY_TOKENS)
        reply = llm.detokenize(timed.tokens).decode(errors="replace")
        messages.append(ChatMessage("assistant", reply))
        return timed.ttft, len(prompt) - min(reused, len(prompt) - 1)

    def close(self) -> None:
        self.raw.close()


def growing(hearth: HearthSide, raw: RawSide, turns: int) -> Iterator[Figure]:
    """One conversation, ~100 new tokens a turn: Hearth vs raw at turns 1, 5, 10, 20."""
    cid = hearth.new_conversation()
    extra_evaluated = 0
    for turn in range(1, turns + 1):
        text = user_text(turn, topic=1)
        hearth_ttft, finished = hearth.turn(cid, text)
        raw_ttft, raw_evaluated = raw.turn(cid, text)
        stats = finished.stats
        extra_evaluated = max(
            extra_evaluated, stats.prompt_tokens - stats.cached_tokens - raw_evaluated
        )
        if turn in (1, 5, 10, 20):
            ratio = hearth_ttft / raw_ttft
            ms = f"{hearth_ttft * 1000:.0f} vs {raw_ttft * 1000:.0f} ms"
            note = f"{stats.prompt_tokens} tokens, {ms}"
            yield at_most(f"growing conversation: TTFT turn {turn} / raw", ratio, 1.1, "x", note)
    yield at_most(
        "growing conversation: tokens re-evaluated beyond raw", extra_evaluated, 0, "tokens"
    )


def build_three(hearth: HearthSide) -> list[int]:
    """Three conversations of about 1,000 tokens each."""
    conversations = [hearth.new_conversation() for _ in range(3)]
    for topic, cid in enumerate(conversations):
        for turn in range(1, 9):
            hearth.turn(cid, user_text(turn, topic=10 + topic))
    return conversations


def switching_ratio(hearth: HearthSide, conversations: list[int], rounds: int) -> Figure:
    """The worst return against the median first turn of a new conversation, taken in turn."""
    first_turns, returns = [], []
    for round_ in range(rounds):
        for topic, cid in enumerate(conversations):
            ttft, finished = hearth.turn(cid, user_text(100 + round_, topic=10 + topic))
            returns.append((ttft, finished.stats))
            fresh = hearth.new_conversation()
            first_turns.append(hearth.turn(fresh, user_text(100 + round_, topic=50 + topic))[0])
    worst, stats = max(returns, key=lambda item: item[0])
    source = stats.restored_from or "live"
    note = f"worst of {len(returns)}, {stats.prompt_tokens} tokens, from {source}"
    name = "switching 3 conversations: TTFT on return / new turn 1"
    if not hearth.keep_states:
        return reported(
            f"{name}, before (no kept states)", worst / statistics.median(first_turns), "x", note
        )
    return at_most(name, worst / statistics.median(first_turns), 1.5, "x", note)


def after_restart(hearth: HearthSide, conversations: list[int]) -> Figure:
    """Quit and start again: the returns come from disk; each is followed by a new
    conversation's first turn, the baseline (interleaved, so load on the machine hits both)."""
    hearth.restart()
    returns, firsts = [], []
    for topic, cid in enumerate(conversations):
        ttft, finished = hearth.turn(cid, user_text(200, topic=10 + topic))
        returns.append(ttft)
        assert finished.stats.restored_from == "disk", finished.stats
        fresh = hearth.new_conversation()
        firsts.append(hearth.turn(fresh, user_text(200, topic=60 + topic))[0])
    return at_most(
        "after a restart: TTFT on return / new turn 1",
        max(returns) / statistics.median(firsts),
        1.5,
        "x",
        f"worst of 3, {statistics.median(returns) * 1000:.0f} ms median return, from disk",
    )


def switching(model: Path, folder: Path, rounds: int) -> Iterator[Figure]:
    before = HearthSide(model, folder / "before", keep_states=False)
    try:
        yield switching_ratio(before, build_three(before), 1)
    finally:
        before.close()
    hearth = HearthSide(model, folder / "after")
    try:
        conversations = build_three(hearth)
        yield switching_ratio(hearth, conversations, rounds)
        yield after_restart(hearth, conversations)
        yield from state_costs(folder / "after")
    finally:
        hearth.close()


def state_costs(folder: Path) -> Iterator[Figure]:
    sizes = []
    for path in (folder / "states").glob("*.kvstate"):
        n_tokens = _tokens_in(path)
        if n_tokens > 500:
            sizes.append(path.stat().st_size / n_tokens * 1000)
    if sizes:
        per_1000 = statistics.median(sizes) / 1024**2
        yield reported("kept state per 1,000 tokens (disk; RAM the same)", per_1000, "MB")


def _tokens_in(path: Path) -> int:
    return len(read_key(path)[0].tokens)


def _cli(home: Path, *args: str, stdin: str | None = None) -> float:
    """Run `hearth ARGS --stats` with `home` as HEARTH_HOME; the last turn's ttft_ms."""
    env = {**os.environ, "HEARTH_HOME": str(home)}
    hearth = str(Path(sys.executable).with_name("hearth"))
    result = subprocess.run(
        [hearth, *args, "--stats", "--temperature", "0", "--max-tokens", str(REPLY_TOKENS)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(re.findall(r"ttft_ms=([\d.]+)", result.stderr)[-1])


def cli_return(model: Path, folder: Path, runs: int) -> Iterator[Figure]:
    """`hearth chat --conversation ID` in a new process against a new conversation's turn 1."""
    home = folder / "cli"
    lines = "".join(user_text(turn, topic=70) + "\n" for turn in range(1, 9))
    _cli(home, "chat", "--model", str(model), "--ctx", str(N_CTX), stdin=lines)
    listing = subprocess.run(
        [str(Path(sys.executable).with_name("hearth")), "history", "list"],
        capture_output=True,
        text=True,
        env={**os.environ, "HEARTH_HOME": str(home)},
        check=True,
    ).stdout
    cid = listing.split("\t")[0]
    returns, firsts = [], []
    for run in range(runs):
        text = user_text(300 + run, topic=70)
        returns.append(_cli(home, "chat", text, "--conversation", cid, "--ctx", str(N_CTX)))
        firsts.append(_cli(home, "chat", text, "--model", str(model), "--ctx", str(N_CTX)))
    yield at_most(
        "hearth chat --conversation ID (new process): TTFT / new turn 1",
        statistics.median(returns) / statistics.median(firsts),
        1.5,
        "x",
        f"{statistics.median(returns):.0f} vs {statistics.median(firsts):.0f} ms, engine-side",
    )


def figures(quick: bool) -> Iterator[Figure]:
    model = model_file(QUICK_MODEL)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as temp:
        folder = Path(temp)
        hearth, raw = HearthSide(model, folder / "growing"), RawSide(model)
        try:
            yield from growing(hearth, raw, turns=10 if quick else 20)
        finally:
            raw.close()
            hearth.close()
        yield from switching(model, folder, rounds=1 if quick else 3)
        yield from cli_return(model, folder, runs=1 if quick else 3)
