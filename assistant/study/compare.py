"""Compare: a cited base / stock / bonus / total table per company and level or region."""

# Rules (no LLM, no index; every cell cites the passage it came from):
# - Cells come only from figures `find_figures` finds ("Negotiable", "—" give no cell).
#   Currency: the figure's symbol, else the header's "(USD)", else "". Periods are kept.
# - Tables are read in two shapes (compare_shapes): levels or regions as rows, or as columns.
# - `group` lines sources up: a region label as written, or a seniority word (the highest one
#   named wins: "Senior Staff" is staff). A level with no such word takes the word another row
#   of the company gives the same level (Level 4 "Senior"); one below every worded level of
#   its source's ladder (same prefix: IC2 under IC3 "Senior") is that ladder's "entry" level.
# - Prose counts when a sentence names total comp and pairs levels with money; a later sentence
#   of the same source that restates levels and amounts with no base/stock/bonus word is read
#   as total comp too (and collapses into the first when identical). A prose row that only
#   restates figures a table of the same source gives for that level is dropped.
# - Rows are never merged. Rows of one (company, group) whose figures differ for a shared column
#   are kept adjacent and listed in `Table.disagreements`; figures agree within the
#   `compare_tolerance` setting when periods agree (no period counts as per year).
# - Rows are ordered by seniority and ladder together: a numbered level without a word sits
#   at the word of the nearest worded level at or below it on its ladder, else just below the
#   lowest worded row of that ladder ("SDE II" before "Senior SDE"); regions come after.
# - An unknown company gives no rows and is listed in `Table.missing`; nothing is raised.

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from assistant.domain.figures import find_figures
from assistant.domain.levels import LEVEL, SENIORITY, ladder, number
from assistant.settings import knob_default
from assistant.study.compare_shapes import (
    COLUMNS,
    Cell,
    Row,
    component_row,
    from_component_rows,
    from_table_row,
    make_cell,
    make_row,
    seniority,
)
from assistant.study.passages import Passage, organisations_of

__all__ = ["COLUMNS", "SENIORITY", "Cell", "CompareRules", "Row", "Table", "compare", "extract"]

_TOTAL_COMP = re.compile(r"\btotal[ -]comp(?:ensation)?\b|\bTC\b", re.I)
_OTHER_COLUMN = re.compile(r"\bbase\b|\bsalar|\bstock|\bequity|\brsus?\b|\bbonus", re.I)


@dataclass(frozen=True)
class CompareRules:
    """Compare's tunable numbers; the defaults are the settings' (PREP_COMPARE_*)."""

    label_gap: int = field(default_factory=lambda: int(knob_default("compare_label_gap")))
    tolerance: float = field(default_factory=lambda: float(knob_default("compare_tolerance")))


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


def _prose_label(after: str, level: str) -> str:
    """The level and its own words: 'L4 (entry MLE)', 'L4 entry MLE' (stops at 'is', ':')."""
    paren = re.match(r"\s*\([^)]*\)", after)
    if paren:
        return level + paren.group(0)
    words = []
    for raw in after.split():
        word = raw.rstrip(":,;")
        if not word.isalpha() or not (seniority(word) or word[:1].isupper()):
            break
        words.append(word)
        if word != raw:
            break
    return " ".join([level, *words])


def _from_sentence(p: Passage, known: tuple[str, ...], gap: int) -> list[Row]:
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
        if f is None or f.start - lv.start() > gap:
            continue
        label = _prose_label(text[lv.end() : f.start], lv.group(0))
        cell = make_cell("total", f, f.currency, p)
        rows.append(
            make_row(p, p.company.lower(), seniority(label) or label, label, {"total": cell})
        )
    return rows


def _level_key(r: Row) -> tuple[str, str, int] | None:
    """(company, ladder, number) of the level a row's label names, if any."""
    lv = LEVEL.search(r.label)
    return (r.company, ladder(lv).lower(), number(lv)) if lv else None


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
                out[i] = replace(rows[i], group="entry")
    return out


def _level_words(rows: list[Row]) -> list[Row]:
    """An unworded level takes the seniority word other rows of its company give that level."""
    words: dict[tuple[str, str, int], set[str]] = {}
    for r in rows:
        key = _level_key(r)
        if key and r.group in SENIORITY:
            words.setdefault(key, set()).add(r.group)
    out = []
    for r in rows:
        said = words.get(_level_key(r) or ("", "", 0), set())
        worded = r.group in SENIORITY or len(said) != 1
        out.append(r if worded else replace(r, group=next(iter(said))))
    return out


def _restatements(rows: list[Row], tolerance: float) -> set[Row]:
    """Prose rows whose every figure a table row of the same source and level already gives."""
    tables = [r for r in rows if len(r.cells) > 1]
    return {
        r
        for r in rows
        if len(r.cells) == 1
        and any(
            t.source == r.source
            and _level_key(t) == _level_key(r) is not None
            and all(c in t.cells and t.cells[c].agrees(r.cells[c], tolerance) for c in r.cells)
            for t in tables
        )
    }


def extract(
    passages: list[Passage], known: Iterable[str] | None = None, rules: CompareRules | None = None
) -> list[Row]:
    """Comp rows of the passages, in passage order; `known` companies (default: the passages')."""
    companies = tuple(known) if known is not None else organisations_of(passages)
    gap = (rules or CompareRules()).label_gap
    rows: list[Row] = []
    total_sources: set[str] = set()
    restatements: list[Passage] = []
    components: list[Passage] = []  # consecutive rows of one components x levels table
    for p in passages:
        if components and not _same_table(components[-1], p, companies):
            rows.extend(from_component_rows(components))
            components = []
        if p.kind == "row":
            row = from_table_row(p, companies)
            if row:
                rows.append(row)
            elif component_row(p, companies):
                components.append(p)
        elif _TOTAL_COMP.search(p.text):
            found = _from_sentence(p, companies, gap)
            total_sources.update(r.source for r in found)
            rows.extend(found)
        elif not _OTHER_COLUMN.search(p.text):
            restatements.append(p)
    rows.extend(from_component_rows(components))
    for p in restatements:
        if p.source in total_sources:
            rows.extend(_from_sentence(p, companies, gap))
    return _level_words(_ladder_entry(rows))


def _same_table(prev: Passage, p: Passage, known: tuple[str, ...]) -> bool:
    """p continues the components x levels table prev is a row of."""
    heads = [c.header for c in prev.cells]
    return (
        p.source == prev.source
        and [c.header for c in p.cells] == heads
        and bool(component_row(p, known))
    )


def _ordering(rows: list[Row]) -> dict[Row, tuple[float, float, str]]:
    """Each row's place within its company: seniority and ladder together, then regions."""
    worded: dict[tuple[str, str], list[tuple[int, int]]] = {}  # (company, ladder) -> (n, rank)
    for r in rows:
        key = _level_key(r)
        if key and r.group in SENIORITY:
            worded.setdefault(key[:2], []).append((key[2], SENIORITY.index(r.group)))
    named: dict[tuple[str, str], list[int]] = {}  # worded rows naming a ladder without a number
    ladders = {k[:2] for r in rows if (k := _level_key(r))}
    for r in rows:
        if r.group in SENIORITY and not LEVEL.search(r.label):
            for company, name in ladders:
                if company == r.company and re.search(rf"\b{re.escape(name)}\b", r.label, re.I):
                    named.setdefault((company, name), []).append(SENIORITY.index(r.group))
    rank: dict[Row, float] = {}
    for r in rows:
        key = _level_key(r)
        if r.group in SENIORITY:
            rank[r] = SENIORITY.index(r.group)
            continue
        anchors = worded.get(key[:2], []) if key else []
        below = [at_rank for at, at_rank in sorted(anchors) if key and at <= key[2]]
        above = [at_rank for _, at_rank in anchors] + (named.get(key[:2], []) if key else [])
        rank[r] = below[-1] if below else min(above) - 0.5 if above else len(SENIORITY) + (not key)
    step: dict[tuple[str, str], float] = {}  # a group's lowest level number: L4 before L5
    for r in rows:
        key = _level_key(r)
        at = (r.company, r.group)
        step[at] = min(step.get(at, math.inf), float(key[2]) if key else math.inf)
    return {r: (rank[r], step[(r.company, r.group)], r.group.casefold()) for r in rows}


def _disagreements(rows: list[Row], tolerance: float) -> list[Disagreement]:
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
            if not a.cells[col].agrees(b.cells[col], tolerance)
        }
        if columns:
            ordered = tuple(c for c in COLUMNS if c in columns)
            out.append(Disagreement(company, group, ordered, tuple(members)))
    return out


def compare(
    passages: list[Passage], companies: list[str], rules: CompareRules | None = None
) -> Table:
    """The table for these companies (in the order asked); unknown ones just have no rows."""
    rules = rules or CompareRules()
    wanted = list(dict.fromkeys(c.strip().lower() for c in companies if c.strip()))
    rows = [r for r in extract(passages, rules=rules) if r.company in wanted]
    dropped = _restatements(rows, rules.tolerance)
    seen: set[tuple[object, ...]] = set()
    unique: list[Row] = []
    for r in sorted(rows, key=lambda r: (r.source, r.start)):
        key = (r.company, r.group, r.source, r.figures_key())
        if key not in seen and r not in dropped:  # one source stating a level twice: the first
            seen.add(key)
            unique.append(r)
    place = _ordering(unique)
    unique.sort(key=lambda r: (wanted.index(r.company), place[r], r.source, r.start))
    return Table(wanted, unique, _disagreements(unique, rules.tolerance))


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
