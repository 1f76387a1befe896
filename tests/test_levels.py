"""Level ladders come from a data file: any ladder it names is found and ranked."""

from __future__ import annotations

import pytest

from assistant.answer.followup import rewrite
from assistant.domain.levels import LEVEL, ladder, number


@pytest.mark.parametrize(
    ("text", "found", "name", "rank"),
    [
        ("an L5 engineer", "L5", "L", 5),
        ("IC3 at the bank", "IC3", "IC", 3),
        ("Level 4 pays", "Level 4", "Level", 4),
        ("the level 10 band", "level 10", "level", 10),
        ("an SDE II in Berlin", "SDE II", "SDE", 2),
        ("SWE iii", "SWE iii", "SWE", 3),
        ("Band 7 staff", "Band 7", "Band", 7),
    ],
)
def test_levels_of_many_ladders(text: str, found: str, name: str, rank: int) -> None:
    """Short ladder names touch the number; longer ones take a space and roman numerals."""
    m = LEVEL.search(text)
    assert m is not None and m.group(0) == found
    assert ladder(m) == name and number(m) == rank


@pytest.mark.parametrize("text", ["Section II", "I am", "the L word", "Senior SDE", "E 5"])
def test_not_levels(text: str) -> None:
    """Roman numerals alone, a lone letter or a seniority word without a number are not levels."""
    assert LEVEL.search(text) is None


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        ("What does Acme pay at Level 4?", "and Level 5?", "What does Acme pay at Level 5?"),
        ("What does Acme pay an SDE II?", "and SDE III?", "What does Acme pay an SDE III?"),
        ("What does Acme pay an SDE II?", "and Senior SDE?", "What does Acme pay an Senior SDE?"),
        ("What is the TC for an L5 at Acme?", "and L6?", "What is the TC for an L6 at Acme?"),
    ],
)
def test_follow_up_swaps_the_level(previous: str, follow_up: str, expected: str) -> None:
    """A follow-up naming another level asks the same question about it."""
    assert rewrite(follow_up, [previous], ("acme",)) == expected


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("Senior Staff Engineer", "staff"),  # the highest word wins
        ("Sr. Data Scientist", "senior"),
        ("new grad hire", "entry"),  # a hyphen in the file also matches a space
        ("Entry-Level MLE", "entry"),
        ("Distinguished Fellow", "distinguished"),
        ("Engineer II", ""),
        ("Staffing partner", ""),  # whole words only
    ],
)
def test_seniority_words_come_from_the_data_file(label: str, group: str) -> None:
    from assistant.domain.levels import SENIORITY, seniority

    assert SENIORITY[0] == "entry" and SENIORITY.index("senior") < SENIORITY.index("staff")
    assert seniority(label) == group


@pytest.mark.parametrize(
    ("header", "col"),
    [
        ("Total Compensation (USD)", "total"),
        ("Base Salary", "base"),
        ("Salaries", "base"),
        ("RSUs / yr", "stock"),
        ("Equity grant", "stock"),
        ("Signing bonus", "bonus"),
        ("Baseline", ""),  # 'base' is a whole word, 'salar*' a prefix
        ("Location", ""),
    ],
)
def test_pay_columns_come_from_the_data_file(header: str, col: str) -> None:
    from assistant.study.compare_shapes import column

    assert column(header) == col


def test_words_pattern_reads_prefixes_and_hyphens() -> None:
    import re

    from assistant.domain.data import words_pattern

    pattern = re.compile(rf"\b(?:{words_pattern(['salar*', 'new-grad', 'sr.'])})(?!\w)", re.I)
    assert [bool(pattern.search(t)) for t in ("salaries", "new grad", "SR.", "grad", "sala")] == [
        True, True, True, False, False,
    ]  # fmt: skip
