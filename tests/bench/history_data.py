"""A history database at scale, generated through Hearth's own schema, for the store figures.

`cached_history(conversations, messages)` returns a database file with that many
conversations and messages, building it once and keeping it under ~/.cache/hearth-bench/
(the file name carries the sizes, this generator's version and the schema's migrations, so a
schema change builds a new one). Building 1,000,000 messages takes a few minutes; reruns take
none.

How it is built, and why it is a fair stand-in for years of use:
- the schema is created by `open_database` (the app's migrations), and rows go in with bulk
  `executemany` INSERTs into those tables; the full-text index is filled by the schema's own
  triggers, exactly as when the app writes a message;
- conversations have few to many messages (a long tail: the longest has 2,000), user
  questions of 8-40 words and replies of 30-200, words drawn from a 20,000-word vocabulary
  with a Zipf distribution (so some words are in most messages and most words are rare);
- messages of different conversations interleave in time, as in real use, so one
  conversation's rows are spread over the file; 2 % of replies were regenerated (a branch);
- 1 % of conversations are pinned, 2 % are in the trash, some are summaries or e-mail drafts.
Everything comes from a fixed seed: the same sizes give the same file.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.store import open_database
from app.store.migrations import known_migration_names

GENERATOR_VERSION = 2
SEED = 12
LONGEST_CONVERSATION = 2000
VOCABULARY = 20_000
_START = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_DAYS = 730
_BATCH = 20_000

_COMMON_TEXT = """the of and to a in is that it for you with as on be this are can was
have not or by your if from at but an will which more one all use when there so what
do has also how they their would about some each other like into them these may make
than then only out time any could data model file code value first new way set just
need should example function return here because must used well two where help many"""
COMMON_WORDS = _COMMON_TEXT.split()


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hearth-bench"


def cached_history(conversations: int, messages: int) -> Path:
    """The generated database for these sizes (built now if not cached yet)."""
    schema = ",".join(sorted(known_migration_names()))
    key = hashlib.sha256(f"{GENERATOR_VERSION} {schema}".encode()).hexdigest()[:10]
    path = cache_folder() / f"history-{conversations}c-{messages}m-{key}.sqlite"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        building = path.with_name(path.name + ".building")
        for leftover in path.parent.glob(building.name + "*"):
            leftover.unlink()
        build_history(building, conversations, messages)
        os.replace(building, path)
    return path


def vocabulary() -> list[str]:
    """Common English words first, then made-up words of 2-4 syllables, all distinct; in
    order of frequency (the texts draw them with Zipf weights by this rank)."""
    rng = random.Random(SEED)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = dict.fromkeys(COMMON_WORDS)
    while len(words) < VOCABULARY:
        words["".join(rng.choices(syllables, k=rng.randint(2, 4)))] = None
    return list(words)


def zipf_weights(count: int) -> list[float]:
    """Cumulative weights of a Zipf distribution (s = 1) over `count` ranks."""
    return list(itertools.accumulate(1 / rank for rank in range(1, count + 1)))


class TextMaker:
    """Message texts from a pool of Zipf-distributed sentences (fast to build in bulk)."""

    def __init__(self, rng: random.Random, pool: int = 30_000) -> None:
        self._rng = rng
        self.words = vocabulary()
        weights = zipf_weights(len(self.words))
        self._sentences = []
        for _ in range(pool):
            chosen = rng.choices(self.words, cum_weights=weights, k=rng.randint(5, 18))
            self._sentences.append(" ".join(chosen).capitalize() + ".")

    def text(self, min_words: int, max_words: int) -> str:
        target = self._rng.randint(min_words, max_words)
        pieces, count = [], 0
        while count < target:
            sentence = self._rng.choice(self._sentences)
            pieces.append(sentence)
            count += sentence.count(" ") + 1
        return " ".join(pieces)


@dataclass
class _Conversation:
    id: int
    started: float  # seconds after _START
    count: int
    kind: str
    pinned: int
    deleted: bool


def message_counts(rng: random.Random, conversations: int, messages: int) -> list[int]:
    """Even message counts (question and reply) summing to `messages`, with a long tail;
    the first conversation has LONGEST_CONVERSATION (or all, if fewer are asked)."""
    longest = min(LONGEST_CONVERSATION, messages - 2 * (conversations - 1))
    raw = [rng.lognormvariate(0, 1.1) for _ in range(conversations - 1)]
    scale = (messages - longest) / 2 / sum(raw)
    pairs = [max(1, round(value * scale)) for value in raw]
    pairs = [min(pair, LONGEST_CONVERSATION // 2 - 1) for pair in pairs]
    counts = [longest, *(2 * pair for pair in pairs)]
    _even_out(rng, counts, messages)
    return counts


def _even_out(rng: random.Random, counts: list[int], messages: int) -> None:
    """Add or remove pairs at random (never below one pair) until the total is exact."""
    while (difference := messages - sum(counts)) != 0:
        index = rng.randrange(1, len(counts)) if len(counts) > 1 else 0
        step = 2 if difference > 0 else -2
        if abs(difference) < 2:
            counts[0] += difference
        elif 2 <= counts[index] + step < LONGEST_CONVERSATION:
            counts[index] += step


def plan_conversations(
    rng: random.Random, conversations: int, messages: int
) -> list[_Conversation]:
    kinds = rng.choices(["chat", "summary", "email"], weights=[90, 7, 3], k=conversations)
    return [
        _Conversation(
            id=number,
            started=rng.uniform(0, _SPAN_DAYS * 86400),
            count=count,
            kind=kind,
            pinned=int(rng.random() < 0.01),
            deleted=rng.random() < 0.02,
        )
        for number, (count, kind) in enumerate(
            zip(message_counts(rng, conversations, messages), kinds, strict=True), start=1
        )
    ]


def timeline(rng: random.Random, plan: list[_Conversation]) -> list[tuple[float, int, int]]:
    """(time, conversation id, position) of every message, in time order: a conversation is
    a few sessions of quick exchanges, days apart, so conversations interleave."""
    events: list[tuple[float, int, int]] = []
    for conversation in plan:
        moment = conversation.started
        for position in range(conversation.count):
            gap = rng.uniform(5, 90) if rng.random() > 0.05 else rng.uniform(3600, 7 * 86400)
            moment += gap
            events.append((moment, conversation.id, position))
    events.sort()
    return events


def _timestamp(seconds: float) -> str:
    moment = _START + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def message_rows(
    rng: random.Random,
    texts: TextMaker,
    events: list[tuple[float, int, int]],
    plan: list[_Conversation],
    leaves: dict[int, int],
) -> Iterator[tuple[object, ...]]:
    """Rows for `messages`, ids in time order; each message's parent is the last kept one of
    its conversation. 2 % of replies are followed by a regeneration: the first version stays
    as a sibling (a branch) and the next reply, under the same question, is the one kept.
    `leaves` receives each conversation's last kept message (its active leaf)."""
    remaining = {conversation.id: conversation.count for conversation in plan}
    wants_reply: set[int] = set()
    for number, (moment, cid, _position) in enumerate(events, start=1):
        stamp = _timestamp(moment)
        parent = leaves.get(cid)
        remaining[cid] -= 1
        if cid not in wants_reply:
            text = texts.text(8, 40)
            yield (number, cid, parent, "user", text, "complete", stamp, stamp, None, None)
            wants_reply.add(cid)
            leaves[cid] = number
            continue
        stats = json.dumps({"completion_tokens": rng.randint(40, 400), "tokens_per_s": 21.5})
        text = texts.text(30, 200)
        yield (number, cid, parent, "assistant", text, "complete", stamp, stamp, "bench", stats)
        if remaining[cid] >= 2 and rng.random() < 0.02:
            continue  # regenerated: the next reply replaces this one on the shown path
        wants_reply.discard(cid)
        leaves[cid] = number


def build_history(path: Path, conversations: int, messages: int) -> None:
    """Create the database at `path` through the app's migrations, then fill it."""
    rng = random.Random(SEED)
    open_database(path).close()  # the schema, exactly as the app creates it
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a generator: nothing to recover
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB while the index grows
        conn.execute("BEGIN")
        plan = plan_conversations(rng, conversations, messages)
        leaves: dict[int, int] = {}
        texts = TextMaker(rng)
        rows = message_rows(rng, texts, timeline(rng, plan), plan, leaves)
        while batch := list(itertools.islice(rows, _BATCH)):
            conn.executemany(_INSERT_MESSAGE, batch)
        _insert_conversations(conn, rng, texts, plan, leaves)
        conn.execute("COMMIT")
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
        conn.execute("PRAGMA journal_mode = WAL")  # as the app leaves it
        conn.execute("ANALYZE")
    finally:
        conn.close()


_INSERT_MESSAGE = (
    "INSERT INTO messages (id, conversation_id, parent_id, role, content, status, created_at, "
    "updated_at, model, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _insert_conversations(
    conn: sqlite3.Connection,
    rng: random.Random,
    texts: TextMaker,
    plan: list[_Conversation],
    leaves: dict[int, int],
) -> None:
    latest = dict(
        conn.execute("SELECT conversation_id, MAX(created_at) FROM messages GROUP BY 1").fetchall()
    )
    rows = []
    for conversation in plan:
        title = " ".join(rng.choices(texts.words[:2000], k=rng.randint(2, 6))).capitalize()
        updated = latest[conversation.id]
        deleted = updated if conversation.deleted else None
        started, leaf = _timestamp(conversation.started), leaves[conversation.id]
        values = (title, started, updated, conversation.pinned, deleted, leaf, conversation.kind)
        rows.append((conversation.id, *values))
    conn.executemany(
        "INSERT INTO conversations (id, title, created_at, updated_at, pinned, deleted_at, "
        "active_leaf_id, kind, model, sampling) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench', '{}')",
        rows,
    )
