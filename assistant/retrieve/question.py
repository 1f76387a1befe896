"""Question: the user's question cleaned of control characters and checked before retrieval."""

from __future__ import annotations

import unicodedata

from assistant.errors import BadQuestion


def clean_question(question: str, limit: int) -> str:
    """The question with control characters removed; raises BadQuestion if unusable."""
    if question is None or not str(question).strip():
        raise BadQuestion(
            'the question is empty; type a question, e.g. prep ask "How many onsite rounds are '
            'there?"'
        )
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" else ch
        for ch in str(question)
    )
    text = " ".join(text.split())
    if not text:
        raise BadQuestion("the question has no readable characters; type it again in plain text")
    if len(text) > limit:
        raise BadQuestion(
            f"the question is {len(text):,} characters long; the limit is {limit:,}: "
            "ask it in a sentence or two"
        )
    return text
