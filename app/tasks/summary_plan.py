"""How a summary fits the model's context: the budgets of its calls and the levels they make.

A summary is map calls (one per chunk, each writing a note), merge calls (a group of notes
in, one note out) and one final call (the last group in, the summary out). Every prompt
plus the reply it may write must fit the context, so four numbers are planned together:

- the note budget: the longest note a map or merge call may write;
- the chunk budget: what a chunk may hold so that its map call fits beside its note;
- the final budget: the longest summary the last call may write (the user's reply length);
- the group size: notes per merge call, at least 2 or nothing ever shrinks.

The fixed parts of the prompts (instructions, labels) are counted with the model's own
tokenizer (`measure_costs`), never guessed. When two notes and a reply do not fit a merge
call, the budgets give way (shorter notes, a shorter summary, more levels of merging)
instead of refusing: from 1024 tokens of context on, any document can be summarized
whatever the tokenizer. Only a context too small for even the shortest budgets is refused.

Nothing here talks to the engine or the store: the job passes a token counter in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.errors import ContextOverflowError
from app.tasks.context_budget import TokenCounter, reply_budget
from app.tasks.summary_labels import WIDEST_LABEL, WIDEST_LOCATION, WIDEST_PART
from app.tasks.summary_prompts import SummaryStyle, map_prompt, merge_prompt

PROMPT_MARGIN = 16  # joins between the template and the text may cost a token or two
MIN_NOTE_TOKENS = 32  # notes are never squeezed below this
MIN_FINAL_TOKENS = 64  # nor the summary below this (unless the user asked for less)
MIN_CHUNK_TOKENS = 64  # under this a map call reads too little to be worth making


@dataclass(frozen=True)
class PromptCosts:
    """Tokens of the fixed parts of the prompts, counted with the model's tokenizer."""

    map_prompt: int  # a map prompt with the widest part numbers and pages, and no text
    merge_prompt: int  # a merge prompt with no notes
    final_prompt: int  # the final prompt (the user's style) with no notes
    label: int  # what each note adds besides its text: its label and the blank lines


@dataclass(frozen=True)
class SummaryBudgets:
    """The budgets one context allows; saved parts are only valid for the same ones."""

    note_tokens: int  # longest note a map or merge call may write
    final_tokens: int  # longest summary the last merge may write
    whole_tokens: int  # longest summary when the whole document fits one call
    chunk_tokens: int  # most a chunk may hold
    group_size: int  # notes per merge call (under 2: no room to merge)


@dataclass(frozen=True)
class SummaryPlan:
    """How many calls each level takes; level 0 reads the chunks."""

    note_tokens: int  # longest note a map or merge call may write
    final_tokens: int  # longest summary the last call may write
    group_size: int  # notes per merge call
    levels: tuple[int, ...]  # parts per level: (chunks, merges…, 1)

    @property
    def total_calls(self) -> int:
        return sum(self.levels)


def measure_costs(count: TokenCounter, name: str, style: SummaryStyle) -> PromptCosts:
    """The fixed costs of the prompts for document `name`. A note's label is measured, not
    guessed: a tokenizer that spells every digit alone pays more for "parts 101–105"."""
    final, one, two = (
        count(merge_prompt(name, [(WIDEST_LABEL, "")] * n, style)) for n in (0, 1, 2)
    )
    return PromptCosts(
        map_prompt=count(map_prompt(name, WIDEST_PART, WIDEST_PART, WIDEST_LOCATION, "")),
        merge_prompt=count(merge_prompt(name, [], None)),
        final_prompt=final,
        label=max(one - final, two - one),  # the second also pays the blank line between
    )


def plan_budgets(n_ctx: int, max_tokens: int, costs: PromptCosts, name: str) -> SummaryBudgets:
    """The budgets for a context of `n_ctx` tokens and the user's reply length `max_tokens`.

    Raises ContextOverflowError when not even a short chunk fits a map call. A group size
    under 2 is not refused here: a document that fits one call needs no merge."""
    whole = reply_budget(max_tokens, n_ctx)
    note, final = _fit_two_notes(n_ctx, _preferred_note(n_ctx, max_tokens), whole, costs)
    room = n_ctx - PROMPT_MARGIN
    chunk = min(room - costs.map_prompt - note, n_ctx // 2)
    if chunk < MIN_CHUNK_TOKENS:
        raise ContextOverflowError(
            f"The model's context ({n_ctx} tokens) is too small to summarize {name}. "
            "Raise the context length in the settings (1024 or more)."
        )
    notes_room = min(room - costs.merge_prompt - note, room - costs.final_prompt - final)
    group = notes_room // (note + costs.label)
    return SummaryBudgets(note, final, whole, chunk, group)


def _preferred_note(n_ctx: int, max_tokens: int) -> int:
    """Notes are short: an eighth of the context, between 96 and 512 tokens."""
    return max(96, min(512, n_ctx // 8, max_tokens))


def _fit_two_notes(n_ctx: int, note: int, final: int, costs: PromptCosts) -> tuple[int, int]:
    """The note and final budgets, shortened only as far as needed for a merge call to
    hold two notes beside its reply: notes first (a merge writes one note from two), then,
    for the final call, the summary down to half of what is left and the notes the rest."""
    merge_room = n_ctx - PROMPT_MARGIN - costs.merge_prompt - 2 * costs.label
    final_room = n_ctx - PROMPT_MARGIN - costs.final_prompt - 2 * costs.label
    final_floor = min(final, MIN_FINAL_TOKENS)
    note = max(MIN_NOTE_TOKENS, min(note, merge_room // 3))
    if 2 * note + final > final_room:
        final = max(final_floor, min(final, max(final_room - 2 * note, final_room // 2)))
        note = max(MIN_NOTE_TOKENS, min(note, (final_room - final) // 2))
    return note, final


def plan_levels(chunks: int, group_size: int) -> tuple[int, ...]:
    """Parts at each level: the chunks, then ceil(n / group) per merge level down to one.
    A single chunk is summarized directly: one level of one call."""
    levels = [chunks]
    while levels[-1] > 1:
        levels.append(math.ceil(levels[-1] / group_size))
    return tuple(levels)


def plan_summary(
    chunks: int, fits_one_call: bool, budgets: SummaryBudgets, n_ctx: int, name: str
) -> SummaryPlan:
    """One call if the only chunk fits beside the whole summary (`fits_one_call`); else
    map and merge.

    Chunks are sized to leave room for a note, which may be shorter than the summary: a
    lone chunk near that size gets a map call first, then the summary from its notes.
    A document that fits one call is never refused for want of room to merge."""
    if chunks == 1 and fits_one_call:
        return SummaryPlan(budgets.note_tokens, budgets.whole_tokens, budgets.group_size, (1,))
    if budgets.group_size < 2:
        raise ContextOverflowError(
            f"The model's context ({n_ctx} tokens) is too small to merge the notes on "
            f"{name}. Raise the context length in the settings (1024 or more)."
        )
    levels = plan_levels(chunks, budgets.group_size)
    if levels == (1,):
        levels = (1, 1)  # notes on the one chunk, then the summary from its notes
    return SummaryPlan(budgets.note_tokens, budgets.final_tokens, budgets.group_size, levels)
