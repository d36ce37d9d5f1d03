"""Summarizing a whole document of any length with a local model.

If the document fits one call, it is one call. Otherwise hierarchical map-and-merge: every
chunk is read by its own "map" call that writes notes, then groups of consecutive notes are
merged, level by level, until one call remains; that last call writes the summary in the
style the user chose. Every chunk reaches exactly one map call: nothing is sampled or
skipped. Every call is budgeted with the model's own tokenizer on the templated prompt;
the budgets, which give way in small contexts, are planned in summary_plan.py.

Each finished part is saved at once (DocumentStore.save_part), so a cancelled job resumes
where it stopped: running the same file with the same settings finds the saved parts. The
result is a conversation with the document attached; its chunks answer follow-up questions
(see document_context.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.documents.chunking import chunk_document
from app.documents.extract import DEFAULT_MAX_DOCUMENT_BYTES, extract_document
from app.documents.model import Chunk, Document
from app.engine.interface import Engine
from app.engine.protocol import ChatMessage, ChatStats, SamplingParams, TextPiece
from app.errors import HearthError, JobCancelled
from app.store import (
    ConversationKind,
    DocumentStatus,
    DocumentStore,
    History,
    MessageStatus,
    ReplyWriter,
)
from app.tasks.engine_job import EngineJob, HistorySource, use_history
from app.tasks.job import JobWork, Progress, Saved
from app.tasks.reply_stream import INTERNAL_ERROR, stream_reply
from app.tasks.summary_labels import Span, span_label
from app.tasks.summary_plan import (
    SummaryBudgets,
    SummaryPlan,
    measure_costs,
    plan_budgets,
    plan_summary,
)
from app.tasks.summary_prompts import SummaryStyle, map_prompt, merge_prompt, whole_prompt

Note = tuple[Span, str]
"""A note and the chunks it covers."""


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
class _Run:
    """What one run works on: the document's record, its chunks, the plan, saved parts."""

    document_id: int
    conversation_id: int
    chunks: list[Chunk]
    plan: SummaryPlan
    saved: dict[tuple[int, int], str]  # (level, index) -> text, from a stopped run


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def summary_key(style: SummaryStyle, model: str, n_ctx: int, budgets: SummaryBudgets) -> str:
    """Which settings made a document's saved parts. A stopped summary is resumed only with
    the same key: the same chunks, notes of the same length, merged in the same groups."""
    fields = [
        style.label,
        style.instruction or "",
        style.language or "",
        model,
        str(n_ctx),
        str(budgets.chunk_tokens),
        str(budgets.note_tokens),
        str(budgets.group_size),  # saved merges are only valid for the same groups
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:16]


class SummaryJob(EngineJob):
    """One run of a summary. Progress is call `part` of `total` with stage "reading" (map),
    "merging" or "writing" (the final call, whose text streams); the result is a
    SummaryReady, also when the document was summarized by an earlier, stopped run."""

    _history: History  # opened by `work` on the thread that runs the job
    _store: DocumentStore

    def __init__(
        self,
        history: HistorySource,
        engine: Engine,
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
        costs = measure_costs(self.engine.count_tokens, self._path.name, self._style)
        budgets = plan_budgets(model.n_ctx, self._sampling.max_tokens, costs, self._path.name)
        job_key = summary_key(self._style, model.name, model.n_ctx, budgets)
        run = self._open(document, file_sha256(self._path), job_key, budgets, model.n_ctx)
        yield Saved(run.conversation_id, None)  # where the summary will be written
        try:
            message_id = yield from self._summarize(run)
        except JobCancelled:
            self._store.set_status(run.document_id, DocumentStatus.STOPPED)
            raise
        except Exception as exc:
            reason = exc.message if isinstance(exc, HearthError) else INTERNAL_ERROR
            self._store.set_status(run.document_id, DocumentStatus.FAILED, reason)
            raise
        self._store.set_status(run.document_id, DocumentStatus.DONE)
        yield Saved(run.conversation_id, message_id)
        return SummaryReady(
            run.conversation_id,
            run.document_id,
            message_id,
            self._calls,
            len(run.saved),
            len(run.chunks),
        )

    def _open(
        self, document: Document, sha256: str, job_key: str, budgets: SummaryBudgets, n_ctx: int
    ) -> _Run:
        """The stopped run of the same file with the same settings, or a new one. A plan
        that refuses (too small a context) saves nothing."""
        stored = self._store.find_resumable(sha256, job_key)
        if stored is not None:
            chunks = self._store.chunks(stored.id)
            plan = self._plan(chunks, budgets, n_ctx)
            self._store.set_status(stored.id, DocumentStatus.SUMMARIZING)
            saved = {(p.level, p.index): p.text for p in self._store.parts(stored.id)}
            return _Run(stored.id, stored.conversation_id, chunks, plan, saved)
        chunks = chunk_document(document, budgets.chunk_tokens, self.engine.count_texts)
        plan = self._plan(chunks, budgets, n_ctx)
        document_id, conversation_id = self._start(
            document, sha256, job_key, budgets.chunk_tokens, chunks
        )
        return _Run(document_id, conversation_id, chunks, plan, {})

    def _plan(self, chunks: list[Chunk], budgets: SummaryBudgets, n_ctx: int) -> SummaryPlan:
        name = self._path.name
        fits_one_call = len(chunks) == 1 and (
            self.engine.count_tokens(whole_prompt(name, chunks[0].text, self._style))
            + budgets.whole_tokens
            <= n_ctx
        )
        return plan_summary(len(chunks), fits_one_call, budgets, n_ctx, name)

    def _start(
        self,
        document: Document,
        sha256: str,
        job_key: str,
        chunk_budget: int,
        chunks: list[Chunk],
    ) -> tuple[int, int]:
        """A new conversation with the request as the user's message and the document."""
        name = self._path.name
        conversation_id = self._history.create_conversation(
            title=f"Summary of {name}", kind=ConversationKind.SUMMARY
        )
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

    # --- the calls ----------------------------------------------------------------------------

    def _summarize(self, run: _Run) -> Generator[Progress | TextPiece, None, int | None]:
        """Map every chunk, merge level by level until one group is left, then write the
        summary from that group; a document that fits one call is that call."""
        self._done = len(run.saved)
        name, plan = self._path.name, run.plan
        if plan.levels == (1,):
            prompt = whole_prompt(name, run.chunks[0].text, self._style)
            return (yield from self._final(run.conversation_id, prompt, plan))
        notes = yield from self._read_chunks(run)
        level = 1
        while len(notes) > plan.group_size:  # a lone chunk's one note still gets the final
            notes = yield from self._merge_level(run, level, notes)
            level += 1
        prompt = merge_prompt(name, self._labelled(run, notes), self._style)
        return (yield from self._final(run.conversation_id, prompt, plan))

    def _read_chunks(self, run: _Run) -> Generator[Progress, None, list[Note]]:
        """Level 0: every chunk read by exactly one map call, or its note saved earlier."""
        notes: list[Note] = []
        for chunk in run.chunks:
            text = run.saved.get((0, chunk.index))
            if text is None:
                yield self._progress(run.plan, "reading")
                prompt = map_prompt(
                    self._path.name,
                    chunk.index + 1,
                    len(run.chunks),
                    chunk.location(),
                    chunk.text,
                )
                text = self._generate(prompt, run.plan.note_tokens)
                self._store.save_part(
                    run.document_id, 0, chunk.index, chunk.index, chunk.index, text
                )
            notes.append(((chunk.index, chunk.index), text))
        return notes

    def _merge_level(
        self, run: _Run, level: int, notes: list[Note]
    ) -> Generator[Progress, None, list[Note]]:
        """Each group of consecutive notes merged into one note (or the one saved earlier)."""
        size = run.plan.group_size
        merged: list[Note] = []
        for index, start in enumerate(range(0, len(notes), size)):
            group = notes[start : start + size]
            span = (group[0][0][0], group[-1][0][1])
            text = run.saved.get((level, index))
            if text is None:
                yield self._progress(run.plan, "merging")
                prompt = merge_prompt(self._path.name, self._labelled(run, group), None)
                text = self._generate(prompt, run.plan.note_tokens)
                self._store.save_part(run.document_id, level, index, span[0], span[1], text)
            merged.append((span, text))
        return merged

    @staticmethod
    def _labelled(run: _Run, notes: list[Note]) -> list[tuple[str, str]]:
        return [(span_label(run.chunks, span), text) for span, text in notes]

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
