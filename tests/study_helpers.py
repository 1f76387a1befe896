"""Answers a careful student would type: the fact in another accepted spelling."""

from __future__ import annotations

from assistant.domain.figures import find_figures


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
