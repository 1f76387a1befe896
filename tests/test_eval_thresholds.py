"""Quality bar on the golden set, with the real chain and the real index."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.app.service import Assistant
from assistant.evaluation.baseline import Baseline
from assistant.evaluation.golden import Metrics, evaluate, load_golden
from assistant.settings import Settings
from tests.conftest import GOLDEN

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def scores(seeded_index: Settings) -> Iterator[dict[str, Metrics]]:
    """Assistant and baseline metrics over the whole golden set (computed once)."""
    assistant = Assistant(seeded_index)
    cases = load_golden(GOLDEN)
    ours = evaluate(assistant.run, cases)
    baseline = evaluate(Baseline(seeded_index, assistant.embedder, seeded_index.k), cases)
    print("\nassistant:", ours.as_dict(), "\nbaseline:", baseline.as_dict())
    yield {"assistant": ours, "baseline": baseline}


def _why(m: Metrics) -> str:
    return f"{m.as_dict()}; failures: {m.failures}"


def test_hit_at_1(scores: dict[str, Metrics]) -> None:
    m = scores["assistant"]
    assert m.hit_at_1 >= 0.90, _why(m)


def test_answer_recall(scores: dict[str, Metrics]) -> None:
    m = scores["assistant"]
    assert m.answer_recall >= 0.90, _why(m)


def test_citation_precision(scores: dict[str, Metrics]) -> None:
    m = scores["assistant"]
    assert m.citation_precision >= 0.90, _why(m)


def test_refusal_accuracy(scores: dict[str, Metrics]) -> None:
    m = scores["assistant"]
    assert m.refusal_accuracy == 1.0, _why(m)


def test_beats_baseline(scores: dict[str, Metrics]) -> None:
    ours, baseline = scores["assistant"], scores["baseline"]
    assert ours.answer_recall > baseline.answer_recall, (ours.as_dict(), baseline.as_dict())
    assert ours.answerable == baseline.answerable >= 40


def test_followups(seeded_index: Settings) -> None:
    """Chat follow-ups ("and in London?") are rewritten from the history and answered."""
    from assistant.evaluation.golden import evaluate_followups, load_followups

    cases = load_followups(GOLDEN.with_name("followups.jsonl"))
    assert len(cases) >= 8
    result = evaluate_followups(Assistant(seeded_index).converse, cases)
    assert result["rewrite_accuracy"] == 1.0, result["failures"]
    assert result["answer_recall"] >= 0.90, result["failures"]
