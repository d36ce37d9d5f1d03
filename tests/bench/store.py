"""Store figures: the history at scale (10,000 conversations, 1,000,000 messages).

The database is generated through Hearth's own schema (tests/bench/history_data.py) and
cached under ~/.cache/hearth-bench/; each run works on a fresh copy of it, so what a run
writes never changes the next run's starting point. `--quick` uses a tenth of the sizes.

Each figure times the very code path the app uses, on the calling thread, warm (the file
is in the OS cache after the copy, as it is for someone using Hearth):
- open: `History.open` (connect, refuse a newer file, migration check, WAL, recovery of
  replies whose writer died), then close;
- sidebar page: what the window's conversation list does to show the list (its model's
  `refresh`, which reads the conversations and applies the difference), after a message
  moved a conversation to the top, as after every turn;
- full-text query: `ConversationReader.search`, what the sidebar runs as the user types
  (50 hits, the last word may be the start of a word), for words of different frequency;
- appending: `History.add_message` (a user's message) and a reply's `ReplyWriter` (row
  created at the first piece, final text and status at the end), into a long conversation.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from app.store import History, ReplyWriter
from app.tasks.conversation_reader import ConversationReader
from tests.bench.figures import Figure, at_most, reported
from tests.bench.history_data import TextMaker, cached_history, vocabulary

FULL = (10_000, 1_000_000)
RUNS = 15


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    action()  # once to warm caches and code paths
    return statistics.median(_ms(action) for _ in range(runs))


def figures(quick: bool) -> Iterator[Figure]:
    conversations, messages = (size // 10 for size in FULL) if quick else FULL
    started = time.perf_counter()
    source = cached_history(conversations, messages)
    yield reported(
        "store: database ready (generated or cached)",
        time.perf_counter() - started,
        "s",
        note=f"{conversations:,} conversations, {messages:,} messages, "
        f"{source.stat().st_size / 1e6:.0f} MB",
    )
    with tempfile.TemporaryDirectory(prefix="hearth-bench-store-") as folder:
        database = Path(folder) / "history.sqlite"
        shutil.copyfile(source, database)
        yield at_most("store: open + migration check", _median_ms(_open(database)), 200, "ms")
        with History.open(database) as history:
            yield from _sidebar(history)
            yield from _appends(history)
        reader = ConversationReader(database)
        try:
            yield from _searches(reader)
        finally:
            reader.close()


def _open(database: Path) -> Callable[[], None]:
    return lambda: History.open(database).close()


def _busiest_conversation(history: History) -> int:
    row = history.db.execute(
        "SELECT conversation_id FROM messages GROUP BY conversation_id ORDER BY COUNT(*) DESC "
        "LIMIT 1"
    ).fetchone()
    return int(row[0])


def _sidebar(history: History) -> Iterator[Figure]:
    """The list model of the window's sidebar, refreshed after a conversation far down the
    list got a message (it moves to the top), as after every turn."""
    from app.ui.conversation_model import ConversationListModel, ConversationRole

    model = ConversationListModel(history)
    listed = [model.index(row, 0).data(ConversationRole.ID) for row in range(model.rowCount())]
    times = []
    for cid in listed[-RUNS:]:
        history.add_message(cid, "user", "One more question.")
        times.append(_ms(model.refresh))
    yield at_most(
        "store: sidebar page",
        statistics.median(times),
        100,
        "ms",
        note=f"{model.rowCount():,} conversations listed",
    )


def _appends(history: History) -> Iterator[Figure]:
    """A turn's writes into the longest conversation: the question, then the reply's row
    created at its first piece and rewritten with the final text (about 2,000 characters)."""
    texts = TextMaker(random.Random(5), pool=2000)
    cid = _busiest_conversation(history)
    question, reply = texts.text(20, 40), texts.text(300, 400)
    asked, created, finished = [], [], []
    done = {"completion_tokens": 400}
    for _ in range(RUNS):
        asked.append(_ms(lambda: history.add_message(cid, "user", question)))
        writer = ReplyWriter(history, cid, history.get_conversation(cid).active_leaf_id)
        created.append(_ms(lambda writer=writer: writer.append(reply[:20])))
        writer.append(reply[20:])  # kept in memory until the next flush
        finished.append(_ms(lambda writer=writer: writer.finish("complete", stats=done)))
    for name, times in (
        ("append a message (History.add_message)", asked),
        ("append a reply's row (ReplyWriter, first piece)", created),
        ("write a reply's final text (ReplyWriter.finish)", finished),
    ):
        yield at_most(f"store: {name}", statistics.median(times), 5, "ms")


def _searches(reader: ConversationReader) -> Iterator[Figure]:
    words = vocabulary()
    queries = {
        "a word in most messages": words[0],
        "a frequent word": words[60],
        "a rare word": words[5000],
        "two words": f"{words[60]} {words[400]}",
        "a word being typed": words[300][:3],
    }
    for kind, query in queries.items():
        elapsed = _median_ms(lambda query=query: reader.search(query, limit=50))
        yield at_most(f"store: full-text query, {kind}", elapsed, 100, "ms", note=repr(query))
