"""Question cleaning: unusable input becomes a BadQuestion that says how to fix it."""

from __future__ import annotations

import pytest

from assistant.app.service import Assistant
from assistant.errors import BadQuestion, PrepError
from assistant.retrieve.question import clean_question
from assistant.settings import Settings

LIMIT = 2000


@pytest.mark.parametrize("question", ["", "   ", "\n\t  \n"])
def test_empty_question(question: str) -> None:
    with pytest.raises(BadQuestion, match="empty") as info:
        clean_question(question, LIMIT)
    assert "prep ask" in str(info.value)  # shows how to ask
    assert isinstance(info.value, PrepError)


def test_only_control_characters() -> None:
    with pytest.raises(BadQuestion, match="no readable characters"):
        clean_question("\x00\x01\u200b\x7f", LIMIT)


def test_too_long_question_says_the_limit() -> None:
    with pytest.raises(BadQuestion) as info:
        clean_question("a" * 100_000, LIMIT)
    message = str(info.value)
    assert "100,000" in message and "2,000" in message
    assert "sentence or two" in message
    assert "\n" not in message


def test_control_characters_removed() -> None:
    assert clean_question("What\x00 is\x1b L5\u200b comp?\x07", LIMIT) == "What is L5 comp?"
    assert clean_question("  Netflix\r\n  rounds?\t", LIMIT) == "Netflix rounds?"


def test_limit_applies_after_cleaning() -> None:
    assert clean_question("x" * LIMIT + "\x00" * 50, LIMIT) == "x" * LIMIT
    with pytest.raises(BadQuestion):
        clean_question("x" * (LIMIT + 1), LIMIT)


def test_unicode_text_kept() -> None:
    assert clean_question("Stockholm SEK 60K–76K/mo — är det bra?", LIMIT) == (
        "Stockholm SEK 60K–76K/mo — är det bra?"
    )


def test_study_knobs_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.study.compare import CompareRules
    from assistant.study.quiz import QuizRules

    assert Assistant(Settings()).compare_rules() == CompareRules()  # one default: the setting
    assert Assistant(Settings()).quiz_rules() == QuizRules()
    monkeypatch.setenv("PREP_COMPARE_LABEL_GAP", "12")
    monkeypatch.setenv("PREP_QUIZ_TOLERANCE", "0.02")
    assistant = Assistant(Settings())
    assert assistant.compare_rules().label_gap == 12
    assert assistant.quiz_rules().tolerance == 0.02
    assert assistant.quiz_rules().min_words == Settings().quiz_min_words
