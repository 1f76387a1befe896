"""Spelling correction against the index's own vocabulary (issue #15: typos get answers)."""

from __future__ import annotations

import pytest

from assistant.answer.citations import Answer
from assistant.app.service import Assistant
from assistant.retrieve.spelling import Speller
from tests.test_other_corpus import CAREERS, assistant, corpus_index  # noqa: F401  (fixtures)

TEXTS = [
    "Zephyr Robotics pays machine learning engineers in kronor.",
    "Its people write real-time services in two languages; the algorithms ship as libraries.",
    "Code follows PEP 8 at levels Z3 and Z 4.",
    "The onsite loop has four rounds; the recruiter screen is a phone call.",
    "Candidates plan the lift-and-shift migration in the design round.",
    "Zephyr Robotics offers relocation to Gothenburg.",
]


def _speller() -> Speller:
    return Speller(TEXTS, min_length=3, long_word=9, typo_odds=100, clip_max=5, clip_extra=3)


def test_misspelt_words_become_index_words() -> None:
    fixed = _speller().correct("zephir robotcs pay in kronr for the onsitte loop")
    assert fixed.text == "zephyr robotics pay in kronor for the onsite loop"
    assert ("kronr", "kronor") in fixed.changes


def test_a_capitalised_typo_keeps_its_capital() -> None:
    assert _speller().correct("Does Zephr relocate to Gotenburg?").text == (
        "Does Zephyr relocate to Gothenburg?"
    )


def test_a_long_word_may_be_two_edits_away() -> None:
    assert _speller().correct("relcoatoin").text == "relocation"


def test_words_the_index_has_are_left_alone() -> None:
    fixed = _speller().correct("How many rounds is the onsite loop at Zephyr?")
    assert fixed.text == "How many rounds is the onsite loop at Zephyr?" and not fixed.changes


def test_an_english_word_is_not_made_into_a_rarer_neighbour() -> None:
    """'plain' is English and one edit from 'plan', which is not far more common: kept."""
    assert _speller().correct("explain the design round in plain words").changes == ()


def test_a_rare_english_word_next_to_a_common_one_is_corrected() -> None:
    """'thee' is English, but 'the' is thousands of times more common: a typo."""
    assert _speller().correct("what is thee onsite loop").text == "what is the onsite loop"


def test_acronyms_are_never_changed() -> None:
    """'GBP' is one edit from nothing useful; 'SDE' must not become a word either."""
    fixed = _speller().correct("zephyr pay in GBP for an SDE")
    assert "GBP" in fixed.text and "SDE" in fixed.text


def test_a_capitalised_name_is_not_turned_into_a_lowercase_word() -> None:
    """'Lyft' is a company the index lacks; 'lift' is only ever written in lower case there."""
    assert _speller().correct("Does Lyft pay more than Zephyr?").changes == ()


def test_figures_and_levels_are_untouched() -> None:
    text = "L5 pay $120k or 90.000 € at Zephyr"
    assert _speller().correct(text).text == text


def test_a_word_near_no_index_word_becomes_an_english_word() -> None:
    assert _speller().correct("biggrst onsite loop").text == "biggest onsite loop"


def test_clippings_and_run_together_words_become_the_index_words() -> None:
    """'langs' is languages, 'ppl' people, 'realtime' the index's 'real-time' (not 'mealtime')."""
    fixed = _speller().correct("ppl who write realtime algo code in two langs, libs")
    assert fixed.text == "people who write real time algorithms code in two languages, libraries"


def test_a_clipping_needs_a_clearly_longer_word_and_no_english_reading() -> None:
    speller = _speller()
    assert speller.expand("pays") is None  # 'pays' begins no word 3+ letters longer
    assert speller.correct("the tax plan").text == "the tax plan"  # English words stay
    assert speller.split("onsiteloop") == "onsite loop"
    assert speller.split("loopround") is None  # never written side by side in the index
    assert speller.correct("Zephyr's kronor").text == "Zephyr's kronor"  # a possessive


def test_a_code_the_index_writes_apart_is_written_apart() -> None:
    """'pep8' is searched as the index's 'PEP 8'; a code also written joined stays as typed."""
    fixed = _speller().correct("does zephyr check pep8 at z3 or z4?")
    assert fixed.text == "does zephyr check PEP 8 at z3 or Z 4?"
    assert ("pep8", "PEP 8") in fixed.changes


def test_the_answer_says_what_was_searched_for() -> None:
    answer = Answer.refusal("kronr pay").model_copy(update={"searched_for": "kronor pay"})
    assert answer.to_text().startswith("Searched for: kronor pay\n")
    assert answer.to_json()["searched_for"] == "kronor pay"


@pytest.mark.model
def test_a_misspelt_question_gets_the_clean_questions_answer(assistant: Assistant) -> None:  # noqa: F811
    """On the fixture corpus (not the seeds): typos in the company and the topic words."""
    clean = assistant.ask("Does Vantafel sponsor work visas?")
    typed = assistant.ask("does vantafle sponser work visas")
    assert not typed.refused, typed.answer
    assert typed.searched_for == "does vantafel sponsor work visas"
    assert typed.question == "does vantafle sponser work visas"
    assert "Blue Card" in typed.sentences[0].text
    assert typed.sentences[0].citation and typed.sentences[0].citation.file == CAREERS
    assert [s.text for s in typed.sentences] == [s.text for s in clean.sentences]
