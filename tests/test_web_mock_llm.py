"""The Mock interview tab with an LLM, in a real browser: the follow-up, then the cited critique.

The LLM is a scripted OpenAI-compatible server on 127.0.0.1 (the tests' stand-in; the real
llama.cpp round is in test_llm_real.py): the page's round, timer and grading are all real.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from llm_servers import ScriptedLLM
from study_helpers import serving, study_copy
from test_web import ARTIFACTS
from test_web_mock_page import STRONG, _open_round

from assistant.settings import Settings
from assistant.study.studylog import StudyLog

pytestmark = [pytest.mark.model, pytest.mark.browser]

FOLLOW = "How would you evaluate the ranking model offline before an A/B test [1]?"
SECOND = "Offline I would use NDCG on a time split, then interleaving before the A/B test."


@pytest.fixture(scope="module")
def server(
    seeded_index: Settings, tmp_path_factory: pytest.TempPathFactory, scripted: ScriptedLLM
) -> Iterator[tuple[str, Settings]]:
    """`prep serve` with the scripted LLM, over a copy of the index and an empty study log."""
    study = study_copy(seeded_index, tmp_path_factory.mktemp("mock-llm-web"))
    llm = {"PREP_LLM": "openai", "PREP_LLM_BASE_URL": f"{scripted.url}/v1"}
    with serving(study, **llm, PREP_LLM_MODEL="scripted", PREP_LLM_TIMEOUT="10") as url:
        yield url, study


def test_follow_up_then_cited_critique(
    server: tuple[str, Settings], scripted: ScriptedLLM, browser: object
) -> None:
    """First answer -> the interviewer's follow-up; second answer -> both graded, critique cited."""
    url, study = server
    scripted.reset(reply=FOLLOW)
    page = browser.new_page(viewport={"width": 1300, "height": 1100})  # type: ignore[attr-defined]
    _open_round(page, url, "Netflix · ML system design")
    page.fill("#mock-answer textarea", STRONG)
    page.click("#mock-submit")
    page.wait_for_selector("#mock-followup .mock-followup-q", timeout=60_000)
    assert page.inner_text("#mock-followup .mock-followup-q") == FOLLOW.replace(" [1]", "")
    assert "Not saved yet" in page.inner_text("#mock-feedback")
    assert StudyLog(study.study_db).mock_stats().attempts == 0
    assert len(scripted.requests) == 1 and "retention" in scripted.prompt_text(0)

    page.fill("#mock-answer2 textarea", SECOND)
    page.click("#mock-submit2")
    page.wait_for_selector("#mock-feedback .mock-both", timeout=60_000)
    both = page.inner_text("#mock-feedback")
    assert re.search(r"first alone scored \d+/100", both) and "Saved" in both
    page.wait_for_selector("#mock-critique li", timeout=60_000)
    assert len(scripted.requests) == 2 and SECOND in scripted.prompt_text(1)
    cited = page.locator("#mock-critique li.cited")
    assert cited.count() == 1 and cited.first.inner_text().startswith("How would you evaluate")
    assert not page.locator("#mock-answer2").is_visible()  # one follow-up per round
    logged = StudyLog(study.study_db).mock_stats()
    assert logged.attempts == 1  # both answers, one attempt
    score = re.findall(r"Score: (\d+)/100", both)[-1]
    assert f"Netflix · ML system design: {score}" in page.inner_text("#mock-progress")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mock-llm.png"), full_page=True)

    with page.context.expect_page() as opened:
        cited.first.locator("a.mock-cite").click()
    doc = opened.value
    doc.wait_for_load_state()
    assert "/doc/" in doc.url and doc.locator("mark#hl").is_visible()
    doc.close()
    page.close()


def test_uncited_critique_is_marked_and_an_empty_follow_up_answer_skips(
    server: tuple[str, Settings], scripted: ScriptedLLM, browser: object
) -> None:
    """A critique sentence citing nothing shows '(uncited)'; skipping saves the first answer."""
    url, study = server
    before = StudyLog(study.study_db).mock_stats().attempts
    scripted.reset(reply="What latency budget would you set for the ranking stage?")
    page = browser.new_page(viewport={"width": 1300, "height": 1100})  # type: ignore[attr-defined]
    _open_round(page, url, "Netflix · ML system design")
    page.fill("#mock-answer textarea", STRONG)
    page.click("#mock-submit")
    page.wait_for_selector("#mock-followup .mock-followup-q", timeout=60_000)
    page.click("#mock-submit2")  # nothing typed: the first answer alone is graded and saved
    page.wait_for_selector("#mock-critique h4", timeout=60_000)
    critique = page.inner_text("#mock-critique")
    assert "No critique" in critique and "cited no rubric passage" in critique
    assert "first alone" not in page.inner_text("#mock-feedback")
    assert StudyLog(study.study_db).mock_stats().attempts == before + 1
    page.close()
