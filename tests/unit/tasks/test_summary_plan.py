"""Planning a summary to fit the context: budgets that give way in small contexts (checked on
prompts built for them, for tokenizers from four characters a token to two tokens a
character), the levels they make, and real summaries whose every call fits."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.engine.protocol import ChatMessage, SamplingParams
from app.errors import ContextOverflowError
from app.store import DocumentStore, History
from app.tasks.context_budget import TokenCounter
from app.tasks.summarize import SummaryReady
from app.tasks.summary_labels import WIDEST_LABEL, WIDEST_LOCATION, WIDEST_PART
from app.tasks.summary_plan import (
    MIN_FINAL_TOKENS,
    MIN_NOTE_TOKENS,
    PromptCosts,
    SummaryBudgets,
    measure_costs,
    plan_budgets,
    plan_levels,
    plan_summary,
)
from app.tasks.summary_prompts import STYLES, SummaryStyle, map_prompt, merge_prompt
from tests.conftest import load_config
from tests.support.documents import write_pdf
from tests.support.recording_engine import RecordingEngine
from tests.support.tiny_gguf import long_text
from tests.unit.tasks.summary_runs import VARIED, calls_over, containing, summarize

NAME = "quarterly report.pdf"
TOKENS_PER_CHARACTER = (0.25, 0.5, 1.0, 2.0)  # from a large BPE vocabulary to byte soup
CONTEXTS = (1024, 1536, 2048, 4096, 8192)
REPLY_LENGTHS = (32, 256, 1024, 4096)


def character_counter(tokens_per_character: float) -> TokenCounter:
    """A tokenizer that spends `tokens_per_character` on every character, plus a template."""

    def count(messages: Sequence[ChatMessage]) -> int:
        characters = sum(len(m.role) + len(m.content) for m in messages)
        return 10 + math.ceil(characters * tokens_per_character)

    return count


def text_of(tokens: int, tokens_per_character: float) -> str:
    """Words whose characters cost at most `tokens` tokens."""
    return ("word " * tokens)[: int(tokens / tokens_per_character)]


def budgets_for(n_ctx: int, max_tokens: int, ratio: float) -> SummaryBudgets:
    costs = measure_costs(character_counter(ratio), NAME, SummaryStyle())
    return plan_budgets(n_ctx, max_tokens, costs, NAME)


# --- budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ratio", TOKENS_PER_CHARACTER)
def test_from_1024_tokens_every_call_fits_with_at_least_two_notes_a_merge(ratio: float) -> None:
    """The prompts are built as the job builds them, at their longest: the widest labels,
    every note and chunk as long as its budget allows."""
    count = character_counter(ratio)
    style = SummaryStyle()
    for n_ctx in CONTEXTS:
        for max_tokens in REPLY_LENGTHS:
            budgets = budgets_for(n_ctx, max_tokens, ratio)
            case = f"n_ctx={n_ctx} max_tokens={max_tokens}: {budgets}"
            assert budgets.group_size >= 2, case
            assert budgets.note_tokens >= MIN_NOTE_TOKENS, case
            assert budgets.final_tokens >= min(max_tokens, MIN_FINAL_TOKENS), case
            chunk = text_of(budgets.chunk_tokens, ratio)
            reading = map_prompt(NAME, WIDEST_PART, WIDEST_PART, WIDEST_LOCATION, chunk)
            assert count(reading) + budgets.note_tokens <= n_ctx, case
            notes = [(WIDEST_LABEL, text_of(budgets.note_tokens, ratio))] * budgets.group_size
            merging = count(merge_prompt(NAME, notes, None)) + budgets.note_tokens
            writing = count(merge_prompt(NAME, notes, style)) + budgets.final_tokens
            assert max(merging, writing) <= n_ctx, case


def test_roomy_contexts_keep_the_full_budgets() -> None:
    """Notes of an eighth of the context (96 to 512), the reply length the user chose (at
    most half the context), chunks of half the context: nothing gives way."""
    roomy = budgets_for(4096, 1024, 0.25)
    assert (roomy.note_tokens, roomy.final_tokens, roomy.whole_tokens) == (512, 1024, 1024)
    assert roomy.chunk_tokens == 2048
    assert roomy.group_size >= 4
    roomy = budgets_for(8192, 32, 0.25)
    assert (roomy.note_tokens, roomy.final_tokens, roomy.chunk_tokens) == (96, 32, 4096)
    assert roomy.group_size > 20


def test_a_small_context_shortens_the_summary_and_then_the_notes() -> None:
    """At 1024 tokens and a character a token, two notes and a 512-token summary do not fit
    the final call: the summary gives way first, to no less than half of what is left."""
    roomy = budgets_for(1024, 1024, 0.25)
    assert (roomy.note_tokens, roomy.final_tokens) == (128, 512)
    tight = budgets_for(1024, 1024, 1.0)
    assert tight.whole_tokens == 512  # a document that fits one call still gets it all
    assert 256 < tight.final_tokens < 512
    assert tight.note_tokens == 128
    tighter = budgets_for(1024, 1024, 2.0)
    assert tighter.note_tokens < 128
    assert tighter.final_tokens > tighter.note_tokens
    assert tighter.group_size == 2


def test_a_context_too_small_for_a_chunk_is_refused_with_what_to_do() -> None:
    with pytest.raises(ContextOverflowError, match=r"too small to summarize quarterly report"):
        budgets_for(512, 256, 2.0)
    with pytest.raises(ContextOverflowError, match=r"\(1024 or more\)"):
        budgets_for(384, 256, 1.0)


def test_a_custom_instruction_is_counted_in_the_final_prompt() -> None:
    count = character_counter(1.0)
    plain = measure_costs(count, NAME, SummaryStyle())
    instruction = "List the risks and who owns each." * 10
    custom = measure_costs(count, NAME, SummaryStyle(instruction=instruction))
    assert custom.final_prompt - plain.final_prompt == len(instruction) - len(STYLES["brief"])
    assert (custom.map_prompt, custom.merge_prompt, custom.label) == (
        plain.map_prompt,
        plain.merge_prompt,
        plain.label,
    )
    assert plain.label > len(WIDEST_LABEL)  # "Notes on …:" and the blank lines around it


# --- levels ----------------------------------------------------------------------------------

COSTS = PromptCosts(map_prompt=100, merge_prompt=100, final_prompt=100, label=10)


def test_levels_merge_groups_until_one_call_is_left() -> None:
    assert plan_levels(1, 4) == (1,)
    assert plan_levels(4, 4) == (4, 1)
    assert plan_levels(5, 2) == (5, 3, 2, 1)
    assert plan_levels(40, 3) == (40, 14, 5, 2, 1)


def test_a_document_that_fits_one_call_is_one_call_even_without_room_to_merge() -> None:
    no_merge = SummaryBudgets(
        note_tokens=32, final_tokens=64, whole_tokens=256, chunk_tokens=64, group_size=1
    )
    one_call = plan_summary(1, True, no_merge, 512, NAME)
    assert (one_call.levels, one_call.final_tokens) == ((1,), 256)
    for chunks, fits in ((1, False), (3, False)):
        with pytest.raises(ContextOverflowError, match="too small to merge the notes on quar"):
            plan_summary(chunks, fits, no_merge, 512, NAME)


def test_a_lone_chunk_that_does_not_fit_one_call_gets_notes_first() -> None:
    budgets = plan_budgets(2048, 1024, COSTS, NAME)
    plan = plan_summary(1, False, budgets, 2048, NAME)
    assert (plan.levels, plan.total_calls) == ((1, 1), 2)
    assert (plan.note_tokens, plan.final_tokens) == (budgets.note_tokens, budgets.final_tokens)
    many = plan_summary(30, False, budgets, 2048, NAME)
    assert many.levels == plan_levels(30, budgets.group_size)


# --- real summaries --------------------------------------------------------------------------


def test_a_25_page_pdf_at_1024_tokens_is_summarized_with_every_call_fitting(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    """The app's default reply length (1024 tokens) in a 1024-token context, with a
    tokenizer that spends about a token a character: the budgets give way (a shorter
    summary, two notes a merge, more levels) and nothing is refused or skipped."""
    recorder.load(load_config(random_model, n_ctx=1024))
    pdf = write_pdf(tmp_path / "long.pdf", [[long_text(50, seed=page)] for page in range(25)])
    sampling = SamplingParams(temperature=1.0, max_tokens=1024)
    ready = summarize(history, recorder, pdf, sampling=sampling)[-1]
    assert isinstance(ready, SummaryReady)
    assert calls_over(recorder.calls, 1024) == []
    chunks = DocumentStore(history).chunks(ready.document_id)
    assert (chunks[0].first_page, chunks[-1].last_page) == (1, 25)
    maps = [i for i, call in enumerate(recorder.calls) if call.is_map]
    assert maps == list(range(len(chunks)))
    assert len(chunks) >= 12
    for chunk in chunks:
        assert containing(recorder.calls, chunk.text) == [chunk.index], f"chunk {chunk.index}"
    merges = [call.ask for call in recorder.calls[len(chunks) : -1]]
    assert {ask.count("Notes on part") for ask in merges[: len(chunks) // 2]} == {2}
    final = recorder.calls[-1]
    assert STYLES["brief"] in final.ask
    assert MIN_FINAL_TOKENS <= final.max_tokens < 512  # shortened to fit two notes
    assert ready.calls == len(recorder.calls)


def test_wide_groups_of_notes_still_fit_the_context(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    """At 2048 tokens a merge reads a dozen notes. Labels ("part 12 (pages 6–7)") cost ~30
    tokens in this vocabulary and notes may read back longer than they were written: both
    are measured with the model's tokenizer, so every merge still fits with its reply."""
    recorder.load(load_config(random_model, n_ctx=2048))
    pages = [[long_text(60, seed=10 * page + k) for k in range(6)] for page in range(7)]
    pdf = write_pdf(tmp_path / "thick.pdf", pages)
    ready = summarize(history, recorder, pdf, sampling=VARIED)[-1]
    assert isinstance(ready, SummaryReady)
    assert ready.chunks >= 12
    first_merge = next(call.ask for call in recorder.calls if not call.is_map)
    assert len(re.findall(r"^Notes on part", first_merge, re.M)) >= 8
    assert calls_over(recorder.calls, 2048) == []
    assert all(stats.finish_reason == "length" for stats in recorder.stats)
