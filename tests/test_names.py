"""Names the documents use, and the question's names the passages found never mention."""

from __future__ import annotations

import pytest

from assistant.retrieve.names import NameStats, unmentioned

DOCS = [
    "Pay at Zephyr is set per office. The office in Lisbon pays well, and Lisbon grows.",
    "Kestrel engineers work from New Haven City; the Kestrel team writes a plan.",
    "Kestrel reports to the United States board and will state its goals each quarter.",
    "A Senior ML engineer at Zephyr is level IC4; IC5 is Staff.",
    "The Stock Grant vests yearly; every grant is reviewed.",
]
STATS = NameStats.of(DOCS)
SHARE = 0.8


def test_title_case_words_are_names_and_common_words_are_not() -> None:
    assert STATS.is_name("lisbon", SHARE)
    assert STATS.is_name("zephyr", SHARE)
    assert not STATS.is_name("engin", SHARE)  # 'engineers' in lower case
    assert not STATS.is_name("grant", SHARE)  # 'Grant' once, 'grant' once


def test_a_word_only_seen_inside_a_longer_name_needs_that_name() -> None:
    asked_state = ["state", "goal"]
    assert not STATS.is_name("state", SHARE, asked_state)  # 'United States', not a state
    assert STATS.is_name("haven", SHARE, ["new", "haven", "pay"])


@pytest.mark.parametrize(
    "question, evidence, missing",
    [
        ("zephyr pay in new haven", "Zephyr: the office in Lisbon pays EUR 90k.", ["New Haven"]),
        ("zephyr pay in lisbon", "Zephyr: the office in Lisbon pays EUR 90k.", []),
        ("what should I state in the design round", "State the latency budget.", []),
        ("IC6 pay at zephyr", "Zephyr IC4 pays EUR 90k and IC5 pays EUR 120k.", ["IC6"]),
        ("ic5 base at zephyr", "Zephyr IC5 pays EUR 120k.", []),
        ("staff pay at zephyr", "A Senior engineer at Zephyr earns EUR 100k.", ["staff"]),
        ("senior pay at zephyr", "A Senior engineer at Zephyr earns EUR 100k.", []),
        ("kestrel pay", "Kestrel pays EUR 80k.", []),
        ("zephyr pay in lisbon", "Kestrel: the office in Lisbon pays EUR 90k.", ["Zephyr"]),
    ],
)
def test_unmentioned(question: str, evidence: str, missing: list[str]) -> None:
    assert unmentioned(question, evidence, STATS, SHARE) == missing
