"""The golden set itself: size, coverage of seeds and topics, and facts that exist."""

from __future__ import annotations

from collections import Counter

from conftest import GOLDEN, SEED_NAMES, SEEDS

from assistant.evaluation.golden import GoldenCase, has_fact, load_golden
from assistant.textnorm import match_key


def _cases() -> list[GoldenCase]:
    return load_golden(GOLDEN)


def test_size() -> None:
    cases = _cases()
    assert sum(c.answerable for c in cases) >= 40
    assert sum(not c.answerable for c in cases) >= 6


def test_ids_unique() -> None:
    counts = Counter(c.id for c in _cases())
    assert [i for i, n in counts.items() if n > 1] == []


def test_every_seed_has_an_answerable_question() -> None:
    covered = {s for c in _cases() if c.answerable for s in c.sources}
    assert set(SEED_NAMES) <= covered


def test_topics_present() -> None:
    topics = {c.topic for c in _cases()}
    assert {"rounds", "culture", "comp"} <= topics


def test_answerable_cases_name_sources_and_facts() -> None:
    for case in _cases():
        if case.answerable:
            assert case.sources and case.facts, case.id
            assert set(case.sources) <= set(SEED_NAMES), case.id
        else:
            assert not case.facts, case.id


def test_every_fact_is_in_a_listed_source() -> None:
    texts = {name: (SEEDS / name).read_text(encoding="utf-8") for name in SEED_NAMES}
    missing = []
    for case in _cases():
        for fact in case.facts:
            if not any(has_fact(fact, texts[s]) for s in case.sources):
                options = fact if isinstance(fact, list) else [fact]
                missing.append((case.id, [match_key(o) for o in options]))
    assert missing == []
