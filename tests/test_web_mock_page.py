"""The Mock interview tab in a real browser: prompt, clock, graded answer, citations, progress."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from study_helpers import serving, study_copy
from test_web import ARTIFACTS

from assistant.app.service import Assistant
from assistant.app.web.mock_markup import mm_ss, round_label
from assistant.settings import Settings
from assistant.study.rounds import prompt_text
from assistant.study.studylog import StudyLog

pytestmark = [pytest.mark.model, pytest.mark.browser]

STRONG = (  # as in test_mock.test_cli_round_from_stdin
    "First the metric: retention, not clicks, and a latency budget of 800 ms p99.\n"
    "New titles get content embeddings for cold start.\n"
    "Offline NDCG on a time split, then interleaving and an A/B test online."
)
CLOCK = re.compile(r"^\d\d:\d\d$")


@pytest.fixture(scope="module")
def study(seeded_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the session's index, with an empty study log."""
    return study_copy(seeded_index, tmp_path_factory.mktemp("mock-web"))


@pytest.fixture(scope="module")
def server(study: Settings) -> Iterator[str]:
    """`prep serve` over that copy, on a free port of 127.0.0.1."""
    with serving(study) as url:
        yield url


def _open_round(page: object, server: str, label: str) -> None:
    """The Mock interview tab, the round picked by its label, started."""
    page.goto(server)  # type: ignore[attr-defined]
    page.get_by_role("tab", name="Mock interview").click()  # type: ignore[attr-defined]
    page.click("#mock-round input")  # type: ignore[attr-defined]
    page.get_by_role("option", name=label, exact=True).click()  # type: ignore[attr-defined]
    page.click("#mock-start")  # type: ignore[attr-defined]
    page.wait_for_selector("#mock-timer [data-state=run]")  # type: ignore[attr-defined]


def _clock(page: object) -> str:
    return str(page.inner_text("#mock-timer .mock-time")).strip()  # type: ignore[attr-defined]


def test_mock_round_in_browser(server: str, study: Settings, browser: object) -> None:
    """Start, the clock runs, a strong answer graded with sentences and cited points, saved."""
    rnd = Assistant(study).mock_round("ML system design", "netflix")
    asked = prompt_text(Assistant(study).mock_prompt(rnd))
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    _open_round(page, server, "Netflix · ML system design")
    assert "No practice answers yet" in page.inner_text("#mock-progress")
    assert asked in page.inner_text("#mock-prompt .mock-q")
    assert "ML system design" in page.inner_text("#mock-prompt .mock-round")
    source = page.locator("#mock-prompt .mock-source a.mock-cite")
    assert str(source.get_attribute("href")).startswith("/doc/")

    first = _clock(page)
    time.sleep(2.2)
    second = _clock(page)
    assert CLOCK.match(first) and CLOCK.match(second) and first != second, (first, second)
    if rnd.minutes is None:  # no time box in the documents: it counts up from zero
        assert second > first and "counting up" in page.inner_text("#mock-timer")

    page.fill("#mock-answer textarea", STRONG)
    page.click("#mock-submit")
    page.wait_for_selector("#mock-feedback .mock-score", timeout=60_000)
    found = re.search(r"Score: (\d+)/100", page.inner_text("#mock-feedback .mock-score"))
    assert found is not None and 0 < int(found.group(1)) <= 100
    score = int(found.group(1))
    met = page.locator(
        "#mock-feedback li.mark[data-status='covered'], "
        "#mock-feedback li.mark[data-status='partly covered']"
    )
    assert met.count() >= 1
    said = met.first.locator(".said").inner_text()
    assert said.startswith("you said:") and any(line in said for line in STRONG.splitlines())

    page.wait_for_selector("#mock-timer [data-state=stop]")
    stopped = page.inner_text("#mock-timer")
    time.sleep(1.5)
    assert page.inner_text("#mock-timer") == stopped and "answered in" in stopped

    progress = page.inner_text("#mock-progress")
    assert f"Netflix · ML system design: {score} (best {score}, 1 attempt)" in progress
    logged = StudyLog(study.study_db).mock_stats()
    assert logged.attempts == 1 and round(logged.rounds[0].last) == score
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mock.png"), full_page=True)

    point = met.first.locator("b").first.inner_text()
    with page.context.expect_page() as opened:
        met.first.locator("a.mock-cite").click()
    doc = opened.value
    doc.wait_for_load_state()
    assert "/doc/" in doc.url and "s=" in doc.url
    mark = doc.locator("mark#hl")
    assert mark.inner_text().startswith(point) and mark.is_visible()
    assert doc.evaluate(
        "() => { const r = document.getElementById('hl').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; }"
    ), "the document is not scrolled to the passage"
    doc.close()
    page.close()


def test_the_clock_counts_down_a_time_box_and_says_times_up(
    server: str, study: Settings, browser: object
) -> None:
    """A round with a time box counts down; at zero it says so, and the answer still goes in."""
    boxed = [r for r in Assistant(study).rounds() if r.minutes]
    assert boxed, "the seeds give some round a time box"
    rnd = boxed[0]
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    _open_round(page, server, round_label(rnd))
    assert f"time box: {rnd.minutes} min" in page.inner_text("#mock-prompt")
    page.wait_for_function(
        "full => document.querySelector('#mock-timer .mock-time').innerText.trim() !== full",
        arg=mm_ss(60 * rnd.minutes),  # type: ignore[operator]
        timeout=5_000,
    )
    assert _clock(page) < mm_ss(60 * rnd.minutes)  # type: ignore[operator]
    # A short box for the test: the clock reads its limit on every tick.
    page.evaluate("document.querySelector('#mock-timer .mock-clock').dataset.limit = '3'")
    page.wait_for_selector('#mock-timer :text("time\'s up")', timeout=5_000)
    assert _clock(page) == "00:00"
    page.fill("#mock-answer textarea", "I would walk through the last model I shipped.")
    page.click("#mock-submit")
    page.wait_for_selector("#mock-feedback .mock-score", timeout=60_000)
    page.wait_for_selector("#mock-timer [data-state=stop]")
    page.close()
