"""The unit scorer's question reading: everyday words the documents lack are chat, not a topic."""

from __future__ import annotations

import pytest

from tests.fake_index import chunk_of, scorer_over

PLAIN = "The handbook lives on the intranet wiki for every hire."


def _score(question: str, text: str) -> float:
    scorer = scorer_over(text)
    return scorer.score(question, [1.0, 0.0], [chunk_of(0, text)])[0].score


def test_everyday_words_the_documents_lack_are_chat_not_a_missing_topic() -> None:
    """'good' and 'get' lower no score; 'relocation', which no document has either, does."""
    plain = _score("What does the handbook cover?", PLAIN)
    chatty = _score("Good, so what does the handbook cover, get it?", PLAIN)
    topic = _score("What relocation does the handbook cover?", PLAIN)
    assert chatty == pytest.approx(plain)
    assert topic < plain - 0.01
