"""Question: the user's question cleaned, checked, and its abbreviations spelt out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

from assistant.domain import data
from assistant.errors import BadQuestion


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Short form (lower case) -> long form, from resources/domain/abbreviations.txt."""
    return {k.lower(): v[0] for k, v in data.table("abbreviations.txt").items() if v}


def spelt_out(text: str, vocabulary: Collection[str] = ()) -> str:
    """The question with the long forms of its abbreviations added at the end, in brackets.

    'zephyr tc london' -> 'zephyr tc london (total compensation)'. Only abbreviations the
    documents never use themselves (not in `vocabulary`): where they write 'MLE', 'MLE' finds
    them. Added at the end, not in place, so a label such as 'SDE II' stays whole; a long form
    already in the question is not added again.
    """
    low = text.lower()
    longs: list[str] = []
    for word in re.findall(r"[a-z0-9]+", low):
        long = abbreviations().get(word)
        if word in vocabulary:
            continue
        if long and long not in longs and long.lower() not in low:
            longs.append(long)
    return f"{text} ({'; '.join(longs)})" if longs else text


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
