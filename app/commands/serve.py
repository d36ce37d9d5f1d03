"""`hearth serve`: this computer's model as an OpenAI-compatible API, for editors and scripts.

Off unless started: it listens on 127.0.0.1 only, answers only requests with the key, and
keeps no conversation unless `--store` is given. The startup lines on stderr say where it
is and which key to paste; Ctrl+C stops it (exit 0).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.commands.model_choice import loaded_model
from app.engine.protocol import SamplingParams
from app.errors import InvalidInputError
from app.remote.choice import remote_choice
from app.runtime import Runtime
from app.serve.api_key import ApiKey, api_key
from app.serve.local_api import DEFAULT_PORT, LocalApiServer, ServedModel, api_model_id


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve a local model as an OpenAI-compatible API on 127.0.0.1",
        description="Serve a model on this computer as an OpenAI-compatible API (chat "
        "completions, streaming, models list) at http://127.0.0.1:PORT/v1, for editors and "
        "scripts. Only programs on this computer that send the key can use it. Nothing is "
        "kept in your history unless you pass --store. Ctrl+C stops it.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"the port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free port)",
    )
    parser.add_argument(
        "--model", metavar="PATH_OR_ID", help="an installed model's id or a GGUF file"
    )
    parser.add_argument(
        "--key-env",
        metavar="VAR",
        help="take the key from this environment variable (default: a key Hearth makes "
        "and keeps in its config folder)",
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="keep each request's conversation in your history (default: keep nothing)",
    )
    parser.add_argument("--ctx", type=int, metavar="N", help="context length in tokens")
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    if remote_choice(runtime.paths, args.model) is not None:
        raise InvalidInputError(
            f"{args.model} is a model on a server you added; the local API serves this "
            "computer's own model. Give an installed model's id or a GGUF file."
        )
    key = api_key(runtime.paths, args.key_env)  # before loading: a missing key fails fast
    sampling = runtime.settings.sampling
    defaults = SamplingParams(
        temperature=sampling.temperature, top_p=sampling.top_p, max_tokens=sampling.max_tokens
    )
    with loaded_model(runtime, args.model, args.ctx) as (engine, label):
        served = ServedModel(engine, api_model_id(label), label)
        store_in = runtime.paths.database if args.store else None
        with LocalApiServer(
            served, key.value, port=args.port, defaults=defaults, store_in=store_in
        ) as server:
            _announce(server, key, stored=store_in is not None)
            with contextlib.suppress(KeyboardInterrupt), _terminate_stops_too():
                server.serve_forever()  # until Ctrl+C
    print("hearth: stopped", file=sys.stderr, flush=True)
    return 0


@contextmanager
def _terminate_stops_too() -> Iterator[None]:
    """`kill PID` (SIGTERM, what service managers send) stops it as Ctrl+C does: the reply
    being written is cancelled, the engine closed and "stopped" printed."""

    def stop(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _announce(server: LocalApiServer, key: ApiKey, *, stored: bool) -> None:
    lines = [
        f"serving {server.model.model_id} at {server.base_url} ({key.where})",
        *(f"warning: {warning}" for warning in key.warnings()),
    ]
    if key.file is not None:  # a key from the environment is the user's own: not repeated
        lines.append(f"API key: {key.value}")
    lines.append(
        "conversations through the API are kept in your history"
        if stored
        else "conversations through the API are not kept (--store keeps them)"
    )
    lines.append("press Ctrl+C to stop")
    for line in lines:
        print(f"hearth: {line}", file=sys.stderr, flush=True)
