"""`hearth servers ...`: add, list and remove the OpenAI-compatible servers the user runs.

These only edit the list in the config folder: no command here sends anything to a server.
Adding checks the address (https, or http on this computer or the user's own network) but
does not connect: a server may be off while it is added, and connecting is a separate,
explicit step.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

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
    add.add_argument(
        "--key-env",
        metavar="VAR",
        help="the environment variable holding its API key (the key itself is not saved)",
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
    server, warnings = _servers().add(args.name, args.url, args.key_env)
    for warning in warnings:
        print(f"hearth: warning: {warning}", file=sys.stderr)
    key = f" (key from ${server.key_env})" if server.key_env else ""
    print(f"added {server.name}: {server.base_url}{key}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    servers = _servers().servers
    if not servers:
        print(
            "hearth: no servers added; add one with: hearth servers add NAME URL", file=sys.stderr
        )
        return 0
    for server in servers:
        key = f"\tkey from ${server.key_env}" if server.key_env else ""
        print(f"{server.name}\t{server.base_url}{key}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    server = _servers().remove(args.name)
    print(f"removed {server.name}")
    return 0
