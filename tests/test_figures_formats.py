"""Amounts in the formats people write them: symbols or codes before or after, any separator."""

from __future__ import annotations

import pytest

from assistant.domain.figures import find_figures, parse_answer


@pytest.mark.parametrize(
    ("text", "low", "high", "currency", "period"),
    [
        ("CHF 180K", 180_000, 180_000, "CHF", ""),
        ("CHF 182'000", 182_000, 182_000, "CHF", ""),
        ("180.000 CHF", 180_000, 180_000, "CHF", ""),
        ("90.000 €", 90_000, 90_000, "EUR", ""),
        ("€ 95,000", 95_000, 95_000, "EUR", ""),
        ("EUR 110k", 110_000, 110_000, "EUR", ""),
        ("€7.500 per month", 7_500, 7_500, "EUR", "month"),
        ("1.250,50 €", 1_250.5, 1_250.5, "EUR", ""),
        ("1,5M EUR", 1_500_000, 1_500_000, "EUR", ""),
        ("¥8,000,000", 8_000_000, 8_000_000, "JPY", ""),
        ("₹45 lakh", 45, 45, "INR", ""),
        ("USD150k-200k", 150_000, 200_000, "USD", ""),
        ("$520k–$780k", 520_000, 780_000, "USD", ""),
        ("SEK 60K–76K/mo", 60_000, 76_000, "SEK", "month"),
        ("90,000 dollars a year", 90_000, 90_000, "USD", ""),
        ("90 000 €", 90_000, 90_000, "EUR", ""),
        ("€ 90 000", 90_000, 90_000, "EUR", ""),
        ("1 000 000 kr", 1_000_000, 1_000_000, "SEK", ""),
        ("CHF 180 000", 180_000, 180_000, "CHF", ""),
        ("3 000 €", 3_000, 3_000, "EUR", ""),
        ("90\u00a0000\u00a0€", 90_000, 90_000, "EUR", ""),  # no-break space
        ("82\u202f000\u00a0€", 82_000, 82_000, "EUR", ""),  # narrow no-break space (French)
        ("SEK 1\u2009200\u2009000", 1_200_000, 1_200_000, "SEK", ""),  # thin space
        ("1 250,50 €", 1_250.5, 1_250.5, "EUR", ""),
        ("90 000 – 110 000 €", 90_000, 110_000, "EUR", ""),
        ("€ 90 000 to 110 000 per year", 90_000, 110_000, "EUR", "year"),
        ("SEK 60 000/mo", 60_000, 60_000, "SEK", "month"),
    ],
)
def test_amounts_in_many_formats(
    text: str, low: float, high: float, currency: str, period: str
) -> None:
    """Each reads as one figure with its value, currency and period."""
    (fig,) = find_figures(text)
    assert (fig.low, fig.high, fig.currency, fig.period) == (low, high, currency, period)


@pytest.mark.parametrize(
    "text", ["0.125", "4 rounds", "version 2.1", "in 2026", "1 000 users", "in 2024 90 000"]
)
def test_plain_numbers_are_not_amounts(text: str) -> None:
    """A decimal, a count or a year is not money (nor a bare 1 000, as a bare 1.000 is not)."""
    assert find_figures(text) == []


@pytest.mark.parametrize(
    ("text", "amount", "value"),
    [
        ("in 2024 90 000 €", "90 000 €", 90_000),  # a year is four digits: not a first group
        ("L5 120 000 USD", "120 000 USD", 120_000),  # the 5 of L5 is glued to a letter
        ("Band 5 120k SEK", "120k SEK", 120_000),  # a number spaced in thousands takes no k
        ("4 rounds, then 95 000 €", "95 000 €", 95_000),
    ],
)
def test_a_space_joins_only_thousands_groups(text: str, amount: str, value: float) -> None:
    """Only a first group of one to three digits, not glued to letters, then groups of three."""
    (fig,) = find_figures(text)
    assert (fig.text, fig.low) == (amount, value)
    assert text[fig.start : fig.end] == amount


def test_a_space_does_not_join_a_group_of_four() -> None:
    """'1 0000 €' is no thousands grouping, so it is never read as 10,000."""
    assert 10_000 not in [f.low for f in find_figures("1 0000 €")]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("a lump sum of CHF 8,500 for the move", "CHF 8,500"), ("pays $95,000 to them", "$95,000")],
)
def test_offsets_cover_the_amount_only(text: str, amount: str) -> None:
    """start/end span the amount as written, not the space after it (the quiz blanks them)."""
    (fig,) = find_figures(text)
    assert text[fig.start : fig.end] == fig.text == amount


def test_typed_answers_match_across_formats() -> None:
    """'90000 EUR' is '90.000 €'; 'CHF 95,000' is not '€ 95,000'."""
    written = find_figures("90.000 €")[0]
    assert written.matches(parse_answer("90000 EUR"), 0.001)  # type: ignore[arg-type]
    assert not find_figures("€ 95,000")[0].matches(parse_answer("CHF 95,000"), 0.01)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["90000 EUR", "€90,000", "90 000 €", "90\u00a0000 EUR", "90 000"])
def test_typed_answers_with_space_thousands(typed: str) -> None:
    """'90 000 €' as written and typed in any spelling is one amount."""
    written = find_figures("90 000 €")[0]
    assert written.matches(parse_answer(typed), 0.001)  # type: ignore[arg-type]
    assert find_figures("90.000 €")[0].matches(written, 0.001)
