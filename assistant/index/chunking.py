"""Chunk: pack structural blocks into token-sized chunks that never exceed the embedder's window."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.ingest.blocks import Block, parse_blocks
from assistant.ingest.units import TableCell, Unit, sentences, tidy
from assistant.ingest.documents import Document
from assistant.textnorm import normalize

Counter = Callable[[str], int]


@lru_cache(maxsize=4)
def tiktoken_counter(encoding: str) -> Counter:
    """Token counter for chunk sizing (tiktoken, offline encoding)."""
    import tiktoken

    enc = tiktoken.get_encoding(encoding)
    return lambda text: len(enc.encode(text, disallowed_special=()))


@dataclass
class Chunk:
    """A retrievable passage with where it came from."""

    id: str
    source: str
    title: str
    section: str
    start: int
    end: int
    text: str
    search_text: str
    units: list[Unit]
    meta: dict[str, Any] = field(default_factory=dict)
    heading: str = ""  # the section's own (last) heading, "" at the top of a document

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store."""
        return {
            **self.meta,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "heading": self.heading,
            "start": self.start,
            "end": self.end,
            "units": json.dumps([_unit_json(u) for u in self.units]),
        }


def _unit_json(u: Unit) -> list[Any]:
    """A unit as stored: start, end, kind, text, and a row's label and cells."""
    row = [u.label, [[c.header, c.value, c.start, c.at] for c in u.cells]]
    return [u.start, u.end, u.kind, u.text, *(row if u.kind == "row" else [])]


def units_from_metadata(meta: dict[str, Any]) -> list[Unit]:
    """The citable units stored with a chunk."""
    out = []
    for s, e, k, t, *row in json.loads(meta["units"]):
        label, cells = row if row else ("", [])
        data = tuple(TableCell(str(h), str(v), int(a), int(b)) for h, v, a, b in cells)
        out.append(Unit(int(s), int(e), str(k), str(t), str(label), data))
    return out


def section_parts(title: str, section: tuple[str, ...]) -> list[str]:
    """Section path without empty headings or a leading repeat of the title."""
    parts = [p for p in section if p]
    if parts and normalize(parts[0]).strip().lower() == normalize(title).strip().lower():
        parts = parts[1:]
    return parts


def section_label(title: str, section: tuple[str, ...]) -> str:
    """Section path for display: 'Onsite > Coding'."""
    return " > ".join(section_parts(title, section))


@dataclass
class _Piece:
    start: int
    end: int
    units: list[Unit]
    header: str = ""


class Chunker:
    """Structure-aware chunker sized in tiktoken tokens, checked with the embedder's tokenizer."""

    def __init__(self, chunk_tokens: int, window: int, sizer: Counter, window_counter: Counter):
        self.chunk_tokens = chunk_tokens
        self.window = window
        self.size = sizer
        self.window_size = window_counter

    def chunk(self, doc: Document) -> list[Chunk]:
        """All chunks of a document, in source order."""
        chunks: list[Chunk] = []
        groups = list(self._grouped(parse_blocks(doc.text, doc.body_start)))
        if not groups:  # only headings (or one line): index the body's sentences as they are
            body = doc.text[doc.body_start :]
            units = sentences(body, doc.body_start)
            if units:
                groups = [((), [_Piece(units[0].start, units[-1].end, units)])]
        for section, pieces in groups:
            label = section_label(doc.title, section)
            heading = (section_parts(doc.title, section) or [""])[-1]
            for group in self._pack(doc, label, pieces):
                for chunk in self._fit(doc, label, group):
                    chunk.heading = heading
                    chunks.append(chunk)
        for n, chunk in enumerate(chunks):
            chunk.id = f"{doc.name}::{n}"
        return chunks

    # --- building -------------------------------------------------------------------------
    def _grouped(self, blocks: list[Block]) -> Iterator[tuple[tuple[str, ...], list[_Piece]]]:
        section: tuple[str, ...] | None = None
        pieces: list[_Piece] = []
        for block in blocks:
            if block.kind == "heading" or not block.units:
                continue
            if block.section != section and pieces:
                yield section or (), pieces
                pieces = []
            section = block.section
            pieces.append(_Piece(block.start, block.end, list(block.units), block.header))
        if pieces:
            yield section or (), pieces

    def _context(self, doc: Document, label: str) -> str:
        company = str(doc.meta.get("company_display") or doc.meta.get("company") or "")
        title = doc.title
        if company and company.lower() not in title.lower():
            title = f"{company.title() if company.islower() else company}: {title}"
        return self._clip(" > ".join(p for p in (title, label) if p), self.chunk_tokens // 4)

    def _clip(self, text: str, limit: int) -> str:
        """Text cut at a word so it counts at most `limit` tokens (a 300-word heading, say)."""
        if self.size(text) <= limit:
            return text
        words = text.split()
        lo, hi = 0, len(words)
        while lo < hi:  # the most words that fit, with the ellipsis
            mid = (lo + hi + 1) // 2
            if self.size(" ".join(words[:mid]) + " …") <= limit:
                lo = mid
            else:
                hi = mid - 1
        return " ".join(words[:lo])[: limit * 4] + " …"

    @staticmethod
    def _search(doc: Document, piece: _Piece) -> str:
        """What is embedded and matched for a piece: its text, or a table's rendered rows."""
        if piece.header:
            return "\n".join(u.text for u in piece.units)
        return doc.text[piece.start : piece.end]

    def _make(self, doc: Document, label: str, pieces: list[_Piece]) -> Chunk:
        texts = []
        for p in pieces:
            body = doc.text[p.start : p.end]
            texts.append(
                f"{p.header}\n{body}" if p.header and not body.startswith(p.header) else body
            )
        units = [u for p in pieces for u in p.units]
        body = "\n".join(self._search(doc, p) for p in pieces)
        search = normalize(self._context(doc, label)) + "\n" + normalize(body)
        return Chunk(
            id="",
            source=doc.name,
            title=doc.title,
            section=label,
            start=pieces[0].start,
            end=pieces[-1].end,
            text="\n\n".join(texts),
            search_text=search,
            units=units,
            meta=doc.flat_meta(),
        )

    def _split_piece(self, doc: Document, piece: _Piece) -> list[_Piece]:
        """Split an oversized block at unit boundaries (table pieces keep the header)."""
        out: list[_Piece] = []
        current: list[Unit] = []
        budget = self.chunk_tokens
        for unit in self._small_units(doc, piece.units):
            if current and self.size(" ".join(u.text for u in [*current, unit])) > budget:
                out.append(_Piece(current[0].start, current[-1].end, current, piece.header))
                current = []
            current.append(unit)
        if current:
            out.append(_Piece(current[0].start, current[-1].end, current, piece.header))
        return out

    def _small_units(self, doc: Document, units: list[Unit]) -> Iterator[Unit]:
        """Units, with any single unit over the budget cut at word boundaries."""
        limit = self.chunk_tokens
        for unit in units:
            if self.size(unit.text) <= limit or unit.kind == "row":
                yield unit
                continue
            words = list(re.finditer(r"\S+", doc.text[unit.start : unit.end]))
            start = 0
            while start < len(words):
                end = start + 1
                while end < len(words):
                    span = doc.text[
                        unit.start + words[start].start() : unit.start + words[end].end()
                    ]
                    if self.size(span) > limit:
                        break
                    end += 1
                s = unit.start + words[start].start()
                e = unit.start + words[end - 1].end()
                yield Unit(s, e, "sentence", tidy(doc.text[s:e]))
                start = end

    def _pack(self, doc: Document, label: str, pieces: list[_Piece]) -> Iterator[list[_Piece]]:
        overhead = self.size(self._context(doc, label)) + 1
        budget = self.chunk_tokens - overhead
        group: list[_Piece] = []
        used = 0
        for piece in pieces:
            size = self.size(self._search(doc, piece))
            parts = [piece] if size <= budget else self._split_piece(doc, piece)
            for part in parts:
                psize = self.size(self._search(doc, part))
                if group and used + psize > budget:
                    yield group
                    group, used = [], 0
                group.append(part)
                used += psize
        if group:
            yield group

    def _fit(self, doc: Document, label: str, pieces: list[_Piece]) -> list[Chunk]:
        """The chunk, or halves of it, until the embedder's tokenizer fits it in the window."""
        chunk = self._make(doc, label, pieces)
        if self.window_size(chunk.search_text) <= self.window:
            return [chunk]
        units = chunk.units
        if len(pieces) > 1:
            mid = len(pieces) // 2
            return self._fit(doc, label, pieces[:mid]) + self._fit(doc, label, pieces[mid:])
        if len(units) > 1:
            mid = len(units) // 2
            header = pieces[0].header
            left = _Piece(units[0].start, units[mid - 1].end, units[:mid], header)
            right = _Piece(units[mid].start, units[-1].end, units[mid:], header)
            return self._fit(doc, label, [left]) + self._fit(doc, label, [right])
        # One unit still over the window (dense non-English text, long numbers): cut by words.
        unit = units[0]
        if unit.end - unit.start <= 1:  # nothing left to cut: keep it (the embedder truncates)
            return [chunk]
        words = list(re.finditer(r"\S+", doc.text[unit.start : unit.end]))
        if len(words) <= 1:
            cut = unit.start + max(1, (unit.end - unit.start) // 2)
        else:
            cut = unit.start + words[len(words) // 2].start()
        left_u = Unit(unit.start, cut, unit.kind, tidy(doc.text[unit.start : cut]))
        right_u = Unit(cut, unit.end, unit.kind, tidy(doc.text[cut : unit.end]))
        return self._fit(doc, label, [_Piece(left_u.start, left_u.end, [left_u])]) + self._fit(
            doc, label, [_Piece(right_u.start, right_u.end, [right_u])]
        )
