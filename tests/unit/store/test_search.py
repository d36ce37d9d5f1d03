"""Full-text search: ranking, snippets, literal input, trash, re-indexing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from app.store import MIGRATIONS, History, Role
from app.store.search import search_messages


def test_more_mentions_rank_higher(history: History) -> None:
    cid = history.create_conversation(title="Fruit")
    once = history.add_message(cid, "user", "apple pear plum")
    thrice = history.add_message(cid, "assistant", "apple apple apple")
    history.add_message(cid, "user", "nothing relevant here")

    hits = history.search("apple")

    assert [hit.message_id for hit in hits] == [thrice, once]
    assert hits[0].rank < hits[1].rank
    assert hits[0].conversation_id == cid
    assert hits[0].conversation_title == "Fruit"
    assert hits[0].role is Role.ASSISTANT


def test_snippet_marks_matches_and_cuts(history: History) -> None:
    cid = history.create_conversation()
    words = [f"filler{i}" for i in range(60)]
    words[30] = "lighthouse"
    history.add_message(cid, "user", " ".join(words))

    [hit] = history.search("lighthouse")

    assert "[lighthouse]" in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")


def test_all_words_must_match(history: History) -> None:
    cid = history.create_conversation()
    both = history.add_message(cid, "user", "red bicycle")
    history.add_message(cid, "user", "red car")
    assert [hit.message_id for hit in history.search("bicycle red")] == [both]


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "a AND -b*", "*", "-", '"', "NEAR(x y", "^start", "col:value", "(", "'"],
)
def test_search_syntax_in_input_never_raises(history: History, query: str) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "user", "a b c unbalanced start value")
    history.search(query)


def test_quoted_words_are_found_literally(history: History) -> None:
    cid = history.create_conversation()
    mid = history.add_message(cid, "user", "this AND that")
    assert [hit.message_id for hit in history.search("AND")] == [mid]


def test_empty_query_finds_nothing(history: History) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "user", "anything")
    assert history.search("") == []
    assert history.search("   ") == []


def test_trashed_conversations_are_left_out(history: History) -> None:
    kept = history.create_conversation()
    trashed = history.create_conversation()
    history.add_message(kept, "user", "zebra crossing")
    history.add_message(trashed, "user", "zebra stripes")
    history.delete(trashed)

    assert [hit.conversation_id for hit in history.search("zebra")] == [kept]
    history.restore(trashed)
    assert len(history.search("zebra")) == 2


def test_updated_content_is_reindexed(history: History) -> None:
    cid = history.create_conversation()
    mid = history.add_message(cid, "assistant", "draft about walruses", status="streaming")
    history.update_message(mid, content="final text about penguins")

    assert [hit.message_id for hit in history.search("penguins")] == [mid]
    assert history.search("walruses") == []


def test_limit_caps_the_hits(history: History) -> None:
    cid = history.create_conversation()
    for _ in range(5):
        history.add_message(cid, "user", "repeat")
    assert len(history.search("repeat", limit=3)) == 3


def test_search_as_you_type_matches_the_start_of_the_last_word(history: History) -> None:
    cid = history.create_conversation()
    lantern = history.add_message(cid, "user", "the red lantern glows")
    history.add_message(cid, "user", "a red lane")
    assert history.search("red lant") == []  # whole words only, as the CLI wants
    assert [hit.message_id for hit in history.search("red lant", prefix_last=True)] == [lantern]
    # Only the last word is a prefix: the words before it are finished.
    assert history.search("re lantern", prefix_last=True) == []
    # A finished last word (followed by a space) is not a prefix either.
    assert history.search("red lant ", prefix_last=True) == []


@pytest.mark.parametrize("query", ['"', "*", "a AND -b*", "NEAR(x"])
def test_prefix_search_input_never_raises(history: History, query: str) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "user", "a b near x")
    history.search(query, prefix_last=True)


def test_hits_are_ranked_among_the_newest_matches(history: History) -> None:
    """A word in most messages must not make every search rank all of them: the best of
    the newest `ranked` matches win, even over older, better matches."""
    cid = history.create_conversation()
    older = [history.add_message(cid, "user", f"apple apple apple old{i}") for i in range(2)]
    newer = [history.add_message(cid, "user", f"apple and more words new{i}") for i in range(3)]

    within = search_messages(history.db, "apple", 50, ranked=3)
    everything = search_messages(history.db, "apple", 50, ranked=100)

    assert {hit.message_id for hit in within} == set(newer)
    assert [hit.message_id for hit in everything][:2] == older[::-1]
    for hit, word in zip(within, ["new2", "new1", "new0"], strict=True):
        assert word in hit.snippet  # each hit's own snippet, not a neighbour's


def test_an_older_history_gains_the_prefix_index_and_keeps_its_hits(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite_utils.Database(db_path) as old:
        MIGRATIONS.apply(old, stop_before="m008_prefix_search_index")
        old.table("conversations").insert({"id": 1, "created_at": "x", "updated_at": "x"})
        old.table("messages").insert(
            {"id": 1, "conversation_id": 1, "role": "user", "content": "a lantern at night"}
            | {"created_at": "x", "updated_at": "x"}
        )

    with History.open(db_path) as history:
        schema = history.db.table("messages_fts").schema
        found_old = [hit.message_id for hit in history.search("la", prefix_last=True)]
        new = history.add_message(1, "user", "lanterns and lamps")
        history.update_message(1, content="a candle at night")
        found_after = [hit.message_id for hit in history.search("lan", prefix_last=True)]
        history.db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
        indexed = history.db.table("messages").detect_fts()

    assert "prefix='2 3'" in schema
    assert found_old == [1]
    assert found_after == [new]  # the triggers came back: added and edited text is indexed
    assert indexed == "messages_fts"
