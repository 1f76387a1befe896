"""Level ladders from a data file: 'L5', 'IC3', 'Level 4', 'SDE II' found and numbered."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.domain import data

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}


@lru_cache(maxsize=1)
def ladder_names() -> tuple[str, ...]:
    """The level prefixes of resources/domain/levels.txt, longest first."""
    return tuple(sorted(set(data.lines("levels.txt")), key=lambda n: (-len(n), n)))


def _pattern() -> str:
    short = [re.escape(n) for n in ladder_names() if len(n) <= 2]
    long = [re.escape(n) for n in ladder_names() if len(n) > 2]
    roman = "|".join(sorted(_ROMAN, key=len, reverse=True))
    return (
        rf"\b(?:(?P<prefix>(?i:{'|'.join(long)}))(?:\s?(?P<num>\d{{1,2}})|\s(?P<roman>(?i:{roman})))"
        rf"|(?P<short>{'|'.join(short)})(?P<snum>\d{{1,2}}))\b"
    )


LEVEL = re.compile(_pattern())

# Seniority groups of resources/domain/seniority.txt, lowest first ('entry', ..., 'principal').
SENIORITY: tuple[str, ...] = tuple(data.table("seniority.txt"))


@lru_cache(maxsize=1)
def _seniority_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each group's words as one pattern, highest group first."""
    return tuple(reversed(data.patterns("seniority.txt").items()))


def seniority(label: str) -> str:
    """The highest seniority group a label names ('Senior Staff' -> 'staff'), else ''."""
    return next((group for group, p in _seniority_patterns() if p.search(label)), "")


def seniority_words() -> str:
    """A regex finding any seniority word or phrase, whole."""
    return data.words_pattern(w for ws in data.table("seniority.txt").values() for w in ws)


def ladder(match: re.Match[str]) -> str:
    """The ladder a level belongs to ('L', 'Level', 'SDE')."""
    return str(match.group("prefix") or match.group("short"))


def number(match: re.Match[str]) -> int:
    """The level's rank within its ladder: 'L5' -> 5, 'SDE II' -> 2."""
    if match.group("roman"):
        return _ROMAN[match.group("roman").upper()]
    return int(match.group("num") or match.group("snum"))
