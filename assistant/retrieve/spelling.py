"""Spelling: correct question words to the index's own words (edit lookups, English word counts)."""

from __future__ import annotations

import heapq
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
_CODE = re.compile(r"(?<![\w$£€.])([A-Za-z]{1,6})(\d{1,3})(?![\w.]\d|\w)")  # 'pep8', 'ic6'
_CODE_APART = re.compile(r"\b([A-Za-z]{1,6})[ \-](\d{1,3})\b")  # 'PEP 8', 'IC-6'
_ENGLISH = "frequency_dictionary_en_82_765.txt"


@lru_cache(maxsize=1)
def _english_counts() -> dict[str, str]:
    """Word -> count (as written) of symspellpy's list: 'word count' lines, split in one pass."""
    parts = (resources.files("symspellpy") / _ENGLISH).read_text(encoding="utf-8").split()
    return dict(zip(parts[::2], parts[1::2], strict=True))


def english(word: str) -> int | None:
    """How common an English word is (symspellpy's frequency list); None if it is not English."""
    count = _english_counts().get(word)
    return None if count is None else int(count)


@lru_cache(maxsize=4)
def common_english(n: int) -> frozenset[str]:
    """The n most common English words (symspellpy's frequency list)."""
    top = heapq.nlargest(n, _english_counts().items(), key=lambda kv: int(kv[1]))
    return frozenset(word for word, _ in top)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_VOWELS = frozenset("aeiouy")


def _skeleton(word: str) -> str:
    """A word's consonants, a doubled one once: 'people' -> 'ppl', 'message' -> 'msg'."""
    return "".join(
        ch for i, ch in enumerate(word) if ch not in _VOWELS and (i == 0 or word[i - 1] != ch)
    )


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


def _deletions(word: str) -> set[str]:
    """The word and every string one or two deletions from it."""
    one = {word[:i] + word[i + 1 :] for i in range(len(word))}
    return {word} | one | {w[:i] + w[i + 1 :] for w in one for i in range(len(w))}


@lru_cache(maxsize=1)
def _osa() -> Any:
    """symspellpy's optimal string alignment distance (edits, swaps of neighbours too)."""
    from symspellpy.editdistance import DistanceAlgorithm, EditDistance

    return EditDistance(DistanceAlgorithm.DAMERAU_OSA)


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
        self,
        texts: Iterable[str],
        min_length: int,
        long_word: int,
        typo_odds: float,
        clip_max: int,
        clip_extra: int,
    ) -> None:
        counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        pairs: set[tuple[str, str]] = set()
        joined: set[str] = set()
        apart: dict[str, str] = {}
        for text in texts:
            norm = normalize(text)
            joined.update(a.lower() + b for a, b in _CODE.findall(norm))
            for m in _CODE_APART.finditer(norm):
                apart.setdefault(m.group(1).lower() + m.group(2), m.group(0))
            previous, end = "", -1
            for m in _CASED_WORD.finditer(norm):
                word = m.group()
                low = word.lower()
                counts[low] += 1
                capitalised[low] += word[0].isupper()
                if previous and norm[end : m.start()] in (" ", "-"):
                    pairs.add((previous, low))  # words written side by side: 'real-time'
                previous, end = low, m.end()
        for word in STOPWORDS:
            counts.setdefault(word, 1)
        self.counts = counts
        self.capitalised = capitalised
        self.pairs = frozenset(pairs)
        # codes the index writes only apart ('PEP 8'), by their joined form ('pep8')
        self.codes_apart = {k: v for k, v in apart.items() if k not in joined}
        self.vocab = frozenset(counts) | STOPWORDS
        self.min_length = min_length
        self.long_word = long_word
        self.typo_odds = typo_odds
        self.clip_max = clip_max
        self.clip_extra = clip_extra
        self._deletion_table: dict[str, set[str]] | None = None

    @property
    def knobs(self) -> tuple[int, int, float, int, int]:
        """The settings it was built with."""
        return (self.min_length, self.long_word, self.typo_odds, self.clip_max, self.clip_extra)

    def nearest(self, word: str, distance: int) -> list[str]:
        """Index words one edit from `word` (else two if allowed), the most common first.

        Common means in the index, then in English (a tie of 'what' and 'want' goes to 'what').
        One edit (deletion, swap of neighbours, replacement, insertion) is generated and looked
        up; two edits are found through a table of deletions, built on first need.
        """
        ring = _one_edit(word)
        found = [w for w in ring if w in self.counts]
        if not found and distance > 1:
            found = self._two_edits(word)
        return sorted(found, key=lambda w: (-self.counts[w], -(english(w) or 0), w))

    def _two_edits(self, word: str) -> list[str]:
        """Index words two edits from `word`, found through shared deletions (as SymSpell does)."""
        table = self._deletions()
        near = {v for d in _deletions(word) for v in table.get(d, ())}
        return [v for v in near if _osa().compare(word, v, 2) >= 0]  # -1: farther than 2

    def _deletions(self) -> dict[str, set[str]]:
        """Each long index word under every string up to two deletions from it (built once)."""
        if self._deletion_table is None:
            table: dict[str, set[str]] = {}
            for v in self.counts:
                if len(v) >= self.long_word - 2:
                    for d in _deletions(v):
                        table.setdefault(d, set()).add(v)
            self._deletion_table = table
        return self._deletion_table

    def split(self, word: str) -> str | None:
        """Two index words the index writes side by side, typed as one ('realtime')."""
        cuts = [
            (word[:i], word[i:])
            for i in range(self.min_length, len(word) - self.min_length + 1)
            if (word[:i], word[i:]) in self.pairs
        ]
        best = max(cuts, key=lambda ab: min(self.counts[ab[0]], self.counts[ab[1]]), default=None)
        return f"{best[0]} {best[1]}" if best else None

    def expand(self, word: str) -> str | None:
        """The index word a short clipping stands for ('algo', 'langs', 'ppl'), if it is clear.

        A clipping without vowels is a word's consonants ('ppl': people, 'msg': message).
        The clipping (a trailing plural 's' aside) must begin an index word at least
        `clip_extra` letters longer; a plural clipping prefers a plural word, then the word most
        common in English, then in the index.
        """
        if len(word) > self.clip_max:
            return None
        if not _VOWELS.intersection(word):  # written without its vowels: 'ppl', 'msg'
            found = [w for w in self.counts if len(w) > len(word) and _skeleton(w) == word]
            return max(found, key=lambda w: (english(w) or 0, self.counts[w]), default=None)
        stem = word[:-1] if word.endswith("s") and len(word) > self.min_length else word
        found = [
            w
            for w in self.counts
            if w.startswith(stem) and len(w) >= len(stem) + self.clip_extra and w not in STOPWORDS
        ]
        if not found:
            return None
        plural = word != stem
        return max(
            found, key=lambda w: (plural == w.endswith("s"), english(w) or 0, self.counts[w])
        )

    def is_name(self, word: str) -> bool:
        """Whether the index ever writes this word capitalised (a name, a label, a heading)."""
        return self.capitalised[word] > 0 and word not in STOPWORDS

    def suggest(self, word: str, first: bool = False) -> str | None:
        """The index word a typed word was meant to be, or None to leave it as typed."""
        low = word.lower()
        if len(low) < self.min_length or low in self.vocab or (word.isupper() and len(word) > 1):
            return None
        if low.endswith(("'s", "’s")) and low[:-2] in self.vocab:
            return None  # a possessive of a known word ("Zephyr's")
        name = word[0].isupper() and not first
        distance = 2 if len(low) >= self.long_word else 1
        found = [f for f in self.nearest(low, distance) if len(f) >= self.min_length - 1]
        if name:
            found = [f for f in found if self.is_name(f)]
        typed = english(low)
        if typed is None and not name:
            longer = self.split(low) or self.expand(low)
            if longer:
                return _cased_like(longer, word)
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

        def part(m: re.Match[str]) -> str:
            written = self.codes_apart.get(m.group().lower())
            if written is None or m.group().lower() in keep:
                return m.group()
            changes.append((m.group(), written))
            return written

        fixed = _CODE.sub(part, _WORD.sub(fix, text))
        return Correction(fixed, tuple(changes))


def speller_for(reader: Any, settings: Any) -> Speller:
    """The speller of a reader's index, with the settings' spell_* knobs, built once per reader."""
    knobs = (
        settings.spell_min_length,
        settings.spell_long_word,
        settings.spell_typo_odds,
        settings.spell_clip_max,
        settings.spell_clip_extra,
    )
    cached = getattr(reader, "_speller", None)
    if cached is None or cached.knobs != knobs:
        texts = (str(c.metadata.get("text", "")) or c.search_text for c in reader.all_chunks())
        cached = Speller(texts, *knobs)
        reader._speller = cached
    return cached
