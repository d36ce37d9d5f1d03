"""Cutting a Document into chunks that each fit a token budget, for map/merge summarizing.

Budgets are measured with the loaded model's own tokenizer, through a `TextCounter` (in the
app, `EngineClient.count_texts`), because a word count can be off by half either way. Every
count is a round trip to the engine process, so the chunker never recounts a growing chunk:
it counts every block once in one call, estimates a chunk as the sum of its parts plus a
measured cost per join, and verifies all the finished chunks with one more call. A document
costs two round trips, plus one per level of splitting when a block is larger than a chunk.

Structure comes first: whole blocks are packed in reading order, a heading opens a new chunk
once the current one is half full, and a heading never ends a chunk when the text under it
could have joined it. Only a block too large for any chunk is split: at blank lines, then line
breaks, then sentence ends, then between words. A single "word" longer than the whole budget
(a base64 blob, a run of symbols) is cut by characters; that is the only mid-word cut.

Measured (test_a_long_document_is_quick_with_the_real_engine; the tiny test model's vocabulary
is nearly one token per character): 50,000 words, ~100 pages in 401 blocks, ~274,000 tokens,
chunk to a 4,000-token budget in ~0.25 s on 2 busy cores: two counter calls of ~0.1 s each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import NamedTuple

from app.documents.model import Block, Chunk, Document

TextCounter = Callable[[Sequence[str]], list[int]]
"""Tokens of each text, in one call (one round trip to the engine)."""

MIN_MAX_TOKENS = 16
BLOCK_SEPARATOR = "\n\n"

# Joining two texts can add tokens (a "\n\n" token) or none (" the" is one token either way);
# the cost per kind of join is measured once with these probes, in the first counter call.
_PROBES = ("the", "the the", "the\nthe", "the\n\nthe")

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile(r"\n")
# Whitespace after ., ! or ?, allowing one closing quote or bracket before it.
_SENTENCE_GAP = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+")
_WORD_GAP = re.compile(r"\s+")


class _Unit(NamedTuple):
    """A span of one block's text (stripped, never empty) with its exact token count."""

    block: int
    start: int
    end: int
    tokens: int


class _JoinCosts(NamedTuple):
    space: int
    line: int
    blank_line: int


_Splitter = Callable[[str, _Unit, int], list[tuple[int, int]]]


def chunk_document(document: Document, max_tokens: int, count_texts: TextCounter) -> list[Chunk]:
    """The document's text in order, in chunks of at most `max_tokens` tokens each."""
    if max_tokens < MIN_MAX_TOKENS:
        raise ValueError(f"max_tokens must be at least {MIN_MAX_TOKENS}, not {max_tokens}")
    blocks = document.blocks
    spans = [(i, *_strip(block.text, 0, len(block.text))) for i, block in enumerate(blocks)]
    spans = [span for span in spans if span[1] < span[2]]
    if not spans:
        return []
    counts = count_texts([*(blocks[b].text[s:e] for b, s, e in spans), *_PROBES])
    one, space, line, blank = counts[len(spans) :]
    costs = _JoinCosts(*(max(0, pair - 2 * one) for pair in (space, line, blank)))
    units = [_Unit(*span, n) for span, n in zip(spans, counts, strict=False)]
    units = _fit_units(units, blocks, max_tokens, count_texts)
    groups = _pack(units, blocks, max_tokens, costs)
    verified = _verify(groups, blocks, max_tokens, costs, count_texts)
    return [_chunk(i, group, tokens, blocks) for i, (group, tokens) in enumerate(verified)]


def _fit_units(
    units: list[_Unit], blocks: Sequence[Block], limit: int, count: TextCounter
) -> list[_Unit]:
    """Split units over `limit` at ever finer boundaries, one counter call per level used."""
    for gap in (_PARAGRAPH_BREAK, _LINE_BREAK, _SENTENCE_GAP, _WORD_GAP):
        units = _refine(units, blocks, limit, _splitter(gap), count)
    while any(unit.tokens > limit for unit in units):  # words longer than the whole budget
        refined = _refine(units, blocks, limit, _split_characters, count)
        if len(refined) == len(units):
            break  # single characters over budget: _verify reports the broken counter
        units = refined
    return units


def _refine(
    units: list[_Unit], blocks: Sequence[Block], limit: int, split: _Splitter, count: TextCounter
) -> list[_Unit]:
    staged: list[_Unit | tuple[int, int, int]] = []  # tuples: pieces still to count
    for unit in units:
        pieces = split(blocks[unit.block].text, unit, limit) if unit.tokens > limit else []
        if len(pieces) > 1:
            staged.extend((unit.block, start, end) for start, end in pieces)
        else:
            staged.append(unit)
    todo = [item for item in staged if not isinstance(item, _Unit)]
    if not todo:
        return units
    counts = iter(count([blocks[b].text[s:e] for b, s, e in todo]))
    return [item if isinstance(item, _Unit) else _Unit(*item, next(counts)) for item in staged]


def _splitter(gap: re.Pattern[str]) -> _Splitter:
    """A splitter cutting a unit at every match of `gap`, keeping all text but the gaps."""

    def split(text: str, unit: _Unit, limit: int) -> list[tuple[int, int]]:
        bounds = [unit.start]
        for match in gap.finditer(text, unit.start, unit.end):
            bounds += [match.start(), match.end()]
        bounds.append(unit.end)
        pieces = (_strip(text, a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=True))
        return [(a, b) for a, b in pieces if a < b]

    return split


def _split_characters(text: str, unit: _Unit, limit: int) -> list[tuple[int, int]]:
    """Equal cuts of a word longer than the budget, about half a budget each."""
    parts = max(2, -(-2 * unit.tokens // limit))
    size = max(1, -(-(unit.end - unit.start) // parts))
    return [(a, min(a + size, unit.end)) for a in range(unit.start, unit.end, size)]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def _pack(
    units: list[_Unit], blocks: Sequence[Block], limit: int, costs: _JoinCosts
) -> list[list[_Unit]]:
    """Greedy packing by estimate; headings open chunks and are never left dangling."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    used = 0
    for unit in units:
        if current:
            last_is_heading = blocks[current[-1].block].kind == "heading"
            if blocks[unit.block].kind == "heading" and not last_is_heading and 2 * used >= limit:
                groups.append(current)
                current, used = [], 0
            elif used + _join_cost(current[-1], unit, blocks, costs) + unit.tokens > limit:
                keep = _orphan_cut(current, unit, blocks, limit, costs)
                groups.append(current[:keep])
                current = current[keep:]
                used = _estimate(current, blocks, costs)
        used += unit.tokens + (_join_cost(current[-1], unit, blocks, costs) if current else 0)
        current.append(unit)
    if current:
        groups.append(current)
    return groups


def _orphan_cut(
    current: list[_Unit], unit: _Unit, blocks: Sequence[Block], limit: int, costs: _JoinCosts
) -> int:
    """Where to close `current`: before its trailing headings if they fit with `unit`."""
    keep = len(current)
    while keep > 0 and blocks[current[keep - 1].block].kind == "heading":
        keep -= 1
    if 0 < keep < len(current) and _estimate([*current[keep:], unit], blocks, costs) <= limit:
        return keep
    return len(current)


def _join_cost(before: _Unit, after: _Unit, blocks: Sequence[Block], costs: _JoinCosts) -> int:
    if before.block != after.block:
        return costs.blank_line
    gap = blocks[before.block].text[before.end : after.start]
    newlines = gap.count("\n")
    return costs.blank_line if newlines > 1 else costs.line if newlines else costs.space


def _estimate(units: list[_Unit], blocks: Sequence[Block], costs: _JoinCosts) -> int:
    joins = sum(_join_cost(a, b, blocks, costs) for a, b in pairwise(units))
    return sum(unit.tokens for unit in units) + joins


def _text(units: list[_Unit], blocks: Sequence[Block]) -> str:
    """Blocks joined by a blank line; consecutive pieces of one block keep their spacing."""
    parts: list[str] = []
    start = 0
    for i, unit in enumerate(units):
        if i == 0 or units[i - 1].block != unit.block:
            start = unit.start
        if i + 1 == len(units) or units[i + 1].block != unit.block:
            parts.append(blocks[unit.block].text[start : unit.end])
    return BLOCK_SEPARATOR.join(parts)


def _verify(
    groups: list[list[_Unit]],
    blocks: Sequence[Block],
    limit: int,
    costs: _JoinCosts,
    count: TextCounter,
) -> list[tuple[list[_Unit], int]]:
    """Count every finished chunk, one call per round; re-pack the rare ones over budget.

    A group over budget is re-packed with the limit lowered by how far its estimate fell
    short, which always splits it; a single unit was counted exactly, so rounds end.
    """
    results: list[tuple[list[_Unit], int | None]] = [(group, None) for group in groups]
    while pending := [group for group, tokens in results if tokens is None]:
        counts = iter(count([_text(group, blocks) for group in pending]))
        checked: list[tuple[list[_Unit], int | None]] = []
        for group, known in results:
            tokens = next(counts) if known is None else known
            if tokens <= limit:
                checked.append((group, tokens))
            elif len(group) == 1:
                raise RuntimeError(f"the token counter is inconsistent ({tokens} > {limit})")
            else:
                tighter = limit - (tokens - _estimate(group, blocks, costs))
                checked.extend((part, None) for part in _pack(group, blocks, tighter, costs))
        results = checked
    return [(group, tokens) for group, tokens in results if tokens is not None]


def _chunk(index: int, units: list[_Unit], tokens: int, blocks: Sequence[Block]) -> Chunk:
    covered = [blocks[i] for i in dict.fromkeys(unit.block for unit in units)]
    pages = [block.page for block in covered if block.page is not None]
    names = (
        " ".join(block.text.split()) if block.kind == "heading" else block.section
        for block in covered
    )
    return Chunk(
        index=index,
        text=_text(units, blocks),
        tokens=tokens,
        first_page=min(pages) if pages else None,
        last_page=max(pages) if pages else None,
        sections=tuple(dict.fromkeys(name for name in names if name)),
    )
