"""The answer model: text with [n] markers, sources, and the JSON of `prep ask --json`."""

from __future__ import annotations

import json

from assistant.answer.citations import REFUSAL, Answer, Citation, Sentence, Source


def _citation(marker: int, file: str, start: int, end: int) -> Citation:
    return Citation(
        marker=marker,
        file=file,
        section="Comp",
        start=start,
        end=end,
        score=0.61,
        chunk_id=f"{file}::0",
        chunk_start=0,
        chunk_end=500,
        passage="the whole passage",
    )


def _answer() -> Answer:
    return Answer(
        question="What is L5 comp?",
        sentences=[
            Sentence(text="L5 senior MLE: $520k–$780k.", citation=_citation(1, "001.txt", 10, 37)),
            Sentence(text="Senior (IC3) total 410,000.", citation=_citation(2, "002.txt", 5, 30)),
            Sentence(text="All cash by default.", citation=_citation(1, "001.txt", 40, 60)),
        ],
        sources=[
            Source(marker=1, file="001.txt", title="Hub", sections=["Comp"]),
            Source(marker=2, file="002.txt", title="Guide", last_updated="2026-02-23"),
        ],
    )


def test_answer_text_has_a_marker_per_sentence() -> None:
    text = _answer().answer
    assert text.splitlines() == [
        "L5 senior MLE: $520k–$780k. [1]",
        "Senior (IC3) total 410,000. [2]",
        "All cash by default. [1]",
    ]


def test_to_text_lists_sources_with_spans_and_dates() -> None:
    text = _answer().to_text()
    assert "Sources:" in text
    assert "[1] 001.txt — Hub" in text
    assert "[2] 002.txt — Guide (updated 2026-02-23)" in text
    assert "chars: 10-37, 40-60" in text
    assert "section: Comp" in text


def test_json_shape() -> None:
    data = _answer().to_json()
    json.dumps(data)  # serialisable
    assert data["refused"] is False
    assert data["answer"] == _answer().answer
    assert [c["file"] for c in data["citations"]] == ["001.txt", "002.txt", "001.txt"]
    for cit in data["citations"]:
        assert {"file", "section", "start", "end", "score"} <= set(cit)
        assert isinstance(cit["start"], int) and isinstance(cit["end"], int)
        assert isinstance(cit["score"], float)
        assert "passage" not in cit
    assert [s["citation"] for s in data["sentences"]] == [1, 2, 1]
    assert data["sources"][1]["last_updated"] == "2026-02-23"


def test_refusal() -> None:
    plain = Answer.refusal("Vacation days at Netflix?")
    assert plain.refused and plain.answer == REFUSAL and plain.to_text() == REFUSAL
    reasoned = Answer.refusal("q", "The documents never mention 'Tokyo'.")
    assert reasoned.answer.startswith("The documents never mention 'Tokyo'. ")
    data = reasoned.to_json()
    assert data["refused"] is True and data["citations"] == [] and data["sentences"] == []
    assert "prep index" in data["answer"]  # says how to add coverage


def test_note_is_appended() -> None:
    answer = _answer()
    answer.note = "The sources give different figures."
    assert answer.answer.endswith("(The sources give different figures.)")


def test_freshness_marks_documents_over_a_year_old() -> None:
    import datetime as dt

    from assistant.answer.citations import age_days

    today = dt.date.today()
    old = (today - dt.timedelta(days=400)).isoformat()
    fresh = (today - dt.timedelta(days=30)).isoformat()
    assert age_days("2026-02-23", dt.date(2026, 11, 23)) == 273
    assert age_days("not a date") is None and age_days(None) is None
    stale = Source(marker=1, file="a.md", title="A", last_updated=old)
    recent = Source(marker=2, file="b.md", title="B", last_updated=f"{fresh}T10:00:00")
    undated = Source(marker=3, file="c.md", title="C")
    assert stale.stale and "over a year old" in stale.dated()
    assert not recent.stale and recent.dated() == f"updated {fresh}T10:00:00"
    assert not undated.stale and undated.dated() == ""
    assert stale.model_dump()["stale"] is True  # in --json output
