"""Eval helpers: fact matching, golden file loading and scoring with a stub pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.documents import Document

from assistant.answer.citations import Answer, Citation, Sentence
from assistant.errors import GoldenError
from assistant.evaluation.golden import GoldenCase, evaluate, has_fact, load_golden


def test_has_fact_normalises_dashes_spaces_and_case() -> None:
    assert has_fact("$520k–$780k", "L5 senior MLE $520K-$780K all-cash")
    assert has_fact("73 %", "Netflix reports that 73\u00a0% of decisions")
    assert has_fact("on-site loop", "The On\u2011site   Loop lasts a day")
    assert not has_fact("$520k–$780k", "L5 is $520k")


def test_has_fact_alternatives() -> None:
    assert has_fact(
        ["no junior hiring", "no true junior-level hiring"], "there is NO true junior-level hiring"
    )
    assert not has_fact(["a", "b"], "c")


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "golden.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = '{"id": "a", "question": "Q?", "sources": ["x.txt"], "facts": ["f"], "answerable": true}'


def test_load_golden_reads_cases(tmp_path: Path) -> None:
    no = '{"id": "b", "question": "Q2?", "answerable": false, "topic": "other"}'
    cases = load_golden(_write(tmp_path, [GOOD, "", no]))
    assert [c.id for c in cases] == ["a", "b"]
    assert cases[0].sources == ["x.txt"] and cases[0].facts == ["f"] and cases[0].answerable
    assert not cases[1].answerable and cases[1].facts == [] and cases[1].topic == "other"


@pytest.mark.parametrize(
    "bad",
    [
        '{"id": "b", "question": "Q?"',  # truncated JSON
        '{"id": "b", "answerable": true}',  # no question
        '["not", "an", "object"]',
        "plain text",
    ],
)
def test_load_golden_names_the_bad_line(tmp_path: Path, bad: str) -> None:
    path = _write(tmp_path, [GOOD, "", bad, GOOD])
    with pytest.raises(GoldenError) as info:
        load_golden(path)
    assert f"{path}:3:" in str(info.value)


def test_load_golden_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(GoldenError, match="not found"):
        load_golden(tmp_path / "nope.jsonl")
    with pytest.raises(GoldenError, match="no cases"):
        load_golden(_write(tmp_path, ["", "  "]))


def _cited(file: str, text: str) -> Answer:
    cit = Citation(
        marker=1,
        file=file,
        section="",
        start=0,
        end=1,
        score=1.0,
        chunk_id="c",
        chunk_start=0,
        chunk_end=1,
        passage=text,
    )
    return Answer(question="q", sentences=[Sentence(text=text, citation=cit)])


def test_evaluate_scores_a_stub_pipeline() -> None:
    cases = [
        GoldenCase("a", "qa", ["x.txt"], ["$520k–$780k"], True),
        GoldenCase("b", "qb", ["y.txt"], ["410,000"], True),
        GoldenCase("c", "qc", [], [], False),
        GoldenCase("d", "qd", [], [], False),
    ]
    docs = {
        "qa": [Document("L5 $520k-$780k", metadata={"source": "x.txt"})],
        "qb": [
            Document("nothing", metadata={"source": "z.txt"}),
            Document("IC3 410,000", metadata={"source": "y.txt"}),
        ],
    }
    answers = {
        "qa": _cited("x.txt", "L5 is $520K–$780K."),
        "qb": _cited("z.txt", "Nothing relevant."),
        "qc": Answer.refusal("qc"),
        "qd": _cited("x.txt", "A guess."),
    }
    m = evaluate(lambda q: (docs.get(q, []), answers[q]), cases)
    assert m.answerable == 2 and m.unanswerable == 2
    assert m.hit_at_1 == 0.5 and m.mrr == 0.75
    assert m.context_recall == 1.0 and m.answer_recall == 0.5
    assert m.citation_precision == 0.5 and m.refusal_accuracy == 0.5
    assert m.false_refusals == 0.0
    assert {f["id"] for f in m.failures} == {"b", "d"}
    assert set(m.as_dict()) >= {"hit_at_1", "answer_recall", "answerable"}
