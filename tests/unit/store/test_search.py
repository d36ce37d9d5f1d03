"""Full-text search: ranking, snippets, literal input, trash, re-indexing."""

from __future__ import annotations

import pytest

from app.store import History, Role


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
