"""The data files of resources/domain/: word lists and 'key: a, b' tables, comments skipped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from assistant.paths import resource_dir


@cache
def lines(name: str) -> tuple[str, ...]:
    """The file's lines, stripped, without blank lines and '#' comments."""
    text = (resource_dir("domain") / name).read_text(encoding="utf-8")
    return tuple(ln for ln in map(str.strip, text.splitlines()) if ln and not ln.startswith("#"))


def table(name: str) -> dict[str, list[str]]:
    """'key: a, b, c' lines as key -> values in file order; several lines may add to one key."""
    out: dict[str, list[str]] = {}
    for line in lines(name):
        key, sep, values = line.partition(":")
        if sep:
            out.setdefault(key.strip(), []).extend(
                v for v in map(str.strip, values.split(",")) if v
            )
    return out


@cache
def patterns(name: str) -> dict[str, re.Pattern[str]]:
    """A 'key: a, b' file's keys, each with its words as one case-blind pattern, in file order."""
    return {key: re.compile(words_pattern(words), re.I) for key, words in table(name).items()}


def words_pattern(words: Iterable[str]) -> str:
    """A regex finding any of these data-file words whole: 'x*' is a prefix, '-' also a space."""
    alts = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        prefix = word.endswith("*")
        body = re.escape(word.rstrip("*")).replace(r"\-", "[- ]")
        alts.append(body + (r"\w*" if prefix else ""))
    return rf"\b(?:{'|'.join(alts)})(?!\w)"
