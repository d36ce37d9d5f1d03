"""A chat turn as a job: the user's message in, a streamed and continuously saved reply out.

Three kinds, one job: `send` (a new message, or an edit: the new text under the edited
message's parent, a branch beside the old one), `regenerate` (another reply to a message,
a new branch) and `resume` (carry on a reply that stopped part-way, in the same message).
The user's message is committed before generation starts; the reply is written by the one
rule in reply_stream.py. The CLI and the window both run these jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

from app.engine.interface import Engine
from app.engine.protocol import ChatStats, ModelInfo, SamplingParams, TextPiece
from app.errors import InvalidInputError, JobCancelled
from app.store import History, Message, MessageStatus, ReplyWriter, Role
from app.tasks.context_budget import reply_budget
from app.tasks.engine_job import EngineJob, HistorySource, use_history
from app.tasks.job import ContextTrimmed, JobWork, Saved
from app.tasks.reply_stream import record_failure, stream_reply
from app.tasks.turn_prompt import build_turn_prompt


@dataclass(frozen=True)
class TurnFinished:
    """A chat job's result (also of a stopped one)."""

    conversation_id: int
    user_message_id: int
    reply_message_id: int | None
    status: MessageStatus
    stats: ChatStats


@dataclass(frozen=True)
class TurnStart:
    """Where the reply goes: under `user_id`, into a new message or through `writer`
    onto the end of `reply_prefix` (a reply being continued)."""

    user_id: int
    writer: ReplyWriter | None = None
    reply_prefix: str = ""


Prepare = Callable[[History, ModelInfo], TurnStart]

CONTINUABLE = frozenset({MessageStatus.STOPPED, MessageStatus.INTERRUPTED, MessageStatus.FAILED})


def can_continue(message: Message) -> bool:
    """Whether `message` is a reply that stopped part-way and can be carried on."""
    return (
        message.role == Role.ASSISTANT
        and message.status in CONTINUABLE
        and bool(message.content)
        and message.parent_id is not None
    )


class ChatTurnJob(EngineJob):
    """One reply in conversation `conversation_id`; build it with a classmethod."""

    title = "The reply"

    def __init__(
        self,
        history: HistorySource,
        engine: Engine,
        conversation_id: int,
        sampling: SamplingParams,
        prepare: Prepare,
    ) -> None:
        super().__init__(engine)
        self.conversation_id = conversation_id
        self._history = history
        self._sampling = sampling
        self._prepare = prepare

    @classmethod
    def send(
        cls,
        history: HistorySource,
        engine: Engine,
        conversation_id: int,
        text: str,
        sampling: SamplingParams,
        *,
        editing: int | None = None,
    ) -> ChatTurnJob:
        """`text` under the conversation's active leaf, or, `editing` a message, under
        that message's parent: a new branch beside the old one."""

        def prepare(history: History, model: ModelInfo) -> TurnStart:
            if editing is None:
                user_id = history.add_message(conversation_id, "user", text, model=model.name)
            else:
                edited = _own_message(history, conversation_id, editing, Role.USER, "edited")
                user_id = history.add_message(
                    conversation_id, "user", text, parent_id=edited.parent_id, model=model.name
                )
            return TurnStart(user_id)

        return cls(history, engine, conversation_id, sampling, prepare)

    @classmethod
    def regenerate(
        cls,
        history: HistorySource,
        engine: Engine,
        conversation_id: int,
        user_message_id: int,
        sampling: SamplingParams,
    ) -> ChatTurnJob:
        """Another reply to an existing user message: a new branch, the old one kept."""

        def prepare(history: History, _model: ModelInfo) -> TurnStart:
            _own_message(history, conversation_id, user_message_id, Role.USER, "regenerated")
            history.set_active_leaf(conversation_id, user_message_id)
            return TurnStart(user_message_id)

        return cls(history, engine, conversation_id, sampling, prepare)

    @classmethod
    def resume(
        cls,
        history: HistorySource,
        engine: Engine,
        conversation_id: int,
        reply_message_id: int,
        sampling: SamplingParams,
    ) -> ChatTurnJob:
        """Carry on an unfinished reply in place: the model continues its own text, which is
        appended to the same message (no new branch; nothing already written changes)."""

        def prepare(history: History, _model: ModelInfo) -> TurnStart:
            message = history.get_message(reply_message_id)
            if message.conversation_id != conversation_id or not can_continue(message):
                raise InvalidInputError("Only a reply that stopped part-way can be continued.")
            assert message.parent_id is not None
            history.set_active_leaf(conversation_id, reply_message_id)
            writer = ReplyWriter.continuing(history, reply_message_id)
            return TurnStart(message.parent_id, writer, message.content)

        return cls(history, engine, conversation_id, sampling, prepare)

    def work(self) -> JobWork:
        model = self.begin()
        assert model is not None
        with use_history(self._history) as history:
            start = self._prepare(history, model)
            yield Saved(self.conversation_id, start.user_id)
            return (yield from self._reply(history, model, start))

    def _reply(
        self, history: History, model: ModelInfo, start: TurnStart
    ) -> Generator[ContextTrimmed | Saved | TextPiece, None, TurnFinished]:
        writer = start.writer or ReplyWriter(
            history, self.conversation_id, start.user_id, model=model.name
        )
        try:
            path = history.path_to(start.user_id)
            reserve = reply_budget(self._sampling.max_tokens, model.n_ctx)
            prompt = build_turn_prompt(
                history,
                self.engine,
                model,
                self.conversation_id,
                path,
                reserve,
                reply_prefix=start.reply_prefix,
            )
        except Exception as exc:  # nothing streamed yet: the reply still records why
            record_failure(writer, exc)
            raise
        if prompt.omitted_messages:
            yield ContextTrimmed(prompt.omitted_messages, prompt.prompt_tokens)
        events = self.engine.chat(
            prompt.messages, self._sampling, start.reply_prefix, keep_state=True
        )
        sources = f"\n\n*{prompt.documents.sources_line()}*" if prompt.documents else ""
        written = yield from stream_reply(writer, events, ending=sources)
        finished = TurnFinished(
            self.conversation_id, start.user_id, written.message_id, written.status, written.stats
        )
        yield Saved(self.conversation_id, written.message_id)
        if written.status is MessageStatus.STOPPED:
            raise JobCancelled("The reply stopped; its text so far is kept.", finished)
        return finished


def _own_message(
    history: History, conversation_id: int, message_id: int, role: Role, verb: str
) -> Message:
    message = history.get_message(message_id)
    if message.conversation_id != conversation_id or message.role != role:
        raise InvalidInputError(f"Only one of your own messages can be {verb}.")
    return message
