"""Mock-interview attempts in the study log: scores per round, most-missed points, what next."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_cli import cli_env, prep  # noqa: F401  (cli_env is a fixture)
from test_mock import GUIDE, KNOBS, _bag, _chunk

from assistant.study.grading import Feedback, grade
from assistant.study.practice import next_prompt, weakest
from assistant.study.rounds import Round, find_round, find_rounds
from assistant.study.studylog import MockStats, RoundProgress, StudyLog

TWO_PROMPTS = GUIDE.replace(
    'A typical prompt reads: "Predict which customers cancel next month from their usage logs."',
    'One prompt: "Predict which customers cancel next month from their usage logs." '
    'Another prompt: "Forecast weekly demand for each store from last year\'s sales."',
)
STRONG = (
    "I would split by time so nothing from the future leaks into training. "
    "I start from a simple logistic regression baseline. "
    "Then I look at the mistakes by segment and explain them."
)
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _rounds(text: str = GUIDE) -> list[Round]:
    return find_rounds([_chunk(text)])


def _feedback(rnd: Round, answer: str, prompt_at: int = 0) -> Feedback:
    return grade(rnd, rnd.prompts[prompt_at], answer, _bag, lambda t: 1.0, KNOBS)


def _modelling(text: str = GUIDE) -> Round:
    rnd = find_round(_rounds(text), "zephyr", "modelling")
    assert rnd is not None
    return rnd


def test_attempts_give_scores_over_time_and_most_missed_points(tmp_path: Path) -> None:
    log, rnd = StudyLog(tmp_path / "s.db"), _modelling()
    weak, strong = _feedback(rnd, "I would train a big network."), _feedback(rnd, STRONG)
    assert weak.score < strong.score
    log.record_mock(weak, T0)
    log.record_mock(strong, T0 + timedelta(days=1))
    stats = log.mock_stats(top=2)
    assert stats.attempts == 2
    record = stats.progress("zephyr", "Modelling round")
    assert record is not None
    assert [s for _, s in record.scores] == [weak.score, strong.score]  # oldest first
    assert record.last == strong.score and record.best == strong.score
    missed_by_weak = {m.point.name for m in weak.marks if m.status == "missed"}
    assert stats.most_missed and len(stats.most_missed) <= 2
    assert {p.point for p in stats.most_missed} <= missed_by_weak
    assert all(p.graded == 2 and 1 <= p.missed <= 2 for p in stats.most_missed)
    log.reset()
    assert log.mock_stats().attempts == 0 and log.mock_stats().rounds == []


def test_weakest_round_comes_first() -> None:
    rounds = _rounds()
    assert len(rounds) >= 2
    assert weakest(rounds, MockStats(0, [], [])) is rounds[0]  # nothing practised: in order

    def stats(*latest: tuple[int, float]) -> MockStats:
        recs = [
            RoundProgress("zephyr", rounds[i].name, [(T0, 90.0), (T0, s)], {}) for i, s in latest
        ]
        return MockStats(2 * len(latest), recs, [])

    assert weakest(rounds, stats((0, 70.0), (1, 20.0))) is rounds[1]
    assert weakest(rounds, stats((0, 70.0), (1, 80.0))) is rounds[0]  # the latest score counts
    assert weakest(rounds, stats((1, 10.0))) is rounds[0]  # one not practised comes first


def test_a_round_not_yet_practised_comes_before_practised_ones(tmp_path: Path) -> None:
    log, rounds = StudyLog(tmp_path / "s.db"), _rounds()
    log.record_mock(_feedback(rounds[0], "I would train a big network."), T0)
    assert weakest(rounds, log.mock_stats()) is rounds[1]


def test_next_prompt_is_the_least_answered(tmp_path: Path) -> None:
    log, rnd = StudyLog(tmp_path / "s.db"), _modelling(TWO_PROMPTS)
    assert len(rnd.prompts) == 2
    assert next_prompt(rnd, log.mock_stats()) == rnd.prompts[0]
    log.record_mock(_feedback(rnd, STRONG, 0), T0)
    assert next_prompt(rnd, log.mock_stats()) == rnd.prompts[1]
    log.record_mock(_feedback(rnd, STRONG, 1), T0)
    assert next_prompt(rnd, log.mock_stats()) == rnd.prompts[0]


def test_a_version_1_log_keeps_its_quiz_history(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE attempts (id INTEGER PRIMARY KEY, fact_id TEXT NOT NULL,"
            " topic TEXT NOT NULL, source TEXT NOT NULL, answer TEXT NOT NULL,"
            " given TEXT NOT NULL, correct INTEGER NOT NULL, at TEXT NOT NULL);"
            "CREATE TABLE facts (fact_id TEXT PRIMARY KEY, topic TEXT NOT NULL,"
            " source TEXT NOT NULL, answer TEXT NOT NULL, prompt TEXT NOT NULL,"
            " box INTEGER NOT NULL, due TEXT NOT NULL, seen INTEGER NOT NULL,"
            " missed INTEGER NOT NULL, last_seen TEXT NOT NULL, last_correct INTEGER NOT NULL);"
            "INSERT INTO attempts VALUES (1, 'f1', 'comp', 'a.md', '5', '4', 0,"
            " '2026-11-01T09:00:00+00:00');"
            "PRAGMA user_version = 1;"
        )
    log = StudyLog(path)
    assert log.stats().attempts == 1  # the quiz answer is still there
    log.record_mock(_feedback(_modelling(), STRONG), T0)
    assert log.mock_stats().attempts == 1 and log.stats().attempts == 1


@pytest.mark.model
def test_cli_saves_rounds_and_offers_the_weakest_next(cli_env: dict[str, str]) -> None:  # noqa: F811
    """Two rounds answered by the CLI: progress lists both, and prep mock offers the weaker."""
    design = (
        "First the metric: retention, not clicks, and a latency budget of 800 ms p99.\n"
        "New titles get content embeddings for cold start.\n"
        "Offline NDCG on a time split, then interleaving and an A/B test online.\n\n"
    )
    first = prep("mock", "--round", "system design", "--json", env=cli_env, stdin=design)
    assert first.returncode == 0, first.stderr
    second = prep("mock", "--round", "coding", "--json", env=cli_env, stdin="I like pizza.\n")
    assert second.returncode == 0, second.stderr
    low, high = json.loads(second.stdout), json.loads(first.stdout)
    assert low["score"] < high["score"]
    shown = prep("progress", env=cli_env)
    assert shown.returncode == 0, shown.stderr
    assert f"{high['round']}: {high['score']:.0f}" in shown.stdout
    assert f"{low['round']}: {low['score']:.0f}" in shown.stdout
    assert "missed most often" in shown.stdout
    data = json.loads(prep("progress", "--json", env=cli_env).stdout)["mock"]
    assert data["attempts"] == 2 and len(data["rounds"]) == 2
    rounds = prep("mock", "--list", env=cli_env).stdout.splitlines()
    practised = {low["round"], high["round"]}
    unpractised = [
        line for line in rounds if line.split(": ", 1)[1].split(" (")[0] not in practised
    ]
    offered = prep("mock", env=cli_env, stdin="")
    assert offered.returncode == 0, offered.stderr
    if unpractised:  # a round never practised comes before either practised one
        assert "not practised yet" in offered.stdout
    # the empty answer is not saved, so the weakest practised round is still the low one
    assert json.loads(prep("progress", "--json", env=cli_env).stdout)["mock"]["attempts"] == 2
