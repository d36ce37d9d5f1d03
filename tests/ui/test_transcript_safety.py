"""The transcript: safe with hostile model output, cheap to stream into, fast to open.

Safety is checked three ways: in-process (no request reaches a real local HTTP server, the
document holds no image and `loadResource` is never asked), and in a child process under
strace, which sees every file and socket system call the process makes, including those
Qt makes on its own. A control in the same child proves strace would see a file being
opened: a plain QTextBrowser whose loadResource returns None opens its image file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import (
    PNG,
    ROOT,
    anchors,
    has_images,
    message,
)


def hostile_text(port: int, secret: Path, css: Path) -> str:
    base = f"http://127.0.0.1:{port}"
    return (
        f"A picture: ![x]({base}/pixel.png) and a local one: ![y]({secret}) "
        f"and ![z](file://{secret}) and ![w](secret.png)\n\n"
        f'<img src="{base}/raw.png"> <img src="{secret}"> <img src="file://{secret}">\n'
        f'<script src="{base}/x.js">alert(1)</script>\n'
        f"<link rel=stylesheet href={base}/s.css>\n"
        f'<link rel="stylesheet" type="text/css" href="{css}">\n'
        f"<style>@import url({base}/i.css); p {{ background: url({secret}) }}</style>\n\n"
        f"A [link]({base}/page), a [local one](file://{secret}), [js](javascript:alert(1)).\n\n"
        f'```html\n<img src="{base}/in-code.png">\n```\n'
    )


@pytest.fixture
def web_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on 127.0.0.1 recording every connection and request."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"GET {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class RecordingServer(ThreadingHTTPServer):
        def verify_request(self, request: Any, client_address: Any) -> bool:
            seen.append(f"connection from {client_address}")
            return True

    server = RecordingServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def secrets(tmp_path: Path) -> tuple[Path, Path]:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    css = tmp_path / "secret.css"
    css.write_text("p { color: red }", encoding="utf-8")
    return secret, css


# -- untrusted output -------------------------------------------------------------------


class CountingView(TranscriptView):
    def __init__(self) -> None:
        super().__init__()
        self.resources_asked: list[str] = []

    def loadResource(self, resource_type: int, name: QUrl | str) -> object:  # noqa: N802
        self.resources_asked.append(QUrl(name).toString())
        return super().loadResource(resource_type, name)


def test_hostile_output_fetches_nothing(
    qtbot: QtBot, web_server: tuple[int, list[str]], secrets: tuple[Path, Path]
) -> None:
    port, seen = web_server
    text = hostile_text(port, *secrets)
    view = CountingView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    qtbot.waitExposed(view)
    view.show_messages([message(1, "user", text), message(2, "assistant", text)])
    view.begin_streaming(3)
    for start in range(0, len(text), 7):
        view.append_stream(text[start : start + 7])
        view.flush_stream()
    view.end_streaming(message(3, "assistant", text, "stopped"))
    view.grab()  # paint everything once
    qtbot.wait(300)
    assert seen == []
    assert view.resources_asked == []
    assert not has_images(view)
    assert "<img" not in view.document().toHtml()
    plain = view.toPlainText()
    assert f"[image: y] {secrets[0]}" in plain
    assert f'<img src="http://127.0.0.1:{port}/raw.png">' in plain
    assert "<script" in plain
    hrefs = [href for href, _ in anchors(view)]
    assert f"http://127.0.0.1:{port}/page" in hrefs
    assert all(href.startswith(("http://", "hearth-copy:", "hearth-action:")) for href in hrefs)


def test_resources_are_inert_placeholders(qtbot: QtBot, secrets: tuple[Path, Path]) -> None:
    """Even if an image reached the document, Qt would get a placeholder, not the file."""
    view = TranscriptView()
    qtbot.addWidget(view)
    url = QUrl.fromLocalFile(str(secrets[0]))
    image = view.loadResource(QTextDocument.ResourceType.ImageResource, url)
    assert image is not None
    assert not image.isNull()  # type: ignore[attr-defined]
    assert image.size().width() == 1  # type: ignore[attr-defined]
    style = view.loadResource(QTextDocument.ResourceType.StyleSheetResource, url)
    assert style == ""
    assert view.openLinks() is False
    assert view.openExternalLinks() is False


CHILD_SCRIPT = """
import json
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication, QTextBrowser
from app.store import MessageStatus, Role
from app.tasks.conversation_view import MessageView
from app.ui.transcript_view import TranscriptView

# Inputs come in a file: as arguments they would show in the traced execve call.
text, secret, control, canary = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
app = QApplication([])

def message(number, role, content, status="complete"):
    return MessageView(number, 1, Role(role), content, MessageStatus(status))

def settle(widget):
    widget.grab()
    for _ in range(30):
        app.processEvents()
    widget.grab()

view = TranscriptView()
view.resize(640, 480)
view.show()
view.show_messages([message(1, "user", text), message(2, "assistant", text)])
view.begin_streaming(3)
for start in range(0, len(text), 5):
    view.append_stream(text[start:start + 5])
    view.flush_stream()
view.end_streaming(message(3, "assistant", text, "interrupted"))
settle(view)
# Defence in depth: raw HTML put straight into the view still loads nothing.
view.setHtml(
    f'<p><img src="{secret}"><img src="file://{secret}"><img src="secret.png"></p>'
    f'<link rel="stylesheet" href="{secret}">'
)
settle(view)

class PlainBrowser(QTextBrowser):
    def loadResource(self, resource_type, name):
        return None

control_view = PlainBrowser()
control_view.resize(300, 200)
control_view.show()
control_view.setHtml(f'<p><img src="{control}"></p>')
settle(control_view)
Path(canary).read_bytes()
print("child done")
"""


def test_no_file_or_socket_is_touched_under_strace(
    tmp_path: Path, web_server: tuple[int, list[str]], secrets: tuple[Path, Path]
) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    port, seen = web_server
    secret, css = secrets
    control = tmp_path / "control.png"
    control.write_bytes(PNG)
    canary = tmp_path / "canary.txt"
    canary.write_text("x", encoding="utf-8")
    log = tmp_path / "strace.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    command = [strace, "-f", "-qq", "-s", "4096", "-e", "trace=%file,%network", "-o", str(log)]
    inputs = tmp_path / "inputs.json"
    inputs.write_text(
        json.dumps([hostile_text(port, secret, css), str(secret), str(control), str(canary)]),
        encoding="utf-8",
    )
    result = subprocess.run(
        [*command, sys.executable, "-c", CHILD_SCRIPT, str(inputs)],
        cwd=tmp_path,  # a relative "secret.png" would be looked up here
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    if result.returncode != 0 and "ptrace" in result.stderr:
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "child done" in result.stdout
    trace = log.read_text(encoding="utf-8", errors="replace")
    assert f'"{canary}", O_RDONLY' in trace  # strace saw the child's own file read...
    assert f'"{control}", O_RDONLY' in trace  # ...and the control browser opening its image.
    assert str(secret) not in trace
    assert str(css) not in trace
    assert '"secret.png"' not in trace
    assert f"htons({port})" not in trace  # no socket was pointed at the server
    assert seen == []
