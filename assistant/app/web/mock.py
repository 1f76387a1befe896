"""Present (web): the Mock interview tab: a round's prompt, a timer, graded feedback, progress."""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from assistant.app.web.markup import doc_link
from assistant.errors import PrepError

if TYPE_CHECKING:
    from assistant.app.service import Assistant
    from assistant.study.grading import Feedback, Mark
    from assistant.study.passages import Passage
    from assistant.study.rounds import Round
    from assistant.study.studylog import MockStats

WEAKEST = "weakest first"  # the picker's default: the facade's weakest round
SHOWN_SCORES = 10  # the latest scores a round's progress line shows
EXCERPT = 240  # characters of a rubric point's passage shown beside it
ICONS = {"covered": "✓", "partly covered": "◐", "missed": "✗"}
NO_ROUNDS = (
    "<p class='mock-empty'>The indexed documents describe no interview rounds yet. Add notes "
    "that list a company's rounds (what each asks, what interviewers look for) in "
    "<b>My documents</b>, then press <b>Start round</b>.</p>"
)
MOCK_CSS = """
#mock-prompt .mock-q { font-size: 1.1em; margin: 6px 0; padding-left: 8px;
                       border-left: 3px solid #c9a227; }
#mock-timer .mock-clock { font-size: 1.05em; padding: 4px 0; }
#mock-timer .mock-time { font-family: ui-monospace, monospace; font-size: 1.6em;
                         font-weight: 600; margin-right: 8px; }
#mock-timer .mock-clock.over .mock-time { color: #b91c1c; }
#mock-timer .mock-clock.stopped .mock-time { opacity: 0.6; }
#mock-feedback .mock-score { font-size: 1.15em; margin-bottom: 6px; }
#mock-feedback ul.mock-marks { list-style: none; padding-left: 0; }
#mock-feedback .mark { border-left: 4px solid; padding: 4px 8px; margin: 6px 0; }
#mock-feedback .mark.covered { border-color: #15803d; background: rgba(21, 128, 61, 0.08); }
#mock-feedback .mark.partly-covered { border-color: #d97706;
                                      background: rgba(217, 119, 6, 0.08); }
#mock-feedback .mark.missed { border-color: #b91c1c; background: rgba(185, 28, 28, 0.06); }
#mock-feedback .status { font-weight: 600; margin-right: 6px; }
#mock-feedback .covered .status { color: #15803d; }
#mock-feedback .partly-covered .status { color: #b45309; }
#mock-feedback .missed .status { color: #b91c1c; }
#mock-feedback .said, #mock-feedback .why { font-size: 0.92em; margin-top: 2px; }
#mock-progress li { margin: 2px 0; }
#mock-progress li b { font-size: inherit; }
"""
# The clock runs in the browser: the server only says when it starts and stops (#mock-timer).
CLOCK_JS = """
const S = (window.prepMockClock = window.prepMockClock || {tick: null, t0: {}, stopped: null});
const pad = (n) => String(n).padStart(2, "0");
const fmt = (s) => pad(Math.floor(s / 60)) + ":" + pad(s % 60);
const clock = () => document.querySelector("#mock-timer .mock-clock");
function stop() { clearInterval(S.tick); S.tick = null; }
function show() {
  const c = clock();
  if (!c || c.dataset.state !== "run") return stop();
  const time = c.querySelector(".mock-time"), note = c.querySelector(".mock-clock-note");
  const limit = Number(c.dataset.limit) || 0;
  const gone = Math.floor((Date.now() - S.t0[c.dataset.at]) / 1000);
  if (!limit) { time.textContent = fmt(gone); return; }
  time.textContent = fmt(Math.max(0, limit - gone));
  if (gone >= limit && !c.classList.contains("over")) {
    c.classList.add("over");
    note.textContent = "time's up: finish your thought and submit";
  }
}
function sync() {
  stop();
  const c = clock();
  if (!c || c.dataset.state !== "run" || S.stopped === c.dataset.at) return;
  S.t0[c.dataset.at] = S.t0[c.dataset.at] || Date.now();
  show();
  S.tick = setInterval(show, 250);
}
if (!S.listening) {
  S.listening = true;
  document.addEventListener("click", (e) => {
    const c = clock(), box = document.querySelector("#mock-answer textarea");
    const hit = e.target instanceof Element && e.target.closest("#mock-submit");
    if (hit && c && c.dataset.state === "run" && box && box.value.trim()) {
      stop();
      S.stopped = c.dataset.at;
      c.classList.add("stopped");
    }
  }, true);
}
watch("value", sync);
sync();
"""


def round_label(rnd: Round) -> str:
    """How the picker names a round: 'Zephyr · Modelling round'."""
    return f"{rnd.company.title()} · {rnd.name}" if rnd.company else rnd.name


def round_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """The picker's choices: weakest first, then every round the documents describe."""
    return [("Weakest first", WEAKEST), *((round_label(r), r.key) for r in assistant.rounds())]


def mm_ss(seconds: float) -> str:
    """Seconds as mm:ss."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def cite(assistant: Assistant, ref: Passage) -> str:
    """A passage's citation (file, section, chars), linked to the document viewer at its span."""
    where = f" · {ref.section}" if ref.section else ""
    text = html.escape(f"{ref.source}{where} · chars {ref.start}-{ref.end}")
    link = doc_link(assistant, ref.source, ref.start, ref.end)
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
    name, text = mark.point.name, mark.point.ref.text
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


def feedback_html(assistant: Assistant, fb: Feedback, elapsed: float | None = None) -> str:
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
            f"<li class='pitfall'><b>{html.escape(m.point.name)}</b>"
            f"<div class='said'>you said: “{html.escape(m.evidence)}”</div>"
            f"<div class='why'>“{html.escape(_short(m.point.ref.text))}” — "
            f"{cite(assistant, m.point.ref)}</div></li>"
            for m in fb.pitfalls
        )
        out.append(
            f"<h4>Pitfalls your answer may fall into</h4><ul class='mock-pitfalls'>{items}</ul>"
        )
    if fb.to_add:
        items = "".join(f"<li>{_named(m)} — {cite(assistant, m.point.ref)}</li>" for m in fb.to_add)
        out.append(f"<h4>Most useful to add</h4><ol class='mock-add'>{items}</ol>")
    if fb.answer.strip():
        out.append("<p class='mock-saved'>Saved: <b>Your progress</b> includes this answer.</p>")
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


def pick(assistant: Assistant, choice: str | None) -> tuple[Round, str]:
    """The round the picker names (weakest first: the facade's pick), and why it was picked."""
    from assistant.errors import UnknownRound

    if choice in (None, "", WEAKEST):
        rnd = assistant.mock_round(None, None)
        return rnd, why_html(assistant.mock_progress(), rnd)
    found = next((r for r in assistant.rounds() if r.key == choice), None)
    if found is None:
        raise UnknownRound("that round is no longer in the documents; pick another")
    return found, ""


def mock_updates(assistant: Assistant) -> tuple[Any, Any]:
    """The picker's choices and the progress panel, for the page to refresh on load."""
    import gradio as gr

    return gr.update(choices=round_choices(assistant)), progress_html(assistant.mock_progress())


def mock_tab(assistant: Assistant) -> tuple[Any, Any]:
    """The Mock interview tab; returns the picker and the progress panel for the page."""
    import gradio as gr

    def start(choice: Any) -> tuple[dict[str, Any], str, str, str, str]:
        if not isinstance(choice, str | None):
            raise gr.Error("pick a round from the list")
        try:
            if not assistant.rounds():
                return {}, NO_ROUNDS, timer_html("idle"), "", ""
            rnd, why = pick(assistant, choice)
            prompt = assistant.mock_prompt(rnd)
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        at = f"{time.time_ns()}"
        state = {"round": rnd, "prompt": prompt, "started": time.monotonic(), "done": False}
        shown = prompt_html(assistant, rnd, prompt, why)
        return state, shown, timer_html("run", rnd.minutes, at=at), "", ""

    def submit(state: dict[str, Any], answer: Any) -> tuple[Any, Any, Any, Any]:
        if not isinstance(answer, str | None):
            raise gr.Error("send your answer as text")
        if not state or "round" not in state:
            return state, "<p>Press <b>Start round</b> first.</p>", gr.skip(), gr.skip()
        if state.get("done"):
            gr.Warning("This answer is graded; press Start round for a new attempt.")
            return state, gr.skip(), gr.skip(), gr.skip()
        if not (answer or "").strip():
            empty = "<p>Type your answer first; the clock keeps running.</p>"
            return state, empty, gr.skip(), gr.skip()
        elapsed = time.monotonic() - state["started"]
        try:
            fb = assistant.submit_mock(state["round"], state["prompt"], answer or "")
            progress = progress_html(assistant.mock_progress())
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        stopped = timer_html("stop", state["round"].minutes, elapsed)
        return {**state, "done": True}, feedback_html(assistant, fb, elapsed), stopped, progress

    with gr.Tab("Mock interview", id="mock", elem_id="tab-mock"):
        state = gr.State({})
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    picker = gr.Dropdown(
                        round_choices(assistant), value=WEAKEST, label="Round", elem_id="mock-round"
                    )
                    go = gr.Button("Start round", variant="primary", elem_id="mock-start")
                hint = "Pick a round (or keep weakest first) and press <b>Start round</b>."
                shown = f"<p>{hint}</p>" if assistant.rounds() else NO_ROUNDS
                prompt = gr.HTML(shown, elem_id="mock-prompt")
                clock = gr.HTML(timer_html("idle"), elem_id="mock-timer", js_on_load=CLOCK_JS)
                answer = gr.Textbox(
                    lines=8,
                    label="Your answer",
                    placeholder="Answer as you would aloud: a few sentences, one idea each.",
                    elem_id="mock-answer",
                )
                send = gr.Button("Submit answer", variant="primary", elem_id="mock-submit")
                feedback = gr.HTML("", elem_id="mock-feedback")
            with gr.Column(scale=2):
                stats = progress_html(assistant.mock_progress())
                progress = gr.HTML(stats, elem_id="mock-progress")
        private: dict[str, Any] = {"api_visibility": "private"}
        go.click(start, [picker], [state, prompt, clock, answer, feedback], **private)
        send.click(submit, [state, answer], [state, feedback, clock, progress], **private)
    return picker, progress
