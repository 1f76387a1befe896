"""The citable units: sentences of a span (pysbd), table rows and their cells."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_ITEM = re.compile(r"^[ \t]*(?:[-*+•‣◦▪]|\d{1,3}[.)])[ \t]+")
_FIGURE = re.compile(r"[$£€%]|\d[,.]\d|\d{2,}")
# pysbd keeps a quoted multi-sentence passage whole; split inside at clear sentence ends.
_INNER_END = re.compile(r"(?<=[a-z0-9%)\]][.!?])[\"”]?\s+(?=[\"“]?[A-Z0-9$£€])")
_ABBREV = ("vs.", "e.g.", "i.e.", "etc.", "inc.", "approx.", "no.", "mr.", "ms.", "dr.", "st.")
_SENT_END = re.compile(r"([.!?:]|[ \t]{2,})[ \t]*$")
_WINDOW_END = re.compile(r"(?<=[a-z0-9%)\]][.!?])\s+(?=[A-Z0-9$£€\"“(])")
SEGMENT_CHARS = 4000  # longer pieces are cut at sentence ends before pysbd (quadratic in length)


@dataclass(frozen=True)
class TableCell:
    """One non-empty cell of a table row: its column header, its value and where the value is."""

    header: str
    value: str
    start: int  # offset of the value in the whole file text
    at: int  # offset of the value in the row's display text


@dataclass(frozen=True)
class Unit:
    """The smallest citable piece: a sentence, a list item's sentence or a table row."""

    start: int
    end: int
    kind: str  # "sentence" | "row" | "code"
    text: str  # display text: the source slice tidied, or a rendered table row
    label: str = ""  # rows: the first cell
    cells: tuple[TableCell, ...] = ()  # rows: the other non-empty cells, in column order

    def cell_map(self) -> dict[str, str]:
        """Rows: header -> value, in column order."""
        return {c.header: c.value for c in self.cells}


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def tidy(text: str) -> str:
    """Display form of a source slice: bullet removed, lines joined, spaces collapsed."""
    text = _ITEM.sub("", text.strip(), count=1)
    return " ".join(text.split())


def sentences(text: str, offset: int) -> list[Unit]:
    """Sentence units of a paragraph, split at sentence ends and at line breaks that end one."""
    units: list[Unit] = []
    pieces: list[tuple[int, int]] = []
    start = 0
    lines = text.splitlines(keepends=True)
    pos = 0
    for i, line in enumerate(lines):
        pos += len(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            i + 1 == len(lines)
            or _SENT_END.search(line.rstrip("\r\n"))
            or nxt.lstrip().startswith("**")
        ):
            pieces.append((start, pos))
            start = pos
    for wa, wb in pieces:
        for a, b in _windows(text, wa, wb):
            _sentence_units(text, a, b, offset, units)
    return _merge_short(units, text, offset)


def _windows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a long piece at sentence ends into windows pysbd handles fast (it is quadratic)."""
    while end - start > SEGMENT_CHARS:
        lo, hi = start + SEGMENT_CHARS // 2, start + SEGMENT_CHARS
        cut = 0
        for m in _WINDOW_END.finditer(text, lo, hi):
            before = text[max(start, m.start() - 12) : m.start()].rsplit(None, 1)[-1].lower()
            if not before.endswith(_ABBREV) and len(before) > 2:
                cut = m.end()
        if not cut:
            space = text.rfind(" ", lo, hi)
            cut = space + 1 if space > lo else hi
        yield start, cut
        start = cut
    yield start, end


def _sentence_units(text: str, a: int, b: int, offset: int, units: list[Unit]) -> None:
    """Sentence units of text[a:b], appended to units."""
    chunk = text[a:b]
    if chunk.strip():
        for s, e in _inner_split(
            chunk, [(a + x.start, a + x.end) for x in _segmenter().segment(chunk)], a
        ):
            raw = text[s:e]
            lead = len(raw) - len(raw.lstrip())
            s += lead
            e = s + len(raw.strip())
            if e > s and any(c.isalnum() for c in text[s:e]):
                units.append(Unit(offset + s, offset + e, "sentence", tidy(text[s:e])))


def _inner_split(chunk: str, spans: list[tuple[int, int]], base: int) -> list[tuple[int, int]]:
    """Split pysbd spans further where a quoted passage holds several sentences."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        text = chunk[s - base : e - base]
        cut = s
        for m in _INNER_END.finditer(text):
            before = (
                text[: m.start()].rsplit(None, 1)[-1].lower() if text[: m.start()].strip() else ""
            )
            if before.endswith(_ABBREV) or len(before) <= 2:
                continue
            out.append((cut, s + m.start() + (1 if text[m.start()] in '"”' else 0)))
            cut = s + m.end()
        out.append((cut, e))
    return out


def _merge_short(units: list[Unit], text: str, offset: int) -> list[Unit]:
    """Join a label-like fragment ('Coding round (1).') to the sentence after it."""
    out: list[Unit] = []
    carry: Unit | None = None
    for unit in units:
        if carry is not None:
            unit = Unit(
                carry.start,
                unit.end,
                "sentence",
                tidy(text[carry.start - offset : unit.end - offset]),
            )
            carry = None
        if len(unit.text.split()) <= 4 and not _FIGURE.search(unit.text):
            carry = unit
            continue
        out.append(unit)
    if carry is not None:
        out.append(carry)
    return out


def row_unit(header: list[str], cells: list[tuple[str, int]], start: int, end: int) -> Unit:
    """A row unit: label and cells as data, and the display text 'Label — Header: value; ...'."""
    label = cells[0][0] if cells else ""
    text = f"{label} — " if label else ""
    data: list[TableCell] = []
    for h, (value, at) in zip(header[1:], cells[1:], strict=False):
        if not value:
            continue
        if data:
            text += "; "
        text += f"{h}: " if h else ""
        data.append(TableCell(h, value, at, len(text)))
        text += value
    if not data:
        text = label
    return Unit(start, end, "row", text, label, tuple(data))
