"""Compensation comparison table: every cell grounded in its cited file, golden-complete."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from assistant.domain.figures import find_figures
from assistant.evaluation.golden import evaluate_compare, load_compare_golden
from assistant.ingest.documents import load_folder
from assistant.paths import resource_dir
from assistant.study.compare import (
    COLUMNS,
    Cell,
    CompareRules,
    Table,
    compare,
    extract,
    to_markdown,
)
from assistant.study.passages import Passage, from_documents
from tests.study_helpers import row_passage

SEEDS = resource_dir("seeds")
GOLDEN = Path(__file__).parent / "golden" / "compare.jsonl"
RECALL_MIN = 1.0  # every golden figure must be in the table
PRECISION_MIN = 1.0  # every figure in the table must be in the golden set
_GLUED_NUM = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_GOLDEN_KEYS = {"company", "group", "column", "low", "high", "currency", "period", "source"}


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    docs, _ = load_folder(SEEDS, (".txt", ".md"))
    return from_documents(docs)


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(SEEDS.iterdir())}


@pytest.fixture(scope="module")
def table(passages: list[Passage]) -> Table:
    return compare(passages, ["netflix", "spotify"])


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _header_before(text: str, start: int) -> str:
    """The table block above a row: from the last blank line before it up to the row."""
    return text[text.rfind("\n\n", 0, start) + 1 : start]


def grounded(cell: Cell, files: dict[str, str], passages: list[Passage]) -> bool:
    """The cell's figure is written in the cited passage of the cited file, as the cell says."""
    text = files.get(cell.source)
    if text is None or not 0 <= cell.start < cell.end <= len(text):
        return False
    if not any(
        (p.source, p.start, p.end, p.text) == (cell.source, cell.start, cell.end, cell.passage)
        for p in passages
    ):
        return False  # the citation must be a real passage, with its own text
    raw = text[cell.start : cell.end]
    if cell.value not in raw or cell.value not in cell.passage:
        return False
    parsed = find_figures(cell.value)
    if len(parsed) != 1 or parsed[0].text != cell.value:
        return False
    own = parsed[0]
    candidates = [(f.low, f.high, f.currency, f.percent, f.period) for f in find_figures(raw)]
    # A glued row ("210,000200,000410,000"): each number of the raw slice is a figure.
    candidates += [
        (float(n.replace(",", "")),) * 2 + ("", False, "") for n in _GLUED_NUM.findall(raw)
    ]
    for low, high, currency, percent, period in candidates:
        if not (_close(low, cell.low) and _close(high, cell.high)):
            continue
        if not (_close(own.low, low) and _close(own.high, high)):
            continue
        if percent != cell.percent or period != cell.period:
            continue
        if currency:
            if currency == cell.currency:
                return True
        elif cell.currency == "" or f"({cell.currency})" in _header_before(text, cell.start):
            return True
    return False


def _cells(table: Table) -> list[tuple[str, str, Cell]]:
    return [(r.company, r.group, c) for r in table.rows for c in r.cells.values()]


def test_every_cell_is_grounded_in_its_cited_file(
    table: Table, files: dict[str, str], passages: list[Passage]
) -> None:
    cells = _cells(table)
    assert len(cells) >= 30
    bad = [c for _, _, c in cells if not grounded(c, files, passages)]
    assert bad == []


def _a_cell(table: Table, group: str, column: str, company: str = "netflix") -> Cell:
    row = next(
        r for r in table.rows if (r.company, r.group) == (company, group) and column in r.cells
    )
    return row.cells[column]


@pytest.mark.parametrize(
    "group, column, change",
    [
        ("Los Angeles", "base", {"value": "$999K"}),
        ("Los Angeles", "base", {"low": 280000.0}),
        ("Los Angeles", "total", {"high": 352000.0}),
        ("Los Angeles", "base", {"start": 1555, "end": 1622}),  # San Francisco's row
        ("Los Angeles", "base", {"source": "004_878f18a71d669f95.txt"}),
        ("London", "base", {"currency": "USD"}),
        ("London", "total", {"period": "month"}),
        ("senior", "stock", {"value": "210,000"}),  # the glued row's base, not its stock
        ("senior", "stock", {"low": 210000.0, "high": 210000.0}),
        ("senior", "base", {"currency": "GBP"}),
    ],
)
def test_checker_rejects_a_corrupted_cell(
    table: Table,
    files: dict[str, str],
    passages: list[Passage],
    group: str,
    column: str,
    change: dict[str, object],
) -> None:
    cell = _a_cell(table, group, column)
    assert grounded(cell, files, passages)
    assert not grounded(dataclasses.replace(cell, **change), files, passages)  # type: ignore[arg-type]


def test_checker_rejects_a_monthly_figure_read_as_annual(
    table: Table, files: dict[str, str], passages: list[Passage]
) -> None:
    cell = _a_cell(table, "Stockholm", "base", "spotify")
    assert (cell.value, cell.period, cell.currency) == ("SEK 60K–76K/mo", "month", "SEK")
    assert not grounded(dataclasses.replace(cell, period="year"), files, passages)


def _golden() -> list[dict[str, object]]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_golden_file_is_well_formed() -> None:
    golden = _golden()
    assert all(set(g) >= _GOLDEN_KEYS for g in golden)
    assert all(g["column"] in COLUMNS for g in golden)
    keys = [(g["company"], g["group"], g["column"], g["source"]) for g in golden]
    assert len(keys) == len(set(keys))
    assert {str(g["source"])[:3] for g in golden} == {"000", "001", "002", "004"}


def test_golden_recall_and_precision(table: Table) -> None:
    score = evaluate_compare(table, load_compare_golden(GOLDEN))
    assert score["golden"] == len(_golden()) and score["cells"] >= score["golden"]
    assert score["recall"] >= RECALL_MIN, score["missed"]
    assert score["precision"] >= PRECISION_MIN, score["extra"]


def test_golden_scoring_can_fail(table: Table) -> None:
    golden = _golden()
    wrong = [{**golden[0], "high": float(golden[0]["high"]) + 1000}, *golden[1:]]  # type: ignore[arg-type]
    score = evaluate_compare(table, wrong)
    assert score["recall"] < 1 and score["precision"] < 1
    assert score["missed"] == [wrong[0]]


def test_netflix_senior_disagreement_is_flagged_and_both_rows_kept(table: Table) -> None:
    senior = [r for r in table.rows if (r.company, r.group) == ("netflix", "senior")]
    assert [r.source[:3] for r in senior] == ["001", "002"]
    assert [r.label for r in senior] == ["L5 (senior)", "ML Engineer – Senior (IC3)"]
    assert senior[0].cells["total"].value == "$520k–$780k"
    assert senior[1].cells["total"].value == "410,000"
    at = table.rows.index(senior[0])
    assert table.rows[at + 1] is senior[1]  # adjacent
    flag = table.disagreement(senior[0])
    assert flag is not None and flag is table.disagreement(senior[1])
    assert flag.columns == ("total",)
    assert set(flag.rows) == set(senior)
    rows = [ln for ln in to_markdown(table).splitlines() if ln.startswith("| netflix |")]
    lines = [ln for ln in rows if "L5 (senior)" in ln or "Senior (IC3)" in ln]
    assert len(lines) == 2 and all("⚠" in ln for ln in lines)


def test_regions_of_one_source_are_not_flagged(table: Table) -> None:
    flagged = {(d.company, d.group) for d in table.disagreements}
    assert flagged == {("netflix", g) for g in ("entry", "senior", "staff", "principal")}


def test_a_level_stated_twice_by_one_source_is_one_row(
    passages: list[Passage], table: Table
) -> None:
    raw = [r for r in extract(passages) if r.source.startswith("001") and r.group == "entry"]
    assert len(raw) == 3  # the summary, the takeaways list and the closing sentence
    kept = [r for r in table.rows if r.source.startswith("001") and r.group == "entry"]
    assert len(kept) == 1
    assert kept[0].start == min(r.start for r in raw) == 361


def test_non_figures_give_no_cell_and_sek_periods_are_kept(table: Table) -> None:
    la = next(r for r in table.rows if r.group == "Los Angeles")
    assert set(la.cells) == {"base", "total"}  # "Choose Your Mix" and "—" are no figures
    stockholm = next(r for r in table.rows if r.group == "Stockholm")
    assert stockholm.cells["base"].period == "month"
    assert stockholm.cells["stock"].period == "year"
    assert stockholm.cells["stock"].value == "SEK 585K–1,022K/yr"
    assert stockholm.cells["bonus"].value == "15%" and stockholm.cells["bonus"].percent
    glued = next(r for r in table.rows if r.label == "ML Engineer – Senior (IC3)")
    assert glued.cells["base"].currency == "USD"  # from the "(USD)" header


def test_rows_ordered_by_company_then_group_then_source(table: Table) -> None:
    companies = [r.company for r in table.rows]
    assert companies == sorted(companies, key=["netflix", "spotify"].index)
    netflix = [r.group for r in table.rows if r.company == "netflix"]
    assert list(dict.fromkeys(netflix)) == [
        "entry",
        "senior",
        "staff",
        "principal",
        "London",
        "Los Angeles",
        "San Francisco",
    ]
    assert table.companies == ["netflix", "spotify"]
    assert compare([], ["spotify"]).rows == []


def test_unknown_company_gives_an_empty_table(passages: list[Passage]) -> None:
    empty = compare(passages, ["acme"])
    assert empty.rows == [] and empty.disagreements == []
    assert empty.missing == ["acme"]
    assert "No compensation figures" in to_markdown(empty)
    mixed = compare(passages, ["Netflix ", "acme"])
    assert mixed.companies == ["netflix", "acme"] and mixed.missing == ["acme"]
    assert {r.company for r in mixed.rows} == {"netflix"}


def test_markdown_has_a_citation_after_every_cell(table: Table) -> None:
    md = to_markdown(table)
    body = [ln for ln in md.splitlines() if ln.startswith("| ") and not ln.startswith("| ---")]
    assert len(body) == len(table.rows) + 1  # header + one line per row
    cited: set[str] = set()
    for line, row in zip(body[1:], table.rows, strict=True):
        cols = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cols) == 8
        for name, text in zip(COLUMNS, cols[2:6], strict=True):
            if name in row.cells:
                m = re.fullmatch(r"(.+) \[(\d+)\]", text)
                assert m and m.group(1) == row.cells[name].value, text
                cited.add(m.group(2))
            else:
                assert text == ""
    sources = md.split("Sources:\n", 1)[1].splitlines()
    assert [s.split("]")[0] + "]" for s in sources] == [
        f"[{i}]" for i in range(1, len(sources) + 1)
    ]
    assert cited == {str(i) for i in range(1, len(sources) + 1)}
    assert "sources differ" in md


def _p(
    source: str, start: int, text: str, kind: str = "sentence", company: str = "acme"
) -> Passage:
    return Passage(source, "t", "", company, start, start + len(text), kind, text)


def _r(source: str, start: int, label: str, *cells: tuple[str, str]) -> Passage:
    return row_passage(label, list(cells), source, start=start, title="t", section="")


def test_synthetic_rows_agreeing_sources_and_labels() -> None:
    ps = [
        _r("a.md", 0, "Berlin", ("Base Salary", "€90K-€110K"), ("Bonus", "10%"), ("Stock", "n/a")),
        _r("a.md", 60, "Average", ("Base Salary", "€90K"), ("Total Comp", "€100K")),  # no region
        _r("a.md", 120, "Google", ("Base Salary", "$200K"), ("Total Comp", "$300K")),  # company
        _r("a.md", 180, "Berlin", ("Office", "Mitte"), ("Team", "Search")),  # not a comp table
        _r("b.md", 0, "Berlin", ("Base (EUR)", "90,000-110,000"), ("Bonus", "10%")),
        _r("b.md", 60, "IC1", ("Base Salary (USD)", "100,000"), ("Total (USD)", "120,000")),
        _r("b.md", 120, "IC2 Senior", ("Base Salary (USD)", "150,000"), ("Total (USD)", "190,000")),
        _p("c.md", 0, "Total comp at L3 (junior) is $150k; L4: $200k."),
        _p("c.md", 50, "Meta pays L5 $400k total comp."),
        # companies are known from the documents, not from a list in code: these two are
        # the companies of other documents (their metadata)
        _p("g.md", 0, "A guide to levels.", company="google"),
        _p("m.md", 0, "A guide to levels.", company="meta"),
    ]
    table = compare(ps, ["acme"])
    berlin = [r for r in table.rows if r.group == "Berlin"]
    assert [r.source for r in berlin] == ["a.md", "b.md"]
    assert set(berlin[0].cells) == {"base", "bonus"}
    assert berlin[1].cells["base"].currency == "EUR"
    assert table.disagreement(berlin[0]) is None  # same figures: both kept, not flagged
    assert {r.group for r in table.rows} == {"Berlin", "entry", "senior", "L4"}
    ic1 = next(r for r in table.rows if r.label == "IC1")
    assert ic1.group == "entry"  # below the ladder's lowest worded level
    l3 = next(r for r in table.rows if r.label == "L3 (junior)")
    assert (l3.group, l3.cells["total"].value) == ("entry", "$150k")
    assert not any(r.label.startswith("L5") for r in table.rows)  # Meta's level, not acme's


def test_one_source_with_two_figures_for_a_level_keeps_both_and_flags() -> None:
    ps = [
        _p("a.md", 0, "Total comp at L5 (senior) is $500k."),
        _p("a.md", 40, "Total comp at L5 (senior) is $520k."),
    ]
    table = compare(ps, ["acme"])
    assert [r.cells["total"].value for r in table.rows] == ["$500k", "$520k"]
    assert len(table.disagreements) == 1


def test_compare_is_deterministic(passages: list[Passage]) -> None:
    assert to_markdown(compare(passages, ["spotify", "netflix"])) == to_markdown(
        compare(list(passages), ["spotify", "netflix"])
    )
    first = compare(passages, ["spotify", "netflix"])
    assert first.rows[0].company == "spotify"


LEVELS = ["Level 1", "Level 2", "Level 3"]


def test_components_as_rows_and_levels_as_columns_give_one_row_per_level() -> None:
    ps = [
        _r(
            "a.md", 0, "Base pay (USD)", *zip(LEVELS, ["90,000", "100,000", "120,000"], strict=True)
        ),
        _r("a.md", 40, "Bonus", *zip(LEVELS, ["5%", "8%", "10%"], strict=True)),
        _r("a.md", 80, "Total", *zip(LEVELS, ["$100K", "$120K", "$150K"], strict=True)),
        _r("a.md", 200, "Office", ("Level 1", "Mitte"), ("Level 2", "Kreuzberg")),  # not comp
    ]
    table = compare(ps, ["acme"])
    assert [r.label for r in table.rows] == LEVELS
    level2 = table.rows[1]
    assert {c: level2.cells[c].value for c in level2.cells} == {
        "base": "100,000",
        "bonus": "8%",
        "total": "$120K",
    }
    assert level2.cells["base"].currency == "USD"  # from the row's "(USD)"
    assert [level2.cells[c].start for c in ("base", "bonus", "total")] == [0, 40, 80]
    assert (level2.start, level2.end) == (0, ps[2].end)


def test_one_component_row_is_not_a_comp_table() -> None:
    total = _r("a.md", 80, "Total", *zip(LEVELS, ["$100K", "$120K", "$150K"], strict=True))
    assert compare([total], ["acme"]).rows == []


def test_numbered_levels_and_seniority_words_are_ordered_together() -> None:
    ps = [
        _r("a.md", 0, "Senior SDE", ("Base", "$150K"), ("Total", "$180K")),
        _r("a.md", 40, "Berlin", ("Base", "€90K"), ("Total", "€100K")),
        _r("a.md", 80, "SDE II", ("Base", "$120K"), ("Total", "$140K")),
        _r("a.md", 120, "SDE I", ("Base", "$100K"), ("Total", "$110K")),
    ]
    table = compare(ps, ["acme"])
    assert [r.label for r in table.rows] == ["SDE I", "SDE II", "Senior SDE", "Berlin"]


def test_an_unworded_level_sits_at_the_word_of_the_level_below_it() -> None:
    ps = [
        _p("a.md", 0, "Total comp at L6 is $400k."),
        _p("a.md", 40, "Total comp at L5 (senior) is $300k."),
        _p("a.md", 80, "Total comp at L3 is $150k."),
        _p("b.md", 0, "Total comp at L7 (staff) is $500k."),
    ]
    table = compare(ps, ["acme"])
    assert [r.label for r in table.rows] == ["L3", "L5 (senior)", "L6", "L7 (staff)"]
    assert table.rows[0].group == "entry"  # below every worded level of its source


def test_a_level_takes_the_word_another_row_gives_it_and_prose_restating_a_table_goes() -> None:
    heads = ["Level 4", "Level 5"]
    ps = [
        _r("a.md", 0, "Base", *zip(heads, ["$150K", "$170K"], strict=True)),
        _r("a.md", 40, "Total", *zip(heads, ["$200K", "$240K"], strict=True)),
        _p("a.md", 100, "Total comp at Level 4 (senior) is $200K."),  # what the table says
        _p("b.md", 0, "Total comp at Level 4 (senior) is $200,000."),
        _p("b.md", 50, "Total comp at Level 5 is $255,000, more than the table says."),
    ]
    table = compare(ps, ["acme"])
    assert [(r.label, r.source) for r in table.rows] == [
        ("Level 4", "a.md"),
        ("Level 4 (senior)", "b.md"),
        ("Level 5", "a.md"),
        ("Level 5", "b.md"),
    ]
    assert table.rows[0].group == "senior"  # the word the other rows give Level 4
    (flag,) = table.disagreements
    assert (flag.group, flag.columns) == ("Level 5", ("total",))
    said = {r.source: r.cells["total"].value for r in flag.rows}
    assert said == {"a.md": "$240K", "b.md": "$255,000"}


def test_rules_come_from_the_caller() -> None:
    ps = [_p("a.md", 0, "Total comp at L5 for engineers in the main office is $300k.")]
    assert len(compare(ps, ["acme"]).rows) == 1
    assert compare(ps, ["acme"], CompareRules(label_gap=10)).rows == []
    two = [_p("a.md", 0, "Total comp at L5 is $300k."), _p("b.md", 0, "Total comp at L5 is $303k.")]
    assert compare(two, ["acme"]).disagreements == []  # within 1%
    assert len(compare(two, ["acme"], CompareRules(tolerance=0.001)).disagreements) == 1
