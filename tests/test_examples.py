"""The page's example questions come from what is indexed: companies and their sections."""

from __future__ import annotations

from assistant.study.examples import example_questions


def _chunks(company: str, *headings: str) -> list[dict[str, str]]:
    return [{"company": company, "section": f"Guide > {h}", "heading": h} for h in headings]


def test_companies_in_turn_with_their_most_covered_sections() -> None:
    chunks = [
        *_chunks("hooli", "Pay bands", "Pay bands", "Onsite loop"),
        *_chunks("globex", "Remote work policy", "Remote work policy", "Team rituals"),
    ]
    assert example_questions(chunks, ["globex", "hooli"], 3) == [
        "What about Remote work policy at Globex?",
        "What about Pay bands at Hooli?",
        "What about Team rituals at Globex?",
    ]


def test_boilerplate_outline_and_unfit_headings_are_no_examples() -> None:
    chunks = _chunks(
        "hooli",
        "Share this post",  # boilerplate.txt
        "Key takeaways",  # outline.txt
        "Intro",  # one word
        "A heading that goes on far too long to be a topic",
        "2. Hiring timeline (2024):",
        "How long is the loop",
        "Hooli hiring bar",
    )
    assert example_questions(chunks, ["hooli"], 9) == [
        "What about Hiring timeline at Hooli?",
        "How long is the loop?",
        "What about Hooli hiring bar?",
    ]


def test_no_company_and_no_index() -> None:
    assert example_questions(_chunks("", "Pay bands"), [], 4) == ["What about Pay bands?"]
    assert example_questions([], ["hooli"], 4) == []


def test_a_heading_with_the_path_separator_is_one_topic() -> None:
    """The chunk's heading is read as stored, never split out of the displayed section path."""
    chunks = _chunks("hooli", "Pay > bands explained")
    assert example_questions(chunks, ["hooli"], 1) == ["What about Pay > bands explained at Hooli?"]
