"""Names a question asks about that no document mentions: capitalised words and level codes."""

from __future__ import annotations

from assistant.retrieve.scoring import UnitScorer
from tests.fake_index import scorer_over

TEXTS = [
    "Zephyr Robotics levels run from Z1 to Z4; a Z3 engineer earns $180K.",
    "The onsite loop in New York City has four rounds.",
    "Updated in 2025: pay rose 12% since 2019, to 2024 levels of $2030 a week.",
]


def _scorer() -> UnitScorer:
    return scorer_over(*TEXTS)


def test_a_capitalised_word_no_document_has_is_unknown() -> None:
    assert _scorer().unknown_names("What does Zephyr pay in Lisbon?") == ["Lisbon"]


def test_the_first_word_is_not_a_name_by_its_capital() -> None:
    assert _scorer().unknown_names("Describe the Zephyr onsite loop") == []


def test_a_level_code_no_document_has_is_unknown_in_any_case_or_place() -> None:
    assert _scorer().unknown_names("Z7 pay at Zephyr") == ["Z7"]
    assert _scorer().unknown_names("what does a z9 engineer earn at zephyr") == ["z9"]
    assert _scorer().unknown_names("what does a z3 engineer earn at zephyr") == []


def test_an_acronym_of_words_the_documents_spell_out_is_known() -> None:
    assert _scorer().unknown_names("How many rounds in the NYC loop?") == []


def test_a_code_is_not_read_as_an_acronym() -> None:
    """'ZR5' is not 'Zephyr Robotics' plus a digit: a code the documents lack is unknown."""
    assert _scorer().unknown_names("What is the ZR5 level at Zephyr Robotics?") == ["ZR5"]


def test_a_year_no_document_mentions_is_unknown() -> None:
    """A year is a name in any place; amounts and percentages that look like one are not."""
    assert _scorer().unknown_names("zephyr pay back in 2020") == ["2020"]
    assert _scorer().unknown_names("how did zephyr grow from 2019 to 2025?") == []
    assert _scorer().unknown_names("is $2021 a week or 2022% normal at zephyr?") == []
