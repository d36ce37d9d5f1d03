"""Which conversations use which model, read from a real history file."""

from __future__ import annotations

from pathlib import Path

from app.store import History
from app.store.model_usage import (
    ModelUsage,
    conversations_by_model,
    read_model_usage,
    usage_for_labels,
)

GGUF_PATH = "/home/ada/models/own.gguf"


def test_conversations_are_counted_per_model_newest_first(history: History) -> None:
    first = history.create_conversation(title="Trip plan", model="qwen")
    history.create_conversation(title="Recipe", model="qwen")
    history.create_conversation(title="", model="qwen")  # not named yet
    history.create_conversation(title="Letter", model=GGUF_PATH)
    history.create_conversation(title="No model yet")
    history.add_message(first, "user", "Hello")  # the trip plan becomes the newest
    gone = history.create_conversation(title="In the trash", model="qwen")
    history.delete(gone)
    assert conversations_by_model(history.db) == {
        "qwen": ModelUsage(3, ("Trip plan", "New conversation", "Recipe")),
        GGUF_PATH: ModelUsage(1, ("Letter",)),
    }


def test_titles_are_capped_but_the_count_is_not(history: History) -> None:
    for n in range(5):
        history.create_conversation(title=f"Chat {n}", model="qwen")
    usage = conversations_by_model(history.db, titles_per_model=2)
    assert usage == {"qwen": ModelUsage(5, ("Chat 4", "Chat 3"))}


def test_an_empty_history_uses_no_model(history: History) -> None:
    assert conversations_by_model(history.db) == {}


def test_read_model_usage_opens_and_closes_its_own_connection(db_path: Path) -> None:
    with History.open(db_path) as history:
        history.create_conversation(title="Trip plan", model="qwen")
    assert read_model_usage(db_path) == {"qwen": ModelUsage(1, ("Trip plan",))}


def test_a_model_named_by_id_and_by_path_is_counted_once_per_conversation() -> None:
    usage = {
        "qwen": ModelUsage(2, ("A", "B")),
        GGUF_PATH: ModelUsage(1, ("C",)),
        "other": ModelUsage(4, ("D",)),
    }
    assert usage_for_labels(usage, ["qwen", GGUF_PATH]) == ModelUsage(3, ("A", "B", "C"))
    assert usage_for_labels(usage, ["qwen", "qwen"]) == ModelUsage(2, ("A", "B"))
    assert usage_for_labels(usage, ["missing"]) == ModelUsage(0, ())
    assert usage_for_labels(usage, ["qwen", GGUF_PATH], titles_per_model=2).titles == ("A", "B")
