"""Present (web): the Mock interview tab: a round's prompt, a timer, graded feedback, progress."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from assistant.app.web.mock_markup import (
    NO_ROUNDS,
    critique_html,
    feedback_html,
    follow_up_html,
    progress_html,
    prompt_html,
    round_label,
    timer_html,
    why_html,
)
from assistant.errors import PrepError

if TYPE_CHECKING:
    from assistant.app.service import Assistant
    from assistant.study.rounds import Round

WEAKEST = "weakest first"  # the picker's default: the facade's weakest round
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


def round_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """The picker's choices: weakest first, then every round the documents describe."""
    return [("Weakest first", WEAKEST), *((round_label(r), r.key) for r in assistant.rounds())]


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

    hidden = gr.update(visible=False, value="")

    def start(choice: Any) -> tuple[Any, ...]:
        if not isinstance(choice, str | None):
            raise gr.Error("pick a round from the list")
        try:
            if not assistant.rounds():
                return {}, NO_ROUNDS, timer_html("idle"), "", "", "", hidden, hidden, ""
            rnd, why = pick(assistant, choice)
            prompt = assistant.mock_prompt(rnd)
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        at = f"{time.time_ns()}"
        state = {"round": rnd, "prompt": prompt, "started": time.monotonic(), "done": False}
        shown = prompt_html(assistant, rnd, prompt, why)
        clock = timer_html("run", rnd.minutes, at=at)
        return state, shown, clock, "", "", "", hidden, hidden, ""

    def finish(state: dict[str, Any], answer: str, first: Any = None) -> tuple[Any, ...]:
        """Grade and save the attempt; with an LLM, add its cited critique."""
        fb = assistant.submit_mock(state["round"], state["prompt"], answer)
        shown = feedback_html(assistant, fb, state["elapsed"])
        if first is not None:
            shown = (
                f"<p class='mock-both'>Both answers together (the first alone scored "
                f"{first.score:.0f}/100):</p>{shown}"
            )
        said = critique_html(assistant, assistant.mock_critique(fb))
        progress = progress_html(assistant.mock_progress())
        return {**state, "done": True}, shown, said, progress

    def submit(state: dict[str, Any], answer: Any) -> tuple[Any, ...]:
        skip = gr.skip()
        if not isinstance(answer, str | None):
            raise gr.Error("send your answer as text")
        if not state or "round" not in state:
            return (
                state,
                "<p>Press <b>Start round</b> first.</p>",
                skip,
                skip,
                skip,
                skip,
                skip,
                skip,
            )
        if state.get("done") or state.get("first") is not None:
            gr.Warning("This answer is graded; press Start round for a new attempt.")
            return state, skip, skip, skip, skip, skip, skip, skip
        if not (answer or "").strip():
            empty = "<p>Type your answer first; the clock keeps running.</p>"
            return state, empty, skip, skip, skip, skip, skip, skip
        elapsed = time.monotonic() - state["started"]
        state = {**state, "elapsed": elapsed}
        stopped = timer_html("stop", state["round"].minutes, elapsed)
        try:
            if assistant.settings.llm != "extractive":
                first = assistant.grade_mock(state["round"], state["prompt"], answer or "")
                asked = assistant.mock_follow_up(first)
                if asked is not None:
                    state = {**state, "first": answer, "graded": first}
                    shown = feedback_html(assistant, first, elapsed, saved=False)
                    box = gr.update(visible=True, value="")
                    return (
                        state,
                        shown,
                        stopped,
                        skip,
                        follow_up_html(assistant, asked),
                        box,
                        box,
                        "",
                    )
            state, shown, said, progress = finish(state, answer or "")
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        return state, shown, stopped, progress, skip, skip, skip, said

    def submit_second(state: dict[str, Any], second: Any) -> tuple[Any, ...]:
        if not isinstance(second, str | None):
            raise gr.Error("send your answer as text")
        if not state or state.get("first") is None or state.get("done"):
            gr.Warning("Start a round and answer it first.")
            return (state, *[gr.skip()] * 5)
        first = state["first"]
        from assistant.study.critique import with_follow_up

        both = with_follow_up(first, second)
        try:
            state, shown, said, progress = finish(
                state, both, state["graded"] if both != first else None
            )
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        return state, shown, progress, hidden, hidden, said

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
                asked = gr.HTML("", elem_id="mock-followup")
                second = gr.Textbox(
                    lines=5,
                    label="Your answer to the follow-up",
                    visible=False,
                    elem_id="mock-answer2",
                )
                send2 = gr.Button("Submit follow-up answer", visible=False, elem_id="mock-submit2")
                said = gr.HTML("", elem_id="mock-critique")
            with gr.Column(scale=2):
                stats = progress_html(assistant.mock_progress())
                progress = gr.HTML(stats, elem_id="mock-progress")
        private: dict[str, Any] = {"api_visibility": "private"}
        go.click(
            start,
            [picker],
            [state, prompt, clock, answer, feedback, asked, second, send2, said],
            **private,
        )
        send.click(
            submit,
            [state, answer],
            [state, feedback, clock, progress, asked, second, send2, said],
            **private,
        )
        send2.click(
            submit_second,
            [state, second],
            [state, feedback, progress, second, send2, said],
            **private,
        )
    return picker, progress
