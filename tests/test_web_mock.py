"""The Mock interview tab's HTML: statuses, the candidate's sentences, cited links, escaping."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from test_mock import GUIDE, KNOBS, _bag, _chunk

from assistant.app.web.mock import WEAKEST, round_choices
from assistant.app.web.mock_markup import (
    NO_ROUNDS,
    cite,
    feedback_html,
    mm_ss,
    progress_html,
    prompt_html,
    timer_html,
)
from assistant.study.grading import COVERED, MISSED, Feedback, grade
from assistant.study.rounds import Round, find_round, find_rounds
from assistant.study.studylog import MissedPoint, MockStats, RoundProgress

DOC_ID = "0123456789abcdef"
STRONG = (
    "I would split by time so nothing from the future leaks into training. "
    "I start from a simple logistic regression baseline. "
    "Then I look at the mistakes by segment and explain them."
)
HREF = re.compile(r"<a class='mock-cite' href='/doc/(\w+)\?s=(\d+)&e=(\d+)#hl' target='_blank'>")


@dataclass
class Stub:
    """The few facade calls the tab's HTML makes: documents by name, rounds, progress."""

    known: dict[str, str] = field(default_factory=lambda: {"zephyr-guide.md": DOC_ID})
    found: list[Round] = field(default_factory=list)
    stats: MockStats = field(default_factory=lambda: MockStats(0, [], []))

    def document_id(self, name: str) -> str | None:
        return self.known.get(name)

    def rounds(self) -> list[Round]:
        return self.found

    def mock_progress(self) -> MockStats:
        return self.stats


def _round(guide: str = GUIDE) -> Round:
    rnd = find_round(find_rounds([_chunk(guide)]), "zephyr", "modelling")
    assert rnd is not None
    return rnd


def _feedback(answer: str, guide: str = GUIDE) -> Feedback:
    rnd = _round(guide)
    return grade(rnd, rnd.prompts[0], answer, _bag, lambda t: 1.0, KNOBS)


def _marks(page: str) -> list[str]:
    return re.findall(r"<li class='mark [\w-]+' data-status='([\w ]+)'>", page)


def test_a_strong_answer_shows_every_point_covered_with_the_sentence_that_covers_it() -> None:
    fb = _feedback(STRONG)
    page = feedback_html(Stub(), fb, elapsed=185)  # type: ignore[arg-type]
    assert "<b>Score: 100/100</b>" in page and "answered in 03:05" in page
    assert _marks(page) == [COVERED] * 3
    assert page.count("class='mark covered'") == 3
    assert "you said: “I would split by time so nothing from the future leaks into training.”" in (
        page
    )
    assert "Most useful to add" not in page  # nothing left to add


def test_a_weak_answer_is_marked_missed_and_offers_three_points_to_add() -> None:
    page = feedback_html(Stub(), _feedback("I would train a big neural network."))  # type: ignore[arg-type]
    assert _marks(page) == [MISSED] * 3 and "you said" not in page
    added = re.search(r"<ol class='mock-add'>(.*?)</ol>", page, re.S)
    assert added is not None and added.group(1).count("<li>") == 3
    assert "<b>Leakage checks</b>. Do you split by time" in added.group(1)


def test_every_citation_links_the_viewer_to_the_points_span() -> None:
    fb = _feedback(STRONG)
    page = feedback_html(Stub(), fb)  # type: ignore[arg-type]
    links = [(d, int(s), int(e)) for d, s, e in HREF.findall(page)]
    assert len(links) == len(fb.marks)  # one per rubric point (nothing to add)
    for mark, (doc, start, end) in zip(fb.marks, links, strict=True):
        assert doc == DOC_ID and (start, end) == (mark.point.ref.start, mark.point.ref.end)
        assert GUIDE[start:end].startswith(mark.point.name)
        assert f"zephyr-guide.md · Modelling round · chars {start}-{end}</a>" in page


def test_a_document_the_index_no_longer_has_is_cited_without_a_link() -> None:
    fb = _feedback(STRONG)
    page = feedback_html(Stub(known={}), fb)  # type: ignore[arg-type]
    assert "<a " not in page and "zephyr-guide.md · Modelling round · chars" in page


def test_answer_and_document_text_are_escaped() -> None:
    evil = GUIDE.replace("Baseline first.", "Baseline first <img src=x onerror=alert(1)>.")
    evil = evil.replace("usage logs", "usage <script>alert(2)</script> logs")
    said = STRONG.replace("nothing from", "<b onclick=steal()>nothing</b> & from")
    fb = _feedback(said, evil)
    stub = Stub()
    page = feedback_html(stub, fb) + prompt_html(stub, fb.round, fb.prompt)  # type: ignore[arg-type]
    assert "<img" not in page and "<script" not in page and "<b onclick" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;script&gt;" in page
    assert (
        "you said: “I would split by time so &lt;b onclick=steal()&gt;nothing&lt;/b&gt; &amp;"
        in (page)
    )


def test_prompt_shows_the_question_round_and_time_box_with_citations() -> None:
    rnd = _round()
    page = prompt_html(Stub(), rnd, rnd.prompts[0], "Weakest first: not practised yet.")  # type: ignore[arg-type]
    assert "<b>Modelling round</b> · Zephyr · time box: 50 min" in page
    assert (
        "<p class='mock-q'>Predict which customers cancel next month from their usage logs.</p>"
        in page
    )
    assert "not practised yet" in page
    spans = [(int(s), int(e)) for _, s, e in HREF.findall(page)]
    assert spans == [
        (rnd.time_ref.start, rnd.time_ref.end),  # type: ignore[union-attr]
        (rnd.prompts[0].start, rnd.prompts[0].end),
    ]
    assert "50 minutes" in GUIDE[spans[0][0] : spans[0][1]]


def test_the_clock_counts_down_a_time_box_else_up_and_says_how_long_the_answer_took() -> None:
    down = timer_html("run", 50, at="17")
    assert "data-limit='3000'" in down and "data-at='17'" in down and ">50:00<" in down
    up = timer_html("run", None, at="18")
    assert "data-limit='0'" in up and ">00:00<" in up and "counting up" in up
    stopped = timer_html("stop", 1, elapsed=75)
    assert "data-state='stop'" in stopped and "answered in 01:15, over the 01:00" in stopped
    assert "class='mock-clock stopped over'" in stopped
    assert "answered in 00:40, within" in timer_html("stop", 1, elapsed=40)
    assert "data-state='idle'" in timer_html("idle") and mm_ss(3599.9) == "59:59"


def test_progress_lists_scores_over_time_and_the_most_missed_points() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rec = RoundProgress("zephyr", "Modelling <round>", [(at, 20.0), (at, 45.0), (at, 60.0)], {})
    missed = [MissedPoint("zephyr", "Modelling <round>", "Leakage checks", 2, 3)]
    page = progress_html(MockStats(3, [rec], missed))
    assert "<b>Zephyr · Modelling &lt;round&gt;</b>: 20 → 45 → 60 (best 60, 3 attempts)" in page
    assert "<b>Leakage checks</b> — missed 2 of 3" in page
    many = RoundProgress("acme", "Coding", [(at, float(i)) for i in range(12)], {})
    assert "… → 2 → 3" in progress_html(MockStats(12, [many], []))
    assert "No practice answers yet" in progress_html(MockStats(0, [], []))


def test_picker_offers_weakest_first_then_every_round() -> None:
    rnd = _round()
    assert round_choices(Stub(found=[rnd])) == [  # type: ignore[arg-type]
        ("Weakest first", WEAKEST),
        ("Zephyr · Modelling round", rnd.key),
    ]
    nameless = replace(rnd, company="")
    assert round_choices(Stub(found=[nameless]))[1][0] == "Modelling round"  # type: ignore[arg-type]
    assert cite(Stub(), rnd.prompts[0]).startswith("<a class='mock-cite'")  # type: ignore[arg-type]


def _handler(demo: Any, name: str) -> Any:
    return next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name)


def test_a_tab_over_documents_without_rounds_says_so() -> None:
    gr = pytest.importorskip("gradio")
    from assistant.app.web.mock import mock_tab

    with gr.Blocks() as demo:
        mock_tab(Stub())  # type: ignore[arg-type]
    shown = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "mock-prompt"]
    assert shown[0].value == NO_ROUNDS
    state, prompt, *_ = _handler(demo, "start")(WEAKEST)
    assert state == {} and prompt == NO_ROUNDS
    assert "Start round" in _handler(demo, "submit")({}, "my answer")[1]


def test_follow_up_and_critique_html() -> None:
    from assistant.answer.citations import Answer, Citation, Sentence
    from assistant.app.web.mock_markup import critique_html, follow_up_html
    from assistant.study.critique import FollowUp

    stub: Any = Stub()
    point = _feedback("I would train a big network.").marks[0].point
    asked = follow_up_html(stub, FollowUp("How would you <check> leakage?", point.ref, "llm"))
    assert "How would you &lt;check&gt; leakage?" in asked and "/doc/" in asked
    ref = point.ref
    cite = Citation(
        marker=1,
        file=ref.source,
        section="",
        start=ref.start,
        end=ref.end,
        score=1.0,
        chunk_id="c0",
        chunk_start=ref.start,
        chunk_end=ref.end,
        passage=ref.text,
    )
    said = Answer(
        question="q",
        engine="openai",
        sentences=[
            Sentence(text="You skipped the <leakage> check.", citation=cite),
            Sentence(text="Good energy overall."),
        ],
    )
    out = critique_html(stub, said)
    assert "class='cited'" in out and "&lt;leakage&gt;" in out and "/doc/" in out
    assert "(uncited)" in out and out.count("<li") == 2
    none = critique_html(stub, Answer(question="q", engine="openai", notice="the LLM failed"))
    assert "No critique: the LLM failed." in none
    assert critique_html(stub, None) == ""
