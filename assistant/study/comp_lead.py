"""Comp lead: a pay question about one company and level or place opens with its table rows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from assistant.answer.citations import DIFFERENT, Answer, Citation, Sentence, Source
from assistant.domain.figures import Figure, find_figures
from assistant.domain.levels import LEVEL, ladder, number, seniority
from assistant.retrieve.scoring import asks_amount
from assistant.study.compare import Table
from assistant.study.compare_shapes import COLUMNS, Cell, Row


def _levels(text: str) -> set[tuple[str, int]]:
    return {(ladder(m).lower(), number(m)) for m in LEVEL.finditer(text)}


def rows_asked(question: str, table: Table) -> list[Row]:
    """The rows a question asks about: its places, else its levels, else its seniority word.

    'Acme pay in London?' -> the London rows; 'L5 comp at Acme' -> every source's L5;
    'senior ML engineer pay' -> every source's senior rows. Table order (sources side by side).
    """
    places = [
        r
        for r in table.rows
        if not _levels(r.label)
        and not seniority(r.label)
        and re.search(rf"(?<!\w){re.escape(r.group)}(?!\w)", question, re.I)
    ]
    if places:
        return places
    asked_levels = _levels(question)
    if asked_levels:
        return [r for r in table.rows if _levels(r.label) & asked_levels]
    word = seniority(question)
    return [r for r in table.rows if word and r.group == word] if word else []


def _chunk_of(chunks: Iterable[Any], source: str, start: int, end: int) -> Any | None:
    """The indexed chunk whose span holds a passage."""
    for c in chunks:
        m = c.metadata
        inside = int(m.get("start", 0)) <= start and end <= int(m.get("end", 0))
        if m.get("source") == source and inside:
            return c
    return None


def _line(cell: Cell, chunks: list[Any]) -> tuple[Sentence, Source] | None:
    """The passage a cell was read from, as a cited answer line (marker filled in later)."""
    chunk = _chunk_of(chunks, cell.source, cell.start, cell.end)
    if chunk is None:
        return None
    meta = chunk.metadata
    section = str(meta.get("section", ""))
    citation = Citation(
        marker=0,
        file=cell.source,
        section=section,
        start=cell.start,
        end=cell.end,
        score=1.0,
        chunk_id=str(chunk.id),
        chunk_start=int(meta.get("start", 0)),
        chunk_end=int(meta.get("end", 0)),
        passage=str(meta.get("text", "")),
    )
    source = Source(
        marker=0,
        file=cell.source,
        title=str(meta.get("title", "")),
        sections=[section] if section else [],
        last_updated=str(meta["last_updated"]) if meta.get("last_updated") else None,
    )
    return Sentence(text=cell.passage, citation=citation), source


def _repeats(figures: list[Figure], said: list[Figure]) -> bool:
    """Whether any of these figures is one already said (same amount, currency and period)."""
    return any(f.matches(g, 0.0) for f in figures for g in said if not f.percent)


def _overlaps(a: Citation, b: Citation) -> bool:
    return a.file == b.file and a.start < b.end and b.start < a.end


def with_comp_lead(
    question: str, answer: Answer, table: Table, chunks: list[Any], max_lines: int
) -> Answer:
    """The answer opened by the table rows asked about, each cited; the rest follows, no repeats.

    Unchanged when the answer is a refusal, the question asks no amount, or no row is asked
    about.
    """
    if answer.refused or not asks_amount(question):
        return answer
    lines: list[tuple[Sentence, Source]] = []
    said: dict[str, list[Figure]] = {}  # per source: the figures the lead already gives
    for row in rows_asked(question, table):
        figures = [c.figure() for c in row.cells.values()]
        if _repeats(figures, said.get(row.source, [])):
            continue  # the same source stating the same figures again
        for col in COLUMNS:  # a table with levels as columns: one passage per component
            cell = row.cells.get(col)
            line = _line(cell, chunks) if cell else None
            if line and not any(_overlaps(line[0].citation, s.citation) for s, _ in lines):  # type: ignore[arg-type]
                lines.append(line)
        said.setdefault(row.source, []).extend(figures)
    if not lines:
        return answer
    lead = [s for s, _ in lines]
    rest = [
        s
        for s in answer.sentences
        if s.citation is None
        or not (
            any(_overlaps(s.citation, x.citation) for x in lead)  # type: ignore[arg-type]
            or _repeats(find_figures(s.text), said.get(s.citation.file, []))
        )
    ]
    known = {src.file: src for src in answer.sources}
    for _, src in lines:
        known.setdefault(src.file, src)
    sentences = (lead + rest)[: max(max_lines, len(lead))]
    markers: dict[str, int] = {}
    sources: list[Source] = []
    numbered: list[Sentence] = []
    for s in sentences:
        if s.citation is None:
            numbered.append(s)
            continue
        for c in s.citations:
            if c.file not in markers and c.file in known:
                markers[c.file] = len(markers) + 1
                sources.append(known[c.file].model_copy(update={"marker": markers[c.file]}))
        cites = [c.model_copy(update={"marker": markers.get(c.file, 0)}) for c in s.citations]
        numbered.append(s.model_copy(update={"citation": cites[0], "more": cites[1:]}))
    files = {s.citation.file for s in lead if s.citation}
    note = DIFFERENT if len(files) > 1 else answer.note
    return answer.model_copy(update={"sentences": numbered, "sources": sources, "note": note})
