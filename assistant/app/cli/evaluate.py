"""`prep eval`: retrieval, answer, follow-up and compare-table quality on the golden sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.app.cli.root import IndexOpt, JsonOpt, KOpt, LlmOpt, SeedsOpt, _assistant, app

if TYPE_CHECKING:
    from assistant.evaluation.mock_eval import MockMetrics

DEFAULT_GOLDEN = Path("tests") / "golden" / "golden.jsonl"  # in a checkout of the repository


def _beside(golden: Path, given: Path | None, name: str) -> Path | None:
    """The given file, else the one of that name next to the golden file (if there is one)."""
    if given is not None:
        return given
    sibling = golden.parent / name
    return sibling if sibling.is_file() else None


@app.command("eval")
def eval_(
    golden: Annotated[
        Path | None,
        typer.Argument(
            help="golden questions (JSONL); default tests/golden/golden.jsonl in this folder",
            show_default=False,
        ),
    ] = None,
    followups: Annotated[
        Path | None,
        typer.Option(
            "--followups", help="follow-up cases (default: followups.jsonl beside GOLDEN)"
        ),
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="questions as candidates type them (default: candidate.jsonl beside GOLDEN)",
        ),
    ] = None,
    compare_golden: Annotated[
        Path | None,
        typer.Option(
            "--compare-golden", help="comp-table figures (default: compare.jsonl beside GOLDEN)"
        ),
    ] = None,
    mock_golden: Annotated[
        Path | None,
        typer.Option("--mock", help="graded mock answers (default: mock.jsonl beside GOLDEN)"),
    ] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline", help="also measure the naive baseline")
    ] = False,
    failures: Annotated[
        bool, typer.Option("--failures", help="list the cases that missed")
    ] = False,
    k: KOpt = None,
    as_json: JsonOpt = False,
    llm: LlmOpt = None,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Score retrieval and answers on a golden set (and its follow-up and compare files)."""
    from assistant.errors import GoldenError
    from assistant.evaluation.golden import evaluate, load_golden
    from assistant.evaluation.sets import evaluate_sets, question_sets

    if golden is None:
        if not DEFAULT_GOLDEN.is_file():
            raise GoldenError(
                "name the golden file: prep eval path/to/golden.jsonl "
                f"(no {DEFAULT_GOLDEN} in {Path.cwd()})"
            )
        golden = DEFAULT_GOLDEN
    assistant = _assistant(seeds, index_dir, llm)
    settings = assistant.settings
    cases = load_golden(golden)
    k = k or settings.k
    typed = _beside(golden, candidates, "candidate.jsonl")
    sets = question_sets(
        cases,
        load_golden(typed) if typed is not None else None,
        settings.eval_typo_rate,
        settings.eval_typo_seed,
    )
    results = evaluate_sets(lambda q: assistant.run(q, k=k), sets)
    naive = None
    if baseline:
        from assistant.evaluation.baseline import Baseline

        naive = evaluate(Baseline(settings, assistant.embedder, k), cases)
    follow = None
    followups = _beside(golden, followups, "followups.jsonl")
    if followups is not None:
        from assistant.evaluation.golden import evaluate_followups, load_followups

        follow = evaluate_followups(assistant.converse, load_followups(followups))
    comp = None
    compare_golden = _beside(golden, compare_golden, "compare.jsonl")
    if compare_golden is not None:
        from assistant.evaluation.golden import evaluate_compare, load_compare_golden

        figures = load_compare_golden(compare_golden)
        comp = evaluate_compare(assistant.compare(sorted({g["company"] for g in figures})), figures)
    mocked: dict[str, MockMetrics] = {}
    mock_sets = {
        "fitted": _beside(golden, mock_golden, "mock.jsonl"),
        "held-out": None if mock_golden else _beside(golden, None, "mock_heldout.jsonl"),
    }
    if any(mock_sets.values()):
        from assistant.evaluation.mock_eval import evaluate_mock, load_graded

        rounds = assistant.rounds()
        indexed = {r.company for r in rounds}
        for name, path in mock_sets.items():
            if path is None:
                continue
            graded = load_graded(path)
            mine = [g for g in graded if g.company in indexed]
            mocked[name] = evaluate_mock(
                rounds, mine, lambda r, a: assistant.grade_mock(r, r.prompts[0], a)
            )
            mocked[name].skipped = len(graded) - len(mine)
    if as_json:
        out: dict[str, Any] = {"assistant": results["all"].as_dict()}
        if naive is not None:
            out["baseline"] = naive.as_dict()
        out["sets"] = {name: m.as_dict() for name, m in results.items()}
        if follow is not None:
            out["followups"] = follow
        if comp is not None:
            out["compare"] = comp
        if "fitted" in mocked:
            out["mock"] = mocked["fitted"].as_dict()
        if "held-out" in mocked:
            out["mock_heldout"] = mocked["held-out"].as_dict()
        typer.echo(json.dumps(out, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Golden set: {len(cases)} questions, k={k}; one column per set")
    table.add_column("metric")
    columns = {**results, **({"baseline (all)": naive} if naive is not None else {})}
    for name, m in columns.items():
        table.add_column(f"{name} ({m.answerable}+{m.unanswerable})", justify="right")
    for label, attr in results["all"].ROWS:
        table.add_row(label, *(f"{getattr(m, attr):.3f}" for m in columns.values()))
    import sys

    console = Console() if sys.stdout.isatty() else Console(width=140)  # a pipe gets every column
    console.print(table)
    if follow is not None:
        console.print(
            f"Follow-ups: {follow['cases']} chat turns; rewrite accuracy "
            f"{follow['rewrite_accuracy']:.3f}, answer fact recall {follow['answer_recall']:.3f}"
        )
    if comp is not None:
        console.print(
            f"Compare table: {comp['golden']} golden figures; recall {comp['recall']:.3f}, "
            f"precision {comp['precision']:.3f}"
        )
    for name, mm in mocked.items():
        console.print(
            f"Mock grading ({name}): {mm.answers} graded answers ({mm.skipped} of companies not "
            f"indexed left out); rubric precision {mm.precision:.3f}, recall "
            f"{mm.recall:.3f}; strong > weak in {mm.pairs_ordered:.3f} of pairs; "
            f"highest off-topic/empty/pasted score {mm.near_zero_max:.1f}/100"
        )
    if failures:
        for name in ("all", "typos", "candidates"):
            for row in results[name].failures if name in results else []:
                console.print({"set": name, **row})
        for row in (comp or {}).get("missed", []) + (comp or {}).get("extra", []):
            console.print(row)
