"""Issue #14, "Your documents, not ours": the whole pipeline on a corpus that is not the seeds.

tests/fixtures/othercorp/ holds six documents about two invented companies, written in shapes
the seeds do not have:

- quillmark-interview-guide.md   front matter; five rounds with durations; a fenced Python block
                                 whose lines start with `#`; the "Red Pen Review"; an FAQ of
                                 "### question?" headings
- quillmark-levels-and-pay.md    front matter; a "Level 3 / 4 / 5" ladder; a pay table whose rows
                                 are components and columns levels; CHF 152K, CHF 182'000
- quillmark-offer-notes.md       front matter with a title but no `company:`; 180.000 CHF,
                                 25.000 CHF; says Level 5 total is CHF 255'000 where the levels
                                 page says CHF 240K (two documents disagree)
- vantafel-careers.md            front matter; an "SDE I / SDE II / Senior SDE" ladder; 90.000 €,
                                 € 95,000, EUR 110k and the monthly €7.500 per month; "Demo
                                 Fridays"; a Q:/A: FAQ
- vantafel-interview-notes.txt   no front matter: the company must come from its own title and
                                 text (it also mentions Google, which it is not about)
- vantafel-offices.md            front matter; pay by office (regions as rows) with a space between
                                 the thousands: 840 000 kr, 1 008 000 kr, € 6 000, and 82 000 € with
                                 a narrow no-break space (U+202F) between the groups and a no-break
                                 space (U+00A0) before the €

Tests that fail because the product knows the seeds rather than documents in general are marked
xfail(strict=True) with the cause found in the code; they pass once that is generalised.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer.citations import Answer
from assistant.app.service import Assistant
from assistant.ingest.documents import load_folder
from assistant.settings import Settings
from assistant.study.compare import Row, Table, compare
from assistant.study.passages import Passage, from_documents
from assistant.study.quiz import Fact, check, facts
from assistant.textnorm import match_key
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "fixtures" / "othercorp"
GUIDE = "quillmark-interview-guide.md"
LEVELS = "quillmark-levels-and-pay.md"
OFFER = "quillmark-offer-notes.md"
CAREERS = "vantafel-careers.md"
NOTES = "vantafel-interview-notes.txt"
OFFICES = "vantafel-offices.md"
COMPANY_OF = {GUIDE: "quillmark", LEVELS: "quillmark", OFFER: "quillmark"}
COMPANY_OF |= {CAREERS: "vantafel", NOTES: "vantafel", OFFICES: "vantafel"}
PARIS_BASE = "82\u202f000\u00a0€"  # as the fixture writes it
QUILLMARK = {f for f, c in COMPANY_OF.items() if c == "quillmark"}
VANTAFEL = {f for f, c in COMPANY_OF.items() if c == "vantafel"}
CODE_COMMENTS = ("Tokenise one log line", "Split on whitespace", "Expected: parse")


def _settings(base: Path) -> Settings:
    return Settings(
        seeds_dir=base / "seeds",
        docs_dir=base / "documents",
        study_db=base / "study.sqlite3",
        index_dir=base / "index",
    )


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """ONE real index (MiniLM + Chroma) of a copy of the fixture corpus, and nothing else."""
    from assistant.index.build import build_index

    base = tmp_path_factory.mktemp("othercorp")
    shutil.copytree(CORPUS, base / "seeds")
    settings = _settings(base)
    report = build_index(settings)
    assert report.files == len(COMPANY_OF) and not report.skipped, report
    yield settings


@pytest.fixture(scope="module")
def assistant(corpus_index: Settings) -> Assistant:
    return Assistant(corpus_index)


@pytest.fixture(scope="module")
def doc_passages() -> list[Passage]:
    """Passages parsed from disk (no model), as `prep quiz` and `prep compare` see them."""
    docs, skipped = load_folder(CORPUS, (".txt", ".md"))
    assert not skipped and len(docs) == len(COMPANY_OF)
    return from_documents(docs)


def _cited(answer: Answer, fact: str, file: str) -> bool:
    """Some answer sentence says the fact and cites the file."""
    return any(
        match_key(fact) in match_key(s.text) and s.citation and s.citation.file == file
        for s in answer.sentences
    )


def _files(answer: Answer) -> set[str]:
    return {c.file for s in answer.sentences for c in s.citations}


# ---- ask: figures in their own formats, ladders, FAQ, rounds, practices -------------------

ASK_CASES = [
    ("What is the total compensation for a Level 4 ML engineer at Quillmark?", "CHF 180K", LEVELS),
    ("What is the Level 5 base salary at Quillmark?", "CHF 182'000", LEVELS),
    ("How big was the signing bonus in the Quillmark offer?", "25.000 CHF", OFFER),
    ("What total compensation did the Quillmark Level 4 offer come to?", "180.000 CHF", OFFER),
    ("What does Vantafel pay an SDE II in Berlin?", "90.000 €", CAREERS),
    ("What does Vantafel pay an SDE II in Amsterdam?", "€ 95,000", CAREERS),
    ("What is the Senior SDE base salary at Vantafel?", "EUR 110k", CAREERS),
    ("How much are freelance ML engineers paid at Vantafel?", "€7.500 per month", CAREERS),
    ("Do I need to speak German to interview at Quillmark?", "German is not required", GUIDE),
    ("Which languages can I use in the Quillmark coding round?", "Python, Java or Kotlin", GUIDE),
    ("Does Vantafel sponsor work visas?", "EU Blue Card", CAREERS),
    ("How many rounds are in the Quillmark interview loop?", "five rounds", GUIDE),
    ("How long is the Quillmark ML system design round?", "90 minutes", GUIDE),
    ("How many interview rounds does Vantafel have?", "four interview rounds", NOTES),
    ("What is the Red Pen Review at Quillmark?", "two engineers from other teams", GUIDE),
    ("What is the base salary in Vantafel's Stockholm office?", "840 000 kr", OFFICES),
]


@pytest.mark.model
@pytest.mark.parametrize("question, fact, file", ASK_CASES)
def test_ask(assistant: Assistant, question: str, fact: str, file: str) -> None:
    answer = assistant.ask(question)
    assert not answer.refused, question
    assert _cited(answer, fact, file), answer.answer
    assert answer.caveat is None, answer.answer  # every name asked about is in the passages


SCOPE_CASES = [
    ("quillmark ml engineer pay in stockholm", "Stockholm"),  # an office of the other company
    ("vantafel ML engineer pay in zurich", "Zurich"),
    ("quillmark level 7 total comp", "level 7"),
    ("vantafel principal ML engineer salary", "principal"),
]


@pytest.mark.model
@pytest.mark.parametrize("question, name", SCOPE_CASES)
def test_a_name_no_passage_found_mentions_gets_a_caveat(
    assistant: Assistant, question: str, name: str
) -> None:
    """The closest passages are still shown, after a caveat naming what they never mention."""
    answer = assistant.ask(question)
    assert not answer.refused and answer.sentences, answer.answer
    assert answer.caveat is not None and name in answer.caveat, answer.answer
    assert answer.answer.startswith(answer.caveat)


@pytest.mark.model
def test_ask_shows_both_sides_of_a_disagreement(assistant: Assistant) -> None:
    """The levels page says Level 5 total is CHF 240K; the offer notes say CHF 255'000."""
    answer = assistant.ask("What is the Level 5 total compensation at Quillmark?")
    assert _cited(answer, "CHF 240K", LEVELS), answer.answer
    assert _cited(answer, "CHF 255'000", OFFER), answer.answer


@pytest.mark.model
def test_a_vantafel_question_cites_only_vantafel(assistant: Assistant) -> None:
    answer = assistant.ask("What does Vantafel pay an SDE II?")
    assert _cited(answer, "90.000 €", CAREERS), answer.answer
    assert _files(answer) <= VANTAFEL, answer.answer


@pytest.mark.model
def test_a_quillmark_question_cites_only_quillmark(assistant: Assistant) -> None:
    answer = assistant.ask("What does Quillmark pay an SDE II?")
    assert _cited(answer, "maps to Quillmark Level 4", LEVELS), answer.answer
    assert _files(answer) <= QUILLMARK, answer.answer


# ---- a code block's `# comment` lines are code, not headings ------------------------------


@pytest.mark.model
def test_code_comments_are_not_sections(assistant: Assistant) -> None:
    guide = [p for p in assistant.passages() if p.source == GUIDE]
    assert any("def parse" in p.text for p in guide)  # the code itself is still indexed
    sections = {p.section for p in guide}
    assert [s for s in sections if any(c in s for c in CODE_COMMENTS)] == []
    assert {"Interview process > Coding round", "Culture"} <= sections
    assert "FAQ > Do I need to speak German to interview at Quillmark?" in sections


@pytest.mark.model
def test_citations_after_a_code_block_name_their_own_section(assistant: Assistant) -> None:
    answer = assistant.ask("What do Quillmark coding interviewers care about?")
    assert _cited(answer, "clear tests and edge cases", GUIDE), answer.answer
    assert answer.sentences[0].citation is not None
    assert answer.sentences[0].citation.section == "Interview process > Coding round"
    faq = assistant.ask("Do I need to speak German to interview at Quillmark?")
    assert faq.sentences[0].citation is not None
    assert faq.sentences[0].citation.section == (
        "FAQ > Do I need to speak German to interview at Quillmark?"
    )


# ---- companies and the company filter -----------------------------------------------------


@pytest.mark.parametrize(
    "file",
    [
        GUIDE,
        LEVELS,
        CAREERS,
        OFFER,
        NOTES,
    ],
)
def test_each_document_gets_its_company(doc_passages: list[Passage], file: str) -> None:
    """From `company:`, else from the document's own title (no front matter, or no company)."""
    assert {p.company for p in doc_passages if p.source == file} == {COMPANY_OF[file]}


@pytest.mark.model
def test_companies_are_the_invented_ones(assistant: Assistant) -> None:
    """Vantafel's notes mention Google twice: that does not make Google a company of the index."""
    assert assistant.companies() == ["quillmark", "vantafel"]


@pytest.mark.model
@pytest.mark.parametrize(
    "company, question, fact, file",
    [
        ("quillmark", "How many interview rounds are there?", "five rounds", GUIDE),
        ("vantafel", "What is the base salary for an SDE II?", "90.000 €", CAREERS),
        ("quillmark", "What is the SDE II salary?", "maps to Quillmark Level 4", LEVELS),
    ],
)
def test_company_filter_cites_only_that_company(
    assistant: Assistant, company: str, question: str, fact: str, file: str
) -> None:
    answer = assistant.ask(question, company=company)
    assert _cited(answer, fact, file), answer.answer
    assert _files(answer) <= {f for f, c in COMPANY_OF.items() if c == company}, answer.answer


@pytest.mark.model
def test_company_filter_finds_a_document_without_company_field(assistant: Assistant) -> None:
    answer = assistant.ask("How big was the signing bonus?", company="quillmark")
    assert _cited(answer, "25.000 CHF", OFFER), answer.answer


@pytest.mark.model
def test_company_filter_finds_a_document_without_front_matter(assistant: Assistant) -> None:
    answer = assistant.ask("How many interview rounds are there?", company="vantafel")
    assert _cited(answer, "four interview rounds", NOTES), answer.answer


# ---- compare ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(assistant: Assistant) -> Table:
    return assistant.compare(["quillmark", "vantafel"])


def _row(table: Table, company: str, label: str) -> Row:
    rows = [r for r in table.rows if r.company == company and r.label == label]
    assert rows, [(r.company, r.label) for r in table.rows]
    return rows[0]


def _grounded(row: Row) -> None:
    """Every cell's figure is written in the cited passage, as the cell says."""
    for cell in row.cells.values():
        text = (CORPUS / cell.source).read_text(encoding="utf-8")
        assert cell.value in text[cell.start : cell.end], cell
        assert cell.value in cell.passage, cell


@pytest.mark.model
def test_compare_senior_sde(table: Table) -> None:
    row = _row(table, "vantafel", "Senior SDE")
    assert row.group == "senior" and row.currency == "EUR" and row.source == CAREERS
    assert row.cells["base"].value == "EUR 110k" and row.cells["base"].low == 110_000
    assert row.cells["total"].value == "EUR 121k" and row.cells["total"].currency == "EUR"
    _grounded(row)


@pytest.mark.model
def test_compare_sde_ii_in_euro_suffix_format(table: Table) -> None:
    row = _row(table, "vantafel", "SDE II")
    assert row.currency == "EUR"
    assert row.cells["base"].value == "90.000 €" and row.cells["base"].low == 90_000
    assert row.cells["total"].value == "97.200 €" and row.cells["total"].low == 97_200
    _grounded(row)


@pytest.mark.model
def test_compare_sde_ladder_in_order(table: Table) -> None:
    """The ladder in order, then the offices (regions) by name."""
    labels = [r.label for r in table.rows if r.company == "vantafel"]
    assert labels == ["SDE I", "SDE II", "Senior SDE", "Paris", "Stockholm"]


@pytest.mark.model
def test_compare_reads_space_thousands_from_the_index(table: Table) -> None:
    row = _row(table, "vantafel", "Stockholm")
    assert row.source == OFFICES and row.currency == "SEK"
    assert row.cells["total"].value == "1 008 000 kr" and row.cells["total"].low == 1_008_000
    assert _row(table, "vantafel", "Paris").cells["base"].low == 82_000
    _grounded(row)


def test_compare_reads_space_thousands(doc_passages: list[Passage]) -> None:
    """Amounts with a (narrow) no-break or plain space between the thousands, read whole."""
    rows = {r.label: r for r in compare(doc_passages, ["vantafel"]).rows if r.source == OFFICES}
    assert set(rows) == {"Stockholm", "Paris"}
    got = {
        label: {col: (c.value, c.low, c.high, c.currency) for col, c in r.cells.items()}
        for label, r in rows.items()
    }
    assert got == {
        "Stockholm": {
            "base": ("840 000 kr", 840_000, 840_000, "SEK"),
            "total": ("1 008 000 kr", 1_008_000, 1_008_000, "SEK"),
        },
        "Paris": {
            "base": (PARIS_BASE, 82_000, 82_000, "EUR"),
            "total": ("88\u202f560\u00a0€", 88_560, 88_560, "EUR"),
        },
    }
    for row in rows.values():
        _grounded(row)


@pytest.mark.model
def test_compare_quillmark_level_ladder_in_chf(table: Table) -> None:
    assert table.missing == []
    totals = {
        r.label: r.cells["total"]
        for r in table.rows
        if r.company == "quillmark" and r.source == LEVELS and "total" in r.cells
    }
    assert {k: c.value for k, c in totals.items()} == {
        "Level 3": "CHF 145K",
        "Level 4": "CHF 180K",
        "Level 5": "CHF 240K",
    }
    assert {c.currency for c in totals.values()} == {"CHF"}


@pytest.mark.model
def test_compare_flags_the_level_5_disagreement(table: Table) -> None:
    flagged = [d for d in table.disagreements if d.company == "quillmark"]
    assert flagged and "total" in flagged[0].columns
    said = {r.source: r.cells["total"].value for r in flagged[0].rows}
    assert said == {LEVELS: "CHF 240K", OFFER: "CHF 255'000"}


# ---- quiz ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_facts(assistant: Assistant) -> list[Fact]:
    return facts(assistant.passages())


def _fact_with(found: list[Fact], answer: str) -> Fact:
    match = [f for f in found if f.answer == answer]
    assert match, sorted(f.answer for f in found)
    return match[0]


@pytest.mark.model
def test_quiz_facts_come_from_the_corpus(corpus_facts: list[Fact]) -> None:
    assert {f.source for f in corpus_facts} == set(COMPANY_OF)
    for answer in ("€ 95,000", "€7.500 per month", "EUR 121k"):
        fact = _fact_with(corpus_facts, answer)
        assert fact.kind == "figure" and fact.topic == "comp" and fact.source == CAREERS
        assert fact.passage.text[fact.start : fact.end] == answer
    assert _fact_with(corpus_facts, "five").source == GUIDE  # "five rounds"
    red_pen = _fact_with(corpus_facts, "Red Pen Review")
    assert red_pen.topic == "culture" and red_pen.kind == "practice"
    assert check(red_pen, "the red pen review").correct


@pytest.mark.model
def test_quiz_fact_keeps_chf(corpus_facts: list[Fact]) -> None:
    fact = _fact_with(corpus_facts, "CHF 180K")
    assert fact.source == LEVELS


@pytest.mark.model
def test_quiz_fact_for_a_euro_suffix_amount(corpus_facts: list[Fact]) -> None:
    fact = _fact_with(corpus_facts, "90.000 €")
    assert fact.source == CAREERS


def test_quiz_facts_with_space_thousands(doc_passages: list[Passage]) -> None:
    """The blank covers the whole amount ('840 000 kr', not '000 kr'); any spelling answers it."""
    found = facts(doc_passages)
    for answer, typed in [("840 000 kr", "SEK 840,000"), ("1 008 000 kr", "1008000 SEK")]:
        fact = _fact_with(found, answer)
        assert fact.kind == "figure" and fact.topic == "comp" and fact.source == OFFICES
        assert fact.passage.text[fact.start : fact.end] == answer
        assert check(fact, typed).correct and not check(fact, "840 €").correct


@pytest.mark.model
def test_quiz_prompts_name_the_right_company(corpus_facts: list[Fact]) -> None:
    notes = [f for f in corpus_facts if f.source == NOTES]
    assert notes and all(f.prompt.startswith("Vantafel · ") for f in notes), notes


def _written(doc_passages: list[Passage], written: str) -> Fact:
    """A figure fact whose answer is the amount exactly as the corpus writes it (the checker
    alone is under test here, whatever the fact extractor makes of the sentence)."""
    p = next(p for p in doc_passages if p.kind == "sentence" and written in p.text)
    at = p.text.index(written)
    blanked = p.text.replace(written, "_____")
    return Fact("t", "comp", blanked, written, "figure", p, at, at + len(written))


@pytest.mark.parametrize(
    "written, typed",
    [
        ("CHF 180K", "CHF 180,000"),
        ("CHF 180K", "180000"),
        ("€ 95,000", "95000 EUR"),
        ("€ 95,000", "EUR 95k"),
        ("€7.500 per month", "€7.500 per month"),
        ("CHF 180K", "CHF 180'000"),
        ("90.000 €", "90000 EUR"),
        ("90.000 €", "€90,000"),
        ("€7.500 per month", "EUR 7,500 per month"),
        ("840 000 kr", "SEK 840,000"),
        ("840 000 kr", "840000 kr"),
        ("€ 6 000", "6000 EUR"),
        ("€ 6 000", "€ 6\u00a0000"),
    ],
)
def test_checker_accepts_another_spelling(
    doc_passages: list[Passage], written: str, typed: str
) -> None:
    verdict = check(_written(doc_passages, written), typed)
    assert verdict.correct, verdict


@pytest.mark.parametrize(
    "written, typed",
    [
        ("€ 95,000", "$95,000"),
        ("€7.500 per month", "€7.500 per year"),
        ("90.000 €", "$90,000"),
        ("CHF 180K", "EUR 180,000"),
        ("€ 95,000", "CHF 95,000"),
        ("840 000 kr", "840 000 €"),
        ("€ 6 000", "€ 60 000"),
    ],
)
def test_checker_rejects_a_wrong_currency_or_period(
    doc_passages: list[Passage], written: str, typed: str
) -> None:
    verdict = check(_written(doc_passages, written), typed)
    assert not verdict.correct, verdict


@pytest.mark.parametrize(
    "written", ["CHF 180K", "€ 95,000", "€7.500 per month", "90.000 €", "840 000 kr", "€ 6 000"]
)
def test_checker_accepts_the_answer_as_written(doc_passages: list[Passage], written: str) -> None:
    fact = _written(doc_passages, written)
    assert check(fact, written).correct


# ---- follow-ups ---------------------------------------------------------------------------


def _converse(assistant: Assistant, turns: list[str]) -> tuple[str, Answer]:
    asked: list[str] = []
    answer: Answer | None = None
    for turn in turns:
        standalone, answer = assistant.converse(turn, asked)
        asked.append(standalone)
    assert answer is not None
    return asked[-1], answer


@pytest.mark.model
def test_follow_up_to_another_city(assistant: Assistant) -> None:
    standalone, answer = _converse(
        assistant, ["What does Vantafel pay an SDE II in Berlin?", "and in Amsterdam?"]
    )
    assert "Vantafel" in standalone and "Amsterdam" in standalone and "Berlin" not in standalone
    assert _cited(answer, "€ 95,000", CAREERS), answer.answer


@pytest.mark.model
@pytest.mark.parametrize("follow_up", ["and at Quillmark?", "what about Quillmark?"])
def test_follow_up_to_another_company(assistant: Assistant, follow_up: str) -> None:
    standalone, answer = _converse(assistant, ["What does Vantafel pay an SDE II?", follow_up])
    assert "Quillmark" in standalone and "Vantafel" not in standalone, standalone
    assert "SDE II" in standalone
    assert _cited(answer, "maps to Quillmark Level 4", LEVELS), answer.answer
    assert _files(answer) <= QUILLMARK, answer.answer


@pytest.mark.model
@pytest.mark.parametrize(
    "first, follow_up, new, old, fact, file",
    [
        (
            "What is the total compensation for Level 4 at Quillmark?",
            "and Level 5?",
            "Level 5",
            "Level 4",
            "CHF 240K",
            LEVELS,
        ),
        (
            "What does Vantafel pay an SDE II in Berlin?",
            "and Senior SDE?",
            "Senior SDE",
            "SDE II",
            "EUR 110k",
            CAREERS,
        ),
    ],
)
def test_follow_up_to_another_level(
    assistant: Assistant, first: str, follow_up: str, new: str, old: str, fact: str, file: str
) -> None:
    standalone, answer = _converse(assistant, [first, follow_up])
    assert new in standalone and old not in standalone.replace(new, ""), standalone
    assert _cited(answer, fact, file), answer.answer


@pytest.mark.model
def test_mock_rounds_come_from_these_documents(assistant: Assistant) -> None:
    """The mock interview's rounds, rubric and time boxes are this corpus's own."""
    rounds = {r.key: r for r in assistant.rounds()}
    coding = rounds.get("quillmark/coding round")
    assert coding is not None and coding.minutes == 60, sorted(rounds)
    assert any("clear tests and edge cases" in p.ref.text for p in coding.rubric)
    assert all(r.company in ("quillmark", "vantafel") for r in rounds.values())


@pytest.mark.model
def test_mock_grading_on_these_documents(assistant: Assistant) -> None:
    """This corpus's graded practice answers (both sets), measured 2026-11-24: P 0.6, R 0.3.

    Weak here: one strong/weak pair of three is ordered (a weak answer that says it would test
    at the end meets 'clear tests' by its words). Bars 0.03 below, so a regression shows.
    """
    from assistant.evaluation.mock_eval import evaluate_mock, load_graded

    golden = ROOT / "tests" / "golden"
    cases = [
        c
        for name in ("mock.jsonl", "mock_heldout.jsonl")
        for c in load_graded(golden / name)
        if c.company == "quillmark"
    ]
    assert len(cases) >= 12
    m = evaluate_mock(
        assistant.rounds(), cases, lambda r, a: assistant.grade_mock(r, r.prompts[0], a)
    )
    assert not m.failures, m.failures
    assert m.precision >= 0.57 and m.recall >= 0.27, m.as_dict()
    assert m.pairs_ordered >= 0.3 and m.near_zero_max <= 10.0, m.scores
