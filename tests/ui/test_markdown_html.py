"""Model output as HTML: Markdown features work, nothing in it can fetch or run anything."""

from __future__ import annotations

import re

import pytest

from app.ui.markdown_html import (
    is_safe_link,
    render_markdown,
    split_stream,
)

RICH = """# Plan

Some *emphasis*, **strong** and `inline <code>`.

- first
- second
  - nested

1. one
2. two

| name | size |
|:-----|-----:|
| a    | 1    |

```python
def double(x):
    return x * 2  # twice
```

> a quote

Final ![chart](http://127.0.0.1:9/chart.png) and [docs](https://example.com/docs).
"""

FORBIDDEN_TAGS = re.compile(r"<\s*(img|script|style|iframe|link|object|embed|svg)\b", re.I)


def test_lists_render_as_html_lists() -> None:
    html = render_markdown("- a\n- b\n\n1. one\n2. two\n").html
    assert "<ul>" in html
    assert "<li>a</li>" in html
    assert "<ol>" in html
    assert "<li>two</li>" in html


def test_tables_render_with_borders_and_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n").html
    assert '<table border="1"' in html
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html


def test_code_is_highlighted_with_token_classes_and_offered_for_copying() -> None:
    rendered = render_markdown("```python\ndef f():\n    return 1\n```\n", first_code_index=7)
    assert rendered.code_blocks == ("def f():\n    return 1",)
    # A header line names the language and offers the copy; the code follows.
    assert (
        '<p class="code-head">python · <a class="copy" href="hearth-copy:7">Copy</a></p><pre>'
        in rendered.html
    )
    # "def" is a keyword: a class names its kind, the theme's style sheet gives its colour.
    assert '<span class="t-k">def</span>' in rendered.html
    assert "style=" not in rendered.html


def test_unknown_or_missing_language_is_plain_escaped_text() -> None:
    for fence in ("```nosuchlanguage\n", "```\n"):
        rendered = render_markdown(f"{fence}a < b && c\n```\n")
        assert rendered.code_blocks == ("a < b && c",)
        assert "a &lt; b &amp;&amp; c</pre>" in rendered.html
        assert "<span" not in rendered.html.split("<pre", 1)[1]


def test_long_code_is_left_uncoloured_when_asked() -> None:
    code = "x = 1\n" * 100
    rendered = render_markdown(f"```python\n{code}```\n", highlight_limit=50)
    assert "<span style" not in rendered.html.split("<pre", 1)[1]
    assert rendered.code_blocks == (code[:-1],)


def test_copy_links_count_across_blocks() -> None:
    rendered = render_markdown("```\none\n```\n\ntext\n\n    two\n\n```sh\nthree\n```\n", 3)
    assert rendered.code_blocks == ("one", "two", "three")
    assert re.findall(r"hearth-copy:(\d+)", rendered.html) == ["3", "4", "5"]


@pytest.mark.parametrize(
    "raw",
    [
        "<img src='http://127.0.0.1:9/x.png'>",
        '<IMG SRC="/etc/passwd" onerror="alert(1)">',
        "<script>alert('x')</script>",
        "<style>body { background: url(http://127.0.0.1:9/b.png) }</style>",
        '<iframe src="http://127.0.0.1:9/"></iframe>',
        '<link rel="stylesheet" href="http://127.0.0.1:9/s.css">',
        "<div>\n<img src=x>\n</div>",
        "&lt;img src=x&gt; &#60;script&#62;",
    ],
)
def test_raw_html_is_shown_as_text(raw: str) -> None:
    for text in (raw, f"para\n\n{raw}\n\nafter", f"- item {raw}"):
        html = render_markdown(text).html
        assert not FORBIDDEN_TAGS.search(html), html
        assert "&lt;" in html


def test_images_become_inert_text() -> None:
    html = render_markdown("![a *b* c](http://127.0.0.1:9/p.png) ![](/tmp/secret.png)").html
    assert not FORBIDDEN_TAGS.search(html)
    assert "src=" not in html
    assert "href=" not in html
    assert "[image: a b c]" in html
    assert "http://127.0.0.1:9/p.png" in html
    assert "[image: ]" in html
    assert "/tmp/secret.png" in html


def test_image_inside_a_link_keeps_only_the_link() -> None:
    html = render_markdown("[![logo](http://127.0.0.1:9/l.png)](https://example.com)").html
    assert '<a href="https://example.com">' in html
    assert "src=" not in html


@pytest.mark.parametrize(
    "url", ["http://example.com/a?b=1", "https://example.com/", "mailto:someone@example.com"]
)
def test_web_and_mail_links_stay_links(url: str) -> None:
    html = render_markdown(f"[label]({url})").html
    assert re.search(r'<a href="[^"]+">label</a>', html), html
    assert is_safe_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,iVBORw0KGgo=",
        "qrc:/icons/x.png",
        "relative/path.html",
        "/absolute/path",
        "ftp://example.com/file",
        "vbscript:msgbox",
        "http:no-host",
        "#anchor",
    ],
)
def test_other_links_become_plain_text(url: str) -> None:
    html = render_markdown(f"[label]({url}) and <{url}>").html
    assert "<a " not in html, html
    assert "label" in html
    assert not is_safe_link(url)


def test_autolinks_to_the_web_are_links() -> None:
    html = render_markdown("see <https://example.com/x>").html
    assert '<a href="https://example.com/x">https://example.com/x</a>' in html


def test_plain_urls_in_text_stay_text() -> None:
    html = render_markdown("visit http://127.0.0.1:9/x today").html
    assert "<a " not in html


@pytest.mark.parametrize(
    "text",
    [
        RICH,
        "```python\ndef f(:\n    '''unterminated",
        "| a | b |\n|---|",
        "| a | b |\n|---|---|\n| 1 |",
        "- [ ] task\n- [x",
        "[link](http://exa",
        "![img](http://",
        "> quote\n> ```\n> code",
        "**bold *nested",
        "\\",
        "\x00\r\n\r",
        "<" * 50 + "[" * 50 + "*" * 50 + "`" * 50,
        "> " * 200 + "deep",
        "- " * 200 + "deep",
    ],
)
def test_half_written_markdown_renders_at_every_length(text: str) -> None:
    for end in range(len(text) + 1):
        rendered = render_markdown(text[:end])
        assert not FORBIDDEN_TAGS.search(rendered.html)


def test_unclosed_fence_is_still_a_code_block() -> None:
    rendered = render_markdown("Here:\n\n```python\nprint('hi')\nx = ")
    assert rendered.code_blocks == ("print('hi')\nx = ",)
    assert "<pre" in rendered.html


def test_headings_are_shifted_down_two_levels() -> None:
    html = render_markdown("# One\n\n## Two\n\n###### Six").html
    assert "<h3>One</h3>" in html
    assert "<h4>Two</h4>" in html
    assert "<h6>Six</h6>" in html


def test_stream_split_cuts_only_before_settled_blocks() -> None:
    # One block, or a block still last: nothing is final yet.
    assert split_stream("para one\nstill para").stable_length == 0
    assert split_stream("a\n\nb").stable_length == 0
    # "b" is followed by "c", so everything before "b" is final.
    assert split_stream("a\n\nb\n\nc") == (3, "p")
    assert split_stream("a\n\n# Head\n\nc") == (3, "h3")
    # A list or table is never where a cut starts; the cut goes before an earlier block.
    assert split_stream("a\n\nb\n\n- x\n\nc").stable_length == 3
    # An open fence swallows what follows it, so it is the last block.
    assert split_stream("a\n\n```\nb\n\nc\n").stable_length == 0
    assert split_stream("a\r\n\r\nb\r\n\r\nc") == (5, "p")  # "a\r\n\r\n"
