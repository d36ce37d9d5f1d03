"""E-mail drafts as jobs: compose a new e-mail, reply to one, or refine a draft.

A draft is a conversation of the "email" kind. Its first message is what the user asked for
(to whom, the points, the tone); every draft the model writes is a reply to that message,
written by the one rule for streamed replies (reply_stream.py). A refinement is a sibling of
the draft it reworks: the versions are branches of the same conversation, browsed with the
branch navigator, and nothing earlier is lost. A reply has the e-mail it answers attached
as a document.

The model is asked to answer with a `Subject: ...` line, a blank line and the body
(app/mail/draft_text.py splits them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.engine.interface import Engine
from app.engine.protocol import ChatMessage, ChatStats, ModelInfo, SamplingParams
from app.errors import InvalidInputError, JobCancelled
from app.mail.draft_file import reply_subject
from app.mail.draft_text import split_draft
from app.store import ConversationKind, History, MessageStatus, ReplyWriter, Role
from app.tasks.context_budget import reply_budget
from app.tasks.email_prompts import EmailStyle, compose_prompt, refine_prompt
from app.tasks.email_reply import ReplySource, attach_thread, fitted_reply_prompt, sender_name
from app.tasks.engine_job import EngineJob, HistorySource, use_history
from app.tasks.job import ContextTrimmed, JobWork, Saved
from app.tasks.prompt_library import PromptLibrary, Refinement
from app.tasks.reply_stream import stream_reply


@dataclass(frozen=True)
class DraftResult:
    """A draft job's result (also of a stopped one: what was written by then)."""

    conversation_id: int
    message_id: int | None
    subject: str
    body: str
    status: MessageStatus
    stats: ChatStats


@dataclass(frozen=True)
class DraftStart:
    """Where a draft goes: under the request `parent_id`; `note` is kept with it."""

    conversation_id: int
    parent_id: int
    prompt: list[ChatMessage]
    note: dict[str, object]
    fallback_subject: str  # when the model writes no Subject line


class DraftJob(EngineJob):
    """Writes one version of a draft; build it with `compose`, `reply` or `refine`."""

    def __init__(
        self,
        history: HistorySource,
        engine: Engine,
        sampling: SamplingParams,
        prepare: Callable[[History, ModelInfo, DraftJob], DraftStart],
        title: str,
    ) -> None:
        super().__init__(engine)
        self.title = title
        self._history = history
        self._sampling = sampling
        self._prepare = prepare
        self.trimmed: ContextTrimmed | None = None  # set by a reply whose thread was cut

    @classmethod
    def compose(
        cls,
        history: HistorySource,
        engine: Engine,
        recipient: str,
        points: str,
        style: EmailStyle,
        sampling: SamplingParams,
        library: PromptLibrary,
        *,
        model_label: str | None = None,
    ) -> DraftJob:
        """A new e-mail to `recipient` covering `points`. `model_label` is how the model is
        named for loading it again (an installed model's id or a path; default its name)."""
        if not points.strip():
            raise InvalidInputError("Say what the e-mail should say (its key points).")

        def prepare(history: History, model: ModelInfo, _job: DraftJob) -> DraftStart:
            cid = history.create_conversation(
                title=f"E-mail to {recipient or 'someone'}",
                model=model_label or model.name,
                kind=ConversationKind.EMAIL,
            )
            ask = f"E-mail to {recipient or 'someone'} ({style.describe()}).\n\n{points.strip()}"
            request = history.add_message(cid, Role.USER, ask, model=model.name)
            prompt = compose_prompt(library, recipient, points, style)
            return DraftStart(cid, request, prompt, {}, _topic(points))

        return cls(history, engine, sampling, prepare, "The e-mail draft")

    @classmethod
    def reply(
        cls,
        history: HistorySource,
        engine: Engine,
        source: ReplySource,
        points: str,
        style: EmailStyle,
        sampling: SamplingParams,
        library: PromptLibrary,
        *,
        model_label: str | None = None,
    ) -> DraftJob:
        """A reply to the last message of `source`'s thread, with the user's points; the
        mail is attached to the draft's conversation."""

        def prepare(history: History, model: ModelInfo, job: DraftJob) -> DraftStart:
            reserve = reply_budget(sampling.max_tokens, model.n_ctx)
            fitted = fitted_reply_prompt(
                library, source.thread, points, style, job.engine, model.n_ctx - reserve
            )
            if fitted.omitted_messages:
                job.trimmed = ContextTrimmed(fitted.omitted_messages, fitted.prompt_tokens)
            subject = source.thread.subject or "(no subject)"
            cid = history.create_conversation(
                title=f"Reply: {subject}",
                model=model_label or model.name,
                kind=ConversationKind.EMAIL,
            )
            attach_thread(history, cid, source, job.engine.count_texts)
            sender = sender_name(source.thread) or "the sender"
            ask = f"Reply to {sender}'s e-mail “{subject}” ({style.describe()})."
            if points.strip():
                ask += f"\n\n{points.strip()}"
            request = history.add_message(cid, Role.USER, ask, model=model.name)
            return DraftStart(cid, request, fitted.messages, {}, reply_subject(subject))

        return cls(history, engine, sampling, prepare, "The reply")

    @classmethod
    def refine(
        cls,
        history: HistorySource,
        engine: Engine,
        conversation_id: int,
        refinement: Refinement,
        sampling: SamplingParams,
        library: PromptLibrary,
        *,
        language: str = "",
    ) -> DraftJob:
        """A new version of the draft shown in `conversation_id`, reworked as `refinement`
        says; it becomes the shown version, beside the one it reworks."""

        def prepare(history: History, _model: ModelInfo, _job: DraftJob) -> DraftStart:
            conversation = history.get_conversation(conversation_id)
            if conversation.kind is not ConversationKind.EMAIL:
                raise InvalidInputError(
                    f"Conversation {conversation_id} is not an e-mail draft, so there is "
                    "nothing to refine."
                )
            path = history.active_path(conversation_id)
            drafts = [m for m in path if m.role == Role.ASSISTANT and m.content.strip()]
            current = drafts[-1] if drafts else None
            if current is None or current.parent_id is None:
                raise InvalidInputError(
                    f"Conversation {conversation_id} has no draft yet. Write one first."
                )
            prompt = refine_prompt(library, current.content, refinement, language)
            note: dict[str, object] = {"refinement": refinement.name, "from_version": current.id}
            subject = split_draft(current.content)[0]
            return DraftStart(conversation_id, current.parent_id, prompt, note, subject)

        return cls(history, engine, sampling, prepare, "The new version")

    def work(self) -> JobWork:
        model = self.begin()
        assert model is not None
        with use_history(self._history) as history:
            start = self._prepare(history, model, self)
            yield Saved(start.conversation_id, start.parent_id)
            if self.trimmed is not None:
                yield self.trimmed
            writer = ReplyWriter(history, start.conversation_id, start.parent_id, model=model.name)
            events = self.engine.chat(start.prompt, self._sampling, keep_state=True)
            written = yield from stream_reply(writer, events, note=start.note)
            subject, body = split_draft(writer.text)
            result = DraftResult(
                start.conversation_id,
                written.message_id,
                subject or start.fallback_subject,
                body,
                written.status,
                written.stats,
            )
            yield Saved(start.conversation_id, written.message_id)
            if written.status is MessageStatus.STOPPED:
                raise JobCancelled("The draft was stopped; what it had written is kept.", result)
            return result


def _topic(points: str, words: int = 8) -> str:
    """A subject from the user's points, when the model gives none: their first words."""
    first = points.strip().splitlines()[0] if points.strip() else ""
    taken = first.split()[:words]
    return " ".join(taken) + (" …" if len(first.split()) > words else "")
