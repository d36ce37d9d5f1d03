"""The transcript's colours as one style sheet, for a light or a dark palette; no Qt needed.

Rendered messages carry class names only (`class="muted"`, `class="t-k"` on a code token):
this sheet gives them their colours. The view sets it as its document's default style sheet
and renders the conversation again when the palette changes, so a switch between light and
dark recolours everything, code blocks included (a light code block on a dark page, or
dark-blue keywords on black, are what inline colours gave).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

# pygments styles for code: each is legible on its own theme's code background.
LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"
TOKEN_CLASS_PREFIX = "t-"


@dataclass(frozen=True)
class TranscriptColours:
    """The few colours the transcript uses besides the palette's text colour."""

    dark: bool
    muted: str  # notes, metadata, the code language label
    you: str  # the user's name on their messages
    assistant: str  # the assistant's name
    yours_background: str  # the band behind the user's own words
    code_background: str
    code_foreground: str
    border: str  # table rules

    @classmethod
    def for_theme(cls, dark: bool) -> TranscriptColours:
        return DARK if dark else LIGHT


LIGHT = TranscriptColours(
    dark=False,
    muted="#6b7280",
    you="#2f6fd6",
    assistant="#b5541c",
    yours_background="#eef3fb",
    code_background="#f4f5f7",
    code_foreground="#1f2328",
    border="#c8ccd2",
)
DARK = TranscriptColours(
    dark=True,
    muted="#9aa3ad",
    you="#7fb0ff",
    assistant="#f0a070",
    yours_background="#26303d",
    code_background="#161b22",
    code_foreground="#e6edf3",
    border="#4a5058",
)


@functools.cache
def transcript_css(colours: TranscriptColours) -> str:
    """The style sheet for `colours`: message parts, then every code token class."""
    c = colours
    rules = [
        f".muted {{ color: {c.muted}; }}",
        f".you {{ color: {c.you}; font-weight: bold; }}",
        f".assistant {{ color: {c.assistant}; font-weight: bold; }}",
        f".meta {{ color: {c.muted}; font-size: small; }}",
        f"p.yours {{ background-color: {c.yours_background}; }}",
        f"pre {{ background-color: {c.code_background}; color: {c.code_foreground};"
        " margin-top: 0px; }",
        f"p.code-head {{ background-color: {c.code_background}; color: {c.muted};"
        " margin-bottom: 0px; }",
        "a.copy { text-decoration: none; }",
        f"table {{ border-color: {c.border}; }}",
        *token_rules(DARK_CODE_STYLE if c.dark else LIGHT_CODE_STYLE),
    ]
    return "\n".join(rules)


def token_rules(style_name: str) -> list[str]:
    """One rule per pygments token class (`.t-k`, `.t-s2`, ...) in that style's colours."""
    from pygments.styles import get_style_by_name  # type: ignore[import-untyped]
    from pygments.token import STANDARD_TYPES  # type: ignore[import-untyped]

    style = get_style_by_name(style_name)
    rules = []
    for token_type, short in STANDARD_TYPES.items():
        if not short:
            continue
        found = style.style_for_token(token_type)
        parts = []
        if found["color"]:
            parts.append(f"color: #{found['color']};")
        if found["bold"]:
            parts.append("font-weight: bold;")
        if found["italic"]:
            parts.append("font-style: italic;")
        if parts:
            rules.append(f".{TOKEN_CLASS_PREFIX}{short} {{ {' '.join(parts)} }}")
    return rules
