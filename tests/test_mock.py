"""Mock interviews: rounds, prompts and rubric read from documents; answers graded offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import assert_user_error, cli_env, prep  # noqa: F401  (cli_env is a fixture)

from assistant.index.store import StoredChunk
from assistant.settings import Settings
from assistant.study.grading import COVERED, MISSED, Thresholds, grade
from assistant.study.rounds import find_round, find_rounds, prompt_text

GOLDEN_MOCK = Path(__file__).parent / "golden" / "mock.jsonl"

GUIDE = """Our loop has three rounds:

1. Phone screen (20 minutes): a recruiter asks about your last project.
2. Modelling round (50 minutes): build a churn model on a small table.
3. Values interview (40 minutes): questions about past decisions.

Modelling round

A typical prompt reads: "Predict which customers cancel next month from their usage logs."
Interviewers look for:

  • Leakage checks. Do you split by time so nothing from the future leaks into training?
  • Baseline first. Start from a simple logistic regression before anything deeper.
  • Error analysis. Look at the mistakes by segment and explain them.
"""


def _chunk(text: str, company: str = "zephyr") -> StoredChunk:
    meta = {
        "text": text,
        "start": 0,
        "source": "zephyr-guide.md",
        "title": "Zephyr guide",
        "section": "",
        "company": company,
    }
    return StoredChunk(id="c0", search_text=text, metadata=meta)


def _bag(texts: list[str]) -> list[list[float]]:
    """A fake embedder: unit bag-of-words vectors over a hashed vocabulary."""
    out = []
    for text in texts:
        vec = [0.0] * 64
        for word in text.lower().split():
            vec[hash(word.strip(".,?!:;\"'")) % 64] += 1.0
        norm = sum(v * v for v in vec) ** 0.5 or 1.0
        out.append([v / norm for v in vec])
    return out


KNOBS = Thresholds(
    dense_weight=0.5, part_match=0.3, covered_share=0.5, pitfall_match=0.6, same_as_prompt=0.85
)


def test_rounds_come_from_the_document() -> None:
    rounds = find_rounds([_chunk(GUIDE)])
    names = [r.name for r in rounds]
    assert "Modelling round" in names
    model = find_round(rounds, "zephyr", "modelling")
    assert model is not None and model.minutes == 50
    assert [p.name for p in model.rubric] == ["Leakage checks", "Baseline first", "Error analysis"]
    assert prompt_text(model.prompts[0]).startswith("Predict which customers cancel")
    # each point cites its passage in the file
    point = model.rubric[0]
    assert GUIDE[point.ref.start : point.ref.end].startswith("Leakage checks")


def test_a_corpus_without_rounds_has_none() -> None:
    assert find_rounds([_chunk("Zephyr pays well. The office is in Oslo.")]) == []


def _grade(answer: str):  # type: ignore[no-untyped-def]
    model = find_round(find_rounds([_chunk(GUIDE)]), "zephyr", "modelling")
    assert model is not None
    return grade(model, model.prompts[0], answer, _bag, lambda t: 1.0, KNOBS)


def test_a_strong_answer_scores_above_a_weak_one() -> None:
    strong = _grade(
        "I would split by time so nothing from the future leaks into training. "
        "I start from a simple logistic regression baseline. "
        "Then I look at the mistakes by segment and explain them."
    )
    weak = _grade("I would train a big neural network and see what happens.")
    assert strong.score > weak.score
    assert all(m.status == COVERED for m in strong.marks), strong.marks
    assert strong.marks[0].evidence.startswith("I would split by time")


def test_empty_and_pasted_answers_score_zero() -> None:
    empty = _grade("   ")
    assert empty.score == 0 and empty.note and all(m.status == MISSED for m in empty.marks)
    pasted = _grade('"Predict which customers cancel next month from their usage logs."')
    assert pasted.score == 0 and "repeats the prompt" in pasted.note


def test_feedback_json_has_a_numeric_score() -> None:
    out = _grade("Split by time to avoid leakage.").to_json()
    assert isinstance(out["score"], float) and out["rubric"][0]["why"]["file"] == "zephyr-guide.md"
    assert len(out["add"]) <= 3


@pytest.mark.model
def test_cli_round_from_stdin(cli_env: dict[str, str]) -> None:  # noqa: F811
    answer = (
        "First the metric: retention, not clicks, and a latency budget of 800 ms p99.\n"
        "New titles get content embeddings for cold start.\n"
        "Offline NDCG on a time split, then interleaving and an A/B test online.\n\n"
    )
    result = prep("mock", "--round", "system design", "--json", env=cli_env, stdin=answer)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["round"] == "ML system design" and 0 < out["score"] <= 100
    assert any(m["status"] != "missed" and m["your_sentence"] for m in out["rubric"])
    text = prep("mock", "--round", "system design", env=cli_env, stdin="")
    assert text.returncode == 0 and "Prompt:" in text.stdout and "Score: 0/100" in text.stdout


@pytest.mark.model
def test_cli_unknown_round_is_one_line(cli_env: dict[str, str]) -> None:  # noqa: F811
    result = prep("mock", "--round", "juggling", env=cli_env, stdin="")
    assert_user_error(result, "no round named 'juggling'", "try one of")


@pytest.mark.model
@pytest.mark.parametrize(
    ("name", "bars"),
    [
        # measured 2026-11-24 on the seeds: P 0.654, R 0.459, pairs 0.714, near-zero 9.6
        ("mock.jsonl", (0.62, 0.43, 0.68)),
        # written apart from the grader, never fitted on: P 0.744, R 0.604, pairs 1.0, near 1.3
        ("mock_heldout.jsonl", (0.71, 0.57, 0.97)),
    ],
)
def test_graded_set_figures(
    seeded_index: Settings, name: str, bars: tuple[float, float, float]
) -> None:
    """prep eval's mock figures on the seeds, each bar 0.03 below the measured value."""
    from assistant.app.service import Assistant
    from assistant.evaluation.mock_eval import evaluate_mock, load_graded

    assistant = Assistant(seeded_index)
    rounds = assistant.rounds()
    cases = [c for c in load_graded(GOLDEN_MOCK.with_name(name)) if c.company == "netflix"]
    m = evaluate_mock(rounds, cases, lambda r, a: assistant.grade_mock(r, r.prompts[0], a))
    assert not m.failures, m.failures
    precision, recall, pairs = bars
    assert m.precision >= precision and m.recall >= recall, m.as_dict()
    assert m.pairs_ordered >= pairs, m.scores  # the strong answer of a pair scores higher
    assert m.near_zero_max <= 10.0  # off-topic, empty and pasted answers score near zero


def test_pitfalls_that_name_no_round_go_to_every_round_of_the_company() -> None:
    pitfalls = (
        "\n\nCommon mistakes\n\n"
        "  1. Skipping the baseline – interviewers penalise a deep model with nothing to beat.\n"
        "  2. Silent assumptions – state what you assume about the data before you model it.\n"
    )
    rounds = find_rounds([_chunk(GUIDE + pitfalls)])
    assert len(rounds) >= 2
    for rnd in rounds:
        assert [p.name for p in rnd.pitfalls] == ["Skipping the baseline", "Silent assumptions"]
    acme = _chunk("Acme interview loop" + pitfalls, company="acme")
    acme.metadata["source"] = "acme-notes.md"
    other = find_rounds([_chunk(GUIDE), acme])
    assert other and all(not r.pitfalls for r in other)  # not another company's warnings


def test_every_pitfall_is_listed_and_one_the_answer_comes_near_is_touched() -> None:
    pitfalls = (
        "\n\nCommon mistakes\n\n"
        "  1. Deep model first – interviewers penalise training a deep neural network first.\n"
        "  2. Silent assumptions – state what you assume about the data before you model it.\n"
    )
    rnd = find_round(find_rounds([_chunk(GUIDE + pitfalls)]), "zephyr", "modelling")
    assert rnd is not None
    fb = grade(
        rnd,
        rnd.prompts[0],
        "I would train a deep neural network first.",
        _bag,
        lambda t: 1.0,
        KNOBS,
    )
    assert [m.status for m in fb.pitfalls] == ["touched", "not raised"]
    assert fb.touched[0].evidence == "I would train a deep neural network first."
    assert fb.to_json()["pitfalls"][1]["status"] == "not raised"
