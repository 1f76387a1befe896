"""A generated typo set: golden questions with seeded single-character typos in some words."""

from __future__ import annotations

import random
import re
from dataclasses import replace

from assistant.evaluation.golden import GoldenCase

_WORD = re.compile(r"[A-Za-z]{3,}")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours(ch: str) -> str:
    """Keys beside `ch` on a QWERTY keyboard (same row), or `ch` itself if none."""
    low = ch.lower()
    for row in _ROWS:
        at = row.find(low)
        if at >= 0:
            near = row[max(at - 1, 0) : at] + row[at + 1 : at + 2]
            return near.upper() if ch.isupper() else near
    return ch


def typo(word: str, rng: random.Random) -> str:
    """One single-character slip: a letter dropped, doubled, swapped with the next, or mistyped."""
    at = rng.randrange(1, len(word))  # the first letter is kept, as people usually get it right
    kind = rng.choice(("drop", "double", "swap", "key"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap" and at < len(word) - 1 and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + rng.choice(_neighbours(word[at])) + word[at + 1 :]


def with_typos(text: str, rate: float, seed: str) -> str:
    """The text with a typo in `rate` of its words of three or more letters (seeded)."""
    rng = random.Random(seed)
    words = list(_WORD.finditer(text))
    chosen = set(rng.sample(range(len(words)), round(len(words) * rate))) if words else set()
    out, pos = [], 0
    for n, m in enumerate(words):
        out.append(text[pos : m.start()])
        out.append(typo(m.group(), rng) if n in chosen else m.group())
        pos = m.end()
    return "".join(out) + text[pos:]


def typo_set(cases: list[GoldenCase], rate: float, seed: int) -> list[GoldenCase]:
    """Every case with typos in its question; each case's typos depend only on its id and seed."""
    return [
        replace(c, id=f"{c.id}~typos", question=with_typos(c.question, rate, f"{seed}:{c.id}"))
        for c in cases
    ]
