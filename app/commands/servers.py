"""`hearth servers ...`: add, list and remove the OpenAI-compatible servers the user runs.

These only edit the list in the config folder: no command here sends anything to a server.
Adding checks the address (https, or http on this computer or the user's own network) but
does not connect: a server may be off while it is added, and connecting is a separate,
explicit step.

A server's key is never given on the command line: `--key-env VAR` names the environment
variable holding it, and `--key-stdin` reads it from standard input (typed without echo at
a terminal) and keeps it in the system keyring, so it appears in neither the shell's history
nor the list of processes.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.errors import InvalidInputError
from app.remote.servers import ServerList, servers_file
from app.runtime import Runtime


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "servers", help="servers you run (llama-server, vLLM, Ollama, LM Studio) to chat on"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add a server; its models are then named MODEL@NAME",
        description="Add an OpenAI-compatible server. Nothing is sent to it until you pick "
        "one of its models as MODEL@NAME.",
    )
    add.add_argument("name", metavar="NAME", help="a short name: letters, digits, - _ .")
    add.add_argument("url", metavar="URL", help="its base address, e.g. http://127.0.0.1:8080/v1")
    keys = add.add_mutually_exclusive_group()
    keys.add_argument(
        "--key-env",
        metavar="VAR",
        help="the environment variable holding its API key (the key itself is not saved)",
    )
    keys.add_argument(
        "--key-stdin",
        action="store_true",
        help="read its API key from standard input (one line) and keep it in the system keyring",
    )
    add.set_defaults(run=run_add)
    listing = actions.add_parser("list", help="the servers you added")
    listing.set_defaults(run=run_list)
    remove = actions.add_parser("remove", help="forget a server (nothing on it is touched)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(run=run_remove)


def _servers() -> ServerList:
    return ServerList.load(servers_file(Runtime.start().paths))


def run_add(args: argparse.Namespace) -> int:
    key = _key_from_stdin(args.name) if args.key_stdin else None
    server, warnings = _servers().add(args.name, args.url, args.key_env, key=key)
    for warning in warnings:
        print(f"hearth: warning: {warning}", file=sys.stderr)
    key_place = f" ({server.key_place})" if server.key_place else ""
    print(f"added {server.name}: {server.base_url}{key_place}")
    return 0


def _key_from_stdin(name: str) -> str:
    """One line of standard input, without the spaces around it (typed without echo at a
    terminal); an empty one is refused."""
    if sys.stdin.isatty():
        line = getpass.getpass(f"API key for {name} (not shown): ", stream=sys.stderr)
    else:
        line = sys.stdin.readline()
    if not line.strip():
        raise InvalidInputError(
            "--key-stdin read no key: give the server's key on standard input, on one line "
            f"(for example: hearth servers add {name} URL --key-stdin < key-file)."
        )
    return line.strip()


def run_list(args: argparse.Namespace) -> int:
    servers = _servers().servers
    if not servers:
        print(
            "hearth: no servers added; add one with: hearth servers add NAME URL", file=sys.stderr
        )
        return 0
    for server in servers:
        key_place = f"\t{server.key_place}" if server.key_place else ""
        print(f"{server.name}\t{server.base_url}{key_place}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    server, warnings = _servers().remove(args.name)
    for warning in warnings:
        print(f"hearth: warning: {warning}", file=sys.stderr)
    print(f"removed {server.name}")
    return 0
