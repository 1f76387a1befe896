"""The chat page as a user meets it: a real `prep serve`, Debian's chromium, gradio_client."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import ROOT
from tests.procs import free_port, http_get, running

ARTIFACTS = ROOT / "tests" / "artifacts"
L5 = "What is the total comp for an L5 MLE at Netflix?"


@pytest.fixture(scope="module")
def server(seeded_index: Settings) -> Iterator[str]:
    """`prep serve` on a free port of 127.0.0.1, over the session's real index."""
    with _serve(seeded_index, {}) as url:
        yield url


@contextmanager
def _serve(seeded_index: Settings, extra_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PREP_SEEDS_DIR": str(seeded_index.seeds_dir),
        "PREP_INDEX_DIR": str(seeded_index.index_dir),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        **extra_env,
    }
    prep = Path(sys.executable).with_name("prep")
    url = f"http://127.0.0.1:{port}"
    with running([str(prep), "serve", "--port", str(port)], f"{url}/healthz", env):
        yield url


def _ask(page: object, question: str) -> None:
    page.fill("#question textarea", question)  # type: ignore[attr-defined]
    page.click("#ask")  # type: ignore[attr-defined]


def _bot_messages(page: object) -> list[str]:
    return page.locator("#chat .bot").all_inner_texts()  # type: ignore[attr-defined, no-any-return]


def _wait_bot(page: object, count: int, containing: str) -> str:
    """Text of the count-th answer once it is complete and contains the phrase."""
    page.wait_for_function(  # type: ignore[attr-defined]
        """([n, phrase]) => {
            const bots = document.querySelectorAll('#chat .bot');
            return bots.length >= n && bots[n - 1].innerText.includes(phrase);
        }""",
        arg=[count, containing],
        timeout=60_000,
    )
    return _bot_messages(page)[count - 1]


@pytest.mark.model
@pytest.mark.browser
def test_chat_in_browser(server: str, browser: object) -> None:
    """Comp question, figure and citation, the cited passage opened, then a follow-up."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server)
    page.wait_for_selector("#question textarea")
    assert "extractive" in page.inner_text("#engine")
    assert page.locator(".example").count() >= 2

    _ask(page, L5)
    answer = _wait_bot(page, 1, "$520k–$780k")
    assert "[1]" in answer
    page.wait_for_selector("#sources .src")
    sources = page.inner_text("#sources")
    assert "001_1a1fcd35119ebbf9.txt" in sources
    highlighted = page.locator("#sources mark").all_inner_texts()
    assert any("$520k–$780k" in h for h in highlighted), highlighted

    with page.context.expect_page() as opened:
        page.locator("#sources .open-doc").first.click()
    doc = opened.value
    doc.wait_for_load_state()
    assert "/doc/" in doc.url and "001_1a1fcd35119ebbf9" not in doc.url  # served by id
    mark = doc.locator("mark#hl")
    assert "$520k–$780k" in mark.inner_text()
    assert mark.is_visible()
    assert doc.evaluate(
        "() => { const r = document.getElementById('hl').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    ), "the document is not scrolled to the passage"
    assert "Data Scientist / ML Engineer Hub" in doc.inner_text("h1")
    doc.close()

    _ask(page, "and L6?")
    follow = _wait_bot(page, 2, "$700k–$1.1M")
    assert "Understood as" in follow and "L6" in follow
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    page.click("#clear")
    page.wait_for_function("() => document.querySelectorAll('#chat .bot').length === 0")
    page.close()


@pytest.mark.model
@pytest.mark.browser
def test_examples_come_from_the_index(server: str, browser: object, seeded_index: Settings) -> None:
    """Each example names an indexed company and one of its sections; a click gets an answer."""
    from assistant.app.service import Assistant

    indexed = Assistant(seeded_index)
    chunks = [c.metadata for c in indexed.reader.all_chunks()]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server)
    page.wait_for_selector("#question textarea")
    shown = [t.strip() for t in page.locator(".example").all_inner_texts() if t.strip()]
    assert shown == indexed.examples(len(shown)) and len(shown) >= 2
    companies = {c.lower() for c in indexed.companies()}
    for question in shown:
        named = {c for c in companies if c in question.lower()}
        assert named, f"no indexed company in {question!r}"
        sections = {
            str(m.get("section", "")).rsplit(" > ", 1)[-1].lower()
            for m in chunks
            if m.get("company") in named
        }
        assert any(w in s for s in sections for w in question.lower().split() if len(w) > 4)
    placeholder = page.get_attribute("#question textarea", "placeholder") or ""
    assert shown[0] in placeholder
    page.locator(".example").first.click()
    _wait_bot(page, 1, "[1]")  # cited: a refusal cites nothing
    page.wait_for_selector("#sources .src")
    page.close()


@pytest.mark.model
@pytest.mark.browser
def test_bad_input_is_a_friendly_chat_message(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server)
    page.wait_for_selector("#question textarea")
    _ask(page, "   ")
    assert "question is empty" in _wait_bot(page, 1, "empty")
    _ask(page, "why " * 1000)
    assert "limit is 2,000" in _wait_bot(page, 2, "limit")
    assert page.locator(".toast-body").count() == 0  # no error toast
    page.close()


@pytest.mark.model
def test_twenty_concurrent_questions(server: str) -> None:
    """20 questions at once through gradio_client: every one answered, and correctly."""
    from gradio_client import Client

    questions = [
        (L5, "$520k–$780k"),
        ("What does Spotify pay ML engineers in London?", "£207K–£284K"),
        ("How many onsite rounds does Netflix have?", "4–5 onsite rounds"),
        ("What is the Keeper Test?", "would I fight to keep them"),
    ] * 5

    def one(item: tuple[str, str]) -> tuple[str, str, str]:
        client = Client(server, verbose=False)
        chat, _sources, _box = client.predict(item[0], "All", api_name="/ask")
        text = " ".join(
            part.get("text", "") if isinstance(part, dict) else str(part)
            for msg in chat
            if msg["role"] == "assistant"
            for part in (msg["content"] if isinstance(msg["content"], list) else [msg["content"]])
        )
        return item[0], item[1], text

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, questions))
    assert len(results) == 20
    for question, expected, text in results:
        assert expected in text, (question, text[:300])


@pytest.mark.model
def test_documents_are_served_by_index_id_only(server: str) -> None:
    assert http_get(f"{server}/doc/..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert http_get(f"{server}/doc/001_1a1fcd35119ebbf9.txt")[0] == 404
    assert http_get(f"{server}/doc/0000000000000000?s=0&e=10")[0] == 404
    status, body = http_get(f"{server}/healthz")
    assert status == 200 and '"documents":5' in body


@pytest.mark.model
@pytest.mark.browser
def test_llm_answer_streams_into_the_page(seeded_index: Settings, browser: object) -> None:
    """With an LLM configured the page streams its words, then marks what cites nothing."""
    from tests.llm_servers import ScriptedLLM

    llm = ScriptedLLM().start()
    llm.reset("gate")
    env = {"PREP_LLM": "openai", "PREP_LLM_BASE_URL": f"{llm.url}/v1", "PREP_LLM_MODEL": "m"}
    try:
        with _serve(seeded_index, env) as url:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
            page.goto(url)
            page.wait_for_selector("#question textarea")
            assert "openai m at" in page.inner_text("#engine")
            _ask(page, L5)
            _wait_bot(page, 1, "Netflix pays")  # the first words, while the server holds the rest
            assert llm.released_at is None
            llm.release.set()
            answer = _wait_bot(page, 1, "cite no passage")  # the checked answer's warnings
            assert "Nobody knows the future. [no source]" in answer
            assert "stresses candour. [no source]" in answer and "candour [9]" not in answer
            assert "point at no passage: [9]" in answer
            page.wait_for_selector("#sources .src")
            assert "[1]" in page.inner_text("#sources")
            page.close()
    finally:
        llm.stop()
