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


# Per set, measured on 2026-11-24 (all 77+12, dev 39+6, test 38+6, typos 77+12, candidates
# 98+23 questions); each bar sits 0.03 below the measured value (refusal accuracy on the test
# split and the typo set stays 1.0). The typo and candidate sets are far from the golden set's
# figures: issue #15 is about that, and these bars only keep them from getting worse meanwhile.
# Typos re-measured after spelling correction (retrieve/spelling.py): every figure rose except
# citation precision, 0.964 -> 0.924, because it is averaged over the questions answered: 16 of
# 77 before, 70 after; only 2 of the 16 cite less precisely than their clean twin. The typo set
# is also held to the issue's own bar: within 0.05 of the clean set on every answer metric.
# Raised where later changes measured higher (abbreviations, the comp-row lead); where one
# measured a little lower (citation precision: test 0.946, candidates 0.930, typos 0.923, as the
# lead quotes a second source's figure the golden file does not list), the bar is not lowered.
# Re-ranking with the company's name neutralised raised hit@1 (all 0.909 -> 0.935, dev 0.923 ->
# 0.974, typos 0.896 -> 0.922, candidates 0.939 -> 0.969) and candidates' first line. A year no
# document mentions is an unknown name, and 'pep8' is searched as the documents' 'PEP 8':
# candidates' refusal accuracy 0.478 -> 0.565, answer recall 0.745 -> 0.755, first line 0.668.
# Everyday English words the documents lack no longer lower scores: hit@1 all 0.935 -> 0.948,
# test 0.895 -> 0.921; typos answer recall 0.870 -> 0.883, first line 0.773 -> 0.786.
# A name the passages found never mention ('new york', 'IC6', 'staff', 'hulu') gets a caveat
# before the closest passages (retrieve/names.py): candidates' refusal accuracy 0.565 -> 0.783;
# nothing else moved. Its cost, a caveat on an answerable question, is held below too.
MEASURED = {
    "test": {"hit_at_1": 0.921, "answer_recall": 0.908, "first_line_recall": 0.776,
             "citation_precision": 0.948},
    "dev": {"hit_at_1": 0.974},
    "typos": {"hit_at_1": 0.922, "answer_recall": 0.883, "first_line_recall": 0.786,
              "citation_precision": 0.925},
    "candidates": {"hit_at_1": 0.969, "answer_recall": 0.755, "first_line_recall": 0.668,
                   "citation_precision": 0.931, "refusal_accuracy": 0.783},
    "all": {"hit_at_1": 0.948, "first_line_recall": 0.786},
}  # fmt: skip
MARGIN = 0.03


@pytest.fixture(scope="module")
def set_scores(seeded_index: Settings) -> dict[str, Metrics]:
    """Metrics per question set, as `prep eval` reports them (each case asked once)."""
    from assistant.evaluation.sets import evaluate_sets, question_sets

    assistant = Assistant(seeded_index)
    candidates = load_golden(GOLDEN.with_name("candidate.jsonl"))
    sets = question_sets(
        load_golden(GOLDEN), candidates, seeded_index.eval_typo_rate, seeded_index.eval_typo_seed
    )
    results = evaluate_sets(assistant.run, sets)
    print("\n" + "\n".join(f"{name}: {m.as_dict()}" for name, m in results.items()))
    return results


@pytest.mark.parametrize(("name", "metric"), [(n, m) for n, bars in MEASURED.items() for m in bars])
def test_set_stays_at_its_measured_level(
    set_scores: dict[str, Metrics], name: str, metric: str
) -> None:
    m = set_scores[name]
    assert getattr(m, metric) >= MEASURED[name][metric] - MARGIN, _why(m)


@pytest.mark.parametrize("name", ["test", "typos"])
def test_set_refuses_every_unanswerable_question(set_scores: dict[str, Metrics], name: str) -> None:
    assert set_scores[name].refusal_accuracy == 1.0, _why(set_scores[name])


@pytest.mark.parametrize("metric", ["answer_recall", "first_line_recall", "citation_precision"])
def test_typos_stay_within_five_points_of_the_clean_set(
    set_scores: dict[str, Metrics], metric: str
) -> None:
    clean, typos = set_scores["all"], set_scores["typos"]
    assert getattr(typos, metric) >= getattr(clean, metric) - 0.05, (_why(clean), _why(typos))


@pytest.mark.parametrize(("name", "measured"), [("typos", 0.078), ("candidates", 0.041)])
def test_answerable_questions_are_rarely_refused(
    set_scores: dict[str, Metrics], name: str, measured: float
) -> None:
    """False refusals: typos 0.818 before spelling correction, 0.078 now; candidates 0.041."""
    assert set_scores[name].false_refusals <= measured + MARGIN, _why(set_scores[name])


@pytest.mark.parametrize(("name", "measured"), [("all", 0.013), ("candidates", 0.020)])
def test_answerable_questions_rarely_get_a_caveat(
    set_scores: dict[str, Metrics], name: str, measured: float
) -> None:
    """A caveat that a name is not mentioned, on a question the documents answer: 1 of 77, 2 of 98.

    Measured when the caveat came in; the all-set case's answer lacks the asked fact as well.
    """
    assert set_scores[name].caveated <= measured + MARGIN, _why(set_scores[name])
