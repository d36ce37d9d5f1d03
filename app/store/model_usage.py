"""Which conversations use which model: counts and a few titles per model, for the model manager.

A conversation remembers its model as a label (`conversations.model`): an installed model's
id, or the path of a .gguf file opened directly (app/catalog/resolve.py). One grouped query
reads every label's count and its most recently active titles, so the cost does not grow
with the number of models; conversations in the trash are not counted (they are on their
way out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from app.store.failures import translate_sqlite_failures
from app.store.history import History

TITLES_PER_MODEL = 10
UNTITLED = "New conversation"  # what the sidebar shows for a conversation with no title yet


@dataclass(frozen=True)
class ModelUsage:
    """How many conversations use a model, and the titles of the most recent ones (at most
    `TITLES_PER_MODEL`, newest first)."""

    count: int = 0
    titles: tuple[str, ...] = ()


@translate_sqlite_failures
def conversations_by_model(
    db: Database, *, titles_per_model: int = TITLES_PER_MODEL
) -> dict[str, ModelUsage]:
    """Each model label used by a conversation outside the trash, with its usage."""
    sql = """
        SELECT model, title, total FROM (
            SELECT model, title,
                COUNT(*) OVER (PARTITION BY model) AS total,
                ROW_NUMBER() OVER (PARTITION BY model ORDER BY updated_at DESC, id DESC) AS n
            FROM conversations
            WHERE deleted_at IS NULL AND model IS NOT NULL AND model != ''
        ) WHERE n <= ? ORDER BY model, n
    """
    counts: dict[str, int] = {}
    titles: dict[str, list[str]] = {}
    for model, title, total in db.execute(sql, [titles_per_model]).fetchall():
        counts[model] = total
        titles.setdefault(model, []).append(title or UNTITLED)
    return {label: ModelUsage(counts[label], tuple(titles[label])) for label in counts}


def read_model_usage(database: Path) -> dict[str, ModelUsage]:
    """`conversations_by_model` on a connection of the calling thread's own (a worker's),
    closed again at once."""
    with History.open(database) as history:
        return conversations_by_model(history.db)


def usage_for_labels(
    usage: Mapping[str, ModelUsage],
    labels: Iterable[str],
    *,
    titles_per_model: int = TITLES_PER_MODEL,
) -> ModelUsage:
    """One model's usage when conversations may name it several ways (its id, its path)."""
    found = [usage[label] for label in dict.fromkeys(labels) if label in usage]
    titles = tuple(title for entry in found for title in entry.titles)
    return ModelUsage(sum(entry.count for entry in found), titles[:titles_per_model])
