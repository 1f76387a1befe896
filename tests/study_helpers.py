"""Study-mode test helpers: answers a careful student would type, table rows as parsed."""

from __future__ import annotations

from dataclasses import replace

from assistant.domain.figures import find_figures
from assistant.ingest.blocks import parse_blocks
from assistant.study.passages import Passage


def lenient_variant(answer: str) -> str:
    """'$207K–$284K' -> '207,000 to 284,000'; '15%' -> '15 %'; text -> other case and spacing."""
    figures = find_figures(answer)
    if len(figures) == 1 and figures[0].text == answer.strip().rstrip("+"):
        f = figures[0]
        if f.percent:
            return f"{f.low:g} %" if f.low == f.high else f"{f.low:g} to {f.high:g} %"
        lo, hi = f"{f.low:,.0f}", f"{f.high:,.0f}"
        return lo if f.low == f.high else f"{lo} to {hi}"
    return f"  {answer.upper()} "


def row_passage(
    label: str,
    cells: list[tuple[str, str]],
    source: str = "acme.md",
    company: str = "acme",
    start: int = 100,
    **kw: str,
) -> Passage:
    """A table row passage as the parser makes it from '| label | value | ... |' at `start`."""
    head = "| | " + " | ".join(h for h, _ in cells) + " |"
    line = f"| {label} | " + " | ".join(v for _, v in cells) + " |"
    text = f"{head}\n|{'---|' * (len(cells) + 1)}\n{line}\n"
    (unit,) = [u for b in parse_blocks(text, 0) for u in b.units]
    shift = start - unit.start
    moved = tuple(replace(c, start=c.start + shift) for c in unit.cells)
    title, section = kw.get("title", "Acme Guide"), kw.get("section", "Pay")
    end = unit.end + shift
    return Passage(
        source, title, section, company, start, end, "row", unit.text, "", unit.label, moved
    )
