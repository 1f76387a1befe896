"""Present (web): the study tabs of the page: Quiz me, Compare offers, My documents."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.app.web.markup import doc_link, md_code, md_text
from assistant.errors import PrepError

if TYPE_CHECKING:
    from assistant.app.service import Assistant
    from assistant.study.compare import Table
    from assistant.study.quiz import Fact, Verdict

ALL = "All topics"
STUDY_CSS = """
#quiz-reveal .ok { color: #15803d; font-weight: 600; }
#quiz-question .quiz-prompt { font-size: 1.1em; }
#quiz-reveal .miss { color: #b91c1c; font-weight: 600; }
#quiz-reveal blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #c9a227; }
#compare-table table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
#compare-table th, #compare-table td { border: 1px solid var(--border-color-primary);
                                       padding: 4px 6px; text-align: left; }
#compare-table tr.differs td { background: rgba(245, 158, 11, 0.12); }
#compare-table sup a { text-decoration: none; }
"""


# --- Quiz me -------------------------------------------------------------------------------
def question_html(state: dict[str, Any]) -> str:
    """The current question, or the score once the quiz is over (plain text, escaped)."""
    facts: list[Fact] = state.get("facts", [])
    i = state.get("i", 0)
    if not facts:
        return "<p>Pick a topic and press <b>Start quiz</b>.</p>"
    if i >= len(facts):
        missed = state.get("missed", [])
        tail = (
            f"<p>Missed: {html.escape('; '.join(missed))}. They come first next time.</p>"
            if missed
            else ""
        )
        return f"<p><b>Quiz done: {state['right']}/{len(facts)} right.</b></p>{tail}"
    fact = facts[i]
    return (
        f"<p><b>Question {i + 1} of {len(facts)}</b> · {fact.topic} · "
        f"{html.escape(fact.source)}</p><p class='quiz-prompt'>{html.escape(fact.prompt)}</p>"
    )


def reveal_html(assistant: Assistant, fact: Fact, verdict: Verdict) -> str:
    """The verdict, the answer highlighted in its passage, and the citation link."""
    p = fact.passage
    mark = (
        "<span class='ok'>✓ Correct</span>"
        if verdict.correct
        else "<span class='miss'>– Skipped</span>"
        if verdict.skipped
        else f"<span class='miss'>✗ Not quite</span> (you said {html.escape(verdict.given)})"
    )
    text = p.text
    body = (
        html.escape(text[: fact.start])
        + f"<mark>{html.escape(text[fact.start : fact.end])}</mark>"
        + html.escape(text[fact.end :])
    )
    link = doc_link(assistant, p.source, p.start, p.end)
    cite = html.escape(fact.citation)
    cite = f"<a class='quiz-source' href='{link}' target='_blank'>{cite}</a>" if link else cite
    return (
        f"<div>{mark}: the answer is <b>{html.escape(fact.answer)}</b>"
        f"<blockquote>{body}</blockquote>— {cite}</div>"
    )


def quiz_tab(assistant: Assistant) -> None:
    """The Quiz me tab: cloze questions, lenient checking, reveal with the cited passage."""
    import gradio as gr

    from assistant.study.quiz import TOPICS

    def start(topic: str, n: float) -> tuple[dict[str, Any], str, str, str]:
        try:
            facts = assistant.quiz(int(n), None if topic == ALL else topic)
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        state = {"facts": facts, "i": 0, "right": 0, "checked": False, "missed": []}
        return state, question_html(state), "", ""

    def check(state: dict[str, Any], answer: str) -> tuple[dict[str, Any], str, str]:
        facts = state.get("facts", [])
        i = state.get("i", 0)
        if not facts or i >= len(facts):
            return state, "<p>Start a quiz first.</p>", answer
        if state.get("checked"):
            return state, state["reveal"], answer
        fact = facts[i]
        try:
            verdict = assistant.answer_quiz(fact, answer or "")
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        state = {**state, "checked": True, "reveal": reveal_html(assistant, fact, verdict)}
        if verdict.correct:
            state["right"] += 1
        else:
            state["missed"] = [*state["missed"], fact.answer]
        return state, state["reveal"], answer

    def advance(state: dict[str, Any]) -> tuple[dict[str, Any], str, str, str]:
        if not state.get("facts"):
            return state, question_html(state), "", ""
        if not state.get("checked") and state["i"] < len(state["facts"]):
            state, _, _ = check(state, "")  # moving on counts as a skip
        state = {**state, "i": state["i"] + 1, "checked": False}
        return state, question_html(state), "", ""

    with gr.Tab("Quiz me", id="quiz", elem_id="tab-quiz"):
        state = gr.State({})
        with gr.Row():
            topic = gr.Dropdown([ALL, *TOPICS], value=ALL, label="Topic", elem_id="quiz-topic")
            n = assistant.settings.quiz_questions
            count = gr.Slider(1, 20, value=n, step=1, label="Questions", elem_id="quiz-n")
            go = gr.Button("Start quiz", variant="primary", elem_id="quiz-start")
        question = gr.HTML(question_html({}), elem_id="quiz-question")
        with gr.Row():
            answer = gr.Textbox(
                placeholder="Your answer (figures: 207k-284k, £207,000 to £284,000 ... all count)",
                show_label=False,
                scale=5,
                elem_id="quiz-answer",
            )
            check_btn = gr.Button("Check", scale=1, elem_id="quiz-check")
            next_btn = gr.Button("Next", scale=1, elem_id="quiz-next")
        reveal = gr.HTML("", elem_id="quiz-reveal")
        private: dict[str, Any] = {"api_visibility": "private"}
        go.click(start, [topic, count], [state, question, reveal, answer], **private)
        check_btn.click(check, [state, answer], [state, reveal, answer], **private)
        answer.submit(check, [state, answer], [state, reveal, answer], **private)
        next_btn.click(advance, [state], [state, question, reveal, answer], **private)


# --- Compare offers ------------------------------------------------------------------------
def table_html(assistant: Assistant, table: Table) -> str:
    """The comparison as an HTML table: every figure links to its passage; disagreements marked."""
    from assistant.study.compare import COLUMNS

    if not table.rows:
        return (
            f"<p>No compensation figures found for {html.escape(', '.join(table.companies))}.</p>"
        )
    cited = table.citations()
    titles = ("Company", "Level / region", *(c.title() for c in COLUMNS), "Currency")
    head = "".join(f"<th>{h}</th>" for h in titles)
    rows = []
    for r in table.rows:
        cells = []
        for col in COLUMNS:
            c = r.cells.get(col)
            if c is None:
                cells.append("<td></td>")
                continue
            link = doc_link(assistant, c.source, c.start, c.end)
            cells.append(
                f"<td data-col='{col}' data-source='{html.escape(c.source)}' "
                f"data-start='{c.start}' data-end='{c.end}'>{html.escape(c.value)} "
                f"<sup><a href='{link}' target='_blank'>[{table.marker(c)}]</a></sup></td>"
            )
        differs = table.disagreement(r) is not None
        flag = " ⚠ sources differ" if differs else ""
        rows.append(
            f"<tr class='{'differs' if differs else ''}'><td>{html.escape(r.company.title())}</td>"
            f"<td>{html.escape(r.display)}{flag}</td>{''.join(cells)}"
            f"<td>{html.escape(r.currency)}</td></tr>"
        )
    out = [f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"]
    if table.disagreements:
        items = "".join(
            f"<li>{html.escape(d.company.title())} {html.escape(d.group)}: "
            + "; ".join(
                f"{html.escape(r.source)} says "
                + ", ".join(f"{c} {html.escape(r.cells[c].value)}" for c in d.columns)
                for r in d.rows
            )
            + "</li>"
            for d in table.disagreements
        )
        out.append(
            f"<p><b>Sources disagree</b> (shown side by side, not merged):</p><ul>{items}</ul>"
        )
    if table.missing:
        out.append(f"<p>No compensation figures for {html.escape(', '.join(table.missing))}.</p>")
    notes = "".join(
        f"<li value='{n}'><a href='{doc_link(assistant, src, s, e)}' target='_blank'>"
        f"{html.escape(src)}</a>: {html.escape(c.passage)}</li>"
        for (src, s, e), (n, c) in cited.items()
    )
    out.append(f"<p><b>Sources</b></p><ol class='compare-sources'>{notes}</ol>")
    return "\n".join(out)


def compare_tab(assistant: Assistant) -> Any:
    """The Compare offers tab: pick companies, get the cited table."""
    import gradio as gr

    def run(companies: list[str]) -> str:
        try:
            return table_html(assistant, assistant.compare([c.lower() for c in companies or []]))
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc

    known = [c.title() for c in assistant.companies()]
    with gr.Tab("Compare offers", id="compare", elem_id="tab-compare"):
        picked = gr.CheckboxGroup(known, value=known[:2], label="Companies", elem_id="compare-pick")
        go = gr.Button("Compare", variant="primary", elem_id="compare-go")
        out = gr.HTML("", elem_id="compare-table")
        go.click(run, [picked], [out], api_name="compare")
    return picked


# --- My documents --------------------------------------------------------------------------
def documents_markdown(assistant: Assistant) -> str:
    """Your documents in the index (cited as my/...)."""
    from assistant.ingest.library import USER_PREFIX

    mine = [n for n in assistant.reader.manifest.files if n.startswith(USER_PREFIX)]
    if not mine:
        return "You have not added documents yet."
    return "Your documents in the index:\n\n" + "\n".join(f"- {md_code(n)}" for n in sorted(mine))


def _uploaded(path: object) -> bool:
    """True only for a regular file inside Gradio's upload folder (what the browser just sent)."""
    from gradio.utils import get_upload_folder

    if not isinstance(path, str):
        return False
    folder = Path(get_upload_folder()).resolve()
    given = Path(path)
    if given.is_symlink() or not given.is_file():
        return False
    return given.resolve().is_relative_to(folder) and given.resolve() != folder


def documents_tab(assistant: Assistant) -> tuple[Any, Any]:
    """The My documents tab: upload .md, .txt or .pdf files; they are indexed and cited.

    Returns the listing and the upload event, for the page to refresh the other tabs after it.
    """
    import gradio as gr

    def upload(files: list[str] | None, replace: bool, company: Any) -> tuple[str, None]:
        if not isinstance(company, str | None):
            raise gr.Error("the company must be text, e.g. acme")
        if not files:
            raise gr.Error("choose one or more .md, .txt or .pdf files first")
        if not isinstance(files, list) or not all(_uploaded(f) for f in files):
            raise gr.Error("only files uploaded from this page can be added")
        try:
            paths = [Path(f) for f in files]
            named = (company or "").strip() or None
            added, report = assistant.add_documents(paths, replace=bool(replace), company=named)
        except PrepError as exc:
            raise gr.Error(str(exc)) from exc
        lines = [f"- {a.status}: {md_code(a.name)}" for a in added]
        lines += [f"- skipped {md_code(s.name)}: {md_text(s.reason)}" for s in report.skipped]
        summary = (
            f"Indexed: {len(report.embedded)} embedded, {len(report.reused)} unchanged, "
            f"{report.chunks} passages in all. Ask about them in the Ask tab."
        )
        return "\n".join([*lines, "", summary]), None  # the page then refreshes the listing

    limit = assistant.settings.max_upload_mb
    with gr.Tab("My documents", id="documents", elem_id="tab-documents"):
        gr.Markdown(
            f"Add your own notes (.md, .txt or .pdf, up to {limit:g} MB each). They are copied to "
            f"`{assistant.settings.docs_dir}`, indexed next to the seeds and cited as `my/<file>`."
        )
        files = gr.File(
            file_count="multiple",
            file_types=[".md", ".txt", ".pdf"],
            type="filepath",
            label="Files",
            elem_id="upload",
        )
        company = gr.Textbox(
            label="Company (optional)",
            placeholder="who these files are about; empty: what each file says of itself",
            max_lines=1,
            elem_id="upload-company",
        )
        replace = gr.Checkbox(label="Replace my documents with the same name", value=False)
        add = gr.Button("Add to my documents", variant="primary", elem_id="upload-add")
        status = gr.Markdown("", elem_id="upload-status")
        listing = gr.Markdown(documents_markdown(assistant), elem_id="my-documents")
        inputs = [files, replace, company]
        added = add.click(upload, inputs, [status, files], api_visibility="private")
    return listing, added
