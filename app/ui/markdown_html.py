"""Model output (Markdown) as HTML for QTextBrowser's rich-text subset; no Qt needed.

Model output is untrusted, so the HTML made here never asks for a resource:
- raw HTML in the text is escaped (markdown-it with `html` off), so `<img>`, `<script>`,
  `<style>` and `<link>` show as text;
- images become the text "[image: alt]" followed by their URL as plain text;
- links stay links only for http, https and mailto; any other (file:, javascript:, data:,
  qrc:, relative) becomes its label followed by the URL as text. Even kept links are only
  followed after the user confirms (see link_guard).

Fenced code is highlighted with pygments as spans of token classes (`t-k`, `t-s2`...), and
each block gets a header line with its language and a "Copy" link `hearth-copy:<index>`;
the code texts are returned so the view can copy them. Colours come from class names only:
the view's style sheet (`transcript_css`) gives them, for the light or the dark theme.
Half-written Markdown (an unclosed fence, half a table) renders like any other text.

`split_stream` says how much of a streaming reply is finished and need not be rendered again;
`message_html` builds whole transcript entries (speaker, status, actions) around this.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from app.ui.transcript_css import TOKEN_CLASS_PREFIX

if TYPE_CHECKING:
    from pygments.lexer import Lexer  # type: ignore[import-untyped]
    from pygments.token import _TokenType  # type: ignore[import-untyped]

COPY_SCHEME = "hearth-copy"
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_LANGUAGE = re.compile(r"[\w+#.-]{1,40}")


@dataclass(frozen=True)
class RenderedMessage:
    """HTML for one message and the texts its `hearth-copy:<index>` links copy.

    `code_blocks[i]` belongs to the link `hearth-copy:<first_code_index + i>`.
    """

    html: str
    code_blocks: tuple[str, ...]


def render_markdown(
    text: str, first_code_index: int = 0, highlight_limit: int | None = None
) -> RenderedMessage:
    """`text` (Markdown from the model) as safe HTML; copy links count from `first_code_index`.

    Code blocks longer than `highlight_limit` characters are left uncoloured (a reply still
    streaming re-renders its open block often, and pygments is slow on big ones).
    """
    env: dict[str, Any] = {
        "code_blocks": [],
        "first_code_index": first_code_index,
        "highlight_limit": highlight_limit,
        "links": [],
    }
    html = _parser().render(text, env)
    return RenderedMessage(html, tuple(env["code_blocks"]))


class StreamSplit(NamedTuple):
    """Where a streaming text can be cut: `text[:stable_length]` renders the same whatever
    is appended; the rest starts with a block rendered as `<live_first_tag>`."""

    stable_length: int
    live_first_tag: str


def split_stream(text: str) -> StreamSplit:
    """The longest prefix of `text` made of finished top-level blocks that ends where a
    settled paragraph, heading or code block starts (0 if there is none).

    Markdown's block structure is decided line by line: once another top-level block has
    begun, the ones before it cannot change (link reference definitions aside, which is
    why the finished reply is rendered again in full). The cut is placed only before a
    block that is itself followed by another block, so that block's kind is settled too
    (a one-line paragraph may still turn into a table or a heading).
    """
    starts = [
        token
        for token in _parser().parse(text)
        if token.level == 0 and token.nesting != -1 and token.map is not None
    ]
    for index in range(len(starts) - 2, 0, -1):
        token = starts[index]
        if token.type in _CUTTABLE and token.map is not None:
            return StreamSplit(_line_offset(text, token.map[0]), _rendered_tag(token))
    return StreamSplit(0, "p")


_CUTTABLE = frozenset({"paragraph_open", "heading_open", "fence", "code_block"})
_NEWLINE = re.compile(r"\r\n?|\n")  # markdown-it's own line breaks


def _line_offset(text: str, line: int) -> int:
    if line == 0:
        return 0
    for count, match in enumerate(_NEWLINE.finditer(text), start=1):
        if count == line:
            return match.end()
    return len(text)


def _rendered_tag(token: Token) -> str:
    # A code block's HTML starts with its header line (language and "Copy").
    if token.type in ("fence", "code_block"):
        return "p.code-head"
    return _heading_tag(token) if token.type == "heading_open" else "p"


def is_safe_link(url: str) -> bool:
    """Whether a link may stay clickable: an absolute http(s) URL with a host, or mailto."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return bool(parts.path)
    return scheme in SAFE_LINK_SCHEMES and bool(parts.hostname)


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        # Every link is parsed as a link and the renderer decides which stay clickable, so
        # all unsafe ones look alike (label, then URL) instead of some staying raw Markdown.
        return True


@functools.cache
def _parser() -> MarkdownIt:
    return _Parser(
        "commonmark",
        {"html": False, "breaks": True, "linkify": False, "typographer": False},
        renderer_cls=_SafeRenderer,
    ).enable(["table", "strikethrough"])


def _muted(text: str) -> str:
    return f'<span class="muted">{escapeHtml(text)}</span>'


class _SafeRenderer(RendererHTML):
    """markdown-it's HTML renderer with the rules above; per-render state lives in `env`."""

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        info = tokens[idx].info.strip().split(maxsplit=1)
        return self._code(tokens[idx].content, info[0] if info else "", env)

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self._code(tokens[idx].content, "", env)

    def _code(self, content: str, language: str, env: EnvType) -> str:
        # No trailing newline: pasted into a terminal, the command must not run by itself.
        code = content[:-1] if content.endswith("\n") else content
        blocks: list[str] = env["code_blocks"]
        index = env["first_code_index"] + len(blocks)
        blocks.append(code)
        label = f"{escapeHtml(language)} · " if language else ""
        limit = env["highlight_limit"]
        body = escapeHtml(code) if limit is not None and len(code) > limit else None
        return (
            f'<p class="code-head">{label}<a class="copy" href="{COPY_SCHEME}:{index}">Copy</a></p>'
            f"<pre>{highlight_code(code, language) if body is None else body}</pre>\n"
        )

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children, options, env)
        source = str(token.attrGet("src") or "")
        return _muted(f"[image: {alt}]") + (f" {escapeHtml(source)}" if source else "")

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        safe = is_safe_link(href)
        env["links"].append((safe, href, token.markup == "autolink"))
        return f'<a href="{escapeHtml(href)}">' if safe else ""

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        if not env["links"]:  # unbalanced; cannot happen with markdown-it's tokens
            return ""
        safe, href, autolink = env["links"].pop()
        if safe:
            return "</a>"
        return "" if autolink or not href else " " + _muted(f"({href})")

    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        # Unreachable with `html` off; kept so a preset change cannot pass raw HTML through.
        return f"<p>{escapeHtml(tokens[idx].content)}</p>"

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return escapeHtml(tokens[idx].content)

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return '<table border="1" cellspacing="0" cellpadding="4">\n'

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _cell("th", tokens[idx])

    def td_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _cell("td", tokens[idx])

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f"<{_heading_tag(tokens[idx])}>"

    def heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f"</{_heading_tag(tokens[idx])}>\n"


def _cell(tag: str, token: Token) -> str:
    # markdown-it writes alignment as CSS (`text-align:right`); Qt honours the attribute.
    style = str(token.attrGet("style") or "")
    align = style.removeprefix("text-align:") if style.startswith("text-align:") else ""
    return f'<{tag} align="{align}">' if align in ("left", "center", "right") else f"<{tag}>"


def _heading_tag(token: Token) -> str:
    # Qt's h1/h2 are poster-sized next to chat text; shift every level down by two.
    level = int(token.tag[1:]) if token.tag[1:].isdigit() else 6
    return f"h{min(level + 2, 6)}"


@functools.lru_cache(maxsize=256)  # a streaming reply re-renders its finished blocks
def highlight_code(code: str, language: str) -> str:
    """`code` as escaped HTML, in spans of token classes when pygments knows `language`."""
    lexer = _lexer(language.lower()) if _LANGUAGE.fullmatch(language) else None
    if lexer is None:
        return escapeHtml(code)
    runs: list[tuple[str, str]] = []  # (class, text), neighbours with one class merged
    for token_type, value in lexer.get_tokens(code):
        name = "" if value.isspace() else token_class(token_type)
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + value)
        else:
            runs.append((name, value))
    return "".join(
        f'<span class="{name}">{escapeHtml(text)}</span>' if name else escapeHtml(text)
        for name, text in runs
    )


@functools.lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@functools.cache
def token_class(token_type: _TokenType) -> str:
    """The class of a pygments token: its own short name (`t-kd`) or its nearest ancestor's
    (`transcript_css` styles every short name); "" for plain text."""
    from pygments.token import STANDARD_TYPES

    while token_type is not None and not STANDARD_TYPES.get(token_type):
        token_type = token_type.parent
    return f"{TOKEN_CLASS_PREFIX}{STANDARD_TYPES[token_type]}" if token_type is not None else ""
