"""Study and page knobs: one default each, in the settings, and every reader takes it from there."""

from __future__ import annotations

import inspect

import pytest

from assistant.app.service import Assistant
from assistant.ingest.documents import load_folder
from assistant.paths import resource_dir
from assistant.settings import Settings
from assistant.study.examples import example_questions
from assistant.study.passages import from_documents
from assistant.study.quiz import Fact, QuizRules, facts, make_quiz
from assistant.study.quizgen import usable_question


@pytest.fixture(scope="module")
def seed_facts() -> list[Fact]:
    docs, _ = load_folder(resource_dir("seeds"), (".txt", ".md"))
    return facts(from_documents(docs))


def test_no_reader_has_a_default_of_its_own() -> None:
    """The quiz size and example count are None until the settings fill them in."""
    from assistant.app.cli.study import quiz as quiz_command

    for func in (make_quiz, Assistant.quiz, quiz_command):
        assert inspect.signature(func).parameters["n"].default is None, func
    assert inspect.signature(example_questions).parameters["n"].default is None
    assert inspect.signature(Assistant.examples).parameters["n"].default is None


def test_library_defaults_are_the_settings(seed_facts: list[Fact]) -> None:
    s = Settings()
    assert (s.page_examples, s.page_example_max_words, s.quiz_questions) == (4, 6, 5)
    assert (s.quiz_llm_min_chars, s.quiz_llm_max_chars) == (15, 300)
    assert len(make_quiz(seed_facts, seed=0)) == s.quiz_questions
    assert Assistant(s).quiz_rules() == QuizRules()


def test_environment_reaches_every_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREP_QUIZ_LLM_MAX_CHARS", "40")
    assert Assistant(Settings()).quiz_rules().llm_max_chars == 40


def test_llm_question_length_bounds_are_rules(seed_facts: list[Fact]) -> None:
    fact = next(f for f in seed_facts if f.answer == "£207K–£284K")
    question = "What pay band does Spotify give senior ML engineers in London?"
    assert usable_question(question, fact) == question
    assert usable_question(question, fact, QuizRules(llm_max_chars=40)) is None
    assert usable_question("Why?", fact, QuizRules(llm_min_chars=4)) == "Why?"


def test_example_count_and_heading_length() -> None:
    headings = [f"Topic number {i}" for i in range(8)] + ["One two three four five six seven"]
    chunks = [{"company": "hooli", "heading": h} for h in headings]
    assert len(example_questions(chunks, ["hooli"])) == Settings().page_examples
    seven = "What about One two three four five six seven at Hooli?"
    assert seven not in example_questions(chunks, ["hooli"], 20)
    assert seven in example_questions(chunks, ["hooli"], 20, max_words=7)
