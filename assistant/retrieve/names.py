"""Names: what the documents write as a proper name, and the question's names no passage has.

A question about a place, a company, a level or a seniority that the passages found never
mention ('zephyr pay in oslo' answered from a Bergen row) gets a caveat, not a
confident answer. What counts as a name is read from the index itself: a word the documents
write in title case nearly every time they use it (not after a full stop), a level code of
resources/domain/levels.txt ('IC6', 'L8') or a seniority word of seniority.txt ('staff').
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.domain.levels import LEVEL, ladder, number, seniority, seniority_words
from assistant.retrieve.lexical import STOPWORDS, terms
from assistant.retrieve.question import abbreviations
from assistant.textnorm import tokens

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&'’-]*")
_SENTENCE_START = re.compile(r"[.!?]\s+$")


@dataclass
class NameStats:
    """Per stemmed term: how often the documents use it, how often in title case, and where.

    A term the documents only ever write inside a longer name ('States' of 'United States')
    names something only when the question has that longer name ('new york' of 'New York City').
    """

    seen: Counter[str] = field(default_factory=Counter)
    titled: Counter[str] = field(default_factory=Counter)
    alone: Counter[str] = field(default_factory=Counter)  # title case, not inside a longer name
    phrases: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # term -> its title-case spelling

    @classmethod
    def of(cls, texts: Iterable[str]) -> NameStats:
        """Count every word not at the start of a text or sentence (capitalised there anyway)."""
        seen: Counter[str] = Counter()
        titled: Counter[str] = Counter()
        alone: Counter[str] = Counter()
        phrases: set[tuple[str, ...]] = set()
        written: dict[str, str] = {}

        def close(run: list[str]) -> None:
            if len(run) == 1:
                alone[run[0]] += 1
            elif run:
                phrases.add(tuple(run))
            run.clear()

        for text in texts:
            run: list[str] = []  # the title-case words in a row so far (lower case)
            end = 0  # where the previous word ended
            for m in _WORD.finditer(text):
                between, end = text[end : m.start()], m.end()
                if m.start() == 0 or _SENTENCE_START.search(
                    text[max(0, m.start() - 3) : m.start()]
                ):
                    close(run)
                    continue
                word = m.group(0)
                low = word.lower()
                seen[low] += 1
                if (
                    len(word) >= 3
                    and word[0].isupper()
                    and word[1:].isalpha()
                    and word[1:].islower()
                ):
                    titled[low] += 1
                    written.setdefault(low, word)
                    if run and (not between.isspace() or "\n" in between):
                        close(run)
                    run.append(low)
                else:
                    close(run)
            close(run)
        # Words become stemmed terms once each (stemming every occurrence is the slow part).
        term_of = {w: next(iter(terms(w)), "") for w in seen}
        stats = cls()
        for w, n in seen.items():
            if t := term_of[w]:
                stats.seen[t] += n
                stats.titled[t] += titled[w]
                stats.alone[t] += alone[w]
                if w in written:
                    stats.written.setdefault(t, written[w])
        for phrase in phrases:
            key = tuple(term_of[w] for w in phrase)
            for t in key:
                stats.phrases.setdefault(t, set()).add(key)
        return stats

    def is_name(self, term: str, share: float, asked: list[str] | None = None) -> bool:
        """Whether the documents write this term in title case at least `share` of the time.

        With `asked` (the question's terms in order), a term only ever written inside a longer
        name counts when two or more of that name's words stand together in the question.
        """
        seen = self.seen.get(term, 0)
        if not seen or self.titled.get(term, 0) / seen < share:
            return False
        if self.alone.get(term, 0) or asked is None:
            return True
        pairs = set(itertools.pairwise(asked))
        return any(
            term in pair and pair in pairs
            for p in self.phrases.get(term, ())
            for pair in itertools.pairwise(p)
        )


def name_stats(reader: Any) -> NameStats:
    """The name statistics of a reader's chunks, counted once per reader (on first need)."""
    cached = getattr(reader, "_names", None)
    if cached is None:
        cached = NameStats.of(c.search_text for c in reader.all_chunks())
        reader._names = cached
    return cached


def _name_words(stats: NameStats, term: str, before: list[str]) -> list[str]:
    """The word before a name that belongs to it in the documents ('New' of 'New York')."""
    prev = next(iter(terms(before[0])), "") if before else ""
    joined = any(prev in p for p in stats.phrases.get(term, ())) and prev
    return [before[0].capitalize()] if joined else []


def unmentioned(question: str, evidence: str, stats: NameStats, share: float) -> list[str]:
    """The question's names (places, organisations, levels, seniorities) the evidence never uses."""
    have = set(terms(evidence))
    rank_words = re.compile(seniority_words(), re.I)
    short_forms = abbreviations()
    words = tokens(question)
    asked = terms(question)
    names: list[list[str]] = []  # a name of several words ('New York') stays one
    last = -2
    for i, word in enumerate(words):
        if word in STOPWORDS or word in short_forms or LEVEL.fullmatch(word.upper()):
            continue
        if rank_words.fullmatch(word):
            continue  # a seniority: checked as one below
        term = next(iter(terms(word)), "")
        if not term or term in have or not stats.is_name(term, share, asked):
            continue
        written = stats.written.get(term, word)
        if i == last + 1:
            names[-1].append(written)
        elif all(written not in n for n in names):
            names.append([*_name_words(stats, term, words[i - 1 : i]), written])
        last = i
    missing = [" ".join(n) for n in names]
    levels = {
        (ladder(m).upper(), number(m)): question[m.start() : m.end()]
        for m in LEVEL.finditer(question.upper())
    }
    have_levels = {(ladder(m).upper(), number(m)) for m in LEVEL.finditer(evidence.upper())}
    missing += [label for key, label in levels.items() if key not in have_levels]
    ranks = {seniority(m.group(0)): m.group(0) for m in rank_words.finditer(question)}
    given = {seniority(m.group(0)) for m in rank_words.finditer(evidence)}
    missing += [word for group, word in ranks.items() if group and group not in given]
    return missing
