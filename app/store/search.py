"""Full-text search over message contents (FTS5, kept in sync by triggers).

What people type is never FTS5 syntax: each word is wrapped in double quotes (inner quotes
doubled), so `"`, `*`, `AND`, `NEAR(` or a leading `-` are searched as text and can never
raise a syntax error. Words are ANDed, the way search boxes usually behave. Questions about a
document use `question_query` instead: any telling word may match, ranked by bm25.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from app.store.models import Role, SearchHit

SNIPPET_TOKENS = 12

_SEARCH = f"""
SELECT m.id, m.conversation_id, c.title, m.role,
       snippet(messages_fts, 0, '[', ']', '…', {SNIPPET_TOKENS}) AS snippet,
       messages_fts.rank AS rank
FROM messages_fts
JOIN messages AS m ON m.id = messages_fts.rowid
JOIN conversations AS c ON c.id = m.conversation_id
WHERE messages_fts MATCH :query AND c.deleted_at IS NULL
ORDER BY rank, m.id DESC
LIMIT :limit
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
    db: Database, text: str, limit: int, *, prefix_last: bool = False
) -> list[SearchHit]:
    """Messages of conversations not in the trash matching every word, best first."""
    query = quote_query(text, prefix_last=prefix_last)
    if not query or limit <= 0:
        return []
    rows = db.execute(_SEARCH, {"query": query, "limit": limit}).fetchall()
    return [
        SearchHit(
            conversation_id=cid,
            conversation_title=title,
            message_id=mid,
            role=Role(role),
            snippet=snippet,
            rank=float(rank),
        )
        for mid, cid, title, role, snippet, rank in rows
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
