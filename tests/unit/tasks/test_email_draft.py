"""E-mail drafts as jobs, on a real engine and a real history: compose, reply, refine."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import SamplingParams
from app.errors import ContextOverflowError, InvalidInputError
from app.mail.model import MailAddress, MailThread, QuotedMessage
from app.store import ConversationKind, DocumentStore, History, MessageStatus, Role
from app.tasks.email_draft import DraftJob, DraftResult
from app.tasks.email_prompts import EmailStyle
from app.tasks.email_reply import ReplySource
from app.tasks.job import ContextTrimmed, Outcome, Saved
from app.tasks.prompt_library import PromptLibrary
from tests.conftest import load_config
from tests.support.jobs import run_to_end, streamed
from tests.support.recording_engine import RecordingEngine
from tests.support.tiny_gguf import long_text, write_scripted_model

DRAFT = "Subject: Lunch on Friday\n\nDear Ana, see you at noon.\nBest, Bo"
GREEDY = SamplingParams(temperature=0.0, max_tokens=64, seed=1)
STYLE = EmailStyle("friendly", "short", "English", "Bo")


@pytest.fixture(scope="module")
def mail_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model that always writes DRAFT (a Subject line, a blank line, the body)."""
    return write_scripted_model(tmp_path_factory.mktemp("mail") / "mail.gguf", reply=DRAFT)


@pytest.fixture
def library(tmp_path: Path) -> PromptLibrary:
    return PromptLibrary.load(tmp_path / "prompts")


@pytest.fixture
def drafting(recorder: RecordingEngine, mail_model: Path) -> RecordingEngine:
    recorder.load(load_config(mail_model, n_ctx=2048))
    return recorder


def thread(last: str = "Can we meet on Friday?", earlier: int = 0, words: int = 60) -> MailThread:
    """Ana's question, below `earlier` quoted messages of `words` words each (newest first)."""
    history = tuple(
        QuotedMessage(MailAddress("Ana", "ana@example.org"), f"day {i}", long_text(words, seed=i))
        for i in range(earlier)
    )
    return MailThread(
        sender=MailAddress("Ana Lima", "ana@example.org"),
        subject="Lunch?",
        text=last,
        message_id="<1@example.org>",
        history=history,
    )


def compose(history: History, engine: EngineClient, library: PromptLibrary) -> DraftResult:
    job = DraftJob.compose(
        history, engine, "Ana", "Lunch at noon on Friday", STYLE, GREEDY, library
    )
    events, done = run_to_end(job)
    assert done.outcome is Outcome.COMPLETED, done.message
    assert isinstance(done.result, DraftResult)
    assert streamed(events) == DRAFT
    return done.result


def test_a_new_e_mail_is_an_e_mail_conversation_with_subject_and_body(
    history: History, drafting: RecordingEngine, library: PromptLibrary
) -> None:
    result = compose(history, drafting, library)
    assert (result.subject, result.body) == (
        "Lunch on Friday",
        "Dear Ana, see you at noon.\nBest, Bo",
    )
    conversation = history.get_conversation(result.conversation_id)
    assert (conversation.kind, conversation.title) == (ConversationKind.EMAIL, "E-mail to Ana")
    request, draft = history.active_path(result.conversation_id)
    assert request.role == Role.USER
    assert "Lunch at noon on Friday" in request.content
    assert (draft.id, draft.content, draft.status) == (result.message_id, DRAFT, "complete")
    (call,) = drafting.calls
    asked = "\n".join(m.content for m in call.messages)
    for wanted in ("Ana", "Lunch at noon on Friday", "friendly", "English", "Bo"):
        assert wanted in asked
    assert history.search("noon")  # the draft is found like any conversation


def test_refining_makes_versions_and_the_first_stays_intact(
    history: History, drafting: RecordingEngine, library: PromptLibrary
) -> None:
    first = compose(history, drafting, library)
    cid = first.conversation_id
    for how in ("shorter", "formal"):
        job = DraftJob.refine(history, drafting, cid, library.refinement(how), GREEDY, library)
        _, done = run_to_end(job)
        assert isinstance(done.result, DraftResult)
    request = history.active_path(cid)[0]
    versions = history.children(request.id)
    assert versions[0].id == first.message_id
    assert len(versions) == 3  # the draft and two refinements, side by side
    assert history.get_message(first.message_id or 0).content == DRAFT  # untouched
    assert versions[2].stats is not None
    assert versions[2].stats["refinement"] == library.refinement("formal").name
    # The second refinement reworked the first refinement, the version shown then.
    assert versions[2].stats["from_version"] == versions[1].id
    refine_call = drafting.calls[-1]
    assert DRAFT in refine_call.messages[-1].content


def test_translate_needs_a_language_and_a_chat_cannot_be_refined(
    history: History, drafting: RecordingEngine, library: PromptLibrary
) -> None:
    first = compose(history, drafting, library)
    translate = library.refinement("translate")
    job = DraftJob.refine(history, drafting, first.conversation_id, translate, GREEDY, library)
    assert isinstance(run_to_end(job)[1].error, InvalidInputError)
    chat = history.create_conversation(title="Chat")
    job = DraftJob.refine(history, drafting, chat, library.refinement("shorter"), GREEDY, library)
    assert isinstance(run_to_end(job)[1].error, InvalidInputError)


def test_a_reply_answers_the_last_message_with_the_mail_attached(
    history: History, drafting: RecordingEngine, library: PromptLibrary, tmp_path: Path
) -> None:
    source = ReplySource(thread(earlier=2, words=8), b"raw mail bytes", tmp_path / "lunch.eml")
    job = DraftJob.reply(history, drafting, source, "Yes, Friday works", STYLE, GREEDY, library)
    events, done = run_to_end(job)
    assert isinstance(done.result, DraftResult)
    assert not any(isinstance(e, ContextTrimmed) for e in events)  # the whole thread fits
    assert isinstance(events[0], Saved)
    cid = done.result.conversation_id
    assert history.get_conversation(cid).title == "Reply: Lunch?"
    (document,) = DocumentStore(history).for_conversation(cid)
    assert (document.name, document.kind) == ("lunch.eml", "eml")
    asked = "\n".join(m.content for m in drafting.calls[-1].messages)
    assert "Can we meet on Friday?" in asked
    assert "Yes, Friday works" in asked


def test_a_long_thread_loses_its_oldest_messages_first_and_says_so(
    history: History, recorder: RecordingEngine, mail_model: Path, library: PromptLibrary
) -> None:
    recorder.load(load_config(mail_model, n_ctx=2048))
    long_thread = thread(last="The newest question, kept whole.", earlier=20)
    source = ReplySource(long_thread, b"x")
    job = DraftJob.reply(history, recorder, source, "", STYLE, GREEDY, library)
    events, done = run_to_end(job)
    assert done.outcome is Outcome.COMPLETED
    (trimmed,) = [e for e in events if isinstance(e, ContextTrimmed)]
    assert 0 < trimmed.omitted_messages < 20
    prompt = "\n".join(m.content for m in recorder.calls[-1].messages)
    assert "The newest question, kept whole." in prompt
    kept = [q for q in long_thread.history if q.text in prompt]
    assert kept == list(long_thread.history[: 20 - trimmed.omitted_messages])  # newest kept
    assert recorder.calls[-1].prompt_tokens + GREEDY.max_tokens <= 2048


def test_a_last_message_longer_than_the_context_is_refused_and_nothing_is_stored(
    history: History, recorder: RecordingEngine, mail_model: Path, library: PromptLibrary
) -> None:
    recorder.load(load_config(mail_model, n_ctx=2048))
    source = ReplySource(thread(last=long_text(600)), b"x")
    _, done = run_to_end(DraftJob.reply(history, recorder, source, "", STYLE, GREEDY, library))
    assert isinstance(done.error, ContextOverflowError)
    assert "too long" in done.message
    assert history.list_conversations() == []


def test_a_stopped_draft_keeps_its_text(
    history: History, drafting: RecordingEngine, library: PromptLibrary
) -> None:
    job = DraftJob.compose(history, drafting, "Ana", "Lunch", STYLE, GREEDY, library)
    drafting.stop_at = 1  # the engine is asked to stop during the (only) call
    _, done = run_to_end(job)
    assert done.outcome is Outcome.CANCELLED
    assert isinstance(done.result, DraftResult)
    assert done.result.status is MessageStatus.STOPPED
    draft = history.active_path(done.result.conversation_id)[-1]
    assert draft.status == "stopped"
