"""Study and page knobs: one default each, in the settings, and every reader takes it from there."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.app.service import Assistant
from assistant.ingest.documents import load_folder
from assistant.paths import resource_dir
from assistant.settings import Settings
from assistant.study.examples import example_questions
from assistant.study.passages import from_documents
from assistant.study.quiz import Fact, QuizRules, facts, make_quiz
from assistant.study.quizgen import usable_question
from assistant.study.studylog import StudyLog

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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


def test_library_defaults_are_the_settings(seed_facts: list[Fact], tmp_path: Path) -> None:
    from assistant.app.web.guard import GuardConfig, guard_config

    s = Settings()
    assert (s.page_examples, s.page_example_max_words, s.quiz_questions) == (4, 6, 5)
    assert (s.quiz_llm_min_chars, s.quiz_llm_max_chars, s.quiz_max_box) == (15, 300, 5)
    assert (s.page_concurrency, s.page_queue_size, s.page_login_delay) == (4, 256, 0.5)
    assert len(make_quiz(seed_facts, seed=0)) == s.quiz_questions
    assert StudyLog(tmp_path / "a.db").max_box == s.quiz_max_box
    assert Assistant(s).quiz_rules() == QuizRules()
    assert GuardConfig(hosts=frozenset()).login_delay == s.page_login_delay
    assert guard_config(s, "127.0.0.1").login_delay == s.page_login_delay


def test_environment_reaches_every_reader(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from assistant.app.web.guard import guard_config

    monkeypatch.setenv("PREP_QUIZ_LLM_MAX_CHARS", "40")
    monkeypatch.setenv("PREP_QUIZ_MAX_BOX", "2")
    monkeypatch.setenv("PREP_PAGE_LOGIN_DELAY", "0.25")
    settings = Settings(study_db=tmp_path / "study.db")
    assistant = Assistant(settings)
    assert assistant.quiz_rules().llm_max_chars == 40
    assert assistant.study_log().max_box == 2
    assert guard_config(settings, "127.0.0.1").login_delay == 0.25


def test_top_leitner_box_is_a_setting(seed_facts: list[Fact], tmp_path: Path) -> None:
    log, fact = StudyLog(tmp_path / "study.db", max_box=2), seed_facts[0]
    for _ in range(4):
        state = log.record(fact, True, "x", when=T0)
    assert (state.box, state.due) == (2, T0 + timedelta(days=4))


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


def test_scorer_cues_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each shape cue of the unit scorer is a described PREP_CUE_* setting the retriever reads."""
    from assistant.retrieve.hybrid import HybridSearch
    from assistant.retrieve.scoring import Cues

    for name in Cues.__dataclass_fields__:
        field = Settings.model_fields[f"cue_{name}"]
        assert field.description and field.default is not None, name
    monkeypatch.setenv("PREP_CUE_AMOUNT", "0.3")
    monkeypatch.setenv("PREP_CUE_LIST_INTRO_WORDS", "5")
    settings = Settings()
    cues = Cues.from_settings(settings)
    assert (cues.amount, cues.list_intro_words, cues.count) == (0.3, 5, settings.cue_count)
    from assistant.index.store import IndexReader
    from tests.conftest import FakeEmbeddings

    reader = IndexReader.__new__(IndexReader)  # never opened: only the knobs are looked at
    retriever = HybridSearch.from_settings(settings, reader, FakeEmbeddings())
    assert retriever.cues == cues


def test_near_duplicate_bounds_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The answerer's near-duplicate bounds come from PREP_ANSWER_SAME_* settings."""
    monkeypatch.setenv("PREP_ANSWER_SAME_VECTOR", "0.8")
    monkeypatch.setenv("PREP_ANSWER_SAME_WORDS", "0.6")
    monkeypatch.setattr(Assistant, "organisations", lambda self: ())  # no index needed
    answerer = Assistant(Settings()).extractive(retriever=None)
    assert (answerer.same_vector, answerer.same_words) == (0.8, 0.6)
