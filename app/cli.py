"""The `hearth` command.

`hearth` alone opens the window; subcommands drive the same core from a terminal. Errors a
person can act on print one line to stderr and exit 1; anything else is a bug: one line that
points to the log file (which has the traceback) and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.commands.job_output import CANCELLED_EXIT_CODE
from app.errors import HearthError, JobCancelled

log = logging.getLogger("hearth.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth", description="Hearth: a private assistant that runs on this computer."
    )
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument(
        "--conversation", type=int, metavar="ID", help="open the window on this conversation"
    )
    parser.add_argument(
        "--open",
        nargs="*",
        type=Path,
        default=[],
        metavar="FILE",
        help="open the window with these files: documents to summarize, an e-mail to answer",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from app.commands import chat, email, history, models, serve, servers, summarize

    chat.add_parser(commands)
    email.add_parser(commands)
    history.add_parser(commands)
    models.add_parser(commands)
    serve.add_parser(commands)
    servers.add_parser(commands)
    summarize.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from app.commands.window import open_window

            return open_window(args.conversation, args.open)
        return int(args.run(args))
    except JobCancelled as exc:  # the user pressed Ctrl+C: what was done is kept
        print(f"hearth: {exc.message}", file=sys.stderr)
        return CANCELLED_EXIT_CODE
    except HearthError as exc:
        log.info("command failed: %s", exc.message)
        print(f"hearth: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0  # e.g. `hearth history export 1 | head`
    except Exception as exc:
        log.exception("unexpected error in %s", args.command or "window")
        from app.paths import resolve_paths

        print(
            f"hearth: an unexpected error stopped Hearth ({type(exc).__name__}: {exc}). "
            f"Details are in {resolve_paths().log_file}.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
