"""Blocks and chunks of the real seed files (tokenizer files only, no model)."""

from __future__ import annotations

import re
from functools import cache

import pytest
from conftest import SEEDS

from assistant.index.build import make_chunker
from assistant.index.chunking import (
    Chunk,
    Chunker,
    section_label,
    tiktoken_counter,
    units_from_metadata,
)
from assistant.index.embeddings import window_counter
from assistant.ingest.blocks import parse_blocks
from assistant.ingest.documents import Document, load_folder
from assistant.ingest.units import _ITEM, sentences, tidy
from assistant.settings import Settings
from assistant.textnorm import match_key, normalize


@cache
def _seed_docs() -> tuple[Document, ...]:
    s = Settings()
    docs, skipped = load_folder(SEEDS, s.extensions)
    assert not skipped
    return tuple(docs)


@cache
def _chunks() -> dict[str, list[Chunk]]:
    chunker = make_chunker(Settings())
    return {d.name: chunker.chunk(d) for d in _seed_docs()}


def _doc(prefix: str) -> Document:
    return next(d for d in _seed_docs() if d.name.startswith(prefix))


def _squash(text: str) -> str:
    """Whitespace collapsed and list bullets removed, as tidy() does for display."""
    lines = (_ITEM.sub("", line.strip(), count=1) for line in text.splitlines())
    return " ".join(" ".join(lines).split())


DOC_PREFIXES = ["000", "001", "002", "003", "004"]


def test_every_seed_is_chunked() -> None:
    chunks = _chunks()
    assert sorted(chunks) == sorted(p.name for p in SEEDS.iterdir())
    assert all(chunks[name] for name in chunks)


def test_markdown_table_rows_stay_with_their_header() -> None:
    chunks = _chunks()["000_37b8c781d736869f.txt"]
    table = [c for c in chunks if any(u.kind == "row" for u in c.units)]
    assert len(table) == 1
    search = table[0].search_text
    for row in (
        "Los Angeles — Base Salary (All-Cash): $270K-$342K",
        "San Francisco — Base Salary (All-Cash): $278K-$352K",
        "London — Base Salary (All-Cash): £206K-£261K",
    ):
        assert normalize(row) in search
    rows = [u for u in table[0].units if u.kind == "row"]
    assert [r.label for r in rows] == ["Los Angeles", "San Francisco", "London"]
    assert all("Total Comp:" in r.text and "Total Comp" in r.cell_map() for r in rows)
    stored = units_from_metadata(table[0].metadata())
    assert stored == table[0].units  # rows keep label and cells through the store
    assert rows[0].cell_map()["Total Comp"] == rows[0].cells[-1].value == "$270K-$342K"
    # The header is shown with the rows in the displayed passage.
    assert "| Region | Base Salary (All-Cash)" in table[0].text


def test_table_split_across_chunks_repeats_header() -> None:
    doc = _doc("004")
    # A tiny chunk budget forces the 3-row table into several chunks.
    chunker = Chunker(
        48,
        256,
        tiktoken_counter(Settings().tiktoken_encoding),
        window_counter(str(Settings().resolved_model_path())),
    )
    with_rows = [c for c in chunker.chunk(doc) if any(u.kind == "row" for u in c.units)]
    assert len(with_rows) >= 2
    for chunk in with_rows:
        assert chunk.text.startswith("| Region | Base Salary |")
        for unit in chunk.units:
            assert "Base Salary:" in unit.text and "Total Comp:" in unit.text


def test_glued_table_of_002_is_parsed_into_rows() -> None:
    doc = _doc("002")
    tables = [b for b in parse_blocks(doc.text, doc.body_start) if b.kind == "table"]
    assert len(tables) == 1
    rows = [u.text for u in tables[0].units]
    assert len(rows) == 4
    assert rows[1] == (
        "ML Engineer – Senior (IC3) — Base Salary (USD): 210,000; "
        "Stock Grant (USD): 200,000; Total Compensation (USD): 410,000"
    )
    assert "Total Compensation (USD): 880,000" in rows[3]
    chunk = next(c for c in _chunks()[doc.name] if any(u.kind == "row" for u in c.units))
    assert "Total Compensation (USD): 410,000" in chunk.search_text
    assert "Individual Contributor (IC2) - Base Salary (USD): 160,000" in chunk.search_text


@pytest.mark.parametrize("prefix", DOC_PREFIXES)
def test_chunks_fit_the_embedder_window(prefix: str) -> None:
    s = Settings()
    count = window_counter(str(s.resolved_model_path()))
    for chunk in _chunks()[_doc(prefix).name]:
        assert count(chunk.search_text) <= s.embed_window, chunk.id


@pytest.mark.parametrize("prefix", DOC_PREFIXES)
def test_offsets_point_at_the_source_text(prefix: str) -> None:
    doc = _doc(prefix)
    for chunk in _chunks()[doc.name]:
        assert doc.body_start <= chunk.start < chunk.end <= len(doc.text), chunk.id
        assert chunk.units
        for unit in chunk.units:
            assert chunk.start <= unit.start < unit.end <= chunk.end, (chunk.id, unit)
            source = doc.text[unit.start : unit.end]
            if unit.kind == "sentence":
                assert unit.text == tidy(source)
                assert _squash(source) == unit.text or unit.text in _squash(source)
            else:  # a table row: its first cell is the row label, each cell is in the file
                flat = match_key(source.replace("|", " ").replace("*", ""))
                assert match_key(unit.label) in flat, unit
                for cell in unit.cells:
                    assert doc.text[cell.start :].startswith(cell.value), (unit, cell)
                    assert unit.text[cell.at :].startswith(cell.value), (unit, cell)


@pytest.mark.parametrize("prefix", DOC_PREFIXES)
def test_chunks_cover_the_body_in_order(prefix: str) -> None:
    doc = _doc(prefix)
    chunks = _chunks()[doc.name]
    assert [c.id for c in chunks] == [f"{doc.name}::{n}" for n in range(len(chunks))]
    # Headings (and a split table's header) are not chunk text: they are the chunk's section.
    blocks = parse_blocks(doc.text, doc.body_start)
    skip = [(b.start, b.end) for b in blocks if b.kind == "heading"]
    skip += [(b.start, b.units[0].start) for b in blocks if b.header]
    covered = [(c.start, c.end) for c in chunks] + skip
    previous_end = doc.body_start
    for chunk in chunks:
        assert chunk.start >= previous_end, f"{chunk.id} overlaps the chunk before it"
        previous_end = chunk.end
    for m in re.finditer(r"\w+", doc.text[doc.body_start :]):
        pos = doc.body_start + m.start()
        assert any(a <= pos < b for a, b in covered), f"word {m.group()!r} at {pos} is in no chunk"


def test_sections_follow_headings() -> None:
    by_section = {c.section for c in _chunks()["003_f548cca58db76166.txt"]}
    assert {"About Netflix", "Key Responsibilities", "Compensation"} <= by_section
    sections_001 = {c.section for c in _chunks()["001_1a1fcd35119ebbf9.txt"]}
    assert "The Netflix interview: format and bar" in sections_001  # plain-text heading


def test_search_text_names_company_and_section() -> None:
    chunk = next(c for c in _chunks()["003_f548cca58db76166.txt"] if c.section == "Compensation")
    head = chunk.search_text.splitlines()[0]
    assert head.startswith("Netflix: ML Software Engineer (L4/L5) - Media Algorithms")
    assert head.endswith("> Compensation")


def test_metadata_round_trips_units() -> None:
    chunk = _chunks()["000_37b8c781d736869f.txt"][0]
    meta = chunk.metadata()
    assert meta["source"] == chunk.source and meta["company"] == "netflix"
    assert meta["last_updated"] == "2026-02-23"
    assert units_from_metadata(meta) == chunk.units
    assert all(isinstance(v, str | int | float | bool) for v in meta.values())


def test_section_label_drops_repeated_title() -> None:
    assert section_label("Guide", ("Guide", "Comp")) == "Comp"
    assert section_label("Guide", ("Other", "Comp")) == "Other > Comp"
    assert section_label("Guide", ()) == ""


def test_sentences_split_and_keep_offsets() -> None:
    text = (
        "The recruiter call comes first.\nThe onsite has 4 rounds. Each round is 60 min long.\n"
        "Short one.\nIt joins the next sentence here.\n"
    )
    units = sentences(text, 100)
    assert [u.text for u in units] == [
        "The recruiter call comes first.",
        "The onsite has 4 rounds.",
        "Each round is 60 min long.",
        "Short one. It joins the next sentence here.",  # a label-like fragment is merged
    ]
    for u in units:
        assert tidy(text[u.start - 100 : u.end - 100]) == u.text


def test_tidy_strips_bullet_and_joins_lines() -> None:
    assert tidy("  - first\n  second   part ") == "first second part"
    assert tidy("2. numbered item") == "numbered item"


def test_oversized_sentence_is_cut_within_the_window() -> None:
    s = Settings()
    body = "Netflix " + " ".join(f"word{n} 1,234,{n:03d}" for n in range(400)) + ".\n"
    doc = Document("big.txt", SEEDS / "big.txt", body, "0" * 64, title="Big")
    count = window_counter(str(s.resolved_model_path()))
    chunks = make_chunker(s).chunk(doc)
    assert len(chunks) > 1
    assert all(count(c.search_text) <= s.embed_window for c in chunks)
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


def test_chunks_store_their_own_heading_as_data() -> None:
    """Each chunk keeps its section's last heading; nobody splits it out of the section label."""
    from assistant.index.chunking import section_parts

    assert section_parts("Guide", ("Guide", "Pay", "Bands > tiers")) == ["Pay", "Bands > tiers"]
    assert section_parts("Guide", ("Guide",)) == []
