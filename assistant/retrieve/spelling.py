"""Spelling: correct question words against the index's own vocabulary (symspellpy)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from assistant.retrieve.lexical import STOPWORDS
from assistant.textnorm import normalize

# A word of letters (an apostrophe inside is kept: "don't"); words glued to digits are skipped.
_WORD = re.compile(r"(?<![\w$£€.])[A-Za-z][A-Za-z']*[A-Za-z](?![\w$£€])")
_CASED_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]")
_ENGLISH = "frequency_dictionary_en_82_765.txt"


@lru_cache(maxsize=1)
def english() -> dict[str, int]:
    """English words and their corpus counts (symspellpy's frequency dictionary)."""
    text = (resources.files("symspellpy") / _ENGLISH).read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        out[word] = int(count or 0)
    return out


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
    words = english()
    near = [w for w in _one_edit(word) if w in words]
    return max(near, key=lambda w: (words[w], w)) if near else None


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
        self.counts = counts
        self.capitalised = capitalised
        self.vocab = frozenset(counts) | STOPWORDS
        self.min_length = min_length
        self.long_word = long_word
        self.typo_odds = typo_odds

    @cached_property
    def _sym(self) -> Any:
        """The symspell table of the index's words, built on the first word that needs it."""
        from symspellpy import SymSpell

        sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in sorted(self.vocab):
            if len(word) >= self.min_length - 1:
                sym.create_dictionary_entry(word, self.counts.get(word, 1))
        return sym

    def is_name(self, word: str) -> bool:
        """Whether the index ever writes this word capitalised (a name, a label, a heading)."""
        return self.capitalised[word] > 0 and word not in STOPWORDS

    def suggest(self, word: str, first: bool = False) -> str | None:
        """The index word a typed word was meant to be, or None to leave it as typed."""
        from symspellpy import Verbosity

        low = word.lower()
        if len(low) < self.min_length or low in self.vocab or (word.isupper() and len(word) > 1):
            return None
        name = word[0].isupper() and not first
        distance = 2 if len(low) >= self.long_word else 1
        found = [str(s.term) for s in self._sym.lookup(low, Verbosity.CLOSEST, distance)]
        if name:
            found = [f for f in found if self.is_name(f)]
        typed = english().get(low)
        if found:
            if typed is None or english().get(found[0], 0) >= typed * self.typo_odds:
                return _cased_like(found[0], word)
            return None
        if typed is not None or name:
            return None
        near = nearest_english(low)
        return _cased_like(near, word) if near else None

    def correct(self, text: str) -> Correction:
        """The text with every correctable word corrected."""
        changes: list[tuple[str, str]] = []

        def fix(m: re.Match[str]) -> str:
            word = m.group()
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
