"""Summarizing a whole document of any length with a local model.

If the document fits one call, it is one call. Otherwise hierarchical map-and-merge: every
chunk is read by its own "map" call that writes notes, then groups of consecutive notes are
merged, level by level, until one call remains; that last call writes the summary in the
style the user chose. Every chunk reaches exactly one map call: nothing is sampled or
skipped. Every call is budgeted with the model's own tokenizer on the templated prompt.

Each finished part is saved at once (DocumentStore.save_part), so a cancelled job resumes
where it stopped: running the same file with the same settings finds the saved parts. The
result is a conversation with the document attached; its chunks answer follow-up questions
(see document_context.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.documents.chunking import chunk_document
from app.documents.extract import DEFAULT_MAX_DOCUMENT_BYTES, extract_document
from app.documents.model import Chunk, Document
from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, ChatStats, SamplingParams, TextPiece
from app.errors import ContextOverflowError, HearthError, JobCancelled
from app.store import (
    DocumentStatus,
    DocumentStore,
    History,
    MessageStatus,
    ReplyWriter,
)
from app.tasks.context_budget import reply_budget
from app.tasks.engine_job import EngineJob, HistorySource, use_history
from app.tasks.job import JobWork, Progress, Saved
from app.tasks.reply_stream import INTERNAL_ERROR, stream_reply
from app.tasks.summary_prompts import SummaryStyle, map_prompt, merge_prompt, whole_prompt

WIDEST_LABEL = "parts 9999–9999 (pages 9999–9999)"  # what a note's label costs at most
PROMPT_MARGIN = 16  # joins between the template and the text may cost a token or two


@dataclass(frozen=True)
class SummaryReady:
    """The summary job's result: the conversation it is saved in, and what it took."""

    conversation_id: int
    document_id: int
    message_id: int | None
    calls: int  # model calls made by this run
    reused_parts: int  # parts a previous, stopped run had already done
    chunks: int


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


def plan_levels(chunks: int, group_size: int) -> tuple[int, ...]:
    """Parts at each level: the chunks, then ceil(n / group) per merge level down to one.
    A single chunk is summarized directly: one level of one call."""
    levels = [chunks]
    while levels[-1] > 1:
        levels.append(math.ceil(levels[-1] / group_size))
    return tuple(levels)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class SummaryJob(EngineJob):
    """One run of a summary. Progress is call `part` of `total` with stage "reading" (map),
    "merging" or "writing" (the final call, whose text streams); the result is a
    SummaryReady, also when the document was summarized by an earlier, stopped run."""

    _history: History  # opened by `work` on the thread that runs the job
    _store: DocumentStore

    def __init__(
        self,
        history: HistorySource,
        engine: EngineClient,
        path: Path,
        style: SummaryStyle,
        sampling: SamplingParams,
        *,
        max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(engine)
        self.title = f"The summary of {path.name}"
        self._history_source = history
        self._path = path
        self._style = style
        self._sampling = sampling
        self._max_bytes = max_bytes
        self._clock = clock
        self._calls = 0
        self._done = 0
        self._timed: list[float] = []

    def work(self) -> JobWork:
        with use_history(self._history_source) as history:
            self._history = history
            self._store = DocumentStore(history)
            return (yield from self._run())

    def _run(self) -> JobWork:
        model = self.begin()
        assert model is not None
        document = extract_document(self._path, self._max_bytes)
        n_ctx = model.n_ctx
        plan_tokens = self._note_budget(n_ctx)
        chunk_budget = self._chunk_budget(n_ctx, plan_tokens)
        group_size = self._group_size(self._path.name, n_ctx, plan_tokens)
        job_key = hashlib.sha256(
            "\x1f".join(
                [
                    self._style.label,
                    self._style.instruction or "",
                    self._style.language or "",
                    model.name,
                    str(n_ctx),
                    str(chunk_budget),
                    str(plan_tokens),
                    str(group_size),  # saved merges are only valid for the same groups
                ]
            ).encode()
        ).hexdigest()[:16]
        sha256 = file_sha256(self._path)
        stored = self._store.find_resumable(sha256, job_key)
        if stored is None:
            chunks = chunk_document(document, chunk_budget, self.engine.count_texts)
            plan = self._plan(chunks, n_ctx, plan_tokens, group_size)  # may refuse: save nothing
            document_id, conversation_id = self._start(
                document, sha256, job_key, chunk_budget, chunks
            )
            stored_chunks = self._store.chunks(document_id)
        else:
            document_id, conversation_id = stored.id, stored.conversation_id
            stored_chunks = self._store.chunks(document_id)
            plan = self._plan(stored_chunks, n_ctx, plan_tokens, group_size)
            self._store.set_status(document_id, DocumentStatus.SUMMARIZING)
        saved = {(p.level, p.index): p.text for p in self._store.parts(document_id)}
        try:
            message_id = yield from self._summarize(
                document_id, conversation_id, stored_chunks, plan, saved
            )
        except JobCancelled:
            self._store.set_status(document_id, DocumentStatus.STOPPED)
            raise
        except Exception as exc:
            reason = exc.message if isinstance(exc, HearthError) else INTERNAL_ERROR
            self._store.set_status(document_id, DocumentStatus.FAILED, reason)
            raise
        self._store.set_status(document_id, DocumentStatus.DONE)
        yield Saved(conversation_id, message_id)
        return SummaryReady(
            conversation_id, document_id, message_id, self._calls, len(saved), len(stored_chunks)
        )

    # --- budgets -------------------------------------------------------------------------------

    def _note_budget(self, n_ctx: int) -> int:
        """Notes are short: an eighth of the context, between 96 and 512 tokens."""
        return max(96, min(512, n_ctx // 8, self._sampling.max_tokens))

    def _chunk_budget(self, n_ctx: int, note_tokens: int) -> int:
        """What a chunk may hold so that its map call fits, and at most half the context
        (so a chunk also fits beside a follow-up question and its answer)."""
        name = self._path.name
        overhead = self.engine.count_tokens(map_prompt(name, 9999, 9999, "pages 9999–9999", ""))
        budget = min(n_ctx - overhead - note_tokens - PROMPT_MARGIN, n_ctx // 2)
        if budget < 64:
            raise ContextOverflowError(
                f"The model's context ({n_ctx} tokens) is too small to summarize {name}. "
                "Raise the context length in the settings (2048 or more)."
            )
        return budget

    def _plan(
        self, chunks: Sequence[Chunk], n_ctx: int, note_tokens: int, group_size: int
    ) -> SummaryPlan:
        """One call if the only chunk fits beside the whole summary; else map and merge.

        Chunks are sized to leave room for a note, which may be shorter than the summary: a
        lone chunk near that size gets a map call first, then the summary from its notes.
        A document that fits one call is never refused for want of room to merge."""
        final_tokens = reply_budget(self._sampling.max_tokens, n_ctx)
        if len(chunks) == 1:
            whole = whole_prompt(self._path.name, chunks[0].text, self._style)
            if self.engine.count_tokens(whole) + final_tokens <= n_ctx:
                return SummaryPlan(note_tokens, final_tokens, group_size, (1,))
        if group_size < 2:
            raise ContextOverflowError(
                f"The model's context ({n_ctx} tokens) is too small to merge the notes on "
                f"{self._path.name}. Raise the context length or lower the reply length in "
                "the settings."
            )
        levels = plan_levels(len(chunks), group_size)
        if levels == (1,):
            levels = (1, 1)  # notes on the one chunk, then the summary from its notes
        return SummaryPlan(note_tokens, final_tokens, group_size, levels)

    def _group_size(self, name: str, n_ctx: int, note_tokens: int) -> int:
        """Notes per merge call (under 2: too small to merge). A note's label and the blank
        lines around it are counted with the model's tokenizer, not guessed: a tokenizer
        that spells every digit alone pays more for "parts 101–105 (pages 300–315)"."""
        reserve = max(note_tokens, reply_budget(self._sampling.max_tokens, n_ctx))
        overhead, one, two = (
            self.engine.count_tokens(merge_prompt(name, [(WIDEST_LABEL, "")] * n, self._style))
            for n in (0, 1, 2)
        )
        label = max(one - overhead, two - one)  # the second also pays the blank line between
        return (n_ctx - overhead - reserve - PROMPT_MARGIN) // (note_tokens + label)

    # --- the job ------------------------------------------------------------------------------

    def _start(
        self,
        document: Document,
        sha256: str,
        job_key: str,
        chunk_budget: int,
        chunks: Sequence[Chunk],
    ) -> tuple[int, int]:
        """A new conversation with the request as the user's message and the document."""
        name = self._path.name
        conversation_id = self._history.create_conversation(title=f"Summary of {name}")
        ask = f"Summarize {name} ({self._style.label})."
        if self._style.instruction:
            ask += f"\n\n{self._style.instruction}"
        self._history.add_message(conversation_id, "user", ask, model=self._model_name)
        document_id = self._store.add_document(
            conversation_id,
            path=self._path.resolve(),
            kind=document.kind,
            title=document.title,
            size_bytes=self._path.stat().st_size,
            sha256=sha256,
            page_count=document.page_count,
            chunk_budget=chunk_budget,
            job_key=job_key,
            chunks=chunks,
        )
        return document_id, conversation_id

    @property
    def _model_name(self) -> str | None:
        return self.engine.model.name if self.engine.model else None

    def _summarize(
        self,
        document_id: int,
        conversation_id: int,
        chunks: list[Chunk],
        plan: SummaryPlan,
        saved: dict[tuple[int, int], str],
    ) -> Generator[Progress | TextPiece, None, int | None]:
        name = self._path.name
        self._done = len(saved)
        if plan.levels == (1,):  # the whole document fits one call
            prompt = whole_prompt(name, chunks[0].text, self._style)
            return (yield from self._final(conversation_id, prompt, plan))
        texts: list[str] = []
        for chunk in chunks:  # level 0: every chunk read by exactly one call
            part = saved.get((0, chunk.index))
            if part is None:
                yield self._progress(plan, "reading")
                prompt = map_prompt(
                    name, chunk.index + 1, len(chunks), chunk.location(), chunk.text
                )
                part = self._generate(prompt, plan.note_tokens)
                self._store.save_part(document_id, 0, chunk.index, chunk.index, chunk.index, part)
            texts.append(part)
        spans = [(chunk.index, chunk.index) for chunk in chunks]
        level = 1
        while texts:  # one text left (a lone chunk's notes) still gets the final call
            groups = range(0, len(texts), plan.group_size)
            if len(groups) == 1:  # the last call writes the summary itself
                labelled = [(_span_label(chunks, s), t) for s, t in zip(spans, texts, strict=True)]
                prompt = merge_prompt(name, labelled, self._style)
                return (yield from self._final(conversation_id, prompt, plan))
            merged: list[str] = []
            merged_spans: list[tuple[int, int]] = []
            for index, start in enumerate(groups):
                span = (spans[start][0], spans[min(start + plan.group_size, len(spans)) - 1][1])
                part = saved.get((level, index))
                if part is None:
                    yield self._progress(plan, "merging")
                    group = zip(
                        spans[start : start + plan.group_size],
                        texts[start : start + plan.group_size],
                        strict=True,
                    )
                    prompt = merge_prompt(
                        name, [(_span_label(chunks, s), t) for s, t in group], None
                    )
                    part = self._generate(prompt, plan.note_tokens)
                    self._store.save_part(document_id, level, index, span[0], span[1], part)
                merged.append(part)
                merged_spans.append(span)
            texts, spans, level = merged, merged_spans, level + 1
        raise AssertionError("a plan always ends in one final call")

    def _final(
        self, conversation_id: int, prompt: list[ChatMessage], plan: SummaryPlan
    ) -> Generator[Progress | TextPiece, None, int | None]:
        """The last call streams into the conversation as the assistant's reply."""
        yield self._progress(plan, "writing")
        user_id = self._history.active_path(conversation_id)[0].id
        writer = ReplyWriter(self._history, conversation_id, user_id, model=self._model_name)
        written = yield from stream_reply(writer, self._chat(prompt, plan.final_tokens))
        if written.status is MessageStatus.STOPPED:
            raise self._stopped()
        return written.message_id

    def _generate(self, prompt: list[ChatMessage], max_tokens: int) -> str:
        """One map or merge call; its notes are returned, not shown."""
        pieces: list[str] = []
        for event in self._chat(prompt, max_tokens):
            if isinstance(event, TextPiece):
                pieces.append(event.text)
            elif event.finish_reason == "cancelled":
                raise self._stopped()
        return self._fit_note("".join(pieces).strip(), max_tokens)

    def _fit_note(self, text: str, max_tokens: int) -> str:
        """The note, cut at a word if reading it back costs more than `max_tokens` tokens.

        A model's tokens are not always the ones its tokenizer would choose (a word written
        as one token may be read back as several), so a note can count more tokens than
        were generated. Merges are sized for notes of at most `max_tokens`; an overlong
        saved note would overflow its merge, and again on every resume."""
        tokens = self.engine.count_texts([text])[0]
        while tokens > max_tokens:
            cut = text[: len(text) * max_tokens // tokens]
            text = cut.rsplit(" ", 1)[0] if " " in cut else cut
            tokens = self.engine.count_texts([text])[0]
        return text

    def _chat(self, prompt: list[ChatMessage], max_tokens: int) -> Iterator[TextPiece | ChatStats]:
        started = self._clock()
        sampling = dataclasses.replace(self._sampling, max_tokens=max_tokens)
        yield from self.engine.chat(prompt, sampling)
        self._calls += 1
        self._done += 1
        self._timed.append(self._clock() - started)

    def _progress(self, plan: SummaryPlan, stage: str) -> Progress:
        remaining = plan.total_calls - self._done
        eta = sum(self._timed) / len(self._timed) * remaining if self._timed else None
        return Progress(self._done + 1, plan.total_calls, stage, eta)

    def _stopped(self) -> JobCancelled:
        return JobCancelled(
            f"The summary of {self._path.name} was stopped after {self._done} parts. "
            "Summarize the same file again with the same settings to continue where it "
            "stopped."
        )


def _location_label(chunk: Chunk) -> str:
    location = chunk.location()
    return f"part {chunk.index + 1}" + (f" ({location})" if location else "")


def _span_label(chunks: list[Chunk], span: tuple[int, int]) -> str:
    first, last = chunks[span[0]], chunks[span[1]]
    if first.index == last.index:
        return _location_label(first)
    pages = (first.first_page, last.last_page)
    where = f" (pages {pages[0]}–{pages[1]})" if None not in pages else ""
    return f"parts {first.index + 1}–{last.index + 1}{where}"
