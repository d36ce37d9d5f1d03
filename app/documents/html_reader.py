"""Saved web pages and HTML e-mail bodies: the text a person would see, in blocks.

The standard library's parser is enough: we only need the visible text and where blocks
start and end, not a rendered page. Scripts, styles, templates and navigation are left out
because they are not what the page says, and they would waste the model's context.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from app.documents.model import Block, BlockKind, Document
from app.documents.text_reader import decode_text

# Never visible, or not the page's content.
_HIDDEN = frozenset(
    {"script", "style", "noscript", "template", "nav", "head", "svg", "canvas", "iframe",
     "object", "button", "select", "datalist", "dialog"}
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
# Elements that start and end a block of text (anything else is inline).
_BLOCK = frozenset(
    {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "td", "th", "tr", "table", "caption",
     "blockquote", "pre", "section", "article", "main", "aside", "header", "footer",
     "figure", "figcaption", "address", "form", "fieldset", "legend", "details", "summary",
     "hr", "body", "html", "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_HEAD_CONTENT = frozenset(
    {"title", "meta", "link", "style", "script", "base", "noscript", "template", "head"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_LINE_BREAK = "\u2028"  # stands for <br> while whitespace is collapsed


@dataclass(frozen=True)
class HtmlContent:
    """What an HTML text says: its <title> (None if it has none) and its blocks."""

    title: str | None
    blocks: tuple[Block, ...]


def read_html(path: Path, data: bytes) -> Document:
    """An HTML file as a Document; the <title> (else the first heading, else the name) titles it."""
    content = html_blocks(decode_html(data))
    headings = (b.text for b in content.blocks if b.kind == "heading")
    title = content.title or next(headings, path.stem)
    return Document(path=path, kind="html", title=title, blocks=content.blocks)


def decode_html(data: bytes) -> str:
    """HTML bytes as text: a BOM wins, then <meta charset>, then the shared text decoder."""
    declared = _declared_charset(data)
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data.decode(declared, errors="replace")
    text = decode_text(data)
    return text if text is not None else data.decode("utf-8", errors="replace")


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    # As browsers do: a page that got this far in ASCII is not UTF-16, and Latin-1 means cp1252.
    if name.startswith("utf-16"):
        return "utf-8"
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name


def html_blocks(markup: str) -> HtmlContent:
    """The visible text of `markup` as heading and paragraph blocks, with sections."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return HtmlContent(title=parser.title, blocks=tuple(parser.blocks))


def html_text(markup: str) -> str:
    """The visible text of `markup`, blocks separated by blank lines."""
    return "\n\n".join(block.text for block in html_blocks(markup).blocks)


class _TextParser(HTMLParser):
    """Collects visible text into blocks as the parser streams through the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: str | None = None
        self._hidden: list[str] = []  # open elements since the outermost hidden one
        self._in_title = False
        self._title_parts: list[str] = []
        self._pre_depth = 0
        self._parts: list[str] = []
        self._kind: BlockKind = "paragraph"
        self._level = 0
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden == ["head"] and tag not in _HEAD_CONTENT:
            self._hidden.clear()  # as in browsers, an unclosed <head> ends at body content
        if tag == "title" and self._hidden in ([], ["head"]):
            self._in_title = True
        elif self._hidden:
            if tag not in _VOID:
                self._hidden.append(tag)
        elif tag in _HIDDEN or _is_hidden(attrs):
            if tag in _BLOCK or tag == "nav":  # a hidden <span> leaves its line whole
                self._flush()
            if tag not in _VOID:
                self._hidden.append(tag)
        elif tag == "br":
            self._parts.append(_LINE_BREAK)
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self._pre_depth += 1
            if tag in _HEADINGS:
                self._kind, self._level = "heading", _HEADINGS[tag]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <img/>: nothing to close, and a self-closed hidden element hides nothing.
        if tag == "br" and not self._hidden:
            self._parts.append(_LINE_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
        elif self._hidden:
            if tag in self._hidden:  # close it and anything left unclosed inside it
                del self._hidden[len(self._hidden) - 1 - self._hidden[::-1].index(tag) :]
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre" and self._pre_depth:
                self._pre_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        elif not self._hidden:
            self._parts.append(data if self._pre_depth else data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = _collapse("".join(self._parts), keep_lines=self._pre_depth > 0)
        self._parts.clear()
        if text:
            if self._kind == "heading":
                self._section = text
            self.blocks.append(Block(text, self._kind, self._level, section=self._section))
        self._kind, self._level = "paragraph", 0


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    values = dict(attrs)
    return (
        "hidden" in values
        or values.get("role") == "navigation"
        or values.get("aria-hidden") == "true"
    )


def _collapse(text: str, *, keep_lines: bool) -> str:
    """Whitespace as a browser shows it: runs collapsed, <br> kept as line breaks."""
    if keep_lines:
        return text.replace(_LINE_BREAK, "\n").strip("\n").rstrip()
    lines = (" ".join(line.split()) for line in text.split(_LINE_BREAK))
    return "\n".join(line for line in lines if line)
