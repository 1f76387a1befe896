"""Study mode over the index: passages, the compare table, the quiz, and the comp-row lead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.answer.citations import Answer
from assistant.errors import BadQuestion

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.index.store import IndexReader, StoredChunk
    from assistant.settings import Settings
    from assistant.study.compare import CompareRules, Table
    from assistant.study.critique import FollowUp
    from assistant.study.grading import Feedback
    from assistant.study.passages import Passage
    from assistant.study.quiz import Fact, QuizRules, Verdict
    from assistant.study.rounds import Round
    from assistant.study.studylog import MockStats, StudyLog


class StudyFacade:
    """The study half of the Assistant facade; wires study/ to the index, holds no logic."""

    settings: Settings
    notify: Callable[[str], None]
    _passages: tuple[IndexReader, list[Passage]] | None
    _tables: dict[str, tuple[IndexReader, Table, list[StoredChunk]]]
    _rounds: tuple[IndexReader, list[Round]] | None

    if TYPE_CHECKING:

        @property
        def reader(self) -> IndexReader: ...

        @property
        def _model(self) -> Any: ...

        def check_company(self, company: str | None) -> str | None: ...

        def companies(self) -> list[str]: ...

        def organisations(self) -> tuple[str, ...]: ...

    # --- study mode: quiz and compare, over what is indexed ----------------------------------
    def passages(self) -> list[Passage]:
        """Every citable sentence and table row of the indexed documents."""
        from assistant.study.passages import from_chunks

        reader = self.reader
        if self._passages is None or self._passages[0] is not reader:
            self._passages = (reader, from_chunks(reader.all_chunks()))
        return self._passages[1]

    def compare(self, companies: list[str]) -> Table:
        """The cited compensation table of these companies; disagreeing sources side by side."""
        from assistant.study.compare import compare

        names = [c.strip().lower() for c in companies if c.strip()]
        if not names:
            raise BadQuestion("name at least one company, e.g. prep compare acme globex")
        for name in names:
            self.check_company(name)
        return compare(self.passages(), names, self.compare_rules())

    def study_log(self) -> StudyLog:
        """The quiz history (SQLite file of the settings)."""
        from assistant.study.studylog import StudyLog

        return StudyLog(self.settings.study_db, self.settings.quiz_max_box)

    def compare_rules(self) -> CompareRules:
        """Compare's tunable numbers, from the settings."""
        from assistant.study.compare import CompareRules

        return CompareRules(self.settings.compare_label_gap, self.settings.compare_tolerance)

    def quiz_rules(self) -> QuizRules:
        """The quiz's tunable numbers, from the settings: each field from setting quiz_<field>."""
        from assistant.settings import knob_group
        from assistant.study.quiz import QuizRules

        return knob_group(QuizRules, self.settings, "quiz")

    def quiz(
        self, n: int | None = None, topic: str | None = None, seed: int | None = None
    ) -> list[Fact]:
        """n questions (default: quiz_questions) from the indexed documents; missed facts first."""
        from assistant.study.quiz import TOPICS, facts, make_quiz

        if topic is not None and topic not in TOPICS:
            raise BadQuestion(f"unknown quiz topic '{topic}'; use one of: {', '.join(TOPICS)}")
        rules, n = self.quiz_rules(), self.settings.quiz_questions if n is None else n
        found = facts(self.passages(), rules)
        picked = make_quiz(found, n, topic, self.study_log().history(), seed)
        if not picked:
            raise BadQuestion(
                f"no quiz questions{f' on {topic}' if topic else ''} in the indexed documents; "
                "try another --topic, or add notes with prep add"
            )
        if self.settings.llm != "extractive":
            from assistant.study.quizgen import phrase_questions

            prompts = self.settings.prompts_dir
            picked = phrase_questions(self._model, prompts, picked, self.notify, rules)
        return picked

    def answer_quiz(self, fact: Fact, answer: str) -> Verdict:
        """Check a typed answer leniently and record it for spaced repetition."""
        from assistant.study.quiz import check

        verdict = check(fact, answer, self.quiz_rules())
        self.study_log().record(fact, verdict.correct, answer)
        return verdict

    def comp_lead(self, question: str, answer: Answer, company: str | None) -> Answer:
        """The answer opened by the comp-table rows it asks about (one company named)."""
        from assistant.retrieve.scoring import companies_in
        from assistant.study.comp_lead import with_comp_lead

        named = [company] if company else sorted(companies_in(question, self.organisations()))
        if len(named) != 1 or named[0] not in self.companies():
            return answer
        reader = self.reader
        cached = self._tables.get(named[0])
        if cached is None or cached[0] is not reader:  # the table and its sources' chunks, once
            table = self.compare(named)
            sources = {cell.source for row in table.rows for cell in row.cells.values()}
            chunks = [c for c in reader.all_chunks() if c.metadata.get("source") in sources]
            cached = self._tables[named[0]] = (reader, table, chunks)
        return with_comp_lead(question, answer, cached[1], cached[2], self.settings.max_sentences)

    # --- mock interviews: rounds, prompts and rubric from the documents -----------------------
    def rounds(self) -> list[Round]:
        """The interview rounds the indexed documents describe, each with prompts and rubric."""
        from assistant.study.rounds import find_rounds

        reader = self.reader
        if self._rounds is None or self._rounds[0] is not reader:
            self._rounds = (reader, find_rounds(reader.all_chunks()))
        return self._rounds[1]

    def mock_round(self, name: str | None = None, company: str | None = None) -> Round:
        """The round to practise: the one named (any company unless given), else the weakest."""
        from assistant.errors import UnknownRound
        from assistant.study.practice import weakest
        from assistant.study.rounds import find_round

        rounds = self.rounds()
        if company:
            rounds = [r for r in rounds if r.company == company.strip().lower()]
        if not rounds:
            where = f" for {company}" if company else ""
            raise UnknownRound(
                f"the indexed documents describe no interview rounds{where}; "
                "add documents that list the rounds (prep docs add FILE)"
            )
        if not name:
            return weakest(rounds, self.mock_progress())
        for company_name in dict.fromkeys(r.company for r in rounds):
            found = find_round(rounds, company_name, name)
            if found is not None:
                return found
        names = ", ".join(sorted({r.name for r in rounds}))
        raise UnknownRound(f"no round named '{name}' in the documents; try one of: {names}")

    def grade_mock(self, rnd: Round, prompt: Passage, answer: str) -> Feedback:
        """Grade a practice answer against the round's rubric (offline, no LLM)."""
        from assistant.retrieve.hybrid import lexical_index
        from assistant.study.grading import Thresholds, grade

        embedder: Any = getattr(self, "embedder")  # noqa: B009  (the Assistant's query encoder)
        return grade(
            rnd,
            prompt,
            answer,
            embedder.embed_documents,
            lexical_index(self.reader).idf,
            Thresholds.from_settings(self.settings),
        )

    def mock_prompt(self, rnd: Round) -> Passage:
        """The round's prompt answered least often so far (the documents' order breaks ties)."""
        from assistant.study.practice import next_prompt

        return next_prompt(rnd, self.mock_progress())

    def submit_mock(self, rnd: Round, prompt: Passage, answer: str) -> Feedback:
        """Grade a practice answer and save the attempt in the study log (empty ones are not)."""
        feedback = self.grade_mock(rnd, prompt, answer)
        if answer.strip():
            self.study_log().record_mock(feedback)
        return feedback

    def mock_progress(self) -> MockStats:
        """Practice scores per round over time and the rubric points missed most often."""
        return self.study_log().mock_stats(self.settings.mock_missed_top)

    # --- mock interviews with an LLM: a follow-up question and a cited critique ---------------
    def mock_follow_up(self, feedback: Feedback) -> FollowUp | None:
        """The interviewer's follow-up to an answer (None without an LLM or an answer)."""
        from assistant.study.critique import follow_up

        if self.settings.llm == "extractive" or not feedback.answer.strip():
            return None
        return follow_up(self._model, self.settings, feedback, self.notify)

    def mock_critique(self, feedback: Feedback) -> Answer | None:
        """The LLM's critique, each sentence citing a rubric passage or marked uncited."""
        from assistant.study.critique import critique

        if self.settings.llm == "extractive" or not feedback.answer.strip():
            return None
        return critique(self._model, self.settings, feedback)
