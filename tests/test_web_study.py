"""The study tabs in a real browser: a quiz round, the compare table, an uploaded PDF, --watch."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from study_helpers import lenient_variant, serving, study_copy
from test_documents import ACME, make_pdf
from test_web import ARTIFACTS, _ask, _wait_bot

from assistant.index.store import IndexReader
from assistant.settings import Settings
from assistant.study.passages import from_chunks
from assistant.study.quiz import Fact, facts
from assistant.study.studylog import StudyLog
from assistant.textnorm import match_key
from tests.procs import http_get

pytestmark = [pytest.mark.model, pytest.mark.browser]


@pytest.fixture(scope="module")
def study(seeded_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the session's index, with an empty study log and documents folder."""
    return study_copy(seeded_index, tmp_path_factory.mktemp("study-web"))


@pytest.fixture(scope="module")
def server(study: Settings) -> Iterator[str]:
    """`prep serve --watch` over that copy, on a free port of 127.0.0.1."""
    with serving(study, "--watch", PREP_WATCH_DEBOUNCE_MS="300") as url:
        yield url


def _fact_for(study: Settings, shown: str) -> Fact:
    """The fact whose prompt the page shows (looked up in the same index)."""
    known = facts(from_chunks(IndexReader(study).all_chunks()))
    matches = [f for f in known if f.prompt in shown]
    assert len(matches) == 1, shown
    return matches[0]


def test_quiz_round_in_browser(server: str, study: Settings, browser: object) -> None:
    """Start, answer one right (another spelling) and one wrong, reveal, score, history kept."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server)
    page.get_by_role("tab", name="Quiz me").click()
    page.locator("#quiz-n input[type=number]").fill("2")
    page.locator("#quiz-n input[type=number]").press("Enter")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-question :text('Question 1 of 2')")
    first = _fact_for(study, page.inner_text("#quiz-question"))
    page.fill("#quiz-answer textarea", lenient_variant(first.answer))
    page.click("#quiz-check")
    page.wait_for_selector("#quiz-reveal blockquote")
    reveal = page.inner_text("#quiz-reveal")
    assert "✓ Correct" in reveal and first.answer in reveal
    assert " ".join(first.passage.text.split()) in " ".join(reveal.split())
    assert page.locator("#quiz-reveal mark").inner_text() == first.answer
    link = page.locator("#quiz-reveal a.quiz-source")
    assert first.citation in link.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quiz.png"))
    status, doc = http_get(server + str(link.get_attribute("href")))
    assert status == 200 and match_key(first.answer) in match_key(html.unescape(doc))

    page.click("#quiz-next")
    page.wait_for_selector("#quiz-question :text('Question 2 of 2')")
    assert page.inner_text("#quiz-reveal").strip() == ""
    second = _fact_for(study, page.inner_text("#quiz-question"))
    page.fill("#quiz-answer textarea", "definitely not this")
    page.press("#quiz-answer textarea", "Enter")
    page.wait_for_selector("#quiz-reveal :text('Not quite')")
    assert second.answer in page.inner_text("#quiz-reveal")
    page.click("#quiz-next")
    page.wait_for_selector("#quiz-question :text('Quiz done: 1/2 right')")
    assert second.answer in page.inner_text("#quiz-question")

    stats = StudyLog(study.study_db).stats()
    assert (stats.attempts, stats.correct) == (2, 1)
    assert [r.fact_id for r in stats.to_review] == [second.id]
    page.click("#quiz-start")  # the next quiz starts with the missed fact
    page.wait_for_selector("#quiz-question :text('Question 1 of 2')")
    assert second.prompt in page.inner_text("#quiz-question")
    page.close()


def test_compare_tab_cites_every_cell(server: str, study: Settings, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server)
    page.get_by_role("tab", name="Compare offers").click()
    page.click("#compare-go")
    page.wait_for_selector("#compare-table table")
    cells = page.locator("#compare-table td[data-source]")
    assert cells.count() >= 30
    for i in range(cells.count()):
        cell = cells.nth(i)
        source = str(cell.get_attribute("data-source"))
        start, end = (
            int(str(cell.get_attribute("data-start"))),
            int(str(cell.get_attribute("data-end"))),
        )
        value = cell.inner_text().rsplit("[", 1)[0].strip()
        raw = (study.seeds_dir / source).read_text(encoding="utf-8")[start:end]
        assert value and value in raw, (value, source, raw)
        assert cell.locator("sup a").get_attribute("href")
    differs = page.locator("#compare-table tr.differs").all_inner_texts()
    assert any("L5 (senior)" in r for r in differs) and any("(IC3)" in r for r in differs)
    assert "£207K–£284K" in page.inner_text("#compare-table")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
    page.close()


def test_uploaded_pdf_and_watched_file_are_cited(
    server: str, study: Settings, browser: object, tmp_path: Path
) -> None:
    """A PDF uploaded on the page, then a note dropped into the folder (--watch), both cited."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server)
    page.get_by_role("tab", name="My documents").click()
    page.wait_for_selector("#upload-add")
    pdf = make_pdf(tmp_path / "acme-onsite.pdf", *ACME)
    with page.expect_file_chooser() as chooser:  # as a user does: click, pick the file
        page.locator("#upload").get_by_role("button", name="Click to upload or drop files").click()
    chooser.value.set_files(str(pdf))
    page.wait_for_selector("#upload :text('acme-onsite.pdf')", timeout=60_000)
    page.fill("#upload-company textarea, #upload-company input", "Zephyr Robotics")
    page.click("#upload-add")
    page.wait_for_selector("#upload-status :text('added: my/acme-onsite.pdf')", timeout=90_000)
    # The listing is refreshed by the event that follows the upload's: wait for it, then read.
    page.wait_for_selector("#my-documents :text('my/acme-onsite.pdf')", timeout=60_000)
    assert "my/acme-onsite.pdf" in page.inner_text("#my-documents")

    page.get_by_role("tab", name="Ask").click()
    page.wait_for_selector("#engine :text('6 documents')")  # refreshed after the upload
    # The company typed in the upload box labels the file: the filter offers it.
    page.wait_for_selector("#company :text('Zephyr Robotics')")
    _ask(page, "How many rounds does the Acme Robotics onsite have?")
    answer = _wait_bot(page, 1, "seven rounds")
    assert "[1]" in answer
    page.wait_for_selector("#sources .src")
    assert "my/acme-onsite.pdf" in page.inner_text("#sources")

    note = study.docs_dir / "lantern.md"
    note.write_text(
        "# Beta Corp interview notes\n\nBeta Corp asks every ML candidate to run the Lantern "
        "exercise, a three-hour take-home on ranking.\n",
        encoding="utf-8",
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # the watcher re-indexes; the server picks it up
        if "lantern" in http_get(server + "/healthz")[1] or _indexed(study, "my/lantern.md"):
            break
        time.sleep(0.5)
    assert _indexed(study, "my/lantern.md"), "--watch did not index the new file"
    _ask(page, "What is the Lantern exercise at Beta Corp?")
    answer = _wait_bot(page, 2, "three-hour take-home")
    page.wait_for_selector("#sources :text('my/lantern.md')")
    page.reload()  # a page opened after the watcher's build shows the new count
    page.wait_for_selector("#engine :text('7 documents')")
    page.close()


def _indexed(study: Settings, name: str) -> bool:
    import json

    manifest = json.loads((study.index_dir / "manifest.json").read_text(encoding="utf-8"))
    return name in manifest["files"]
