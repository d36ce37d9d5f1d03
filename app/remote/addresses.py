"""Whether an address may receive the user's words, and how to say it when it may not.

A server's address is checked when it is added and again whenever servers.json is read (a
hand-edited file must not get around the rule): https is required, except for this computer
and the user's own network, where plain http is allowed (on a network, with a warning). Host
names are not looked up to decide: the answer could change after the check.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from app.errors import InvalidInputError

# Plain http is allowed to these: the user's own network, where they run the server.
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_EXAMPLE = "http://127.0.0.1:8080/v1"


def check_address(url: str) -> tuple[str, list[str]]:
    """(base URL without a trailing '/', warnings), or InvalidInputError saying what to do.

    https is required, except for this computer (127.0.0.0/8, ::1, localhost) and the user's
    own network (10/8, 172.16/12, 192.168/16, fc00::/7, *.local), where http is allowed; on
    a network that comes with a warning. Any other host name counts as public: Hearth does
    not look names up to decide, since the answer can change after the check."""
    text = url.strip()
    if "://" not in text:
        raise InvalidInputError(
            f"Give the server's whole address, starting with http:// or https:// "
            f"(for example {_EXAMPLE})."
        )
    if any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidInputError("The server's address has a space or an invisible character in it.")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. an unclosed '[' around an IPv6 address
        raise InvalidInputError(f"{text!r} is not a usable address ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidInputError(
            f"Hearth talks to servers over http or https, not {parts.scheme}: give an "
            f"address like {_EXAMPLE}."
        )
    if "?" in text or "#" in text:
        raise InvalidInputError(
            "Leave out the part after '?' or '#': give only the server's base address, "
            f"like {_EXAMPLE}."
        )
    if "@" in parts.netloc:
        raise InvalidInputError(
            "Leave the user name and password out of the address: Hearth keeps no "
            "secrets in its files. Give the server's key with --key-stdin (kept in the "
            "system keyring) or --key-env VARIABLE (an environment variable that holds it)."
        )
    host = _host_of(parts)
    base = f"{scheme}://{parts.netloc}{parts.path}".rstrip("/")
    if scheme == "https" or _is_loopback(host):
        return base, []
    if _is_private(host):
        return base, [
            f"Words sent to {host} travel unencrypted on your network; use https if the "
            "server offers it."
        ]
    raise InvalidInputError(
        f"{host} is not on this computer or your own network, so Hearth will only talk to it "
        f"over https (plain http would send your words readable to everyone on the way): "
        f"use https://{parts.netloc}{parts.path.rstrip('/')}."
    )


def _host_of(parts: SplitResult) -> str:
    try:
        host, _ = parts.hostname, parts.port  # .port raises ValueError for a bad port
    except ValueError:
        raise InvalidInputError(
            f"The port in {parts.netloc!r} is not a number from 0 to 65535."
        ) from None
    if not host:
        raise InvalidInputError(
            f"The address has no server name or IP address in it; write it like {_EXAMPLE}."
        )
    ip = _ip(host)
    if ip is not None and ip.is_unspecified:
        raise InvalidInputError(
            f"{host} is where a server listens, not where to reach it: for a server on this "
            "computer use 127.0.0.1, otherwise its address on your network."
        )
    return host


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:192.168.1.2 is 192.168.1.2
    return ip


def _is_loopback(host: str) -> bool:
    ip = _ip(host)
    return host == "localhost" if ip is None else ip.is_loopback


def _is_private(host: str) -> bool:
    ip = _ip(host)
    if ip is None:
        return host.endswith(".local") and len(host) > len(".local")
    return any(ip.version == net.version and ip in net for net in _PRIVATE_NETWORKS)
