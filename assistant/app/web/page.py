"""Present (web): the Gradio chat page and the document viewer, on the chain only."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.answer.citations import UNCITED
from assistant.app.web.markup import doc_link, md_text
from assistant.errors import PrepError

if TYPE_CHECKING:
    from assistant.answer.citations import Answer
    from assistant.app.handoff import Handoff
    from assistant.app.service import Assistant
    from assistant.app.web.guard import GuardConfig

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


CSS = """
.src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px;
       margin-bottom: 10px; }
.src-head { font-weight: 600; margin-bottom: 4px; }
.src-meta { font-size: 0.85em; opacity: 0.8; margin-bottom: 6px; }
.src blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #c9a227;
                  white-space: pre-wrap; font-size: 0.9em; }
mark { background: #ffe58a; color: inherit; }
.stale { color: #b45309; font-weight: 600; }
"""

DOC_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>
body {{ font-family: system-ui, sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em; }}
pre {{ white-space: pre-wrap; font-family: inherit; line-height: 1.5; }}
mark {{ background: #ffe58a; }} .meta {{ color: #555; }}
</style></head><body>
<h1>{title}</h1><p class="meta">{meta}</p><pre>{body}</pre>
<script>const m = document.getElementById("hl"); if (m) m.scrollIntoView({{block: "center"}});
</script></body></html>"""


def engine_note(assistant: Assistant) -> str:
    """Which engine answers, for the page."""
    if assistant.settings.llm == "extractive":
        return "**extractive** (sentences quoted from the documents, no LLM)"
    return (
        f"**{html.escape(assistant.engine())}** (generated; every [n] checked against the "
        "passages, extractive answer if the LLM fails)"
    )


def answer_markdown(assistant: Assistant, answer: Answer, upto: int | None = None) -> str:
    """The chat message: each sentence ends with clickable [n]s that open the passage."""
    searched = f"_Searched for: {md_text(answer.searched_for)}_" if answer.searched_for else ""
    if answer.refused:
        notice = f"_⚠️ {md_text(answer.notice)}_\n\n" if answer.notice else ""
        return (f"{searched}\n\n" if searched else "") + notice + md_text(answer.answer)
    lines = [searched] if searched else []
    lines += [f"_⚠️ {md_text(answer.notice)}_"] if answer.notice and upto is None else []
    lines += [f"**{md_text(answer.caveat)}**"] if answer.caveat else []
    for s in answer.sentences[:upto]:
        if s.citation is None:  # the LLM cited nothing for this sentence: say so, visibly
            lines.append(f"{md_text(s.text)} **{UNCITED}**")
            continue
        marks = []
        for c in s.citations:
            link = doc_link(assistant, c.file, c.start, c.end)
            marks.append(f"[[{c.marker}]]({link})" if link else f"[{c.marker}]")
        lines.append(f"{md_text(s.text)} {''.join(marks)}")
    if upto is None:
        if answer.note:
            lines.append(f"_{md_text(answer.note)}_")
        lines.extend(f"_⚠️ {md_text(w)}_" for w in answer.warnings())
    return "\n\n".join(lines)


def _highlight(passage: str, sentence: str) -> str:
    at = passage.find(sentence) if sentence else -1
    if at < 0:
        return html.escape(passage)
    end = at + len(sentence)
    return (
        html.escape(passage[:at])
        + f"<mark>{html.escape(sentence)}</mark>"
        + html.escape(passage[end:])
    )


def sources_html(assistant: Assistant, answer: Answer | None) -> str:
    """The sources panel: per cited passage, file, title, section, date and the highlighted text."""
    if answer is None or answer.refused or not answer.sentences:
        return "<p class='src-empty'>Sources of the answer appear here.</p>"
    titles = {s.marker: s for s in answer.sources}
    blocks = []
    for c in [c for sent in answer.sentences for c in sent.citations]:
        src = titles[c.marker]
        doc = assistant.document(assistant.document_id(c.file) or "")
        raw = doc.text[c.start : c.end] if doc else ""
        dated = f" · {html.escape(src.dated())}" if src.last_updated else ""
        if src.stale:
            dated = f"<span class='stale'>{dated}</span>"
        link = doc_link(assistant, c.file, c.start, c.end)
        blocks.append(
            f"<div class='src' data-marker='{c.marker}'>"
            f"<div class='src-head'>[{c.marker}] {html.escape(c.file)}</div>"
            f"<div class='src-meta'>{html.escape(src.title)} · {html.escape(c.section or '—')}"
            f"{dated}</div>"
            f"<blockquote>{_highlight(c.passage, raw)}</blockquote>"
            f"<a class='open-doc' href='{link}' target='_blank'>Open document at this passage</a>"
            "</div>"
        )
    return "\n".join(blocks)


def document_page(assistant: Assistant, doc_id: str, start: int, end: int) -> str | None:
    """The whole document with the cited span marked, or None if the id is unknown."""
    doc = assistant.document(doc_id)
    if doc is None:
        return None
    text = doc.text
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    changed = not doc.sha256.startswith(doc_id)  # edited since it was indexed: offsets are stale
    if changed:
        body = html.escape(text)
    else:
        body = (
            html.escape(text[:start])
            + f'<mark id="hl">{html.escape(text[start:end])}</mark>'
            + html.escape(text[end:])
        )
    updated = doc.meta.get("last_updated")
    meta = html.escape(doc.name) + (f" · updated {html.escape(str(updated))}" if updated else "")
    if changed:
        meta += (
            " · <strong>this file changed after it was indexed, so the cited passage is not "
            "marked: run <code>prep index</code> (or serve with --watch)</strong>"
        )
    return DOC_PAGE.format(title=html.escape(doc.title), meta=meta, body=body)


def engine_status(assistant: Assistant) -> str:
    """The engine and what is indexed, under the chat."""
    docs, chunks = assistant.stats()
    return f"Answer engine: {engine_note(assistant)} · {docs} documents, {chunks} passages indexed"


def example_updates(assistant: Assistant) -> list[Any]:
    """One update per example button: a question from the index, or hidden if there are fewer."""
    import gradio as gr

    questions, n = assistant.examples(), assistant.settings.page_examples
    return [
        gr.update(value=q, visible=True) if q else gr.update(value="", visible=False)
        for q in [*questions, *[""] * n][:n]
    ]


def placeholder(questions: list[str]) -> str:
    """The question box's hint: the first example, if the index gives one."""
    return f"e.g. {questions[0]}" if questions else "Ask a question about your documents"


def chat_tab(assistant: Assistant) -> tuple[Any, Any, list[Any]]:
    """The Ask tab: the chat, its examples and company filter, and the sources panel.

    Returns the company filter, the engine line and the example buttons, which the page
    refreshes when the index changes (an upload, or --watch).
    """
    import gradio as gr

    companies = ["All", *(c.title() for c in assistant.companies())]
    examples, n_examples = assistant.examples(), assistant.settings.page_examples

    Turn = tuple[list[dict[str, str]], list[dict[str, str]], list[str], str, str]

    def respond(
        message: Any, history: list[dict[str, str]], asked: list[str], company: Any
    ) -> Iterator[Turn]:
        # The conversation lives in server-side state: the client sends only its question
        # and the company filter, both checked here; the chat it sees is rendered from text.
        if not isinstance(message, str) or not isinstance(company, str | None):
            raise gr.Error("send a question as text")
        history = [*history, {"role": "user", "content": md_text(message)}]
        company_filter = None if company in (None, "All") else company.lower()
        prefix, text = "", ""
        history.append({"role": "assistant", "content": ""})
        try:
            for event in assistant.converse_events(message, asked, company_filter):
                if event.kind == "question":
                    asked = [*asked, event.text]
                    if event.text != message.strip():
                        prefix = f"_Understood as: {md_text(event.text)}_\n\n"
                elif event.kind == "delta":  # LLM text as it arrives: text, never markup
                    text += event.text
                    history[-1] = {"role": "assistant", "content": prefix + md_text(text)}
                    yield history, history, asked, sources_html(assistant, None), ""
                elif event.answer is not None:
                    answer = event.answer
                    if not text and not answer.refused:  # extractive: sentence by sentence
                        for n in range(1, len(answer.sentences)):
                            content = prefix + answer_markdown(assistant, answer, n)
                            history[-1] = {"role": "assistant", "content": content}
                            yield history, history, asked, sources_html(assistant, None), ""
                    content = prefix + answer_markdown(assistant, answer)
                    history[-1] = {"role": "assistant", "content": content}
                    yield history, history, asked, sources_html(assistant, answer), ""
        except PrepError as exc:
            history[-1] = {"role": "assistant", "content": f"⚠️ {md_text(str(exc))}"}
            yield history, history, asked, sources_html(assistant, None), ""

    with gr.Tab("Ask", id="ask", elem_id="tab-ask"):
        asked = gr.State([])
        shown = gr.State([])  # the chat as rendered; never taken from the client
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat",
                    height=480,
                    elem_id="chat",
                    placeholder="Ask a question, or pick an example below.",
                    buttons=["copy"],
                    latex_delimiters=[],
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder=placeholder(examples),
                        show_label=False,
                        scale=5,
                        elem_id="question",
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row():
                    example_buttons = [
                        gr.Button(q, size="sm", elem_classes=["example"], visible=bool(q))
                        for q in [*examples, *[""] * n_examples][:n_examples]
                    ]
                with gr.Row():
                    company = gr.Radio(companies, value="All", label="Company", elem_id="company")
                    clear = gr.Button("Clear chat", elem_id="clear")
                engine = gr.Markdown(engine_status(assistant), elem_id="engine")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(sources_html(assistant, None), elem_id="sources")
        outputs = [chatbot, shown, asked, sources, box]
        inputs = [box, shown, asked, company]
        box.submit(respond, inputs, outputs, api_name="ask", concurrency_id="answer")
        hidden: dict[str, Any] = {"api_visibility": "private", "concurrency_id": "answer"}
        send.click(respond, inputs, outputs, **hidden)
        for button in example_buttons:  # the button's current text: examples follow the index
            button.click(lambda q: q, button, box, api_visibility="private").then(
                respond, inputs, outputs, **hidden
            )
        clear.click(
            lambda: ([], [], [], sources_html(assistant, None), ""),
            None,
            outputs,
            api_visibility="private",
        )
    return company, engine, example_buttons


def build(assistant: Assistant) -> Any:
    """The Gradio Blocks of the page: Ask, Quiz me, Mock interview, Compare offers, My documents."""
    import gradio as gr

    from assistant.app.web.mock import mock_tab, mock_updates
    from assistant.app.web.study import compare_tab, documents_markdown, documents_tab, quiz_tab

    with gr.Blocks(title="Interview Prep Assistant") as demo:
        gr.Markdown(
            "## Interview Prep Assistant\nAsk about ML engineer interview rounds, culture and "
            "compensation, quiz yourself, practise a mock interview round, compare offers, add "
            "your own notes. Every answer cites its source; click a [n] to read it."
        )
        with gr.Tabs(elem_id="tabs"):
            company, engine, examples = chat_tab(assistant)
            quiz_tab(assistant)
            rounds, progress = mock_tab(assistant)
            picked = compare_tab(assistant)
            listing, added = documents_tab(assistant)

        def refresh() -> tuple[Any, ...]:
            known = [c.title() for c in assistant.companies()]
            return (
                gr.update(choices=["All", *known]),
                engine_status(assistant),
                gr.update(choices=known),
                documents_markdown(assistant),
                *mock_updates(assistant),
                *example_updates(assistant),
            )

        shown = [company, engine, picked, listing, rounds, progress, *examples]
        demo.load(refresh, None, shown, api_visibility="private")
        added.then(refresh, None, shown, api_visibility="private")
    s = assistant.settings
    demo.queue(default_concurrency_limit=s.page_concurrency, max_size=s.page_queue_size)
    return demo


def create_app(
    assistant: Assistant, guard: GuardConfig | None = None, handoff: Handoff | None = None
) -> Any:
    """The page at / and documents at /doc/{id} (by index id only), behind the HTTP guard.

    With a handoff record, `prep ask` may hand questions over (app/web/handoff_route.py).
    """
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import HTMLResponse

    from assistant.app.web.guard import Guard, allowed_hosts

    assistant.reader.all_chunks()  # load the index before the first request
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/doc/{doc_id}", response_class=HTMLResponse)
    def doc(doc_id: str, s: int = 0, e: int = 0) -> str:
        page = document_page(assistant, doc_id, s, e)
        if page is None:
            raise HTTPException(status_code=404, detail="no indexed document has this id")
        return page

    @app.get("/healthz")
    def health() -> dict[str, int]:
        docs, chunks = assistant.stats()
        return {"documents": docs, "chunks": chunks}

    if handoff is not None:
        from assistant.app.web.handoff_route import add_handoff_route

        add_handoff_route(app, assistant, handoff)
    from assistant.app.web.mock import MOCK_CSS
    from assistant.app.web.study import STUDY_CSS

    blocks = build(assistant)
    gr.mount_gradio_app(
        app,
        blocks,
        path="",
        footer_links=[],
        css=CSS + STUDY_CSS + MOCK_CSS,
        max_file_size=f"{assistant.settings.max_upload_mb:g}mb",
    )
    # Gradio checks that event inputs name only files uploaded to its own folder once an app
    # has "launched"; a mounted app never launches, so without this any server path passes.
    blocks.has_launched = True
    return Guard(app, guard or GuardConfig(hosts=allowed_hosts("127.0.0.1")))


def serve(
    assistant: Assistant, host: str, port: int, guard: GuardConfig, handoff: Handoff | None = None
) -> None:
    """Run the page with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(
        create_app(assistant, guard, handoff),
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
