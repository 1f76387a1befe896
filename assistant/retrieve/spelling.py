"""Spelling: correct question words to the index's own words (edit lookups, English word counts)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.retrieve.lexical import STOPWORDS
from assistant.textnorm import normalize

# A word of letters (an apostrophe inside is kept: "don't"); words glued to digits are skipped.
_WORD = re.compile(r"(?<![\w$£€.])[A-Za-z][A-Za-z']*[A-Za-z](?![\w$£€])")
_CASED_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]")
_ENGLISH = "frequency_dictionary_en_82_765.txt"


@lru_cache(maxsize=1)
def _english_counts() -> dict[str, str]:
    text = (resources.files("symspellpy") / _ENGLISH).read_text(encoding="utf-8")
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def english(word: str) -> int | None:
    """How common an English word is (symspellpy's frequency list); None if it is not English."""
    count = _english_counts().get(word)
    return None if count is None else int(count)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


def nearest_english(word: str) -> str | None:
    """The most common English word one edit from `word` (None if there is none)."""
    near = [(n, w) for w in _one_edit(word) if (n := english(w)) is not None]
    return max(near)[1] if near else None


@dataclass(frozen=True)
class Correction:
    """A question after spelling correction, with each change (typed word, corrected word)."""

    text: str
    changes: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _cased_like(word: str, like: str) -> str:
    """`word` in the case pattern of `like` (Zephr -> Zephyr)."""
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


class Speller:
    """Corrects question words to the words of the index, as a noisy channel would.

    The vocabulary is the index's own words with their counts, so a user's documents bring
    their own names ('Zephyr', 'kronor'). A typed word the index lacks is corrected to the most
    frequent index word one edit away (two for long words). If the typed word is itself English,
    it is corrected only when the index word is `typo_odds` times more common in English ('hoe'
    -> 'how', never 'plain' -> 'plan'). A capitalised word inside the question is a name and
    becomes only a word the index also capitalises; an all-capitals word (an acronym) is
    never changed. A word no index word is near becomes the nearest common English word.
    """

    def __init__(
        self, texts: Iterable[str], min_length: int, long_word: int, typo_odds: float
    ) -> None:
        counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        for text in texts:
            for word in _CASED_WORD.findall(normalize(text)):
                low = word.lower()
                counts[low] += 1
                capitalised[low] += word[0].isupper()
        for word in STOPWORDS:
            counts.setdefault(word, 1)
        self.counts = counts
        self.capitalised = capitalised
        self.vocab = frozenset(counts) | STOPWORDS
        self.min_length = min_length
        self.long_word = long_word
        self.typo_odds = typo_odds

    def nearest(self, word: str, distance: int) -> list[str]:
        """Index words one edit from `word` (else two if allowed), the most common first.

        Common means in the index, then in English (a tie of 'what' and 'want' goes to 'what').
        The edits are generated and looked up (deletions, swaps of neighbours, replacements,
        insertions: optimal string alignment), which costs no table to build.
        """
        ring = _one_edit(word)
        found = [w for w in ring if w in self.counts]
        if not found and distance > 1:
            found = list({w for edit in ring for w in _one_edit(edit) if w in self.counts})
        return sorted(found, key=lambda w: (-self.counts[w], -(english(w) or 0), w))

    def is_name(self, word: str) -> bool:
        """Whether the index ever writes this word capitalised (a name, a label, a heading)."""
        return self.capitalised[word] > 0 and word not in STOPWORDS

    def suggest(self, word: str, first: bool = False) -> str | None:
        """The index word a typed word was meant to be, or None to leave it as typed."""
        low = word.lower()
        if len(low) < self.min_length or low in self.vocab or (word.isupper() and len(word) > 1):
            return None
        name = word[0].isupper() and not first
        distance = 2 if len(low) >= self.long_word else 1
        found = [f for f in self.nearest(low, distance) if len(f) >= self.min_length - 1]
        if name:
            found = [f for f in found if self.is_name(f)]
        typed = english(low)
        if found:
            if typed is None or (english(found[0]) or 0) >= typed * self.typo_odds:
                return _cased_like(found[0], word)
            return None
        if typed is not None or name:
            return None
        near = nearest_english(low)
        return _cased_like(near, word) if near else None

    def correct(self, text: str, keep: Collection[str] = ()) -> Correction:
        """The text with every correctable word corrected (words in `keep`, lower case, stay)."""
        changes: list[tuple[str, str]] = []

        def fix(m: re.Match[str]) -> str:
            word = m.group()
            if word.lower() in keep:
                return word
            better = self.suggest(word, first=not text[: m.start()].strip())
            if better is None or better.lower() == word.lower():
                return word
            changes.append((word, better))
            return better

        fixed = _WORD.sub(fix, text)
        return Correction(fixed, tuple(changes))


def speller_for(reader: Any, min_length: int, long_word: int, typo_odds: float) -> Speller:
    """The speller of a reader's index, built once per reader."""
    cached = getattr(reader, "_speller", None)
    knobs = (min_length, long_word, typo_odds)
    if cached is None or (cached.min_length, cached.long_word, cached.typo_odds) != knobs:
        texts = (str(c.metadata.get("text", "")) or c.search_text for c in reader.all_chunks())
        cached = Speller(texts, *knobs)
        reader._speller = cached
    return cached
