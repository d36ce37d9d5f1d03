"""The transcript: safe with hostile model output, cheap to stream into, fast to open.

Safety is checked three ways: in-process (no request reaches a real local HTTP server, the
document holds no image and `loadResource` is never asked), and in a child process under
strace, which sees every file and socket system call the process makes, including those
Qt makes on its own. A control in the same child proves strace would see a file being
opened: a plain QTextBrowser whose loadResource returns None opens its image file.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QTextCursor, QTextDocument, QTextFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.store import Message, MessageStatus, Role
from app.ui import transcript_view
from app.ui.link_guard import confirm_and_open
from app.ui.transcript_view import TranscriptView

ROOT = Path(__file__).resolve().parents[2]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d7e3a60000000049454e44ae426082"
)


def message(
    message_id: int,
    role: str,
    content: str,
    status: str = "complete",
    error: str | None = None,
) -> Message:
    return Message(
        id=message_id,
        conversation_id=1,
        parent_id=message_id - 1 if message_id > 1 else None,
        role=Role(role),
        content=content,
        status=MessageStatus(status),
        created_at="2026-01-01T00:00:00+00:00",
        updated_at="2026-01-01T00:00:00+00:00",
        model=None,
        stats=None,
        error=error,
    )


def conversation(count: int) -> list[Message]:
    messages = []
    for number in range(1, count + 1):
        if number % 2:
            messages.append(message(number, "user", f"Question {number}?"))
        else:
            body = f"Answer {number}:\n\n- a point\n- another\n\n```python\nprint({number})\n```"
            messages.append(message(number, "assistant", body))
    return messages


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


@pytest.fixture
def view(qtbot: QtBot) -> TranscriptView:
    widget = TranscriptView()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fragments(view: TranscriptView) -> Iterator[QTextFragment]:
    """Every run of equally formatted text in the document (tables included)."""
    block = view.document().begin()
    while block.isValid():
        item = block.begin()
        while not item.atEnd():
            yield item.fragment()
            item += 1
        block = block.next()


def anchors(view: TranscriptView) -> list[tuple[str, int]]:
    """(href, position) of every link in the document."""
    return [
        (fragment.charFormat().anchorHref(), fragment.position())
        for fragment in fragments(view)
        if fragment.charFormat().isAnchor()
    ]


def has_images(view: TranscriptView) -> bool:
    return any(fragment.charFormat().isImageFormat() for fragment in fragments(view))


def click_text_at(view: TranscriptView, position: int) -> None:
    """A real mouse click on the character after `position`."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(position + 2)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(rect.left(), rect.center().y()),
    )


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
from app.store import Message, MessageStatus, Role
from app.ui.transcript_view import TranscriptView

# Inputs come in a file: as arguments they would show in the traced execve call.
text, secret, control, canary = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
app = QApplication([])

def message(number, role, content, status="complete"):
    return Message(number, 1, None, Role(role), content, MessageStatus(status), "", "",
                   None, None, None)

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


# -- links and copying ------------------------------------------------------------------


def test_copy_link_copies_its_own_code_block(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(
        [
            message(1, "assistant", "```python\nfirst = 1\n```"),
            message(2, "user", "and?"),
            message(3, "assistant", "Two:\n\n```sh\necho second\n```\n\n```\nthird\n```"),
        ]
    )
    copies = [(href, position) for href, position in anchors(view) if "copy" in href]
    assert len(copies) == 3
    href, position = copies[1]
    with qtbot.waitSignal(view.code_copied) as copied:
        click_text_at(view, position)
    assert copied.args == [int(href.split(":")[1])]
    assert QApplication.clipboard().text() == "echo second"


def test_link_click_is_reported_not_followed(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(1, "assistant", "Read [the docs](https://example.com/a?b=1).")])
    before = view.toPlainText()
    ((href, position),) = anchors(view)
    assert href == "https://example.com/a?b=1"
    with qtbot.waitSignal(view.link_activated) as activated:
        click_text_at(view, position)
    assert activated.args == [QUrl("https://example.com/a?b=1")]
    assert view.source().isEmpty()
    assert view.toPlainText() == before


def test_only_web_links_are_reported(qtbot: QtBot, view: TranscriptView) -> None:
    with qtbot.assertNotEmitted(view.link_activated):
        for url in ("file:///etc/passwd", "javascript:alert(1)", "qrc:/x", "relative.html"):
            view.anchorClicked.emit(QUrl(url))
    assert view.source().isEmpty()


def test_continue_under_an_interrupted_reply(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages([message(7, "assistant", "half a repl", "interrupted")])
    assert view.toPlainText().endswith("half a repl\ninterrupted — Continue")
    ((href, position),) = anchors(view)
    assert href == "hearth-action:continue/7"
    with qtbot.waitSignal(view.action_requested) as requested:
        click_text_at(view, position)
    assert requested.args == ["continue", 7]


class UrlRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def record(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def url_recorder() -> Iterator[UrlRecorder]:
    """Qt's own hook for QDesktopServices.openUrl: records instead of starting a browser."""
    recorder = UrlRecorder()
    for scheme in ("http", "https", "mailto", "file"):
        # PySide6 (6.11 and 6.12) takes the slot name as str only; its stub says bytes.
        QDesktopServices.setUrlHandler(scheme, recorder, "record")  # type: ignore[arg-type]
    try:
        yield recorder
    finally:
        for scheme in ("http", "https", "mailto", "file"):
            QDesktopServices.unsetUrlHandler(scheme)


def answer_dialog(button: QMessageBox.StandardButton, questions: list[str]) -> QTimer:
    """Answer the next modal question with `button`, noting its text."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            timer.stop()
            questions.append(box.text())
            box.button(button).click()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(10)
    return timer


URL = "https://example.com/päth?q=<b>"


def test_confirm_and_open_answered_no_opens_nothing(
    qtbot: QtBot, url_recorder: UrlRecorder
) -> None:
    questions: list[str] = []
    timer = answer_dialog(QMessageBox.StandardButton.No, questions)
    assert confirm_and_open(None, QUrl(URL)) is False
    timer.stop()
    assert url_recorder.opened == []
    assert len(questions) == 1
    assert "https://example.com/p%C3%A4th?q=%3Cb%3E" in questions[0]


def test_confirm_and_open_answered_yes_opens_the_url(
    qtbot: QtBot, url_recorder: UrlRecorder
) -> None:
    questions: list[str] = []
    timer = answer_dialog(QMessageBox.StandardButton.Yes, questions)
    assert confirm_and_open(None, QUrl(URL)) is True
    timer.stop()
    assert url_recorder.opened == [QUrl(URL).toString()]


def test_confirm_and_open_refuses_other_schemes_without_asking(
    qtbot: QtBot, url_recorder: UrlRecorder
) -> None:
    questions: list[str] = []
    timer = answer_dialog(QMessageBox.StandardButton.Yes, questions)
    assert confirm_and_open(None, QUrl("file:///etc/passwd")) is False
    qtbot.wait(50)
    timer.stop()
    assert questions == []
    assert url_recorder.opened == []


# -- rendering --------------------------------------------------------------------------


def test_messages_show_speaker_body_and_status(view: TranscriptView) -> None:
    view.show_messages(
        [
            message(1, "user", "**literal** <b>x</b>\nsecond line"),
            message(2, "assistant", "**bold** answer"),
            message(3, "assistant", "cut", "stopped"),
            message(4, "assistant", "", "failed", error="The model stopped unexpectedly"),
        ]
    )
    assert view.toPlainText() == (
        "\nYou\n**literal** <b>x</b>\nsecond line\n"
        "Assistant\nbold answer\n"
        "Assistant\ncut\nstopped — Continue\n"
        "Assistant\nfailed: The model stopped unexpectedly"
    )
    assert view.accessibleName() == "Conversation transcript"


def test_show_notice_replaces_the_conversation(view: TranscriptView) -> None:
    view.show_messages(conversation(4))
    view.show_notice("No <conversation> yet")
    assert view.toPlainText() == "No <conversation> yet"


# -- streaming --------------------------------------------------------------------------


def test_streaming_updates_are_coalesced(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(4))
    view.begin_streaming(5)
    started, base = time.perf_counter(), view.stream_render_count
    for piece in range(60):
        view.append_stream(f"w{piece} ")
        if piece % 20 == 19:
            QApplication.processEvents()
    burst_ms = (time.perf_counter() - started) * 1000
    assert view.stream_render_count - base <= burst_ms // 50
    qtbot.waitUntil(lambda: "w59" in view.toPlainText(), timeout=2000)
    assert view.stream_render_count - base <= 1 + burst_ms // 50

    # A steady stream, polled every millisecond or so: one render per 50 ms at most.
    renders: list[float] = []
    seen = view.stream_render_count
    started = time.perf_counter()
    while time.perf_counter() - started < 0.6:
        view.append_stream("abc ")
        qtbot.wait(1)
        if view.stream_render_count != seen:
            assert view.stream_render_count == seen + 1
            seen = view.stream_render_count
            renders.append(time.perf_counter())
    assert 1 <= len(renders) <= 13
    gaps = [later - earlier for earlier, later in itertools.pairwise(renders)]
    assert min(gaps, default=1.0) >= 0.045, gaps


def test_end_streaming_shows_the_final_message(qtbot: QtBot, view: TranscriptView) -> None:
    earlier = conversation(3)
    view.show_messages(earlier)
    view.begin_streaming(4)
    view.append_stream("Partial **ans")
    view.flush_stream()
    assert view.toPlainText().endswith("Assistant\nPartial **ans\nwriting…")
    final = message(4, "assistant", "Final **answer**\n\n```py\nx = 1\n```", "stopped")
    view.end_streaming(final)
    reference = TranscriptView()
    qtbot.addWidget(reference)
    reference.show_messages([*earlier, final])
    assert view.toPlainText() == reference.toPlainText()
    assert view.toPlainText().endswith("Final answer\nCopy py\nx = 1\nstopped — Continue")
    assert view.materialized_count == 4


def test_streaming_leaves_earlier_blocks_alone(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(6))
    document = view.document()
    earlier_end = document.characterCount()
    block = document.begin()
    marks = []
    while block.isValid():
        block.setUserState(1000 + block.blockNumber())  # lost if the block is recreated
        marks.append((block.position(), block.text()))
        block = block.next()
    changed_at: list[int] = []
    document.contentsChange.connect(lambda position, _removed, _added: changed_at.append(position))
    view.begin_streaming(7)
    for piece in ("Here ", "is **a**", " list:\n\n- one\n- two\n\n", "```py\nx = 1\n```\n\nDone."):
        view.append_stream(piece)
        view.flush_stream()
    view.end_streaming(message(7, "assistant", "Here is the end."))
    assert changed_at
    assert min(changed_at) >= earlier_end - 1  # only at or after the end of what was there
    block = document.begin()
    for number, (position, text) in enumerate(marks):
        assert (block.position(), block.text(), block.userState()) == (
            position,
            text,
            1000 + number,
        )
        block = block.next()


STREAMED = """Intro with **bold** and a [link](https://example.com).

Title line
===

- first
- second

  continued item

1. one
2. two

Text before a table
| a | b |
|---|--:|
| 1 | 2 |

```python
def f(x):
    return x * 2
```

    indented code

> quote
lazy line

## Heading two

Final words.
"""


def block_shapes(view: TranscriptView, start: int) -> list[tuple[object, ...]]:
    shapes: list[tuple[object, ...]] = []
    block = view.document().findBlock(start)
    while block.isValid():
        form = block.blockFormat()
        listed = block.textList()
        in_list = None if listed is None else (listed.itemNumber(block), listed.format().style())
        margins = (form.topMargin(), form.bottomMargin(), form.leftMargin(), form.indent())
        shapes.append(
            (block.text(), form.headingLevel(), form.nonBreakableLines(), in_list, margins)
        )
        block = block.next()
    return shapes


def test_streamed_segments_look_like_a_full_render(qtbot: QtBot, view: TranscriptView) -> None:
    """Finished blocks are rendered once and kept; the result must match rendering the
    whole text at every step."""
    reference = TranscriptView()
    qtbot.addWidget(reference)
    start = [message(1, "user", "Show me")]
    view.show_messages(start)
    view.begin_streaming(2)
    for end in range(4, len(STREAMED) + 4, 4):
        view.append_stream(STREAMED[end - 4 : end])
        view.flush_stream()
        reference.show_messages([*start, message(2, "assistant", STREAMED[:end], "streaming")])
        streamed = block_shapes(view, view.document().firstBlock().next().position())
        rendered = block_shapes(reference, reference.document().firstBlock().next().position())
        assert streamed == rendered, STREAMED[:end]
    final = message(2, "assistant", STREAMED, "stopped")
    view.end_streaming(final)
    reference.show_messages([*start, final])
    assert view.toPlainText() == reference.toPlainText()
    streamed = block_shapes(view, view.document().firstBlock().next().position())
    assert streamed == block_shapes(reference, reference.document().firstBlock().next().position())
    assert "writing…" not in view.toPlainText()


def test_streaming_keeps_the_view_at_the_bottom(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(20))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    view.begin_streaming(21)
    for _ in range(15):
        view.append_stream("A line of streamed text that goes on.\n\n")
        view.flush_stream()
        qtbot.wait(5)
        assert bar.value() == bar.maximum()
    bar.setValue(bar.maximum() // 2)  # the user scrolls up to read
    kept = bar.value()
    for _ in range(5):
        view.append_stream("More text.\n\n")
        view.flush_stream()
        qtbot.wait(5)
    assert bar.value() == kept
    assert bar.maximum() > kept


def test_continuing_a_reply_streams_into_it(view: TranscriptView) -> None:
    view.show_messages([message(1, "user", "go"), message(2, "assistant", "half", "interrupted")])
    view.begin_streaming(2)
    view.append_stream(" and the rest")
    view.end_streaming()
    assert view.toPlainText() == "\nYou\ngo\nAssistant\nhalf and the rest"
    assert view.materialized_count == 2


# -- long conversations -----------------------------------------------------------------


def test_long_conversation_materializes_only_its_end(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(2000))
    limit = transcript_view.INITIAL_MESSAGES
    assert view.materialized_count == limit
    assert view.earlier_count == 2000 - limit
    text = view.toPlainText()
    assert text.startswith(f"Scroll up for {2000 - limit} earlier messages")
    assert "Question 1?" not in text
    assert f"Question {2001 - limit}?" in text
    assert "print(2000)" in text
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0


def test_scrolling_to_the_top_loads_earlier_messages(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(2000))
    limit, page = transcript_view.INITIAL_MESSAGES, transcript_view.PAGE_MESSAGES
    bar = view.verticalScrollBar()
    with qtbot.waitSignal(view.earlier_loaded) as loaded:
        bar.setValue(0)
    assert loaded.args == [page]
    assert view.materialized_count == limit + page
    assert view.earlier_count == 2000 - limit - page
    first = 2001 - limit - page
    expected = f"Scroll up for {first - 1} earlier messages\nYou\nQuestion {first}?"
    assert view.toPlainText().startswith(expected)
    assert bar.value() > 0  # still showing what the user saw, not the new top


def test_earlier_pages_keep_the_view_still_and_streaming_working(
    qtbot: QtBot, view: TranscriptView
) -> None:
    view.show_messages(conversation(130))
    document, bar = view.document(), view.verticalScrollBar()
    layout = document.documentLayout()
    marker = f"Question {131 - transcript_view.INITIAL_MESSAGES}?"

    def absolute_top() -> float:
        return layout.blockBoundingRect(document.find(marker).block()).top()

    while view.earlier_count:
        on_screen = absolute_top()  # where it will be on screen once the view is at the top
        with qtbot.waitSignal(view.earlier_loaded):
            bar.setValue(0)
        assert abs(absolute_top() - bar.value() - on_screen) <= 1
    assert view.materialized_count == 130
    assert document.toPlainText().startswith("\nYou\nQuestion 1?")
    view.begin_streaming(131)
    view.append_stream("streamed after paging")
    view.end_streaming()
    assert document.toPlainText().endswith("print(130)\nAssistant\nstreamed after paging")


def test_copy_links_work_in_loaded_pages(qtbot: QtBot, view: TranscriptView) -> None:
    view.show_messages(conversation(100))
    view.load_earlier()
    copies = {href for href, _ in anchors(view) if href.startswith("hearth-copy:")}
    assert len(copies) == (transcript_view.INITIAL_MESSAGES + transcript_view.PAGE_MESSAGES) // 2
    for href in copies:
        with qtbot.waitSignal(view.code_copied):
            view.anchorClicked.emit(QUrl(href))
        assert QApplication.clipboard().text().startswith("print(")


def test_a_view_that_is_not_filled_loads_more(
    qtbot: QtBot, view: TranscriptView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transcript_view, "INITIAL_MESSAGES", 2)
    with qtbot.waitSignal(view.earlier_loaded):
        view.show_messages(conversation(100))  # two messages cannot fill 480 pixels
    qtbot.wait(50)
    assert view.materialized_count == 2 + transcript_view.PAGE_MESSAGES  # then it could
    assert view.verticalScrollBar().maximum() > 0


def test_a_hidden_view_loads_nothing_more(qtbot: QtBot) -> None:
    hidden = TranscriptView()
    qtbot.addWidget(hidden)
    hidden.show_messages(conversation(2000))
    qtbot.wait(50)
    assert hidden.materialized_count == transcript_view.INITIAL_MESSAGES


def test_message_actions_work_from_the_keyboard(qtbot: QtBot) -> None:
    view = TranscriptView(message_actions=True)
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    qtbot.waitExposed(view)
    view.show_messages([message(1, "user", "Question"), message(2, "assistant", "Answer")])
    view.setFocus()
    chosen: list[tuple[str, int]] = []
    view.action_requested.connect(lambda verb, mid: chosen.append((verb, mid)))
    # Tab walks the links (the question's Copy and Edit, then the reply's), Enter follows one.
    anchors_seen = []
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        anchors_seen.append(view.textCursor().selectedText())
    assert anchors_seen == ["Copy", "Edit", "Copy", "Regenerate"]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert chosen == [("regenerate", 2)]
