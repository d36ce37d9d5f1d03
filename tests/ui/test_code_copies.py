"""The copy registry: link indices only grow, dropped blocks copy nothing."""

from __future__ import annotations

from app.ui.code_copies import CodeCopies
from app.ui.markdown_html import RenderedMessage


def rendered(*code: str) -> RenderedMessage:
    return RenderedMessage("<p>html</p>", code)


def test_indices_go_on_from_where_the_last_rendering_stopped() -> None:
    copies = CodeCopies()
    assert copies.register(rendered("a", "b")) == [0, 1]
    assert copies.register(rendered()) == []
    assert copies.register(rendered("c")) == [2]
    assert copies.next_index == 3
    assert [copies.code(text) for text in ("0", "1", "2")] == ["a", "b", "c"]


def test_dropped_and_cleared_blocks_copy_nothing_and_indices_are_not_reused() -> None:
    copies = CodeCopies()
    first = copies.register(rendered("a", "b"))
    copies.register(rendered("c"))
    copies.drop(first)
    assert copies.code("0") is None
    assert copies.code("2") == "c"
    copies.clear()
    assert copies.code("2") is None
    assert copies.register(rendered("d")) == [3]  # an old link never copies the new block


def test_malformed_indices_copy_nothing() -> None:
    copies = CodeCopies()
    copies.register(rendered("a"))
    for text in ("", "-0", "x", "0x0", "1", " 0"):
        assert copies.code(text) is None, text
