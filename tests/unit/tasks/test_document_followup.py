"""Follow-up questions on a summarized document: answered from the right excerpt, cited."""

from __future__ import annotations

from pathlib import Path

from app.engine.protocol import ChatMessage, SamplingParams
from app.store import DocumentStore, History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import SummaryStyle
from app.tasks.turn_prompt import count_draft, prompt_messages
from tests.conftest import load_config
from tests.support.documents import write_pdf
from tests.support.jobs import run_to_end, streamed
from tests.support.recording_engine import RecordingEngine
from tests.support.tiny_gguf import long_text

FACT = "The harbor budget for copper lanterns is 4200 crowns."
GREEDY = SamplingParams(temperature=0.0, max_tokens=32, seed=1)


def summarized(
    tmp_path: Path, engine: RecordingEngine, history: History, model: Path
) -> SummaryReady:
    """A six-page PDF, one page per chunk at this context; the fact is on page 4 only."""
    pages = [[long_text(70, seed=page)] for page in range(6)]
    pages[3] = [long_text(30, seed=40), FACT, long_text(30, seed=41)]
    pdf = write_pdf(tmp_path / "harbor.pdf", pages)
    engine.load(load_config(model, n_ctx=1024))
    _, done = run_to_end(SummaryJob(history, engine, pdf, SummaryStyle("brief"), GREEDY))
    ready = done.result
    assert isinstance(ready, SummaryReady)
    return ready


def test_a_follow_up_is_answered_from_the_right_page_and_cites_it(
    tmp_path: Path, recorder: RecordingEngine, scripted_model: Path
) -> None:
    with History.open(tmp_path / "hearth.db") as history:
        ready = summarized(tmp_path, recorder, history, scripted_model)
        chunks = DocumentStore(history).chunks(ready.document_id)
        assert [(c.first_page, c.last_page) for c in chunks] == [(p, p) for p in range(1, 7)]
        recorder.calls.clear()
        events, done = run_to_end(
            ChatTurnJob.send(
                history,
                recorder,
                ready.conversation_id,
                "How much is the budget for copper lanterns?",
                GREEDY,
            )
        )
        ((system, *_),) = [call.messages for call in recorder.calls]
        assert system.role == "system"
        assert "[Excerpt from harbor.pdf, page 4]" in system.content
        assert FACT in system.content
        assert "page 3]" not in system.content  # only the excerpt that answers fits
        finished = done.result
        assert isinstance(finished, TurnFinished)
        assert finished.reply_message_id is not None
        answer = history.get_message(finished.reply_message_id).content
        assert answer == "Hello, world!\n\n*Sources: harbor.pdf, page 4*"
        assert streamed(events) == answer


def test_conversations_without_documents_get_no_excerpts(
    tmp_path: Path, recorder: RecordingEngine, scripted_model: Path
) -> None:
    recorder.load(load_config(scripted_model))
    with History.open(tmp_path / "hearth.db") as history:
        cid = history.create_conversation(system_prompt="Be kind.")
        run_to_end(ChatTurnJob.send(history, recorder, cid, "copper lanterns?", GREEDY))
        ((system, user),) = [call.messages for call in recorder.calls]
        assert user.content == "copper lanterns?"
        assert system.content == "Be kind."
        assert history.active_path(cid)[-1].content == "Hello, world!"


def test_the_draft_count_is_the_prompt_the_turn_sends_excerpts_included(
    tmp_path: Path, recorder: RecordingEngine, scripted_model: Path
) -> None:
    question = "How much is the budget for copper lanterns?"
    with History.open(tmp_path / "hearth.db") as history:
        ready = summarized(tmp_path, recorder, history, scripted_model)
        cid = ready.conversation_id
        counted = count_draft(history, recorder, cid, question, GREEDY)
        plain = recorder.count_tokens(
            [*prompt_messages(None, history.active_path(cid))[1], ChatMessage("user", question)]
        )
        _, done = run_to_end(ChatTurnJob.send(history, recorder, cid, question, GREEDY))
    assert isinstance(done.result, TurnFinished)
    assert counted == done.result.stats.prompt_tokens
    assert counted > plain + 50  # the excerpt from page 4 is counted too
