"""HTML pages: visible text only, headings and paragraphs, titles, charsets."""

from __future__ import annotations

from pathlib import Path

from app.documents.extract import extract_document
from app.documents.html_reader import html_text
from app.documents.model import Block

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>  Library   News </title>
  <style>body { font-family: serif; } p::before { content: "styled"; }</style>
  <script>document.write("<p>scripted text</p>");</script>
</head>
<body>
  <header><nav><a href="/">Home</a> | <a href="/about">About us</a></nav></header>
  <div role="navigation"><ul><li>Skip to content</li></ul></div>
  <h1>Caf&eacute; &amp; Reading Room</h1>
  <p>The new   reading
     room opens <b>on Monday</b>.<br>Entry is free.</p>
  <noscript>Please enable JavaScript.</noscript>
  <template><p>template text</p></template>
  <h3>Hours</h3>
  <ul><li>Mon&ndash;Fri: 9&#8211;17</li><li>Sat: 10-14</li></ul>
  <div>Closed on holidays<span hidden>secret</span>.</div>
  <script type="module">console.log("more script")</script>
</body>
</html>
"""


def test_visible_text_is_kept_and_scripts_styles_and_navigation_are_dropped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "news.html"
    path.write_text(PAGE, encoding="utf-8")

    document = extract_document(path)

    assert document.kind == "html"
    assert document.title == "Library News"
    assert document.blocks == (
        Block("Café & Reading Room", "heading", 1, section="Café & Reading Room"),
        Block(
            "The new reading room opens on Monday.\nEntry is free.", section="Café & Reading Room"
        ),
        Block("Hours", "heading", 3, section="Hours"),
        Block("Mon–Fri: 9–17", section="Hours"),
        Block("Sat: 10-14", section="Hours"),
        Block("Closed on holidays.", section="Hours"),
    )
    for dropped in ("styled", "scripted", "Home", "About", "Skip", "JavaScript", "template"):
        assert dropped not in document.text


def test_the_meta_charset_decides_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    path.write_bytes((page + "<p>Grüße – café</p></head></html>").encode("cp1252"))

    assert extract_document(path).text == "Grüße – café"


def test_without_a_charset_the_shared_decoder_is_used(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"\xff\xfe" + "<p>naïve</p>".encode("utf-16-le"))

    assert extract_document(path).text == "naïve"


def test_the_title_falls_back_to_the_first_heading_then_the_name(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<h2>Only Heading</h2><p>x</p>", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>No heading here</p>", encoding="utf-8")

    assert extract_document(tmp_path / "a.html").title == "Only Heading"
    assert extract_document(tmp_path / "b.html").title == "b"


def test_an_unclosed_head_ends_at_the_body_and_pre_keeps_its_lines() -> None:
    markup = "<head><title>T</title><body><pre>  indented\n    more</pre><p>after</p>"

    assert html_text(markup) == "  indented\n    more\n\nafter"


def test_a_page_without_the_html_suffix_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "saved-page"
    path.write_text("<!DOCTYPE html><title>Saved</title><p>Hello</p>", encoding="utf-8")

    document = extract_document(path)

    assert (document.kind, document.title, document.text) == ("html", "Saved", "Hello")
