"""Code blocks are code: comment lines inside a fence never become headings or list items."""

from __future__ import annotations

from assistant.ingest.blocks import code_spans, parse_blocks

DOC = (
    "# Guide\n\nIntro.\n\n## Coding round\n\n"
    "```python\n# read the input\n- not a list item\ndef f(x):\n"
    "    # edge cases\n    return x\n```\n\n"
    "After the code.\n\n## Culture\n\nCandor matters.\n"
)


def test_fenced_code_is_one_code_unit() -> None:
    """The fence's body is one unit with exact offsets; the fence lines are left out."""
    blocks = parse_blocks(DOC, 0)
    code = [b for b in blocks if b.kind == "code"]
    assert len(code) == 1
    unit = code[0].units[0]
    assert unit.kind == "code" and DOC[unit.start : unit.end] == unit.text
    assert unit.text.startswith("# read the input") and unit.text.endswith("return x")


def test_sections_after_code_are_right() -> None:
    """Headings come only from outside the fence."""
    sections = {b.section for b in parse_blocks(DOC, 0)}
    assert ("Guide", "Culture") in sections
    assert not any("read the input" in part or "edge cases" in part for s in sections for part in s)
    after = next(
        b for b in parse_blocks(DOC, 0) if b.units and b.units[0].text == "After the code."
    )
    assert after.section == ("Guide", "Coding round")


def test_unclosed_fence_runs_to_the_end() -> None:
    """An unclosed fence is code to the end of the document, as CommonMark reads it."""
    text = "Intro.\n\n~~~\n# not a heading\nmore"
    ((_, cs, ce, end),) = code_spans(text, 0)
    assert text[cs:ce] == "# not a heading\nmore" and end == len(text)
    assert [b.kind for b in parse_blocks(text, 0)] == ["para", "code"]


def test_plain_text_without_fences_is_unchanged() -> None:
    """No fence: no code spans (indented lines in a .txt are wrapped prose, not code)."""
    assert code_spans("Title\n\n    indented prose line\n", 0) == []
