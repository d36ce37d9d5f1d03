"""`hearth chat`: one turn with a PROMPT, or an interactive chat reading lines from stdin.

The reply streams to stdout; notices, statistics and errors go to stderr, so stdout holds
only the model's words. Ctrl+C stops the reply being written (it is kept, marked stopped),
not the program.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.job_output import EventPrinter, exit_code, run_job
from app.commands.model_choice import MODEL_HELP, loaded_model
from app.engine.interface import Engine
from app.engine.protocol import SamplingParams
from app.errors import InvalidInputError
from app.runtime import Runtime
from app.settings import Settings
from app.store import Conversation, History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.sampling import resolve_sampling


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("chat", help="chat with a model in the terminal")
    parser.add_argument("prompt", nargs="?", help="one message; without it, read lines from stdin")
    parser.add_argument("--model", metavar="PATH_OR_ID", help=MODEL_HELP)
    parser.add_argument("--conversation", type=int, metavar="ID", help="continue a conversation")
    parser.add_argument("--system", metavar="TEXT", help="the system prompt")
    parser.add_argument("--temperature", type=float, metavar="F")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="longest reply, in tokens")
    parser.add_argument("--ctx", type=int, metavar="N", help="context length in tokens")
    parser.add_argument("--seed", type=int, metavar="N", help="fixed seed (default: fresh)")
    parser.add_argument("--stats", action="store_true", help="print statistics to stderr")
    parser.set_defaults(run=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    settings = runtime.settings
    with runtime.open_history() as history:
        existing = _existing_conversation(history, args.conversation)
        spec = args.model or (existing.model if existing else None)
        # The model is loaded before a new conversation is made: a bad model leaves no
        # empty conversation behind.
        with loaded_model(runtime, spec, args.ctx) as (engine, label):
            conversation = _prepare_conversation(history, existing, args, settings, label)
            sampling = _sampling(args, conversation, settings)
            if args.prompt is not None:
                return _turn(history, engine, conversation.id, args.prompt, sampling, args.stats)
            return _interactive(history, engine, conversation.id, sampling, args.stats)


def _existing_conversation(history: History, conversation_id: int | None) -> Conversation | None:
    if conversation_id is None:
        return None
    conversation = history.get_conversation(conversation_id)
    if conversation.deleted_at:
        raise InvalidInputError(
            f"Conversation {conversation.id} is in the trash. Restore it first: "
            f"hearth history restore {conversation.id}"
        )
    return conversation


def _prepare_conversation(
    history: History,
    existing: Conversation | None,
    args: argparse.Namespace,
    settings: Settings,
    model_label: str,
) -> Conversation:
    """The conversation to chat in, with the model, system prompt and sampling given."""
    given = {
        key: value
        for key, value in (("temperature", args.temperature), ("max_tokens", args.max_tokens))
        if value is not None
    }
    if existing is None:
        system = args.system if args.system is not None else settings.default_system_prompt
        cid = history.create_conversation(model=model_label, system_prompt=system, sampling=given)
        return history.get_conversation(cid)
    changes: dict[str, Any] = {}
    if existing.model != model_label:
        changes["model"] = model_label
    if args.system is not None:
        changes["system_prompt"] = args.system
    if given:
        changes["sampling"] = {**existing.sampling, **given}
    if changes:
        history.update_conversation(existing.id, **changes)
    return history.get_conversation(existing.id)


def _sampling(
    args: argparse.Namespace, conversation: Conversation, settings: Settings
) -> SamplingParams:
    """Command-line flags win over the conversation's own settings, which win over defaults."""
    if args.max_tokens is not None and args.max_tokens < 1:
        raise InvalidInputError("--max-tokens must be at least 1.")
    return resolve_sampling(
        conversation.sampling,
        settings.sampling,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        seed=args.seed,
    )


def _interactive(
    history: History,
    engine: Engine,
    conversation_id: int,
    sampling: SamplingParams,
    stats: bool,
) -> int:
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            f"Conversation {conversation_id}. Type a message and press Enter; Ctrl+C stops "
            "a reply, Ctrl+D ends.",
            file=sys.stderr,
        )
    while True:
        if interactive:
            print("> ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        text = line.rstrip("\n")
        if text.strip():
            _turn(history, engine, conversation_id, text, sampling, stats)


def _turn(
    history: History,
    engine: Engine,
    conversation_id: int,
    text: str,
    sampling: SamplingParams,
    stats: bool,
) -> int:
    printer = EventPrinter()
    done = run_job(ChatTurnJob.send(history, engine, conversation_id, text, sampling), printer)
    finished = done.result
    if isinstance(finished, TurnFinished):
        printer.out.write("\n")
        printer.out.flush()
    code = exit_code(done)
    if stats and isinstance(finished, TurnFinished):
        print(finished.stats.summary_line(), file=sys.stderr, flush=True)
    return code
