"""Chunking: budgets, structure, coverage, positions and how often the counter is called.

Exact boundaries use `count_words` (one token per word or punctuation mark, so joins cost
nothing and estimates are exact); rule 1 is also shown with the real tokenizer of the tiny
scripted model, whose joins do cost tokens.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.documents.chunking import TextCounter, chunk_document
from app.documents.model import Block, BlockKind, Chunk, Document
from app.engine.client import EngineClient
from tests.conftest import load_config
from tests.support.tiny_gguf import long_text

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_words(texts: Sequence[str]) -> list[int]:
    """One token per word or punctuation mark."""
    return [len(_TOKEN.findall(text)) for text in texts]


def count_characters(texts: Sequence[str]) -> list[int]:
    """One token per non-space character: long words cost many tokens."""
    return [sum(not c.isspace() for c in text) for text in texts]


class CallCounter:
    """Wraps a counter, remembering how many texts each call asked for."""

    def __init__(self, counter: TextCounter) -> None:
        self.counter = counter
        self.calls: list[int] = []

    def __call__(self, texts: Sequence[str]) -> list[int]:
        self.calls.append(len(texts))
        return self.counter(texts)


def words(n: int, word: str = "w") -> str:
    return " ".join([word] * n)


def para(n: int, page: int | None = None, section: str | None = None) -> Block:
    """A paragraph of exactly `n` tokens by `count_words`."""
    return Block(words(n), page=page, section=section)


def heading(text: str, level: int = 1) -> Block:
    return Block(text, kind="heading", level=level, section=text)


def doc(*blocks: Block) -> Document:
    return Document(Path("doc.pdf"), "pdf", "Doc", tuple(blocks))


def shape(chunks: list[Chunk]) -> list[list[str]]:
    """Each chunk as its blocks, for readable asserts."""
    return [chunk.text.split("\n\n") for chunk in chunks]


def check_budget(chunks: list[Chunk], max_tokens: int, counter: TextCounter) -> None:
    counts = counter([chunk.text for chunk in chunks])
    assert [chunk.tokens for chunk in chunks] == counts
    assert max(counts) <= max_tokens
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))


def test_whole_blocks_are_packed_greedily_up_to_the_budget() -> None:
    chunks = chunk_document(doc(para(8), para(8), para(4), para(9)), 20, count_words)
    assert shape(chunks) == [[words(8), words(8), words(4)], [words(9)]]
    assert [chunk.tokens for chunk in chunks] == [20, 9]
    check_budget(chunks, 20, count_words)


def test_a_heading_starts_a_new_chunk_once_the_chunk_is_half_full() -> None:
    half_full = doc(para(6), para(4), heading("Results"), para(3))
    assert shape(chunk_document(half_full, 20, count_words)) == [
        [words(6), words(4)],
        ["Results", words(3)],
    ]
    less_than_half = doc(para(5), para(4), heading("Results"), para(3))
    assert shape(chunk_document(less_than_half, 20, count_words)) == [
        [words(5), words(4), "Results", words(3)]
    ]


def test_a_heading_is_not_left_at_the_end_of_a_chunk() -> None:
    chunks = chunk_document(doc(para(8), heading("Methods"), para(15)), 20, count_words)
    assert shape(chunks) == [[words(8)], ["Methods", words(15)]]
    # Consecutive headings move together, and stay together when a new section starts.
    stacked = doc(para(5), heading("Part two"), heading("Intro", 2), para(14))
    assert shape(chunk_document(stacked, 20, count_words)) == [
        [words(5)],
        ["Part two", "Intro", words(14)],
    ]


def test_a_heading_stays_behind_only_when_the_next_block_could_not_follow_it() -> None:
    chunks = chunk_document(doc(para(8), heading("Big table"), para(19)), 20, count_words)
    assert shape(chunks) == [[words(8), "Big table"], [words(19)]]


def test_an_oversized_paragraph_is_split_at_sentence_ends() -> None:
    sentences = [f"Sentence {k} has six more words." for k in range(10)]  # 7 tokens each
    chunks = chunk_document(doc(Block(" ".join(sentences))), 30, count_words)
    assert [chunk.text for chunk in chunks] == [
        " ".join(sentences[k : k + 4]) for k in range(0, 10, 4)
    ]
    check_budget(chunks, 30, count_words)


def test_an_oversized_block_is_split_at_blank_lines_before_sentences() -> None:
    first, second = "One. Two. Three. Four. Five. Six.", "Seven. Eight. Nine."  # 12 and 6
    chunks = chunk_document(doc(Block(f"{first}\n\n{second}")), 18, count_words)
    assert [chunk.text for chunk in chunks] == [f"{first}\n\n{second}"]
    # Over a budget of 16, the blank line is the cut, though two more sentences would fit.
    chunks = chunk_document(doc(Block(f"{first}\n\n{second}"), para(1)), 16, count_words)
    assert [chunk.text for chunk in chunks] == [first, f"{second}\n\nw"]


def test_a_wall_of_words_is_split_between_words() -> None:
    wall = " ".join(f"word{k}" for k in range(100))
    chunks = chunk_document(doc(para(10), Block(wall)), 16, count_words)
    assert [chunk.tokens for chunk in chunks] == [16, 16, 16, 16, 16, 16, 14]
    assert chunks[0].text == words(10) + "\n\n" + " ".join(f"word{k}" for k in range(6))
    assert " ".join(chunk.text for chunk in chunks).split() == [*words(10).split(), *wall.split()]
    check_budget(chunks, 16, count_words)


def test_only_a_word_longer_than_the_budget_is_cut_by_characters() -> None:
    blob = "".join(random.Random(3).choices("abcdefgh", k=70))
    chunks = chunk_document(doc(Block(f"short words {blob} end")), 16, count_characters)
    check_budget(chunks, 16, count_characters)
    assert "".join(chunk.text for chunk in chunks).replace(" ", "") == f"shortwords{blob}end"
    assert chunks[0].text == "short words"  # whole words are never cut


def test_page_ranges() -> None:
    blocks = [para(8, page=page) for page in range(1, 11)]
    chunks = chunk_document(doc(*blocks), 20, count_words)
    assert [(chunk.first_page, chunk.last_page) for chunk in chunks] == [
        (1, 2),
        (3, 4),
        (5, 6),
        (7, 8),
        (9, 10),
    ]
    assert chunks[1].location() == "pages 3–4"
    single = chunk_document(doc(para(8, page=4)), 20, count_words)
    assert single[0].location() == "page 4"


def test_sections_and_their_locations() -> None:
    document = doc(
        heading("A"),
        para(3, section="A"),
        heading("B"),
        para(3, section="B"),
        heading("C"),
        para(3, section="C"),
        heading("D"),
        para(12, section="D"),
        para(12, section="D"),
    )
    chunks = chunk_document(document, 20, count_words)
    assert [chunk.sections for chunk in chunks] == [("A", "B", "C"), ("D",), ("D",)]
    assert [chunk.location() for chunk in chunks] == [
        "sections “A” to “C”",
        "section “D”",
        "section “D”",
    ]
    assert chunk_document(doc(para(3)), 20, count_words)[0].location() == ""
    with_pages = doc(heading("Intro"), para(3, page=2, section="Intro"))
    assert chunk_document(with_pages, 20, count_words)[0].location() == "page 2"


def random_document(seed: int, n_blocks: int) -> Document:
    rng = random.Random(seed)
    blocks: list[Block] = []
    section: str | None = None
    for k in range(n_blocks):
        kind: BlockKind = rng.choice(["heading", "paragraph", "paragraph", "list", "table"])
        if kind == "heading":
            section = f"Part {k}"
            blocks.append(Block(section, kind="heading", level=1, page=k // 5 + 1))
            continue
        size = rng.choice([3, 10, 40, 150, 400])
        text = long_text(size, seed=k)
        if kind != "paragraph":
            text = text.replace(". ", ".\n")
        if rng.random() < 0.1:
            text = text.replace(".", "")  # no sentence ends at all
        blocks.append(Block(text, kind=kind, page=k // 5 + 1, section=section))
    return doc(*blocks)


@pytest.mark.parametrize("max_tokens", [16, 50, 300])
def test_every_word_is_kept_once_and_in_order(max_tokens: int) -> None:
    document = random_document(seed=max_tokens, n_blocks=200)
    chunks = chunk_document(document, max_tokens, count_words)
    assert " ".join(chunk.text for chunk in chunks).split() == document.text.split()
    check_budget(chunks, max_tokens, count_words)


def test_a_budget_below_the_minimum_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        chunk_document(doc(para(3)), 15, count_words)
    assert len(chunk_document(doc(para(3)), 16, count_words)) == 1


def test_an_empty_document_has_no_chunks() -> None:
    counter = CallCounter(count_words)
    assert chunk_document(doc(), 100, counter) == []
    assert chunk_document(doc(Block(""), Block("  \n ")), 100, counter) == []
    assert counter.calls == []


def test_the_counter_is_called_a_constant_number_of_times() -> None:
    blocks = [para(k % 7 + 1) for k in range(500)]
    counter = CallCounter(count_words)
    chunks = chunk_document(doc(*blocks), 100, counter)
    # One call for every block (plus four join probes), one to verify every chunk.
    assert counter.calls == [500 + 4, len(chunks)]

    counter = CallCounter(count_words)
    chunk_document(random_document(seed=1, n_blocks=500), 100, counter)
    # Oversized blocks: at most one more call per level of splitting, however many there are.
    assert len(counter.calls) <= 6


def count_with_costly_joins(texts: Sequence[str]) -> list[int]:
    """Like `count_words`, but each blank line costs more the more of them a text has.

    The join probes see one blank line (cost 1), so estimates run short and the chunker
    has to find out from its verification count.
    """
    return [n + text.count("\n\n") ** 2 for n, text in zip(count_words(texts), texts, strict=True)]


def test_chunks_over_budget_after_joining_are_split_again() -> None:
    document = doc(*(para(3) for _ in range(40)))
    counter = CallCounter(count_with_costly_joins)
    chunks = chunk_document(document, 40, counter)
    check_budget(chunks, 40, count_with_costly_joins)
    assert len(counter.calls) > 2
    assert " ".join(chunk.text for chunk in chunks).split() == document.text.split()


def prose_document(n_words: int, words_per_block: int, seed: int) -> Document:
    text = long_text(n_words, seed)
    sentences = text.split(". ")
    blocks: list[Block] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence.rstrip(".") + ".")
        if sum(len(s.split()) for s in current) >= words_per_block:
            blocks.append(Block(" ".join(current), page=len(blocks) // 4 + 1))
            current = []
    if current:
        blocks.append(Block(" ".join(current), page=len(blocks) // 4 + 1))
    return doc(*blocks)


def test_the_budget_holds_with_the_real_tokenizer(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    blocks = [heading("Opening"), Block(long_text(400, seed=1))]  # oversized: sentences
    blocks += prose_document(3000, 40, seed=2).blocks
    blocks.append(Block(long_text(300, seed=3).replace(".", "")))  # no sentence ends
    document = doc(*blocks)
    for max_tokens in (64, 500):
        chunks = chunk_document(document, max_tokens, engine.count_texts)
        check_budget(chunks, max_tokens, engine.count_texts)
        assert " ".join(chunk.text for chunk in chunks).split() == document.text.split()
        assert sum(chunk.tokens for chunk in chunks) / len(chunks) > max_tokens / 2


def test_a_long_document_is_quick_with_the_real_engine(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    document = prose_document(50_000, 120, seed=4)  # ~100 pages, ~400 blocks
    counter = CallCounter(engine.count_texts)
    started = time.perf_counter()
    chunks = chunk_document(document, 4000, counter)
    elapsed = time.perf_counter() - started
    # ~0.25 s on 2 shared cores (~274,000 tokens); the bound leaves room for a busy machine.
    assert elapsed < 2.0
    assert counter.calls == [len(document.blocks) + 4, len(chunks)]
    check_budget(chunks, 4000, engine.count_texts)
