"""Example questions for the page, from what is indexed: each company's most covered sections."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from assistant.domain import data
from assistant.retrieve.scoring import boilerplate
from assistant.settings import knob_default

_ASKS = re.compile(r"^(?:what|how|why|when|where|who|which|is|are|do|does|can|should)\b", re.I)


@lru_cache(maxsize=1)
def outline_headings() -> frozenset[str]:
    """Headings that outline rather than name a topic (resources/domain/outline.txt)."""
    return frozenset(ln.lower() for ln in data.lines("outline.txt"))


def _topic(heading: str, max_words: int) -> str:
    """A chunk's own heading as a topic: markup and numbering dropped ('' if unfit)."""
    head = re.sub(r"\s*\([^()]*\)", "", heading)  # "Compensation (2024)": the aside is no topic
    head = re.sub(r"^[\W\d_]+|[\s:.*_#|–—-]+$", "", head).strip()
    if not 2 <= len(head.split()) <= max_words or boilerplate().search(head):
        return ""
    return "" if head.lower().rstrip("?") in outline_headings() else head


def _question(topic: str, company: str) -> str:
    if topic.endswith("?") or _ASKS.match(topic):
        return topic.rstrip("?") + "?"
    if not company or re.search(rf"\b{re.escape(company)}\b", topic, re.I):
        return f"What about {topic}?"
    return f"What about {topic} at {company.title()}?"


def example_questions(
    chunks: Iterable[Mapping[str, Any]],
    companies: Iterable[str],
    n: int | None = None,
    max_words: int | None = None,
) -> list[str]:
    """Up to n questions naming a company (if known) and one of its sections, companies in turn.

    n and max_words (a longer heading is a sentence, not a topic to ask about) default to the
    settings page_examples and page_example_max_words.
    """
    n = int(knob_default("page_examples")) if n is None else n
    words = int(knob_default("page_example_max_words")) if max_words is None else max_words
    per: dict[str, Counter[str]] = {c: Counter() for c in [*companies, ""]}  # "": no company
    for meta in chunks:
        topic = _topic(str(meta.get("heading", "")), words)
        company = str(meta.get("company", ""))
        if topic and company in per:
            per[company][topic] += 1  # a section with more passages has more to answer from
    ranked = {c: [t for t, _ in counts.most_common()] for c, counts in per.items() if counts}
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n and any(ranked.values()):
        for company, topics in ranked.items():
            while topics and topics[0].lower() in seen:
                topics.pop(0)
            if topics and len(out) < n:
                topic = topics.pop(0)
                seen.add(topic.lower())
                out.append(_question(topic, company))
    return out
