"""Normalised text for matching; the original text is kept for display."""

from __future__ import annotations

import re
import unicodedata

# Every dash variant (hyphen, non-breaking hyphen, figure dash, en/em dash, minus, ...) -> "-".
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D\u00AD]")
_SINGLE_QUOTES = re.compile(r"[\u2018\u2019\u201A\u201B\u2032]")
_DOUBLE_QUOTES = re.compile(r"[\u201C\u201D\u201E\u201F\u2033]")
_SPACES = re.compile(r"[\u00A0\u2000-\u200B\u202F\u205F\u3000\t ]+")
_TOKEN = re.compile(r"[a-z0-9$£€%][a-z0-9$£€%.,+'-]*[a-z0-9%]|[a-z0-9$£€%]")


def normalize(text: str) -> str:
    """NFKC, dashes to '-', curly quotes to straight, non-breaking and odd spaces to one space."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", text)
    text = _DOUBLE_QUOTES.sub('"', _SINGLE_QUOTES.sub("'", text))
    return _SPACES.sub(" ", text)


def match_key(text: str) -> str:
    """Case-folded, whitespace-collapsed normal form for substring checks of facts."""
    return " ".join(normalize(text).casefold().split())


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of the normalised text.

    Figures stay whole ('410,000', '$520k'); ranges and hyphenated words give their parts and,
    for words, the compound too ('on-call' -> 'on-call', 'on', 'call').
    """
    out: list[str] = []
    for tok in _TOKEN.findall(normalize(text).lower()):
        tok = re.sub(r"'s$", "", tok).strip(".,'")
        if not tok:
            continue
        parts = [p.strip(".,'") for p in tok.split("-")]
        parts = [p for p in parts if p]
        if len(parts) > 1 and not any(c.isdigit() for c in tok):
            out.append(tok)
            out.append("".join(parts))  # 'on-site' also matches 'onsite'
        out.extend(parts)
    return out


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(name: str) -> str:
    """A file name (or message) safe for a terminal: control characters shown escaped."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)
