"""The question sets `prep eval` reports side by side: all, dev, test, typos, candidates."""

from __future__ import annotations

from assistant.evaluation.golden import (
    CaseScore,
    GoldenCase,
    Metrics,
    Pipeline,
    aggregate,
    score_case,
)
from assistant.evaluation.typos import typo_set


def question_sets(
    golden: list[GoldenCase],
    candidates: list[GoldenCase] | None = None,
    typo_rate: float = 1 / 3,
    typo_seed: int = 15,
) -> dict[str, list[GoldenCase]]:
    """Named sets: all golden cases, each split found in them, the typo set, the candidate set."""
    sets = {"all": golden}
    for split in sorted({c.split for c in golden if c.split}):
        sets[split] = [c for c in golden if c.split == split]
    if typo_rate > 0:
        sets["typos"] = typo_set(golden, typo_rate, typo_seed)
    if candidates:
        sets["candidates"] = candidates
    return sets


def evaluate_sets(pipeline: Pipeline, sets: dict[str, list[GoldenCase]]) -> dict[str, Metrics]:
    """Metrics per set; a case in several sets (a split and 'all') is asked once."""
    scored: dict[str, CaseScore] = {}
    out = {}
    for name, cases in sets.items():
        for case in cases:
            if case.id not in scored:
                scored[case.id] = score_case(pipeline, case)
        out[name] = aggregate([scored[c.id] for c in cases])
    return out
