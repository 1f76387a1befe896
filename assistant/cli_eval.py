"""`prep eval`: retrieval, answer, follow-up and compare-table quality on the golden sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli import IndexOpt, JsonOpt, KOpt, LlmOpt, SeedsOpt, _assistant, app


@app.command("eval")
def eval_(
    golden: Annotated[Path | None, typer.Option("--golden", help="golden JSONL file")] = None,
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
    """Score retrieval and answers on the golden set."""
    from assistant.evals import evaluate, load_golden

    assistant = _assistant(seeds, index_dir, llm)
    settings = assistant.settings
    cases = load_golden(golden or settings.golden_path)
    k = k or settings.k
    results = {"assistant": evaluate(lambda q: assistant.run(q, k=k), cases)}
    if baseline:
        from assistant.baseline import Baseline

        results["baseline"] = evaluate(Baseline(settings, assistant.embedder, k), cases)
    follow = None
    if golden is None and settings.followups_path.is_file():
        from assistant.evals import evaluate_followups, load_followups

        follow = evaluate_followups(assistant.converse, load_followups(settings.followups_path))
    comp = None
    if golden is None and settings.compare_golden_path.is_file():
        from assistant.evals import evaluate_compare, load_compare_golden

        wanted = sorted({g["company"] for g in load_compare_golden(settings.compare_golden_path)})
        comp = evaluate_compare(
            assistant.compare(wanted), load_compare_golden(settings.compare_golden_path)
        )
    if as_json:
        out: dict[str, Any] = {name: m.as_dict() for name, m in results.items()}
        if follow is not None:
            out["followups"] = follow
        if comp is not None:
            out["compare"] = comp
        typer.echo(json.dumps(out, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Golden set: {len(cases)} questions, k={k}")
    table.add_column("metric")
    for name in results:
        table.add_column(name, justify="right")
    for label, attr in results["assistant"].ROWS:
        table.add_row(label, *(f"{getattr(m, attr):.3f}" for m in results.values()))
    console = Console()
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
    if failures:
        for row in results["assistant"].failures:
            console.print(row)
        for row in (comp or {}).get("missed", []) + (comp or {}).get("extra", []):
            console.print(row)
