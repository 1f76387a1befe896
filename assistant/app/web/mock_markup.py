"""Present (web): the Mock interview tab's HTML: prompt, clock, feedback, critique, progress."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from assistant.app.web.markup import doc_link

if TYPE_CHECKING:
    from assistant.answer.citations import Answer
    from assistant.app.service import Assistant
    from assistant.study.critique import FollowUp
    from assistant.study.grading import Feedback, Mark
    from assistant.study.passages import Passage
    from assistant.study.rounds import Round
    from assistant.study.studylog import MockStats

SHOWN_SCORES = 10  # the latest scores a round's progress line shows
EXCERPT = 240  # characters of a rubric point's passage shown beside it
ICONS = {"covered": "✓", "partly covered": "◐", "missed": "✗"}
NO_ROUNDS = (
    "<p class='mock-empty'>The indexed documents describe no interview rounds yet. Add notes "
    "that list a company's rounds (what each asks, what interviewers look for) in "
    "<b>My documents</b>, then press <b>Start round</b>.</p>"
)


def round_label(rnd: Round) -> str:
    """How the picker names a round: 'Zephyr · Modelling round'."""
    return f"{rnd.company.title()} · {rnd.name}" if rnd.company else rnd.name


def mm_ss(seconds: float) -> str:
    """Seconds as mm:ss."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def cite(assistant: Assistant, ref: Passage) -> str:
    """A passage's citation (file, section, chars), linked to the document viewer at its span."""
    where = f" · {ref.section}" if ref.section else ""
    return _cite_span(assistant, ref.source, ref.start, ref.end, f"{ref.source}{where}")


def _cite_span(assistant: Assistant, file: str, start: int, end: int, label: str) -> str:
    """'label · chars a-b', linked to the viewer at that span when the document is indexed."""
    text = html.escape(f"{label} · chars {start}-{end}")
    link = doc_link(assistant, file, start, end)
    return f"<a class='mock-cite' href='{link}' target='_blank'>{text}</a>" if link else text


def _short(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def prompt_html(assistant: Assistant, rnd: Round, prompt: Passage, why: str = "") -> str:
    """The round, its time box and the quoted prompt, each with its citation."""
    from assistant.study.rounds import prompt_text

    if rnd.minutes:
        box = f"time box: {rnd.minutes} min"
        if rnd.time_ref is not None:
            box += f" ({cite(assistant, rnd.time_ref)})"
    else:
        box = "the documents give no time box: the clock counts up"
    company = f" · {html.escape(rnd.company.title())}" if rnd.company else ""
    reason = f"<p class='mock-why'>{html.escape(why)}</p>" if why else ""
    return (
        f"{reason}<p class='mock-round'><b>{html.escape(rnd.name)}</b>{company} · {box}</p>"
        f"<p class='mock-q'>{html.escape(prompt_text(prompt))}</p>"
        f"<p class='mock-source'>— {cite(assistant, prompt)}</p>"
    )


def timer_html(state: str, minutes: int | None = None, elapsed: float = 0.0, at: str = "") -> str:
    """The clock: idle, running (down from the time box, else up) or stopped at the answer."""
    limit = 60 * minutes if minutes else 0
    if state == "run":
        note = (
            f"counting down the {minutes}-minute time box"
            if limit
            else "counting up: the documents give no time box"
        )
        return (
            f"<div class='mock-clock' data-state='run' data-limit='{limit}' data-at='{at}'>"
            f"<span class='mock-time'>{mm_ss(limit)}</span> "
            f"<span class='mock-clock-note'>{note}</span></div>"
        )
    if state == "stop":
        shown = mm_ss(limit - elapsed) if limit else mm_ss(elapsed)
        note = f"answered in {mm_ss(elapsed)}"
        if limit:
            over = elapsed > limit
            note += f", {'over' if over else 'within'} the {mm_ss(limit)} time box"
        over_cls = " over" if limit and elapsed > limit else ""
        return (
            f"<div class='mock-clock stopped{over_cls}' data-state='stop'>"
            f"<span class='mock-time'>{shown}</span> "
            f"<span class='mock-clock-note'>{note}</span></div>"
        )
    return (
        "<div class='mock-clock' data-state='idle'><span class='mock-time'>--:--</span> "
        "<span class='mock-clock-note'>the clock starts with the round</span></div>"
    )


def _named(mark: Mark) -> str:
    """A point's passage with its name in bold (the name once, where the passage opens with it)."""
    name, text = mark.point.name.removesuffix(" …"), mark.point.ref.text
    if text.startswith(name):
        return f"<b>{html.escape(name)}</b>{html.escape(text[len(name) :])}"
    return f"<b>{html.escape(name)}</b>: {html.escape(text)}"


def _mark_html(assistant: Assistant, mark: Mark) -> str:
    status = mark.status
    said = (
        f"<div class='said'>you said: “{html.escape(mark.evidence)}”</div>" if mark.evidence else ""
    )
    return (
        f"<li class='mark {status.replace(' ', '-')}' data-status='{status}'>"
        f"<span class='status'>{ICONS.get(status, '')} {status}</span> "
        f"<b>{html.escape(mark.point.name)}</b>{said}"
        f"<div class='why'>why it matters: “{html.escape(_short(mark.point.ref.text))}” — "
        f"{cite(assistant, mark.point.ref)}</div></li>"
    )


def feedback_html(
    assistant: Assistant, fb: Feedback, elapsed: float | None = None, saved: bool = True
) -> str:
    """The graded answer: score and note, each rubric point, pitfalls, the three to add."""
    note = f" — {html.escape(fb.note)}" if fb.note else ""
    took = f" · answered in {mm_ss(elapsed)}" if elapsed is not None else ""
    out = [
        f"<div class='mock-score'><b>Score: {fb.score:.0f}/100</b>{note}{took}</div>",
        "<h4>Rubric: what the documents say interviewers grade</h4>",
        "<ul class='mock-marks'>" + "".join(_mark_html(assistant, m) for m in fb.marks) + "</ul>",
    ]
    if fb.pitfalls:
        items = "".join(
            f"<li class='pitfall' data-status='{m.status}'><b>{html.escape(m.point.name)}</b>"
            + (
                f"<div class='said'>your answer comes near it: “{html.escape(m.evidence)}”</div>"
                if m.evidence
                else ""
            )
            + f"<div class='why'>“{html.escape(_short(m.point.ref.text))}” — "
            f"{cite(assistant, m.point.ref)}</div></li>"
            for m in fb.pitfalls
        )
        out.append(
            "<h4>Pitfalls the documents warn about: check your answer against them</h4>"
            f"<ul class='mock-pitfalls'>{items}</ul>"
        )
    if fb.to_add:
        items = "".join(f"<li>{_named(m)} — {cite(assistant, m.point.ref)}</li>" for m in fb.to_add)
        out.append(f"<h4>Most useful to add</h4><ol class='mock-add'>{items}</ol>")
    if fb.answer.strip() and saved:
        out.append("<p class='mock-saved'>Saved: <b>Your progress</b> includes this answer.</p>")
    elif fb.answer.strip():
        out.append(
            "<p class='mock-saved'>Not saved yet: answer the follow-up below; both answers are "
            "graded and saved together.</p>"
        )
    return "\n".join(out)


def progress_html(stats: MockStats) -> str:
    """Each round's scores over time and the rubric points missed most often."""
    if not stats.rounds:
        return (
            "<h4>Your progress</h4><p class='mock-none'>No practice answers yet: "
            "start a round and submit an answer.</p>"
        )
    lines = []
    for rec in stats.rounds:
        scores = [f"{s:.0f}" for _, s in rec.scores]
        shown = " → ".join(scores[-SHOWN_SCORES:])
        if len(scores) > SHOWN_SCORES:
            shown = "… → " + shown
        name = f"{rec.company.title()} · {rec.round}" if rec.company else rec.round
        lines.append(
            f"<li><b>{html.escape(name)}</b>: {shown} (best {rec.best:.0f}, "
            f"{len(scores)} attempt{'s' if len(scores) != 1 else ''})</li>"
        )
    out = [f"<h4>Your progress</h4><ul class='mock-rounds'>{''.join(lines)}</ul>"]
    if stats.most_missed:
        missed = "".join(
            f"<li>{html.escape(m.company.title() + ' · ' if m.company else '')}"
            f"{html.escape(m.round)}: <b>{html.escape(m.point)}</b> — missed {m.missed} of "
            f"{m.graded}</li>"
            for m in stats.most_missed
        )
        out.append(f"<h4>Points missed most often</h4><ul class='mock-missed'>{missed}</ul>")
    return "\n".join(out)


def why_html(stats: MockStats, rnd: Round) -> str:
    """Why the weakest-first pick chose this round."""
    record = stats.progress(rnd.company, rnd.name)
    if record is None:
        return "Weakest first: a round you have not practised yet."
    return f"Weakest first: your last score here was {record.last:.0f}/100."


def follow_up_html(assistant: Assistant, asked: FollowUp) -> str:
    """The interviewer's follow-up question, cited when it probes a rubric point."""
    source = f"<p class='mock-source'>— {cite(assistant, asked.ref)}</p>" if asked.ref else ""
    by = "the interviewer (LLM)" if asked.by == "llm" else "the rubric (the LLM gave no question)"
    return (
        f"<h4>Follow-up</h4><p class='mock-q mock-followup-q'>{html.escape(asked.question)}</p>"
        f"{source}<p class='mock-by'>asked by {by}; answer below, or leave it empty to skip.</p>"
    )


def critique_html(assistant: Assistant, said: Answer | None) -> str:
    """The LLM's critique: each sentence with its rubric citation linked, or marked uncited."""
    if said is None:
        return ""
    if not said.sentences:
        why = html.escape(said.notice or "the LLM wrote no critique")
        return f"<h4>Critique</h4><p class='mock-critique-none'>No critique: {why}.</p>"
    items = []
    for sent in said.sentences:
        links = [_cite_span(assistant, c.file, c.start, c.end, c.file) for c in sent.citations]
        mark = " — " + ", ".join(links) if links else " <span class='uncited'>(uncited)</span>"
        items.append(
            f"<li class='{'cited' if links else 'uncited'}'>{html.escape(sent.text)}{mark}</li>"
        )
    removed = (
        f"<p class='mock-removed'>Markers to no rubric passage removed: {said.removed_markers}</p>"
        if said.removed_markers
        else ""
    )
    return f"<h4>Critique</h4><ul class='mock-critique'>{''.join(items)}</ul>{removed}"
