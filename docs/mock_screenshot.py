"""Take docs/mock-feedback.png: two answers to a mock round on a running page, the second shown.

    .venv/bin/prep serve --port 7870 &        # over a built index, with an empty study log
    .venv/bin/python docs/mock_screenshot.py http://127.0.0.1:7870 "Acme · System design"

Needs Debian's chromium (/usr/bin/chromium) and playwright. The answers are typed as a user
would; the second is meant to cover more of the round's rubric than the first.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent / "mock-feedback.png"
FIRST = "I would start with the metric and a latency budget, then pick a model."
SECOND = (
    "First the metric: retention, not clicks, and a latency budget of 800 ms p99.\n"
    "Retrieval: a two-tower model with an ANN index gives a thousand candidates.\n"
    "Ranking: a multi-objective listwise ranker that trades engagement against diversity.\n"
    "Offline NDCG on a time split, then interleaving and an A/B test online.\n"
    "I would roll out through a shadow deployment and staged percentages, with drift "
    "detection on the feature distributions and a rollback playbook."
)


def answer(page: Page, label: str, text: str) -> None:
    """Pick the round, start it, type the answer, submit and wait for the feedback."""
    page.click("#mock-round input")
    page.get_by_role("option", name=label, exact=True).click()
    page.click("#mock-start")
    page.wait_for_selector("#mock-timer [data-state=run]")
    page.wait_for_timeout(2500)  # let the clock run a little
    page.fill("#mock-answer textarea", text)
    page.click("#mock-submit")
    page.wait_for_selector("#mock-timer [data-state=stop]", timeout=60_000)


def main(url: str, label: str) -> None:
    """Two attempts at the round; the screenshot shows the second's feedback and progress."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1300, "height": 1500})
        page.goto(url)
        page.get_by_role("tab", name="Mock interview").click()
        answer(page, label, FIRST)
        answer(page, label, SECOND)
        page.screenshot(path=str(OUT))  # the viewport: prompt, clock, score, first points
        browser.close()
    print(OUT)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
