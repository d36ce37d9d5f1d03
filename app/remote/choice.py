"""Whether a model name points at a server the user added, and what to tell them about it.

`NAME@SERVER` runs on the server only when SERVER is one the user added (`hearth servers
add`); anything else stays a local model, so a file path with an "@" in a folder name is
never sent anywhere. The servers file is read only when the name has an "@" in it.
"""

from __future__ import annotations

from app.errors import InvalidInputError
from app.paths import Paths
from app.remote.openai_api import OpenAIServer
from app.remote.remote_engine import RemoteEngine
from app.remote.servers import Server, ServerList, servers_file, split_model_at_server


def remote_choice(
    paths: Paths, spec: str | None, *, offline: bool = False
) -> tuple[Server, str] | None:
    """(server, model name) when `spec` is `model@server` for an added server, else None.

    With offline mode on (`offline`: Hearth uses no network at all), a server model is
    refused with a message rather than quietly taken for a local one."""
    if not spec or "@" not in spec:
        return None
    servers = ServerList.load(servers_file(paths))
    split = split_model_at_server(spec, [server.name for server in servers.servers])
    if split is None:
        return None
    model, name = split
    if offline:
        raise OfflineError(name)
    return servers.get(name), model


class OfflineError(InvalidInputError):
    """Offline mode is on: no server is asked anything, the user's own included."""

    def __init__(self, server_name: str) -> None:
        super().__init__(
            f"Offline mode is on, so Hearth uses no network and cannot reach the server "
            f"{server_name}. Turn offline mode off in the settings, or choose a local model."
        )


def where_words_go(engine: RemoteEngine) -> str:
    """Said before anything is sent: the words leave this computer, and for where."""
    return (
        f"this conversation runs on the server {engine.server.name} ({engine.api.host}): "
        "what you write is sent there to be answered (the conversation itself is still "
        "kept on this computer only)."
    )


def list_server_models(server: Server) -> list[str]:
    """The models `server` (one the user added) offers: one request, answered or a one-line
    RemoteError (a HearthError if its key is not where the server says it is)."""
    return OpenAIServer(server.base_url, server.api_key).list_models()


def where_label(engine: RemoteEngine) -> str:
    """The server's name and address, as the window shows it: "office (192.168.1.20:8080)"."""
    return f"{engine.server.name} ({engine.api.host})"
