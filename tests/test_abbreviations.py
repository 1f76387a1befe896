"""Abbreviations candidates type are searched for with their long forms too (issue #15)."""

from __future__ import annotations

from assistant.retrieve.question import abbreviations, spelt_out


def test_the_long_forms_come_from_the_data_file() -> None:
    assert abbreviations()["tc"] == "total compensation"
    assert abbreviations()["yoe"] == "years of experience"


def test_long_forms_are_added_at_the_end() -> None:
    assert spelt_out("zephyr tc in gothenburg") == "zephyr tc in gothenburg (total compensation)"
    assert spelt_out("MLE YOE needed?") == (
        "MLE YOE needed? (machine learning engineer; years of experience)"
    )


def test_a_label_stays_whole() -> None:
    """'SDE II' keeps its words together: the long form goes after the question."""
    assert spelt_out("SDE II pay at Zephyr").startswith("SDE II pay at Zephyr (")


def test_nothing_is_added_when_the_long_form_is_there_or_no_abbreviation_is() -> None:
    assert spelt_out("tc (total compensation) at Zephyr") == "tc (total compensation) at Zephyr"
    assert spelt_out("How many onsite rounds?") == "How many onsite rounds?"


def test_an_abbreviation_inside_a_word_is_not_one() -> None:
    assert spelt_out("Does Zephyr pay in SEK or via tcp?") == "Does Zephyr pay in SEK or via tcp?"


def test_an_abbreviation_the_documents_use_is_left_as_it_is() -> None:
    """Where the documents write 'MLE' themselves, 'MLE' already finds them."""
    assert spelt_out("zephyr mle tc", vocabulary={"mle", "zephyr"}) == (
        "zephyr mle tc (total compensation)"
    )


def test_the_speller_keeps_the_abbreviations_it_is_told_to() -> None:
    from assistant.retrieve.spelling import Speller

    speller = Speller(["you pay the toe tax"], 3, 9, 100, 5, 3)
    assert speller.correct("yoe pay").text != "yoe pay"  # 'yoe' is one slip from 'you'
    assert speller.correct("yoe pay", keep={"yoe"}).text == "yoe pay"
