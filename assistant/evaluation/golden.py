"""Evals: retrieval and answer quality on the golden set, as numbers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.documents import Document

from assistant.answer.citations import Answer
from assistant.errors import GoldenError
from assistant.textnorm import match_key

Fact = str | list[str]
Pipeline = Callable[[str], tuple[list[Document], Answer]]
T = TypeVar("T")


@dataclass(frozen=True)
class GoldenCase:
    """One golden question with the files and facts that answer it."""

    id: str
    question: str
    sources: list[str]
    facts: list[Fact]
    answerable: bool
    topic: str = ""
    split: str = ""  # "dev" (looked at while changing code) or "test" (only measured)


def _read_jsonl(
    path: Path, build: Callable[[dict[str, Any]], T], missing: str, what: str, hint: str = ""
) -> list[T]:
    """One object per non-blank line, built by `build`; GoldenError names the file or bad line."""
    if not path.is_file():
        raise GoldenError(missing)
    out: list[T] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(build(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise GoldenError(f"{path}:{n}: not a {what} ({exc}){hint}") from exc
    return out


def load_golden(path: Path) -> list[GoldenCase]:
    """Read a golden JSONL file; raises GoldenError naming the bad line."""
    cases = _read_jsonl(
        path,
        lambda row: GoldenCase(
            id=str(row["id"]),
            question=str(row["question"]),
            sources=[str(s) for s in row.get("sources", [])],
            facts=list(row.get("facts", [])),
            answerable=bool(row["answerable"]),
            topic=str(row.get("topic", "")),
            split=str(row.get("split", "")),
        ),
        f"golden file {path} not found; pass --golden FILE",
        "golden case",
        "; see tests/golden/README.md",
    )
    if not cases:
        raise GoldenError(f"{path} holds no cases")
    return cases


def has_fact(fact: Fact, text: str) -> bool:
    """A fact (or any of its alternatives) occurs in the text, compared in normal form."""
    key = match_key(text)
    options = fact if isinstance(fact, list) else [fact]
    return any(match_key(f) in key for f in options)


@dataclass
class Metrics:
    """Aggregate scores; each in [0, 1]."""

    hit_at_1: float = 0.0
    mrr: float = 0.0
    context_recall: float = 0.0
    answer_recall: float = 0.0
    first_line_recall: float = 0.0
    citation_precision: float = 0.0
    refusal_accuracy: float = 0.0
    false_refusals: float = 0.0
    caveated: float = 0.0
    answerable: int = 0
    unanswerable: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    ROWS = (
        ("hit@1", "hit_at_1"),
        ("MRR", "mrr"),
        ("context fact recall@k", "context_recall"),
        ("answer fact recall", "answer_recall"),
        ("first-line fact recall", "first_line_recall"),
        ("citation precision", "citation_precision"),
        ("refusal accuracy", "refusal_accuracy"),
        ("false refusals (answerable)", "false_refusals"),
        ("caveat on an answerable", "caveated"),
    )

    def as_dict(self) -> dict[str, Any]:
        """Scores by name, plus counts."""
        out: dict[str, Any] = {attr: round(getattr(self, attr), 4) for _, attr in self.ROWS}
        out.update(answerable=self.answerable, unanswerable=self.unanswerable)
        return out


@dataclass(frozen=True)
class CaseScore:
    """How one golden case went; `None` where a score does not apply to the case."""

    case: GoldenCase
    refused: bool
    rank: int | None = None
    context: float | None = None
    answer: float | None = None
    first_line: float | None = None
    precision: float | None = None
    failure: dict[str, Any] | None = None
    caveat: bool = False


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _share(facts: list[Fact], text: str) -> float:
    return _mean([1.0 if has_fact(f, text) else 0.0 for f in facts])


def score_case(pipeline: Pipeline, case: GoldenCase) -> CaseScore:
    """Run one case through the pipeline and score it."""
    docs, answer = pipeline(case.question)
    if not case.answerable:
        # A partial answer that says what the documents lack ("no figure in GBP") also declines.
        declined = answer.refused or answer.caveat is not None
        why = {"id": case.id, "why": "answered an unanswerable question"}
        return CaseScore(case, declined, failure=None if declined else why)
    files = [str(d.metadata.get("source")) for d in docs]
    rank = next((i for i, f in enumerate(files, start=1) if f in case.sources), None)
    context = "\n".join(d.page_content for d in docs)
    first = answer.sentences[0].text if answer.sentences and not answer.refused else ""
    # a sentence that cites nothing counts against precision, like one citing a wrong file
    cited = [s.citation.file if s.citation else "" for s in answer.sentences]
    precision = _mean([1.0 if f in case.sources else 0.0 for f in cited]) if cited else None
    missing = [f for f in case.facts if not has_fact(f, answer.answer)]
    failed = rank != 1 or missing or answer.refused or (precision is not None and precision < 1)
    caveat = answer.caveat if not answer.refused else None
    return CaseScore(
        case,
        answer.refused,
        rank,
        _share(case.facts, context) if case.facts else None,
        _share(case.facts, answer.answer) if case.facts else None,
        _share(case.facts, first) if case.facts else None,
        precision,
        {"id": case.id, "rank": rank, "missing": missing, "refused": answer.refused, "cited": cited}
        | ({"caveat": caveat} if caveat else {})
        if failed or caveat
        else None,
        caveat is not None,
    )


def aggregate(scores: list[CaseScore]) -> Metrics:
    """The metrics of a set of scored cases."""
    yes = [s for s in scores if s.case.answerable]
    no = [s for s in scores if not s.case.answerable]

    def mean_of(values: list[float | None]) -> float:
        return _mean([v for v in values if v is not None])

    return Metrics(
        hit_at_1=_mean([1.0 if s.rank == 1 else 0.0 for s in yes]),
        mrr=_mean([1.0 / s.rank if s.rank else 0.0 for s in yes]),
        context_recall=mean_of([s.context for s in yes]),
        answer_recall=mean_of([s.answer for s in yes]),
        first_line_recall=mean_of([s.first_line for s in yes]),
        citation_precision=mean_of([s.precision for s in yes]),
        refusal_accuracy=_mean([1.0 if s.refused else 0.0 for s in no]),
        false_refusals=_mean([1.0 if s.refused else 0.0 for s in yes]),
        caveated=_mean([1.0 if s.caveat else 0.0 for s in yes]),
        answerable=len(yes),
        unanswerable=len(no),
        failures=[s.failure for s in scores if s.failure],
    )


def evaluate(pipeline: Pipeline, cases: list[GoldenCase]) -> Metrics:
    """Run every case through the pipeline and score it."""
    return aggregate([score_case(pipeline, case) for case in cases])


@dataclass(frozen=True)
class FollowUpCase:
    """A chat turn that needs the history: what the standalone question and answer must hold."""

    id: str
    history: list[str]
    question: str
    standalone: list[str]
    sources: list[str]
    facts: list[Fact]


def load_followups(path: Path) -> list[FollowUpCase]:
    """Read the follow-up golden file; raises GoldenError naming the bad line."""
    return _read_jsonl(
        path,
        lambda row: FollowUpCase(
            id=str(row["id"]),
            history=[str(h) for h in row["history"]],
            question=str(row["question"]),
            standalone=[str(s) for s in row["standalone"]],
            sources=[str(s) for s in row["sources"]],
            facts=list(row["facts"]),
        ),
        f"follow-up golden file {path} not found",
        "follow-up case",
    )


Converse = Callable[[str, list[str]], tuple[str, Answer]]


def evaluate_followups(converse: Converse, cases: list[FollowUpCase]) -> dict[str, Any]:
    """Rewrite accuracy (the standalone question keeps what it must) and answer fact recall."""
    rewrites, facts, failures = [], [], []
    for case in cases:
        asked: list[str] = []
        for turn in case.history:
            standalone, _ = converse(turn, asked)
            asked.append(standalone)
        standalone, answer = converse(case.question, asked)
        ok = all(match_key(s) in match_key(standalone) for s in case.standalone)
        found = [has_fact(f, answer.answer) for f in case.facts]
        rewrites.append(1.0 if ok else 0.0)
        facts.append(_mean([1.0 if x else 0.0 for x in found]))
        if not ok or not all(found):
            failures.append({"id": case.id, "standalone": standalone, "answer": answer.answer})
    return {
        "rewrite_accuracy": _mean(rewrites),
        "answer_recall": _mean(facts),
        "cases": len(cases),
        "failures": failures,
    }


COMPARE_KEYS = ("company", "group", "column", "low", "high", "currency", "period", "source")


def _compare_row(row: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in COMPARE_KEYS if k not in row]
    if missing:
        raise KeyError(f"missing {', '.join(missing)}")
    return row


def load_compare_golden(path: Path) -> list[dict[str, Any]]:
    """Golden compare figures (one JSON object per line); raises GoldenError naming the line."""
    return _read_jsonl(
        path,
        _compare_row,
        f"compare golden file {path} not found; pass its path or restore it",
        "compare figure",
        "; see tests/golden/README.md",
    )


def evaluate_compare(table: Any, golden: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall (golden figures in the table) and precision (table figures in the golden set)."""

    def same(g: dict[str, Any], company: str, group: str, c: Any) -> bool:
        return (
            (g["company"], g["group"], g["column"], g["source"])
            == (company, group, c.column, c.source)
            and (g["currency"], g["period"]) == (c.currency, c.period)
            and bool(g.get("percent", False)) == c.percent
            and abs(float(g["low"]) - c.low) <= 1e-6 * max(1.0, c.low)
            and abs(float(g["high"]) - c.high) <= 1e-6 * max(1.0, c.high)
        )

    cells = [(r.company, r.group, c) for r in table.rows for c in r.cells.values()]
    missed = [g for g in golden if not any(same(g, *cell) for cell in cells)]
    extra = [cell for cell in cells if not any(same(g, *cell) for g in golden)]
    return {
        "recall": 1 - len(missed) / len(golden) if golden else 0.0,
        "precision": 1 - len(extra) / len(cells) if cells else 0.0,
        "golden": len(golden),
        "cells": len(cells),
        "missed": missed,
        "extra": [
            {"company": co, "group": gr, "column": c.column, "value": c.value, "source": c.source}
            for co, gr, c in extra
        ],
    }
