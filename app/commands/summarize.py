"""`hearth summarize FILE`: the whole document summarized, printed to stdout.

Progress goes to stderr as `part i of N` lines (with an estimate of the time left once a
part has been timed); the summary streams to stdout as it is written. Ctrl+C stops the job
and keeps every finished part: running the same command again continues where it stopped.
The summary is also saved as a conversation, so `hearth chat --conversation ID` can ask
follow-up questions about the document.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands.job_output import EventPrinter, exit_code, run_job
from app.commands.model_choice import MODEL_HELP, loaded_model
from app.errors import InvalidInputError
from app.runtime import Runtime
from app.tasks.sampling import resolve_sampling
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import STYLE_NAMES, SummaryStyle


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("summarize", help="summarize a document (PDF, DOCX, text…)")
    parser.add_argument("file", type=Path, help="the document to summarize")
    parser.add_argument("--style", choices=STYLE_NAMES, default="brief")
    parser.add_argument("--instruction", metavar="TEXT", help="your own instruction instead")
    parser.add_argument("--model", metavar="ID|PATH", help=f"{MODEL_HELP} (default: your last)")
    parser.add_argument("--ctx", type=int, metavar="N", help="context length in tokens")
    parser.set_defaults(run=run_summarize)


def run_summarize(args: argparse.Namespace) -> int:
    if args.ctx is not None and args.ctx < 512:
        raise InvalidInputError("--ctx must be at least 512 tokens to summarize a document.")
    style = SummaryStyle(args.style, args.instruction)
    runtime = Runtime.start()
    settings = runtime.settings
    with (
        runtime.open_history() as history,
        loaded_model(runtime, args.model, args.ctx) as (
            engine,
            _label,
        ),
    ):
        sampling = resolve_sampling({}, settings.sampling)
        job = SummaryJob(
            history,
            engine,
            args.file,
            style,
            sampling,
            max_bytes=settings.max_document_mb * 1024 * 1024,
        )
        printer = EventPrinter()
        done = run_job(job, printer)
    if isinstance(done.result, SummaryReady):
        ready = done.result
        printer.out.write("\n")
        print(
            f"hearth: saved as conversation {ready.conversation_id}; ask about it with: "
            f"hearth chat --conversation {ready.conversation_id}",
            file=sys.stderr,
        )
    return exit_code(done)
