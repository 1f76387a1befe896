"""Study-mode test helpers: typed answers, parsed table rows, a served copy of the index."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from assistant.domain.figures import find_figures
from assistant.ingest.blocks import parse_blocks
from assistant.settings import Settings
from assistant.study.passages import Passage
from tests.procs import free_port, running


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


def study_copy(seeded: Settings, base: Path) -> Settings:
    """A copy of the seeded index under base, with an empty study log and documents folder."""
    shutil.copytree(seeded.index_dir, base / "index")
    return seeded.with_overrides(
        index_dir=base / "index", study_db=base / "quiz.sqlite3", docs_dir=base / "documents"
    )


@contextmanager
def serving(study: Settings, *flags: str, **env: str) -> Iterator[str]:
    """`prep serve` over that study copy on a free 127.0.0.1 port; yields its URL."""
    port = free_port()
    full = {
        **os.environ,
        "PREP_SEEDS_DIR": str(study.seeds_dir),
        "PREP_INDEX_DIR": str(study.index_dir),
        "PREP_STUDY_DB": str(study.study_db),
        "PREP_DOCS_DIR": str(study.docs_dir),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **env,
    }
    prep = str(Path(sys.executable).with_name("prep"))
    url = f"http://127.0.0.1:{port}"
    with running([prep, "serve", "--port", str(port), *flags], f"{url}/healthz", full):
        yield url
