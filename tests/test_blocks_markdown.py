"""Markdown constructs on small synthetic documents: blocks, sections and exact offsets."""

from __future__ import annotations

from assistant.ingest.blocks import Block, parse_blocks
from assistant.ingest.units import tidy


def _check_offsets(text: str, blocks: list[Block]) -> None:
    """Every unit is its source slice: sentences tidy to their text, cells point at values."""
    for block in blocks:
        assert block.start <= block.end <= len(text)
        for u in block.units:
            assert block.start <= u.start < u.end <= block.end, (block, u)
            source = text[u.start : u.end]
            if u.kind == "sentence":
                assert u.text == tidy(source), u
            elif u.kind == "code":
                assert u.text == source, u
            else:
                assert u.label in source, u
                for cell in u.cells:
                    assert text[cell.start :].startswith(cell.value), (u, cell)
                    assert u.text[cell.at :].startswith(cell.value), (u, cell)


def _parse(text: str) -> list[Block]:
    blocks = parse_blocks(text, 0)
    _check_offsets(text, blocks)
    return blocks


def test_setext_headings_make_the_section_path() -> None:
    text = (
        "Interview guide\n===============\n\nThe process takes about four weeks in total.\n\n"
        "Coding round\n------------\n\nThe coding round lasts sixty minutes with one problem.\n"
    )
    blocks = _parse(text)
    heads = [b for b in blocks if b.kind == "heading"]
    assert [(b.level, text[b.start : b.end]) for b in heads] == [
        (1, "Interview guide\n==============="),
        (2, "Coding round\n------------"),
    ]
    para = blocks[-1]
    assert para.kind == "para" and para.section == ("Interview guide", "Coding round")
    assert para.units[0].text == "The coding round lasts sixty minutes with one problem."


def test_nested_list_items_are_units_of_their_own() -> None:
    text = (
        "# Rounds\n\n- The recruiter call comes first and takes half an hour.\n"
        "  - The coding screen follows within a week of it.\n"
        "  - The system design screen is for senior candidates.\n"
        "- The onsite has four rounds on one day.\n"
    )
    items = [b for b in _parse(text) if b.kind == "item"]
    assert [b.units[0].text for b in items] == [
        "The recruiter call comes first and takes half an hour.",
        "The coding screen follows within a week of it.",
        "The system design screen is for senior candidates.",
        "The onsite has four rounds on one day.",
    ]
    assert all(b.section == ("Rounds",) and len(b.units) == 1 for b in items)


def test_table_with_alignment_row_and_escaped_pipe() -> None:
    text = (
        "# Pay\n\n| Level | Base | Note |\n|:------|-----:|:----:|\n"
        "| L4 | $200K | stock \\| cash |\n| **L5** | $250K | |\n"
    )
    (table,) = [b for b in _parse(text) if b.kind == "table"]
    assert table.header == "| Level | Base | Note |\n|:------|-----:|:----:|"
    l4, l5 = table.units
    assert l4.label == "L4" and l4.cell_map() == {"Base": "$200K", "Note": "stock \\| cash"}
    assert l4.text == "L4 — Base: $200K; Note: stock \\| cash"
    assert l5.label == "L5" and l5.cell_map() == {"Base": "$250K"}  # empty cells are left out
    assert text[l5.start : l5.end] == "| **L5** | $250K | |"


def test_table_without_outer_pipes() -> None:
    text = "Level | Base | Bonus\n--- | --- | ---\nL5 | $250K | 15%\nL6 | $300K | 20%\n"
    (table,) = _parse(text)
    assert table.kind == "table" and [u.label for u in table.units] == ["L5", "L6"]
    assert table.units[1].text == "L6 — Base: $300K; Bonus: 20%"
    assert text[table.units[1].cells[0].start :].startswith("$300K | 20%")


def test_a_line_without_a_pipe_ends_the_table() -> None:
    """GFM would make it a one-cell row; it is a sentence after the table here."""
    text = "| Level | Base |\n| --- | --- |\n| L5 | $250K |\nFigures are from offer letters.\n"
    table, para = _parse(text)
    assert table.kind == "table" and len(table.units) == 1
    assert para.kind == "para"
    assert para.units[0].text == "Figures are from offer letters."


def test_code_fence_comment_is_not_a_heading() -> None:
    text = (
        "# Guide\n\n## Coding\n\n```python\n# not a heading\nprint(1)\n```\n\n"
        "Write tests for the edge cases before you submit.\n"
    )
    blocks = _parse(text)
    (code,) = [b for b in blocks if b.kind == "code"]
    assert code.units[0].text == "# not a heading\nprint(1)"
    assert [b.section for b in blocks if b.kind == "heading"] == [("Guide",), ("Guide", "Coding")]
    assert blocks[-1].section == ("Guide", "Coding")


def test_indented_code_in_a_markdown_document() -> None:
    text = "# Guide\n\nThe solution reads the input first.\n\n    def f(x):\n        return x\n"
    code = _parse(text)[-1]
    assert code.kind == "code" and code.units[0].text == "    def f(x):\n        return x"


def test_blockquote_paragraph_is_sentences() -> None:
    text = (
        "# Culture\n\n> The recruiter said the bar is high for senior roles.\n"
        "> Candidates should prepare system design in depth.\n"
    )
    para = _parse(text)[-1]
    assert para.kind == "para" and para.section == ("Culture",)
    assert [u.text for u in para.units] == [
        "> The recruiter said the bar is high for senior roles.",
        "> Candidates should prepare system design in depth.",
    ]


def test_emphasis_stays_in_a_list_item() -> None:
    text = "# Onsite\n\n- The **onsite** has *four* rounds of about an hour each.\n"
    (item,) = [b for b in _parse(text) if b.kind == "item"]
    (unit,) = item.units
    assert text[unit.start : unit.end] == "The **onsite** has *four* rounds of about an hour each."
    assert unit.text == "The **onsite** has *four* rounds of about an hour each."


def test_crlf_line_breaks_keep_offsets() -> None:
    text = "Guide\r\n=====\r\n\r\n| Level | Base |\r\n|---|---|\r\n| L5 | $250K |\r\n"
    heading, table = _parse(text)
    assert heading.section == ("Guide",) and text[heading.start : heading.end] == "Guide\r\n====="
    assert table.units[0].cell_map() == {"Base": "$250K"}
