"""A pay question about one company opens with the comp-table rows it asks about (issue #15)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assistant.answer.citations import Answer, Citation, Sentence, Source
from assistant.app.service import Assistant
from assistant.settings import Settings
from assistant.study.comp_lead import DIFFERENT, rows_asked, with_comp_lead
from assistant.study.compare import Table, compare
from assistant.study.passages import Passage
from tests.study_helpers import row_passage


def _p(source: str, start: int, text: str) -> Passage:
    return Passage(source, "t", "Pay", "acme", start, start + len(text), "sentence", text)


def _r(source: str, start: int, label: str, *cells: tuple[str, str]) -> Passage:
    return row_passage(label, list(cells), source, start=start, title="t", section="Pay")


PASSAGES = [
    _r("a.md", 0, "Senior", ("Base Salary", "$200K"), ("Total Comp", "$300K")),
    _r("a.md", 60, "Berlin", ("Base Salary", "€90K"), ("Total Comp", "€100K")),
    _p("b.md", 0, "Total comp at L5 (senior) is $320k at Acme."),
    _p("b.md", 100, "Acme's L5 (senior) engineers make $320k in total comp."),
    _p("b.md", 200, "Acme interviews have four rounds."),
]


@dataclass
class _Chunk:
    id: str
    metadata: dict[str, Any] = field(default_factory=dict)


CHUNKS = [
    _Chunk("a#0", {"source": "a.md", "start": 0, "end": 500, "text": "A", "title": "Acme A"}),
    _Chunk("b#0", {"source": "b.md", "start": 0, "end": 500, "text": "B", "title": "Acme B"}),
]


def _table() -> Table:
    return compare(PASSAGES, ["acme"])


def _answer(*lines: tuple[str, str, int, int]) -> Answer:
    files = list(dict.fromkeys(f for _, f, _, _ in lines))
    return Answer(
        question="q",
        sentences=[
            Sentence(
                text=t,
                citation=Citation(
                    marker=files.index(f) + 1, file=f, section="", start=s, end=e, score=0.5,
                    chunk_id="x", chunk_start=0, chunk_end=500, passage="",
                ),
            )
            for t, f, s, e in lines
        ],
        sources=[Source(marker=i + 1, file=f, title=f) for i, f in enumerate(files)],
    )  # fmt: skip


def test_the_rows_asked_by_seniority_place_or_level() -> None:
    table = _table()
    senior = rows_asked("What does Acme pay senior engineers?", table)
    assert {r.source for r in senior} == {"a.md", "b.md"}
    assert [r.group for r in rows_asked("acme pay in berlin", table)] == ["Berlin"]
    assert {r.source for r in rows_asked("Acme L5 total comp", table)} == {"b.md"}
    assert rows_asked("What does Acme pay?", table) == []


def test_each_source_opens_the_answer_with_its_own_citation() -> None:
    four = ("Acme interviews have four rounds.", "b.md", 200, 233)
    answer = with_comp_lead(
        "What does Acme pay senior engineers?", _answer(four), _table(), CHUNKS, 4
    )
    texts = [s.text for s in answer.sentences]
    assert "$300K" in texts[0] + texts[1] and "$320k" in texts[0] + texts[1], texts
    assert {s.citation.file for s in answer.sentences[:2] if s.citation} == {"a.md", "b.md"}
    assert texts[2] == four[0]
    assert answer.note == DIFFERENT
    # markers are renumbered and every marker names its source
    by_marker = {s.marker: s.file for s in answer.sources}
    assert all(
        by_marker[s.citation.marker] == s.citation.file for s in answer.sentences if s.citation
    )


def test_a_source_saying_the_same_figure_twice_is_quoted_once() -> None:
    again = ("Acme's L5 (senior) engineers make $320k in total comp.", "b.md", 100, 154)
    answer = with_comp_lead("Acme L5 total comp?", _answer(again), _table(), CHUNKS, 4)
    assert [s.text for s in answer.sentences] == ["Total comp at L5 (senior) is $320k at Acme."]


def test_not_a_pay_question_or_a_refusal_is_left_alone() -> None:
    four = _answer(("Acme interviews have four rounds.", "b.md", 200, 233))
    assert with_comp_lead("How many senior rounds at Acme?", four, _table(), CHUNKS, 4) == four
    refusal = Answer.refusal("Acme senior pay?")
    assert with_comp_lead("Acme senior pay?", refusal, _table(), CHUNKS, 4) == refusal


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("What does Netflix pay senior ML engineers?", ["$520k–$780k", "410,000"]),
        ("What is the most a principal ML engineer makes at Netflix?", ["$900k–$1.4M", "880,000"]),
    ],
)
def test_disagreeing_seed_sources_each_lead_with_their_figure(
    seeded_index: Settings, question: str, figures: list[str]
) -> None:
    """Issue #15's disagreement cases: senior pay and top pay, each source's figure cited."""
    answer = Assistant(seeded_index).ask(question)
    lead = answer.sentences[: len(figures)]
    for figure in figures:
        assert any(figure in s.text for s in lead), answer.answer
    assert len({s.citation.file for s in lead if s.citation}) == len(figures), answer.answer
    assert answer.note == DIFFERENT


def _cand(text: str, source: str) -> Any:
    from langchain_core.documents import Document

    from assistant.retrieve.scoring import Candidate

    doc = Document(page_content=text, metadata={"source": source})
    return Candidate(doc, "u", 0, len(text), text, "sentence", 0, 0, 0, [])


def test_a_line_repeating_its_sources_amounts_is_a_restatement() -> None:
    from assistant.answer.extractive import restates

    first = _cand("L4: $280k–$420k; L5: $520k–$780k at Acme.", "b.md")
    again = _cand("Total comp clusters $280k–$420k at L4 and $520k–$780k at L5.", "b.md")
    other = _cand("Acme pays L5 $520k–$780k, a second source says.", "c.md")
    more = _cand("L5 is $520k–$780k and L6 $700k–$1.1M.", "b.md")
    assert restates(again, first)
    assert not restates(other, first)  # another source agreeing is a second citation, not noise
    assert not restates(more, first)  # it adds L6
    assert not restates(_cand("Acme has four rounds.", "b.md"), first)
