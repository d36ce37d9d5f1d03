"""Whether a model name points at a server the user added, and what to tell them about it.

`NAME@SERVER` runs on the server only when SERVER is one the user added (`hearth servers
add`); anything else stays a local model, so a file path with an "@" in a folder name is
never sent anywhere. The servers file is read only when the name has an "@" in it.
"""

from __future__ import annotations

from app.paths import Paths
from app.remote.remote_engine import RemoteEngine
from app.remote.servers import Server, ServerList, servers_file, split_model_at_server


def remote_choice(paths: Paths, spec: str | None) -> tuple[Server, str] | None:
    """(server, model name) when `spec` is `model@server` for an added server, else None."""
    if not spec or "@" not in spec:
        return None
    servers = ServerList.load(servers_file(paths))
    split = split_model_at_server(spec, [server.name for server in servers.servers])
    if split is None:
        return None
    model, name = split
    return servers.get(name), model


def where_words_go(engine: RemoteEngine) -> str:
    """Said before anything is sent: the words leave this computer, and for where."""
    return (
        f"this conversation runs on the server {engine.server.name} ({engine.api.host}): "
        "what you write is sent there to be answered (the conversation itself is still "
        "kept on this computer only)."
    )
