"""Parse a document body into structural blocks: headings, paragraphs, list items, tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.ingest.units import _ITEM, Unit, row_unit, sentences, tidy

_BOLD_LINE = re.compile(r"^[ \t]*\*\*([^*]+)\*\*[ \t]*:?[ \t]*$")
# Pipe lines markdown-it does not take for a GFM table (no delimiter row, or a mismatched one).
_TABLE_LINE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t:|-]+\|[ \t:|-]*$")
# A row of a table flattened by a scraper: a label, then figures glued together.
_GLUED_ROW = re.compile(r"^(?P<label>.*?\D)(?P<nums>(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?){2,})[ \t]*$")
_GLUED_NUM = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_HEADER_SPLIT = re.compile(r"(?<=[a-z)])(?=[A-Z])")


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


_WORD = re.compile(r"\w")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it reads ("\r\n" and "\r" too)
_PIPE = re.compile(r"(?<!\\)\|")  # a cell border: "\|" is a pipe inside a cell
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)*")  # indentation and blockquote markers


def _cells(line: str, offset: int = 0) -> list[tuple[str, int]]:
    """A table line's cells, each with the offset of its text (offset: the line's).

    Outer pipes are optional and an escaped pipe stays inside its cell, as in GFM.
    """
    a = _QUOTE.match(line).end()  # type: ignore[union-attr]
    b = len(line.rstrip())
    a += line.startswith("|", a)
    if b > a and line[b - 1] == "|" and (b - 2 < a or line[b - 2] != "\\"):
        b -= 1
    out = []
    for raw in _PIPE.split(line[a:b]):
        value = raw.strip().strip("*").strip()
        out.append((value, offset + a + (raw.find(value) if value else 0)))
        a += len(raw) + 1
    return out


def _lines(text: str, start: int) -> list[tuple[int, int, str]]:
    """Lines of text[start:] as markdown-it numbers them: (start, end without break, text)."""
    out = []
    pos = start
    for m in _NEWLINE.finditer(text, start):
        out.append((pos, m.start(), text[pos : m.start()]))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text), text[pos:]))
    return out


def _glued_header(line: str, rows: list[str]) -> list[str] | None:
    cols = [c.strip() for c in _HEADER_SPLIT.split(line) if c.strip()]
    counts = {len(_GLUED_NUM.findall(_GLUED_ROW.match(r).group("nums"))) for r in rows}  # type: ignore[union-attr]
    return cols if len(counts) == 1 and len(cols) == 1 + counts.pop() else None


def _tokens(body: str) -> list[Any]:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(body)


def _fence(tok: Any, lines: list[tuple[int, int, str]], end: int) -> tuple[int, int, int, int]:
    """A fence token's (block start, code start, code end, block end)."""

    def at(line: int) -> int:
        return lines[line][0] if line < len(lines) else end

    a, b = tok.map
    closed = b - a >= 2 and lines[b - 1][2].lstrip().startswith(tok.markup)
    code_end = at(b - 1) if closed else at(b)
    return at(a), at(a + 1), max(at(a + 1), code_end), at(b)


def code_spans(text: str, start: int) -> list[tuple[int, int, int, int]]:
    """Fenced code in text[start:]: (block start, code start, code end, block end).

    markdown-it-py finds them as CommonMark does (a `# comment` inside is code, not a heading).
    """
    if "```" not in text[start:] and "~~~" not in text[start:]:
        return []  # indented code alone is too easily a wrapped paragraph in plain text
    lines = _lines(text, start)
    return [_fence(t, lines, len(text)) for t in _tokens(text[start:]) if t.type == "fence"]


def _regions(
    text: str, lines: list[tuple[int, int, str]], start: int
) -> tuple[dict[int, Any], bool]:
    """What markdown-it finds, by first line (headings, GFM tables, code, rules), and whether
    the text is markdown (has a heading or a fence: then indented code is code too)."""
    tokens = _tokens(text[start:])
    fenced = any(t.type == "fence" for t in tokens)
    markdown = fenced or any(t.type == "heading_open" for t in tokens)
    found: dict[int, Any] = {}
    for i, tok in enumerate(tokens):
        if not tok.map or tok.map[0] in found:
            continue
        a, b = tok.map
        if tok.type == "heading_open":
            title = " ".join(tokens[i + 1].content.split()).strip("*")
            found[a] = ("heading", b, int(tok.tag[1]), title)
        elif tok.type == "table_open":
            # A line without a pipe ends the table (GFM would make it a one-cell row).
            b = next((j for j in range(a + 2, b) if not _PIPE.search(lines[j][2])), b)
            found[a] = ("table", b)
        elif tok.type == "fence" or (tok.type == "code_block" and markdown):
            found[a] = ("code", b, _fence(tok, lines, len(text)) if tok.type == "fence" else None)
        elif tok.type == "hr":
            found[a] = ("rule", b)
    return found, markdown


def parse_blocks(text: str, start: int) -> list[Block]:
    """Blocks of text[start:], offsets into the whole text; plain-text headings are guessed.

    markdown-it-py (CommonMark + GFM tables) finds headings, tables and code; the lines
    between them (paragraphs, list items, quotes) go through the line rules below, which also
    know what a parser cannot: `**Bold line**` headings, tables flattened from PDFs, bullets
    like "•", and headings of plain text.
    """
    lines = _lines(text, start)
    found, markdown = _regions(text, lines, start)
    stops = [len(lines)] * (len(lines) + 1)  # the next line markdown-it took, from each line
    for k in range(len(lines) - 1, -1, -1):
        stops[k] = k if k in found else stops[k + 1]
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
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
        if i in found:
            kind, j, *info = found[i]
            end = lines[j - 1][1]
            if kind == "heading" and info[1]:
                push_heading(info[0], info[1], s, end)
            elif kind == "table":
                blocks += _table(lines[i:j], [lines[i], lines[i + 1]], section())
            elif kind == "code":
                cs, ce = (info[0][1], info[0][2]) if info[0] else (s, end)
                body = text[cs:ce].rstrip()
                if body.strip():
                    unit = Unit(cs, cs + len(body), "code", body.strip("\n"))
                    blocks.append(Block("code", s, end, section(), units=[unit]))
            i = j
            continue
        stop = stops[i]
        stripped = line.strip()
        prev_blank = i == 0 or not lines[i - 1][2].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1][2].strip()
        if not stripped:
            i += 1
            continue
        m = _BOLD_LINE.match(line)
        if m and len(stripped) <= 120:
            push_heading(7, m.group(1).strip(), s, e)
            i += 1
            continue
        if _TABLE_LINE.match(line):  # pipe lines markdown-it does not take for a GFM table
            j = i
            while j < stop and _TABLE_LINE.match(lines[j][2]):
                j += 1
            rows = lines[i:j]
            has_sep = len(rows) > 1 and _TABLE_SEP.match(rows[1][2])
            blocks += _table(rows, rows[:2] if has_sep else rows[:1], section())
            i = j
            continue
        # A glued table: a header line followed by rows ending in glued figures.
        j = i + 1
        while j < stop and _GLUED_ROW.match(lines[j][2].strip()):
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
                    block.units.append(row_unit(glued, cells, rs, re_))
                blocks.append(block)
                i = j
                continue
        if _ITEM.match(line):
            j = i + 1
            while j < stop and lines[j][2].strip() and not _ITEM.match(lines[j][2]):
                if _TABLE_LINE.match(lines[j][2]):
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
        while j < stop and lines[j][2].strip():
            nl = lines[j][2]
            if _TABLE_LINE.match(nl) or _ITEM.match(nl) or _BOLD_LINE.match(nl):
                break
            j += 1
        be = lines[j - 1][1]
        units = sentences(text[s:be], s)
        if units:
            blocks.append(Block("para", s, be, section(), units=units))
        i = j
    return blocks


def _table(
    rows: list[tuple[int, int, str]], head: list[tuple[int, int, str]], section: tuple[str, ...]
) -> list[Block]:
    """A table block of rows (head: the header line and its delimiter row, if any)."""
    s, end = rows[0][0], rows[-1][1]
    header = [c for c, _ in _cells(head[0][2])]
    block = Block("table", s, end, section, header="\n".join(r[2] for r in head))
    for rs, re_, rl in rows[len(head) :]:
        row = row_unit(header, _cells(rl, rs), rs, re_)
        if _WORD.search(row.text):  # a row of empty cells says nothing
            block.units.append(row)
    if not block.units and _WORD.search(" ".join(header)):
        block.units.append(Unit(s, end, "row", tidy(" ".join(header))))
    return [block] if block.units else []
