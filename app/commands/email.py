"""`hearth draft`, `hearth reply` and `hearth refine`: e-mail drafts in the terminal.

Each prints the draft as `Subject: ...`, a blank line, then the body (the model's words),
and saves it as an e-mail conversation; `--out FILE.eml` also writes it as a mail the user's
mail app opens as an editable draft (a reply is threaded under the mail it answers). A file
that is not a readable e-mail is refused before anything is stored.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.commands.job_output import exit_code, run_job
from app.commands.model_choice import MODEL_HELP, loaded_model
from app.engine.protocol import TextPiece
from app.errors import InvalidInputError
from app.mail.draft_file import write_draft
from app.mail.headers import parse_addresses
from app.mail.model import MailAddress, MailThread
from app.mail.thread import read_thread
from app.runtime import Runtime
from app.store import ConversationKind
from app.tasks.email_draft import DraftJob, DraftResult
from app.tasks.email_prompts import EmailStyle
from app.tasks.email_reply import ReplySource
from app.tasks.job import ContextTrimmed, Done, JobEvent
from app.tasks.prompt_library import EMAIL_LENGTHS, EMAIL_TONES, PromptLibrary, Refinement
from app.tasks.sampling import resolve_sampling

PLAIN_SUBJECT = re.compile(r"^Subject:(.*)$")  # the first line, as the prompt asks for it
REFINEMENTS_HELP = 'shorter|longer|formal|friendly|grammar|translate:LANG|"free text"'


def add_parser(commands: Any) -> None:
    draft = commands.add_parser("draft", help="draft a new e-mail")
    draft.add_argument("--to", required=True, metavar="NAME", help="who the e-mail is for")
    draft.add_argument("--points", required=True, metavar="TEXT", help="what it should say")
    _style_options(draft)
    draft.add_argument("--length", choices=tuple(EMAIL_LENGTHS), default="medium")
    draft.add_argument("--model", metavar="ID|PATH", help=f"{MODEL_HELP} (default: your last)")
    draft.add_argument("--out", type=Path, metavar="FILE.eml", help="also save it as a mail")
    draft.set_defaults(run=run_draft)
    reply = commands.add_parser("reply", help="draft a reply to an e-mail (.eml)")
    reply.add_argument("file", type=Path, help="the e-mail to answer")
    reply.add_argument("--points", default="", metavar="TEXT", help="what your reply says")
    _style_options(reply)
    reply.add_argument("--out", type=Path, metavar="FILE.eml", help="also save it as a mail")
    reply.add_argument("--model", metavar="ID|PATH", help=f"{MODEL_HELP} (default: your last)")
    reply.set_defaults(run=run_reply)
    refine = commands.add_parser("refine", help="rework an e-mail draft into a new version")
    refine.add_argument("conversation", type=int, metavar="CONVERSATION_ID")
    refine.add_argument("--how", required=True, metavar=REFINEMENTS_HELP)
    refine.set_defaults(run=run_refine)


def _style_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tone", choices=EMAIL_TONES, default="friendly")
    parser.add_argument("--language", metavar="LANG", help="the language to write in")


def run_draft(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    settings = runtime.settings
    style = EmailStyle(
        args.tone, args.length, args.language or settings.email_language, settings.sign_off_name
    )
    library = _library(runtime)
    with runtime.open_history() as history, loaded_model(runtime, args.model) as (engine, label):
        sampling = resolve_sampling({}, settings.sampling)
        job = DraftJob.compose(
            history, engine, args.to, args.points, style, sampling, library, model_label=label
        )
        printer = DraftPrinter()
        done = run_job(job, printer)
    return _finish(done, printer, args.out, to=parse_addresses(args.to), sender=style.sign_off)


def run_reply(args: argparse.Namespace) -> int:
    thread = read_thread(args.file)  # refuses what is not a readable e-mail: nothing stored
    source = ReplySource(thread, args.file.read_bytes(), args.file)
    runtime = Runtime.start()
    settings = runtime.settings
    style = EmailStyle(args.tone, "medium", args.language or "", settings.sign_off_name)
    library = _library(runtime)
    with runtime.open_history() as history, loaded_model(runtime, args.model) as (engine, label):
        sampling = resolve_sampling({}, settings.sampling)
        job = DraftJob.reply(
            history, engine, source, args.points, style, sampling, library, model_label=label
        )
        printer = DraftPrinter()
        done = run_job(job, printer)
    return _finish(done, printer, args.out, sender=style.sign_off, thread=thread)


def run_refine(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    library = _library(runtime)
    refinement, language = _refinement(library, args.how)
    with runtime.open_history() as history:
        conversation = history.get_conversation(args.conversation)
        if conversation.kind is not ConversationKind.EMAIL:
            raise InvalidInputError(
                f"Conversation {conversation.id} is not an e-mail draft, so there is nothing "
                "to refine. `hearth history list` shows your conversations."
            )
        with loaded_model(runtime, conversation.model) as (engine, _label):
            sampling = resolve_sampling(conversation.sampling, runtime.settings.sampling)
            job = DraftJob.refine(
                history, engine, conversation.id, refinement, sampling, library, language=language
            )
            printer = DraftPrinter()
            done = run_job(job, printer)
    return _finish(done, printer, None)


def _refinement(library: PromptLibrary, how: str) -> tuple[Refinement, str]:
    """A shipped or user refinement by key, `translate:LANG`, or free text of the user's."""
    key, _, language = how.partition(":")
    if key.strip() == "translate":
        return library.refinement("translate"), language.strip()
    known = {r.key for r in library.refinements()}
    if how.strip() in known:
        return library.refinement(how.strip()), ""
    if not how.strip():
        raise InvalidInputError(f"Say how to refine the draft: {REFINEMENTS_HELP}.")
    own = how.strip()  # taken literally: braces are text, not blanks to fill
    literal = own.replace("{", "{{").replace("}", "}}")
    return Refinement(key="custom", name=own, instruction=literal, user_made=False), ""


def _library(runtime: Runtime) -> PromptLibrary:
    library = PromptLibrary.load(runtime.paths.config_dir / "prompts")
    for problem in library.problems:
        print(f"hearth: warning: {problem}", file=sys.stderr)
    return library


class DraftPrinter:
    """Prints a draft as it is written when the model begins with a plain `Subject:` line
    (the usual case); otherwise it keeps the text and `finish` prints it with the subject
    first, as the output always begins. Also notes when a thread had to be shortened."""

    def __init__(self) -> None:
        self._text = ""
        self._streaming = False
        self._buffering = False  # the first line is not a plain subject: print at the end
        self._ends_with_newline = False

    def __call__(self, event: JobEvent) -> None:
        if isinstance(event, ContextTrimmed):
            print(
                f"hearth: note: the {event.omitted_messages} oldest quoted messages of the "
                "thread were left out so the rest fits the model's context.",
                file=sys.stderr,
            )
        if not isinstance(event, TextPiece):
            return
        if self._streaming:
            self._write(event.text)
            return
        self._text += event.text
        first, newline, rest = self._text.partition("\n")
        if self._buffering or not newline:
            return
        match = PLAIN_SUBJECT.match(first)
        body = rest.lstrip("\n")
        if match is None:
            self._buffering = True
        elif body:  # blank lines after the subject are over: the body begins
            self._streaming = True
            self._write(f"Subject: {match.group(1).strip()}\n\n{body}")

    def finish(self, result: DraftResult) -> None:
        if not self._streaming:
            self._write(f"Subject: {result.subject}\n\n{result.body.rstrip()}")
        if not self._ends_with_newline:
            self._write("\n")

    def _write(self, text: str) -> None:
        if text:
            sys.stdout.write(text)
            sys.stdout.flush()
            self._ends_with_newline = text.endswith("\n")


def _finish(
    done: Done,
    printer: DraftPrinter,
    out: Path | None,
    *,
    to: Sequence[MailAddress] = (),
    sender: str = "",
    thread: MailThread | None = None,
) -> int:
    """Print the draft (Subject line, blank line, body); with `out`, also write it as a
    mail (a reply goes to the thread's sender, threaded under the mail it answers)."""
    result = done.result
    if isinstance(result, DraftResult):
        printer.finish(result)
        print(
            f"hearth: saved as conversation {result.conversation_id}; rework it with: "
            f"hearth refine {result.conversation_id} --how shorter",
            file=sys.stderr,
        )
        if out is not None:
            write_draft(out, result.subject, result.body, to, reply_to=thread, sender_name=sender)
            print(f"hearth: wrote {out}", file=sys.stderr)
    return exit_code(done)
