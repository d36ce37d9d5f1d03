"""Full-text search over message contents (FTS5, kept in sync by triggers).

What people type is never FTS5 syntax: each word is wrapped in double quotes (inner quotes
doubled), so `"`, `*`, `AND`, `NEAR(` or a leading `-` are searched as text and can never
raise a syntax error. Words are ANDed, the way search boxes usually behave. Hits are
ranked (bm25) among the newest `RANKED_MATCHES` matching messages, so a search costs the same
on a history of any size; with fewer matches than that, all of them are ranked. Questions about a
document use `question_query` instead: any telling word may match, ranked by bm25.
"""

from __future__ import annotations

import json
import re

from sqlite_utils import Database

from app.store.models import Role, SearchHit

SNIPPET_TOKENS = 12
# Hits are ranked among at most this many matching messages, the newest: a word found in
# most messages would otherwise be ranked across all of them (seconds on a large history).
RANKED_MATCHES = 2000

_BEST = """
WITH newest AS (
    SELECT rowid AS id, rank FROM messages_fts WHERE messages_fts MATCH :query
    ORDER BY rowid DESC LIMIT :ranked
)
SELECT m.id, m.conversation_id, c.title, m.role, newest.rank
FROM newest
JOIN messages AS m ON m.id = newest.id
JOIN conversations AS c ON c.id = m.conversation_id
WHERE c.deleted_at IS NULL
ORDER BY newest.rank, m.id DESC
LIMIT :limit
"""

# Snippets only for the hits shown (making one costs more than ranking a match). FTS5 walks
# the matches once, within the hits' rowid range; the list then picks the hits. (`+rowid`
# keeps the list from reaching FTS5 as rowid lookups: it would evaluate the query once per
# hit, and a word's prefix costs a merge of every word it starts each time.)
_SNIPPETS = f"""
SELECT rowid, snippet(messages_fts, 0, '[', ']', '…', {SNIPPET_TOKENS})
FROM messages_fts
WHERE messages_fts MATCH :query AND rowid BETWEEN :low AND :high
AND +rowid IN (SELECT value FROM json_each(:ids))
"""


def quote_query(text: str, *, prefix_last: bool = False) -> str:
    """`text` as an FTS5 query matching all its words literally ('' if it has none).

    With `prefix_last`, the last word also matches longer words ("lant" finds "lantern"),
    for search as you type; not when the text ends with a space (that word is finished)."""
    words = ['"' + word.replace('"', '""') + '"' for word in text.split()]
    if prefix_last and words and not text[-1:].isspace():
        words[-1] += "*"
    return " ".join(words)


def search_messages(
    db: Database,
    text: str,
    limit: int,
    *,
    prefix_last: bool = False,
    ranked: int = RANKED_MATCHES,
) -> list[SearchHit]:
    """Messages of conversations not in the trash matching every word, best first, among
    the newest `ranked` matches."""
    query = quote_query(text, prefix_last=prefix_last)
    if not query or limit <= 0:
        return []
    best = db.execute(_BEST, {"query": query, "ranked": ranked, "limit": limit}).fetchall()
    if not best:
        return []
    ids = [row[0] for row in best]
    bounds = {"low": min(ids), "high": max(ids), "ids": json.dumps(ids)}
    snippets = dict(db.execute(_SNIPPETS, {"query": query, **bounds}).fetchall())
    return [
        SearchHit(
            conversation_id=cid,
            conversation_title=title,
            message_id=mid,
            role=Role(role),
            snippet=snippets[mid],
            rank=float(rank),
        )
        for mid, cid, title, role, rank in best
    ]


# Words that say nothing about what a question is about. Compared in lower case.
_STOP_WORDS_TEXT = """
    a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each few
    for from further had has have having he her here hers him his how i if in into is it
    its itself just many me more most much my no nor not now of off on once only or other
    our ours out over own please same she should so some such tell than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom whose why will with would you your yours"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_MAX_QUERY_WORDS = 32  # a pasted page is not a question; keep the query small


def _singular(word: str) -> str:
    """A rough English singular ("companies" -> "compan"), to be prefix-matched."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def question_query(question: str) -> str:
    """An FTS5 query matching any telling word of `question` ('' if it has none).

    Every word is quoted, so nothing typed is FTS5 syntax. Words longer than three letters
    lose a plural ending and are prefix-matched (`"revenue"*`), so "revenues" in a question
    finds "revenue" in the text and the other way round.
    """
    terms: list[str] = []
    for word in re.findall(r"[^\W_]+", question.lower()):
        if len(word) < 2 or word in _STOP_WORDS:
            continue
        term = f'"{_singular(word)}"*' if len(word) > 3 else f'"{word}"'
        if term not in terms:
            terms.append(term)
    return " OR ".join(terms[:_MAX_QUERY_WORDS])
