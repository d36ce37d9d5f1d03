"""Transcript figures for the closing notes: opening a long conversation, streaming a reply.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_transcript [--rate N]
(prints a table; asserts nothing). `--rate` is the streaming speed in pieces (of three
characters, about a token each) per second; the default, 60, is a fast laptop model.

The event-loop stall is measured the way a user feels it: a 5 ms heartbeat timer runs
beside the stream, and the longest gap between two beats, minus 5 ms, is the stall.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.store import MessageStatus, Role
from app.tasks.conversation_view import MessageView
from app.ui import transcript_view
from app.ui.transcript_view import TranscriptView

RUNS = 7
PIECE = 3
HEARTBEAT_MS = 5


def message(number: int, role: Role, content: str, status: str = "complete") -> MessageView:
    return MessageView(number, 1, role, content, MessageStatus(status))


def answer(number: int, length: int) -> str:
    """Markdown shaped like a model's answer: prose, lists, a table, code blocks."""
    prose = (
        f"Point {number}: the quick brown fox **jumps** over the lazy dog, and `parse()` "
        "explains why the [documentation](https://example.com/docs) matters here. "
    )
    code = "\n".join(
        f"def handler_{i}(request):\n    value = compute(request.data, {i})  # note\n"
        "    return value * 2"
        for i in range(6)
    )
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts += [
            prose * 3,
            "- first point\n- second point with `code`\n- third point",
            f"```python\n{code}\n```",
            "| option | value |\n|---|--:|\n| retries | 3 |\n| timeout | 30 |",
            prose * 2,
            "```bash\npip install thing && thing --flag\n```",
        ]
    return "\n\n".join(parts)[:length]


def conversation(count: int) -> list[MessageView]:
    return [
        message(n, Role.USER, f"Question {n}: how do I do thing {n}?")
        if n % 2
        else message(n, Role.ASSISTANT, answer(n, 900))
        for n in range(1, count + 1)
    ]


def run_for(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def bench_open(view: TranscriptView, messages: list[MessageView]) -> None:
    opened, painted = [], []
    for _ in range(RUNS):
        view.show_notice("…")
        run_for(20)
        opened.append(timed(lambda: view.show_messages(messages)))
        painted.append(opened[-1] + timed(view.repaint))
    print(
        f"open {len(messages)} messages (materializes {view.materialized_count}), median of "
        f"{RUNS}: show_messages {statistics.median(opened):.1f} ms, until painted "
        f"{statistics.median(painted):.1f} ms (max {max(painted):.1f} ms)"
    )
    pages: list[float] = []
    while view.earlier_count and len(pages) < 5:
        pages.append(timed(view.load_earlier))
        run_for(10)
    print(
        f"load an earlier page ({transcript_view.PAGE_MESSAGES} messages), median of {len(pages)}: "
        f"{statistics.median(pages):.1f} ms"
    )


class Streamer:
    """Feeds `text` into the view in 3-character pieces, `rate` pieces a second."""

    def __init__(self, view: TranscriptView, text: str, rate: int) -> None:
        self.view, self.text, self.offset = view, text, 0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._feed)
        self.interval_s = 1 / rate
        self.started = 0.0

    def start(self) -> None:
        self.started = time.perf_counter()
        self.timer.start(1)

    def done(self) -> bool:
        return self.offset >= len(self.text)

    def _feed(self) -> None:
        # Catch up on pieces that were due while the loop was busy, as a queued signal would.
        due = int((time.perf_counter() - self.started) / self.interval_s) + 1
        while self.offset < min(len(self.text), due * PIECE):
            self.view.append_stream(self.text[self.offset : self.offset + PIECE])
            self.offset += PIECE
        if self.done():
            self.timer.stop()


class Heartbeat:
    """Beats every 5 ms; the longest gap between beats is the longest stall. It also
    notes the cost of each streaming render (renders are at least 50 ms apart)."""

    def __init__(self, view: TranscriptView) -> None:
        self.view = view
        self.beats: list[float] = []
        self.render_costs: list[float] = []
        self.renders_seen = view.stream_render_count
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        self.beats.append(time.perf_counter())
        if self.view.stream_render_count != self.renders_seen:
            self.renders_seen = self.view.stream_render_count
            self.render_costs.append(self.view.last_render_ms)

    def start(self) -> None:
        self.beats = [time.perf_counter()]
        self.timer.start(HEARTBEAT_MS)

    def stalls_ms(self) -> list[float]:
        """Every gap between beats beyond the 5 ms period, longest first."""
        gaps = [(b - a) * 1000 - HEARTBEAT_MS for a, b in itertools.pairwise(self.beats)]
        return sorted(gaps, reverse=True)


def bench_stream(view: TranscriptView, rate: int) -> None:
    history = conversation(40)
    view.show_messages(history)
    text = answer(41, 10_000)
    view.begin_streaming(41)
    heartbeat, streamer = Heartbeat(view), Streamer(view, text, rate)
    heartbeat.start()
    streamer.start()
    started = time.perf_counter()
    while not streamer.done():
        run_for(50)
    view.flush_stream()
    run_for(100)
    streaming_s = time.perf_counter() - started
    stalls = heartbeat.stalls_ms()
    costs = sorted(heartbeat.render_costs)
    final = message(41, Role.ASSISTANT, text)
    end_ms = timed(lambda: view.end_streaming(final))
    reopen_ms = timed(lambda: view.show_messages([*history, final]))
    heartbeat.timer.stop()
    print(
        f"stream {len(text)} characters in {PIECE}-character pieces at {rate}/s "
        f"({streaming_s:.1f} s): {view.stream_render_count} renders, total "
        f"{sum(costs) / 1000:.2f} s"
    )
    print(
        f"  event-loop stalls, longest three: {', '.join(f'{s:.1f}' for s in stalls[:3])} ms; "
        f"beats late by over 50 ms: {sum(s > 50 for s in stalls)}"
    )
    print(
        f"  render cost median {statistics.median(costs):.1f} ms, 95th percentile "
        f"{costs[int(len(costs) * 0.95)]:.1f} ms, longest three "
        f"{', '.join(f'{c:.1f}' for c in costs[::-1][:3])} ms"
    )
    print(
        f"end_streaming with the streamed text: {end_ms:.1f} ms; show_messages of the "
        f"41 messages afterwards (what re-reading the conversation costs): {reopen_ms:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=60, help="pieces per second")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    view = TranscriptView()
    view.resize(900, 700)
    view.show()
    QCoreApplication.processEvents()
    bench_open(view, conversation(2000))
    bench_stream(view, args.rate)
    view.close()
    del app


if __name__ == "__main__":
    main()
