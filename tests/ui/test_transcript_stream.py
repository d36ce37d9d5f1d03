"""Streaming a reply: coalesced renders, earlier blocks untouched, same look as a full render."""

from __future__ import annotations

import itertools
import time

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import (
    conversation,
    message,
)


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
    assert view.toPlainText().endswith("Final answer\npy · Copy\nx = 1\nstopped — Continue")
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
