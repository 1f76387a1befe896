"""Document text in the page's markdown renders as itself: no tag, image or link survives."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from assistant.app.web.markup import md_code, md_text

TEXTS = [
    '<img src="http://evil.example/x.png">',
    "![logo](http://evil.example/x.png)",
    "[click me](http://evil.example/)",
    "<script>alert(1)</script>",
    "**bold** _it_ `code` ~~gone~~",
    "# not a heading",
    "> not a quote",
    "- not a list",
    "1. not a list",
    "| a | b |",
    "&lt;img&gt; stays an entity",
    "Pay is $520k–$780k, a 45-minute call & R&D (L5-L7) [1].",
    "<https://evil.example/autolink>",
    "[ref]: http://evil.example/x.png",
]


@pytest.mark.parametrize("text", TEXTS)
def test_renders_as_the_original_text(text: str) -> None:
    """Rendered by a CommonMark parser, the escaped text is one paragraph reading exactly so."""
    rendered = MarkdownIt("commonmark").enable("strikethrough").render(md_text(text))
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n"), rendered
    inner = rendered.removeprefix("<p>").removesuffix("</p>\n")
    assert "<" not in inner.replace("&lt;", ""), rendered  # no tag of any kind
    assert html.unescape(inner) == text


def test_ordinary_sentences_stay_readable() -> None:
    """Dashes, figures and ampersands inside a sentence are left as written."""
    text = "A 45-minute call at R&D pays $520k–$780k."
    assert md_text(text) == text


def test_file_names_as_code() -> None:
    """A file name with backticks, newlines or escape codes cannot break out of its code span."""
    assert md_code("a`b\nc\x1b[31m.md") == "`a'b?c?[31m.md`"
