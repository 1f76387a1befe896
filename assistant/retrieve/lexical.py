"""Lexical matching: BM25 (bm25s) over chunks, and the term statistics the answerer uses."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from assistant.textnorm import tokens

# Question words and fillers that say nothing about which passage answers.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "him",
        "her",
        "its",
        "them",
        "about",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "been",
        "being",
        "am",
        "from",
        "than",
        "so",
        "too",
        "very",
        "just",
        "also",
        "any",
        "all",
        "some",
        "each",
        "much",
        "many",
        "more",
        "most",
        "other",
        "tell",
        "give",
        "show",
        "know",
        "s",
        "t",
        "vs",
        "versus",
    ]
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed content terms of a text (figures kept as written)."""
    words = [w for w in tokens(text) if w not in STOPWORDS]
    return [
        w if any(c.isdigit() for c in w) else s
        for w, s in zip(words, _stemmer().stemWords(words), strict=True)
    ]


class LexicalIndex:
    """BM25 over a fixed list of texts, plus document frequencies for IDF weights."""

    def __init__(self, ids: list[str], texts: Iterable[str], groups: list[str] | None = None):
        import bm25s

        self.ids = ids
        corpus = [terms(t) for t in texts]
        self.group_terms: dict[str, set[str]] = {}
        for group, doc in zip(groups or [], corpus, strict=False):
            self.group_terms.setdefault(group, set()).update(doc)
        self.n = len(corpus)
        self.df: Counter[str] = Counter(t for doc in corpus for t in set(doc))
        self.bm25 = bm25s.BM25()
        self.bm25.index([doc or ["\u2205"] for doc in corpus], show_progress=False)
        self._vocab = self.bm25.vocab_dict

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; unseen terms get the highest weight."""
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        """Whether the term occurs anywhere in the indexed texts."""
        return term in self.df

    def search(
        self, query: str, n: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """(id, score) of the best matches with a positive score, best first."""
        q = [t for t in terms(query) if t in self._vocab]
        if not q or self.n == 0:
            return []
        import numpy as np

        scores = self.bm25.get_scores(q)
        order = np.argsort(-scores)
        out: list[tuple[str, float]] = []
        for idx in order:
            if scores[idx] <= 0 or len(out) >= n:
                break
            if allowed is None or self.ids[idx] in allowed:
                out.append((self.ids[idx], float(scores[idx])))
        return out
