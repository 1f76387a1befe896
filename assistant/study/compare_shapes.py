"""Compare's rows and the table shapes they are read from: levels as rows, or as columns."""

# A table row passage carries its label and cells as data (blocks.TableCell); nothing here
# parses the display text. Two shapes are read:
# - levels or regions as rows, base/stock/bonus/total as columns: one comp row per table row;
# - base/stock/bonus/total as rows, levels or regions as columns: consecutive rows of one
#   table with the same column headers give one comp row per column.
# Either needs at least two comp columns (or component rows) to count as a comp table.

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.domain import data
from assistant.domain.figures import Figure, find_figures, header_currency
from assistant.domain.levels import LEVEL, seniority
from assistant.ingest.units import TableCell
from assistant.study.passages import Passage

COLUMNS = ("base", "stock", "bonus", "total")


@lru_cache(maxsize=1)
def _column_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """resources/domain/pay_columns.txt: each column's header words, in the file's order."""
    table = data.patterns("pay_columns.txt")
    unknown = set(table) - set(COLUMNS)
    if unknown:
        from assistant.errors import DataFileError

        wrong = ", ".join(sorted(unknown))
        raise DataFileError(f"pay_columns.txt names no column {wrong}; use one of {COLUMNS}")
    return tuple(table.items())


_ROLE_WORDS = re.compile(r"\b(?:engineer|scientist|manager|average|median|total|level)\b", re.I)


@dataclass(frozen=True)
class Cell:
    """One figure of a row, as written in the passage, with its citation."""

    column: str  # "base" | "stock" | "bonus" | "total"
    value: str  # the figure text exactly as in the passage: "$270K-$342K", "15%", "210,000"
    low: float
    high: float
    currency: str  # an ISO code of resources/domain/currencies.txt, or ""
    period: str  # "" | "month" | "year"
    percent: bool
    source: str  # file name of the cited passage
    start: int  # passage offsets into the whole file text
    end: int
    passage: str  # the passage's display text

    def figure(self) -> Figure:
        """The cell as a `Figure` (offsets are the passage's)."""
        c = self
        return Figure(c.low, c.high, c.currency, c.percent, c.period, c.value, c.start, c.end)

    def agrees(self, other: Cell, tolerance: float) -> bool:
        """Same amount or range (within tolerance), same currency when both given, same period."""
        same_period = (self.period or "year") == (other.period or "year")
        return same_period and self.figure().matches(other.figure(), tolerance)


@dataclass(frozen=True)
class Row:
    """One level or region of one company, from one passage (or one table)."""

    company: str
    group: str  # line-up key: a region, a seniority word, else the label
    label: str  # the source's own wording: "L5 (senior)", "Data Scientist – Staff (T4)"
    currency: str  # the cells' currency ("" if none, "GBP/USD" if mixed)
    cells: dict[str, Cell] = field(hash=False)  # column -> cell; rows stay hashable
    source: str
    start: int
    end: int

    @property
    def display(self) -> str:
        """The source's label, plus the group it is lined up under when that adds something."""
        if self.group.lower() in self.label.lower():
            return self.label
        return f"{self.label} ({self.group})"

    def figures_key(self) -> tuple[tuple[str, float, float, str, str, bool], ...]:
        """What a row says, without its wording: equal keys are identical duplicates."""
        return tuple(
            (c.column, c.low, c.high, c.currency, c.period or "year", c.percent)
            for c in sorted(self.cells.values(), key=lambda c: COLUMNS.index(c.column))
        )


def is_level(label: str) -> bool:
    """A label naming a ladder level or a seniority word."""
    return bool(LEVEL.search(label) or seniority(label))


def is_region(label: str, known: Iterable[str]) -> bool:
    """A place-like label: 1-4 words, capitalised, no digits, no role or company word."""
    words = label.split()
    if not 1 <= len(words) <= 4 or not words[0][:1].isupper() or re.search(r"\d", label):
        return False
    lowered = label.lower()
    return not _ROLE_WORDS.search(label) and not any(re.search(rf"\b{k}\b", lowered) for k in known)


def column(header: str) -> str:
    """The comp column a header names ('Base Salary (USD)' -> 'base'), else ''."""
    return next((name for name, pattern in _column_words() if pattern.search(header)), "")


def make_cell(column: str, f: Figure, currency: str, p: Passage) -> Cell:
    """A cell of figure f, citing passage p."""
    where = (p.source, p.start, p.end, p.text)
    return Cell(column, f.text, f.low, f.high, currency, f.period, f.percent, *where)


def make_row(
    p: Passage, company: str, group: str, label: str, cells: dict[str, Cell], end: int = 0
) -> Row:
    """A row starting at passage p (ending at `end` when it spans several passages)."""
    currencies = sorted({c.currency for c in cells.values() if c.currency})
    joined = "/".join(currencies)
    return Row(company, group, label, joined, cells, p.source, p.start, end or p.end)


def _table_cell(col: str, cell: TableCell, headers: str, p: Passage) -> Cell | None:
    """The comp cell of a table cell with a figure ('Negotiable', '—': none)."""
    figures = find_figures(cell.value)
    if not figures:
        return None
    f = figures[0]
    return make_cell(col, f, f.currency or ("" if f.percent else header_currency(headers)), p)


def from_table_row(p: Passage, known: tuple[str, ...]) -> Row | None:
    """A row whose label is a level or region and whose column headers are comp columns."""
    label = p.label.strip()
    if not label or not (is_level(label) or is_region(label, known)):
        return None
    cells: dict[str, Cell] = {}
    mapped = 0
    for tc in p.cells:
        col = column(tc.header) if tc.header else ""
        if not col or col in cells:
            continue
        mapped += 1
        cell = _table_cell(col, tc, tc.header, p)
        if cell:
            cells[col] = cell
    if mapped < 2 or not cells:
        return None  # not a comp table
    return make_row(p, p.company.lower(), seniority(label) or label, label, cells)


def component_row(p: Passage, known: tuple[str, ...]) -> str:
    """The comp column a row names when its column headers are levels or regions, else ''."""
    col = column(p.label)
    heads = [c.header for c in p.cells]
    if not col or not heads or any(column(h) for h in heads):
        return ""
    return col if all(is_level(h) or is_region(h, known) for h in heads) else ""


def from_component_rows(rows: list[Passage]) -> list[Row]:
    """One row per column of a components x levels table (rows: base, bonus, ..., total)."""
    by_col = {column(p.label): p for p in reversed(rows)}  # the first row naming a column
    if len(by_col) < 2:
        return []
    first, last = rows[0], rows[-1]
    out = []
    for head in dict.fromkeys(c.header for p in rows for c in p.cells):
        cells: dict[str, Cell] = {}
        for col in COLUMNS:
            p = by_col.get(col)
            tc = next((c for c in p.cells if c.header == head), None) if p else None
            cell = _table_cell(col, tc, f"{p.label} {head}", p) if p and tc else None
            if cell:
                cells[col] = cell
        if cells:
            company = first.company.lower()
            out.append(make_row(first, company, seniority(head) or head, head, cells, last.end))
    return out
