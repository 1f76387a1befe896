"""The unit scorer's shape cues: what a question asks for lifts the units that hold it."""

from __future__ import annotations

import pytest

from tests.fake_index import chunk_of, scorer_over

LINK = "The handbook lives at handbook.zephyr.example.com for every hire."
PLAIN = "The handbook lives on the intranet wiki for every hire."
COUNT = "The handbook has 12 chapters for every hire."


def _scores(question: str, *texts: str) -> dict[str, float]:
    scorer = scorer_over(*texts)
    docs = [chunk_of(n, t) for n, t in enumerate(texts)]
    return {c.text: c.score for c in scorer.score(question, [1.0, 0.0], docs)}


def test_a_where_question_lifts_the_sentence_with_an_address() -> None:
    scores = _scores("Where does the handbook live?", LINK, PLAIN)
    assert scores[LINK] > scores[PLAIN]
    same = _scores("What is the handbook for every hire?", LINK, PLAIN)
    assert same[LINK] == pytest.approx(same[PLAIN], abs=0.03)  # no 'where': no lift


@pytest.mark.parametrize("question", ["How big is the handbook?", "what share of the handbook"])
def test_how_big_and_what_share_ask_for_a_number(question: str) -> None:
    scores = _scores(question, COUNT, PLAIN)
    assert scores[COUNT] > scores[PLAIN]
