"""The golden files hold what they claim: each fact is in a listed source, ids are unique."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.golden import GoldenCase, has_fact, load_golden
from tests.conftest import GOLDEN, SEEDS

FILES = [GOLDEN, GOLDEN.with_name("candidate.jsonl")]


def unsupported(case: GoldenCase, texts: dict[str, str]) -> list[str]:
    """Facts of an answerable case that no listed source states (or why it cannot be checked)."""
    if not case.answerable:
        return ["an unanswerable case lists sources or facts"] if case.sources or case.facts else []
    missing = [s for s in case.sources if s not in texts]
    if missing or not case.sources or not case.facts:
        return [f"sources {missing or case.sources}, facts {case.facts}"]
    return [str(f) for f in case.facts if not any(has_fact(f, texts[s]) for s in case.sources)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fact_is_in_a_listed_source(path: Path) -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.iterdir() if p.is_file()}
    cases = load_golden(path)
    assert len({c.id for c in cases}) == len(cases), "duplicate ids"
    bad = {c.id: u for c in cases if (u := unsupported(c, texts))}
    assert bad == {}


def test_candidate_set_is_big_enough_and_new() -> None:
    cases = load_golden(FILES[1])
    assert sum(c.answerable for c in cases) >= 60
    assert sum(not c.answerable for c in cases) >= 15
    golden = {c.question.lower() for c in load_golden(GOLDEN)}
    assert not [c.id for c in cases if c.question.lower() in golden]


def test_the_check_sees_a_fact_no_source_states() -> None:
    case = GoldenCase("x", "q", ["a.txt"], ["$1M", "five rounds"], True)
    assert unsupported(case, {"a.txt": "There are five rounds."}) == ["$1M"]
    assert unsupported(GoldenCase("y", "q", [], ["$1M"], False), {}) != []
