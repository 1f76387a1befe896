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


def _two_sentences(first: str, second: str) -> Answer:
    cit = _cited("x.txt", first).sentences[0].citation
    return Answer(
        question="q",
        sentences=[Sentence(text=first, citation=cit), Sentence(text=second, citation=cit)],
    )


def test_first_line_recall_counts_only_the_first_sentence() -> None:
    cases = [
        GoldenCase("a", "qa", ["x.txt"], ["$520k–$780k"], True),
        GoldenCase("b", "qb", ["x.txt"], ["five rounds", "45 minutes"], True),
    ]
    answers = {
        "qa": _two_sentences("Pay varies.", "L5 is $520K–$780K."),  # the fact comes second
        "qb": _two_sentences("There are five rounds of 45 minutes.", "More."),
    }
    docs = [Document("x", metadata={"source": "x.txt"})]
    m = evaluate(lambda q: (docs, answers[q]), cases)
    assert m.answer_recall == 1.0
    assert m.first_line_recall == 0.5


def test_sets_ask_each_case_once_and_report_each_split() -> None:
    from assistant.evaluation.sets import evaluate_sets, question_sets

    cases = [
        GoldenCase("a", "What is the L5 pay?", ["x.txt"], ["$520k–$780k"], True, split="dev"),
        GoldenCase("b", "How many onsite rounds?", ["x.txt"], ["five"], True, split="test"),
        GoldenCase("c", "What is the L9 pay?", [], [], False, split="test"),
    ]
    asked: list[str] = []
    docs = [Document("x", metadata={"source": "x.txt"})]

    def pipeline(q: str) -> tuple[list[Document], Answer]:
        asked.append(q)
        if "L9" in q:
            return docs, Answer.refusal(q)
        return docs, _cited("x.txt", "L5 is $520K–$780K." if "l5" in q.lower() else "Five.")

    extra = [GoldenCase("cand-1", "l5 pay??", ["x.txt"], ["$520k–$780k"], True)]
    sets = question_sets(cases, extra, typo_rate=0.5, typo_seed=1)
    assert list(sets) == ["all", "dev", "test", "typos", "candidates"]
    results = evaluate_sets(pipeline, sets)
    assert len(asked) == len(cases) * 2 + 1  # all (dev, test reuse it), typos, candidates
    assert results["dev"].answerable == 1 and results["dev"].answer_recall == 1.0
    assert results["test"].answerable == 1 and results["test"].unanswerable == 1
    assert results["test"].refusal_accuracy == 1.0
    assert results["all"].answerable == 2
    assert results["candidates"].answer_recall == 1.0
    assert all(q not in [c.question for c in cases] for q in asked[3:6])  # typos changed them


def test_golden_cases_each_sit_in_one_split_with_every_topic_in_both() -> None:
    from tests.conftest import GOLDEN

    cases = load_golden(GOLDEN)
    assert {c.split for c in cases} == {"dev", "test"}
    dev = [c for c in cases if c.split == "dev"]
    test = [c for c in cases if c.split == "test"]
    assert abs(len(dev) - len(test)) <= 2
    assert {c.topic for c in dev} == {c.topic for c in test}
    assert any(not c.answerable for c in test)
