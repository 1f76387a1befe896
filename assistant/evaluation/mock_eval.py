"""Evals: mock-interview grading against graded practice answers (tests/golden/mock.jsonl)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluation.golden import _read_jsonl, has_fact
from assistant.study.grading import COVERED, PARTLY, Feedback
from assistant.study.rounds import Round, find_round

NEAR_ZERO = ("off-topic", "empty", "pasted")


@dataclass(frozen=True)
class GradedAnswer:
    """One practice answer with the rubric points a reviewer marked covered (verbatim phrases)."""

    id: str
    company: str
    round: str
    kind: str  # strong | partial | weak | off-topic | empty | pasted
    answer: str
    covered: list[str]
    pair: str = ""


def load_graded(path: Path) -> list[GradedAnswer]:
    """Read the graded set; GoldenError names a bad line."""
    return _read_jsonl(
        path,
        lambda row: GradedAnswer(
            id=str(row["id"]),
            company=str(row["company"]),
            round=str(row["round"]),
            kind=str(row["kind"]),
            answer=str(row["answer"]),
            covered=[str(c) for c in row.get("covered", [])],
            pair=str(row.get("pair", "")),
        ),
        f"graded mock answers {path} not found; pass --mock FILE",
        "graded answer",
    )


@dataclass
class MockMetrics:
    """Rubric coverage precision/recall, strong-over-weak ordering, near-zero scores."""

    precision: float = 0.0
    recall: float = 0.0
    pairs_ordered: float = 0.0
    near_zero_max: float = 0.0
    answers: int = 0
    skipped: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON (scores per answer included)."""
        keys = ("precision", "recall", "pairs_ordered", "near_zero_max", "answers", "skipped")
        return {
            **{k: getattr(self, k) for k in keys},
            "scores": self.scores,
            "failures": self.failures,
        }


Grade = Callable[[Round, str], Feedback]


def evaluate_mock(rounds: list[Round], cases: list[GradedAnswer], grade: Grade) -> MockMetrics:
    """Grade every answer; a point counts as marked when covered or partly covered."""
    tp = fp = fn = 0
    m = MockMetrics(answers=len(cases))
    for case in cases:
        rnd = find_round(rounds, case.company, case.round)
        if rnd is None:
            m.failures.append(f"{case.id}: no round '{case.round}' of {case.company} found")
            continue
        fb = grade(rnd, case.answer)
        m.scores[case.id] = fb.score
        # each reviewer's phrase -> the rubric points whose passage holds it
        found = {
            c: {i for i, mk in enumerate(fb.marks) if has_fact(c, mk.point.ref.text)}
            for c in case.covered
        }
        gold = set().union(*found.values())
        said = {i for i, mark in enumerate(fb.marks) if mark.status in (COVERED, PARTLY)}
        tp += len(gold & said)
        fp += len(said - gold)
        fn += len(gold - said)
        unfound = [c for c, points in found.items() if not points]
        if unfound:
            m.failures.append(f"{case.id}: rubric lacks {unfound}")
    m.precision = tp / (tp + fp) if tp + fp else 1.0
    m.recall = tp / (tp + fn) if tp + fn else 1.0
    pairs = [(c.id, c.pair) for c in cases if c.kind == "strong" and c.pair]
    ordered = [m.scores.get(s, 0.0) > m.scores.get(w, 0.0) for s, w in pairs]
    m.pairs_ordered = sum(ordered) / len(ordered) if ordered else 1.0
    near = [m.scores.get(c.id, 0.0) for c in cases if c.kind in NEAR_ZERO]
    m.near_zero_max = max(near, default=0.0)
    return m
