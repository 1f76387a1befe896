"""Parse a document body into structural blocks: headings, paragraphs, list items, tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_MD_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_BOLD_LINE = re.compile(r"^[ \t]*\*\*([^*]+)\*\*[ \t]*:?[ \t]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+•‣◦▪]|\d{1,3}[.)])[ \t]+")
_TABLE_LINE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t:|-]+\|[ \t:|-]*$")
# A row of a table flattened by a scraper: a label, then figures glued together.
_GLUED_ROW = re.compile(r"^(?P<label>.*?\D)(?P<nums>(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?){2,})[ \t]*$")
_GLUED_NUM = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_HEADER_SPLIT = re.compile(r"(?<=[a-z)])(?=[A-Z])")
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


@dataclass
class Block:
    """A structural block with its character span in the source file."""

    kind: str  # "heading" | "para" | "item" | "table" | "code"
    start: int
    end: int
    section: tuple[str, ...]
    units: list[Unit] = field(default_factory=list)
    header: str = ""  # tables: the header line(s), repeated in every chunk of the table
    level: int = 0


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


_WORD = re.compile(r"\w")


def _cells(line: str, offset: int = 0) -> list[tuple[str, int]]:
    """A table line's cells, each with the offset of its text (offset: the line's)."""
    out = []
    inner = line.strip().strip("|")
    inner_at = offset + line.find(inner) if inner else offset
    for raw in inner.split("|"):
        value = raw.strip().strip("*").strip()
        out.append((value, inner_at + (raw.find(value) if value else 0)))
        inner_at += len(raw) + 1
    return out


def _row_unit(header: list[str], cells: list[tuple[str, int]], start: int, end: int) -> Unit:
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


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    out = []
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body), body))
        pos += len(line)
    return out


def _glued_header(line: str, rows: list[str]) -> list[str] | None:
    cols = [c.strip() for c in _HEADER_SPLIT.split(line) if c.strip()]
    counts = {len(_GLUED_NUM.findall(_GLUED_ROW.match(r).group("nums"))) for r in rows}  # type: ignore[union-attr]
    return cols if len(counts) == 1 and len(cols) == 1 + counts.pop() else None


def code_spans(text: str, start: int) -> list[tuple[int, int, int, int]]:
    """Fenced and indented code in text[start:]: (block start, code start, code end, block end).

    markdown-it-py finds them as CommonMark does (a `# comment` inside is code, not a heading).
    """
    if "```" not in text[start:] and "~~~" not in text[start:]:
        return []  # indented code alone is too easily a wrapped paragraph in plain text
    from markdown_it import MarkdownIt

    body = text[start:]
    starts = [0] + [i + 1 for i, c in enumerate(body) if c == "\n"]

    def at(line: int) -> int:
        return start + (starts[line] if line < len(starts) else len(body))

    out = []
    for tok in MarkdownIt("commonmark").parse(body):
        if tok.type == "fence" and tok.map:
            a, b = tok.map
            closed = b - a >= 2 and body[starts[b - 1] :].lstrip().startswith(tok.markup)
            code_end = at(b - 1) if closed else at(b)
            out.append((at(a), at(a + 1), max(at(a + 1), code_end), at(b)))
    return out


def parse_blocks(text: str, start: int) -> list[Block]:
    """Blocks of text[start:], offsets into the whole text; plain-text headings are guessed."""
    lines = _lines(text, start, len(text))
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    code = code_spans(text, start)
    in_code = [any(a <= ln[0] < b for a, _, _, b in code) for ln in lines]
    markdown = any(_MD_HEADING.match(ln[2]) for ln, c in zip(lines, in_code, strict=True) if not c)
    i = 0

    def section() -> tuple[str, ...]:
        return tuple(t for _, t in stack)

    def push_heading(level: int, title: str, s: int, e: int) -> None:
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        blocks.append(Block("heading", s, e, section(), level=level))

    while i < len(lines):
        s, e, line = lines[i]
        stripped = line.strip()
        prev_blank = i == 0 or not lines[i - 1][2].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1][2].strip()
        if in_code[i]:  # a code block: one unit, never headings or list items
            a, cs, ce, b = next(span for span in code if span[0] <= s < span[3])
            j = i
            while j < len(lines) and lines[j][0] < b:
                j += 1
            body = text[cs:ce].rstrip()
            if body.strip():
                unit = Unit(cs, cs + len(body), "code", body.strip("\n"))
                blocks.append(Block("code", a, lines[j - 1][1], section(), units=[unit]))
            i = j
            continue
        if not stripped:
            i += 1
            continue
        m = _MD_HEADING.match(line)
        if m:
            push_heading(len(m.group(1)), m.group(2).strip().strip("*"), s, e)
            i += 1
            continue
        m = _BOLD_LINE.match(line)
        if m and len(stripped) <= 120:
            push_heading(7, m.group(1).strip(), s, e)
            i += 1
            continue
        if _TABLE_LINE.match(line):
            j = i
            while j < len(lines) and _TABLE_LINE.match(lines[j][2]):
                j += 1
            rows = lines[i:j]
            has_sep = len(rows) > 1 and _TABLE_SEP.match(rows[1][2])
            head_rows = rows[:2] if has_sep else rows[:1]
            header = [c for c, _ in _cells(head_rows[0][2])]
            block = Block(
                "table", s, rows[-1][1], section(), header="\n".join(r[2] for r in head_rows)
            )
            for rs, re_, rl in rows[len(head_rows) :]:
                row = _row_unit(header, _cells(rl, rs), rs, re_)
                if _WORD.search(row.text):  # a row of empty cells says nothing
                    block.units.append(row)
            if not block.units and _WORD.search(" ".join(header)):
                block.units.append(Unit(s, rows[-1][1], "row", tidy(" ".join(header))))
            if block.units:
                blocks.append(block)
            i = j
            continue
        # A glued table: a header line followed by rows ending in glued figures.
        j = i + 1
        while j < len(lines) and _GLUED_ROW.match(lines[j][2].strip()):
            j += 1
        if j - i >= 2:
            raw_rows = [ln[2].strip() for ln in lines[i + 1 : j]]
            glued = _glued_header(stripped, raw_rows)
            if glued:
                block = Block("table", s, lines[j - 1][1], section(), header=line)
                for rs, re_, rl in lines[i + 1 : j]:
                    lead = len(rl) - len(rl.lstrip())
                    gm = _GLUED_ROW.match(rl.strip())
                    assert gm is not None
                    at = rs + lead + gm.start("nums")
                    cells = [(gm.group("label").strip(), rs + lead)]
                    cells += [(n[0], at + n.start()) for n in _GLUED_NUM.finditer(gm["nums"])]
                    block.units.append(_row_unit(glued, cells, rs, re_))
                blocks.append(block)
                i = j
                continue
        if _ITEM.match(line):
            j = i + 1
            while j < len(lines) and lines[j][2].strip() and not _ITEM.match(lines[j][2]):
                if _TABLE_LINE.match(lines[j][2]) or _MD_HEADING.match(lines[j][2]):
                    break
                j += 1
            be = lines[j - 1][1]
            marker = _ITEM.match(line)
            ms = s + (marker.end() if marker else 0)
            blocks.append(Block("item", s, be, section(), units=sentences(text[ms:be], ms)))
            i = j
            continue
        if (
            not markdown
            and prev_blank
            and next_blank
            and len(stripped) <= 90
            and len(stripped.split()) <= 12
            and stripped[0].isalnum()
            and not stripped.endswith((".", ",", ";", ":", "?", "!"))
        ):
            push_heading(2 if blocks else 1, stripped, s, e)
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j][2].strip():
            nl = lines[j][2]
            if (
                _MD_HEADING.match(nl)
                or _TABLE_LINE.match(nl)
                or _ITEM.match(nl)
                or _BOLD_LINE.match(nl)
            ):
                break
            j += 1
        be = lines[j - 1][1]
        units = sentences(text[s:be], s)
        if units:
            blocks.append(Block("para", s, be, section(), units=units))
        i = j
    return blocks
