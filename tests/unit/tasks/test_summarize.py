"""Summarizing documents with a real engine and a real history file: every chunk is read once,
every call fits the context, a stopped job resumes without redoing a part."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.documents.model import Chunk
from app.engine.client import EngineClient
from app.engine.protocol import SamplingParams, TextPiece
from app.errors import (
    ContextOverflowError,
    DocumentNotFoundError,
    EngineError,
    InvalidInputError,
    PasswordProtectedError,
)
from app.store import (
    DocumentStatus,
    DocumentStore,
    History,
    Message,
    StoredDocument,
    SummaryPart,
)
from app.tasks.job import Done, Outcome, Progress, Saved
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_plan import SummaryPlan, plan_levels
from app.tasks.summary_prompts import STYLE_NAMES, STYLES, SummaryStyle, whole_prompt
from tests.conftest import load_config
from tests.support.documents import write_pdf
from tests.support.recording_engine import Call, RecordingEngine
from tests.support.tiny_gguf import long_text, write_random_model
from tests.unit.tasks.summary_runs import (
    SAMPLING,
    VARIED,
    Summarized,
    calls_over,
    containing,
    summarize,
    summarize_until_stopped,
)

NOTE_TOKENS = 96  # the note budget that max_tokens=32 gets at N_CTX
N_CTX = 1024
PAGES = 12
STOP_AT = 4  # the call during which the resume tests press Stop


@dataclass(frozen=True)
class Finished:
    """What one complete summary of the long PDF left behind."""

    calls: list[Call]
    events: list[Summarized]
    chunks: list[Chunk]
    parts: list[SummaryPart]
    messages: list[Message]  # the conversation's active path
    documents: list[StoredDocument]  # the conversation's documents
    part_tokens: list[int]  # each saved part's tokens, read back as text

    @property
    def ready(self) -> SummaryReady:
        assert isinstance(self.events[-1], SummaryReady)
        return self.events[-1]

    @property
    def progress(self) -> list[Progress]:
        return [e for e in self.events if isinstance(e, Progress)]


def write_long_pdf(path: Path) -> Path:
    """12 pages of two paragraphs each: at N_CTX, chunks of a few paragraphs across pages."""
    pages = [
        [long_text(25, seed=2 * page), long_text(25, seed=2 * page + 1)] for page in range(PAGES)
    ]
    return write_pdf(path, pages)


def assert_each_level_splits_the_chunks(parts: Sequence[SummaryPart], chunks: int) -> None:
    """The saved parts of every level cover chunks 0..chunks-1 in order, without overlap."""
    for level in sorted({part.level for part in parts}):
        spans = [(p.first_chunk, p.last_chunk) for p in parts if p.level == level]
        starts = [first for first, _ in spans]
        assert starts == [0] + [last + 1 for _, last in spans[:-1]], f"level {level}: {spans}"
        assert spans[-1][1] == chunks - 1, f"level {level}: {spans}"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Finished:
    """The long PDF summarized once with the random model; the engine is closed after."""
    folder = tmp_path_factory.mktemp("summary")
    model = write_random_model(folder / "random.gguf")
    pdf = write_long_pdf(folder / "report.pdf")
    with History.open(folder / "hearth.db") as history, RecordingEngine(folder / "e.log") as engine:
        engine.load(load_config(model, n_ctx=N_CTX))
        events = summarize(history, engine, pdf, sampling=VARIED)
        ready = events[-1]
        assert isinstance(ready, SummaryReady)
        store = DocumentStore(history)
        parts = store.parts(ready.document_id)
        return Finished(
            engine.calls,
            events,
            store.chunks(ready.document_id),
            parts,
            history.active_path(ready.conversation_id),
            store.for_conversation(ready.conversation_id),
            engine.count_texts([part.text for part in parts]),
        )


# --- one complete summary of a long document -----------------------------------------------


def test_every_chunk_is_read_by_exactly_one_map_call_and_by_no_other(finished: Finished) -> None:
    chunks, calls = finished.chunks, finished.calls
    assert len(chunks) >= 6  # a real map-and-merge, not one call
    pages = {p for c in chunks for p in range(c.first_page or 0, (c.last_page or 0) + 1)}
    assert pages == set(range(1, PAGES + 1))
    map_calls = [i for i, call in enumerate(calls) if call.is_map]
    assert map_calls == list(range(len(chunks)))  # level 0 first, in reading order
    for chunk in chunks:
        assert containing(calls, chunk.text) == [chunk.index], f"chunk {chunk.index}"
        assert f"This is part {chunk.index + 1} of {len(chunks)} " in calls[chunk.index].ask


def test_every_note_is_merged_exactly_once_in_order(finished: Finished) -> None:
    chunks = len(finished.chunks)
    notes = [part for part in finished.parts if part.level == 0]
    assert [(part.first_chunk, part.last_chunk) for part in notes] == [
        (i, i) for i in range(chunks)
    ]
    assert_each_level_splits_the_chunks(finished.parts, chunks)
    merges = [call.ask for call in finished.calls[chunks:]]
    merged = [int(n) for ask in merges for n in re.findall(r"^Notes on part (\d+) ", ask, re.M)]
    assert merged == list(range(1, chunks + 1))  # each chunk's notes, once, in reading order
    for note in notes:
        (merged_in,) = containing(finished.calls, note.text)
        assert merged_in >= chunks  # read by a merge call, not by a map call


def test_every_saved_part_fits_the_note_budget_when_read_back(finished: Finished) -> None:
    assert len(finished.part_tokens) == len(finished.parts)
    assert max(finished.part_tokens) <= NOTE_TOKENS
    assert all(part.text for part in finished.parts)


def test_calls_are_the_chunks_plus_the_merges_of_the_plan(finished: Finished) -> None:
    chunks, calls = len(finished.chunks), finished.calls
    group_size = calls[chunks].ask.count("Notes on part")  # the first merge reads one group
    plan = SummaryPlan(0, 0, group_size, plan_levels(chunks, group_size))
    assert len(plan.levels) >= 3  # chunks, at least one merge level, the final call
    assert len(calls) == plan.total_calls == finished.ready.calls
    assert plan.total_calls == chunks + sum(plan.levels[1:])
    assert finished.progress[0].total == plan.total_calls
    assert len(finished.parts) == plan.total_calls - 1  # every part but the summary is saved
    assert (finished.ready.chunks, finished.ready.reused_parts) == (chunks, 0)


def test_only_the_last_call_asks_for_the_style(finished: Finished) -> None:
    instruction = STYLES["brief"]
    assert containing(finished.calls, instruction) == [len(finished.calls) - 1]
    assert "Write in the same language as the document." in finished.calls[-1].ask
    assert finished.calls[-1].max_tokens == SAMPLING.max_tokens


def test_every_call_fits_the_context_with_its_reply(finished: Finished) -> None:
    assert calls_over(finished.calls, N_CTX) == []


def test_progress_counts_every_call_in_order(finished: Finished) -> None:
    progress, chunks = finished.progress, len(finished.chunks)
    total = len(finished.calls)
    assert [p.part for p in progress] == list(range(1, total + 1))
    assert {p.total for p in progress} == {total}
    assert progress[0].eta_seconds is None
    assert all(p.eta_seconds is not None and p.eta_seconds > 0 for p in progress[1:])
    stages = [p.stage for p in progress]
    assert stages == ["reading"] * chunks + ["merging"] * (total - chunks - 1) + ["writing"]


def test_the_summary_streams_into_a_conversation_with_the_document(finished: Finished) -> None:
    writing = next(
        i for i, e in enumerate(finished.events) if isinstance(e, Progress) and e.stage == "writing"
    )
    assert not any(isinstance(e, TextPiece) for e in finished.events[:writing])  # notes unseen
    summary = "".join(e.text for e in finished.events if isinstance(e, TextPiece))
    user, reply = finished.messages
    assert (user.role, user.content) == ("user", "Summarize report.pdf (brief).")
    assert (reply.role, reply.content, reply.status) == ("assistant", summary, "complete")
    assert reply.id == finished.ready.message_id
    (document,) = finished.documents
    assert (document.id, document.kind, document.page_count) == (
        finished.ready.document_id,
        "pdf",
        PAGES,
    )
    assert document.status is DocumentStatus.DONE


# --- short documents: one call -------------------------------------------------------------


def test_a_short_document_is_one_call_and_a_conversation_with_the_document(
    history: History, recorder: RecordingEngine, scripted_model: Path, tmp_path: Path
) -> None:
    recorder.load(load_config(scripted_model, n_ctx=N_CTX))
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting on 4 March. Ada will send the budget by Friday.\n", "utf-8")
    events = summarize(history, recorder, notes)
    saved, progress = events[:2]
    assert isinstance(saved, Saved)  # the conversation exists before the model writes
    assert progress == Progress(1, 1, "writing", None)
    assert "".join(e.text for e in events if isinstance(e, TextPiece)) == "Hello, world!"
    ready = events[-1]
    assert isinstance(ready, SummaryReady)
    assert (ready.calls, ready.chunks, ready.reused_parts) == (1, 1, 0)
    (chunk,) = DocumentStore(history).chunks(ready.document_id)
    assert [call.messages for call in recorder.calls] == [
        tuple(whole_prompt("notes.txt", chunk.text, SummaryStyle()))
    ]
    user, reply = history.active_path(ready.conversation_id)
    assert history.get_conversation(ready.conversation_id).title == "Summary of notes.txt"
    assert (user.role, user.content) == ("user", "Summarize notes.txt (brief).")
    assert (reply.role, reply.content, reply.status) == ("assistant", "Hello, world!", "complete")
    assert reply.id == ready.message_id
    (document,) = DocumentStore(history).for_conversation(ready.conversation_id)
    assert (document.id, document.name, document.kind) == (ready.document_id, "notes.txt", "text")
    assert document.status is DocumentStatus.DONE
    assert DocumentStore(history).parts(document.id) == []  # nothing to resume


def test_a_lone_chunk_too_long_to_summarize_in_one_call_gets_notes_first(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    """Chunks leave room for a note; the summary may be longer. A lone chunk near the chunk
    budget is read by a map call, then the summary is written from its notes, so the summary
    is never cut short by the end of the context."""
    recorder.load(load_config(random_model, n_ctx=2048))
    sampling = SamplingParams(temperature=0.0, max_tokens=1024, seed=1)
    text = tmp_path / "memo.txt"
    text.write_text(long_text(160, seed=3), "utf-8")
    events = summarize(history, recorder, text, sampling=sampling)
    ready = events[-1]
    assert isinstance(ready, SummaryReady)
    assert (ready.chunks, ready.calls) == (1, 2)
    first, last = recorder.calls
    assert first.is_map
    assert STYLES["brief"] in last.ask
    assert calls_over(recorder.calls, 2048) == []
    assert last.max_tokens == 1024
    final = recorder.stats[-1]
    assert (final.finish_reason, final.completion_tokens) == ("length", 1024)  # not cut short


# --- stop and resume -----------------------------------------------------------------------


def test_a_stopped_summary_resumes_where_it_stopped(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    recorder.load(load_config(random_model, n_ctx=N_CTX))
    pdf = write_long_pdf(tmp_path / "report.pdf")
    store = DocumentStore(history)
    recorder.stop_at = STOP_AT
    events, stopped = summarize_until_stopped(history, recorder, pdf)
    assert isinstance(events[1], Progress)
    total = events[1].total
    assert f"stopped after {STOP_AT - 1} parts" in stopped.message
    (conversation,) = history.list_conversations()
    (document,) = store.for_conversation(conversation.id)
    assert document.status is DocumentStatus.STOPPED
    assert [(p.level, p.index) for p in store.parts(document.id)] == [
        (0, i) for i in range(STOP_AT - 1)
    ]
    assert [m.role for m in history.active_path(conversation.id)] == ["user"]
    chunks = store.chunks(document.id)

    recorder.stop_at, recorder.calls = None, []
    resumed = summarize(history, recorder, pdf)
    ready = resumed[-1]
    assert isinstance(ready, SummaryReady)
    assert (ready.document_id, ready.conversation_id) == (document.id, conversation.id)
    assert ready.reused_parts == STOP_AT - 1
    assert ready.calls == len(recorder.calls) == total - (STOP_AT - 1)
    for chunk in chunks[: STOP_AT - 1]:
        assert containing(recorder.calls, chunk.text) == [], f"chunk {chunk.index} read again"
    for chunk in chunks[STOP_AT - 1 :]:
        assert len(containing(recorder.calls, chunk.text)) == 1, f"chunk {chunk.index}"
    progress = [e for e in resumed if isinstance(e, Progress)]
    assert [p.part for p in progress] == list(range(STOP_AT, total + 1))
    assert {p.total for p in progress} == {total}
    assert store.get(document.id).status is DocumentStatus.DONE
    messages = history.active_path(conversation.id)
    assert [(m.role, m.status) for m in messages] == [
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert messages[1].id == ready.message_id
    assert len(history.all_messages(conversation.id)) == 2
    assert len(history.list_conversations()) == 1


def test_other_settings_do_not_reuse_the_parts_of_a_stopped_summary(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    recorder.load(load_config(random_model, n_ctx=N_CTX))
    pdf = write_long_pdf(tmp_path / "report.pdf")
    store = DocumentStore(history)
    recorder.stop_at = STOP_AT
    summarize_until_stopped(history, recorder, pdf)
    (stopped,) = store.for_conversation(history.list_conversations()[0].id)

    recorder.stop_at, recorder.calls = None, []
    events = summarize(history, recorder, pdf, SummaryStyle("points"))
    ready = events[-1]
    assert isinstance(ready, SummaryReady)
    assert ready.document_id != stopped.id
    assert ready.conversation_id != stopped.conversation_id
    assert ready.reused_parts == 0
    assert len(recorder.calls) == ready.calls
    assert sum(call.is_map for call in recorder.calls) == ready.chunks  # every chunk read again
    assert store.get(stopped.id).status is DocumentStatus.STOPPED
    assert len(store.parts(stopped.id)) == STOP_AT - 1  # still there to resume


def test_parts_merged_for_another_reply_length_are_not_reused(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    """The reply length sets how many notes a merge call reads; a run with another reply
    length must not take merges made for other groups (each would cover the wrong chunks)."""
    recorder.load(load_config(random_model, n_ctx=N_CTX))
    pdf = write_long_pdf(tmp_path / "report.pdf")
    short = SamplingParams(temperature=0.0, max_tokens=128, seed=1)
    job = SummaryJob(history, recorder, pdf, SummaryStyle(), short)
    merges = 0
    for event in job.run():
        merges += isinstance(event, Progress) and event.stage == "merging"
        if merges == 2:  # the first merge is saved: stop the second
            job.cancel()
    assert isinstance(event, Done)
    assert event.outcome is Outcome.CANCELLED
    chunks = sum(call.is_map for call in recorder.calls)
    short_group = recorder.calls[chunks].ask.count("Notes on part")

    recorder.calls = []
    longer = dataclasses.replace(short, max_tokens=300)
    ready = summarize(history, recorder, pdf, sampling=longer)[-1]
    assert isinstance(ready, SummaryReady)
    merge_calls = [call for call in recorder.calls if not call.is_map]
    longer_group = merge_calls[0].ask.count("Notes on part")
    assert longer_group < short_group  # the precondition: the groups differ
    assert_each_level_splits_the_chunks(DocumentStore(history).parts(ready.document_id), chunks)
    assert calls_over(recorder.calls, N_CTX) == []


def test_stopping_the_final_call_keeps_a_stopped_reply_and_resumes_with_one_call(
    history: History, recorder: RecordingEngine, random_model: Path, tmp_path: Path
) -> None:
    recorder.load(load_config(random_model, n_ctx=N_CTX))
    text = tmp_path / "memo.txt"
    text.write_text(long_text(20, seed=5), "utf-8")
    recorder.stop_at = 1
    summarize_until_stopped(history, recorder, text)
    (conversation,) = history.list_conversations()
    user, stopped_reply = history.active_path(conversation.id)
    assert (stopped_reply.role, stopped_reply.status) == ("assistant", "stopped")

    recorder.stop_at, recorder.calls = None, []
    ready = summarize(history, recorder, text)[-1]
    assert isinstance(ready, SummaryReady)
    assert (ready.conversation_id, ready.calls) == (conversation.id, 1)
    path = history.active_path(conversation.id)
    assert [(m.id, m.status) for m in path] == [
        (user.id, "complete"),
        (ready.message_id, "complete"),
    ]


# --- styles, instructions, language --------------------------------------------------------


def test_the_final_prompt_holds_the_chosen_style_or_instruction_and_language(
    history: History, recorder: RecordingEngine, scripted_model: Path, tmp_path: Path
) -> None:
    recorder.load(load_config(scripted_model, n_ctx=N_CTX))
    notes = tmp_path / "notes.txt"
    notes.write_text("The roof is fixed. The bill is 420 euros, due on 1 May.\n", "utf-8")
    for name in STYLE_NAMES:
        summarize(history, recorder, notes, SummaryStyle(name))
        assert STYLES[name] in recorder.calls[-1].ask, name
        others = [STYLES[other] for other in STYLE_NAMES if other != name]
        assert not any(other in recorder.calls[-1].ask for other in others), name
    own = SummaryStyle("points", instruction="  List every amount of money.  ")
    ready = summarize(history, recorder, notes, own)[-1]
    assert isinstance(ready, SummaryReady)
    ask = recorder.calls[-1].ask
    assert ask.endswith("List every amount of money. Write in the same language as the document.")
    assert STYLES["points"] not in ask
    user = history.active_path(ready.conversation_id)[0]
    assert user.content.startswith("Summarize notes.txt (custom).")
    assert "List every amount of money." in user.content
    summarize(history, recorder, notes, SummaryStyle("brief", language="French"))
    assert recorder.calls[-1].ask.endswith(f"{STYLES['brief']} Write in French.")


def test_an_unknown_style_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="brief, points, detailed, actions"):
        SummaryStyle("bogus")


# --- errors --------------------------------------------------------------------------------


def test_unreadable_documents_and_a_too_small_context_create_no_conversation(
    history: History, recorder: RecordingEngine, scripted_model: Path, tmp_path: Path
) -> None:
    recorder.load(load_config(scripted_model, n_ctx=256))
    with pytest.raises(DocumentNotFoundError, match=r"missing\.pdf"):
        summarize(history, recorder, tmp_path / "missing.pdf")
    locked = write_pdf(tmp_path / "locked.pdf", [["Secret plans."]], user_password="pw")
    with pytest.raises(PasswordProtectedError):
        summarize(history, recorder, locked)
    notes = tmp_path / "notes.txt"
    notes.write_text(long_text(50), "utf-8")
    with pytest.raises(ContextOverflowError, match=r"too small to summarize notes\.txt"):
        summarize(history, recorder, notes)  # the prompt's own words overflow 256 tokens
    assert history.list_conversations() == []
    assert recorder.calls == []


def test_without_a_loaded_model_nothing_starts(history: History, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Hello.", "utf-8")
    with EngineClient(tmp_path / "engine.log") as engine, pytest.raises(EngineError):
        summarize(history, engine, notes)
    assert history.list_conversations() == []
