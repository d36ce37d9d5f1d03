"""Plain text and Markdown files, and the one decoder every text-ish reader shares.

Files on a laptop come in whatever encoding the program that wrote them liked: UTF-8 (with
or without a BOM), UTF-16 from Windows tools, cp1252 from old Windows editors. One decoder
makes every reader (text, HTML, e-mail, chat attachments) agree on what a file says, and it
never crashes on a bad byte: a wrong character is better than no document.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.documents.model import Block, BlockKind, Document

# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Control characters text files do not contain (tab, newlines, form feed and escape are fine).
_CONTROL = bytes([*range(0x01, 0x08), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_SNIFF_BYTES = 8192
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def decode_text(data: bytes) -> str | None:
    """`data` as text, or None when it is binary (a NUL byte or many control characters).

    A BOM decides the encoding; otherwise UTF-8, else cp1252 (which, with replacement,
    accepts any byte). Line endings are left alone.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data or _many_controls(data[:_SNIFF_BYTES]):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "utf-8" if _mostly_utf8(data) else "cp1252"
        return data.decode(encoding, errors="replace")


def _many_controls(head: bytes) -> bool:
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max(8, len(head) // 20)


def _mostly_utf8(data: bytes) -> bool:
    """Whether a file that fails to decode as UTF-8 is still UTF-8 with a few bad bytes.

    A cp1252 file's accented letters are lone high bytes; a damaged UTF-8 file has mostly
    valid multi-byte sequences. Counting both tells them apart.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return non_ascii - bad > bad


def read_text(path: Path, data: bytes, *, markdown: bool = False) -> Document | None:
    """A text file as paragraph blocks (Markdown headings too); None when `data` is binary."""
    text = decode_text(data)
    if text is None:
        return None
    blocks = markdown_blocks(text) if markdown else paragraph_blocks(text)
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), path.stem)
    return Document(path=path, kind="text", title=title, blocks=tuple(blocks))


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: runs of lines separated by blank lines, trailing spaces cut."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in normalize_newlines(text).split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def paragraph_blocks(text: str) -> list[Block]:
    """Plain text as paragraph blocks (no sections: plain text has no headings)."""
    return [Block(paragraph) for paragraph in split_paragraphs(text)]


def normalize_newlines(text: str) -> str:
    """Windows and old Mac line endings as "\\n"; form feeds (page breaks) as blank lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")


def markdown_blocks(text: str) -> list[Block]:
    """Markdown as blocks: ATX (`# x`) and setext (`x` over `===`) headings with their level,
    paragraphs split on blank lines, fenced code kept whole (its `#` lines are not headings).
    """
    blocks: list[Block] = []
    section: str | None = None
    for kind, level, content in _markdown_parts(normalize_newlines(text)):
        if kind == "heading":
            section = content
        blocks.append(Block(content, kind=kind, level=level, section=section))
    return blocks


def _markdown_parts(text: str) -> list[tuple[BlockKind, int, str]]:
    """(kind, level, text) for each heading and paragraph, in order."""
    parts: list[tuple[BlockKind, int, str]] = []
    lines: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if lines:
            parts.append(("paragraph", 0, "\n".join(lines)))
            lines.clear()

    for line in text.split("\n"):
        line = line.rstrip()
        fence_match = _FENCE.match(line)
        if fence is not None:
            lines.append(line)
            if fence_match and fence_match.group(1) == fence:
                fence = None
                flush()
        elif fence_match:
            flush()
            fence = fence_match.group(1)
            lines.append(line)
        elif heading := _ATX_HEADING.match(line):
            flush()
            if heading.group(2):
                parts.append(("heading", len(heading.group(1)), heading.group(2).strip()))
        elif len(lines) == 1 and _SETEXT_UNDERLINE.match(line):
            level = 1 if line.strip().startswith("=") else 2
            parts.append(("heading", level, lines.pop().strip()))
        elif _THEMATIC_BREAK.match(line):
            flush()
        elif line.strip():
            lines.append(line)
        else:
            flush()
    flush()
    return parts
