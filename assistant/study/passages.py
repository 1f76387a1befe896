"""Passages: the citable units of the indexed documents, flat, for study mode (quiz, compare)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain.companies import organisations
from assistant.index.chunking import section_label, units_from_metadata
from assistant.index.store import StoredChunk
from assistant.ingest.blocks import parse_blocks
from assistant.ingest.documents import Document
from assistant.ingest.units import TableCell, sentences


@dataclass(frozen=True)
class Passage:
    """One sentence or table row of a document, with where it is in the file.

    `text` is the display form: a sentence tidied, or a table row rendered as
    "Label — Header: value; Header: value" (never parsed back: a row's `label` and `cells`
    are its data). `start`/`end` are character offsets into the whole file text (front
    matter included), so `file_text[start:end]` is the source slice.
    """

    source: str
    title: str
    section: str
    company: str
    start: int
    end: int
    kind: str  # "sentence" | "row"
    text: str
    last_updated: str = ""
    label: str = ""  # rows: the first cell
    cells: tuple[TableCell, ...] = ()  # rows: header, value and offsets of the other cells

    @property
    def key(self) -> str:
        """Stable id of the passage: file and span."""
        return f"{self.source}@{self.start}-{self.end}"


def from_documents(docs: Iterable[Document]) -> list[Passage]:
    """Passages of documents parsed from disk (no index needed)."""
    out: list[Passage] = []
    for doc in docs:
        company = str(doc.meta.get("company") or "")
        updated = str(doc.meta.get("last_updated") or "")
        blocks = [b for b in parse_blocks(doc.text, doc.body_start) if b.kind != "heading"]
        units = [(b.section, u) for b in blocks for u in b.units]
        if not units:
            units = [((), u) for u in sentences(doc.text[doc.body_start :], doc.body_start)]
        for section, u in units:
            out.append(
                Passage(
                    doc.name,
                    doc.title,
                    section_label(doc.title, section),
                    company,
                    u.start,
                    u.end,
                    u.kind,
                    u.text,
                    updated,
                    u.label,
                    u.cells,
                )
            )
    return out


def from_chunks(chunks: Iterable[StoredChunk]) -> list[Passage]:
    """Passages of the indexed chunks, each unit once, in file order."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Passage] = []
    for chunk in chunks:
        meta = chunk.metadata
        source = str(meta.get("source", ""))
        for u in units_from_metadata(meta):
            if (source, u.start, u.end) in seen:
                continue
            seen.add((source, u.start, u.end))
            out.append(
                Passage(
                    source,
                    str(meta.get("title", "")),
                    str(meta.get("section", "")),
                    str(meta.get("company", "")),
                    u.start,
                    u.end,
                    u.kind,
                    u.text,
                    str(meta.get("last_updated") or ""),
                    u.label,
                    u.cells,
                )
            )
    out.sort(key=lambda p: (p.source, p.start))
    return out


def organisations_of(passages: Iterable[Passage]) -> tuple[str, ...]:
    """The passages' companies and the employers they name (companies.organisations)."""
    items = list(passages)
    return organisations((p.text for p in items), (p.company for p in items))
