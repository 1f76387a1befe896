"""Currencies in questions: never refused on; an answer lacking the asked currency says so."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from assistant.answer.extractive import currency_caveat
from assistant.app.service import Assistant
from assistant.domain.figures import currencies_asked, currency_names
from assistant.retrieve.scoring import Candidate
from tests.fake_index import scorer_over
from tests.test_other_corpus import assistant, corpus_index  # noqa: F401  (fixtures)


def test_currency_names_come_from_the_data_file() -> None:
    assert {"£", "gbp", "pounds"} <= set(currency_names("GBP"))
    assert currency_names("Zephyr") == ()


def test_a_currency_is_never_an_unknown_name() -> None:
    """Named or not in the documents, a currency is answered with a caveat, not refused."""
    scorer = scorer_over("Zephyr pays senior engineers £120K in London.")
    assert scorer.unknown_names("What does Zephyr pay in GBP?") == []
    assert scorer.unknown_names("What does Zephyr pay in CHF?") == []
    assert scorer.unknown_names("What does Zephyr pay in Quatloos?") == ["Quatloos"]


def _cand(text: str) -> Candidate:
    return Candidate(Document(page_content=text), "u", 0, len(text), text, "sentence", 0, 0, 0, [])


def test_the_currencies_a_question_asks_for() -> None:
    assert currencies_asked("Zephyr L5 pay in GBP?") == {"GBP"}
    assert currencies_asked("how much is that in pounds or €") == {"GBP", "EUR"}
    assert currencies_asked("Zephyr L5 pay?") == set()


def test_no_figure_in_the_asked_currency_is_a_partial_answer() -> None:
    picked = [_cand("Level 5 engineers at Zephyr earn $180K–$220K in base.")]
    assert currency_caveat("Zephyr level 5 pay in CHF?", picked) == (
        "The documents give no figure in CHF; they give USD:"
    )


def test_a_figure_in_the_asked_currency_needs_no_caveat() -> None:
    picked = [_cand("Level 5 pays $180K."), _cand("In Zurich it is CHF 200'000.")]
    assert currency_caveat("Zephyr level 5 pay in CHF?", picked) is None
    assert currency_caveat("Zephyr level 5 pay?", picked) is None


def test_the_caveat_opens_the_answer_and_counts_as_declining() -> None:
    from assistant.answer.citations import Answer
    from assistant.evaluation.golden import GoldenCase, score_case

    answer = Answer(question="q", caveat="The documents give no figure in CHF; they give USD:")
    assert answer.answer.startswith("The documents give no figure in CHF")
    case = GoldenCase("x", "Zephyr pay in CHF?", [], [], answerable=False)
    assert score_case(lambda q: ([], answer), case).refused


@pytest.mark.model
def test_a_question_in_a_currency_the_corpus_lacks_gets_a_partial_answer(
    assistant: Assistant,  # noqa: F811
) -> None:
    """Vantafel pays in euros (the fixture corpus): asked in GBP, the answer says so first."""
    answer = assistant.ask("What does a Vantafel SDE II earn in GBP?")
    assert not answer.refused, answer.answer
    assert answer.caveat == "The documents give no figure in GBP; they give EUR:", answer.answer
    assert answer.answer.startswith(answer.caveat)
    in_euro = assistant.ask("What does a Vantafel SDE II earn in euros?")
    assert in_euro.caveat is None, in_euro.answer
