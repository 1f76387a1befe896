"""Study mode on the command line: `prep quiz`, `prep progress`, `prep compare`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.app.cli.root import IndexOpt, JsonOpt, LlmOpt, SeedsOpt, _assistant, app

# Written out, not read from Settings: importing pydantic-settings would slow `prep --help`
# (test_cli checks the number against the setting's default).
_N_HELP = "number of questions (default: PREP_QUIZ_QUESTIONS, 5)"

if TYPE_CHECKING:
    from assistant.study.compare import Table
    from assistant.study.studylog import MockStats


def _read_answer() -> str | None:
    """One typed answer; None at end of input (Ctrl+D, or the end of piped answers)."""
    typer.echo("> ", nl=False)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if line == "":
        return None
    if not sys.stdin.isatty():
        typer.echo(line.rstrip("\r\n"))  # piped answers: the transcript shows what was typed
    return line.rstrip("\r\n")


@app.command()
def quiz(
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="rounds, culture, comp or system-design (default: all)"),
    ] = None,
    n: Annotated[int | None, typer.Option("--n", min=1, max=50, help=_N_HELP)] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="draw the same questions again (same history)")
    ] = None,
    llm: LlmOpt = None,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Quiz yourself on the documents; missed facts come back first next time."""
    assistant = _assistant(seeds, index_dir, llm)
    questions = assistant.quiz(n, topic, seed)
    typer.echo(
        f"Quiz: {len(questions)} questions{f' on {topic}' if topic else ''}. "
        "Type your answer and press Enter (Enter alone skips, Ctrl+D stops)."
    )
    right: list[str] = []
    missed: list[str] = []
    for i, fact in enumerate(questions, 1):
        typer.echo(f"\nQ{i}/{len(questions)} [{fact.topic} · {fact.source}]")
        typer.echo(fact.prompt)
        given = _read_answer()
        if given is None:
            typer.echo("\n(stopped)")
            break
        verdict = assistant.answer_quiz(fact, given)
        mark = (
            "✓ correct" if verdict.correct else ("– skipped" if verdict.skipped else "✗ not quite")
        )
        typer.echo(f"{mark}: the answer is {fact.answer}")
        typer.echo(f"  “{fact.passage.text}”")
        typer.echo(f"  — {fact.citation}")
        (right if verdict.correct else missed).append(fact.answer)
    asked = len(right) + len(missed)
    typer.echo(f"\nScore: {len(right)}/{asked}.")
    if missed:
        typer.echo(
            f"Missed: {'; '.join(missed)}. Saved in {assistant.settings.study_db}; "
            "the next quiz starts with them."
        )


@app.command()
def progress(
    reset: Annotated[bool, typer.Option("--reset", help="forget all quiz history")] = False,
    as_json: JsonOpt = False,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Quiz scores per topic, facts to review, mock-interview scores per round."""
    assistant = _assistant(seeds, index_dir)
    log = assistant.study_log()
    if reset:
        log.reset()
        typer.echo("Quiz and mock interview history cleared.")
        return
    stats, mocks = log.stats(), assistant.mock_progress()
    if as_json:
        typer.echo(json.dumps({**asdict(stats), "mock": asdict(mocks)}, indent=1, default=str))
        return
    if not stats.attempts:
        typer.echo("No quiz answers yet: run `prep quiz`.")
    else:
        typer.echo(f"{stats.correct}/{stats.attempts} answers right ({stats.accuracy:.0%}).")
        for topic, (attempts, correct) in sorted(stats.per_topic.items()):
            typer.echo(f"  {topic}: {correct}/{attempts}")
        if stats.to_review:
            typer.echo("To review (missed, asked first next time):")
            for item in stats.to_review:
                typer.echo(f"  - {item.answer}  ({item.source}; missed {item.missed}x)")
    _mock_progress(mocks)


def _mock_progress(mocks: MockStats) -> None:
    """Mock interviews: each round's scores oldest first, and the points missed most."""
    if not mocks.attempts:
        typer.echo("No mock interviews yet: run `prep mock`.")
        return
    typer.echo(f"Mock interviews: {mocks.attempts} answers.")
    for rec in sorted(mocks.rounds, key=lambda r: r.last):
        scores = " → ".join(f"{s:.0f}" for _, s in rec.scores[-8:])
        typer.echo(
            f"  {rec.company} {rec.round}: {scores}  (best {rec.best:.0f}, last {rec.last:.0f})"
        )
    if mocks.most_missed:
        typer.echo("Rubric points missed most often:")
        for p in mocks.most_missed:
            typer.echo(f"  - {p.point} ({p.company} {p.round}; missed {p.missed} of {p.graded})")


def table_json(table: Table) -> dict[str, Any]:
    """The comparison as JSON: rows with cited cells, and where sources disagree."""
    return {
        "companies": table.companies,
        "rows": [
            {
                "company": r.company,
                "group": r.group,
                "label": r.label,
                "currency": r.currency,
                "source": r.source,
                "disagrees": table.disagreement(r) is not None,
                "cells": {k: asdict(c) for k, c in r.cells.items()},
            }
            for r in table.rows
        ],
        "disagreements": [
            {"company": d.company, "group": d.group, "columns": list(d.columns)}
            for d in table.disagreements
        ],
    }


@app.command("compare")
def compare_(
    companies: Annotated[list[str], typer.Argument(help="companies, e.g. acme globex")],
    as_json: JsonOpt = False,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Compensation side by side: level or region, base, stock, bonus, total; each cited."""
    from rich.console import Console
    from rich.table import Table as RichTable

    from assistant.study.compare import COLUMNS

    table = _assistant(seeds, index_dir).compare(companies)
    if as_json:
        typer.echo(json.dumps(table_json(table), indent=1))
        return
    console = Console() if sys.stdout.isatty() else Console(width=140)
    if not table.rows:
        console.print(f"No compensation figures found for {', '.join(table.companies)}.")
        return
    for company in table.companies:
        rows = [r for r in table.rows if r.company == company]
        if not rows:
            continue
        view = RichTable(title=company.title(), title_justify="left")
        for col in ("level / region", *COLUMNS, "currency"):
            view.add_column(col)
        for row in rows:
            cells = [
                f"{c.value} [{table.marker(c)}]" if (c := row.cells.get(col)) else ""
                for col in COLUMNS
            ]
            view.add_row(
                row.display + (" ⚠" if table.disagreement(row) else ""), *cells, row.currency
            )
        console.print(view)
    for d in table.disagreements:
        said = "; ".join(
            f"{r.source} says {', '.join(f'{c} {r.cells[c].value}' for c in d.columns)}"
            for r in d.rows
        )
        console.print(f"⚠ {d.company} {d.group}: sources disagree, {said}", highlight=False)
    if table.missing:
        console.print(f"No compensation figures for: {', '.join(table.missing)}.")
    console.print("Sources:")
    for (source, start, end), (marker, cell) in table.citations().items():
        console.print(f"[{marker}] {source} (chars {start}-{end}): {cell.passage}", highlight=False)
