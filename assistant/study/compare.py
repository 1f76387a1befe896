"""Compare: a cited base / stock / bonus / total table per company and level or region."""

# Rules (no LLM, no index; every cell cites the passage it came from):
# - Cells come only from figures `find_figures` finds ("Choose Your Mix", "—" give no cell).
#   Currency: the figure's symbol, else the header's "(USD)", else "". Periods are kept.
# - `group` lines sources up: a region label as written, or a seniority word (the highest one
#   named wins: "Senior Staff" is staff). A level with no such word below every worded level of
#   its source's ladder (same prefix: IC2 under IC3 "Senior") is that ladder's "entry" level.
# - Prose counts when a sentence names total comp and pairs levels with money; a later sentence
#   of the same source that restates levels and amounts with no base/stock/bonus word is read
#   as total comp too (and collapses into the first when identical).
# - Rows are never merged. Rows of one (company, group) whose figures differ for a shared column
#   are kept adjacent and listed in `Table.disagreements`; figures agree when `Figure.matches`
#   (1%) and periods agree (no period counts as per year). A point is not a range.
# - An unknown company gives no rows and is listed in `Table.missing`; nothing is raised.

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.domain.figures import CURRENCY_CODES, Figure, find_figures
from assistant.domain.levels import LEVEL, ladder, number
from assistant.study.passages import Passage, organisations_of

COLUMNS = ("base", "stock", "bonus", "total")
SENIORITY = ("entry", "mid", "senior", "staff", "principal", "distinguished")
_SENIORITY_WORDS = (  # highest first: "Senior Staff" is staff
    ("distinguished", r"distinguished|fellow"),
    ("principal", r"principal"),
    ("staff", r"staff"),
    ("senior", r"senior|sr\.?"),
    ("mid", r"mid(?:-level)?|intermediate"),
    ("entry", r"entry|junior|jr\.?|new[- ]grad"),
)
_COLUMN_WORDS = (  # checked in order: "Total Compensation" is total, "Base Salary" base
    ("total", re.compile(r"\btotal\b|\btc\b", re.I)),
    ("bonus", re.compile(r"\bbonus", re.I)),
    ("stock", re.compile(r"\bstock|\bequity|\brsus?\b|\bgrant|\boption", re.I)),
    ("base", re.compile(r"\bbase\b|\bsalar", re.I)),
)
_HEADER_CURRENCY = re.compile(rf"\b({'|'.join(CURRENCY_CODES)})\b", re.I)
_TOTAL_COMP = re.compile(r"\btotal[ -]comp(?:ensation)?\b|\bTC\b", re.I)
_OTHER_COLUMN = re.compile(r"\bbase\b|\bsalar|\bstock|\bequity|\brsus?\b|\bbonus", re.I)
_ROW = re.compile(r"^(?P<label>.+?) — (?P<cells>.+)$", re.S)
_ROLE_WORDS = re.compile(r"\b(?:engineer|scientist|manager|average|median|total|level)\b", re.I)
_MAX_LABEL_GAP = 60  # characters between a level and its amount in prose


@dataclass(frozen=True)
class Cell:
    """One figure of a row, as written in the passage, with its citation."""

    column: str  # "base" | "stock" | "bonus" | "total"
    value: str  # the figure text exactly as in the passage: "$270K-$342K", "15%", "210,000"
    low: float
    high: float
    currency: str  # "USD" | "GBP" | "EUR" | "SEK" | ""
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

    def agrees(self, other: Cell) -> bool:
        """Same amount or range (1%), same currency when both given, same period."""
        same_period = (self.period or "year") == (other.period or "year")
        return same_period and self.figure().matches(other.figure())


@dataclass(frozen=True)
class Row:
    """One level or region of one company, from one passage."""

    company: str
    group: str  # line-up key: a region, a seniority word, else the label
    label: str  # the source's own wording: "L5 (senior)", "ML Engineer – Senior (IC3)"
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


@dataclass(frozen=True)
class Disagreement:
    """Rows of one company and group whose figures differ for the named columns."""

    company: str
    group: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass
class Table:
    """The comparison: requested companies, ordered rows, and where sources disagree."""

    companies: list[str]
    rows: list[Row] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Requested companies with no figures (unknown, or no comp in their documents)."""
        found = {r.company for r in self.rows}
        return [c for c in self.companies if c not in found]

    def disagreement(self, row: Row) -> Disagreement | None:
        """The disagreement this row takes part in, if any."""
        return next((d for d in self.disagreements if row in d.rows), None)

    def citations(self) -> dict[tuple[str, int, int], tuple[int, Cell]]:
        """Each cited passage (file, start, end) -> its number [n], in table order, and a cell."""
        out: dict[tuple[str, int, int], tuple[int, Cell]] = {}
        for r in self.rows:
            for col in COLUMNS:
                c = r.cells.get(col)
                if c is not None:
                    out.setdefault((c.source, c.start, c.end), (len(out) + 1, c))
        return out

    def marker(self, cell: Cell) -> int:
        """The citation number of a cell's passage."""
        return self.citations()[(cell.source, cell.start, cell.end)][0]


def _seniority(label: str) -> str:
    for word, pattern in _SENIORITY_WORDS:
        if re.search(rf"\b(?:{pattern})(?!\w)", label, re.I):
            return word
    return ""


def _is_level(label: str) -> bool:
    return bool(LEVEL.search(label) or _seniority(label))


def _is_region(label: str, known: Iterable[str]) -> bool:
    """A place-like label: 1-4 words, capitalised, no digits, no role or company word."""
    words = label.split()
    if not 1 <= len(words) <= 4 or not words[0][:1].isupper() or re.search(r"\d", label):
        return False
    lowered = label.lower()
    return not _ROLE_WORDS.search(label) and not any(re.search(rf"\b{k}\b", lowered) for k in known)


def _column(header: str) -> str:
    return next((name for name, pattern in _COLUMN_WORDS if pattern.search(header)), "")


def _cell(column: str, f: Figure, currency: str, p: Passage) -> Cell:
    where = (p.source, p.start, p.end, p.text)
    return Cell(column, f.text, f.low, f.high, currency, f.period, f.percent, *where)


def _row(p: Passage, company: str, group: str, label: str, cells: dict[str, Cell]) -> Row:
    currencies = sorted({c.currency for c in cells.values() if c.currency})
    return Row(company, group, label, "/".join(currencies), cells, p.source, p.start, p.end)


def _from_table_row(p: Passage, known: tuple[str, ...]) -> Row | None:
    m = _ROW.match(p.text)
    if not m:
        return None
    label = m.group("label").strip()
    if not (_is_level(label) or _is_region(label, known)):
        return None
    cells: dict[str, Cell] = {}
    mapped = 0
    for pair in m.group("cells").split("; "):
        header, sep, value = pair.partition(": ")
        column = _column(header) if sep else ""
        if not column or column in cells:
            continue
        mapped += 1
        figures = find_figures(value)
        if figures:  # "Choose Your Mix", "—": no figure, no cell
            hc = _HEADER_CURRENCY.search(header)
            f = figures[0]
            cur = f.currency or ("" if f.percent or not hc else hc.group(1).upper())
            cells[column] = _cell(column, f, cur, p)
    if mapped < 2 or not cells:
        return None  # not a comp table
    group = _seniority(label) or label
    return _row(p, p.company.lower(), group, label, cells)


def _prose_label(after: str, level: str) -> str:
    """The level and its own words: 'L4 (entry MLE)', 'L4 entry MLE' (stops at 'is', ':')."""
    paren = re.match(r"\s*\([^)]*\)", after)
    if paren:
        return level + paren.group(0)
    words = []
    for raw in after.split():
        word = raw.rstrip(":,;")
        if not word.isalpha() or not (_seniority(word) or word[:1].isupper()):
            break
        words.append(word)
        if word != raw:
            break
    return " ".join([level, *words])


def _from_sentence(p: Passage, known: tuple[str, ...]) -> list[Row]:
    text = p.text
    others = [k for k in known if k != p.company.lower()]
    if any(re.search(rf"\b{re.escape(k)}\b", text, re.I) for k in others):
        return []  # a level of another company
    levels = list(LEVEL.finditer(text))
    money = [f for f in find_figures(text) if f.currency and not f.percent]
    rows: list[Row] = []
    for i, lv in enumerate(levels):
        stop = levels[i + 1].start() if i + 1 < len(levels) else len(text)
        f = next((f for f in money if lv.end() <= f.start < stop), None)
        if f is None or f.start - lv.start() > _MAX_LABEL_GAP:
            continue
        label = _prose_label(text[lv.end() : f.start], lv.group(0))
        cell = _cell("total", f, f.currency, p)
        rows.append(_row(p, p.company.lower(), _seniority(label) or label, label, {"total": cell}))
    return rows


def _ladder_entry(rows: list[Row]) -> list[Row]:
    """Group a source's unworded lowest level as 'entry' when every worded level is above it."""
    out = list(rows)
    by_source: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for i, r in enumerate(rows):
        lv = LEVEL.search(r.label)
        if lv:
            key = (r.source, r.company, ladder(lv).lower())
            by_source.setdefault(key, []).append((number(lv), i))
    for steps in by_source.values():
        worded = [n for n, i in steps if rows[i].group in SENIORITY]
        if not worded or any(rows[i].group == "entry" for _, i in steps):
            continue
        lowest = min(n for n, _ in steps)
        for n, i in steps:
            if n == lowest and rows[i].group not in SENIORITY and n < min(worded):
                r = rows[i]
                out[i] = Row(
                    r.company, "entry", r.label, r.currency, r.cells, r.source, r.start, r.end
                )
    return out


def extract(passages: list[Passage], known: Iterable[str] | None = None) -> list[Row]:
    """Comp rows of the passages, in passage order; `known` companies (default: the passages')."""
    companies = tuple(known) if known is not None else organisations_of(passages)
    rows: list[Row] = []
    total_sources: set[str] = set()
    restatements: list[Passage] = []
    for p in passages:
        if p.kind == "row":
            row = _from_table_row(p, companies)
            if row:
                rows.append(row)
        elif _TOTAL_COMP.search(p.text):
            found = _from_sentence(p, companies)
            total_sources.update(r.source for r in found)
            rows.extend(found)
        elif not _OTHER_COLUMN.search(p.text):
            restatements.append(p)
    for p in restatements:
        if p.source in total_sources:
            rows.extend(_from_sentence(p, companies))
    return _ladder_entry(rows)


def _group_rank(group: str) -> tuple[int, str]:
    if group in SENIORITY:
        return (SENIORITY.index(group), "")
    return (len(SENIORITY), group.casefold())


def _disagreements(rows: list[Row]) -> list[Disagreement]:
    out: list[Disagreement] = []
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.company, r.group), []).append(r)
    for (company, group), members in groups.items():
        columns = {
            col
            for i, a in enumerate(members)
            for b in members[i + 1 :]
            for col in a.cells.keys() & b.cells.keys()
            if not a.cells[col].agrees(b.cells[col])
        }
        if columns:
            ordered = tuple(c for c in COLUMNS if c in columns)
            out.append(Disagreement(company, group, ordered, tuple(members)))
    return out


def compare(passages: list[Passage], companies: list[str]) -> Table:
    """The table for these companies (in the order asked); unknown ones just have no rows."""
    wanted = list(dict.fromkeys(c.strip().lower() for c in companies if c.strip()))
    rows = [r for r in extract(passages) if r.company in wanted]
    seen: set[tuple[object, ...]] = set()
    unique: list[Row] = []
    for r in sorted(rows, key=lambda r: (r.source, r.start)):
        key = (r.company, r.group, r.source, r.figures_key())
        if key not in seen:  # one source stating a level twice: keep the first passage
            seen.add(key)
            unique.append(r)
    unique.sort(key=lambda r: (wanted.index(r.company), _group_rank(r.group), r.source, r.start))
    return Table(wanted, unique, _disagreements(unique))


def _md(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def to_markdown(table: Table) -> str:
    """The table as markdown: each figure followed by [n], numbered sources below."""
    if not table.rows:
        return f"No compensation figures found for {', '.join(table.companies) or 'nobody'}."
    cited = table.citations()

    def cite(c: Cell) -> str:
        return f"{_md(c.value)} [{cited[(c.source, c.start, c.end)][0]}]"

    lines = [
        "| Company | Level / region | Base | Stock | Bonus | Total | Currency | Source |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in table.rows:
        where = r.display
        if table.disagreement(r):
            where += " ⚠ sources differ"
        cells = [cite(r.cells[c]) if c in r.cells else "" for c in COLUMNS]
        lines.append(
            f"| {r.company} | {_md(where)} | "
            + " | ".join(cells)
            + f" | {r.currency} | {_md(r.source)} |"
        )
    out = ["\n".join(lines)]
    if table.disagreements:
        flagged = ["**Sources disagree** (shown side by side, not merged):"]
        for d in table.disagreements:
            said = "; ".join(
                f"{r.source} ({r.label}): "
                + ", ".join(f"{c} {r.cells[c].value}" for c in d.columns if c in r.cells)
                for r in d.rows
            )
            flagged.append(f"- ⚠ {d.company} / {d.group}, {', '.join(d.columns)}: {said}")
        out.append("\n".join(flagged))
    if table.missing:
        out.append(f"No compensation figures for: {', '.join(table.missing)}.")
    out.append(
        "Sources:\n"
        + "\n".join(
            f"[{n}] {src} (chars {s}-{e}): {_md(c.passage)}"
            for (src, s, e), (n, c) in cited.items()
        )
    )
    return "\n\n".join(out)
