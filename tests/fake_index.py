"""A fake index reader for unit tests of the scorer: chunks with only their search text."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieve.lexical import LexicalIndex
from assistant.retrieve.scoring import Cues, UnitScorer
from assistant.settings import Settings


@dataclass
class FakeChunk:
    search_text: str


@dataclass
class FakeReader:
    texts: list[str]

    def all_chunks(self) -> list[FakeChunk]:
        return [FakeChunk(t) for t in self.texts]


def scorer_over(*texts: str) -> UnitScorer:
    """A unit scorer whose index holds these texts, one chunk each."""
    lexical = LexicalIndex([str(i) for i in range(len(texts))], list(texts))
    cues = Cues.from_settings(Settings())
    return UnitScorer(FakeReader(list(texts)), lexical, (), 0.5, 0.12, cues)
